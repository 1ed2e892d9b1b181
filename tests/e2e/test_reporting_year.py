"""The reporting year as its people play it, in a real browser through the real pages.

A grassroots officer fills in March and submits it; the upper level returns it with a
comment; the officer reads the comment, corrects the figure and resubmits; the upper level
approves. Provincial staff see the province dashboard's figure for target 1 rise by exactly
the approved number; an admin lowers the target's figure in Django admin and the percent on
the dashboard follows; the dashboard's table, exported to Excel and to CSV, holds the same
numbers."""

import csv
import datetime
import re

import openpyxl
import pytest

from branches.models import Organisation, User
from targets.reporting import services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MONTH = 3
COMMENT = "Số đoàn viên kết nạp chưa khớp sổ theo dõi, đề nghị kiểm tra lại."


def vn_int(text):
    """'2.205' (Vietnamese thousands separator) → 2205."""
    return int(text.strip().replace(".", ""))


def target_row(page, number=1):
    """The cells of target ``number`` in the dashboard's progress table, by column header: each
    cell's main figure (its second line of secondary figures and its bar left out), and what is submitted,
    awaiting approval, read from under the achieved figure ("0" when nothing waits)."""
    table = page.locator("table.progress-table")
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    row = table.locator("tbody tr").filter(has=page.locator(f"td:first-child:text-is('{number}')"))
    cells = row.locator("td").evaluate_all(
        """cells => cells.map(cell => {
            const main = cell.cloneNode(true);
            main.querySelectorAll(".second-line, svg").forEach(part => part.remove());
            return main.textContent.replace(/\\s+/g, " ").trim();
        })"""
    )
    assert len(cells) == len(headers), (headers, cells)
    found = dict(zip(headers, cells, strict=True))
    pending = row.locator(".pending .tabular")
    found["Đã gửi, chờ duyệt"] = pending.inner_text() if pending.count() else "0"
    return found


def approve_in_the_background(resolution, unit, officer, reviewer, component, quantity):
    """Another union's February report, approved: the province's total does not start at 0."""
    report = services.report_get_or_create(unit=unit, resolution=resolution, month=2)
    services.report_save(
        report=report,
        user=officer,
        figures={component.pk: {"quantity": quantity}},
        tasks={},
        expected_version=report.version,
        submit=True,
    )
    report.refresh_from_db()
    services.report_approve(report=report, user=reviewer)


@pytest.fixture
def seafood(tree, make_user):
    """A large non-state enterprise under Rạch Giá (2.500 workers) and its union's officer."""
    unit = Organisation.objects.create(
        code="RG-9",
        name="CĐCS Công ty CP Thủy sản Kiên Giang",
        kind=Organisation.Kind.GRASSROOTS,
        sector=Organisation.Sector.NON_STATE_ENTERPRISE,
        parent=tree["rach_gia"],
        workforce=2500,
        members=900,
        founded_on=datetime.date(2012, 5, 1),
    )
    make_user("thuysan", unit, User.Role.GRASSROOTS_OFFICER)
    return unit


