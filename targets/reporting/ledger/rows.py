"""What the ledgers share: the organisations that hold a unit's totals, the difference of
a contribution before and after a change, and adding it to the totals rows in one fixed
order (``figures`` for figures and tasks, ``reporting`` for who reported)."""

import calendar
import datetime
from collections import defaultdict

from django.db import connection

from branches.models import Organisation, path_ids, paths_on
from targets.resolution.models import PriorityTask, Resolution, TargetComponent
from targets.resolution.schedule import year_end
from unionplan import clock

from .models import (
    REPORTING_FIELDS,
    SHIFTS,
    TASK_STATUS_FIELDS,
    TOTAL_FIELDS,
    ProgressTotal,
    ReportingTotal,
    TaskStatusTotal,
)

# Each totals table: the column that, with the organisation and the month, names a row,
# and the columns it adds up.
KEYS = {
    ProgressTotal: ("component_id", TOTAL_FIELDS),
    TaskStatusTotal: ("task_id", TASK_STATUS_FIELDS),
    ReportingTotal: ("resolution_id", REPORTING_FIELDS),
}
KEYS |= {shift: KEYS[total] for total, shift in SHIFTS.items()}
# Rows per INSERT: at most 9 parameters a row, within SQLite's 32,766 and PostgreSQL's 65,535.
ROWS_PER_STATEMENT = 1000


def difference(after, before):
    """``after`` − ``before``, two contributions ({key: [values]}), without the zero rows."""
    keys = set(after) | set(before)
    width = len(next(iter((after or before).values()), []))
    zero = [0] * width
    diff = {}
    for key in keys:
        values = [a - b for a, b in zip(after.get(key, zero), before.get(key, zero), strict=True)]
        if any(values):
            diff[key] = values
    return diff


def holders(path, unit=None):
    """Ids of the organisations on ``path`` that keep totals (not grassroots unions)."""
    ids = path_ids(path)
    if unit is not None and unit.kind == Organisation.Kind.GRASSROOTS:
        ids = ids[:-1]
    return ids


class NearestHolders:
    """Totals summed first at each unit's nearest holder (its parent for a grassroots union,
    else itself), then spread once up the chain of holders above: the same sums as adding
    every unit's contribution to each of its holders, with one addition per unit and key
    instead of one per holder (a national tree has hundreds of units under each holder).
    A chain is the holders on the path a unit is counted at (a former path for the years
    it sat elsewhere at their end), so sums are kept per chain."""

    def __init__(self, width):
        self.width = width
        self.sums = defaultdict(lambda: [0] * width)  # (chain's number, *key): values
        self.numbers = {}  # chain (a tuple of holder ids): its number, the index in ``chains``
        self.chains = []

    def add(self, chain, contribution):
        chain = tuple(chain)
        number = self.numbers.get(chain)
        if number is None:
            number = self.numbers[chain] = len(self.chains)
            self.chains.append(chain)
        sums = self.sums
        for key, values in contribution.items():
            acc = sums[(number, *key)]
            for i, v in enumerate(values):
                acc[i] += v

    def add_unit(self, unit, contribution, path=None):
        """Add ``unit``'s contribution ({key: values}) to the holders on ``path`` (its own by default)."""
        chain = holders(path or unit.path, unit)
        if chain and contribution:
            self.add(chain, contribution)

    def add_held(self, units, contributions, model):
        """``add_unit`` for units that moved ({id: unit}, {id: contribution}): each year's part
        at the path the unit had at that year's end (``held_parts``)."""
        for pk, parts in held_parts(units, contributions, model).items():
            for path, part in parts.items():
                self.add_unit(units[pk], part, path)

    def spread(self):
        """{(holder, *key): values}: every holder's totals."""
        totals = defaultdict(lambda: [0] * self.width)
        for (number, *key), values in self.sums.items():
            for holder in self.chains[number]:
                acc = totals[(holder, *key)]
                for i, v in enumerate(values):
                    acc[i] += v
        return totals


