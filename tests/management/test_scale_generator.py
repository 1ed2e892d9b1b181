"""The bulk generator builds a consistent tree and year of reports (used by the benchmarks)."""

import pytest
from django.db import transaction
from django.db.models import Count, F, Q, Sum

from branches.models import Organisation
from targets.management.scale import generate
from targets.models import MonthlyReport, ReportFigure, Resolution, Target, TaskProgress
from tests.reporting.test_ledger_property import maintained, maintained_tasks, straight, straight_tasks

pytestmark = pytest.mark.django_db


def test_province_sized_tree_and_reports():
    counts = generate(grassroots=200, months=3, seed=7, log=lambda *_: None)
    root = Organisation.objects.get(code="S7-P1")
    assert Organisation.objects.under(root).grassroots().count() == 200
    assert counts["organisations"] == Organisation.objects.under(root).count()
    # Every path is its parent's path plus its own segment.
    assert not Organisation.objects.filter(parent__isnull=False).exclude(path__startswith=F("parent__path")).exists()
    reports = MonthlyReport.objects.filter(organisation__path__startswith=root.path)
    assert reports.count() == counts["reports"] > 0
    assert set(reports.values_list("month", flat=True)) <= {1, 2, 3}
    approved = ReportFigure.objects.filter(report__status="approved")
    assert approved.exists()
    assert not approved.exclude(Q(approved_quantity=F("quantity")) | Q(quantity__isnull=True)).exists()
    assert not ReportFigure.objects.exclude(report__status="approved").filter(approved_done=True).exists()
    # No report before a unit was founded.
    assert not reports.filter(
        organisation__founded_on__year=2020, month__lt=F("organisation__founded_on__month")
    ).exists()


def test_national_tree_has_provinces():
    generate(grassroots=5400, months=1, seed=8, log=lambda *_: None)
    root = Organisation.objects.get(code="S8-VN")
    assert root.kind == Organisation.Kind.CONFEDERATION
    assert Organisation.objects.under(root).filter(kind="province").count() == 2
    assert Organisation.objects.under(root).grassroots().count() >= 5000


def test_several_years_of_the_same_federation():
    counts = generate(grassroots=60, years=3, months=2, seed=9, log=lambda *_: None)
    root = Organisation.objects.get(code="S9-P1")
    resolutions = list(Resolution.objects.filter(organisation=root).order_by("year"))
    assert [r.year for r in resolutions] == counts["years"] == [2018, 2019, 2020]
    assert counts["resolution"] == resolutions[-1].pk
    numbers = [list(r.targets.order_by("number").values_list("number", flat=True)) for r in resolutions]
    assert numbers[0] == numbers[1] == numbers[2] == list(range(1, 17))
    if any(f.name == "continues" for f in Target._meta.get_fields()):
        for earlier, later in zip(resolutions, resolutions[1:], strict=False):
            links = dict(later.targets.values_list("number", "continues__number"))
            assert links == {n: n for n in range(1, 17)}
            assert set(later.targets.values_list("continues__resolution", flat=True)) == {earlier.pk}
        assert not resolutions[0].targets.filter(continues__isnull=False).exists()

    reports = MonthlyReport.objects.filter(organisation__path__startswith=root.path)
    assert reports.count() == counts["reports"]
    for closed in resolutions[:2]:
        # A closed year: all twelve months, everything filed was approved.
        assert set(reports.filter(resolution=closed).values_list("month", flat=True)) == set(range(1, 13))
        assert set(reports.filter(resolution=closed).values_list("status", flat=True)) == {"approved"}
    assert set(reports.filter(resolution=resolutions[-1]).values_list("month", flat=True)) == {1, 2}
    # No report of a year before the unit was founded.
    assert not reports.filter(organisation__founded_on__year__gt=F("resolution__year")).exists()
    assert not reports.filter(
        organisation__founded_on__year=F("resolution__year"), month__lt=F("organisation__founded_on__month")
    ).exists()
    # Figures only on components of the report's own resolution.
    assert not ReportFigure.objects.exclude(component__target__resolution=F("report__resolution")).exists()
    assert TaskProgress.objects.exclude(narrative="").filter(report__resolution=resolutions[0]).exists()

    # The running totals, built at the end, equal a fresh SUM over each year's reports.
    expected, expected_tasks = {}, {}
    for resolution in resolutions:
        expected |= straight(resolution, root, 12)
        expected_tasks |= straight_tasks(resolution, root, 12)
    assert expected and maintained(root, 12) == expected
    assert expected_tasks and maintained_tasks(None, root, 12) == expected_tasks


def test_the_same_arguments_give_the_same_data():
    def generated():
        with transaction.atomic():
            generate(grassroots=40, years=2, months=3, seed=5, log=lambda *_: None)
            mine = Q(report__organisation__code__startswith="S5-")
            units = list(
                Organisation.objects.filter(code__startswith="S5-")
                .order_by("code")
                .values_list("code", "sector", "workforce", "founded_on")
            )
            reports = list(
                MonthlyReport.objects.filter(organisation__code__startswith="S5-")
                .order_by("organisation__code", "resolution__year", "month")
                .values_list("organisation__code", "resolution__year", "month", "status")
            )
            figures = ReportFigure.objects.filter(mine).aggregate(
                Sum("quantity"), Sum("value"), done=Count("pk", filter=Q(done=True))
            )
            transaction.set_rollback(True)
        return units, reports, figures

    first = generated()
    assert first[1] and first == generated()
