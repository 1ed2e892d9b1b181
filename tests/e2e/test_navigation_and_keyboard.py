"""In a real browser: the menu fits one line at 1366 px for every role, grouped (follow the
figures / report / manage), with the current page marked; the menu, a skip link and the
report form work by keyboard alone; a form's errors are announced and tied to their fields."""

import datetime
import re

import pytest
from django.urls import reverse

from .pages import accessibility_problems

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 768}


def menu_lines(page):
    """How many lines the top bar's items take (their distinct tops)."""
    return page.evaluate(
        """() => new Set([...document.querySelectorAll(
            '.navbar-brand, #mainnav > ul > li, #mainnav > .navbar-text, #mainnav > form')]
            .map(e => Math.round(e.getBoundingClientRect().top + e.getBoundingClientRect().height / 2))).size"""
    )


@pytest.mark.parametrize(
    "role, groups, absent",
    [
        ("tinh", ["Theo dõi", "Chờ duyệt", "Báo cáo", "Quản lý"], ["Quản trị"]),
        ("rachgia", ["Theo dõi", "Chờ duyệt", "Báo cáo", "Quản lý"], ["Quản trị"]),
        ("school", ["Theo dõi", "Báo cáo tháng"], ["Chờ duyệt", "Quản lý", "Duyệt báo cáo", "Đăng ký CĐCS mới"]),
    ],
)
def test_the_menu_fits_one_line_grouped_with_only_the_roles_links(log_in, users, tree, role, groups, absent):
    page = log_in(role)
    page.set_viewport_size(LAPTOP)
    page.goto(reverse("dashboard-completeness"))
    assert menu_lines(page) == 1
    top = page.locator("#mainnav > ul > li > a").all_inner_texts()
    assert [re.sub(r"\s*[\d.+]+$", "", t.strip()) for t in top] == groups  # "Chờ duyệt 3": its count aside
    links = [t.strip() for t in page.locator("#mainnav a").all_text_contents()]
    assert not set(absent) & set(links)
    assert page.get_by_role("button", name="Đăng xuất").is_visible()
    # Where one is: the item of the page marked, and its group.
    current = page.locator("#mainnav [aria-current=page]")
    assert current.count() == 1 and current.get_attribute("href").startswith(reverse("dashboard-completeness"))
    assert "active" in page.locator("#nav-figures").get_attribute("class")


def test_the_menu_and_the_skip_link_work_by_keyboard(log_in, users, tree):
    page = log_in("rachgia")
    page.set_viewport_size(LAPTOP)
    page.goto(reverse("dashboard-unit", args=[tree["rach_gia"].pk]))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Bỏ qua, đến nội dung chính"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # Into the menu's "Báo cáo" group from the keyboard, and to the review list.
    page.locator("#nav-report").focus()
    page.keyboard.press("Enter")
    page.locator("#nav-report + .dropdown-menu").wait_for(state="visible")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Báo cáo tháng"
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Duyệt báo cáo"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('review_list')}*")
    page.keyboard.press("Escape")


def test_report_form_errors_are_announced_and_tied_to_their_fields(log_in, settings, resolution, users, tree):
    settings.UNIONPLAN_TODAY = datetime.date(2020, 12, 3)
    page = log_in("school")
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(reverse("report_edit", args=[2020, 11, tree["school"].pk]))
    recruits = page.locator("#figures input[inputmode=numeric]").first
    assert recruits.bounding_box()["height"] >= 44  # big enough to tap
    recruits.fill("mười hai")
    recruits.press("Enter")  # saves a draft, by keyboard
    page.wait_for_load_state()

    alert = page.get_by_role("alert")
    assert "Chưa lưu gì" in alert.first.inner_text()
    field = page.locator("[aria-invalid=true]")
    assert field.count() == 1
    described = field.get_attribute("aria-describedby")
    message = page.locator(f"#{described}")
    assert message.count() == 1 and message.inner_text().strip()  # the error, next to the field
    assert accessibility_problems(page) == []
