"""Random, huge, negative, Unicode, empty and missing input to every form never causes a
server error nor a partial save: after each request the database is either exactly as it
was, or the whole form went through and what was stored is consistent with what was sent.

Forms: the monthly report (with its hidden version field and its actions), the review
(approve / return / reopen with a comment), the registration of a new union, the Excel
upload (random bytes, a damaged workbook, and the template filled with random cells).
Each example runs in a savepoint that is rolled back, so examples do not see each other.
"""

import calendar
import datetime
import io
import re
import zipfile
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from branches.models import Organisation
from targets.models import MonthlyReport, ReportFigure, TargetComponent, TaskProgress
from targets.reporting.excel import template as excel
from targets.reporting.forms import MAX_QUANTITY, MAX_VALUE
from targets.reporting.services import report_approve, report_get_or_create, report_save

pytestmark = pytest.mark.django_db

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
Measure = TargetComponent.Measure


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Users are made for every test: a fast hasher keeps the property runs short."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# The record of an upload's job (its status, its errors for the uploader to read again) is
# the one row a refused file leaves: the uploader's own list of imports, not data.
JOB_RECORDS = {"targets.ExcelImport"}


def snapshot():
    """Every row of the project's own tables (reports, figures, history, totals, units, users),
    the jobs' records aside."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for app in ("branches", "targets")
        for model in apps.get_app_config(app).get_models()
        if model._meta.label not in JOB_RECORDS
    }


@contextmanager
def rolled_back():
    """Run one example in a savepoint and undo it afterwards."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# --- strategies -----------------------------------------------------------------------------

# Printable Unicode (no control characters, which no browser form sends and Excel refuses).
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=60)
long_texts = st.one_of(texts, st.integers(1, 5000).map(lambda n: "Đ" * n))
huge = st.sampled_from([10**9, 10**18, 10**19, 2**63, 10**40, -(2**63) - 1])


def vn(number):
    """1250 → "1.250", the way people type numbers here."""
    return f"{number:,}".replace(",", ".")


numbers = st.one_of(
    st.integers(0, 200).map(str),
    st.integers(0, 10**7).map(vn),
    st.integers(-(10**6), -1).map(str),
    huge.map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.just(""),
    st.just("  "),
    texts,
)
dates = st.one_of(
    st.dates(datetime.date(2020, 1, 1), datetime.date(2020, 12, 31)).map(lambda d: d.strftime("%d/%m/%Y")),
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
    st.sampled_from(["31/02/2020", "00/00/0000", "01/13/2020", "99/99/99999", "2020-03-05"]),
    texts,
)
checkboxes = st.one_of(st.sampled_from(["on", "", "off", "false", "0"]), texts)
versions = st.one_of(st.integers(0, 5).map(str), huge.map(str), st.integers(-5, -1).map(str), texts)


def optional(strategies):
    """A POST dict where every field may be missing."""
    return st.fixed_dictionaries({}, optional=strategies)


# --- the monthly report form ----------------------------------------------------------------


def report_fields(report):
    """Field name → strategy for every field the unit's form has, plus stray ones."""
    fields = {}
    for figure in report.figures.select_related("component"):
        name = f"c{figure.component_id}_"
        if figure.component.measure == Measure.QUANTITY:
            fields[name + "quantity"] = numbers
        elif figure.component.measure == Measure.UNITS_AT_THRESHOLD:
            fields[name + "value"] = numbers
        else:
            fields[name + "done"] = checkboxes
            fields[name + "done_on"] = dates
    for progress in report.task_progress.all():
        fields[f"t{progress.task_id}_status"] = st.one_of(
            st.sampled_from(TaskProgress.Status.values), st.just(""), texts
        )
        fields[f"t{progress.task_id}_narrative"] = long_texts
    fields |= {
        "note": long_texts,
        "nothing_to_report": checkboxes,
        "version": st.one_of(st.just(str(report.version)), versions),
        "action": st.one_of(st.sampled_from(["save", "submit", "nothing"]), texts),
        "c999999_quantity": numbers,
    }
    return fields


