"""Many units' reports of one month submitted on their behalf at once (the Excel import).

One transaction, all or nothing, set-based: the units locked in id order and the ledger
carried forward once for all of them (``ledger.tracking_month``), reports, figures and
their history written in bulk. The same rules as ``services.report_save`` with
``on_behalf``: who may (``access.can_enter_for``), the month open, the report unchanged
since it was checked (its ``version``), and the report keeps who entered it and how.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from branches import access
from targets.resolution.models import Resolution
from unionplan import clock

from .. import ledger
from ..models import MonthlyReport, PriorityTask, ReportFigure, TaskProgress
from ..services import (
    FIGURE_FIELDS,
    ReportConflict,
    ReportMonthNotOpen,
    ReportYearLocked,
    entry_reason,
    month_is_open,
    report_is_writable,
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
    # Priority tasks the file fills in: {task id: {"status": …, "narrative": …}} (only the
    # cells typed; what the unit wrote stays where the file is silent).
    tasks: dict = field(default_factory=dict)


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
        if _year_locked(resolution, reports.values(), entries):
            raise ReportYearLocked(
                _(
                    "The year %(year)s is locked: its reports can no longer be changed. "
                    "Provincial staff can reopen a report with a reason."
                )
                % {"year": resolution.year}
            )
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
        existing = [e for e in entries if e.unit.pk in reports]
        fresh = [e for e in entries if e.unit.pk not in reports]
        _update_reports(existing, reports, user=user, channel=channel, reason=reason, now=now)
        _create_reports(fresh, resolution=resolution, month=month, user=user, channel=channel, reason=reason, now=now)
        _apply_tasks(entries, resolution=resolution, month=month, user=user, reason=reason)
    return [entry.unit for entry in entries]


def _apply_tasks(entries, *, resolution, month, user, reason):
    """The priority tasks the file fills in, written over the reports' progress rows (the
    ledger's month tracking around the whole write carries them into the task totals)."""
    typed = {e.unit.pk: e.tasks for e in entries if e.tasks}
    if not typed:
        return
    rows = TaskProgress.objects.filter(
        report__resolution=resolution, report__month=month, report__organisation_id__in=list(typed)
    ).select_related("report")
    changed = []
    for progress in rows:
        values = typed[progress.report.organisation_id].get(progress.task_id)
        if not values:
            continue
        new = {name: values[name] for name in ("status", "narrative") if name in values}
        if any(getattr(progress, name) != value for name, value in new.items()):
            for name, value in new.items():
                setattr(progress, name, value)
            changed.append(progress)
    if changed:
        bulk_update_with_history(
            changed,
            TaskProgress,
            ["status", "narrative"],
            batch_size=BATCH,
            default_user=user,
            default_change_reason=reason,
        )


def _year_locked(resolution, reports, entries):
    """Whether the year's lock refuses any of the writes: a new report in a locked year,
    or a report not reopened since the lock (``services.report_is_writable``)."""
    reports = list(reports)
    if not Resolution.objects.filter(pk=resolution.pk, locked_at__isnull=False).exists():  # read afresh
        return False
    return len(reports) < len(entries) or not all(report_is_writable(r) for r in reports)


def _update_reports(entries, reports, *, user, channel, reason, now):
    """Reports the units already had (drafts, returned, or submitted where the uploader
    took the file's figures): submitted with the file's figures, through the ORM with
    history (a handful, usually)."""
    if not entries:
        return
    changed = []
    for entry in entries:
        report = reports[entry.unit.pk]
        report.version += 1
        report.first_submitted_at = report.first_submitted_at or now
        report.status, report.submitted_at, report.submitted_by = Status.SUBMITTED, now, user
        report.nothing_to_report = entry.nothing_to_report
        report.entered_by, report.entry_channel, report.updated_at = user, channel, now
        changed.append(report)
    bulk_update_with_history(
        changed, MonthlyReport, REPORT_FIELDS, batch_size=BATCH, default_user=user, default_change_reason=reason
    )
    resolution = changed[0].resolution
    reported = [c for c in resolution.components() if c.is_reported]
    have = {(f.report_id, f.component_id): f for f in ReportFigure.objects.filter(report__in=changed)}
    updated, new = [], []
    for entry in entries:
        report = reports[entry.unit.pk]
        for component in (c for c in reported if c.is_eligible(entry.unit)):
            values = _values_for(entry, component)
            figure = have.get((report.pk, component.pk))
            if figure is None:
                new.append(ReportFigure(report=report, component=component, **(values or EMPTY)))
            elif values and any(getattr(figure, f) != v for f, v in values.items()):
                for f, v in values.items():
                    setattr(figure, f, v)
                updated.append(figure)
    if updated:
        bulk_update_with_history(
            updated,
            ReportFigure,
            list(FIGURE_FIELDS),
            batch_size=BATCH,
            default_user=user,
            default_change_reason=reason,
        )
    if new:
        bulk_create_with_history(new, ReportFigure, batch_size=BATCH, default_user=user, default_change_reason=reason)
    have_tasks = set(TaskProgress.objects.filter(report__in=changed).values_list("report_id", "task_id"))
    tasks = list(PriorityTask.objects.filter(resolution=resolution))
    missing = [TaskProgress(report=r, task=t) for r in changed for t in tasks if (r.pk, t.pk) not in have_tasks]
    if missing:
        bulk_create_with_history(
            missing, TaskProgress, batch_size=BATCH, default_user=user, default_change_reason=reason
        )


