"""Reads a report page needs: what a unit reported before, who has reported a month,
which months a unit reports and what its officer still has to do."""

import datetime
from dataclasses import dataclass

from django.db.models import BooleanField, Case, CharField, Count, F, FilteredRelation, Max, Min, Q, Sum, Value, When
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from branches.models import Organisation
from targets.resolution.models import TargetComponent
from unionplan import clock
from unionplan.numbers import format_number

from .models import MonthlyReport, ReportFigure

Status = MonthlyReport.Status


class State:
    """A unit's standing for a month, as the review list shows it."""

    MISSING = "missing"  # no submitted report after the due date
    NOT_FILED = "not_filed"  # nothing yet, not due yet
    LATE = "late"  # first submitted after the due date (a flag beside the status)


def figures_before(*, unit, resolution, month):
    """What ``unit`` reported in the months before ``month`` (working values, one query):
    {component_id: {"quantity": sum, "done_on": first done date, "value": highest value}}."""
    return figures_before_many(unit_ids=[unit.pk], resolution=resolution, month=month).get(unit.pk, {})


def figures_before_many(*, unit_ids, resolution, month):
    """``figures_before`` for many units in one query: {unit_id: {component_id: {...}}}."""
    rows = (
        ReportFigure.objects.filter(
            report__organisation_id__in=unit_ids, report__resolution=resolution, report__month__lt=month
        )
        .values("report__organisation_id", "component_id")
        .order_by()
        .annotate(
            quantity=Sum("quantity"),
            done_on=Min("done_on", filter=Q(done=True)),
            value=Max("value"),
        )
    )
    result = {}
    for row in rows:
        result.setdefault(row.pop("report__organisation_id"), {})[row["component_id"]] = row
    return result


