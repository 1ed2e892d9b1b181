"""Completeness and timeliness: who reported a month on time, late, or not at all."""

from dataclasses import dataclass

from django.db.models import Count, F, FilteredRelation, Q, TextChoices, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from branches.models import Organisation
from targets.reporting.models import MonthlyReport
from unionplan import clock

from .figures import REPORTED, branch_prefix
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


def expected_reporters(resolution, scope, month):
    """Units under ``scope`` (itself included) expected to report ``month``: founded by the
    end of the month and not dissolved by then. Annotated with their report of that month."""
    return with_month_report(
        Organisation.objects.under(scope).active_on(resolution.month_end(month)), resolution, month
    )


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


def completeness(resolution, scope, month, now=None):
    """Reporting of ``month`` per child of ``scope`` (the scope's own report in a row of its
    own) and in total: expected units, on time, late, missing or not yet due (two queries)."""
    now = now or clock.now()
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
        "unreported": Count("pk", filter=UNREPORTED_Q),
    }
    rows = (
        expected_reporters(resolution, scope, month)
        .values(branch=branch_prefix(scope, "path"))
        .annotate(**aggregates)
        .order_by()
    )
    units = {u.path: u for u in Organisation.objects.filter(Q(parent=scope) | Q(pk=scope.pk))}
    past_due = now >= deadline
    result, total = [], CompletenessRow(unit=scope)
    for row in rows:
        line = CompletenessRow(
            unit=units[row["branch"]],
            expected=row["expected"],
            on_time=row["on_time"],
            late=row["late"],
            missing=row["unreported"] if past_due else 0,
            not_yet_due=0 if past_due else row["unreported"],
        )
        result.append(line)
        for name in ("expected", "on_time", "late", "missing", "not_yet_due"):
            setattr(total, name, getattr(total, name) + getattr(line, name))
    result.sort(key=lambda r: (r.unit.pk != scope.pk, r.unit.name))
    return result, total


def reported_so_far(resolution, scope, month):
    """(units that have reported ``month``, units expected to) under ``scope``, itself
    included: submitted or approved, and reopened for correction after an approval (one query)."""
    reported = Q(month_report__status__in=REPORTED) | Q(
        month_report__status=MonthlyReport.Status.RETURNED, month_report__revision__gt=0
    )
    counts = expected_reporters(resolution, scope, month).aggregate(
        expected=Count("pk"), reported=Count("pk", filter=reported)
    )
    return counts["reported"], counts["expected"]


def unreported_units(resolution, scope, month):
    """Expected units under ``scope`` whose report of ``month`` is not in (draft, returned or
    none), with their upper level and contacts, for a follow-up."""
    return (
        expected_reporters(resolution, scope, month)
        .filter(UNREPORTED_Q)
        .annotate(report_status=Coalesce(F("month_report__status"), Value("")))
        .select_related("parent")
        .order_by("path")
    )
