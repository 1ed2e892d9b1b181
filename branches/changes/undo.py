"""Undoing a change: the last change of a unit (``last_change_of``), why it cannot be undone
(``undo_blockers``) and undoing it (``change_undo``)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from .. import access, signals, undoing
from ..models import Organisation, Placement, TreeChange, TreeChangeLine, User
from . import handover
from .apply import _locked_units
from .common import ChangeRefused

Kind = TreeChangeLine.Kind
Level = Organisation.Kind


def last_change_of(unit):
    """The last applied change that touched ``unit`` (as the unit changed, or as the one
    something was handed to), or None."""
    line = (
        TreeChangeLine.objects.filter(Q(unit=unit) | Q(target=unit), change__status=TreeChange.Status.APPLIED)
        .select_related("change")
        .order_by("-change__applied_at", "-change__pk")
        .first()
    )
    return line.change if line else None


def undo_blockers(change):
    """Why ``change`` cannot be undone ([] when it can): a later change touched its units,
    or something was filed under the new structure (the targets' side answers
    ``signals.undo_asked``)."""
    reasons = []
    ids = set()
    for unit_id, target_id in change.lines.values_list("unit_id", "target_id"):
        ids.update(pk for pk in (unit_id, target_id) if pk)
    # Unit by unit: a later change that built on what this one changed (``undoing``).
    reasons.extend(undoing.reasons(change))
    for _receiver, answer in signals.undo_asked.send(sender=TreeChange, change=change, unit_ids=ids):
        reasons.extend(answer or [])
    return reasons


@transaction.atomic
def change_undo(change, *, user=None):
    """Undo an applied change, last line first, if nothing was filed under it since."""
    change = TreeChange.objects.select_for_update().get(pk=change.pk)
    if change.status != TreeChange.Status.APPLIED:
        raise ChangeRefused([_("Only an applied change can be undone.")])
    if user is not None and not access.can_change_tree(user, change.federation):
        raise PermissionDenied
    _locked_units(change)
    reasons = undo_blockers(change)
    if reasons:
        raise ChangeRefused(reasons)
    day = change.effective_on
    founded = []
    split_first = {}
    for line in change.lines.filter(kind=Kind.SPLIT).order_by("-order", "-pk"):
        split_first[line.unit_id] = line.pk
    for line in change.lines.select_related("unit").order_by("-order", "-pk"):
        unit = Organisation.objects.get(pk=line.unit_id) if line.unit_id else None
        unit_back = unit
        if line.kind == Kind.FOUND:
            founded.append(unit)
            continue
        if line.kind == Kind.RENAME:
            unit.name = line.previous_name
        elif line.kind == Kind.MOVE:
            unit.parent_id = line.previous_parent_id
        elif line.kind == Kind.CHANGE_LEVEL:
            unit.kind = line.previous_level
            unit.sector = (
                "" if unit.kind != Level.GRASSROOTS else (unit.sector or Organisation.Sector.NON_STATE_ENTERPRISE)
            )
        elif line.kind in (Kind.DISSOLVE, Kind.MERGE, Kind.SPLIT):
            if line.kind == Kind.SPLIT:
                if line.target_id:
                    founded.append(Organisation.objects.get(pk=line.target_id))
                if split_first[line.unit_id] != line.pk:
                    continue
            signals.unit_restored.send(sender=TreeChangeLine, line=line, unit=unit)
            User.objects.filter(pk__in=line.officers_moved).update(organisation=unit)
            unit.dissolved_on = line.previous_dissolved_on
            unit.merged_into = None
        unit_back.effective_on, unit_back.tree_change = day, change
        unit_back.save()
    for unit in founded:
        if unit.users.exists():
            raise ChangeRefused([_("%(unit)s has officers now: it cannot be taken back.") % {"unit": unit.name}])
        Placement.objects.filter(unit=unit).delete()
        unit.delete()
    handover.discard(change)
    # The placements the change and its undoing wrote cancel out: the units were where they are.
    Placement.objects.filter(change=change).delete()
    change.status = TreeChange.Status.UNDONE
    change.save(update_fields=["status", "updated_at"])
    return change
