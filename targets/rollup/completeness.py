"""Completeness and timeliness: who reported a month on time, late, or not at all."""

from dataclasses import dataclass

from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, TextChoices, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from branches.models import Organisation, path_segment
from targets.reporting.ledger.models import ReportingShift, ReportingTotal
from targets.reporting.models import MonthlyReport
from unionplan import clock

from .figures import REPORTED, Structure, branch_prefix, children_counted, children_q, counted_units, keeps_totals
from .pace import percent_of


class Timeliness(TextChoices):
    ON_TIME = "on_time", _("On time")
    LATE = "late", _("Late")
    MISSING = "missing", _("Missing")
    NOT_YET_DUE = "not_yet_due", _("Not yet due")


# A report approved once and reopened for correction was reported: it is being corrected.
REPORTED_Q = Q(month_report__status__in=REPORTED) | Q(month_report__approved_at__isnull=False)
UNREPORTED_Q = (
    Q(month_report__isnull=True)
    | Q(month_report__status__in=[MonthlyReport.Status.DRAFT, MonthlyReport.Status.RETURNED])
) & Q(month_report__approved_at__isnull=True)


def with_month_report(queryset, resolution, month):
    """Units annotated with their report of ``month`` (``month_report``, at most one)."""
    return queryset.annotate(
        month_report=FilteredRelation("reports", condition=Q(reports__resolution=resolution, reports__month=month))
    )


def expected_reporters(resolution, scope, month, structure=Structure.CURRENT):
    """Units under ``scope`` (itself included) expected to report ``month``: founded by the
    end of the month and not dissolved by then. Annotated with their report of that month.
    As it was: the units under ``scope`` at the month's end; in today's view, at the
    resolution's year end (``counted_units``)."""
    units = counted_units(scope, resolution, month, structure)
    return with_month_report(units.active_on(resolution.month_end(month)), resolution, month)


@dataclass
class CompletenessRow:
    unit: Organisation
    expected: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    not_yet_due: int = 0

    @property
    def reported(self):
        return self.on_time + self.late

    @property
    def unreported(self):
        """Expected units with no report in (missing, or not yet due): ``unreported_units``."""
        return self.missing + self.not_yet_due

    @property
    def rate(self):
        return percent_of(self.reported, self.expected)


def _counted_from_reports(resolution, scope, month, units=None, structure=Structure.CURRENT):
    """{branch path: {expected, on_time, late}} per child of ``scope`` (and the scope
    itself) over its subtree, from the tree and the month's reports; ``units`` (a Q)
    narrows the units counted (one query)."""
    deadline = resolution.deadline(month)
    reported = REPORTED_Q
    # Timeliness is the first submission's: a report returned (or withdrawn) and submitted
    # again is as late or as timely as it first was.
    first = "month_report__first_submitted_at"
    aggregates = {
        "expected": Count("pk"),
        # An approved report with no submission time (entered by an admin) counts as on time.
        "on_time": Count("pk", filter=reported & (Q(**{f"{first}__lt": deadline}) | Q(**{first: None}))),
        "late": Count("pk", filter=reported & Q(**{f"{first}__gte": deadline})),
    }
    units_expected = expected_reporters(resolution, scope, month, structure)
    if units is not None:
        units_expected = units_expected.filter(units)
    rows = units_expected.values(branch=branch_prefix(scope, "path_then")).annotate(**aggregates).order_by()
    return {row.pop("branch"): row for row in rows}


def _counted_from_totals(resolution, scope, month, structure=Structure.CURRENT, children=None):
    """The same per child of ``scope`` that keeps totals (``children``: a Q of them, today's
    by default), from its ``ReportingTotal`` row (one query, whatever the size of the
    subtrees; two as it was), by the child's path under the scope."""
    fields = ["expected", "on_time", "late"]
    models = (ReportingTotal, ReportingShift) if structure == Structure.MONTHLY else (ReportingTotal,)
    children = children if children is not None else Q(organisation__parent=scope)
    result = {}
    for model in models:
        rows = (
            model.objects.filter(children, resolution=resolution, month=month)
            .exclude(organisation__kind=Organisation.Kind.GRASSROOTS)
            .values("organisation_id", *fields)
        )
        for row in rows:
            into = result.setdefault(scope.path + path_segment(row.pop("organisation_id")), dict.fromkeys(fields, 0))
            for f in fields:
                into[f] += row[f]
    return result


