"""Reads of the reviewer's inbox: every report of a subtree waiting for review, across
months and years (``MonthlyReport.objects.awaiting_review_by``), what kind of wait each
is, and the counts per month and per upper level (one query each, whatever the size)."""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from .models import MonthlyReport


class Waiting:
    """Why a submitted report waits: a first submission, a resubmission after a return, or
    a correction of a report approved before."""

    NEW = "new"
    RESUBMITTED = "resubmitted"
    CHANGED = "changed"

    LABELS = {
        NEW: _("First submission"),
        RESUBMITTED: _("Resubmitted after return"),
        CHANGED: _("Changed since approval"),
    }
    CONDITIONS = {
        NEW: Q(approved_at__isnull=True, reviewed_at__isnull=True),
        RESUBMITTED: Q(approved_at__isnull=True, reviewed_at__isnull=False),
        CHANGED: Q(approved_at__isnull=False),
    }

    @classmethod
    def of(cls, report):
        if report.approved_at is not None:
            return cls.CHANGED
        return cls.RESUBMITTED if report.reviewed_at is not None else cls.NEW


def inbox(root):
    """The reports an officer of ``root`` has to review, oldest first, with what a row shows."""
    return MonthlyReport.objects.awaiting_review_by(root).select_related(
        "organisation__parent", "resolution", "submitted_by"
    )


# The navigation's badge counts up to this many and then says "999+": every page shows it,
# so it must not count a whole country's waiting reports (the inbox page counts them all).
BADGE_CAP = 999


def count(root):
    """How many reports wait for ``root``'s officers, counted up to ``BADGE_CAP`` + 1 (the
    navigation's badge; more than the cap means "more than that"): one bounded query."""
    return MonthlyReport.objects.awaiting_review_by(root).order_by()[: BADGE_CAP + 1].count()


def counts_by_month(reports):
    """[{"year", "month", "n"}] oldest month first (one query)."""
    return list(
        reports.order_by()
        .values("resolution__year", "month")
        .annotate(n=Count("pk"))
        .order_by("resolution__year", "month")
    )


def counts_by_upper_level(reports):
    """[{"id", "name", "n"}] for each unit's direct upper level, in tree order (one query)."""
    rows = (
        reports.order_by()
        .values("organisation__parent_id", "organisation__parent__name", "organisation__parent__path")
        .annotate(n=Count("pk"))
        .order_by("organisation__parent__path")
    )
    return [{"id": r["organisation__parent_id"], "name": r["organisation__parent__name"], "n": r["n"]} for r in rows]


def next_waiting(root, *, after=None):
    """The oldest report still waiting for ``root``'s officers (None when the inbox is empty),
    other than ``after``."""
    reports = MonthlyReport.objects.awaiting_review_by(root).select_related("resolution")
    if after is not None:
        reports = reports.exclude(pk=after.pk)
    return reports.first()


def pick(root, versions):
    """The reports of ``root``'s inbox named in ``versions`` ({pk: version seen}), as the
    [(report, version)] ``services.reports_approve`` takes, in the order of the inbox, and
    the ids that are not (or no longer) anyone's below ``root``."""
    reports = (
        MonthlyReport.objects.filter(pk__in=versions, organisation__path__startswith=root.path)
        .exclude(organisation=root)
        .select_related("organisation", "resolution")
        .order_by("submitted_at", "pk")
    )
    found = [(report, versions[report.pk]) for report in reports]
    missing = sorted(set(versions) - {report.pk for report, _version in found})
    return found, missing
