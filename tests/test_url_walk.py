"""Every URL the app serves, walked from the URL configuration, as every kind of user: the
answer each one gets is written down here, and none is a server error.

A new URL pattern without a line in ``EXPECTED`` fails ``test_every_url_pattern_is_expected``.
Admin URLs are covered as a group: the admin index and each registered model's changelist
and add page (superuser 200, everyone else sent to the admin log-in).
"""

import datetime

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from branches import changes
from targets.models import ChangeJob, ExcelImport, ExportFile, TargetComponent
from targets.reporting.services import report_get_or_create, report_save

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Seven users are made for each test: a fast hasher keeps the walk short."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def during_2020(settings):
    """The walk plays 3 December 2020 (as the demo does): 2020 is open, so a lock of the
    year is refused and no write of the walk is refused for a locked year."""
    settings.UNIONPLAN_TODAY = datetime.date(2020, 12, 3)


LOGIN = "login"  # 302 to the log-in page
AWAY = "302"  # 302 somewhere else (a redirect the page is meant to make)

# The columns of every expectation: anonymous, provincial staff, Rạch Giá's upper-level
# officer, the officer of RG-1 (a grassroots union under Rạch Giá), Hà Tiên's upper-level
# officer and the officer of HT-2 (both of another subtree), an admin (superuser).
WHO = ("anonymous", "province", "rach_gia", "school", "ha_tien", "ht_firm", "superuser")


def row(*answers):
    assert len(answers) == len(WHO)
    return dict(zip(WHO, answers, strict=True))


