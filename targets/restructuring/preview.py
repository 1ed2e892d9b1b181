"""What a change would do, before anyone confirms it: it is applied inside a transaction,
the figures of the unions concerned are read before and after, and everything is rolled
back. So the preview is the change itself, not a second account of it."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from branches import changes
from branches.models import Organisation, Placement, TreeChange, TreeChangeLine, path_ids
from targets.reporting.ledger.models import SHIFTS
from targets.resolution.allocations import Allocation
from targets.resolution.models import Resolution
from targets.rollup.completeness import reported_so_far
from targets.rollup.figures import Structure
from targets.rollup.progress import achieved_values
from unionplan.private_tables import private_copies

# What an officer's report locks while it is saved (its unit's row, the totals above it) and
# what a change writes in bulk: the preview writes its own copies (``private_copies``).
PREVIEWED_TABLES = [Organisation, Placement, *SHIFTS, *SHIFTS.values()]


@dataclass
class Figures:
    """A union's figures in one view: units expected to report the month and how many did,
    and the year-to-date achievement of each component."""

    expected: int = 0
    reported: int = 0
    achieved: dict = field(default_factory=dict)


@dataclass
class HolderPreview:
    unit: Organisation
    before: dict  # {structure: Figures}
    after: dict

    def rows(self, components):
        """[(component, before current, after current, before monthly, after monthly)] that change."""
        result = []
        for c in components:
            values = [self.before[s].achieved.get(c.pk, 0) if s in self.before else 0 for s in Structure.CHOICES] + [
                self.after[s].achieved.get(c.pk, 0) if s in self.after else 0 for s in Structure.CHOICES
            ]
            cur_b, mon_b, cur_a, mon_a = values
            if (cur_b, mon_b) != (cur_a, mon_a):
                result.append((c, cur_b, cur_a, mon_b, mon_a))
        return result


@dataclass
class Preview:
    change: TreeChange
    resolution: Resolution | None
    month: int
    lines: list
    holders: list
    allocations: list
    errors: list
    version: str
    components: list

    @property
    def units_affected(self):
        return len({line.unit_id for line in self.lines if line.unit_id})


def _figures(resolution, unit, month, components):
    result = {}
    unit = Organisation.objects.get(pk=unit.pk)
    for structure in Structure.CHOICES:
        reported, expected = reported_so_far(resolution, unit, month, structure)
        values = achieved_values(resolution, unit, month, components, structure)
        result[structure] = Figures(expected, reported, {pk: v[0] for pk, v in values.items()})
    return result


def _holders(change):
    """The unions whose figures the change touches: the units' parents before, the units
    they go to, and their ancestors (the federation's own figures included)."""
    ids = set()
    for line in change.lines.select_related("unit", "target"):
        for unit in (line.unit, line.target):
            if unit is not None:
                ids.update(path_ids(unit.path)[:-1])
                if unit.kind != Organisation.Kind.GRASSROOTS:
                    ids.add(unit.pk)
    return list(Organisation.objects.filter(pk__in=ids).exclude(kind=Organisation.Kind.GRASSROOTS).order_by("path"))


class _RolledBack(Exception):
    pass


def preview_change(change, month=None, max_holders=40, progress=None):
    """The preview of ``change`` (a draft or planned change): nothing of it is kept.
    ``progress(done, total)`` hears of the unions' figures read before the change, out of
    the whole work (those figures, the change tried out, the figures after it): the
    background worker's preview of a large change shows it. What is done inside the
    rolled-back transaction could not be seen by the page, so it is not reported."""
    change = TreeChange.objects.get(pk=change.pk)
    resolution = (
        Resolution.objects.for_path(change.federation.path).filter(year=change.effective_on.year).first()
        or Resolution.objects.for_path(change.federation.path).order_by("-year").first()
    )
    month = month or (resolution.reporting_month() if resolution else 12)
    components = list(resolution.components().order_by("target__number", "order")) if resolution else []
    holders = _holders(change)[:max_holders]
    version = changes.version(change)
    before = {}
    for done, u in enumerate(holders if resolution else [], start=1):
        before[u.pk] = _figures(resolution, u, month, components)
        if progress is not None:
            progress(done, 2 * len(holders) + 1)
    ended = [line.unit_id for line in change.lines.all() if line.kind in ("dissolve", "merge", "split")]
    allocations = list(
        Allocation.objects.filter(organisation__in=ended, figure__gt=0)
        .select_related("component__target", "organisation")
        .order_by("organisation__path", "component__target__number", "component__order")
    )
    errors, lines, after = [], [], {}
    try:
        with transaction.atomic(), private_copies(PREVIEWED_TABLES):
            changes.change_apply(change)
            lines = list(
                TreeChangeLine.objects.filter(change=change)
                .select_related("unit", "target", "previous_parent")
                .order_by("order", "pk")
            )
            if resolution is not None:
                for u in holders:
                    after[u.pk] = _figures(resolution, u, month, components)
            raise _RolledBack
    except _RolledBack:
        pass
    except ValidationError as error:
        errors = list(error.messages)
        lines = list(change.lines.select_related("unit", "target").order_by("order", "pk"))
    rows = [HolderPreview(u, before.get(u.pk, {}), after.get(u.pk, {})) for u in holders]
    return Preview(change, resolution, month, lines, rows, allocations, errors, version, components)


def preview_text(preview):
    """The preview as lines of text (``apply_changes``)."""

    out = [
        _("Decision %(number)s, effective %(day)s: %(count)s units affected.")
        % {
            "number": preview.change.decision_number,
            "day": preview.change.effective_on.strftime("%d/%m/%Y"),
            "count": preview.units_affected,
        }
    ]
    for line in preview.lines[:50]:
        out.append(
            "  - {} {}{}".format(
                line.get_kind_display(),
                line.unit.name if line.unit else line.name,
                f" → {line.target.name}" if line.target else "",
            )
        )
    if len(preview.lines) > 50:
        out.append("  … " + _("and %(count)s more") % {"count": len(preview.lines) - 50})
    if preview.resolution is not None:
        out.append(
            _("Totals as of month %(month)s/%(year)s (today's tree | as it was each month), before → after:")
            % {"month": preview.month, "year": preview.resolution.year}
        )
        for holder in preview.holders:
            b, a = holder.before, holder.after
            if not a:
                continue
            out.append(
                "  {}: {} {} → {} | {} → {}".format(
                    holder.unit.name,
                    _("units reported/expected"),
                    f"{b['current'].reported}/{b['current'].expected}",
                    f"{a['current'].reported}/{a['current'].expected}",
                    f"{b['monthly'].reported}/{b['monthly'].expected}",
                    f"{a['monthly'].reported}/{a['monthly'].expected}",
                )
            )
            for component, cur_b, cur_a, mon_b, mon_a in holder.rows(preview.components):
                out.append(f"      {component}: {cur_b} → {cur_a} | {mon_b} → {mon_a}")
    if preview.allocations:
        out.append(_("Allocations that pass to the successors:"))
        for allocation in preview.allocations:
            out.append(f"  - {allocation.organisation.name}: {allocation.component} = {allocation.figure}")
    for error in preview.errors:
        out.append("! " + error)
    return out
