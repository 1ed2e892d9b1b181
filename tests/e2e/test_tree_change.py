"""A bulk move in a real browser: provincial staff choose every unit of an upper level,
see the preview (units affected, figures before and after in both views) and apply it;
the dashboard then counts the months where they were in the view as it was. Screenshots
at 1366 px and 375 px go to the test's temporary directory."""

import datetime

import pytest

from branches.models import Organisation, TreeChange
from tests.branches.test_tree_changes import file_members

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def july(settings):
    settings.UNIONPLAN_TODAY = datetime.date(2020, 7, 10)


def test_bulk_move_with_its_preview(log_in, resolution, tree, users, tmp_path):
    file_members(resolution, users["ht_firm"], tree["ht_firm"], 6, 7, approver=users["ha_tien"])
    page = log_in("tinh")
    page.click("#nav-manage")  # the menu group "Quản lý"
    page.click("text=Thay đổi tổ chức")
    page.click("a.btn >> text=Thay đổi tổ chức")
    page.fill("#id_decision_number", "85/QĐ-LĐLĐ")
    page.fill("#id_decision_date", "25/06/2020")
    page.fill("#id_effective_on", "01/07/2020")
    page.select_option("#id_action", "move")
    page.fill("#id_target", "RG")
    page.select_option("#id_under", str(tree["ha_tien"].pk))
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path=str(tmp_path / "form-1366.png"), full_page=True)
    page.click("text=Xem trước thay đổi")
    page.wait_for_selector(".tree-preview")
    assert "2 đơn vị chịu tác động" in page.inner_text(".units-affected")
    totals = page.inner_text(".preview-totals")
    assert "Đơn vị HT" in totals and "Đơn vị RG" in totals and "1/3" in totals
    page.screenshot(path=str(tmp_path / "preview-1366.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=str(tmp_path / "preview-375.png"), full_page=True)
    assert Organisation.objects.get(code="HT-2").parent_id == tree["ha_tien"].pk  # nothing applied yet
    page.click("text=Áp dụng thay đổi")
    page.wait_for_selector("text=Đã áp dụng thay đổi")
    assert TreeChange.objects.get().status == TreeChange.Status.APPLIED
    assert Organisation.objects.get(code="HT-2").parent_id == tree["rach_gia"].pk
    # Hà Tiên's dashboard: June as it was, nothing in today's tree.
    page.goto(f"/dashboard/unit/{tree['ha_tien'].pk}/?month=6&structure=monthly")
    assert "Tính theo cơ cấu từng tháng" in page.inner_text("body")
    assert page.locator("#id_structure").input_value() == "monthly"
