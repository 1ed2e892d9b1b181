"""The demo data (``manage.py load_demo``): allocations that add up, eleven months of reports
in every state a reviewer meets, loaded once however often the command runs."""

import datetime

import pytest
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from branches.management.demo import load_demo_organisations, load_demo_users
from branches.models import Organisation
from targets.management.demo import load_demo_reports
from targets.management.demo_allocations import load_demo_allocations
from targets.models import Allocation, MonthlyReport, ReportFigure, TargetComponent, TaskProgress
from targets.resolution.loading import load_resolution_file
from tests.conftest import RESOLUTION_FILE

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The whole demo, loaded once for this module inside a transaction rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        resolution, _ = load_resolution_file(RESOLUTION_FILE)
        load_demo_organisations()
        load_demo_users()
        allocations = load_demo_allocations()
        summary = load_demo_reports()
        yield {"resolution": resolution, "allocations": allocations, "summary": summary}
        transaction.set_rollback(True)


def _counts():
    return [m.objects.count() for m in (Organisation, Allocation, MonthlyReport, ReportFigure, TaskProgress)]


def test_a_second_run_creates_nothing(demo):
    """Running the loaders again adds no row anywhere and says so."""
    assert demo["allocations"] > 0 and "reports (" in demo["summary"]
    before = _counts()
    assert load_demo_organisations() == 0
    assert load_demo_allocations() == 0
    assert "nothing created" in load_demo_reports()
    assert _counts() == before


def test_reports_in_every_state(demo):
    """Approved, submitted, returned and draft reports all exist; older months are mostly
    approved; some reports came in late, some are missing; returned ones carry a comment."""
    reports = MonthlyReport.objects.filter(resolution=demo["resolution"])
    statuses = set(reports.values_list("status", flat=True))
    assert statuses == {"draft", "submitted", "approved", "returned"}
    assert set(reports.values_list("month", flat=True)) == set(range(1, 12))
    old = reports.filter(month__lte=9)
    assert old.approved().count() > 0.85 * old.count()

    due = demo["resolution"].due_date
    submitted = reports.filter(first_submitted_at__isnull=False).values_list("month", "first_submitted_at")
    late = [month for month, at in submitted if timezone.localtime(at).date() > due(month)]
    assert 0 < len(late) < len(submitted) / 4

    june = datetime.date(2020, 6, 1)
    expected_june = Organisation.objects.grassroots().active_on(june).count()
    filed_june = reports.filter(month=6, organisation__kind="grassroots").count()
    assert 0.9 * expected_june < filed_june < expected_june

    returned = reports.filter(status="returned")
    assert not returned.filter(review_comment="").exists()
    assert returned.filter(review_comment__startswith="Đề nghị").exists()


def test_walk_through_has_something_to_do(demo):
    """cdcs_coquan's November is still open, and Rạch Giá has reports awaiting review."""
    november = MonthlyReport.objects.filter(organisation__code="KG-RG-001", month=11).first()
    assert november is None or november.status == "draft"
    assert MonthlyReport.objects.submitted().filter(organisation__parent__code="KG-RG").count() >= 5
    assert TaskProgress.objects.filter(report__organisation__code="KG-RG").count() > 0


def test_approved_figures_carry_the_approved_snapshot(demo):
    """An approved report looks as the approval service leaves it: the approved values equal
    the working values, with the reviewer (rachgia for Rạch Giá's units) and the time."""
    approved = MonthlyReport.objects.approved()
    assert not approved.filter(approved_at__isnull=True).exists()
    assert not approved.filter(reviewed_by__isnull=True).exists()
    reviewers = set(approved.filter(organisation__parent__code="KG-RG").values_list("reviewed_by__username", flat=True))
    assert reviewers == {"rachgia"}
    rows = ReportFigure.objects.filter(report__status="approved").values_list(
        "quantity", "approved_quantity", "done", "approved_done", "value", "approved_value"
    )
    assert len(rows) > 10_000
    assert all(q == aq and d == ad and v == av for q, aq, d, ad, v, av in rows)
    not_approved = ReportFigure.objects.exclude(report__status="approved")
    assert not not_approved.filter(approved_quantity__isnull=False).exists()


def test_figures_are_plausible(demo):
    """Done items happen once a year in the expected month: the Workers' Month in May,
    civil servants' conferences mostly January to March; meals cost 12.000 to 25.000 đồng."""
    figures = ReportFigure.objects.filter(report__resolution=demo["resolution"])
    workers_month = figures.filter(component__target__number=14, done=True)
    assert workers_month.exists()
    assert set(workers_month.values_list("report__month", flat=True)) == {5}
    conferences = figures.filter(component__target__number=6, done=True)
    assert conferences.filter(report__month__lte=3).count() > 0.8 * conferences.count()
    twice = (
        figures.filter(done=True).values("component", "report__organisation").annotate(n=Count("pk")).filter(n__gt=1)
    )
    assert not twice.exists()
    meals = figures.filter(value__isnull=False).values_list("value", flat=True)
    assert meals and all(12000 <= v <= 25000 for v in meals)


def test_allocations_add_up_to_each_figure(demo):
    """Each component's figure is split exactly among the 18 upper levels; the province's own
    target is not allocated; the upper levels' own inspection is one each."""
    resolution = demo["resolution"]
    uppers = Organisation.objects.upper_levels()
    assert uppers.count() == 18
    for component in resolution.components():
        total = component.allocations.aggregate(total=Sum("figure"))["total"]
        if component.for_upper_level or component.for_grassroots:
            assert total == component.figure, component
            assert not component.allocations.exclude(organisation__in=uppers).exists()
        else:
            assert total is None, component
    inspection = TargetComponent.objects.get(target__resolution=resolution, target__number=15)
    assert set(inspection.allocations.values_list("figure", flat=True)) == {1}
    # Target 1 (5.821 members) follows membership: education, the largest union, gets the most.
    members = TargetComponent.objects.get(target__resolution=resolution, target__number=1)
    shares = dict(members.allocations.values_list("organisation__code", "figure"))
    assert max(shares, key=shares.get) == "KG-GD"


def test_no_report_before_a_unit_was_founded(demo):
    """A union founded during the year reports from its founding month on, never before."""
    founded = Organisation.objects.grassroots().filter(founded_on__year=2020)
    assert founded.exists()
    rows = MonthlyReport.objects.filter(organisation__in=founded).values_list("month", "organisation__founded_on")
    assert all(month >= founded_on.month for month, founded_on in rows)