def test_a_month_filed_returned_corrected_approved_counted_and_exported(
    log_in, resolution, tree, users, superuser, seafood, tmp_path
):
    members = resolution.components().get(target__number=1)
    assert members.figure == 5821
    approve_in_the_background(resolution, tree["ht_firm"], users["ht_firm"], users["ha_tien"], members, 1000)

    # Provincial staff land on the province's dashboard: 1.000 of 5.821 achieved.
    province = log_in("tinh")
    assert province.locator("h1").inner_text() == tree["province"].name
    before = target_row(province)
    assert vn_int(before["Đã đạt"]) == 1000
    assert vn_int(before["Đã gửi, chờ duyệt"]) == 0
    assert before["Tỷ lệ so với chỉ tiêu"] == "đạt 17,2%"  # 1000 / 5821 = 17,18%

    # The seafood company union's officer fills in March, typing the number the Vietnamese way, and submits it.
    officer = log_in("thuysan")
    officer.get_by_role("link", name="Báo cáo tháng").click()
    march = officer.locator("#months tbody tr").nth(MONTH - 1)
    assert "Tháng 3/2020" in march.inner_text()
    march.get_by_role("link", name="Nhập báo cáo").click()
    quantity = officer.locator(f"input[name='c{members.pk}_quantity']")
    quantity.fill("1.250")
    officer.fill("textarea[name='note']", "Kết nạp trong đợt ra quân tháng 3.")
    officer.click("button[name='action'][value='submit']")
    officer.wait_for_url(re.compile(rf"/reports/2020/{MONTH}/{seafood.pk}/$"))
    assert officer.locator("[data-status]").inner_text() == "Đã gửi"
    assert "1.250" in officer.locator("#figures").inner_text()

    # Submitted, not approved: the province sees it apart, the achieved figure stays.
    province.reload()
    row = target_row(province)
    assert (vn_int(row["Đã đạt"]), vn_int(row["Đã gửi, chờ duyệt"])) == (1000, 1250)

    # The upper level finds the report in its review list and returns it with a comment.
    reviewer = log_in("rachgia")
    reviewer.locator("#nav-report").click()  # the menu's group "Báo cáo"
    reviewer.get_by_role("link", name="Duyệt báo cáo").click()
    reviewer.select_option("#id_month", str(MONTH))
    reviewer.get_by_role("button", name="Lọc").click()
    reviewer.get_by_role("link", name=seafood.name).click()
    assert "1.250" in reviewer.locator("#figures").inner_text()
    reviewer.fill("#review textarea[name='comment']", COMMENT)
    reviewer.click("#review button[value='return']")
    reviewer.wait_for_load_state()
    assert reviewer.locator("[data-status='returned']").count() == 1

    # The officer sees the comment, corrects the figure and resubmits.
    officer.get_by_role("link", name="Báo cáo tháng").click()
    officer.locator("#months tbody tr").nth(MONTH - 1).get_by_role("link", name="Nhập báo cáo").click()
    assert COMMENT in officer.locator("#review-comment").inner_text()
    assert quantity.input_value() == "1.250"
    quantity.fill("1.205")
    officer.click("button[name='action'][value='submit']")
    officer.wait_for_url(re.compile(rf"/reports/2020/{MONTH}/{seafood.pk}/$"))
    assert "1.205" in officer.locator("#figures").inner_text()

    # The upper level approves the corrected report.
    reviewer.reload()
    assert "1.205" in reviewer.locator("#figures").inner_text()
    reviewer.click("#review button[value='approve']")
    reviewer.wait_for_load_state()
    assert reviewer.locator("[data-status]").inner_text() == "Đã duyệt"

    # The province's figure rose by exactly the approved 1.205: 2.205 of 5.821.
    province.reload()
    after = target_row(province)
    assert vn_int(after["Đã đạt"]) - vn_int(before["Đã đạt"]) == 1205
    assert vn_int(after["Đã gửi, chờ duyệt"]) == 0
    assert after["Tỷ lệ so với chỉ tiêu"] == "đạt 37,9%"  # 2205 / 5821 = 37,88%

    # An admin lowers the target's figure to 4.410 in Django admin.
    admin = log_in("admin", login_path="/admin/login/")
    admin.goto(f"/admin/targets/targetcomponent/{members.pk}/change/")
    admin.fill("#id_figure", "4410")
    # A figure changes only with a reason and the month it applies from (issue 13 item 9).
    admin.fill("#id_change_reason", "Điều chỉnh theo Nghị quyết bổ sung")
    admin.fill("#id_effective_month", "1")
    admin.click("input[name='_save']")
    admin.wait_for_load_state()
    assert admin.locator(".messagelist .success").count() == 1, admin.locator("body").inner_text()[:1000]

    # The dashboard's percent follows: 2.205 of 4.410 is 50,0%.
    province.reload()
    row = target_row(province)
    assert row["Chỉ tiêu giao"] == "4.410 (trước: 5.821, từ tháng 1)"  # the changed figure shows the old one
    assert vn_int(row["Đã đạt"]) == 2205
    assert row["Tỷ lệ so với chỉ tiêu"] == "đạt 50,0%"

    # The targets table, exported to Excel and to CSV, opens with the same numbers.
    export = province.locator("[aria-label='Xuất dữ liệu']").first
    with province.expect_download() as download_info:
        export.get_by_role("link", name="XLSX").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    download.save_as(tmp_path / download.suggested_filename)
    sheet = openpyxl.load_workbook(tmp_path / download.suggested_filename).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header_row = int(sheet.freeze_panes[1:]) - 2  # under the title block, frozen (0-based here)
    header, target_1 = rows[header_row], next(r for r in rows[header_row + 1 :] if r[0] in (1, "1"))
    assert target_1[header.index("Chỉ tiêu giao")] == 4410
    assert target_1[header.index("Đã đạt")] == 2205
    assert target_1[header.index("Đã gửi, chờ duyệt")] == 0
    assert target_1[header.index("Tỷ lệ so với chỉ tiêu")] == pytest.approx(50.0)

    with province.expect_download() as download_info:
        export.get_by_role("link", name="CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    download.save_as(tmp_path / download.suggested_filename)
    with open(tmp_path / download.suggested_filename, encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))
    header, target_1 = rows[0], next(r for r in rows[1:] if r[0] == "1")
    assert int(target_1[header.index("Chỉ tiêu giao")]) == 4410
    assert int(target_1[header.index("Đã đạt")]) == 2205
    assert float(target_1[header.index("Tỷ lệ so với chỉ tiêu")]) == pytest.approx(50.0)
