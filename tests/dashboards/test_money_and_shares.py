"""Money and shares of eligible units on the dashboards (issue 13 items 4 and 5), with the
second federation's resolution: a fund in đồng and "70% of enterprises sign an agreement"."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from branches.models import Organisation, User
from targets.models import Allocation, MonthlyReport, ReportFigure
from targets.reporting import services
from targets.resolution.loading import load_resolution
from targets.rollup.breakdown import branch_progress
from targets.rollup.pace import Status
from targets.rollup.progress import scope_progress

from ..resolution.second_federation import second_federation

pytestmark = pytest.mark.django_db
G, S = Organisation.Kind.GRASSROOTS, Organisation.Sector


@pytest.fixture
def federation(db, make_user, settings):
    settings.UNIONPLAN_TODAY = datetime.date(2024, 12, 5)
    resolution, _ = load_resolution(second_federation())
    province = resolution.organisation
    district = Organisation.objects.create(code="HGT-A", name="LĐLĐ huyện A", kind="upper_level", parent=province)

    def unit(code, sector, parent=district, dissolved=None):
        return Organisation.objects.create(
            code=code,
            name=f"CĐCS {code}",
            kind=G,
            sector=sector,
            parent=parent,
            workforce=60,
            founded_on=datetime.date(2015, 1, 1),
            dissolved_on=dissolved,
        )

    firms = [unit(f"HGT-A-{i}", S.NON_STATE_ENTERPRISE) for i in range(1, 8)]
    firms.append(unit("HGT-A-8", S.STATE_ENTERPRISE, dissolved=datetime.date(2024, 8, 15)))
    school = unit("HGT-A-9", S.PUBLIC_AGENCY)  # not an enterprise: not eligible for the share
    reviewer = make_user("huyen_a", district, User.Role.UPPER_LEVEL_OFFICER)
    staff = make_user("tinh_hgt", province, User.Role.PROVINCIAL_STAFF)
    officer = make_user("cdcs_hgt", firms[0], User.Role.GRASSROOTS_OFFICER)
    return {
        "resolution": resolution,
        "province": province,
        "district": district,
        "firms": firms,
        "school": school,
        "reviewer": reviewer,
        "staff": staff,
        "officer": officer,
        "fund": resolution.components().get(target__number=1),
        "share": resolution.components().get(target__number=2),
    }


def approve(f, unit, month, figures):
    officer, _ = User.objects.get_or_create(
        username=f"u-{unit.code}", defaults={"organisation": unit, "role": User.Role.GRASSROOTS_OFFICER}
    )
    report = services.report_get_or_create(unit=unit, resolution=f["resolution"], month=month)
    services.report_save(
        report=report, user=officer, figures=figures, tasks={}, expected_version=report.version, submit=True
    )
    report.refresh_from_db()
    services.report_approve(report=report, user=f["reviewer"])


def row_of(f, component, month, scope=None):
    return next(r for r in scope_progress(f["resolution"], scope or f["province"], month) if r.component == component)


def test_money_typed_the_vietnamese_way_is_kept_exactly_and_shown_in_ty(client, federation):
    f = federation
    client.force_login(f["officer"])
    url = reverse("report_edit", args=[2024, 3, f["firms"][0].pk])
    response = client.get(url)
    assert response.status_code == 200
    version = MonthlyReport.objects.get(organisation=f["firms"][0], month=3).version
    response = client.post(
        url, {f"c{f['fund'].pk}_quantity": "2.500.000.000", "version": str(version), "action": "submit"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    figure = ReportFigure.objects.get(report__organisation=f["firms"][0], component=f["fund"])
    assert figure.quantity == 2_500_000_000  # above the old cap of 1.000.000, and above 2^31
    report = MonthlyReport.objects.get(pk=figure.report_id)
    services.report_approve(report=report, user=f["reviewer"])
    approve(f, f["firms"][1], 4, {f["fund"].pk: {"quantity": 850_000_000}})

    client.force_login(f["staff"])
    page = client.get(reverse("dashboard-unit", args=[f["province"].pk]) + "?month=6").content.decode()
    assert "12,4 tỷ đồng" in page and 'title="12.400.000.000 đồng"' in page  # the figure
    assert "3,35 tỷ đồng" in page and 'title="3.350.000.000 đồng"' in page  # achieved
    export = client.get(reverse("dashboard-unit", args=[f["province"].pk]) + "?month=6&_export=csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    fund_row = next(r for r in rows if "Quỹ Mái ấm Công đoàn" in " ".join(r))
    assert "12400000000" in fund_row and "3350000000" in fund_row  # exact numbers in exports


def test_a_figure_too_large_for_the_column_is_refused_by_the_form(client, federation):
    f = federation
    client.force_login(f["officer"])
    url = reverse("report_edit", args=[2024, 3, f["firms"][0].pk])
    client.get(url)
    response = client.post(
        url, {f"c{f['fund'].pk}_quantity": "9.000.000.000.000.000.000", "version": "1", "action": "submit"}
    )
    assert response.status_code == 200 and "không lớn hơn 1.000.000.000.000.000" in response.content.decode()
    assert not ReportFigure.objects.filter(component=f["fund"], quantity__isnull=False).exists()


def test_share_of_eligible_units_against_its_percentage(client, federation):
    f = federation
    for firm in f["firms"][:3]:
        approve(f, firm, 2, {f["share"].pk: {"done": True, "done_on": datetime.date(2024, 2, 10)}})
    row = row_of(f, f["share"], 6)
    assert (row.achieved, row.eligible, row.share) == (3, 8, Decimal("37.5"))
    assert row.figure == 70 and row.expected == Decimal("35.0")  # percent points, half the year
    assert row.status == Status.ON_TRACK
    assert row.percent == Decimal("53.6")  # 37,5 of 70
    late = row_of(f, f["share"], 12)
    assert late.status == Status.BEHIND and late.expected == Decimal("70.0")
    # The state enterprise dissolved in August is no longer eligible as of September.
    assert row_of(f, f["share"], 9).eligible == 7 and row_of(f, f["share"], 9).share == Decimal("42.9")

    client.force_login(f["staff"])
    page = client.get(reverse("dashboard-unit", args=[f["province"].pk]) + "?month=6").content.decode()
    assert "37,5% (3/8 doanh nghiệp)" in page and "70%" in page and "35,0%" in page


def test_shares_allocated_to_upper_levels_are_percentages_too(federation):
    f = federation
    Allocation.objects.create(component=f["share"], organisation=f["district"], figure=50)
    for firm in f["firms"][:2]:
        approve(f, firm, 2, {f["share"].pk: {"done": True, "done_on": datetime.date(2024, 2, 10)}})
    [district] = branch_progress(f["resolution"], f["share"], f["province"], 6, [f["district"]])
    assert district.figure == 50 and district.share == Decimal("25.0") and district.percent == Decimal("50.0")
    row = row_of(f, f["share"], 6, scope=f["district"])
    assert row.figure == 50 and row.share == Decimal("25.0")