def assert_report_consistent(report, unit, before_version, data):
    """A report that went through: one version further, every stored figure valid and, where
    the typed number was plain digits, equal to it."""
    report.refresh_from_db()
    assert report.version == before_version + 1
    month_start = datetime.date(2020, report.month, 1)
    month_end = month_start.replace(day=calendar.monthrange(2020, report.month)[1])
    for figure in ReportFigure.objects.filter(report=report):
        if figure.quantity is not None:
            assert 0 <= figure.quantity <= min(MAX_QUANTITY, unit.workforce)
        if figure.value is not None:
            assert 0 <= figure.value <= MAX_VALUE
        assert figure.done == (figure.done_on is not None)
        if figure.done_on:
            assert month_start <= figure.done_on <= min(month_end, timezone.localdate())
        if report.nothing_to_report:
            assert (figure.quantity, figure.value, figure.done) == (None, None, False)
            continue
        for part in ("quantity", "value"):
            typed = data.get(f"c{figure.component_id}_{part}")
            if typed is not None and re.fullmatch(r"\d+", typed.strip()):
                assert getattr(figure, part) == int(typed.strip())
            elif typed is not None and not typed.strip() and f"c{figure.component_id}_{part}" in data:
                assert getattr(figure, part) is None
    for progress in TaskProgress.objects.filter(report=report):
        assert progress.status in TaskProgress.Status.values
        assert len(progress.narrative) <= 4000
    assert len(report.note) <= 2000


@pytest.fixture
def firm_draft(resolution, tree, users):
    """RG-3 (a non-state enterprise: numbers, things done with a date, the meal value) and
    its March draft."""
    return report_get_or_create(unit=tree["firm"], resolution=resolution, month=3)


@SETTINGS
@given(data=st.data())
def test_report_form_takes_any_input_without_error_or_partial_save(client, tree, users, firm_draft, data):
    """Whatever is posted to the report form: a redirect with a consistent report, or the
    form again (200, or 409 for a stale page) with nothing changed."""
    client.force_login(users["firm"])
    url = reverse("report_edit", args=[2020, 3, tree["firm"].pk])
    report = MonthlyReport.objects.get(pk=firm_draft.pk)
    post = data.draw(optional(report_fields(report)), label="post")
    with rolled_back():
        before = snapshot()
        response = client.post(url, post)
        event(f"answer {response.status_code}")
        assert response.status_code in (200, 302, 409)
        if response.status_code == 302:
            assert_report_consistent(report, tree["firm"], report.version, post)
        else:
            assert snapshot() == before


# --- the review form ------------------------------------------------------------------------


def review_posts(version):
    """Mostly a real action with the page's version, else anything (or nothing)."""
    actions = st.sampled_from(["approve", "return", "reopen"])
    return st.fixed_dictionaries(
        {
            "action": st.one_of(actions, actions, texts, st.none()),
            "comment": st.one_of(st.just("Sai số liệu tháng 3"), long_texts, st.sampled_from(["", "   ", "\t\n"])),
            "version": st.one_of(st.just(str(version)), st.just(str(version)), versions, st.none()),
        }
    ).map(lambda post: {k: v for k, v in post.items() if v is not None})


@pytest.fixture
def firm_submitted(resolution, tree, users, firm_draft):
    c1 = TargetComponent.objects.get(target__resolution=resolution, target__number=1, order=1)
    return report_save(
        report=firm_draft,
        user=users["firm"],
        figures={c1.pk: {"quantity": 3}},
        tasks={},
        expected_version=firm_draft.version,
        submit=True,
    )


