"""Under the strict Content-Security-Policy the pages still work in a real browser: Chromium
reports no blocked script, style or image, Bootstrap's menu opens on a phone-sized screen,
and the print view's button prints."""

import pytest
from django.urls import reverse

from tests.dashboard_data import build_scenario

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


# Records the browser's own report of each thing the policy blocked (an init script runs
# before the page's and is not itself subject to the page's policy).
RECORD_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.cspViolations = window.cspViolations || [];
  window.cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline") + " " + event.sample);
});
"""


def violations(page, urls):
    """What the policy blocked on each of ``urls``, loaded one after the other in ``page``."""
    page.add_init_script(RECORD_VIOLATIONS)
    blocked = []
    for url in urls:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        blocked += [f"{url}: {v}" for v in page.evaluate("window.cspViolations || []")]
    return blocked


def test_pages_load_without_policy_violations(log_in, resolution, tree, users, superuser):
    scenario = build_scenario(resolution, tree)
    province, t1 = tree["province"].pk, scenario["t1"].pk
    blocked = violations(
        log_in("tinh"),
        [
            reverse("home"),
            reverse("dashboard-unit", args=[province]) + "?month=12",
            reverse("dashboard-component", args=[province, t1]) + "?month=12",
            reverse("dashboard-print", args=[province]) + "?month=12",
            reverse("dashboard-completeness"),
            reverse("review_list"),
            "/khong-co-trang-nay/",
        ],
    )
    blocked += violations(log_in("school"), [reverse("report_edit", args=[2020, 4, tree["school"].pk])])
    blocked += violations(
        log_in("admin", login_path="/admin/login/"),
        ["/admin/", "/admin/branches/organisation/", f"/admin/branches/organisation/{province}/change/"],
    )
    assert blocked == []


def test_bootstrap_menu_opens_on_a_phone(log_in, browser, live_server, users):
    page = log_in("tinh")
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(reverse("home"))
    menu = page.locator("#mainnav")
    assert not menu.is_visible()
    page.click(".navbar-toggler")
    menu.locator("text=Đăng xuất").wait_for(state="visible")


def test_print_button_prints(log_in, tree, users):
    page = log_in("tinh")
    # Counts calls instead of opening the print dialog (an init script is not subject to the page's policy).
    page.add_init_script("window.print = function () { window.printed = (window.printed || 0) + 1; };")
    page.goto(reverse("dashboard-print", args=[tree["province"].pk]))
    page.click("[data-print]")
    assert page.evaluate("window.printed") == 1
