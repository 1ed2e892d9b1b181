"""Moving many grassroots unions at once: a run of a change's move lines is checked with a
few queries (the same checks and messages as one line at a time, ``applier``) and carried
out per (old parent, new parent) with one statement per table: their former placements,
their paths, their lines, and the ledgers' totals in both views (``signals.units_moved``,
one summed delta per group instead of one per unit). A grassroots union has no subtree, so
the units of a run can move in any order with the same result."""

from collections import defaultdict

from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from .. import signals
from ..models import Organisation, Placement, TreeChangeLine, path_ids, placement_starts

Kind = TreeChangeLine.Kind
Level = Organisation.Kind
# Ids per IN list: well within SQLite's and PostgreSQL's limits on parameters.
CHUNK = 2000


def chunks(items, size=CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def is_bulk_line(line):
    """A line the bulk path takes: a move (not implied) of a unit that was a grassroots union
    when the change was loaded (checked again, fresh, when the run is carried out)."""
    return (
        line.kind == Kind.MOVE
        and line.implied_by_id is None
        and line.unit is not None
        and line.unit.kind == Level.GRASSROOTS
    )


def runs(lines):
    """The change's lines as [(bulk?, [lines])]: consecutive bulk lines (each unit once per
    run) together, the other lines one by one, in the decision's order."""
    result = []
    for line in lines:
        if is_bulk_line(line):
            if result and result[-1][0] and line.unit_id not in result[-1][2]:
                result[-1][1].append(line)
                result[-1][2].add(line.unit_id)
                continue
            result.append((True, [line], {line.unit_id}))
        else:
            result.append((False, [line], set()))
    return [(bulk, run) for bulk, run, _units in result]


class LaterPlacements:
    """The former placements that ended after ``day`` (a tree's history runs one way, so
    usually none): the latest of them that touched a unit (itself) or its subtree (a
    placement whose path was under the unit), for many units from one query."""

    def __init__(self, day):
        self.by_unit, self.by_prefix = {}, {}
        for unit_id, path, until in Placement.objects.filter(until__gt=day).values_list("unit_id", "path", "until"):
            self.by_unit[unit_id] = max(until, self.by_unit.get(unit_id, until))
            prefix = ""
            for pk in path_ids(path):
                prefix += f"{pk:09d}/"
                self.by_prefix[prefix] = max(until, self.by_prefix.get(prefix, until))

    def last_day(self, unit, subtree=True):
        days = [self.by_unit.get(unit.pk)]
        if subtree:
            # A grassroots union has no units under it: its own rows and the rows under its path.
            days.append(self.by_prefix.get(unit.path))
        days = [day for day in days if day is not None]
        return max(days) if days else None


def move_run(applier, lines, write=True):
    """Check and carry out ``lines``, move lines of distinct grassroots unions, for
    ``applier`` (an ``applier._Applier``): what is wrong goes to ``applier.errors`` in the
    lines' order, exactly as one line at a time would say it. Without ``write``, only
    checked (the last run of a change checked before it applies in steps)."""
    pending = {line.code for line in lines if line.target_id is None and line.code}
    if pending:
        found = dict(Organisation.objects.filter(code__in=pending).values_list("code", "pk"))
        for line in lines:
            if line.target_id is None and line.code:
                line.target_id = found.get(line.code)
        by_target = defaultdict(list)
        for line in lines:
            if line.code and line.code in pending:
                by_target[line.target_id].append(line.pk)
        for target_id, ids in by_target.items():
            TreeChangeLine.objects.filter(pk__in=ids).update(target_id=target_id)
    ids = {line.unit_id for line in lines} | {line.target_id for line in lines if line.target_id}
    fresh = {}
    for part in chunks(ids):
        fresh.update((u.pk, u) for u in Organisation.objects.filter(pk__in=part))
    if any(fresh[line.unit_id].kind != Level.GRASSROOTS for line in lines):
        # A unit made an upper level earlier in the change: one line at a time.
        for line in lines:
            applier.run(line)
        return
    later = LaterPlacements(applier.day)
    groups = defaultdict(list)
    for line in lines:
        unit, target = fresh[line.unit_id], fresh.get(line.target_id)
        if not applier.check_alive(unit, later=later):
            continue
        if (
            target is None
            or not applier.check_alive(target, subtree=False, later=later)
            or not applier.check_parent(unit, target)
        ):
            continue
        if unit.parent_id == target.pk:
            applier.refuse(_("%(unit)s is already under %(parent)s."), unit=unit.name, parent=target.name)
            continue
        groups[(unit.parent_id, target.pk)].append((line.pk, unit))
    if not write:
        return
    moved_groups = []
    for (old_parent_id, new_parent_id), moved in groups.items():
        TreeChangeLine.objects.filter(pk__in=[pk for pk, _unit in moved]).update(previous_parent_id=old_parent_id)
        moved_groups.append(move_group(applier, [unit for _pk, unit in moved], fresh[new_parent_id]))
    carry_totals(applier, moved_groups)


def carry_totals(applier, groups):
    """Tell the ledgers once for ``groups`` (not when the change is only being checked,
    nor once it is refused)."""
    if groups and not applier.tree_only and not applier.errors:
        signals.units_moved.send(sender=Organisation, groups=groups, effective_on=applier.day)


def move_group(applier, units, parent):
    """Move ``units``, grassroots unions under one parent, under ``parent`` on the change's
    day: their former placements kept, their paths and parent set. Returns (units, old
    parent's path, new parent's path) for ``carry_totals``."""
    old_parent_id = units[0].parent_id
    since = placement_starts([unit.pk for unit in units])
    Placement.objects.bulk_create(
        [
            Placement(
                unit_id=u.pk,
                path=u.path,
                parent_id=old_parent_id,
                since=since.get(u.pk),
                until=applier.day,
                change=applier.change,
            )
            for u in units
        ],
        batch_size=CHUNK,
    )
    return paths_moved(units, parent.pk)


def paths_moved(units, parent_id):
    """Set the parent and paths of ``units``, grassroots unions under one parent, to
    ``parent_id``'s (no former placement kept: the caller says whether one is). Returns
    (units, old parent's path, new parent's path), as ``signals.units_moved`` takes them."""
    old_parent_path = Organisation.objects.values_list("path", flat=True).get(pk=units[0].parent_id)
    new_parent_path = Organisation.objects.values_list("path", flat=True).get(pk=parent_id)
    for part in chunks([unit.pk for unit in units]):
        Organisation.objects.filter(pk__in=part).update(
            parent_id=parent_id, path=Concat(Value(new_parent_path), Substr("path", len(old_parent_path) + 1))
        )
    for unit in units:
        unit.parent_id = parent_id
        unit.path = new_parent_path + unit.path[len(old_parent_path) :]
    return units, old_parent_path, new_parent_path


def hand_over_children(applier, line, children, successor):
    """The grassroots children of a unit ended by ``line`` go to ``successor`` together,
    each with its implied move line."""
    if not children:
        return
    TreeChangeLine.objects.bulk_create(
        [
            TreeChangeLine(
                change=applier.change,
                order=line.order,
                kind=Kind.MOVE,
                unit=child,
                target=successor,
                implied_by=line,
                previous_parent_id=child.parent_id,
            )
            for child in children
        ],
        batch_size=CHUNK,
    )
    carry_totals(applier, [move_group(applier, children, successor)])