@SETTINGS
@given(approved_first=st.booleans(), data=st.data())
def test_review_form_takes_any_input_without_error_or_partial_save(
    client, tree, users, firm_submitted, approved_first, data
):
    """Any action, comment and version: back to the report page (302), or the page again with
    409 when the version is missing or stale; the report is either unchanged or moved exactly
    one step with what the action means."""
    client.force_login(users["rach_gia"])
    url = reverse("report_review", args=[2020, 3, tree["firm"].pk])
    with rolled_back():
        report = MonthlyReport.objects.get(pk=firm_submitted.pk)
        if approved_first:
            report = report_approve(report=report, user=users["rach_gia"])
        post = data.draw(review_posts(report.version), label="post")
        before = snapshot()
        old_status, old_version, old_revision = report.status, report.version, report.revision
        response = client.post(url, post)
        assert response.status_code in (302, 409)
        report.refresh_from_db()
        event("changed" if report.version != old_version else "unchanged")
        if response.status_code == 409:
            assert report.version == old_version and str(post.get("version")) != str(old_version)
        if report.version == old_version:
            assert snapshot() == before
            return
        assert report.version == old_version + 1
        action, comment = post.get("action"), (post.get("comment") or "").strip()
        figures = ReportFigure.objects.filter(report=report)
        if action == "approve":
            assert (old_status, report.status) == ("submitted", "approved")
            assert all(f.approved_quantity == f.quantity for f in figures)
        elif action == "return":
            assert (old_status, report.status, report.review_comment) == ("submitted", "returned", comment)
        else:
            assert action == "reopen" and (old_status, report.status) == ("approved", "returned")
            assert report.revision == old_revision + 1 and report.review_comment == comment
        assert comment or action == "approve"


# --- registering a new union ----------------------------------------------------------------

register_posts = st.fixed_dictionaries(
    {
        "name": st.one_of(st.just("CĐCS Công ty Mới"), long_texts, st.just("")),
        "sector": st.one_of(st.sampled_from(Organisation.Sector.values), texts),
        "workforce": st.one_of(st.integers(0, 2000).map(vn), numbers),
        "members": st.one_of(st.integers(0, 100).map(str), numbers),
        "founded_on": st.one_of(st.just("02/03/2020"), dates),
    },
    optional={
        "code": st.one_of(texts, st.sampled_from(["", "RG-1", "HT-2", "RG-004", "X" * 40])),
        # Fields the form does not have: a unit cannot be made an upper level or moved.
        "kind": st.sampled_from(["upper_level", "province"]),
        "parent": st.just("1"),
    },
).map(lambda post: {k: v for k, v in post.items() if v is not None})


@SETTINGS
@given(post=register_posts)
def test_registration_takes_any_input_without_error_or_partial_save(client, tree, users, post):
    """Any registration: a redirect with exactly one new, valid grassroots union under
    Rạch Giá, or the form again (200) with no unit created or changed."""
    client.force_login(users["rach_gia"])
    with rolled_back():
        before = snapshot()
        response = client.post(reverse("branches:register"), post)
        event(f"answer {response.status_code}")
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert snapshot() == before
            return
        new = Organisation.objects.exclude(pk__in=[row["id"] for row in before["branches.Organisation"]])
        assert new.count() == 1
        unit = new.get()
        assert (unit.parent, unit.kind) == (tree["rach_gia"], Organisation.Kind.GRASSROOTS)
        assert unit.name.strip() and unit.code and unit.sector in Organisation.Sector.values
        assert 0 <= unit.members <= unit.workforce <= 1_000_000
        assert unit.founded_on <= timezone.localdate()
        assert unit.is_within(tree["rach_gia"])


# --- the Excel upload -----------------------------------------------------------------------


@pytest.fixture
def template(resolution, tree):
    """Rạch Giá's March template (RG-1, RG-2, RG-3), as bytes."""
    return excel.build_template(upper=tree["rach_gia"], resolution=resolution, month=3)


def upload(client, content):
    """Upload ``content``; a file that is a workbook is imported by a job (at once in the
    tests): the answer is then the job's page."""
    response = client.post(reverse("excel_upload"), {"file": SimpleUploadedFile("bao-cao.xlsx", content)})
    if response.status_code == 302 and "/imports/" in response["Location"]:
        return client.get(response["Location"])
    return response