def units_with_report_status(*, unit, resolution, month, today=None):
    """Every unit under ``unit`` expected to report ``month`` (founded by the month's end
    and not dissolved by then) with its report annotated, in one query: ``report_id``,
    ``report_status``, ``first_submitted_at``, ``state`` (the report's status, or missing /
    not filed) and ``late`` (first submitted after the due date)."""
    today = today or clock.today()
    due = resolution.due_date(month)
    due_end = resolution.deadline(month)
    nothing = Value(State.MISSING if today > due else State.NOT_FILED)
    never_submitted_draft = Value(State.MISSING if today > due else Status.DRAFT)
    return (
        Organisation.objects.under(unit, include_self=False)
        .active_on(resolution.month_end(month))
        .annotate(
            report=FilteredRelation("reports", condition=Q(reports__resolution=resolution, reports__month=month)),
        )
        .annotate(
            report_id=F("report__id"),
            report_status=F("report__status"),
            first_submitted_at=F("report__first_submitted_at"),
            submitted_at=F("report__submitted_at"),
            self_approved=F("report__self_approved"),
            # Approved once: reported, also while reopened for correction.
            was_approved=Case(
                When(report__approved_at__isnull=False, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
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
    """How many units are in each state, and how many reported: submitted, approved, or
    approved once and reopened for correction (one query)."""
    rows = units.order_by().values("state", "was_approved").annotate(n=Count("pk"))
    counts = {"reported": 0}
    for row in rows:
        counts[row["state"]] = counts.get(row["state"], 0) + row["n"]
        if row["state"] in (Status.SUBMITTED, Status.APPROVED) or row["was_approved"]:
            counts["reported"] += row["n"]
    counts["total"] = sum(n for state, n in counts.items() if state != "reported")
    return counts


def figure_text(component, quantity=None, done=False, done_on=None, value=None):
    """A reported figure as users read it: 1.250, 15.000, "đã thực hiện 10/04/2020", or –."""
    if component.measure == TargetComponent.Measure.QUANTITY:
        return format_number(quantity)
    if component.measure == TargetComponent.Measure.UNITS_AT_THRESHOLD:
        return format_number(value)
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
        values[figure.report.month - 1] = figure_text(
            component, figure.quantity, figure.done, figure.done_on, figure.value
        )
    return {"months": months, "rows": list(rows.values())}


def founded_this_year(*, unit, resolution):
    """For an upper level or the province: each ``units_founded`` component it answers for,
    with the number of qualifying grassroots unions founded this year in its subtree."""
    return [
        (c, c.founded_units(unit).count())
        for c in resolution.components().filter(measure=TargetComponent.Measure.UNITS_FOUNDED)
        if c.is_eligible(unit)
    ]


def reporting_months(*, unit, resolution):
    """The months of the resolution's year ``unit`` reports: those it existed through
    (founded by the month's end, not dissolved by then), as ``active_on`` counts them."""
    months = []
    for month in range(1, 13):
        end = resolution.month_end(month)
        if (unit.founded_on is None or unit.founded_on <= end) and (
            unit.dissolved_on is None or unit.dissolved_on > end
        ):
            months.append(month)
    return months


@dataclass
class MonthToDo:
    """One month on a grassroots officer's to-do: its report (or None), due date and standing."""

    resolution: object
    month: int
    due: datetime.date
    report: MonthlyReport | None

    @property
    def year(self):
        return self.resolution.year

    @property
    def done(self):
        """Submitted or approved: nothing left to do for the unit."""
        return self.report is not None and self.report.status in (Status.SUBMITTED, Status.APPROVED)

    @property
    def returned(self):
        return self.report is not None and self.report.status == Status.RETURNED

    @property
    def draft(self):
        return self.report is not None and self.report.status == Status.DRAFT


@dataclass
class ToDo:
    """What a grassroots officer has to do, as the home page lists it."""

    months: list  # every month the unit reports, with a tick when done
    current: MonthToDo | None  # the report now due (the nearest due date not passed)
    days_left: int | None
    overdue: list  # due date passed, not submitted (no report, or a draft)
    returned: list  # returned by the upper level: correct and resubmit
    drafts: list  # saved, not yet submitted, not yet due


def unit_todo(*, unit, resolutions, today=None):
    """The officer's to-do for ``unit`` over ``resolutions`` (this year's and, while its
    December report is not yet due, last year's): one query for the reports."""
    today = today or clock.today()
    resolutions = [
        r for r in sorted(resolutions, key=lambda r: r.year) if r.year >= today.year or today <= r.due_date(12)
    ]
    reports = {
        (r.resolution_id, r.month): r
        for r in MonthlyReport.objects.filter(organisation=unit, resolution__in=resolutions)
    }
    months = [
        MonthToDo(resolution=resolution, month=m, due=resolution.due_date(m), report=reports.get((resolution.pk, m)))
        for resolution in resolutions
        for m in reporting_months(unit=unit, resolution=resolution)
        if datetime.date(resolution.year, m, 1) <= today
    ]
    upcoming = [m for m in months if m.due >= today]
    current = upcoming[0] if upcoming else None
    return ToDo(
        months=months,
        current=current,
        days_left=(current.due - today).days if current else None,
        overdue=[m for m in months if m.due < today and not m.done and not m.returned],
        returned=[m for m in months if m.returned],
        drafts=[m for m in months if m.draft and m.due >= today and m is not current],
    )


def filed_since(change, unit_ids):
    """Why ``change`` to the tree cannot be undone: reports of the units it touched (and
    of their subtrees) saved since it was applied were filed under the new structure."""
    rows = list(Organisation.objects.filter(pk__in=unit_ids).values_list("pk", "kind", "path"))
    if not rows:
        return []
    # A grassroots union has no subtree: found by its key (a change may move thousands).
    under = Q(organisation_id__in=[pk for pk, kind, _path in rows if kind == Organisation.Kind.GRASSROOTS])
    for _pk, kind, path in rows:
        if kind != Organisation.Kind.GRASSROOTS:
            under |= Q(organisation__path__startswith=path)
    count = MonthlyReport.objects.filter(under, updated_at__gte=change.updated_at).count()
    if not count:
        return []
    return [
        _(
            "%(count)s reports were filed under the new structure since the change was applied: "
            "it can no longer be undone."
        )
        % {"count": count}
    ]


def on_undo_asked(sender, change, unit_ids, **kwargs):
    return filed_since(change, unit_ids)