def add(organisation_ids, delta, sign=1, model=ProgressTotal):
    """Add ``delta`` ({(component, task or resolution, month): values}) to the ``model`` rows
    of each organisation."""
    if not delta or not organisation_ids:
        return
    add_per_holder({org: delta for org in organisation_ids}, sign=sign, model=model)


def add_per_holder(deltas, sign=1, model=ProgressTotal):
    """Add each organisation's own delta ({organisation: {(item, month): values}}) to its
    ``model`` rows: a few statements of many rows each (not one per row: a unit moved
    carries hundreds of rows to each of its ancestors), in one fixed order."""
    if not deltas:
        return
    table = model._meta.db_table
    key, fields = KEYS[model]
    columns = ", ".join(fields)
    updates = ", ".join(f"{f} = {table}.{f} + excluded.{f}" for f in fields)
    row = f"({', '.join(['%s'] * (3 + len(fields)))})"
    # A fixed order of rows keeps concurrent writers from deadlocking on one another.
    params = [
        (org, item, month, *[sign * v for v in values])
        for org in sorted(deltas)
        for (item, month), values in sorted(deltas[org].items())
        if any(values)
    ]
    per_statement = ROWS_PER_STATEMENT
    with connection.cursor() as cursor:
        for start in range(0, len(params), per_statement):
            chunk = params[start : start + per_statement]
            cursor.execute(
                f"INSERT INTO {table} (organisation_id, {key}, month, {columns}) "
                f"VALUES {', '.join([row] * len(chunk))} "
                f"ON CONFLICT (organisation_id, {key}, month) DO UPDATE SET {updates}",
                [value for values in chunk for value in values],
            )


# The year-end rule (``Resolution.tree_day``): a resolution counts its units under the tree as
# it was at its year end. Today's view (the totals) holds a unit's contribution to a month of
# year Y under the path it had on 31 December of Y: its path now, unless a former placement
# (``branches.models.Placement``) covered that day. So a move effective on day E changes the
# totals of the resolutions of E's year and later only (``moves_with``).
# The "as it was" view (``models.ProgressShift`` and its kin): a unit's contribution to a
# month counts under the path it had at that month's end. The shift rows add it to the
# holders it had then and take it from those it is held at in today's view, for the months
# it sat elsewhere.


def moves_with(year, effective_on):
    """Whether a move effective on ``effective_on`` (today when it has none: an admin's edit)
    changes the totals of a resolution of ``year``: the one place of the year-end rule."""
    return year >= (effective_on or clock.today()).year


def month_days(model, keys):
    """{(item, month): the month's last day} of ``keys`` of a ``model`` contribution (one query)."""
    items = {item for item, _month in keys}
    if not items:
        return {}
    if model is ProgressTotal:
        years = TargetComponent.objects.filter(pk__in=items).values_list("pk", "target__resolution__year")
    elif model is TaskStatusTotal:
        years = PriorityTask.objects.filter(pk__in=items).values_list("pk", "resolution__year")
    else:
        years = Resolution.objects.filter(pk__in=items).values_list("pk", "year")
    years = dict(years)
    return {
        (item, month): datetime.date(years[item], month, calendar.monthrange(years[item], month)[1])
        for item, month in keys
        if item in years
    }


def moving(model, delta, effective_on, days=None):
    """The part of ``delta`` (a ``model`` contribution) that a move effective on
    ``effective_on`` carries (``moves_with``); ``days``: its ``month_days``, when read."""
    if not delta:
        return {}
    days = days if days is not None else month_days(model, delta)
    return {key: values for key, values in delta.items() if key in days and moves_with(days[key].year, effective_on)}


def _accumulate(totals, key, values, sign):
    totals[key] = [a + sign * b for a, b in zip(totals.get(key, [0] * len(values)), values, strict=True)]