def damaged(template, member_index, garbage):
    """The template with one of its zip members replaced by ``garbage``."""
    source = zipfile.ZipFile(io.BytesIO(template))
    names = source.namelist()
    victim = names[member_index % len(names)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name in names:
            target.writestr(name, garbage if name == victim else source.read(name))
    return buffer.getvalue()


@pytest.mark.parametrize("part", ["docProps/core.xml", "xl/worksheets/sheet1.xml", "xl/workbook.xml"])
def test_excel_upload_with_broken_xml_inside_is_refused(client, users, template, part):
    """Found by the property test below: the template with one part cut short (broken XML)
    was a server error; it is refused with the "could not be read" message, nothing saved."""
    client.force_login(users["rach_gia"])
    index = zipfile.ZipFile(io.BytesIO(template)).namelist().index(part)
    before = snapshot()
    response = upload(client, damaged(template, index, b"<?xml version='1.0'?><x"))
    assert response.status_code == 400
    assert "không đọc được" in response.content.decode().lower()
    assert snapshot() == before


@SETTINGS
@given(
    kind=st.sampled_from(["bytes", "damaged"]),
    garbage=st.one_of(st.binary(max_size=2000), texts.map(str.encode), st.just(b"<?xml version='1.0'?><x")),
    member=st.integers(0, 50),
)
def test_excel_upload_of_random_bytes_is_refused_cleanly(client, users, template, kind, garbage, member):
    """Random bytes, or the template with one of its parts replaced by garbage: a clear
    refusal (400) or, if the part did not matter, an ordinary answer; never a server error
    and, on refusal, nothing saved."""
    client.force_login(users["rach_gia"])
    content = garbage if kind == "bytes" else damaged(template, member, garbage)
    with rolled_back():
        before = snapshot()
        response = upload(client, content)
        event(f"answer {response.status_code}")
        assert response.status_code in (200, 302, 400)
        if response.status_code != 302:
            assert snapshot() == before


cell_values = st.one_of(
    st.none(),
    st.integers(-(10**6), 10**6),
    huge,
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(datetime.date(1900, 1, 1), datetime.date(2100, 1, 1)),
    st.sampled_from(["x", "có", "không", "", " ", "1.250", "15.000", "05/03/2020", "31/02/2020", "RG-1"]),
    texts,
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-(10**12), max_value=10**12),
)


@pytest.mark.filterwarnings("ignore:Cell .* is marked as a date:UserWarning")
@SETTINGS
@given(data=st.data())
def test_excel_template_filled_at_random_saves_all_or_nothing(client, tree, users, template, data):
    """The template with random values in the units' cells (and sometimes the month cell):
    either every filled-in row is submitted with valid figures, or (400) nothing is saved."""
    client.force_login(users["rach_gia"])
    wb = load_workbook(io.BytesIO(template))
    ws = wb.worksheets[0]
    last_row, last_column = ws.max_row, ws.max_column
    cells = data.draw(
        st.dictionaries(
            st.tuples(st.integers(excel.FIRST_DATA_ROW, last_row + 1), st.integers(1, last_column)),
            cell_values,
            max_size=12,
        ),
        label="cells",
    )
    for (row, column), value in cells.items():
        ws.cell(row, column, value)
    if data.draw(st.booleans(), label="touch month"):
        ws.cell(excel.MONTH_ROW, 2, data.draw(st.one_of(cell_values, st.sampled_from(["03/2020", "13/2020"]))))
    buffer = io.BytesIO()
    wb.save(buffer)
    with rolled_back():
        before = snapshot()
        response = upload(client, buffer.getvalue())
        event(f"answer {response.status_code}")
        assert response.status_code in (302, 400)
        if response.status_code == 400:
            assert snapshot() == before
            return
        submitted = MonthlyReport.objects.filter(status="submitted", submitted_by=users["rach_gia"])
        for report in submitted:
            assert report.organisation.is_within(tree["rach_gia"]) and report.organisation.is_grassroots
            for figure in report.figures.all():
                assert figure.quantity is None or 0 <= figure.quantity <= report.organisation.workforce
                assert figure.value is None or 0 <= figure.value <= Decimal(MAX_VALUE)
                assert figure.done == (figure.done_on is not None)
        unchanged = {row["id"] for row in before["targets.MonthlyReport"]} - set(submitted.values_list("pk", flat=True))
        assert all(
            MonthlyReport.objects.filter(pk=pk).values().get() == row
            for row in before["targets.MonthlyReport"]
            for pk in [row["id"]]
            if pk in unchanged
        )