def _values_for(entry, component):
    """The figure's new values: the file's, cleared for "nothing to report", or None when
    the file does not say (e.g. done in an earlier month: left as it is)."""
    if entry.nothing_to_report:
        return EMPTY
    if component.pk in entry.figures:
        return normalised(entry.figures[component.pk])
    return None


def _create_reports(entries, *, resolution, month, user, channel, reason, now):
    """New reports, submitted, with their figures, a progress row per task and a history
    record of each: plain multi-row INSERTs and INSERT … SELECT, no model instances, so
    thousands of reports take a few statements."""
    if not entries:
        return
    ops = connection.ops
    at = ops.adapt_datetimefield_value(now)
    _insert(
        MonthlyReport,
        ["resolution_id", "organisation_id", "month", "status", "nothing_to_report", "note", "version", "revision"]
        + ["created_at", "updated_at", "submitted_at", "first_submitted_at", "submitted_by_id", "review_comment"]
        + ["entered_by_id", "entry_channel", "self_approved"],
        [
            (resolution.pk, e.unit.pk, month, Status.SUBMITTED, e.nothing_to_report, "", 1, 0)
            + (at, at, at, at, user.pk, "", user.pk, channel, False)
            for e in entries
        ],
    )
    ids = dict(
        MonthlyReport.objects.filter(
            resolution=resolution, month=month, organisation_id__in=[e.unit.pk for e in entries]
        ).values_list("organisation_id", "pk")
    )
    report_ids = list(ids.values())
    reported = [c for c in resolution.components() if c.is_reported]
    value_field = ReportFigure._meta.get_field("value")
    rows = []
    for entry in entries:
        for component in (c for c in reported if c.is_eligible(entry.unit)):
            values = _values_for(entry, component) or EMPTY
            value = values["value"]
            if value is not None:
                value = ops.adapt_decimalfield_value(value, value_field.max_digits, value_field.decimal_places)
            done_on = ops.adapt_datefield_value(values["done_on"])
            rows.append((ids[entry.unit.pk], component.pk, values["quantity"], values["done"], done_on, value, False))
    _insert(ReportFigure, ["report_id", "component_id", "quantity", "done", "done_on", "value", "approved_done"], rows)
    for chunk in _chunks(report_ids):
        marks = ", ".join(["%s"] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {TaskProgress._meta.db_table} (report_id, task_id, status, narrative) "
                f"SELECT r.id, t.id, %s, '' FROM {MonthlyReport._meta.db_table} r, {PriorityTask._meta.db_table} t "
                f"WHERE r.id IN ({marks}) AND t.resolution_id = %s",
                [TaskProgress.Status.NOT_STARTED, *chunk, resolution.pk],
            )
        for model, key in ((MonthlyReport, "id"), (ReportFigure, "report_id"), (TaskProgress, "report_id")):
            _record_history(model, key, chunk, user=user, reason=reason, at=at)


def _chunks(values, size=900):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _insert(model, columns, rows):
    """Plain multi-row INSERTs of ``rows`` (tuples of database values) into ``model``'s table."""
    per = max(1, 900 // len(columns))
    names = ", ".join(columns)
    row_marks = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per):
            batch = rows[start : start + per]
            cursor.execute(
                f"INSERT INTO {model._meta.db_table} ({names}) VALUES {', '.join([row_marks] * len(batch))}",
                [value for row in batch for value in row],
            )


def _record_history(model, key, ids, *, user, reason, at):
    """A "created" history record for each row of ``model`` whose ``key`` is in ``ids``,
    as django-simple-history writes one, in one INSERT … SELECT."""
    history = model.history.model
    live = {f.column for f in model._meta.concrete_fields}
    columns = ", ".join(f.column for f in history._meta.concrete_fields if f.column in live)
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {history._meta.db_table} "
            f"({columns}, history_date, history_change_reason, history_type, history_user_id) "
            f"SELECT {columns}, %s, %s, '+', %s FROM {model._meta.db_table} WHERE {key} IN ({marks})",
            [at, reason, user.pk, *ids],
        )