# (URL name, method, the arguments' keys) -> expected answer per user. The arguments are
# real objects of the tree fixture: "rg" is Rạch Giá, "rg1" its grassroots union RG-1,
# "c1" target 1's component, "res" the 2020 resolution, year 2020, month 3 (RG-1 submitted
# it) and month 4 (not filed).
EXPECTED = {
    ("home", "GET", ()): row(LOGIN, 200, 200, 200, 200, 200, 200),
    ("dashboard", "GET", ()): row(LOGIN, AWAY, AWAY, AWAY, AWAY, AWAY, AWAY),
    # A unit one may not see is "not found" on dashboards (its existence is not told).
    ("dashboard-unit", "GET", ("rg",)): row(LOGIN, 200, 200, 404, 404, 404, 200),
    ("dashboard-unit", "GET", ("rg1",)): row(LOGIN, 200, 200, 200, 404, 404, 200),
    ("dashboard-print", "GET", ("rg",)): row(LOGIN, 200, 200, 404, 404, 404, 200),
    ("dashboard-print", "GET", ("rg1",)): row(LOGIN, 200, 200, 200, 404, 404, 200),
    ("dashboard-draft", "GET", ("rg",)): row(LOGIN, 200, 200, 404, 404, 404, 200),
    ("dashboard-draft", "GET", ("rg1",)): row(LOGIN, 200, 200, 200, 404, 404, 200),
    ("dashboard-component", "GET", ("rg", "c1")): row(LOGIN, 200, 200, 404, 404, 404, 200),
    ("dashboard-component", "GET", ("rg1", "c1")): row(LOGIN, 200, 200, 200, 404, 404, 200),
    ("dashboard-completeness", "GET", ()): row(LOGIN, 200, 200, 200, 200, 200, 200),
    ("dashboard-tasks", "GET", ()): row(LOGIN, 200, 200, 200, 200, 200, 200),
    # The officer's own unit's months; an admin has no unit of its own.
    ("report_index", "GET", ()): row(LOGIN, 200, 200, 200, 200, 200, 403),
    ("excel_upload", "GET", ()): row(LOGIN, 200, 200, 403, 200, 403, 403),
    ("excel_template", "GET", ()): row(LOGIN, 200, 200, 403, 200, 403, 403),
    # Rạch Giá's import, refused (its errors listed: 400); nobody else's import is found.
    ("excel_job", "GET", ("imp",)): row(LOGIN, 404, 400, 403, 404, 403, 403),
    ("excel_job_status", "GET", ("imp",)): row(LOGIN, 404, 200, 403, 404, 403, 403),
    # The province's file, ready: its requester only.
    ("export_file", "GET", ("file",)): row(LOGIN, 200, 404, 404, 404, 404, 404),
    ("export_file_status", "GET", ("file",)): row(LOGIN, 200, 404, 404, 404, 404, 404),
    ("export_file_download", "GET", ("file",)): row(LOGIN, 200, 404, 404, 404, 404, 404),
    ("review_list", "GET", ()): row(LOGIN, 200, 200, 403, 200, 403, 200),
    ("inbox", "GET", ()): row(LOGIN, 200, 200, 403, 200, 403, 200),
    ("report_detail", "GET", ("2020", "3", "rg1")): row(LOGIN, 200, 200, 200, 403, 403, 200),
    ("report_edit", "GET", ("2020", "4", "rg1")): row(LOGIN, 403, 403, 200, 403, 403, 403),
    ("report_review", "GET", ("2020", "3", "rg1")): row(405, 405, 405, 405, 405, 405, 405),
    # Locking a closed year: the federation's provincial staff and admins only.
    ("year_lock", "GET", ("res",)): row(LOGIN, 200, 403, 403, 403, 403, 200),
    ("report_withdraw", "GET", ("2020", "3", "rg1")): row(405, 405, 405, 405, 405, 405, 405),
    ("branches:register", "GET", ()): row(LOGIN, 200, 200, 403, 200, 403, 200),
    ("branches:register_under", "GET", ("rg",)): row(LOGIN, 200, 200, 403, 403, 403, 200),
    ("login", "GET", ()): row(200, AWAY, AWAY, AWAY, AWAY, AWAY, AWAY),
    ("logout", "GET", ()): row(405, 405, 405, 405, 405, 405, 405),
    # Changes to the tree: the federation's provincial staff and admins; a unit's timeline
    # to whoever may see the unit.
    ("tree-changes", "GET", ()): row(LOGIN, 200, 403, 403, 403, 403, 200),
    ("tree-change-new", "GET", ()): row(LOGIN, 200, 403, 403, 403, 403, 200),
    ("tree-change-unit", "GET", ()): row(LOGIN, 200, 403, 403, 403, 403, 200),
    ("tree-change", "GET", ("chg",)): row(LOGIN, 200, 403, 403, 403, 403, 200),
    ("tree-change-undo", "GET", ("chg",)): row(405, 405, 405, 405, 405, 405, 405),
    # A large change's background work (its preview, done): as the change's page.
    ("tree-change-job", "GET", ("cjob",)): row(LOGIN, AWAY, 403, 403, 403, 403, AWAY),
    ("tree-change-job-status", "GET", ("cjob",)): row(LOGIN, 200, 403, 403, 403, 403, 200),
    ("unit-timeline", "GET", ("rg",)): row(LOGIN, 200, 200, 404, 404, 404, 200),
    ("unit-timeline", "GET", ("rg1",)): row(LOGIN, 200, 200, 200, 404, 404, 200),
    # set_language changes the language on POST only; a GET just sends the user back.
    ("set_language", "GET", ()): row(AWAY, AWAY, AWAY, AWAY, AWAY, AWAY, AWAY),
    # The JSON API (targets/api), here through the page's session (tokens: tests/api): its
    # schema and docs are public; the rest answers 401 without a log-in, never a redirect.
    # A report of another subtree is not found (404) where its page says 403.
    ("api:schema", "GET", ()): row(200, 200, 200, 200, 200, 200, 200),
    ("api:docs", "GET", ()): row(200, 200, 200, 200, 200, 200, 200),
    ("api:resolution-list", "GET", ()): row(401, 200, 200, 200, 200, 200, 200),
    ("api:resolution-detail", "GET", ("res",)): row(401, 200, 200, 200, 200, 200, 200),
    ("api:organisation-list", "GET", ()): row(401, 200, 200, 200, 200, 200, 200),
    ("api:organisation-detail", "GET", ("rg",)): row(401, 200, 200, 404, 404, 404, 200),
    ("api:report-list", "GET", ()): row(401, 200, 200, 200, 200, 200, 200),
    ("api:report-detail", "GET", ("rep",)): row(401, 200, 200, 200, 404, 404, 200),
    ("api:progress", "GET", ()): row(401, 200, 200, 200, 200, 200, 200),
    ("api:completeness", "GET", ()): row(401, 200, 200, 200, 200, 200, 200),
    # The tree's changes: as their pages, the federation's staff and admins (others: an empty list).
    ("api:tree-change-list", "GET", ()): row(401, 200, 200, 200, 200, 200, 200),
    ("api:tree-change-detail", "GET", ("chg",)): row(401, 200, 404, 404, 404, 404, 200),
    ("api-not-found", "GET", ()): row(404, 404, 404, 404, 404, 404, 404),
    ("api_tokens", "GET", ()): row(LOGIN, 200, 200, 200, 200, 200, 200),
    # Writes last, with an empty form: a refusal, a form shown again or a redirect.
    ("excel_upload", "POST", ()): row(LOGIN, 200, 200, 403, 200, 403, 403),
    # The conflict step without a kept upload sends the officer back to the upload page.
    ("excel_resolve", "POST", ()): row(LOGIN, AWAY, AWAY, 403, AWAY, 403, 403),
    # A refused import cannot run again: back to its page with a message.
    ("excel_job_again", "POST", ("imp",)): row(LOGIN, 404, AWAY, 403, 404, 403, 403),
    # A report write without its version could overwrite a newer save: 409 Conflict.
    ("report_edit", "POST", ("2020", "4", "rg1")): row(LOGIN, 403, 403, 409, 403, 403, 403),
    ("report_review", "POST", ("2020", "3", "rg1")): row(LOGIN, 409, 409, 403, 403, 403, 409),
    # On 3 December 2020 the year has not ended: the lock is refused with a message.
    ("year_lock", "POST", ("res",)): row(LOGIN, 400, 403, 403, 403, 403, 400),
    # Only the unit withdraws its report; without the version it is refused as stale.
    ("report_withdraw", "POST", ("2020", "3", "rg1")): row(LOGIN, 403, 403, 409, 403, 403, 403),
    # Nothing ticked: back to the inbox with a message.
    ("inbox", "POST", ()): row(LOGIN, AWAY, AWAY, 403, AWAY, 403, AWAY),
    ("branches:register", "POST", ()): row(LOGIN, 200, 200, 403, 200, 403, 200),
    ("branches:register_under", "POST", ("rg",)): row(LOGIN, 200, 200, 403, 403, 403, 200),
    # An empty change form is shown again; a change without an action goes back to its
    # page; undoing a change not applied is refused with a message.
    ("tree-change-new", "POST", ()): row(LOGIN, 200, 403, 403, 403, 403, 200),
    ("tree-change-unit", "POST", ()): row(LOGIN, 200, 403, 403, 403, 403, 200),
    ("tree-change", "POST", ("chg",)): row(LOGIN, AWAY, 403, 403, 403, 403, AWAY),
    ("tree-change-undo", "POST", ("chg",)): row(LOGIN, AWAY, 403, 403, 403, 403, AWAY),
    ("set_language", "POST", ()): row(AWAY, AWAY, AWAY, AWAY, AWAY, AWAY, AWAY),
    # API writes with an empty body: refused data (400), who may not (403), or a report write
    # without its version (428 Precondition Required, as the pages' 409).
    ("api:report-list", "POST", ()): row(401, 400, 400, 400, 400, 400, 400),
    ("api:report-detail", "PATCH", ("rep",)): row(401, 403, 403, 428, 404, 404, 403),
    ("api:report-submit", "POST", ("rep",)): row(401, 403, 403, 428, 404, 404, 403),
    ("api:report-withdraw", "POST", ("rep",)): row(401, 403, 403, 428, 404, 404, 403),
    ("api:report-approve", "POST", ("rep",)): row(401, 428, 428, 403, 404, 404, 428),
    ("api:report-return", "POST", ("rep",)): row(401, 400, 400, 403, 404, 404, 400),
    ("api:report-reopen", "POST", ("rep",)): row(401, 400, 400, 403, 404, 404, 400),
    ("api:report-import", "POST", ()): row(401, 400, 400, 403, 400, 403, 403),
    ("api_tokens", "POST", ()): row(LOGIN, 200, 200, 200, 200, 200, 200),
    ("api_token_revoke", "POST", ("tok",)): row(LOGIN, 404, 404, 404, 404, 404, 404),
    ("login", "POST", ()): row(200, AWAY, AWAY, AWAY, AWAY, AWAY, AWAY),
    ("logout", "POST", ()): row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
}


