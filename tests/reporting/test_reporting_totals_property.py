"""Who reported a month, kept as running totals (``ReportingTotal``), always equals a fresh
count over the tree and the reports: after any sequence of reports filed, submitted late or
on time, approved, reopened and returned, units added, founded, dissolved, moved (with new
dates in the same save), made an upper level or deleted, and the resolution's due day
changed. A rebuild from scratch gives the same rows."""

import datetime
from collections import Counter

from django.db import transaction
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from branches.models import Organisation
from targets.models import MonthlyReport, ReportingTotal, Resolution
from targets.reporting import inbox, ledger
from targets.reporting.ledger import reporting as reporting_ledger
from targets.resolution.loading import load_resolution_file
from targets.rollup.completeness import completeness, who_reported_afresh
from tests.conftest import RESOLUTION_FILE

G = Organisation.Kind.GRASSROOTS
S = Organisation.Sector
DATES = [None, datetime.date(2019, 5, 1), datetime.date(2020, 3, 15), datetime.date(2020, 8, 31)]


def fresh(resolution, scope, month):
    """The oracle: [expected, on time, late, waiting] of ``scope``'s subtree, straight
    from the tree and the month's reports."""
    return who_reported_afresh(resolution, scope, month)


def kept(resolution, scope, month):
    row = ReportingTotal.objects.filter(organisation=scope, resolution=resolution, month=month).first()
    return [row.expected, row.on_time, row.late, row.waiting] if row else [0, 0, 0, 0]


operation = st.one_of(
    st.tuples(
        st.just("report"),
        st.integers(0, 7),  # unit index
        st.integers(1, 12),  # month
        st.sampled_from(["draft", "submitted", "approved", "returned"]),
        st.sampled_from([None, "early", "at the deadline", "late"]),  # first submitted
    ),
    st.tuples(st.just("reopen"), st.integers(0, 7), st.integers(1, 12)),
    st.tuples(st.just("move"), st.integers(2, 7), st.integers(0, 2), st.sampled_from(DATES)),
    st.tuples(st.just("found"), st.integers(0, 7), st.sampled_from(DATES)),
    st.tuples(st.just("dissolve"), st.integers(0, 7), st.sampled_from([None, *DATES[2:]])),
    st.tuples(st.just("add"), st.integers(0, 2), st.sampled_from(DATES)),
    st.tuples(
        st.just("delete"),
    ),
    st.tuples(st.just("due_day"), st.integers(1, 28)),
)


