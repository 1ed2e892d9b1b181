"""The figure ledger: keep ``ProgressTotal`` and ``TaskStatusTotal`` rows current (``models``
says what they hold), and have ``reporting`` (the reporting totals) follow every write too.

Every write that can change a unit's figures runs inside ``tracking(unit)``: the unit's
contribution is computed from its raw figures before and after the change, and the
difference is added to the totals of each of its ancestors (and itself unless it is a
grassroots union), in the same transaction. Moving a unit moves its subtree's totals from
the old ancestors to the new ones. ``recount.rebuild()`` recomputes everything from the raw figures.
"""

import contextlib
import itertools
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import F, Q, Window
from django.db.models.functions import FirstValue

from branches.models import Organisation
from targets.resolution.models import TargetComponent

from ..models import ReportFigure, TaskProgress
from . import reporting as reporting_ledger
from .models import TASK_STATUS_FIELDS, TOTAL_FIELDS, ProgressTotal, ReportingTotal, TaskStatusTotal
from .rows import add, add_unit, add_units, difference, holders, moving, shift_move

Measure = TargetComponent.Measure
SUBMITTED = "submitted"
REPORTED = ("submitted", "approved")
_FIGURE_COLUMNS = (
    "report__organisation_id",
    "report__month",
    "report__status",
    "component_id",
    "quantity",
    "approved_quantity",
    "done",
    "approved_done",
    "value",
    "approved_value",
)


def _components(resolution_id=None):
    components = TargetComponent.objects.select_related("target")
    if resolution_id is not None:
        components = components.filter(target__resolution_id=resolution_id)
    return {c.pk: c for c in components}


def _contribution_of(unit, rows, components):
    """{(component_id, month): [six totals]} from one unit's figure rows, ordered by month.

    The same rules as the straight aggregation in targets.rollup: only components the unit
    is eligible for; approved snapshots whatever the report's status; pending from submitted
    reports; a unit counted once, in the first month it reached a distinct-units measure."""
    result = defaultdict(lambda: [0] * len(TOTAL_FIELDS))
    first = set()
    eligible = {}  # component id: the component, or None when the unit does not count for it
    for _org, month, status, cid, quantity, approved_quantity, done, approved_done, value, approved_value in rows:
        if cid in eligible:
            component = eligible[cid]
        else:
            component = components.get(cid)
            component = eligible[cid] = component if component is not None and component.is_eligible(unit) else None
        if component is None:
            continue
        submitted = status == SUBMITTED
        totals = result[(cid, month)]
        if component.measure == Measure.QUANTITY:
            totals[0] += approved_quantity or 0
            if submitted:
                totals[3] += (quantity or 0) - (approved_quantity or 0)
        elif component.measure == Measure.UNITS_DONE:
            if approved_done and (cid, "a") not in first:
                first.add((cid, "a"))
                totals[1] += 1
            # A submitted figure stands in for its approved snapshot (pending may be negative).
            if (done if submitted else approved_done) and (cid, "p") not in first:
                first.add((cid, "p"))
                totals[4] += 1
        elif component.measure == Measure.UNITS_AT_THRESHOLD:
            reached = approved_value is not None and approved_value >= component.threshold
            pending = submitted and value is not None and value >= component.threshold
            if reached and (cid, "a") not in first:
                first.add((cid, "a"))
                totals[2] += 1
            if (pending if submitted else reached) and (cid, "p") not in first:
                first.add((cid, "p"))
                totals[5] += 1
    return {key: values for key, values in result.items() if any(values)}


def unit_ledger_entries(unit, components=None, resolution_id=None):
    """What ``unit``'s own reports contribute, per (component, month): over all resolutions,
    or over one (``resolution_id``)."""
    components = components or _components(resolution_id)
    rows = ReportFigure.objects.filter(report__organisation=unit)
    if resolution_id is not None:
        rows = rows.filter(report__resolution_id=resolution_id)
    rows = rows.order_by("report__month").values_list(*_FIGURE_COLUMNS)
    return _contribution_of(unit, rows, components)


def _task_contribution(rows):
    """{(task_id, month): [not started, under way, done]} changes of a unit's latest reported
    status of each task, from its (task, month, report status, task status) rows by month."""
    result = defaultdict(lambda: [0] * len(TASK_STATUS_FIELDS))
    latest = {}
    for task_id, month, report_status, status in rows:
        if report_status not in REPORTED:
            continue
        previous = latest.get(task_id)
        if previous == status:
            continue
        result[(task_id, month)][TASK_STATUS_FIELDS.index(status)] += 1
        if previous is not None:
            result[(task_id, month)][TASK_STATUS_FIELDS.index(previous)] -= 1
        latest[task_id] = status
    return {key: values for key, values in result.items() if any(values)}


