"""Recount the running totals from the raw figures: after a bulk load, a data migration that
changed how a component counts, or to repair. ``rebuild()`` recomputes every total (or one
component's); ``recount_changed_components()`` runs after every ``migrate``."""

import itertools

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor

from branches.models import Organisation, Placement, path_ids
from targets.resolution import counting
from targets.resolution.models import PriorityTask, TargetComponent
from unionplan.bulk_copy import copy_rows

from ..models import MonthlyReport, ReportFigure, TaskProgress
from . import reporting as reporting_ledger
from .figures import (
    _FIGURE_COLUMNS,
    REPORTED,
    _components,
    _contribution_of,
    _task_contribution,
    unit_ledger_entries,
    unit_task_contribution,
)
from .models import TASK_STATUS_FIELDS, TOTAL_FIELDS, ProgressShift, ProgressTotal, TaskStatusShift, TaskStatusTotal
from .rows import NearestHolders, add_per_holder, shifts


def on_component_changed(sender, component, **kwargs):
    """What counts for ``component`` changed: its totals are recounted from the raw figures."""
    rebuild(component=component)


@transaction.atomic
def recount_changed_components():
    """Recount the components whose counting fields differ from those their totals were
    computed with: a change no signal announced (a data migration's historical model, a
    queryset ``update``). Run after every ``migrate`` (``targets.apps``); returns them."""
    changed = [c for c in _components().values() if c.counted_as != counting.fingerprint(c)]
    for component in changed:
        rebuild(component=component)
    return changed


def on_migrated(sender, using=DEFAULT_DB_ALIAS, plan=None, **kwargs):
    """After ``migrate`` on the main database, once it is at the latest schema (not when it
    is taken back to an earlier migration, where the current models do not fit). ``flush``
    sends the signal too, without a plan: its tables are empty, there is nothing to recount."""
    if using != DEFAULT_DB_ALIAS or plan is None:
        return
    executor = MigrationExecutor(connections[using])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return
    recount_changed_components()
    reporting_ledger.fill_if_missing()


@transaction.atomic
def rebuild(resolution=None, log=None, component=None):
    """Recompute every total from the raw figures (after a bulk load, or to repair); with
    ``component``, that component's totals only. Streams the figures unit by unit; memory
    follows the number of totals rows."""
    if component is not None:
        components = {component.pk: _components(component.target.resolution_id)[component.pk]}
    else:
        components = _components(resolution.pk if resolution is not None else None)
    existing = ProgressTotal.objects.filter(component__in=list(components))
    existing.delete()
    units = {
        u.pk: u
        for u in Organisation.objects.filter(reports__isnull=False)
        .distinct()
        .only("kind", "sector", "workforce", "path")
    }
    # A unit that moved is counted, for each year, where it sat at that year's end.
    moved, held = set(reporting_ledger.moved_units()), {}
    nearest = NearestHolders(len(TOTAL_FIELDS))
    rows = (
        ReportFigure.objects.filter(component__in=list(components))
        .order_by("report__organisation_id", "report__month")
        .values_list(*_FIGURE_COLUMNS)
        .iterator(chunk_size=20000)
    )

    def flush(unit_id, unit_rows):
        contribution = _contribution_of(units[unit_id], unit_rows, components)
        if unit_id in moved:
            held[unit_id] = contribution
        else:
            nearest.add_unit(units[unit_id], contribution)

    current, buffer = None, []
    for row in rows:
        if row[0] != current:
            if buffer:
                flush(current, buffer)
            current, buffer = row[0], []
        buffer.append(row)
    if buffer:
        flush(current, buffer)
    nearest.add_held(units, held, ProgressTotal)
    totals = nearest.spread()
    copy_rows(
        ProgressTotal,
        ["organisation_id", "component_id", "month", *TOTAL_FIELDS],
        ((org, cid, month, *values) for (org, cid, month), values in totals.items() if any(values)),
    )
    for c in components.values():
        c.counted_as = counting.fingerprint(c)
    TargetComponent.objects.bulk_update(components.values(), ["counted_as"], batch_size=1000)
    _rebuild_progress_shifts(components)
    if component is not None:
        return len(totals)
    task_rows = _rebuild_task_totals(resolution)
    _rebuild_task_shifts(resolution)
    if log:
        log(f"progress totals rebuilt: {len(totals)} rows; task status totals: {task_rows} rows")
    reporting_ledger.rebuild(resolution, log=log)
    return len(totals)


