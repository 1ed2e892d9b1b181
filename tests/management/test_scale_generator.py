"""The bulk generator builds a consistent tree and year of reports (used by the benchmarks)."""

import pytest
from django.db.models import F, Q

from branches.models import Organisation
from targets.management.scale import generate
from targets.models import MonthlyReport, ReportFigure

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