def unit_task_contribution(unit, resolution_id=None):
    rows = TaskProgress.objects.filter(report__organisation=unit)
    if resolution_id is not None:
        rows = rows.filter(report__resolution_id=resolution_id)
    rows = rows.order_by("report__month").values_list("task_id", "report__month", "report__status", "status")
    return _task_contribution(rows)


@contextlib.contextmanager
def tracking(unit, resolution_id=None):
    """Run a change to ``unit``'s reports and carry its effect into the totals. With
    ``resolution_id`` (a change to one report: its resolution) only that resolution's rows
    are read before and after, so a write costs the same whatever the years kept; the
    difference is the same, since a report's figures and tasks belong to its resolution.

    Must run inside a transaction (the services' ``transaction.atomic``); the unit's row is
    locked so that two changes to one unit's reports cannot both start from the same
    'before'. The lock is FOR NO KEY UPDATE, not FOR UPDATE: the foreign-key check of a
    totals row (or report) of this unit inserted by a change below it takes FOR KEY SHARE
    on this row, which FOR UPDATE would block while this change waits for that one's
    totals rows: a deadlock between an upper level's own report and its units' reports."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger.tracking() must run inside transaction.atomic()")
    unit = Organisation.objects.select_for_update(no_key=True).get(pk=unit.pk)
    components = _components(resolution_id)
    before = unit_ledger_entries(unit, components, resolution_id)
    tasks_before = unit_task_contribution(unit, resolution_id)
    resolutions = reporting_ledger.resolutions_over(unit.path, resolution_id)
    reporting_before = reporting_ledger.unit_entries(unit, resolutions)
    yield
    add_unit(unit, difference(unit_ledger_entries(unit, components, resolution_id), before))
    add_unit(unit, difference(unit_task_contribution(unit, resolution_id), tasks_before), model=TaskStatusTotal)
    reporting_after = reporting_ledger.unit_entries(unit, resolutions)
    add_unit(unit, difference(reporting_after, reporting_before), model=ReportingTotal)


@contextlib.contextmanager
def tracking_month(units, *, resolution, month):
    """``tracking`` for many units whose reports of one ``month`` of ``resolution`` change
    together (the Excel import): yields the units locked (``{id: unit}``).

    The units' rows are locked in id order (FOR NO KEY UPDATE, as ``tracking``), their
    contributions read before and after in a few queries, and one summed delta added to
    each ancestor's totals at the end, in the fixed order of ``_add``: the totals rows are
    locked only for the last statement of the transaction. Only rows that can differ are
    read (``_month_figure_rows``, ``_month_task_rows``), so the work follows the month's
    reports, not the units' whole year."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger.tracking_month() must run inside transaction.atomic()")
    ids = sorted({unit.pk for unit in units})
    locked = {
        unit.pk: unit for unit in Organisation.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")
    }
    components = {pk: c for pk, c in _components().items() if c.target.resolution_id == resolution.pk}
    before = _month_contributions(locked, components, resolution, month)
    reporting_before = reporting_ledger.month_entries(locked, resolution, month)
    yield locked
    if connection.vendor == "postgresql":
        # The foreign keys of the rows written are checked now rather than at commit, so
        # that the totals rows locked below are held only for the last statements.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    after = _month_contributions(locked, components, resolution, month)
    reporting_after = reporting_ledger.month_entries(locked, resolution, month)
    for model, after_, before_ in (
        (ProgressTotal, after[0], before[0]),
        (TaskStatusTotal, after[1], before[1]),
        (ReportingTotal, reporting_after, reporting_before),
    ):
        diffs = {pk: difference(after_.get(pk, {}), before_.get(pk, {})) for pk in locked}
        add_units(locked, diffs, model=model)


def _month_figure_rows(unit_ids, resolution, month):
    """The figure rows whose contribution can change when reports of ``month`` change:
    that month and later ones, and of earlier months only the rows that reached a
    distinct-units measure (they decide whether the unit is counted again). Earlier
    quantities and rows that reached nothing count the same before and after."""
    threshold = F("component__threshold")
    reached = Q(done=True) | Q(approved_done=True) | Q(value__gte=threshold) | Q(approved_value__gte=threshold)
    return (
        ReportFigure.objects.filter(report__organisation_id__in=unit_ids, report__resolution=resolution)
        .filter(Q(report__month__gte=month) | (~Q(component__measure=Measure.QUANTITY) & reached))
        .order_by("report__organisation_id", "report__month")
        .values_list(*_FIGURE_COLUMNS)
    )


