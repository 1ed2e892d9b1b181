"""Many grassroots unions moved together from one parent to another (``branches.changes``,
``signals.units_moved``): what ``figures.unit_moved`` and ``reporting.unit_moved`` do for
each unit, done once for the group. The units' contributions are read with one query per
table (not one per unit) and summed; the sum leaves the holders the units left and joins
those they joined (the ancestors they keep see no change, as one unit at a time gives them
−d then +d); in the "as it was" view the months that ended before the move stay where they
were (``rows.shift_move``). Every total is a sum of the units' contributions, so the result
is the one the units moved one at a time would give."""

from collections import defaultdict

from django.db import connection
from django.db.models import BigIntegerField, Case, Count, DateTimeField, F, IntegerField, Min, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from targets.resolution.models import TargetComponent

from ..models import MonthlyReport, ReportFigure, TaskProgress
from . import reporting as reporting_ledger
from .figures import REPORTED, SUBMITTED, _components
from .models import SHIFTS, TASK_STATUS_FIELDS, ProgressTotal, ReportingTotal, TaskStatusTotal
from .rows import add_per_holder, holders, month_days, moves_with, moving

Measure = TargetComponent.Measure
# Units per query reading their figures.
CHUNK = 1000


def _chunks(ids):
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _summed(total, contribution, sign=1):
    for key, values in contribution.items():
        into = total.get(key)
        if into is None:
            total[key] = [sign * v for v in values]
        else:
            total[key] = [a + sign * b for a, b in zip(into, values, strict=True)]


def _group_of(field, groups):
    """The index of the group ({index: [unit ids]}) a row's ``field`` (a unit id) falls in."""
    return Case(
        *[When(**{f"{field}__in": ids}, then=Value(index)) for index, ids in groups.items()],
        output_field=IntegerField(),
    )


def _flag(q):
    """1 where ``q`` holds, else 0."""
    return Case(When(q, then=Value(1)), default=Value(0), output_field=IntegerField())


def _chunked_groups(units, group_of):
    """[({index: [ids]}, {id: unit})] of at most ``CHUNK`` units each."""
    for ids in _chunks(sorted(units)):
        groups = defaultdict(list)
        for pk in ids:
            groups[group_of[pk]].append(pk)
        yield dict(groups), {pk: units[pk] for pk in ids}


def _eligible_q(components, units):
    """Figures of ``units`` ({id: unit}) eligible for their component (``is_eligible``, the
    rule ``_contribution_of`` applies), as an OR over the units that share a rule: the
    units' level, sector and workforce band decide it, so it is asked once per band."""
    floors = sorted({c.min_workforce for c in components if c.min_workforce})
    rules, classes = {}, defaultdict(list)
    for pk, unit in units.items():
        band = (unit.kind, unit.sector, sum(unit.workforce >= floor for floor in floors))
        if band not in rules:
            rules[band] = tuple(c.pk for c in components if c.is_eligible(unit))
        if rules[band]:
            classes[rules[band]].append(pk)
    q = Q(pk__in=[])
    for component_ids, unit_ids in classes.items():
        q |= Q(component_id__in=component_ids, report__organisation_id__in=unit_ids)
    return q


def figure_deltas(units, group_of):
    """{group: the summed figure contribution of its units} (``units`` {id: unit},
    ``group_of`` {id: group}), as ``figures._contribution_of`` gives each unit (all
    resolutions), added up by the database: quantities per (component, month); a
    distinct-units measure per unit, counted in the first month it reached it (the least
    month that meets the rule)."""
    components = _components()
    quantity = [c for c in components.values() if c.measure == Measure.QUANTITY]
    distinct = [c for c in components.values() if c.measure in (Measure.UNITS_DONE, Measure.UNITS_AT_THRESHOLD)]
    submitted = Q(report__status=SUBMITTED)
    threshold = F("component__threshold")
    reached = Q(approved_value__isnull=False, approved_value__gte=threshold)
    first = {
        Measure.UNITS_DONE: (Q(approved_done=True), (submitted & Q(done=True)) | (~submitted & Q(approved_done=True))),
        Measure.UNITS_AT_THRESHOLD: (
            reached,
            (submitted & Q(value__isnull=False, value__gte=threshold)) | (~submitted & reached),
        ),
    }
    totals = defaultdict(lambda: defaultdict(lambda: [0] * 6))
    for groups, chunk in _chunked_groups(units, group_of):
        if quantity:
            rows = (
                ReportFigure.objects.filter(_eligible_q(quantity, chunk))
                .values("component_id", "report__month", group=_group_of("report__organisation_id", groups))
                .annotate(
                    approved=Sum(Coalesce("approved_quantity", 0)),
                    pending=Sum(
                        Case(
                            When(submitted, then=Coalesce("quantity", 0) - Coalesce("approved_quantity", 0)),
                            default=Value(0),
                        ),
                        output_field=BigIntegerField(),
                    ),
                )
                .order_by()
                .values_list("group", "component_id", "report__month", "approved", "pending")
            )
            for group, cid, month, approved, pending in rows:
                values = totals[group][(cid, month)]
                values[0] += approved or 0
                values[3] += pending or 0
        for measure, (achieved, with_pending) in first.items():
            these = [c for c in distinct if c.measure == measure]
            if not these:
                continue
            rows = (
                ReportFigure.objects.filter(_eligible_q(these, chunk))
                .values("report__organisation_id", "component_id")
                .annotate(
                    a=Min(Case(When(achieved, then=F("report__month")))),
                    p=Min(Case(When(with_pending, then=F("report__month")))),
                )
                .order_by()
                .values_list("report__organisation_id", "component_id", "a", "p")
            )
            column = 1 if measure == Measure.UNITS_DONE else 2
            for unit_id, cid, a, p in rows:
                group = totals[group_of[unit_id]]
                if a is not None:
                    group[(cid, a)][column] += 1
                if p is not None:
                    group[(cid, p)][column + 3] += 1
    return totals


