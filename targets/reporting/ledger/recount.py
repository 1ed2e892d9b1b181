"""Recount the running totals from the raw figures: after a bulk load, a data migration that
changed how a component counts, or to repair. ``rebuild()`` recomputes every total (or one
component's); ``recount_changed_components()`` runs after every ``migrate``."""

import itertools

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor

from branches.models import Organisation
from targets.resolution import counting
from targets.resolution.models import TargetComponent

from ..models import ReportFigure, TaskProgress
from . import reporting as reporting_ledger
from .figures import (
    _FIGURE_COLUMNS,
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
    ProgressTotal.objects.bulk_create(
        (
            ProgressTotal(
                organisation_id=org, component_id=cid, month=month, **dict(zip(TOTAL_FIELDS, values, strict=True))
            )
            for (org, cid, month), values in totals.items()
            if any(values)
        ),
        batch_size=5000,
    )
    for c in components.values():
        c.counted_as = counting.fingerprint(c)
    TargetComponent.objects.bulk_update(components.values(), ["counted_as"], batch_size=1000)
    _rebuild_progress_shifts(components)
    if component is not None:
        return len(totals)
    task_rows = _rebuild_task_totals(resolution, units)
    _rebuild_task_shifts(resolution)
    if log:
        log(f"progress totals rebuilt: {len(totals)} rows; task status totals: {task_rows} rows")
    reporting_ledger.rebuild(resolution, log=log)
    return len(totals)


def _rebuild_task_totals(resolution, units):
    tasks = (
        TaskProgress.objects.all() if resolution is None else TaskProgress.objects.filter(task__resolution=resolution)
    )
    stale = (
        TaskStatusTotal.objects.all()
        if resolution is None
        else TaskStatusTotal.objects.filter(task__resolution=resolution)
    )
    stale.delete()
    moved, held = set(reporting_ledger.moved_units()), {}
    nearest = NearestHolders(len(TASK_STATUS_FIELDS))
    rows = (
        tasks.order_by("report__organisation_id", "report__month")
        .values_list("report__organisation_id", "task_id", "report__month", "report__status", "status")
        .iterator(chunk_size=20000)
    )
    for unit_id, unit_rows in itertools.groupby(rows, key=lambda row: row[0]):
        contribution = _task_contribution(row[1:] for row in unit_rows)
        if unit_id in moved:
            held[unit_id] = contribution
        else:
            nearest.add_unit(units[unit_id], contribution)
    nearest.add_held(units, held, TaskStatusTotal)
    totals = nearest.spread()
    TaskStatusTotal.objects.bulk_create(
        (
            TaskStatusTotal(
                organisation_id=org, task_id=task, month=month, **dict(zip(TASK_STATUS_FIELDS, values, strict=True))
            )
            for (org, task, month), values in totals.items()
            if any(values)
        ),
        batch_size=5000,
    )
    return len(totals)


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
