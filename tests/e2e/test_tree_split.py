"""A split in a real browser: provincial staff open "change one unit", split a union into two
parts, choose the shares in the preview (shares that do not add up are refused, nothing
applied), see the allocation shared out, and apply it. Screenshots of the form and the
preview at 1366 px and 375 px go to the test's temporary directory (UNIONPLAN_SCREENSHOTS,
if set, names another)."""

import datetime
import os
from pathlib import Path

import pytest

from branches.models import Organisation, TreeChange
from targets.models import Allocation

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def july(settings):
    settings.UNIONPLAN_TODAY = datetime.date(2020, 7, 10)


def shot(page, folder, name, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
    # Nothing wider than the screen: the page reads on a phone without sideways scrolling.
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, (name, width, overflow)


def test_split_with_the_shares_chosen_in_the_preview(log_in, resolution, tree, users, tmp_path):
    folder = Path(os.environ.get("UNIONPLAN_SCREENSHOTS") or tmp_path)
    members = resolution.components().get(target__number=1)
    Allocation.objects.create(component=members, organisation=tree["firm"], figure=10)
    page = log_in("tinh")
    page.goto("/tree/changes/")
    page.click("text=Thay đổi một đơn vị")
    page.fill("#id_decision_number", "91/QĐ-LĐLĐ")
    page.fill("#id_decision_date", "25/06/2020")
    page.fill("#id_effective_on", "01/07/2020")
    page.select_option("#id_action", "split")
    page.fill("#id_unit", "RG-3")
    page.fill("#id_parts", "RG-3A; CĐCS Công ty A\nRG-3B; CĐCS Công ty B")
    shot(page, folder, "split-form", 1366)
    shot(page, folder, "split-form", 375)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.click("text=Xem trước thay đổi")
    page.wait_for_selector(".split-shares")
    assert "Tỷ lệ chia tách Đơn vị RG-3" in page.inner_text(".split-shares")
    assert "CĐCS Công ty A: 5 · CĐCS Công ty B: 5" in page.inner_text(".preview-allocations")

    first, second = page.locator(".split-shares input[type=number]").all()
    first.fill("70")
    second.fill("20")
    page.click("text=Áp dụng thay đổi")
    page.wait_for_selector("text=cộng lại được 90%, không phải 100%")
    assert first.input_value() == "70"  # the shares as typed, to correct
    assert not Organisation.objects.filter(code="RG-3A").exists()
    assert TreeChange.objects.get().status == TreeChange.Status.DRAFT

    first, second = page.locator(".split-shares input[type=number]").all()
    first.fill("60")
    second.fill("40")
    page.click("text=Cập nhật bản xem trước theo tỷ lệ này")
    page.wait_for_selector("text=CĐCS Công ty A: 6 · CĐCS Công ty B: 4")
    shot(page, folder, "split-preview", 1366)
    shot(page, folder, "split-preview", 375)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.click("text=Áp dụng thay đổi")
    page.wait_for_selector("text=Đã áp dụng thay đổi")
    a, b = Organisation.objects.get(code="RG-3A"), Organisation.objects.get(code="RG-3B")
    assert (Allocation.objects.get(organisation=a).figure, Allocation.objects.get(organisation=b).figure) == (6, 4)
    assert Organisation.objects.get(code="RG-3").dissolved_on == datetime.date(2020, 7, 1)
