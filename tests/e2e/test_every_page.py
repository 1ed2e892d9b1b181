"""Every page of every role, in Chromium, at an office laptop's 1366 × 768, a 1920 × 1080
screen and a 375 × 812 phone: none scrolls sideways, axe-core finds no serious or critical
accessibility violation (at 1366 and 375, where the menu differs), and a screenshot of each
is saved in screenshots/ (git-ignored) for people to look through after a run.

One browser and one logged-in page per role: the width changes, the page stays."""

import datetime

import pytest
from django.urls import reverse

from tests.dashboard_data import build_scenario

from .pages import WIDTHS, accessibility_problems, clear_screenshots, screenshot, sideways_overflow

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def pages_of(role, resolution, tree, scenario):
    """The pages a role reaches from its menu and its dashboards."""
    province, rach_gia, school = tree["province"], tree["rach_gia"], tree["school"]
    t1, t13 = scenario["t1"], scenario["t13"]
    figures = [
        reverse("dashboard-completeness"),
        reverse("dashboard-tasks"),
        reverse("home"),
    ]
    review = [
        reverse("inbox"),
        reverse("review_list"),
        reverse("branches:register"),
        reverse("excel_upload"),
        reverse("report_detail", args=[2020, 1, school.pk]),
    ]
    if role == "tinh":
        return [
            reverse("dashboard-unit", args=[province.pk]),
            reverse("dashboard-component", args=[province.pk, t1.pk]),
            reverse("dashboard-component", args=[province.pk, t13.pk]),
            reverse("dashboard-component", args=[rach_gia.pk, t1.pk]),
            reverse("dashboard-unit", args=[school.pk]),
            reverse("dashboard-print", args=[province.pk]),
            *figures,
            *review,
            "/no-such-page/",
        ]
    if role == "rachgia":
        return [
            reverse("dashboard-unit", args=[rach_gia.pk]),
            reverse("dashboard-component", args=[rach_gia.pk, t1.pk]),
            reverse("dashboard-print", args=[rach_gia.pk]),
            *figures,
            *review,
        ]
    if role == "school":
        return [
            reverse("home"),
            reverse("report_index"),
            reverse("report_edit", args=[2020, 11, school.pk]),
            reverse("report_detail", args=[2020, 1, school.pk]),
            reverse("dashboard-unit", args=[school.pk]),
            reverse("dashboard-print", args=[school.pk]),
            reverse("dashboard-completeness"),
            reverse("dashboard-tasks"),
        ]
    assert role == "admin"
    return [reverse("home"), reverse("admin:index")]


@pytest.mark.parametrize("role", ["tinh", "rachgia", "school", "admin"])
def test_every_page_reads_at_three_widths_without_accessibility_violations(
    role, log_in, settings, resolution, tree, users, superuser
):
    settings.UNIONPLAN_TODAY = datetime.date(2020, 12, 3)
    scenario = build_scenario(resolution, tree)
    page = log_in(role, login_path="/admin/login/" if role == "admin" else "/login/")
    clear_screenshots(role)
    problems = []
    for path in pages_of(role, resolution, tree, scenario):
        for label, (width, height) in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": height})
            if label == "1366":
                response = page.goto(path)
                expected = 404 if path == "/no-such-page/" else 200
                assert response.status == expected, (path, response.status)
            overflow = sideways_overflow(page)
            if overflow > 0:
                problems.append(f"{path} at {width} px scrolls sideways by {overflow} px")
            screenshot(page, role, path, label)
            if label in ("1366", "375"):
                problems += [f"{label} px: {problem}" for problem in accessibility_problems(page)]
    assert problems == []


def test_on_a_laptop_the_targets_table_fits_with_names_on_two_lines_and_numbers_on_one(
    log_in, settings, resolution, tree, users
):
    """At 1366 × 768 the province's table of targets fits the page without scrolling inside
    itself, every target's name takes at most two lines, and no figure breaks across lines."""
    settings.UNIONPLAN_TODAY = datetime.date(2020, 12, 3)
    build_scenario(resolution, tree)
    page = log_in("tinh")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(reverse("dashboard-unit", args=[tree["province"].pk]) + "?month=10")
    wrapper = page.locator(".table-responsive:has(table.progress-table)")
    assert wrapper.evaluate("w => w.scrollWidth <= w.clientWidth")
    lines = page.locator("td.target-name a").evaluate_all(
        """links => links.map(a => Math.round(a.getBoundingClientRect().height /
            parseFloat(getComputedStyle(a).lineHeight)))"""
    )
    assert len(lines) == 18 and max(lines) <= 2, lines
    broken = page.locator("td.number, .bar-text, .second-line .tabular").evaluate_all(
        """cells => cells.filter(c => {
            const first = c.firstChild;
            if (!first || first.nodeType !== Node.TEXT_NODE || !first.textContent.trim()) return false;
            const range = document.createRange();
            range.selectNodeContents(first);
            return range.getClientRects().length > 1;
        }).map(c => c.textContent.trim())"""
    )
    assert broken == []
