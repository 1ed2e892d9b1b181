"""Every POST endpoint refuses a request without a CSRF token (403) and changes nothing in
the database: report edit and review, unit registration, Excel upload, log-in, log-out and
the language switch. A browser's form, with its token, still works."""

import datetime
import io

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import resolve, reverse
from openpyxl import load_workbook

from branches import changes
from targets.api.tokens import token_create
from targets.models import ExcelImport, MonthlyReport, TargetComponent
from targets.reporting.excel import template as excel
from targets.reporting.services import report_get_or_create, report_save

from .conftest import PASSWORD
from .test_url_walk import EXPECTED

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Seven users are made for each test: a fast hasher keeps the walk short."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def snapshot():
    """Every row of the project's own tables (reports, figures, history, units, users)."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for app in ("branches", "targets")
        for model in apps.get_app_config(app).get_models()
    }


def recruits(resolution):
    return TargetComponent.objects.get(target__resolution=resolution, target__number=1, order=1)


def filled_template(resolution, tree):
    """Rạch Giá's March template with RG-1's recruits typed in."""
    content = excel.build_template(upper=tree["rach_gia"], resolution=resolution, month=3)
    wb = load_workbook(io.BytesIO(content))
    ws = wb.worksheets[0]
    keys = [c.value for c in ws[excel.KEY_ROW]]
    column = keys.index(f"c{recruits(resolution).pk}_quantity") + 1
    for row in range(excel.FIRST_DATA_ROW, ws.max_row + 1):
        if ws.cell(row, 1).value == "RG-1":
            ws.cell(row, column, 5)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def setup(resolution, tree, users):
    """RG-3's March report submitted (to review) and RG-1's April draft (to edit)."""
    firm_report = report_get_or_create(unit=tree["firm"], resolution=resolution, month=3)
    report_save(
        report=firm_report,
        user=users["firm"],
        figures={recruits(resolution).pk: {"quantity": 2}},
        tasks={},
        expected_version=1,
        submit=True,
    )
    report_get_or_create(unit=tree["school"], resolution=resolution, month=4)
    token, _secret = token_create(user=users["school"], name="csrf")
    failed_import = ExcelImport.objects.create(
        uploaded_by=users["rach_gia"], upper=tree["rach_gia"], file_name="a.xlsx", digest="x", status="failed"
    )
    # A change to the tree being prepared (its page confirms it) and one applied (to undo).
    draft = changes.change_plan(
        federation=tree["province"],
        decision_number="12/QĐ",
        effective_on=datetime.date(2020, 3, 1),
        steps=[changes.Step("move", units=["RG-1"], to="HT")],
    )
    applied = changes.change_plan(
        federation=tree["province"],
        decision_number="11/QĐ",
        effective_on=datetime.date(2020, 2, 1),
        steps=[changes.Step("rename", units=["HT-1"], name="Đơn vị HT-1 mới")],
    )
    changes.change_apply(applied)
    return {"firm_report": firm_report, "token": token, "import": failed_import, "draft": draft, "applied": applied}


def posts(resolution, tree, setup):
    """(who is signed in, URL, data, files) of every POST endpoint, as a user would send them."""
    c = recruits(resolution).pk
    new_unit = {
        "name": "CĐCS Không Token",
        "sector": "public_agency",
        "workforce": "100",
        "members": "50",
        "founded_on": "02/03/2020",
    }
    return [
        ("school", reverse("report_edit", args=[2020, 4, tree["school"].pk]), {f"c{c}_quantity": "7", "version": "1"}),
        (
            "school",
            reverse("report_edit", args=[2020, 4, tree["school"].pk]),
            {"version": "1", "action": "nothing"},
        ),
        (
            "rach_gia",
            reverse("report_review", args=[2020, 3, tree["firm"].pk]),
            {"action": "approve", "version": str(setup["firm_report"].version)},
        ),
        (
            "rach_gia",
            reverse("report_review", args=[2020, 3, tree["firm"].pk]),
            {"action": "return", "comment": "Sai số liệu", "version": str(setup["firm_report"].version)},
        ),
        ("province", reverse("year_lock", args=[resolution.pk]), {}),
        (
            "rach_gia",
            reverse("inbox"),
            {"report": f"{setup['firm_report'].pk}:{setup['firm_report'].version}"},
        ),
        (
            "firm",
            reverse("report_withdraw", args=[2020, 3, tree["firm"].pk]),
            {"version": str(setup["firm_report"].version)},
        ),
        ("rach_gia", reverse("branches:register"), new_unit),
        ("rach_gia", reverse("branches:register_under", args=[tree["rach_gia"].pk]), new_unit),
        (
            "rach_gia",
            reverse("excel_upload"),
            {"file": SimpleUploadedFile("bao-cao.xlsx", filled_template(resolution, tree))},
        ),
        ("rach_gia", reverse("excel_resolve"), {"token": "no-upload-kept", "every_row": "take"}),
        ("rach_gia", reverse("excel_job_again", args=[setup["import"].pk]), {}),
        (
            "province",
            reverse("tree-change-new"),
            {
                "decision_number": "13/QĐ",
                "effective_on": "01/03/2020",
                "action": "move",
                "target": "HT",
                "codes": "RG-2",
            },
        ),
        (
            "province",
            reverse("tree-change-unit"),
            {"decision_number": "14/QĐ", "effective_on": "01/03/2020", "action": "rename", "unit": "RG-2", "name": "X"},
        ),
        (
            "province",
            reverse("tree-change", args=[setup["draft"].pk]),
            {"action": "confirm", "version": changes.version(setup["draft"])},
        ),
        ("province", reverse("tree-change-undo", args=[setup["applied"].pk]), {}),
        (None, reverse("login"), {"username": "school", "password": PASSWORD}),
        ("school", reverse("logout"), {}),
        ("school", reverse("set_language"), {"language": "en", "next": "/"}),
        # The JSON API through the page's session (DRF's SessionAuthentication checks the token).
        ("school", reverse("api:report-list"), {"unit": str(tree["school"].pk), "year": "2020", "month": "5"}),
        *[
            ("rach_gia", reverse(f"api:report-{name}", args=[setup["firm_report"].pk]), {"comment": "x", "reason": "x"})
            for name in ("approve", "return", "reopen")
        ],
        *[
            ("firm", reverse(f"api:report-{name}", args=[setup["firm_report"].pk]), {})
            for name in ("submit", "withdraw")
        ],
        ("rach_gia", reverse("api:report-import"), {"rows": "[]"}),
        ("school", reverse("api_tokens"), {"name": "Không token", "days": "30"}),
        ("school", reverse("api_token_revoke", args=[setup["token"].pk]), {}),
    ]


def test_every_post_endpoint_is_in_the_list(resolution, tree, setup):
    """The list covers every URL the URL walk (tests/test_url_walk.py) posts to."""
    posted = {
        (m.namespace + ":" if m.namespace else "") + m.url_name
        for m in (resolve(u) for _w, u, _d in posts(resolution, tree, setup))
    }
    assert posted == {name for name, method, _args in EXPECTED if method == "POST"}


def test_posts_without_a_token_are_refused_and_change_nothing(resolution, tree, users, setup):
    """Each POST without a CSRF token: 403, no row of the database changed, the user still
    signed in (or still signed out) and the language not switched."""
    for who, url, data in posts(resolution, tree, setup):
        client = Client(enforce_csrf_checks=True)
        if who:
            client.force_login(users[who])
        session_user = client.session.get("_auth_user_id")
        for value in data.values():
            if hasattr(value, "seek"):
                value.seek(0)
        before = snapshot()
        response = client.post(url, data)
        assert response.status_code == 403, url
        assert snapshot() == before, url
        assert client.session.get("_auth_user_id") == session_user, url
        assert settings.LANGUAGE_COOKIE_NAME not in response.cookies, url
    assert MonthlyReport.objects.get(organisation=tree["firm"], month=3).status == "submitted"


def test_the_same_posts_with_a_token_go_through(resolution, tree, users, setup):
    """With the token a browser form carries, the same requests are accepted (so the 403s
    above are the token's doing)."""
    for who, url, data in posts(resolution, tree, setup):
        client = Client(enforce_csrf_checks=True)
        if who:
            client.force_login(users[who])
        client.get(reverse("login") if who is None else reverse("home"))
        token = client.cookies[settings.CSRF_COOKIE_NAME].value
        for value in data.values():
            if hasattr(value, "seek"):
                value.seek(0)
        response = client.post(url, data | {"csrfmiddlewaretoken": token})
        assert response.status_code != 403, url
