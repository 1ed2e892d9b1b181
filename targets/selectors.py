"""Reads about reports: what a unit reported before, who has reported a month."""

import calendar
import datetime

from django.db.models import BooleanField, Case, CharField, Count, F, FilteredRelation, Max, Min, Q, Sum, Value, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from branches.models import Organisation

from .models import MonthlyReport, ReportFigure, TargetComponent, TaskProgress
from .templatetags.unionplan import vn_number

Status = MonthlyReport.Status


class State:
    """A unit's standing for a month, as the review list shows it."""

    MISSING = "missing"  # no submitted report after the due date
    NOT_FILED = "not_filed"  # nothing yet, not due yet
    LATE = "late"  # first submitted after the due date (a flag beside the status)


def month_end(year, month):
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def figures_before(*, unit, resolution, month):
    """What ``unit`` reported in the months before ``month`` (working values, one query):
    {component_id: {"quantity": sum, "done_on": first done date, "value": highest value}}."""
    rows = (
        ReportFigure.objects.filter(report__organisation=unit, report__resolution=resolution, report__month__lt=month)
        .values("component_id")
        .order_by()
        .annotate(
            quantity=Sum("quantity"),
            done_on=Min("done_on", filter=Q(done=True)),
            value=Max("value"),
        )
    )
    return {row["component_id"]: row for row in rows}


def units_with_report_status(*, unit, resolution, month, today=None):
    """Every unit under ``unit`` expected to report ``month`` (founded by the month's end
    and not dissolved by then) with its report annotated, in one query: ``report_id``,
    ``report_status``, ``first_submitted_at``, ``state`` (the report's status, or missing /
    not filed) and ``late`` (first submitted after the due date)."""
    today = today or timezone.localdate()
    due = resolution.due_date(month)
    due_end = timezone.make_aware(datetime.datetime.combine(due + datetime.timedelta(days=1), datetime.time.min))
    nothing = Value(State.MISSING if today > due else State.NOT_FILED)
    never_submitted_draft = Value(State.MISSING if today > due else Status.DRAFT)
    return (
        Organisation.objects.under(unit, include_self=False)
        .active_on(month_end(resolution.year, month))
        .annotate(
            report=FilteredRelation("reports", condition=Q(reports__resolution=resolution, reports__month=month)),
        )
        .annotate(
            report_id=F("report__id"),
            report_status=F("report__status"),
            first_submitted_at=F("report__first_submitted_at"),
            submitted_at=F("report__submitted_at"),
        )
        .annotate(
            state=Case(
                When(report_id__isnull=True, then=nothing),
                When(
                    report_status=Status.DRAFT,
                    first_submitted_at__isnull=True,
                    then=never_submitted_draft,
                ),
                default=F("report_status"),
                output_field=CharField(),
            ),
            late=Case(
                When(first_submitted_at__gt=due_end, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .select_related("parent")
    )


def state_counts(units):
    """How many units are in each state, and how many were late (one query)."""
    rows = units.order_by().values("state").annotate(n=Count("pk"))
    counts = {row["state"]: row["n"] for row in rows}
    counts["total"] = sum(counts.values())
    counts["reported"] = counts.get(Status.SUBMITTED, 0) + counts.get(Status.APPROVED, 0)
    return counts


def _figure_text(component, quantity=None, done=False, done_on=None, value=None):
    """A reported figure as users read it: 1.250, 15.000, "đã thực hiện 10/04/2020", or –."""
    if component.measure == TargetComponent.Measure.QUANTITY:
        return vn_number(quantity)
    if component.measure == TargetComponent.Measure.UNITS_AT_THRESHOLD:
        return vn_number(value)
    if done:
        return _("done on %(date)s") % {"date": date_format(done_on, "SHORT_DATE_FORMAT")} if done_on else _("done")
    return "–"


def earlier_months(*, unit, resolution, month):
    """What the unit reported in each month before ``month`` (one query), as
    {"months": [1, 2, ...], "rows": [(component, [value or None per month])]}."""
    figures = (
        ReportFigure.objects.filter(report__organisation=unit, report__resolution=resolution, report__month__lt=month)
        .select_related("component__target", "report")
        .order_by("component__target__number", "component__order", "report__month")
    )
    months = list(range(1, month))
    rows = {}
    for figure in figures:
        component = figure.component
        values = rows.setdefault(component.pk, (component, [None] * len(months)))[1]
        values[figure.report.month - 1] = _figure_text(
            component, figure.quantity, figure.done, figure.done_on, figure.value
        )
    return {"months": months, "rows": list(rows.values())}


def _diffs(records, fields):
    """Consecutive history records of each object → (record, field, old, new) changes."""
    previous = {}
    for record in records:
        before = previous.get(record.id)
        previous[record.id] = record
        if before is None:
            continue
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
        entries.append(_entry(records[0], _("Report created"), None, statuses.get(records[0].status)))
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
    for record, name, old, new in _diffs(figure_records, ["quantity", "done", "done_on", "value"]):
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
        what = f"{_('Task')} {record.task.number} ({TaskProgress._meta.get_field(name).verbose_name})"
        entries.append(_entry(record, what, old, new))
    entries.sort(key=lambda e: e["date"], reverse=True)
    return entries


def _entry(record, what, old, new):
    return {
        "date": record.history_date,
        "user": record.history_user,
        "what": what,
        "old": old,
        "new": new,
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
                "old": _figure_text(f.component, f.approved_quantity, f.approved_done, None, f.approved_value),
                "new": _figure_text(f.component, f.quantity, f.done, f.done_on, f.value),
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
