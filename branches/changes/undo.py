"""Undoing a change: the last change of a unit (``last_change_of``), why it cannot be undone
(``undo_blockers``) and undoing it (``change_undo``).

As a large change applies in steps (``apply``), a change that moved more than ``STEP``
grassroots unions is undone in steps: checked whole first, marked *being undone*, then its
moved grassroots unions are taken back set-wise (``bulk.paths_moved``, ``signals.units_moved``
with the change's day, so that both views' totals are exact after every step), at most
``STEP`` a transaction, last line first; then the rest of its lines in one transaction as a
small change is undone. A step that fails rolls back alone; undoing again carries on."""

from collections import Counter, defaultdict

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from .. import access, signals, undoing
from ..models import Organisation, Placement, TreeChange, TreeChangeLine, User
from . import apply as stepping
from . import bulk, handover
from .apply import _locked_units
from .common import ChangeConflict, ChangeRefused

Kind = TreeChangeLine.Kind
Level = Organisation.Kind
Status = TreeChange.Status


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


def change_undo(change, *, user=None):
    """Undo an applied change, last line first, if nothing was filed under it since; a
    change of more than ``STEP`` moves (not inside a transaction the caller holds) in steps."""
    stepwise = change.status == Status.UNDOING or (
        not transaction.get_connection().in_atomic_block and stepping.is_large(change)
    )
    if stepwise:
        return _undo_in_steps(change, user)
    return _undo_at_once(change, user)


def _started(change, user, statuses):
    change = TreeChange.objects.select_for_update().get(pk=change.pk)
    if change.status not in statuses:
        raise ChangeRefused([_("Only an applied change can be undone.")])
    if user is not None and not access.can_change_tree(user, change.federation):
        raise PermissionDenied
    return change


def taken_back_in_steps(change):
    """The ids of ``change``'s move lines that an undo in steps takes back set-wise, last
    first: grassroots unions moved (by a line of their own or with an ended unit) that no
    other line of the change names (a unit moved twice goes back with the other lines)."""
    rows = list(change.lines.values_list("pk", "kind", "unit_id", "unit__kind", "previous_parent_id", "order"))
    named = Counter(row[2] for row in rows)
    chosen = [
        (order, pk)
        for pk, kind, unit_id, unit_kind, previous, order in rows
        if kind == Kind.MOVE and unit_kind == Level.GRASSROOTS and previous and named[unit_id] == 1
    ]
    return [pk for _order, pk in sorted(chosen, reverse=True)]


def _undo_in_steps(change, user):
    with transaction.atomic():
        change = _started(change, user, (Status.APPLIED, Status.UNDOING))
        if change.status == Status.APPLIED:
            reasons = undo_blockers(change)
            if reasons:
                raise ChangeRefused(reasons)
            change.status, change.lines_done = Status.UNDOING, 0
            change.save(update_fields=["status", "lines_done", "updated_at"])
    lines = taken_back_in_steps(change)
    position = change.lines_done  # carrying on: the moves before it were taken back
    for step in bulk.chunks(lines[position:], stepping.STEP):
        _undo_step(change, step, position)
        position += len(step)
    return _undo_at_once(change, user, skip=frozenset(lines))


@transaction.atomic
def _undo_step(change, line_ids, start):
    """Take back the moves ``line_ids`` (from the ``start``-th): their units locked, put back
    under their parents before the change, per (parent now, parent before), with their
    totals in both views, and how far the undo has come, in one transaction."""
    change = TreeChange.objects.select_for_update().get(pk=change.pk)
    if change.status != Status.UNDOING or change.lines_done != start:
        raise ChangeConflict([_("This change is being undone by someone else meanwhile.")])
    lines = list(TreeChangeLine.objects.filter(pk__in=line_ids))
    units = {unit.pk: unit for unit in _locked_units(change, lines, no_key=True)}
    groups = defaultdict(list)
    for line in lines:
        unit = units[line.unit_id]
        if unit.parent_id != line.previous_parent_id:
            groups[(unit.parent_id, line.previous_parent_id)].append(unit)
    moved = [bulk.paths_moved(members, previous) for (_now, previous), members in groups.items()]
    if moved:
        signals.units_moved.send(sender=Organisation, groups=moved, effective_on=change.effective_on)
    change.lines_done = start + len(lines)
    change.save(update_fields=["lines_done", "updated_at"])


@transaction.atomic
def _undo_at_once(change, user, skip=frozenset()):
    """Undo ``change``'s lines, last first, but those in ``skip`` (taken back in steps)."""
    change = _started(change, user, (Status.APPLIED, Status.UNDOING))
    if change.status == Status.APPLIED:
        _locked_units(change)
        reasons = undo_blockers(change)
        if reasons:
            raise ChangeRefused(reasons)
    else:  # checked when the undo began
        _locked_units(change, list(change.lines.exclude(pk__in=skip)))
    day = change.effective_on
    founded = []
    split_first = {}
    for line in change.lines.filter(kind=Kind.SPLIT).order_by("-order", "-pk"):
        split_first[line.unit_id] = line.pk
    for line in change.lines.exclude(pk__in=skip).select_related("unit").order_by("-order", "-pk"):
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
