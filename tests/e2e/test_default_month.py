"""The month a new user first sees, in a real browser: with the demo's clock (3 December
2020, ``make run``), provincial staff land on the province dashboard as of October 2020 (the
last closed month: November's reports are due on 20 December), January to December are
offered, and November, when chosen, is marked provisional with how many units reported."""

import datetime

import pytest

from tests.dashboard_data import build_scenario, component, file_report

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_demo_opens_on_the_last_closed_month(resolution, tree, users, log_in, settings):
    settings.UNIONPLAN_TODAY = datetime.date(2020, 12, 3)
    build_scenario(resolution, tree)
    t1 = component(resolution, 1)
    file_report(resolution, tree["school"], 11, {t1: {"quantity": 6}}, submitted_at=None, status="submitted")

    page = log_in("tinh")
    assert "số liệu đến ngày 31/10/2020" in page.inner_text("main")
    months = page.locator("#id_month option")
    assert months.all_inner_texts() == [f"tháng {m}/2020" for m in range(1, 13)]
    assert page.locator("#id_month").input_value() == "10"
    assert page.locator(".provisional").count() == 0
    assert "chỉ tiêu đã đạt" in page.inner_text(".headline")

    page.select_option("#id_month", "11")
    page.get_by_role("button", name="Xem").click()
    page.wait_for_load_state()
    label = page.inner_text(".provisional")
    assert "tạm tính, chưa đến hạn báo cáo" in label
    # Of the 11 units expected in November (2 founded since spring, 1 dissolved in March),
    # only the school has reported it (submitted).
    assert "1/11 đơn vị đã báo cáo đến nay" in label and "20/12/2020" in label

    page.locator("table.progress-table a").first.click()
    page.wait_for_load_state()
    assert page.locator("svg.progress-chart .expected-curve").count() == 1
    assert "tuyến tính" in page.inner_text(".summary")
