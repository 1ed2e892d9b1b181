"""The dashboard pages as their users see them: figures written the Vietnamese way, the
headline, the drill-down, who may see what, and exports for a meeting."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.dashboard_data import build_scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario(resolution, tree):
    return build_scenario(resolution, tree)


def page(client, user, url):
    client.force_login(user)
    response = client.get(url, follow=True)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_provincial_staff_land_on_the_province_dashboard(client, users, tree):
    """After log-in, provincial staff land on the province's dashboard (Tổng quan first in the menu)."""
    response = client.post(reverse("login"), {"username": "tinh", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("dashboard-unit", args=[tree["province"].pk]))
    text = response.content.decode()
    assert "Tổng quan" in text and "Đơn vị báo cáo" in text and "Nhiệm vụ trọng tâm" in text
    assert text.index("Tổng quan") < text.index("Nghị quyết")


def test_province_dashboard_figures_and_headline(client, users, tree, scenario, settings):
    """As of December, once the year is over: target 1 achieved 31 of 5.821 ("đạt 0,5%"), 20
    awaiting approval, expected 5.821, not achieved; target 8 (state-owned) "1/1" achieved
    ("Đạt"); headline 0 of 16 achieved, and all 16 not achieved (target 8's non-state part
    is not)."""
    settings.UNIONPLAN_TODAY = datetime.date(2021, 3, 1)
    text = page(client, users["province"], reverse("dashboard-unit", args=[tree["province"].pk]) + "?month=12")
    assert "0/16 chỉ tiêu đã đạt" in text
    assert "đạt 0,5%" in text and ">5.821<" in text and ">31<" in text and ">20<" in text
    assert ">1/1<" in text
    assert "Không đạt" in text and "✔ Đạt<" in text and "Chậm tiến độ" not in text
    assert "16 không đạt" in text


def test_as_of_month_changes_every_figure(client, users, tree, scenario):
    """As of February target 1 shows 24 achieved and 970 expected."""
    text = page(client, users["province"], reverse("dashboard-unit", args=[tree["province"].pk]) + "?month=2")
    assert ">24<" in text and ">970<" in text
    assert "số liệu đến ngày 29/02/2020" in text


def test_bad_month_falls_back_with_a_message(client, users, tree, scenario):
    """A month of 13 is refused with a message; the page still shows (default month)."""
    text = page(client, users["province"], reverse("dashboard-unit", args=[tree["province"].pk]) + "?month=13")
    assert "Đang hiển thị theo mặc định" in text


def test_upper_level_dashboard_against_its_allocation(client, users, tree, scenario):
    """Rạch Giá's officer sees 28 achieved of its 30 ("đạt 93,3%")."""
    text = page(client, users["rach_gia"], reverse("dashboard"))
    assert "đạt 93,3%" in text and ">30<" in text and ">28<" in text


def test_target_page_chart_and_drill_down(client, users, tree, scenario):
    """Target 1's page draws an SVG chart and lists the upper levels with allocation, percent
    and rank; Rạch Giá's row links to its grassroots unions."""
    t1 = scenario["t1"]
    text = page(client, users["province"], reverse("dashboard-component", args=[tree["province"].pk, t1.pk]))
    assert "<svg" in text and "Tiến độ cần đạt" in text
    assert "đạt 93,3%" in text and "đạt 100,0%" in text
    drill = reverse("dashboard-component", args=[tree["rach_gia"].pk, t1.pk])
    assert drill in text
    below = page(client, users["province"], drill + "?month=12&sector=public_agency")
    assert tree["school"].name in below and tree["firm"].name not in below
    approved_only = page(client, users["province"], drill + "?month=3&report_status=approved")
    assert tree["school"].name in approved_only and tree["soe"].name not in approved_only


def test_grassroots_officer_sees_own_contribution(client, users, tree, scenario):
    """The school's officer sees its target 1 month by month (10, 5) and its rank in Rạch Giá."""
    text = page(client, users["school"], reverse("dashboard") + "?month=4")
    assert ">10<" in text and ">15<" in text and "hạng 1 / " in text


@pytest.mark.parametrize(
    ("user", "unit"),
    [
        ("rach_gia", "ha_tien"),
        ("rach_gia", "ht_firm"),
        ("rach_gia", "province"),
        ("school", "firm"),
        ("firm", "rach_gia"),
    ],
)
def test_units_outside_ones_subtree_are_refused(client, users, tree, scenario, user, unit):
    """An officer gets 404 for any dashboard of a unit outside its own subtree."""
    client.force_login(users[user])
    pk = tree[unit].pk
    for url in [
        reverse("dashboard-unit", args=[pk]),
        reverse("dashboard-print", args=[pk]),
        reverse("dashboard-component", args=[pk, scenario["t1"].pk]),
        reverse("dashboard-completeness") + f"?unit={pk}",
        reverse("dashboard-tasks") + f"?unit={pk}",
    ]:
        assert client.get(url).status_code == 404, url


def test_upper_level_reaches_its_grassroots_pages(client, users, tree, scenario):
    """Rạch Giá's officer opens the school's page, in its subtree."""
    text = page(client, users["rach_gia"], reverse("dashboard-unit", args=[tree["school"].pk]))
    assert tree["school"].name in text


def test_anonymous_users_are_sent_to_log_in(client, tree):
    response = client.get(reverse("dashboard-unit", args=[tree["province"].pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_xlsx_export_has_vietnamese_headers_and_numbers(client, users, tree, scenario):
    """The province table exports to XLSX with Vietnamese headers and numbers stored as numbers."""
    client.force_login(users["province"])
    response = client.get(reverse("dashboard-unit", args=[tree["province"].pk]) + "?month=12&_export=xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header_row = int(sheet.freeze_panes[1:]) - 1  # under the title block, frozen
    header = [c.value for c in sheet[header_row]]
    assert "Chỉ tiêu" in header and "Đã đạt" in header and "Tình trạng" in header
    first = [c.value for c in sheet[header_row + 1]]
    assert first[header.index("Chỉ tiêu giao")] == 5821
    assert first[header.index("Đã đạt")] == 31 and isinstance(first[header.index("Đã đạt")], int)
    assert first[header.index("Tỷ lệ so với chỉ tiêu")] == 0.5


def test_csv_export_of_the_drill_down(client, users, tree, scenario):
    """The upper-level table of target 1 exports to CSV, one row per upper level."""
    client.force_login(users["province"])
    url = reverse("dashboard-component", args=[tree["province"].pk, scenario["t1"].pk])
    response = client.get(url + "?month=12&_export=csv&table=units")
    assert response.content.startswith("\ufeff".encode())  # Excel on Windows reads it as UTF-8
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert "Xếp hạng" in rows[0]
    by_name = {row[rows[0].index("Công đoàn")]: row for row in rows[1:]}
    assert by_name[tree["rach_gia"].name][rows[0].index("Đã đạt")] == "28"


def test_print_view_is_a4(client, users, tree, scenario):
    """The print view is a standalone page with the A4 print style and the headline."""
    text = page(client, users["province"], reverse("dashboard-print", args=[tree["province"].pk]) + "?month=12")
    assert "css/print.css" in text and "chỉ tiêu đã đạt" in text and "navbar" not in text


def test_english_is_available(client, users, tree, scenario):
    client.force_login(users["province"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    text = client.get(reverse("dashboard-unit", args=[tree["province"].pk]) + "?month=12").content.decode()
    assert "targets achieved" in text


def test_landing_keeps_the_chosen_month(client, users, tree):
    """/dashboard/?month=3 lands on the user's own dashboard as of March."""
    client.force_login(users["rach_gia"])
    response = client.get(reverse("dashboard") + "?month=3")
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard-unit", args=[tree["rach_gia"].pk]) + "?month=3"


def test_units_not_reported_page_through_what_the_summary_counted(client, users, tree, scenario):
    """The list of units that have not reported pages through exactly the units the summary
    counts as missing or not yet due (checked against the list itself), without a second
    count over the tree."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(users["province"])
    url = reverse("dashboard-completeness") + f"?unit={tree['province'].pk}&month=12"
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url + "&u-per_page=2")
    assert response.status_code == 200
    queries = [q["sql"] for q in captured]  # read now: the next request clears the log
    total = response.context["total"]
    table = response.context["tables"]["units"]
    listed = client.get(url + "&u-per_page=500").context["tables"]["units"]
    assert total.unreported == table.paginator.count == len(list(listed.page.object_list)) > 2
    assert table.paginator.num_pages == -(-total.unreported // 2)
    assert queries
    counts = [sql for sql in queries if sql.startswith("SELECT COUNT(*)") and "month_report" in sql]
    assert not counts, counts


def test_narratives_page_without_counting_them(client, users, tree, scenario, resolution):
    """The narratives of the priority tasks come a page at a time without a count of every
    task row under the scope; any page number, even past the end or nonsense, answers."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from targets.models import MonthlyReport, TaskProgress

    task = resolution.tasks.order_by("number").first()
    for report in MonthlyReport.objects.filter(resolution=resolution, status="approved")[:3]:
        TaskProgress.objects.update_or_create(
            report=report, task=task, defaults={"status": "in_progress", "narrative": f"Việc đã làm {report.pk}"}
        )
    client.force_login(users["province"])
    url = reverse("dashboard-tasks") + f"?unit={tree['province'].pk}&month=12"
    every = client.get(url + "&n-per_page=500").context["tables"]["narratives"]
    shown = len(list(every.page.object_list))
    assert shown >= 2
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url + "&n-per_page=1")
    queries = [q["sql"] for q in captured]
    first = response.context["tables"]["narratives"]
    assert len(list(first.page.object_list)) == 1 and first.page.has_next()
    assert not [sql for sql in queries if sql.startswith("SELECT COUNT(*)") and "targets_taskprogress" in sql]
    for page in ("99999", "0", "-1", "abc"):
        assert client.get(url + f"&n-per_page=1&n-page={page}").status_code == 200, page


def test_the_union_switch_offers_the_tree_around_the_scope(client, users, tree):
    """At an upper level: its province, itself and the upper levels beside it, never a
    grassroots union; at the province: itself and its upper levels."""
    client.force_login(users["province"])
    url = reverse("dashboard-completeness")
    choices = client.get(url + f"?unit={tree['rach_gia'].pk}").context["as_of"].fields["unit"].queryset
    assert set(choices) == {tree["province"], tree["rach_gia"], tree["ha_tien"]}
    choices = client.get(url + f"?unit={tree['province'].pk}").context["as_of"].fields["unit"].queryset
    assert set(choices) == {tree["province"], tree["rach_gia"], tree["ha_tien"]}
    assert not any(unit.kind == "grassroots" for unit in choices)
