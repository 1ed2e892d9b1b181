"""Many units' reports of one month submitted on their behalf at once (the Excel import).

One transaction, all or nothing, set-based: the units locked in id order and the ledger
carried forward once for all of them (``ledger.tracking_month``), reports, figures and
their history written in bulk. The same rules as ``services.report_save`` with
``on_behalf``: who may (``access.can_enter_for``), the month open, the report unchanged
since it was checked (its ``version``), and the report keeps who entered it and how.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from branches import access
from unionplan import clock

from . import ledger
from .models import MonthlyReport, PriorityTask, ReportFigure, TaskProgress
from .services import (
    FIGURE_FIELDS,
    ReportConflict,
    ReportMonthNotOpen,
    entry_reason,
    month_is_open,
)

Status = MonthlyReport.Status
BATCH = 1000
EMPTY = {"quantity": None, "done": False, "done_on": None, "value": None}
REPORT_FIELDS = [
    "status",
    "submitted_at",
    "submitted_by",
    "first_submitted_at",
    "nothing_to_report",
    "entered_by",
    "entry_channel",
    "version",
    "updated_at",
]


@dataclass
class Entry:
    """One unit's report as checked: ``version`` of its report then (None: it had none);
    ``figures`` as ``report_save`` takes them; ``row`` where it came from (for messages)."""

    unit: object
    version: int | None
    figures: dict
    nothing_to_report: bool = False
    row: int | None = None


def normalised(values):
    new = {field: values.get(field) for field in FIGURE_FIELDS}
    new["done"] = bool(new["done"])
    if not new["done"]:
        new["done_on"] = None
    return new


def reports_submit_on_behalf(*, user, resolution, month, entries, channel=MonthlyReport.Channel.EXCEL):
    """Submit each entry's report for ``month``, all or nothing. Tasks and notes a unit
    already wrote are kept. Raises ``ReportConflict`` (naming the row) when a report
    changed since it was checked, and nothing is saved."""
    if not month_is_open(resolution=resolution, month=month):
        raise ReportMonthNotOpen(
            _("Reports can be filed only for months of %(year)s that have begun.") % {"year": resolution.year}
        )
    if any(not access.can_enter_for(user, entry.unit) for entry in entries):
        raise PermissionDenied
    reason = entry_reason(user, channel)
    with transaction.atomic(), ledger.tracking_month([e.unit for e in entries], resolution=resolution, month=month):
        reports = {
            r.organisation_id: r
            for r in MonthlyReport.objects.filter(
                resolution=resolution, month=month, organisation_id__in=[e.unit.pk for e in entries]
            )
        }
        for entry in entries:
            report = reports.get(entry.unit.pk)
            if (report.version if report else None) != entry.version or (report and report.status == Status.APPROVED):
                raise ReportConflict(
                    _(
                        "Row %(row)s: the report of %(code)s changed after the file was checked; "
                        "nothing was saved. Upload the file again."
                    )
                    % {"row": entry.row, "code": entry.unit.code}
                )
        now = clock.now()
        created = _submit_reports(
            entries, reports, resolution=resolution, month=month, user=user, channel=channel, reason=reason, now=now
        )
        reports |= {r.organisation_id: r for r in created}
        _write_figures(entries, reports, resolution=resolution, user=user, reason=reason)
        _add_missing_tasks(list(reports.values()), resolution=resolution, user=user, reason=reason)
    return [entry.unit for entry in entries]


def _submit_reports(entries, reports, *, resolution, month, user, channel, reason, now):
    """Existing reports submitted (version incremented); new ones created submitted."""
    new, changed = [], []
    for entry in entries:
        report = reports.get(entry.unit.pk)
        if report is None:
            report = MonthlyReport(resolution=resolution, organisation=entry.unit, month=month, first_submitted_at=now)
            new.append(report)
        else:
            report.version += 1
            report.first_submitted_at = report.first_submitted_at or now
            changed.append(report)
        report.status, report.submitted_at, report.submitted_by = Status.SUBMITTED, now, user
        report.nothing_to_report = entry.nothing_to_report
        report.entered_by, report.entry_channel, report.updated_at = user, channel, now
    if changed:
        bulk_update_with_history(
            changed, MonthlyReport, REPORT_FIELDS, batch_size=BATCH, default_user=user, default_change_reason=reason
        )
    if new:
        new = bulk_create_with_history(
            new, MonthlyReport, batch_size=BATCH, default_user=user, default_change_reason=reason
        )
    return new


def _write_figures(entries, reports, *, resolution, user, reason):
    """Each entry's eligible figures set to the file's values ("nothing to report" clears
    them); figure rows the report lacks are created with them."""
    existing = {}
    for figure in ReportFigure.objects.filter(report__in=[r.pk for r in reports.values()]):
        existing[(figure.report_id, figure.component_id)] = figure
    reported = [c for c in resolution.components() if c.is_reported]
    changed, new = [], []
    for entry in entries:
        report = reports[entry.unit.pk]
        for component in (c for c in reported if c.is_eligible(entry.unit)):
            if entry.nothing_to_report:
                values = EMPTY
            elif component.pk in entry.figures:
                values = normalised(entry.figures[component.pk])
            else:
                values = None  # not on the form (e.g. done in an earlier month): left as it is
            figure = existing.get((report.pk, component.pk))
            if figure is None:
                new.append(ReportFigure(report=report, component=component, **(values or EMPTY)))
            elif values and any(getattr(figure, f) != v for f, v in values.items()):
                for f, v in values.items():
                    setattr(figure, f, v)
                changed.append(figure)
    if changed:
        bulk_update_with_history(
            changed,
            ReportFigure,
            list(FIGURE_FIELDS),
            batch_size=BATCH,
            default_user=user,
            default_change_reason=reason,
        )
    if new:
        bulk_create_with_history(new, ReportFigure, batch_size=BATCH, default_user=user, default_change_reason=reason)


def _add_missing_tasks(reports, *, resolution, user, reason):
    """One progress row per priority task on every report, as ``report_get_or_create`` does."""
    have = set(TaskProgress.objects.filter(report__in=[r.pk for r in reports]).values_list("report_id", "task_id"))
    tasks = list(PriorityTask.objects.filter(resolution=resolution))
    missing = [TaskProgress(report=r, task=t) for r in reports for t in tasks if (r.pk, t.pk) not in have]
    if missing:
        bulk_create_with_history(
            missing, TaskProgress, batch_size=BATCH, default_user=user, default_change_reason=reason
        )