def url_patterns(patterns=None, namespace=None):
    """(namespace, pattern) for every URL pattern, recursively through includes."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from url_patterns(entry.url_patterns, entry.namespace or namespace)
        elif isinstance(entry, URLPattern):
            yield namespace, entry


def qualified_name(namespace, pattern):
    return f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name


def app_url_names():
    """Names of every non-admin URL pattern (admin ones are walked as a group)."""
    names = []
    for namespace, pattern in url_patterns():
        if namespace == admin.site.name:
            continue
        names.append(qualified_name(namespace, pattern))
    return names


@pytest.fixture
def objects(resolution, tree, users):
    """RG-1's March report, submitted, so that there is something to read and review."""
    recruits = TargetComponent.objects.get(target__resolution=resolution, target__number=1, order=1)
    report = report_get_or_create(unit=tree["school"], resolution=resolution, month=3)
    report_save(
        report=report,
        user=users["school"],
        figures={recruits.pk: {"quantity": 4}},
        tasks={},
        expected_version=1,
        submit=True,
    )
    upload, made = job_rows(users, tree)
    # A change being prepared: RG-1 to move under Hà Tiên on 1 December 2020.
    change = changes.change_plan(
        federation=tree["province"],
        decision_number="12/QĐ-LĐLĐ",
        effective_on=datetime.date(2020, 12, 1),
        steps=[changes.Step("move", units=["RG-1"], to="HT")],
    )
    job = ChangeJob.objects.create(change=change, kind="preview", requested_by=users["province"], status="done")
    return {
        "cjob": job.pk,
        "imp": upload.pk,
        "file": made.pk,
        "rep": report.pk,
        "tok": 1,
        "chg": change.pk,
        "rg": tree["rach_gia"].pk,
        "rg1": tree["school"].pk,
        "c1": recruits.pk,
        "res": resolution.pk,
        "2020": 2020,
        "3": 3,
        "4": 4,
    }


