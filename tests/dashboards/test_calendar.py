"""Dashboards follow the calendar: they open on the last closed month, offer only months
that have begun, say when a month's figures are provisional, give verdicts once a target's
time is up, and say what it takes to catch up and who is furthest behind.

Reports are due on the 20th of the next month (the 2020 resolution's data)."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse

from targets.models import MonthlyReport
from targets.reporting import services
from tests.dashboard_data import build_scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario(resolution, tree):
    return build_scenario(resolution, tree)


def get(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def month_options(text):
    select = text[text.index('name="month"') : text.index("</select>", text.index('name="month"'))]
    return re.findall(r"<option[^>]*>([^<]+)</option>", select)


def test_opens_on_the_last_closed_month_and_offers_months_begun(client, users, tree, scenario, settings):
    """On 10 April 2020 February is the last closed month (March closes on 21 April): the
    dashboard opens on it, and the month list stops at April."""
    settings.UNIONPLAN_TODAY = datetime.date(2020, 4, 10)
    text = get(client, users["province"], reverse("dashboard-unit", args=[tree["province"].pk]))
    assert "số liệu đến ngày 29/02/2020" in text
    assert month_options(text) == [f"tháng {m}/2020" for m in range(1, 5)]
    assert "tạm tính" not in text


def test_a_month_not_begun_shows_the_nearest_with_a_message(client, users, tree, scenario, settings):
    """Asking for September on 10 April 2020 shows April, and says so."""
    settings.UNIONPLAN_TODAY = datetime.date(2020, 4, 10)
    url = reverse("dashboard-unit", args=[tree["province"].pk]) + "?month=9"
    text = get(client, users["province"], url)
    assert "Tháng 9/2020 chưa bắt đầu: đang hiển thị tháng 4/2020." in text
    assert "số liệu đến ngày 30/04/2020" in text


def test_a_month_not_yet_due_is_provisional(client, users, tree, scenario, settings):
    """March, due on 20 April, is provisional on 10 April with how many units have reported:
    the school (approved, then reopened for correction: it still counts), the firm and Hà
    Tiên's firm (approved), the SOE and Hà Tiên's school (submitted): 5 of the 9 units
    expected (province, 2 upper levels, 6 grassroots active on 31 March)."""
    settings.UNIONPLAN_TODAY = datetime.date(2020, 4, 10)
    march = MonthlyReport.objects.get(organisation=tree["school"], month=3)
    services.report_reopen(report=march, user=users["rach_gia"], reason="Sai số liệu")
    text = get(client, users["province"], reverse("dashboard-unit", args=[tree["province"].pk]) + "?month=3")
    assert "tạm tính, chưa đến hạn báo cáo" in text
    assert "5/9 đơn vị đã báo cáo đến nay; hạn báo cáo ngày 20/04/2020." in text


def test_what_it_takes(client, users, tree, scenario, settings):
    """Target 1 as of February: 24 of 5.821, so 5.797 over March–December, 580 a month against
    12 a month so far: 48,3 times the current pace."""
    settings.UNIONPLAN_TODAY = datetime.date(2020, 4, 10)
    text = get(client, users["province"], reverse("dashboard-unit", args=[tree["province"].pk]) + "?month=2")
    assert "cần 580/tháng, gấp 48,3 lần nhịp hiện tại" in text


def test_year_end_verdicts_and_units_furthest_behind(client, users, tree, scenario, settings, resolution):
    """Once December 2020 has closed, target 1 at Rạch Giá (allocation 30, 28 achieved) is not
    achieved, 2 short; Hà Tiên (3 of 3) achieved. The target page lists Rạch Giá as furthest
    behind, and the list exports."""
    settings.UNIONPLAN_TODAY = datetime.date(2021, 2, 1)
    t1 = scenario["t1"]
    url = reverse("dashboard-component", args=[tree["province"].pk, t1.pk]) + "?month=12"
    text = get(client, users["province"], url)
    behind = text[text.index("behind-table") :]
    assert "Đơn vị RG" in behind and "Đơn vị HT" not in behind and "Không đạt" in behind
    response = client.get(url + "&_export=csv&table=behind")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][:5] == ["Đơn vị RG", "30", "30", "28", "2"]


def test_review_list_and_report_index_open_on_the_month_being_reported(client, users, tree, settings):
    """On 3 December 2020 November's reports are coming in (due on 20 December): the review
    list opens on November and the officer's month list marks November as due now."""
    settings.UNIONPLAN_TODAY = datetime.date(2020, 12, 3)
    client.force_login(users["rach_gia"])
    response = client.get(reverse("review_list"))
    assert response.context["month"] == 11
    client.force_login(users["school"])
    text = client.get(reverse("report_index")).content.decode()
    row = re.search(r'<tr class="table-warning reporting-month">(.*?)</tr>', text, re.S).group(1)
    assert "11/2020" in row and "đến hạn báo cáo" in row
