"""The officers' working month in a real browser: a reviewer approves the waiting reports
from the inbox in one action (one changed meanwhile is refused with the reason); a
grassroots officer follows the to-do on the home page, is warned before leaving typed
figures, is asked before "nothing to report" clears them, submits and withdraws."""

import datetime
import re

import pytest

from targets.models import MonthlyReport, ReportFigure
from targets.reporting import services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def december(settings):
    settings.UNIONPLAN_TODAY = datetime.date(2020, 12, 3)


def submit(resolution, unit, officer, month, quantity):
    members = resolution.components().get(target__number=1)
    report = services.report_get_or_create(unit=unit, resolution=resolution, month=month)
    services.report_save(
        report=report,
        user=officer,
        figures={members.pk: {"quantity": quantity}},
        tasks={},
        expected_version=report.version,
        submit=True,
    )
    return MonthlyReport.objects.get(pk=report.pk)


def test_bulk_approval_from_the_inbox(log_in, resolution, tree, users):
    school = submit(resolution, tree["school"], users["school"], 10, 3)
    submit(resolution, tree["school"], users["school"], 11, 4)
    submit(resolution, tree["firm"], users["firm"], 11, 5)

    reviewer = log_in("rachgia")
    assert reviewer.locator("#inbox-count").inner_text() == "3"
    reviewer.locator("#nav-inbox").click()
    reviewer.wait_for_url(re.compile(r"/reports/inbox/$"))
    assert reviewer.locator("#inbox tbody tr").count() == 3
    reviewer.locator("#select-all").check()  # static/js/select-all.js ticks every row
    assert reviewer.locator("input[name='report']:checked").count() == 3

    # Meanwhile RG-1 withdraws October to correct it: that one must not be approved.
    services.report_withdraw(report=school, user=users["school"], expected_version=school.version)

    reviewer.get_by_role("button", name="Duyệt các báo cáo đã chọn").click()
    reviewer.wait_for_load_state()
    body = reviewer.locator("main").inner_text()
    assert "Đã duyệt 2 báo cáo." in body
    assert "Chưa duyệt: Đơn vị RG-1 – 10/2020." in body
    statuses = {(r.organisation.code, r.month): r.status for r in MonthlyReport.objects.select_related("organisation")}
    assert statuses == {("RG-1", 10): "draft", ("RG-1", 11): "approved", ("RG-3", 11): "approved"}
    assert reviewer.locator("#inbox-count").count() == 0
    assert "Không có báo cáo nào chờ bạn duyệt." in reviewer.locator("#inbox").inner_text()


def test_the_grassroots_to_do_nothing_to_report_and_withdraw(log_in, resolution, tree, users):
    members = resolution.components().get(target__number=1)
    school = tree["school"]
    for month in range(1, 10):
        submit(resolution, school, users["school"], month, 1)

    officer = log_in("school")
    officer.locator("#nav-figures").click()  # the menu's group "Theo dõi"
    officer.get_by_role("link", name="Nghị quyết").click()  # the home page
    todo = officer.locator("#todo")
    assert "hạn 20/12/2020, còn 17 ngày" in todo.locator("#todo-current").inner_text()
    assert "10/2020" in todo.locator("#todo-overdue").inner_text()
    assert todo.locator("#todo-months [data-done]").count() == 9

    # This month's report, one link away; a figure typed, then "nothing to report".
    todo.locator("#todo-current").get_by_role("link", name="Nhập báo cáo").click()
    officer.wait_for_url(re.compile(rf"/reports/2020/11/{school.pk}/edit/$"))
    quantity = officer.locator(f"input[name='c{members.pk}_quantity']")
    quantity.click()
    quantity.type("7")

    # Leaving the page with the figure unsaved: the browser asks; staying keeps it.
    dialogs = []
    officer.once("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    officer.locator("#nav-figures").click()  # the menu's group "Theo dõi"
    officer.get_by_role("link", name="Nghị quyết").click()
    officer.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert quantity.input_value() == "7"

    officer.get_by_role("button", name="Tháng này không có gì để báo cáo").click()
    assert "Báo cáo này đang có số liệu" in officer.locator("#confirm-nothing").inner_text()
    officer.get_by_role("button", name="Không, giữ lại số liệu").click()
    assert quantity.input_value() == "7"
    assert ReportFigure.objects.get(report__month=11, component=members).quantity is None

    officer.click("button[name='action'][value='submit']")
    officer.wait_for_url(re.compile(rf"/reports/2020/11/{school.pk}/$"))
    assert officer.locator("[data-status]").inner_text() == "Đã gửi"

    # Withdrawn before review: a draft again, the figure kept, the to-do says so.
    officer.get_by_role("button", name="Rút lại báo cáo để sửa").click()
    officer.wait_for_url(re.compile(rf"/reports/2020/11/{school.pk}/edit/$"))
    assert "Đã rút lại báo cáo" in officer.locator("main").inner_text()
    assert officer.locator("[data-status]").inner_text() == "Nháp"
    assert quantity.input_value() == "7"
    officer.goto("/")
    assert "Tiếp tục báo cáo" in officer.locator("#todo-current").inner_text()