def completeness(resolution, scope, month, now=None, structure=Structure.CURRENT):
    """Reporting of ``month`` per child of ``scope`` (the scope's own report in a row of its
    own) and in total: expected units, on time, late, missing or not yet due. The children
    that keep totals are read from them; the scope itself and its grassroots children are
    counted from their reports (three queries)."""
    now = now or clock.now()
    # The children of the scope on the day its units are counted on (``counted_day``).
    child_ids = children_counted(scope, resolution, month, structure)
    children = children_q(scope, child_ids)
    if keeps_totals(scope):
        counts = _counted_from_totals(
            resolution, scope, month, structure, children_q(scope, child_ids, "organisation__")
        )
        # Its own report and the grassroots unions directly under it on that day.
        own_and_grassroots = Q(pk=scope.pk) | (Q(kind=Organisation.Kind.GRASSROOTS) & children)
        counts |= _counted_from_reports(resolution, scope, month, units=own_and_grassroots, structure=structure)
    else:
        counts = _counted_from_reports(resolution, scope, month, structure=structure)
    units = {scope.path: scope} | {
        scope.path + path_segment(u.pk): u for u in Organisation.objects.filter(children).exclude(pk=scope.pk)
    }
    past_due = now >= resolution.deadline(month)
    result, total = [], CompletenessRow(unit=scope)
    for branch, row in counts.items():
        if not row["expected"]:
            continue
        unreported = row["expected"] - row["on_time"] - row["late"]
        line = CompletenessRow(
            unit=units[branch],
            expected=row["expected"],
            on_time=row["on_time"],
            late=row["late"],
            missing=unreported if past_due else 0,
            not_yet_due=0 if past_due else unreported,
        )
        result.append(line)
        for name in ("expected", "on_time", "late", "missing", "not_yet_due"):
            setattr(total, name, getattr(total, name) + getattr(line, name))
    result.sort(key=lambda r: (r.unit.pk != scope.pk, r.unit.name))
    return result, total


def who_reported_afresh(resolution, scope, month, structure=Structure.CURRENT):
    """[expected, on time, late, waiting] of ``scope``'s subtree, counted straight from the
    tree and the month's reports: what its reporting totals hold (two queries; for checks,
    the property test and the Excel import benchmark)."""
    counts = _counted_from_reports(resolution, scope, month, units=None, structure=structure)
    row = {"expected": 0, "on_time": 0, "late": 0}
    for branch in counts.values():
        for name in row:
            row[name] += branch[name]
    waiting = MonthlyReport.objects.filter(
        resolution=resolution,
        month=month,
        status=MonthlyReport.Status.SUBMITTED,
        organisation__path__startswith=scope.path,
    ).count()
    return [row["expected"], row["on_time"], row["late"], waiting]


def reported_so_far(resolution, scope, month, structure=Structure.CURRENT):
    """(units that have reported ``month``, units expected to) under ``scope``, itself
    included: submitted or approved, or approved once and reopened for correction (the
    rule of ``completeness``, whose totals it reads for a scope that keeps them)."""
    if keeps_totals(scope):
        row = {"expected": 0, "on_time": 0, "late": 0}
        models = (ReportingTotal, ReportingShift) if structure == Structure.MONTHLY else (ReportingTotal,)
        for model in models:
            found = model.objects.filter(organisation=scope, resolution=resolution, month=month)
            for values in found.values("expected", "on_time", "late"):
                for name in row:
                    row[name] += values[name]
    else:
        row = _counted_from_reports(resolution, scope, month).get(scope.path)
    row = row or {"expected": 0, "on_time": 0, "late": 0}
    return row["on_time"] + row["late"], row["expected"]


def unreported_units(resolution, scope, month):
    """Expected units under ``scope`` whose report of ``month`` is not in (draft, returned or
    none), with their upper level and contacts, in the tree's order, for a follow-up.

    "No reported report" is asked unit by unit (NOT EXISTS, which PostgreSQL estimates well),
    so that a page of the list walks the tree's index and stops after its rows, even across a
    country; the whole list is one anti-join over the month's reports (``report_month_units``).
    The status of the unit's report (at most one) comes from a join, not from a second
    subquery per unit."""
    reported = MonthlyReport.objects.filter(
        Q(status__in=REPORTED) | Q(approved_at__isnull=False),
        organisation=OuterRef("pk"),
        resolution=resolution,
        month=month,
    ).order_by()
    return (
        expected_reporters(resolution, scope, month)
        .filter(~Exists(reported))
        .annotate(report_status=Coalesce(F("month_report__status"), Value("")))
        .select_related("parent")
        .order_by("path")
    )
