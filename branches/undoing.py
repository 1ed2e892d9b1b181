"""When a change to the tree may still be undone (``changes.undo_blockers``), unit by unit.

A change *changed* some units (the units its lines name, those it moved along with an ended
unit, those it founded, the parts of a split) and *used* others (the parents units came from
or went to, the successors). Undoing it puts the units it changed back where and as they were,
which stays true to the tree's history only while nothing later built on them. So a change
cannot be undone while another change, applied after it or planned, has

- changed or used one of the units it changed, or a unit in their subtrees (the same unit
  renamed again, a unit under a moved upper level moved on, a unit founded under it), or
- moved or ended one of the units it used or changed, or one of their ancestors (undoing it
  would put units back under a parent that has since gone elsewhere, or ended).

Changes elsewhere in the federation do not stand in the way. Whether something was filed under the new structure
since is the targets' side's answer (``signals.undo_asked``)."""

from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import PATH_STEP, TreeChange, TreeChangeLine

Kind = TreeChangeLine.Kind
MOVING = {Kind.MOVE, Kind.DISSOLVE, Kind.MERGE, Kind.SPLIT}


def _ancestry(path):
    """The paths of the unit at ``path`` and of its ancestors."""
    return {path[:end] for end in range(PATH_STEP, len(path) + 1, PATH_STEP)}


def reach(change):
    """(changed, used): the tree paths of the units ``change`` changed and of those it used."""
    changed, used = set(), set()
    rows = change.lines.values_list("kind", "unit__path", "target__path", "previous_parent__path")
    for kind, unit, target, previous in rows:
        if unit:
            changed.add(unit)
        if target:
            (changed if kind == Kind.SPLIT else used).add(target)
        if previous:
            used.add(previous)
    return changed, used


def later_changes(change):
    """The changes applied after ``change``, and those planned (not its own hand-over while
    planned: undoing a merger discards it)."""
    applied_after = Q(status=TreeChange.Status.APPLIED) & (
        Q(applied_at__gt=change.applied_at) | Q(effective_on__gt=change.effective_on)
    )
    planned = Q(status=TreeChange.Status.PLANNED)
    own_handover = Q(handover_of=change, status=TreeChange.Status.PLANNED)
    return TreeChange.objects.exclude(pk=change.pk).exclude(own_handover).filter(applied_after | planned)


def in_the_way(change):
    """The later changes that stand in the way of undoing ``change``, earliest first."""
    changed, used = reach(change)
    if not changed:
        return []
    ancestry = set()
    for path in changed | used:
        ancestry |= _ancestry(path)
    blocking = set()
    rows = TreeChangeLine.objects.filter(change__in=later_changes(change)).values_list(
        "change_id", "kind", "unit__path", "target__path", "previous_parent__path"
    )
    for change_id, kind, unit, target, previous in rows.iterator(chunk_size=5000):
        if change_id in blocking:
            continue
        touched = any(path and _ancestry(path) & changed for path in (unit, target, previous))
        if touched or (kind in MOVING and unit and unit in ancestry):
            blocking.add(change_id)
    return list(TreeChange.objects.filter(pk__in=blocking).order_by("effective_on", "pk"))


def reasons(change):
    """Why ``change`` cannot be undone because of later changes, one sentence each."""
    result = []
    for other in in_the_way(change):
        params = {"number": other.decision_number, "day": date_format(other.effective_on, "SHORT_DATE_FORMAT")}
        if other.status == TreeChange.Status.PLANNED:
            result.append(
                _(
                    "Decision %(number)s, planned for %(day)s, concerns the same units or units under them: "
                    "discard it first."
                )
                % params
            )
        else:
            result.append(
                _(
                    "Decision %(number)s (effective %(day)s), applied after this one, changed the same units or "
                    "units under them, or the units they came from or went to: undo it first."
                )
                % params
            )
    return result
