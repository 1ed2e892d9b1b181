"""A strict Content-Security-Policy on every page, no inline script or style in any page of
the app (the policy would block them), and no stored copy of exports and print views."""

from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.staticfiles import finders
from django.urls import reverse

from .dashboard_data import build_scenario

pytestmark = pytest.mark.django_db

POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def scenario(resolution, tree):
    return build_scenario(resolution, tree)


def policy(response):
    """The Content-Security-Policy header as {directive: set of sources}."""
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = set(sources)
    return directives


class InlineCode(HTMLParser):
    """Collects what a strict policy blocks: <script> without src, <style> elements, style
    attributes and event-handler attributes (onclick=...), javascript: links."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src"):
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style>")
        for name, value in attrs.items():
            if name == "style" or name.startswith("on"):
                self.found.append(f'<{tag} {name}="{value}">')
            if name == "href" and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f'<{tag} href="{value}">')

    handle_startendtag = handle_starttag


def inline_code(response):
    parser = InlineCode()
    parser.feed(response.content.decode())
    return parser.found


def assert_strict_page(response):
    assert response.status_code == 200, response.status_code
    assert policy(response) == POLICY
    assert inline_code(response) == []


def test_policy_is_strict_on_the_log_in_page(client):
    response = client.get(reverse("login"))
    assert_strict_page(response)
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_policy_on_error_pages(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert policy(response) == POLICY
    assert inline_code(response) == []


def test_main_pages_have_no_inline_script_or_style(client, users, tree, scenario):
    """Home, each kind of dashboard (with its SVG chart), the print view, the report form and
    page, the review list, the Excel upload and the unit registration."""
    unit, t1 = tree["province"].pk, scenario["t1"].pk
    client.force_login(users["province"])
    for url in [
        reverse("home"),
        reverse("dashboard-unit", args=[unit]) + "?month=12",
        reverse("dashboard-component", args=[unit, t1]) + "?month=12",
        reverse("dashboard-print", args=[unit]) + "?month=12",
        reverse("dashboard-completeness") + "?month=3",
        reverse("dashboard-tasks"),
        reverse("review_list"),
        reverse("excel_upload"),
        reverse("branches:register"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert policy(response) == POLICY, url
        assert inline_code(response) == [], url
    assert "<svg" in client.get(reverse("dashboard-component", args=[unit, t1]) + "?month=12").content.decode()

    client.force_login(users["school"])
    school = tree["school"].pk
    for url in [
        reverse("report_index"),
        reverse("report_edit", args=[2020, 4, school]),  # no report yet: the blank form
        reverse("report_detail", args=[2020, 3, school]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert inline_code(response) == [], url


def test_print_button_works_without_inline_script(client, users, tree):
    """The print view's button is wired by a script file the policy allows."""
    client.force_login(users["province"])
    page = client.get(reverse("dashboard-print", args=[tree["province"].pk])).content.decode()
    assert "data-print" in page and "/static/js/print.js" in page
    with open(finders.find("js/print.js"), encoding="utf-8") as script:
        assert "window.print()" in script.read()


def test_admin_pages_have_no_inline_script_or_style(client, superuser, tree, scenario):
    """The administration (Django's admin), page by page: index, and for every model its list,
    its add form and the change form of one row."""
    client.force_login(superuser)
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        urls.append(reverse("admin:{}_{}_add".format(*info)))
        row = model.objects.order_by("pk").first()
        if row is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[row.pk]))
    for url in urls:
        response = client.get(url)
        if response.status_code == 403:  # models changed only through the workflow
            continue
        assert response.status_code == 200, url
        assert policy(response) == POLICY, url
        assert inline_code(response) == [], url


def test_exports_are_not_stored(client, users, tree, scenario):
    """Dashboard exports (Excel and CSV, on each dashboard), the Excel template and the print
    view: Cache-Control no-store, so no copy stays on a shared office PC."""
    unit, t1 = tree["province"].pk, scenario["t1"].pk
    client.force_login(users["province"])
    downloads = [
        reverse("dashboard-unit", args=[unit]) + "?month=12&_export=xlsx",
        reverse("dashboard-unit", args=[unit]) + "?month=12&_export=csv",
        reverse("dashboard-component", args=[unit, t1]) + "?month=12&_export=xlsx",
        reverse("dashboard-completeness") + "?month=3&_export=xlsx",
        reverse("dashboard-tasks") + "?_export=csv",
        reverse("excel_template") + "?month=3",
    ]
    for url in downloads:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "attachment" in response["Content-Disposition"], url
        assert response["Cache-Control"] == "no-store", url
        assert response["Pragma"] == "no-cache", url
    printed = client.get(reverse("dashboard-print", args=[unit]) + "?month=12")
    assert printed.status_code == 200
    assert printed["Cache-Control"] == "no-store"
    assert printed["Pragma"] == "no-cache"


def test_ordinary_pages_stay_cacheable(client, users, tree):
    """no-store is for exports and print views only: the dashboard page itself is not
    marked, so the browser's back button still works as usual."""
    client.force_login(users["province"])
    response = client.get(reverse("dashboard-unit", args=[tree["province"].pk]))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