def _month_task_rows(unit_ids, resolution, month):
    """Task rows of ``month`` and later, after one row per unit and task standing for its
    latest reported status before ``month`` (month 0: the same before and after)."""
    earlier = (
        TaskProgress.objects.filter(
            report__organisation_id__in=unit_ids,
            report__resolution=resolution,
            report__month__lt=month,
            report__status__in=REPORTED,
        )
        .annotate(
            latest=Window(
                FirstValue("status"),
                partition_by=[F("report__organisation_id"), F("task_id")],
                order_by=F("report__month").desc(),
            )
        )
        .values_list("report__organisation_id", "task_id", "latest")
        .distinct()
    )
    rows = defaultdict(list)
    for unit_id, task_id, status in earlier:
        rows[unit_id].append((task_id, 0, SUBMITTED, status))
    later = (
        TaskProgress.objects.filter(
            report__organisation_id__in=unit_ids, report__resolution=resolution, report__month__gte=month
        )
        .order_by("report__month")
        .values_list("report__organisation_id", "task_id", "report__month", "report__status", "status")
    )
    for unit_id, *row in later:
        rows[unit_id].append(tuple(row))
    return rows


def _month_contributions(units, components, resolution, month):
    """({unit id: figure contribution}, {unit id: task contribution}) over the rows that can change."""
    figures = {
        unit_id: _contribution_of(units[unit_id], unit_rows, components)
        for unit_id, unit_rows in itertools.groupby(
            _month_figure_rows(list(units), resolution, month), key=lambda row: row[0]
        )
    }
    tasks = {
        unit_id: _task_contribution(unit_rows)
        for unit_id, unit_rows in _month_task_rows(list(units), resolution, month).items()
    }
    return figures, tasks


def _subtree_totals(unit, components):
    """Everything ``unit``'s subtree contributes: its own totals row set, or for a
    grassroots union its computed contribution."""
    if unit.kind != Organisation.Kind.GRASSROOTS:
        rows = ProgressTotal.objects.filter(organisation=unit).values_list("component_id", "month", *TOTAL_FIELDS)
        return {(cid, month): list(values) for cid, month, *values in rows}
    return unit_ledger_entries(unit, components)


def _subtree_task_totals(unit):
    if unit.kind != Organisation.Kind.GRASSROOTS:
        rows = TaskStatusTotal.objects.filter(organisation=unit).values_list("task_id", "month", *TASK_STATUS_FIELDS)
        return {(task, month): list(values) for task, month, *values in rows}
    return unit_task_contribution(unit)


def unit_moved(unit, old_path, effective_on=None):
    """``unit`` (and its subtree) moved from ``old_path`` to ``unit.path`` on
    ``effective_on``: the current view carries every month of the resolutions the move
    changes (``rows.moves_with``: those of its year and later) along, the "as it was" view
    keeps the months that ended before then where they were."""
    old = [pk for pk in holders(old_path) if pk != unit.pk]
    new = [pk for pk in holders(unit.path) if pk != unit.pk]
    for model, delta in (
        (ProgressTotal, _subtree_totals(unit, _components())),
        (TaskStatusTotal, _subtree_task_totals(unit)),
    ):
        delta = moving(model, delta, effective_on)
        add(old, delta, sign=-1, model=model)
        add(new, delta, model=model)
        shift_move(unit, old_path, effective_on, delta, model)


def unit_attributes_changed(unit, before):
    """``unit``'s level, sector or workforce changed (``before`` is a copy with the old
    values): the components it is eligible for, hence its contribution, may differ. Its
    totals are still held at ``before.path`` (a move is carried afterwards); a unit that
    becomes an upper level holds its own from now on."""
    if (before.kind, before.sector, before.workforce) == (unit.kind, unit.sector, unit.workforce):
        return
    components = _components()
    rows = list(
        ReportFigure.objects.filter(report__organisation=unit).order_by("report__month").values_list(*_FIGURE_COLUMNS)
    )
    add_unit(before, _contribution_of(before, rows, components), sign=-1, path=before.path)
    add_unit(unit, _contribution_of(unit, rows, components), path=before.path)
    if before.kind != unit.kind:
        tasks = unit_task_contribution(unit)
        add_unit(before, tasks, sign=-1, model=TaskStatusTotal, path=before.path)
        add_unit(unit, tasks, model=TaskStatusTotal, path=before.path)


def on_unit_moved(sender, unit, old_path, effective_on=None, **kwargs):
    unit_moved(unit, old_path, effective_on)


def on_unit_changed(sender, unit, before, **kwargs):
    unit_attributes_changed(unit, before)
