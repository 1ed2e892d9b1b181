"""The draft report holds exactly the dashboard's figures (issue 25, item 4): for the same
unit and month, in both resolutions of the test data (2020, and 2021 which continues it),
for an upper level and a grassroots union, and for a money and a share target."""

import datetime

import pytest

from targets.models import MonthlyReport
from targets.resolution.loading import load_resolution_file
from tests.dashboard_data import build_scenario, component, file_report
from tests.dashboards.test_money_and_shares import approve, federation  # noqa: F401  (a fixture)

from .helpers import (
    assert_same_figures,
    dashboard_rows,
    document,
    document_text,
    draft,
    page_table,
    targets_table,
)

pytestmark = pytest.mark.django_db
KG_2021 = __import__("tests.resolution.test_continues", fromlist=["KG_2021"]).KG_2021


@pytest.fixture
def scenario(resolution, tree):
    return build_scenario(resolution, tree)


@pytest.mark.parametrize("month", [2, 3, 12])
def test_the_province_draft_up_to_a_month_has_the_dashboard_s_figures(client, users, tree, scenario, month):
    client.force_login(users["province"])
    response = draft(client, tree["province"], period="month", month=month, year=2020)
    assert_same_figures(document(response), dashboard_rows(client, tree["province"], month=month, year=2020))
    assert response["Content-Disposition"] == f'attachment; filename="bao-cao-ket-qua-den-thang-{month}-2020-KG.docx"'


@pytest.mark.parametrize(("period", "month", "name"), [("half", 6, "so-ket-6-thang"), ("year", 12, "tong-ket-nam")])
def test_the_mid_year_and_year_end_drafts_have_june_s_and_december_s_figures(
    client, users, tree, scenario, period, month, name
):
    """Whatever month the dashboard shows, the mid-year review runs to June and the year-end to December."""
    client.force_login(users["province"])
    response = draft(client, tree["province"], period=period, month=3, year=2020)
    doc = document(response)
    assert_same_figures(doc, dashboard_rows(client, tree["province"], month=month, year=2020))
    assert response["Content-Disposition"] == f'attachment; filename="bao-cao-{name}-2020-KG.docx"'
    text = document_text(doc)
    assert f"Số liệu tính đến hết ngày {'30/06' if month == 6 else '31/12'}/2020" in text


def test_the_draft_s_sections_count_the_targets_and_name_the_slow_ones(client, users, tree, scenario):
    """As of March: the sentence above the table counts the targets as the dashboard's headline
    does; section III names a target behind with what it takes."""
    client.force_login(users["province"])
    text = document_text(document(draft(client, tree["province"], period="month", month=3, year=2020)))
    assert "Tính đến hết tháng 3/2020: 0/16 chỉ tiêu đạt và vượt" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "LIÊN ĐOÀN LAO ĐỘNG TỈNH KIÊN GIANG" in text and "TỔNG LĐLĐ VIỆT NAM" in text
    assert "Số:        /BC-LĐLĐ" in text
    assert "Kiên Giang, ngày " in text
    for heading in ("I. KẾT QUẢ", "II. KẾT QUẢ", "III. NHỮNG HẠN CHẾ", "IV. PHƯƠNG HƯỚNG", "Nơi nhận:", "CHỦ TỊCH"):
        assert heading in text
    # Target 1: 29 of 5.821 approved by March (10 + 5 + 7 + 3 + 4), far behind the straight
    # line: the 5.792 missing over the 9 months left is 644 a month.
    assert (
        "- Chỉ tiêu 1 (Kết nạp đoàn viên mới): kết quả 29, chỉ tiêu 5.821 (đạt 0,5%), chậm tiến độ; "
        "cần 644/tháng, gấp 66,6 lần nhịp hiện tại." in text
    )
    # Reporting of March: who has not reported, by upper level.
    assert "Tháng 3/2020: 5/9 đơn vị đã báo cáo (55,6%); 4 đơn vị chưa báo cáo." in text