def job_rows(users, tree):
    """Rạch Giá's refused Excel import and the province's ready file: the job pages' objects."""
    upload = ExcelImport.objects.create(
        uploaded_by=users["rach_gia"],
        upper=tree["rach_gia"],
        file_name="a.xlsx",
        digest="x",
        status="refused",
        errors=["Dòng 7: lỗi"],
    )
    made = ExportFile.objects.create(
        requested_by=users["province"],
        scope=tree["province"],
        path="/dashboard/completeness/",
        query="",
        file_name="don-vi.xlsx",
        status="ready",
        content=b"PK",
    )
    return upload, made


def test_every_url_pattern_is_expected():
    """Each URL pattern outside the admin has at least one line in the expectations table,
    and every line names a URL that exists."""
    names = app_url_names()
    assert None not in names, "every URL pattern needs a name to be walked"
    covered = {name for name, _method, _args in EXPECTED}
    assert set(names) - covered == set(), "URL patterns without expectations"
    assert covered - set(names) == set(), "expectations for URLs that do not exist"


def _answer(response):
    if response.status_code == 302:
        return LOGIN if response["Location"].startswith(reverse("login")) else AWAY
    return response.status_code


def _user(who, users, superuser):
    return None if who == "anonymous" else superuser if who == "superuser" else users[who]


def test_each_url_answers_each_user_as_written(objects, users, superuser):
    """Every (URL, user) pair gets the answer of the table; a server error would raise here.
    (One test for all users: the tree is built once.)"""
    wrong = []
    for who in WHO:
        client, user = Client(), _user(who, users, superuser)
        for (name, method, keys), expected in EXPECTED.items():
            if user is not None:
                client.force_login(user)  # logging out on the way must not spoil the next line
            url = reverse(name, args=[objects[k] for k in keys])
            data = {"month": 3} if name == "excel_template" else {}
            if method == "GET":
                response = client.get(url, data)
            elif name.startswith("api:"):  # the API takes JSON
                response = client.generic(method, url, "{}", content_type="application/json")
            else:
                response = client.post(url, data)
            answer = _answer(response)
            if answer != expected[who]:
                wrong.append((who, method, url, expected[who], answer))
    assert wrong == []


def admin_pages():
    """The admin index and each registered model's changelist and add page."""
    pages = [(reverse("admin:index"), None)]
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        pages.append((reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"), None))
        pages.append((reverse(f"admin:{opts.app_label}_{opts.model_name}_add"), model_admin))
    return pages


def test_admin_pages_for_the_superuser_only(objects, users, superuser):
    """The admin index and every registered model's changelist and add page: the superuser
    opens them (an add page the admin disallows is 403); everyone else, signed in or not,
    is sent to the admin log-in."""
    pages = admin_pages()
    assert len(pages) == 1 + 2 * len(admin.site._registry) > 10
    request = RequestFactory().get("/admin/")
    request.user = superuser
    wrong = []
    for who in WHO:
        client, user = Client(), _user(who, users, superuser)
        if user is not None:
            client.force_login(user)
        for url, model_admin in pages:
            response = client.get(url)
            if who == "superuser":
                expected = 403 if model_admin is not None and not model_admin.has_add_permission(request) else 200
                ok = response.status_code == expected
            else:
                ok = response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
            if not ok:
                wrong.append((who, url, response.status_code))
    assert wrong == []