def task_deltas(units, group_of):
    """{group: the summed task-status contribution of its units}, as
    ``figures._task_contribution`` gives each: a unit's reported status of a task counts +1
    in the month it changed to it and −1 for the one it had before (one query: the status
    before, by month)."""
    totals = defaultdict(lambda: defaultdict(lambda: [0] * len(TASK_STATUS_FIELDS)))
    progress, reports = TaskProgress._meta.db_table, MonthlyReport._meta.db_table
    for groups, _chunk in _chunked_groups(units, group_of):
        cases, params = [], []
        for index, ids in groups.items():
            cases.append(f"WHEN r.organisation_id IN ({', '.join(['%s'] * len(ids))}) THEN %s")
            params += [*ids, index]
        ids = [pk for group in groups.values() for pk in group]
        sql = (
            "SELECT grp, task_id, month, status, previous, COUNT(*) FROM ("
            f" SELECT CASE {' '.join(cases)} END AS grp, p.task_id AS task_id, r.month AS month,"
            " p.status AS status,"
            " LAG(p.status) OVER (PARTITION BY r.organisation_id, p.task_id ORDER BY r.month) AS previous"
            f" FROM {progress} p JOIN {reports} r ON r.id = p.report_id"
            f" WHERE r.organisation_id IN ({', '.join(['%s'] * len(ids))}) AND r.status IN (%s, %s)"
            ") statuses WHERE previous IS NULL OR previous <> status"
            " GROUP BY grp, task_id, month, status, previous"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, *ids, *REPORTED])
            for group, task_id, month, status, previous, count in cursor.fetchall():
                values = totals[group][(task_id, month)]
                values[TASK_STATUS_FIELDS.index(status)] += count
                if previous is not None:
                    values[TASK_STATUS_FIELDS.index(previous)] -= count
    return totals


