"""Many grassroots unions moved together from one parent to another (``branches.changes``,
``signals.units_moved``): what ``figures.unit_moved`` and ``reporting.unit_moved`` do for
each unit, done once for the group. The units' contributions are read with one query per
table (not one per unit) and summed; the sum leaves the holders the units left and joins
those they joined (the ancestors they keep see no change, as one unit at a time gives them
−d then +d); in the "as it was" view the months that ended before the move stay where they
were (``rows.shift_move``). Every total is a sum of the units' contributions, so the result
is the one the units moved one at a time would give."""

import itertools

from targets.resolution.models import Resolution

from ..models import ReportFigure, TaskProgress
from . import reporting as reporting_ledger
from .figures import _FIGURE_COLUMNS, _components, _contribution_of, _task_contribution
from .models import SHIFTS, ProgressTotal, ReportingTotal, TaskStatusTotal
from .rows import add_per_holder, holders, month_days

# Units per query reading their figures: a few hundred thousand rows at most at a time.
CHUNK = 1000


def _chunks(ids):
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _summed(total, contribution):
    for key, values in contribution.items():
        into = total.get(key)
        total[key] = list(values) if into is None else [a + b for a, b in zip(into, values, strict=True)]


def _negated(delta):
    return {key: [-v for v in values] for key, values in delta.items()}


def figure_delta(units):
    """The summed figure contribution of ``units`` ({id: unit}), as ``unit_ledger_entries``
    gives each (all resolutions), streamed unit by unit."""
    components = _components()
    total = {}
    for ids in _chunks(sorted(units)):
        rows = (
            ReportFigure.objects.filter(report__organisation_id__in=ids)
            .order_by("report__organisation_id", "report__month")
            .values_list(*_FIGURE_COLUMNS)
            .iterator(chunk_size=20000)
        )
        for unit_id, unit_rows in itertools.groupby(rows, key=lambda row: row[0]):
            _summed(total, _contribution_of(units[unit_id], unit_rows, components))
    return total


def task_delta(units):
    """The summed task-status contribution of ``units``, as ``unit_task_contribution`` gives each."""
    total = {}
    for ids in _chunks(sorted(units)):
        rows = (
            TaskProgress.objects.filter(report__organisation_id__in=ids)
            .order_by("report__organisation_id", "report__month")
            .values_list("report__organisation_id", "task_id", "report__month", "report__status", "status")
            .iterator(chunk_size=20000)
        )
        for _unit_id, unit_rows in itertools.groupby(rows, key=lambda row: row[0]):
            _summed(total, _task_contribution(row[1:] for row in unit_rows))
    return total


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


def carry(old, new, delta, effective_on, model):
    """Move ``delta`` from the holders ``old`` to ``new`` (ids) in the current view, and in
    the "as it was" view keep its months that ended before ``effective_on`` where they were."""
    delta = {key: values for key, values in delta.items() if any(values)}
    if not delta:
        return
    leaving = [pk for pk in old if pk not in new]
    joining = [pk for pk in new if pk not in old]
    if not leaving and not joining:
        return
    gone = _negated(delta)
    add_per_holder({pk: gone for pk in leaving} | {pk: delta for pk in joining}, model=model)
    if effective_on is None:
        return
    days = month_days(model, delta)
    before = {key: values for key, values in delta.items() if key in days and days[key] < effective_on}
    if before:
        kept = _negated(before)
        add_per_holder({pk: before for pk in leaving} | {pk: kept for pk in joining}, model=SHIFTS[model])


def units_moved(units, old_parent_path, new_parent_path, effective_on=None):
    """``units`` (grassroots unions, their paths already under ``new_parent_path``) moved
    together from under ``old_parent_path`` on ``effective_on``."""
    if not units:
        return
    by_id = {unit.pk: unit for unit in units}
    old, new = holders(old_parent_path), holders(new_parent_path)
    carry(old, new, figure_delta(by_id), effective_on, ProgressTotal)
    carry(old, new, task_delta(by_id), effective_on, TaskStatusTotal)
    path = units[0].path
    carry(old, new, reporting_delta(by_id, path), effective_on, ReportingTotal)
    # Moved under an issuer of other resolutions: those that differ are recounted.
    before = {r.pk for r in reporting_ledger.resolutions_over(old_parent_path)}
    after = {r.pk for r in reporting_ledger.resolutions_over(new_parent_path)}
    for resolution in Resolution.objects.filter(pk__in=before ^ after):
        reporting_ledger.rebuild(resolution)


def on_units_moved(sender, units, old_parent_path, new_parent_path, effective_on=None, **kwargs):
    units_moved(units, old_parent_path, new_parent_path, effective_on)
