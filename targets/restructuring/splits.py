"""The shares of a split, chosen by the staff in the preview: each part's share in percent of
the unit split (its allocations pass on by these shares, what rounding leaves going to the
first part, so the figures down the tree still add up to the figure above). The shares of
one split must add up to 100: otherwise nothing is saved and nothing can be applied."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from branches.models import TreeChange, TreeChangeLine
from targets.resolution.succession import shared_out

FIELD = "share-%s"


@dataclass
class SplitShares:
    """A split in the preview: the unit split and its parts with the shares shown."""

    unit: object
    parts: list  # [(line, value shown)]

    @property
    def total(self):
        try:
            return sum(int(value) for _line, value in self.parts)
        except (TypeError, ValueError):
            return None


def split_lines(change):
    """{unit id: [line]} of the splits of ``change``, in the decision's order."""
    groups = {}
    lines = change.lines.filter(kind=TreeChangeLine.Kind.SPLIT, implied_by__isnull=True).select_related("unit")
    for line in lines.order_by("order", "pk"):
        groups.setdefault(line.unit_id, []).append(line)
    return groups


def shares_shown(change, posted=None):
    """[SplitShares] of ``change``: the stored shares, or those just posted (refused ones are
    shown again as typed)."""
    result = []
    for lines in split_lines(change).values():
        parts = [(line, (posted or {}).get(FIELD % line.pk, line.share)) for line in lines]
        result.append(SplitShares(lines[0].unit, parts))
    return result


@transaction.atomic
def set_shares(change, posted):
    """Save the shares posted for the splits of a change being prepared; ``ValidationError``
    (with every reason) and nothing saved when one is not a whole number from 1 to 99 or
    a split's shares do not add up to 100."""
    change = TreeChange.objects.select_for_update().get(pk=change.pk)
    if change.status != TreeChange.Status.DRAFT:
        raise ValidationError(_("This change has already been applied or undone."))
    errors, updates = [], []
    for lines in split_lines(change).values():
        total = 0
        for line in lines:
            raw = (posted.get(FIELD % line.pk) or "").strip()
            if not raw.isdigit() or not 1 <= int(raw) <= 99:
                errors.append(
                    _("The share of %(part)s must be a whole number from 1 to 99.") % {"part": line.name or line.code}
                )
                continue
            total += int(raw)
            line.share = int(raw)
            updates.append(line)
        if not errors and total != 100:
            errors.append(
                _("The shares of the split of %(unit)s add up to %(total)s%%, not 100%%.")
                % {"unit": lines[0].unit.name if lines[0].unit else lines[0].code, "total": total}
            )
    if errors:
        raise ValidationError(errors)
    TreeChangeLine.objects.bulk_update(updates, ["share"])


def show_allocation_parts(preview):
    """Give each allocation of a unit split its ``split_parts`` [(part name, figure)]: how it
    passes to the parts with the shares of the preview (adding up to the allocation's figure)."""
    groups = split_lines(preview.change)
    for allocation in preview.allocations:
        lines = groups.get(allocation.organisation_id)
        if not lines or any(line.share is None for line in lines):
            continue
        if allocation.component.is_share:
            allocation.split_parts = [(line.name, allocation.figure) for line in lines]
        else:
            allocation.split_parts = shared_out(allocation.figure, [(line.name, line.share) for line in lines])
