"""Two federations on one installation: Kiên Giang's officers never see An Giang's
resolution, targets, units or reports on any page, and the other way round."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.dashboard_data import component, file_report

pytestmark = pytest.mark.django_db

AN_GIANG = ("An Giang", "Long Xuyên", "4.321", "uyên truyền pháp luật lao động")
KIEN_GIANG = ("Kiên Giang", "Đơn vị RG", "Đơn vị HT")


@pytest.fixture(autouse=True)
def mid_2024(settings):
    settings.UNIONPLAN_TODAY = datetime.date(2024, 6, 15)


@pytest.fixture
def kg_reports(resolution, tree):
    """An approved November 2020 report of 77 new members from Rạch Giá's firm."""
    file_report(resolution, tree["firm"], 11, {component(resolution, 1): {"quantity": 77}})


def text_of(client, user, url, status=200):
    client.force_login(user)
    response = client.get(url, follow=True)
    assert response.status_code == status, (url, response.status_code)
    if response.get("Content-Type", "").startswith("application/vnd.openxml"):
        wb = load_workbook(io.BytesIO(response.content))
        return "\n".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v)
    return response.content.decode("utf-8-sig")


def kg_pages(tree):
    province = tree["province"].pk
    year = "year=2020&month=11"
    return [
        reverse("home"),
        reverse("dashboard"),
        reverse("dashboard-unit", args=[province]) + f"?{year}",
        reverse("dashboard-unit", args=[province]) + f"?{year}&_export=csv&table=progress",
        reverse("dashboard-print", args=[province]) + f"?{year}",
        reverse("dashboard-completeness") + f"?{year}",
        reverse("dashboard-completeness") + f"?{year}&_export=xlsx&table=units",
        reverse("dashboard-tasks") + f"?{year}",
        reverse("review_list") + f"?{year}",
        reverse("excel_upload") + f"?{year}",
        reverse("excel_template") + f"?{year}",
    ]


def test_kien_giang_staff_never_see_an_giang(client, users, tree, kg_reports, an_giang):
    """On every page of Kiên Giang's provincial staff (home, dashboards, exports, print,
    completeness, tasks, review list, Excel page and template): nothing of An Giang."""
    for url in kg_pages(tree):
        text = text_of(client, users["province"], url)
        for word in AN_GIANG:
            assert word not in text, (url, word)
    assert "Kiên Giang" in text_of(client, users["province"], reverse("home"))


def test_an_giang_staff_see_their_own_resolution_and_nothing_of_kien_giang(client, users, tree, kg_reports, an_giang):
    """An Giang's staff land on An Giang's 2024 resolution and dashboard (4.321 members in
    March), with nothing of Kiên Giang's units, figures or 2020."""
    staff = an_giang["staff"]
    province = an_giang["province"].pk
    pages = [
        reverse("home"),
        reverse("dashboard"),
        reverse("dashboard-unit", args=[province]) + "?month=6",
        reverse("dashboard-completeness") + "?month=3",
        reverse("dashboard-tasks") + "?month=3",
        reverse("review_list") + "?month=3",
        reverse("excel_template") + "?month=3",
    ]
    for url in pages:
        text = text_of(client, staff, url)
        for word in KIEN_GIANG:
            assert word not in text, (url, word)
    home = text_of(client, staff, reverse("home"))
    assert "năm 2024 (tệp thử)" in home and "hội nghị tuyên truyền pháp luật lao động" in home
    assert ">4.321<" in text_of(client, staff, reverse("dashboard-unit", args=[province]) + "?month=6")


def test_asking_for_the_other_federations_year_stays_in_ones_own(client, users, tree, an_giang):
    """?year=2024 (An Giang's only year) on a Kiên Giang page shows Kiên Giang's resolution."""
    text = text_of(client, users["province"], reverse("home") + "?year=2024")
    assert "Kiên Giang" in text and "An Giang" not in text
    text = text_of(client, users["province"], reverse("dashboard-unit", args=[tree["province"].pk]) + "?year=2024")
    assert "năm 2020" in text and "An Giang" not in text


def test_other_federations_units_and_reports_are_refused(client, users, tree, an_giang):
    """An Giang's province, its dashboard components and reports answer 404/403 to Kiên Giang's officers."""
    ag = an_giang
    kg_staff = users["province"]
    client.force_login(kg_staff)
    assert client.get(reverse("dashboard-unit", args=[ag["province"].pk])).status_code == 404
    assert client.get(reverse("dashboard-completeness") + f"?unit={ag['long_xuyen'].pk}").status_code == 404
    assert client.get(reverse("report_detail", args=[2024, 3, ag["firm"].pk])).status_code == 403
    kg_component = component(tree["province"].resolutions.get(year=2020), 1)
    url = reverse("dashboard-component", args=[ag["province"].pk, kg_component.pk])
    client.force_login(ag["staff"])
    assert client.get(url).status_code == 404
    assert client.get(reverse("year_lock", args=[tree["province"].resolutions.get(year=2020).pk])).status_code == 404


def test_the_report_months_of_a_grassroots_union_are_its_own_federations(client, users, an_giang):
    """A Kiên Giang union's report months are Kiên Giang's 2020, never An Giang's 2024."""
    text = text_of(client, users["firm"], reverse("report_index"))
    assert "12/2020" in text and "2024" not in text


def test_an_admin_chooses_the_federation(client, superuser, users, tree, an_giang):
    """An admin without a unit chooses the federation: the home page offers both and shows
    the one chosen; the review list reviews the chosen federation's tree."""
    text = text_of(client, superuser, reverse("home"))
    assert 'name="federation"' in text and "An Giang" in text and "Kiên Giang" in text
    text = text_of(client, superuser, reverse("home") + f"?federation={an_giang['province'].pk}")
    assert "năm 2024 (tệp thử)" in text
    text = text_of(client, superuser, reverse("review_list") + f"?federation={an_giang['province'].pk}&month=3")
    assert "Long Xuyên" in text and "Đơn vị RG" not in text