# Each change of a unit's latest reported status of a task, counted per nearest holder (the
# parent of a grassroots union, else the unit itself), task, month, new status and the one it
# replaced (NULL for the first): the same rule as ``figures._task_contribution``, summed by the
# database, for the units that never moved (they are counted on their own path every year).
_TASK_CHANGES_SQL = """
SELECT CASE WHEN o.kind = %s THEN o.parent_id ELSE o.id END, c.task_id, c.month, c.status,
       c.previous, COUNT(*)
FROM (
    SELECT r.organisation_id, p.task_id, r.month, p.status,
           LAG(p.status) OVER (PARTITION BY r.organisation_id, p.task_id ORDER BY r.month) AS previous
    FROM {progress} p
    JOIN {report} r ON r.id = p.report_id
    JOIN {task} t ON t.id = p.task_id
    WHERE r.status IN ({reported}) {of_resolution}
) c
JOIN {organisation} o ON o.id = c.organisation_id
WHERE (c.previous IS NULL OR c.previous <> c.status)
  AND NOT EXISTS (SELECT 1 FROM {placement} pl WHERE pl.unit_id = c.organisation_id)
GROUP BY 1, 2, 3, 4, 5
"""


def _task_changes_by_holder(resolution):
    """[(nearest holder, task, month, status, previous status or None, units)] of the units
    that never moved (``_TASK_CHANGES_SQL``)."""
    sql = _TASK_CHANGES_SQL.format(
        progress=TaskProgress._meta.db_table,
        report=MonthlyReport._meta.db_table,
        task=PriorityTask._meta.db_table,
        organisation=Organisation._meta.db_table,
        placement=Placement._meta.db_table,
        reported=", ".join(["%s"] * len(REPORTED)),
        of_resolution="" if resolution is None else "AND t.resolution_id = %s",
    )
    params = [Organisation.Kind.GRASSROOTS, *REPORTED] + ([] if resolution is None else [resolution.pk])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Millions of rows sorted and grouped once: in memory, for this transaction only.
            cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(sql, params)
        return cursor.fetchall()


def _rebuild_task_totals(resolution):
    tasks = (
        TaskProgress.objects.all() if resolution is None else TaskProgress.objects.filter(task__resolution=resolution)
    )
    stale = (
        TaskStatusTotal.objects.all()
        if resolution is None
        else TaskStatusTotal.objects.filter(task__resolution=resolution)
    )
    stale.delete()
    nearest = NearestHolders(len(TASK_STATUS_FIELDS))
    chains = {
        pk: path_ids(path)
        for pk, path in Organisation.objects.exclude(kind=Organisation.Kind.GRASSROOTS).values_list("pk", "path")
    }
    column = {status: i for i, status in enumerate(TASK_STATUS_FIELDS)}
    width = len(TASK_STATUS_FIELDS)
    for holder, task_id, month, status, previous, count in _task_changes_by_holder(resolution):
        if holder is None:
            continue
        values = [0] * width
        values[column[status]] += count
        if previous is not None:
            values[column[previous]] -= count
        nearest.add(chains[holder], {(task_id, month): values})
    # The units that moved: each year's part at the path they had at that year's end.
    moved, held = reporting_ledger.moved_units(), {}
    rows = (
        tasks.filter(report__organisation_id__in=Placement.objects.values("unit_id"))
        .order_by("report__organisation_id", "report__month")
        .values_list("report__organisation_id", "task_id", "report__month", "report__status", "status")
        .iterator(chunk_size=20000)
    )
    for unit_id, unit_rows in itertools.groupby(rows, key=lambda row: row[0]):
        held[unit_id] = _task_contribution(row[1:] for row in unit_rows)
    nearest.add_held(moved, held, TaskStatusTotal)
    rows = [(org, task, month, *values) for (org, task, month), values in nearest.spread().items() if any(values)]
    copy_rows(TaskStatusTotal, ["organisation_id", "task_id", "month", *TASK_STATUS_FIELDS], rows)
    return len(rows)


def _rebuild_progress_shifts(components):
    """Recount the "as it was" rows of ``components`` from the units that moved."""
    ProgressShift.objects.filter(component__in=list(components)).delete()
    units = reporting_ledger.moved_units()
    contributions = {pk: unit_ledger_entries(unit, components) for pk, unit in units.items()}
    add_per_holder(shifts(units, contributions, ProgressTotal), model=ProgressShift)


def _rebuild_task_shifts(resolution):
    stale = TaskStatusShift.objects.all()
    if resolution is not None:
        stale = stale.filter(task__resolution=resolution)
    stale.delete()
    units = reporting_ledger.moved_units()
    resolution_id = resolution.pk if resolution is not None else None
    contributions = {pk: unit_task_contribution(unit, resolution_id) for pk, unit in units.items()}
    add_per_holder(shifts(units, contributions, TaskStatusTotal), model=TaskStatusShift)