def _placed(units, contributions, model, paths=None):
    """{unit id: [(key, values, path held at today, path at the month's end or None)]} of
    ``contributions`` ({unit id: {key: values}}) of ``units`` ({id: unit}) now held at
    ``paths`` ({id: path}, their own by default): two queries at most."""
    ids = [pk for pk, contribution in contributions.items() if contribution]
    if not ids:
        return {}
    days = month_days(model, {key for pk in ids for key in contributions[pk]})
    former = paths_on(ids, set(days.values()) | {year_end(day.year) for day in days.values()})
    result = {}
    for pk in ids:
        own = (paths or {}).get(pk) or units[pk].path
        rows = result[pk] = []
        for key, values in contributions[pk].items():
            day = days.get(key)
            if day is None:
                rows.append((key, values, own, None))
            else:
                rows.append((key, values, former.get((pk, year_end(day.year)), own), former.get((pk, day))))
    return result


def held_parts(units, contributions, model):
    """{unit id: {path: part of its contribution}}: each key at the path the unit is held at
    in today's view (the year-end rule)."""
    result = {}
    for pk, rows in _placed(units, contributions, model).items():
        parts = result[pk] = defaultdict(dict)
        for key, values, held, _then in rows:
            parts[held][key] = values
    return result


def spread(units, contributions, model, paths=None):
    """({holder: {key: values}} of today's view, {holder: {key: values}} that the "as it was"
    view adds) for ``contributions`` ({unit id: {key: values}}) of ``units`` ({id: unit}) held
    at ``paths`` ({id: path}, their own by default)."""
    current, shifted = defaultdict(dict), defaultdict(dict)
    for pk, rows in _placed(units, contributions, model, paths).items():
        unit = units[pk]
        for key, values, held, then in rows:
            now = holders(held, unit)
            for holder in now:
                _accumulate(current[holder], key, values, 1)
            if then is None:
                continue
            now, was = set(now), set(holders(then, unit))
            for holder in was - now:
                _accumulate(shifted[holder], key, values, 1)
            for holder in now - was:
                _accumulate(shifted[holder], key, values, -1)
    return current, shifted


def shifts(units, contributions, model, paths=None):
    """{holder: {key: values}}: what the "as it was" view adds to the current totals for
    ``contributions`` of ``units`` (``spread``)."""
    return spread(units, contributions, model, paths)[1]


def add_unit(unit, delta, sign=1, model=ProgressTotal, path=None):
    """Add ``delta``, a change of ``unit``'s own contribution, to the totals of the units
    it is held at (``path``, its own by default, for the years since its last move) in both views."""
    current, shifted = spread({unit.pk: unit}, {unit.pk: delta}, model, {unit.pk: path or unit.path})
    add_per_holder(current, sign=sign, model=model)
    add_per_holder(shifted, sign=sign, model=SHIFTS[model])


def add_units(units, contributions, model=ProgressTotal):
    """``add_unit`` for many units at once ({id: unit}, {id: delta}): one summed delta per holder."""
    current, shifted = spread(units, contributions, model)
    add_per_holder(current, model=model)
    add_per_holder(shifted, model=SHIFTS[model])


def shift_move(unit, old_path, effective_on, delta, model):
    """``unit``'s subtree, contributing ``delta`` in the current view (the part the move
    carries, ``moving``), moved from ``old_path`` on ``effective_on``: the months that ended
    before then stay, in the "as it was" view, under the ancestors it left (the ancestors it
    keeps see no change)."""
    if not delta or effective_on is None:
        return
    old = set(holders(old_path)) - {unit.pk}
    new = set(holders(unit.path)) - {unit.pk}
    if old == new:
        return
    days = month_days(model, delta)
    before = {key: values for key, values in delta.items() if key in days and days[key] < effective_on}
    if not before:
        return
    deltas = {holder: before for holder in old - new}
    add_per_holder(deltas, model=SHIFTS[model])
    add_per_holder({holder: before for holder in new - old}, sign=-1, model=SHIFTS[model])
