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
from django.db.models import BigIntegerField, Case, F, Min, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from targets.resolution.models import Resolution, TargetComponent

from ..models import MonthlyReport, ReportFigure, TaskProgress
from . import reporting as reporting_ledger
from .figures import REPORTED, SUBMITTED, _components
from .models import SHIFTS, TASK_STATUS_FIELDS, ProgressTotal, ReportingTotal, TaskStatusTotal
from .rows import add_per_holder, holders, month_days

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


def figure_delta(units):
    """The summed figure contribution of ``units`` ({id: unit}), as ``figures._contribution_of``
    gives each (all resolutions), added up by the database: quantities per (component,
    month); a distinct-units measure per unit, counted in the first month it reached it
    (the least month that meets the rule)."""
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
    total = defaultdict(lambda: [0] * 6)
    for ids in _chunks(sorted(units)):
        chunk = {pk: units[pk] for pk in ids}
        figures = ReportFigure.objects.all()
        if quantity:
            rows = (
                figures.filter(_eligible_q(quantity, chunk))
                .values("component_id", "report__month")
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
                .values_list("component_id", "report__month", "approved", "pending")
            )
            for cid, month, approved, pending in rows:
                values = total[(cid, month)]
                values[0] += approved or 0
                values[3] += pending or 0
        for measure, (achieved, with_pending) in first.items():
            these = [c for c in distinct if c.measure == measure]
            if not these:
                continue
            rows = (
                figures.filter(_eligible_q(these, chunk))
                .values("report__organisation_id", "component_id")
                .annotate(
                    a=Min(Case(When(achieved, then=F("report__month")))),
                    p=Min(Case(When(with_pending, then=F("report__month")))),
                )
                .order_by()
                .values_list("component_id", "a", "p")
            )
            column = 1 if measure == Measure.UNITS_DONE else 2
            for cid, a, p in rows:
                if a is not None:
                    total[(cid, a)][column] += 1
                if p is not None:
                    total[(cid, p)][column + 3] += 1
    return dict(total)


def task_delta(units):
    """The summed task-status contribution of ``units``, as ``figures._task_contribution``
    gives each: a unit's reported status of a task counts +1 in the month it changed to it
    and −1 for the one it had before (one query: the status before, by month)."""
    total = defaultdict(lambda: [0] * len(TASK_STATUS_FIELDS))
    progress, reports = TaskProgress._meta.db_table, MonthlyReport._meta.db_table
    for ids in _chunks(sorted(units)):
        marks = ", ".join(["%s"] * len(ids))
        sql = (
            "SELECT task_id, month, status, previous, COUNT(*) FROM ("
            " SELECT p.task_id AS task_id, r.month AS month, p.status AS status,"
            " LAG(p.status) OVER (PARTITION BY r.organisation_id, p.task_id ORDER BY r.month) AS previous"
            f" FROM {progress} p JOIN {reports} r ON r.id = p.report_id"
            f" WHERE r.organisation_id IN ({marks}) AND r.status IN (%s, %s)"
            ") statuses WHERE previous IS NULL OR previous <> status"
            " GROUP BY task_id, month, status, previous"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*ids, *REPORTED])
            for task_id, month, status, previous, count in cursor.fetchall():
                values = total[(task_id, month)]
                values[TASK_STATUS_FIELDS.index(status)] += count
                if previous is not None:
                    values[TASK_STATUS_FIELDS.index(previous)] -= count
    return {key: values for key, values in total.items() if any(values)}


def reporting_delta(units, path):
    """The summed reporting contribution of ``units`` over the resolutions of the unit at ``path``."""
    resolutions = reporting_ledger.resolutions_over(path)
    if not resolutions:
        return {}
    months = reporting_ledger.calendar(resolutions)
    total = {}
    for ids in _chunks(sorted(units)):
        reports = reporting_ledger._reports(ids, [r.pk for r in resolutions])
        for pk in ids:
            _summed(total, reporting_ledger.contribution(units[pk], months, reports.get(pk, {})))
    return total


def carry(deltas, old, new, delta, effective_on, model):
    """Add to ``deltas`` ({model: {holder: delta}}) ``delta`` moved from the holders ``old`` to
    ``new`` (ids) in the current view and, in the "as it was" view, its months that ended
    before ``effective_on`` kept where they were."""
    delta = {key: values for key, values in delta.items() if any(values)}
    leaving = [pk for pk in old if pk not in new]
    joining = [pk for pk in new if pk not in old]
    if not delta or not (leaving or joining):
        return
    totals = deltas.setdefault(model, {})
    for pk in leaving:
        _summed(totals.setdefault(pk, {}), delta, -1)
    for pk in joining:
        _summed(totals.setdefault(pk, {}), delta)
    if effective_on is None:
        return
    days = month_days(model, delta)
    before = {key: values for key, values in delta.items() if key in days and days[key] < effective_on}
    if before:
        shifts = deltas.setdefault(SHIFTS[model], {})
        for pk in leaving:
            _summed(shifts.setdefault(pk, {}), before)
        for pk in joining:
            _summed(shifts.setdefault(pk, {}), before, -1)


def units_moved(groups, effective_on=None):
    """``groups`` [(units, old parent's path, new parent's path)]: grassroots unions (their
    paths already under the new parent) moved together on ``effective_on``. What each group
    carries is summed per holder, and written with one statement per table (per thousand
    rows), in the fixed order every writer of the totals follows."""
    deltas = {}
    for units, old_parent_path, new_parent_path in groups:
        if not units:
            continue
        by_id = {unit.pk: unit for unit in units}
        old, new = holders(old_parent_path), holders(new_parent_path)
        carry(deltas, old, new, figure_delta(by_id), effective_on, ProgressTotal)
        carry(deltas, old, new, task_delta(by_id), effective_on, TaskStatusTotal)
        carry(deltas, old, new, reporting_delta(by_id, units[0].path), effective_on, ReportingTotal)
    for model in (ProgressTotal, TaskStatusTotal, ReportingTotal):
        for table in (model, SHIFTS[model]):
            if deltas.get(table):
                add_per_holder(deltas[table], model=table)
    # Moved under an issuer of other resolutions: those that differ are recounted.
    for _units, old_parent_path, new_parent_path in groups:
        before = {r.pk for r in reporting_ledger.resolutions_over(old_parent_path)}
        after = {r.pk for r in reporting_ledger.resolutions_over(new_parent_path)}
        for resolution in Resolution.objects.filter(pk__in=before ^ after):
            reporting_ledger.rebuild(resolution)


def on_units_moved(sender, groups, effective_on=None, **kwargs):
    units_moved(groups, effective_on)