def test_an_upper_level_s_draft_has_its_dashboard_s_figures(client, users, tree, scenario):
    client.force_login(users["rach_gia"])
    response = draft(client, tree["rach_gia"], period="month", month=4, year=2020)
    doc = document(response)
    assert_same_figures(doc, dashboard_rows(client, tree["rach_gia"], month=4, year=2020))
    text = document_text(doc)
    assert "ĐƠN VỊ RG" in text and "LIÊN ĐOÀN LAO ĐỘNG TỈNH KIÊN GIANG" in text  # issuer and superior
    assert response["Content-Disposition"].endswith('-2020-RG.docx"')


def test_a_grassroots_union_s_draft_has_its_year_to_date(client, users, tree, scenario):
    """The firm's dashboard shows its year to date per target; the draft the same."""
    from django.urls import reverse

    client.force_login(users["firm"])
    page = client.get(reverse("dashboard-unit", args=[tree["firm"].pk]), {"month": 3, "year": 2020})
    shown = {row[0]: row[-2] for row in page_table(page.content.decode(), "contribution-table")}
    rows = targets_table(document(draft(client, tree["firm"], period="month", month=3, year=2020)))
    assert len(rows) == len(shown)
    for number, name, _unit, _figure, achieved, *_rest in rows:
        label = f"{number}. {name}"
        expected = shown[label]
        assert achieved == ("1" if expected == "đã thực hiện" else "0" if expected == "–" else expected), label
    assert any(r[1] == "Kết nạp đoàn viên mới" and r[4] == "7" for r in rows)


def test_the_next_year_s_draft_shows_the_same_period_last_year(client, users, tree, scenario):
    """2021 continues 2020's targets 1 and 3: the draft's last column is 2020's achievement by
    the same month, as the dashboard shows under "Achieved"."""
    next_year, _ = load_resolution_file(KG_2021)
    t1 = component(next_year, 1)
    file_report(next_year, tree["school"], 2, {t1: {"quantity": 12}})
    file_report(next_year, tree["firm"], 3, {t1: {"quantity": 4}})
    file_report(next_year, tree["ht_firm"], 3, {t1: {"quantity": 9}}, status=MonthlyReport.Status.SUBMITTED)
    client.force_login(users["province"])
    for year in (2020, 2021):
        doc = document(draft(client, tree["province"], period="month", month=3, year=year))
        assert_same_figures(doc, dashboard_rows(client, tree["province"], month=3, year=year))
    rows = targets_table(doc)
    assert rows[0][4] == "16" and rows[0][7] == "29"  # 2021: 12 + 4 approved; 2020 by March: 10 + 5 + 7 + 3 + 4
    assert "Cùng kỳ 2020" in document_text(doc)


def test_money_and_share_targets_read_as_on_the_dashboard(client, federation):  # noqa: F811
    """A fund in đồng ("3,35 tỷ đồng") and a share of enterprises ("37,5% (3/8 doanh nghiệp)")."""
    f = federation
    approve(f, f["firms"][0], 3, {f["fund"].pk: {"quantity": 2_500_000_000}})
    approve(f, f["firms"][1], 4, {f["fund"].pk: {"quantity": 850_000_000}})
    for firm in f["firms"][2:5]:
        approve(f, firm, 2, {f["share"].pk: {"done": True, "done_on": datetime.date(2024, 2, 10)}})
    client.force_login(f["staff"])
    for unit in (f["province"], f["district"]):
        doc = document(draft(client, unit, period="half", month=6, year=2024))
        assert_same_figures(doc, dashboard_rows(client, unit, month=6, year=2024))
    rows = {row[1]: row for row in targets_table(document(draft(client, f["province"], period="half", year=2024)))}
    fund = next(r for name, r in rows.items() if "Quỹ" in name)
    share = next(r for name, r in rows.items() if "thỏa ước" in name.lower())
    assert fund[3] == "12,4 tỷ đồng" and fund[4] == "3,35 tỷ đồng"
    assert share[3] == "70%" and share[4] == "37,5% (3/8 doanh nghiệp)"