def reporting_deltas(units, group_of, paths, effective_on=None):
    """{group: the summed reporting contribution of its units} over the resolutions of the
    unit at ``paths[group]`` that a move effective on ``effective_on`` carries, as
    ``reporting.contribution`` gives each: expected from the
    units' founding and dissolution dates (asked once per pair of dates), reported on time
    or late and waiting counted by the database per month and pair of dates."""
    totals = defaultdict(lambda: defaultdict(lambda: [0] * 4))
    by_resolutions = defaultdict(list)
    for group, path in paths.items():
        resolutions = reporting_ledger.resolutions_over(path)
        by_resolutions[tuple(r for r in resolutions if moves_with(r.year, effective_on))].append(group)
    for resolutions, groups in by_resolutions.items():
        if not resolutions:
            continue
        months = reporting_ledger.calendar(resolutions)
        last_day = {(rid, month): day for rid, month, day, _deadline in months}
        these = {pk: unit for pk, unit in units.items() if group_of[pk] in groups}
        dates = defaultdict(int)
        for pk, unit in these.items():
            dates[(group_of[pk], unit.founded_on, unit.dissolved_on)] += 1
        for (group, founded, dissolved), count in dates.items():
            for key, day in last_day.items():
                if not ((founded and founded > day) or (dissolved and dissolved <= day)):
                    totals[group][key][0] += count
        deadline = Case(
            *[When(resolution_id=rid, month=month, then=Value(due)) for rid, month, _day, due in months],
            output_field=DateTimeField(),
        )
        for chunk_groups, _chunk in _chunked_groups(these, group_of):
            rows = (
                MonthlyReport.objects.filter(
                    organisation_id__in=[pk for ids in chunk_groups.values() for pk in ids],
                    resolution_id__in=[r.pk for r in resolutions],
                )
                .values(
                    "resolution_id",
                    "month",
                    "organisation__founded_on",
                    "organisation__dissolved_on",
                    group=_group_of("organisation_id", chunk_groups),
                    waiting=_flag(Q(status=SUBMITTED)),
                    reported=_flag(Q(status__in=REPORTED) | Q(approved_at__isnull=False)),
                    on_time=_flag(Q(first_submitted_at__isnull=True) | Q(first_submitted_at__lt=deadline)),
                )
                .annotate(n=Count("pk"))
                .order_by()
                .values_list(
                    "group",
                    "resolution_id",
                    "month",
                    "organisation__founded_on",
                    "organisation__dissolved_on",
                    "waiting",
                    "reported",
                    "on_time",
                    "n",
                )
            )
            for group, rid, month, founded, dissolved, waiting, reported, on_time, n in rows:
                day = last_day.get((rid, month))
                if day is None:
                    continue
                values = totals[group][(rid, month)]
                values[3] += waiting * n
                if (founded and founded > day) or (dissolved and dissolved <= day):
                    continue
                if reported:
                    values[1 if on_time else 2] += n
    return totals


def carry(deltas, days, old, new, delta, effective_on, model):
    """Add to ``deltas`` ({model: {holder: delta}}) the part of ``delta`` the move carries
    (``rows.moving``: the resolutions of its year and later) moved from the holders ``old``
    to ``new`` (ids) in the current view and, in the "as it was" view, its months that ended
    before ``effective_on`` kept where they were (``days``: the months' last days, filled)."""
    delta = {key: values for key, values in delta.items() if any(values)}
    leaving = [pk for pk in old if pk not in new]
    joining = [pk for pk in new if pk not in old]
    if not delta or not (leaving or joining):
        return
    unknown = {key for key in delta if key not in days}
    if unknown:
        days.update(month_days(model, unknown))
    delta = moving(model, delta, effective_on, days)
    if not delta:
        return
    totals = deltas.setdefault(model, {})
    for pk in leaving:
        _summed(totals.setdefault(pk, {}), delta, -1)
    for pk in joining:
        _summed(totals.setdefault(pk, {}), delta)
    if effective_on is None:
        return
    before = {key: values for key, values in delta.items() if key in days and days[key] < effective_on}
    if before:
        shifts = deltas.setdefault(SHIFTS[model], {})
        for pk in leaving:
            _summed(shifts.setdefault(pk, {}), before)
        for pk in joining:
            _summed(shifts.setdefault(pk, {}), before, -1)


def units_moved(groups, effective_on=None):
    """``groups`` [(units, old parent's path, new parent's path)]: grassroots unions (their
    paths already under the new parent) moved together on ``effective_on``. The groups'
    contributions are read together (one query per table), what each carries is summed per
    holder, and written with one statement per table (per thousand rows), in the fixed
    order every writer of the totals follows."""
    groups = [group for group in groups if group[0]]
    units = {unit.pk: unit for members, _old, _new in groups for unit in members}
    group_of = {unit.pk: index for index, (members, _old, _new) in enumerate(groups) for unit in members}
    paths = {index: members[0].path for index, (members, _old, _new) in enumerate(groups)}
    contributions = (
        (ProgressTotal, figure_deltas(units, group_of)),
        (TaskStatusTotal, task_deltas(units, group_of)),
        (ReportingTotal, reporting_deltas(units, group_of, paths, effective_on)),
    )
    deltas = {}
    for model, per_group in contributions:
        days = {}
        for index, (_members, old_parent_path, new_parent_path) in enumerate(groups):
            old, new = holders(old_parent_path), holders(new_parent_path)
            carry(deltas, days, old, new, per_group.get(index, {}), effective_on, model)
    for model in (ProgressTotal, TaskStatusTotal, ReportingTotal):
        for table in (model, SHIFTS[model]):
            if deltas.get(table):
                add_per_holder(deltas[table], model=table)
    # Moved under an issuer of other resolutions: those that differ are recounted.
    for _units, old_parent_path, new_parent_path in groups:
        reporting_ledger.recount_differing(old_parent_path, new_parent_path, effective_on)


def on_units_moved(sender, groups, effective_on=None, **kwargs):
    units_moved(groups, effective_on)