# The year of the resolution is in progress: a unit moved today counts under its new parent
# for the whole year (the year-end rule, ``Resolution.tree_day``).
@override_settings(UNIONPLAN_TODAY=datetime.date(2020, 12, 3))
class ReportingTotalsEqualAFreshCount(TestCase):
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.lists(operation, min_size=1, max_size=25))
    # An upper level's own report waiting (for the province), and one of its units'.
    @example([("report", 0, 3, "submitted", "early"), ("report", 2, 3, "submitted", "late")])
    def test_any_sequence(self, operations):
        resolution, _ = load_resolution_file(RESOLUTION_FILE)
        province = resolution.organisation
        upper_a = Organisation.objects.create(code="A", name="A", kind="upper_level", parent=province)
        upper_b = Organisation.objects.create(code="B", name="B", kind="upper_level", parent=province)
        middle = Organisation.objects.create(code="M", name="M", kind="upper_level", parent=upper_a)
        parents = [upper_a, upper_b, middle]
        units = [upper_a, upper_b]
        for i in range(6):
            units.append(
                Organisation.objects.create(
                    code=f"G{i}", name=f"G{i}", kind=G, sector=S.PUBLIC_AGENCY, parent=parents[i % 3], workforce=40
                )
            )
        added = []

        for op in operations:
            kind = op[0]
            with transaction.atomic():
                if kind == "report":
                    _, index, month, status, submitted = op
                    unit = Organisation.objects.get(pk=units[index].pk)
                    deadline = resolution.deadline(month)
                    with ledger.tracking(unit):
                        report, _ = MonthlyReport.objects.get_or_create(
                            resolution=resolution, organisation=unit, month=month
                        )
                        report.status = status
                        if submitted and report.first_submitted_at is None:
                            shift = datetime.timedelta(days={"early": -3, "at the deadline": 0, "late": 2}[submitted])
                            report.first_submitted_at = deadline + shift
                        if status == "approved":
                            report.approved_at = timezone.now()
                        report.save()
                elif kind == "reopen":
                    _, index, month = op
                    with ledger.tracking(units[index]):
                        MonthlyReport.objects.filter(organisation=units[index], month=month, status="approved").update(
                            status="draft"
                        )
                elif kind == "move":
                    _, index, parent_index, founded = op
                    unit = Organisation.objects.get(pk=units[index].pk)
                    if parents[parent_index].is_within(unit):
                        continue
                    unit.parent = parents[parent_index]
                    unit.founded_on = founded
                    unit.dissolved_on = None
                    unit.save()
                elif kind in ("found", "dissolve"):
                    _, index, day = op
                    unit = Organisation.objects.get(pk=units[index].pk)
                    setattr(unit, "founded_on" if kind == "found" else "dissolved_on", day)
                    if unit.founded_on and unit.dissolved_on and unit.dissolved_on < unit.founded_on:
                        continue
                    unit.save()
                elif kind == "add":
                    _, parent_index, founded = op
                    added.append(
                        Organisation.objects.create(
                            code=f"N{len(added)}",
                            name="N",
                            kind=G,
                            sector=S.PUBLIC_AGENCY,
                            parent=parents[parent_index],
                            founded_on=founded,
                        )
                    )
                elif kind == "delete" and added:
                    added.pop().delete()
                elif kind == "due_day":
                    resolution = Resolution.objects.get(pk=resolution.pk)
                    resolution.report_due_day = op[1]
                    resolution.save()

        resolution.refresh_from_db()
        for scope in [province, upper_a, upper_b, middle]:
            scope.refresh_from_db()
            for month in range(1, 13):
                assert kept(resolution, scope, month) == fresh(resolution, scope, month), (scope.code, month)
        # The page's rows, read from the totals, are the fresh counts of each child.
        rows, total = completeness(resolution, province, 12)
        assert [total.expected, total.on_time, total.late] == fresh(resolution, province, 12)[:3]
        for row in rows:
            if row.unit.pk != province.pk:
                assert [row.expected, row.on_time, row.late] == fresh(resolution, row.unit, 12)[:3], row.unit.code
        # The inbox's counts, read from the totals, are those of its waiting reports.
        for root in (province, upper_a, middle):
            waiting = MonthlyReport.objects.awaiting_review_by(root).order_by()
            by_month = waiting.values("resolution__year", "month").annotate(n=Count("pk"))
            assert inbox.counts_by_month(root) == sorted(by_month, key=lambda r: (r["resolution__year"], r["month"]))
            # By branch: the union right under ``root`` a waiting unit lies in, or ``root``
            # itself for its own grassroots unions.
            by_branch = Counter()
            for path in waiting.values_list("organisation__path", flat=True):
                branch = int(path[len(root.path) :].split("/")[0])
                direct = Organisation.objects.get(pk=branch)
                by_branch[root.pk if direct.kind == G else branch] += 1
            assert {r["id"]: r["n"] for r in inbox.counts_by_branch(root)} == dict(by_branch)
        fields = ("organisation", "resolution", "month", "expected", "on_time", "late", "waiting")
        before = sorted(ReportingTotal.objects.values_list(*fields))
        reporting_ledger.rebuild(resolution)
        after = sorted(ReportingTotal.objects.values_list(*fields))
        assert [row for row in before if any(row[3:])] == after
