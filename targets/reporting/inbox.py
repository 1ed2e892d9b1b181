"""Reads of the reviewer's inbox: every report of a subtree waiting for review, across
months and years (``MonthlyReport.objects.awaiting_review_by``), what kind of wait each
is, and the counts per month and per upper level (read from the reporting totals, which
count the waiting reports of each subtree: a few rows whatever the size). A federation's
inbox spans the federations merged into it (``access.review_scopes``): each is counted
from its own totals, against its own resolutions."""

from collections import Counter

from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from branches import access
from branches.models import Organisation
from targets.resolution.models import Resolution

from .ledger.models import ReportingTotal
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


def _waiting_totals(root):
    """ReportingTotal rows of ``root``'s inbox: the resolutions its federation issued, the
    months with reports waiting."""
    return ReportingTotal.objects.filter(resolution__in=Resolution.objects.for_unit(root), waiting__gt=0).order_by()


def _merged_counts(root):
    """{(year, month): n} and {federation id: n} of the reports waiting in the federations
    merged into ``root`` (their own reports included: ``root``'s officers review them)."""
    by_month, by_federation = Counter(), Counter()
    for scope in access.review_scopes(root)[1:]:
        rows = _waiting_totals(scope).filter(organisation=scope).values_list("resolution__year", "month", "waiting")
        for year, month, n in rows:
            by_month[(year, month)] += n
            by_federation[scope.pk] += n
    return by_month, by_federation


def _own_waiting(unit_ids, root):
    """{(unit id, year, month): 1} for the waiting reports of these units themselves."""
    rows = (
        MonthlyReport.objects.submitted()
        .filter(organisation_id__in=unit_ids, resolution__in=Resolution.objects.for_unit(root))
        .order_by()
    )
    return Counter(rows.values_list("organisation_id", "resolution__year", "month"))


def counts_by_month(root):
    """[{"year", "month", "n"}] of ``root``'s inbox, oldest month first: its subtree's
    waiting reports from its reporting totals, less its own (two small queries, whatever
    the size of the subtree)."""
    rows = _waiting_totals(root).filter(organisation=root).values_list("resolution__year", "month", "waiting")
    counts = Counter({(year, month): n for year, month, n in rows})
    for (_unit, year, month), n in _own_waiting([root.pk], root).items():
        counts[(year, month)] -= n
    counts.update(_merged_counts(root)[0])
    return [{"resolution__year": y, "month": m, "n": n} for (y, m), n in sorted(counts.items()) if n > 0]


def counts_by_branch(root):
    """[{"id", "name", "n"}] in tree order: for each union directly under ``root`` that has
    units of its own, the reports waiting in its subtree (what ``?upper_level=`` lists), and
    for ``root`` itself those of the grassroots unions directly under it. Read from the
    reporting totals of ``root`` and its children (three small queries, whatever the size)."""
    # The branches' ids first (by the parent index: a few dozen), so that the totals are
    # found by their key rather than by reading the whole tree for its upper levels.
    children = Organisation.objects.filter(parent=root).exclude(kind=Organisation.Kind.GRASSROOTS)
    rows = (
        _waiting_totals(root)
        .filter(organisation__in=[root.pk, *children.values_list("pk", flat=True)])
        .values("organisation_id", "organisation__name", "organisation__path")
        .annotate(n=Sum("waiting"))
    )
    branches = {row["organisation_id"]: row for row in rows}
    if root.pk in branches:
        # What is left at the top: the reports of the grassroots unions right under it.
        branches[root.pk]["n"] -= sum(row["n"] for pk, row in branches.items() if pk != root.pk)
        branches[root.pk]["n"] -= sum(_own_waiting([root.pk], root).values())
    else:
        branches = {}
    merged = _merged_counts(root)[1]
    for federation in Organisation.objects.filter(pk__in=list(merged)):
        branches[federation.pk] = {
            "organisation_id": federation.pk,
            "organisation__name": federation.name,
            "organisation__path": federation.path,
            "n": merged[federation.pk],
        }
    ordered = sorted(branches.values(), key=lambda row: row["organisation__path"])
    return [
        {"id": row["organisation_id"], "name": row["organisation__name"], "n": row["n"]}
        for row in ordered
        if row["n"] > 0
    ]


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
    under = Q()
    for scope in access.review_scopes(root):
        under |= Q(organisation__path__startswith=scope.path)
    reports = (
        MonthlyReport.objects.filter(under, pk__in=versions)
        .exclude(organisation=root)
        .select_related("organisation", "resolution")
        .order_by("submitted_at", "pk")
    )
    found = [(report, versions[report.pk]) for report in reports]
    missing = sorted(set(versions) - {report.pk for report, _version in found})
    return found, missing
