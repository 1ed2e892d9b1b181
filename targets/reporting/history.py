"""A report's story: every change to it, its figures and task progress, as users read it."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from unionplan.numbers import format_number

from .models import MonthlyReport, ReportFigure, TaskProgress
from .selectors import figure_text

Status = MonthlyReport.Status


def _diffs(records, fields, baseline=None):
    """Consecutive history records of each object → (record, field, old, new) changes.
    With ``baseline`` (the values of an empty object), an object created already filled
    in (a report entered in bulk) shows its first values as changes from it."""
    previous = {}
    for record in records:
        before = previous.get(record.id)
        previous[record.id] = record
        if before is None:
            if baseline is None:
                continue
            before = SimpleNamespace(**baseline)
        for name in fields:
            old, new = getattr(before, name), getattr(record, name)
            if old != new:
                yield record, name, old, new


def report_history(report):
    """Every change to the report, its figures and task progress, newest first (three
    queries): {"date", "user", "what", "old", "new", "reason"}."""
    entries = []
    labels = {f.name: f.verbose_name for f in MonthlyReport._meta.fields}
    statuses = dict(Status.choices)
    records = report.history.select_related("history_user").order_by("history_date", "history_id")
    records = list(records)
    if records:
        entries.append(_entry(records[0], _("Report created"), "", statuses.get(records[0].status)))
    for record, name, old, new in _diffs(records, ["status", "nothing_to_report", "note", "review_comment"]):
        if name == "status":
            old, new = statuses.get(old, old), statuses.get(new, new)
        entries.append(_entry(record, labels[name], old, new))

    components = {f.pk: f.component for f in report.figures.select_related("component__target")}
    figure_records = (
        ReportFigure.history.filter(report_id=report.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    empty = {"quantity": None, "done": False, "done_on": None, "value": None}
    for record, name, old, new in _diffs(figure_records, list(empty), baseline=empty):
        component = components.get(record.id)
        what = f"{component} ({ReportFigure._meta.get_field(name).verbose_name})" if component else name
        entries.append(_entry(record, what, old, new))

    task_statuses = dict(TaskProgress.Status.choices)
    task_records = (
        TaskProgress.history.filter(report_id=report.pk)
        .select_related("history_user", "task")
        .order_by("id", "history_date", "history_id")
    )
    for record, name, old, new in _diffs(task_records, ["status", "narrative"]):
        if name == "status":
            old, new = task_statuses.get(old, old), task_statuses.get(new, new)
        what = _("Task %(number)s (%(field)s)") % {
            "number": record.task.number,
            "field": TaskProgress._meta.get_field(name).verbose_name,
        }
        entries.append(_entry(record, what, old, new))
    entries.sort(key=lambda e: e["date"], reverse=True)
    return entries


def _shown(value):
    """A changed value as users read it: 1.250, 10/04/2020, có/không, or –."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, int | Decimal):
        return format_number(value)
    return value


def _entry(record, what, old, new):
    return {
        "date": record.history_date,
        "user": record.history_user,
        "what": what,
        "old": _shown(old),
        "new": _shown(new),
        "reason": record.history_change_reason or "",
    }


def changes_since_approval(report):
    """Figures whose working value differs from the last approved one: approved → now,
    with who changed it, when and why (three queries). Empty until a first approval."""
    if report.approved_at is None:
        return None
    figures = [
        f
        for f in report.figures.select_related("component__target")
        if (f.quantity, f.done, f.value) != (f.approved_quantity, f.approved_done, f.approved_value)
    ]
    reopened = (
        report.history.filter(status=Status.RETURNED, history_date__gt=report.approved_at)
        .select_related("history_user")
        .order_by("history_date")
        .first()
    )
    last_change = {}
    records = (
        ReportFigure.history.filter(id__in=[f.pk for f in figures])
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    for record, _name, _old, _new in _diffs(records, ["quantity", "done", "done_on", "value"]):
        last_change[record.id] = record
    rows = []
    for f in figures:
        record = last_change.get(f.pk)
        rows.append(
            {
                "component": f.component,
                "old": figure_text(f.component, f.approved_quantity, f.approved_done, None, f.approved_value),
                "new": figure_text(f.component, f.quantity, f.done, f.done_on, f.value),
                "user": record.history_user if record else None,
                "date": record.history_date if record else None,
                "reason": record.history_change_reason if record else "",
            }
        )
    return {
        "reopened_by": reopened.history_user if reopened else None,
        "reopened_at": reopened.history_date if reopened else None,
        "reason": reopened.history_change_reason if reopened else "",
        "rows": rows,
    }
