"""The access policy is the only policy: every API endpoint, read and write, as every kind
of user, answers as that user's pages do. Reads: a unit or report the API shows is one
whose page opens; lists hold exactly those. Writes: an action the API carries out is one
the page carries out for the same user on the same report, and the reverse (each tried on
a copy of the database state, rolled back)."""

import datetime

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from branches import changes
from branches.models import Organisation
from targets.api.tokens import token_create
from targets.models import MonthlyReport
from tests.dashboard_data import APPROVED, SUBMITTED, component, file_report
from tests.test_url_walk import WHO, _user

pytestmark = pytest.mark.django_db
DRAFT = MonthlyReport.Status.DRAFT


def clients(who, users, superuser):
    """(page client, API client with a read-write token) for ``who``."""
    user = _user(who, users, superuser)
    page, api = Client(), APIClient()
    if user is not None:
        page.force_login(user)
        _token, secret = token_create(user=user, name="walk", can_write=True)
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return page, api


@pytest.fixture
def reports(resolution, tree):
    """For RG-1, HT-2 and Rạch Giá itself: February approved, March submitted, April a draft."""
    recruits = component(resolution, 1)
    made = {}
    for key in ("school", "ht_firm", "rach_gia"):
        for month, status in ((2, APPROVED), (3, SUBMITTED), (4, DRAFT)):
            made[(key, month)] = file_report(resolution, tree[key], month, {recruits: {"quantity": 1}}, status=status)
    return made


def test_reads_show_what_the_pages_show(resolution, tree, users, superuser, reports):
    wrong = []
    all_reports = list(MonthlyReport.objects.select_related("organisation", "resolution"))
    for who in WHO:
        page, api = clients(who, users, superuser)
        for unit in tree.values():
            page_opens = page.get(reverse("dashboard-unit", args=[unit.pk])).status_code == 200
            for url in (
                f"/api/v1/organisations/{unit.pk}/",
                f"/api/v1/progress/?unit={unit.pk}",
                f"/api/v1/completeness/?unit={unit.pk}",
            ):
                if (api.get(url).status_code == 200) != page_opens:
                    wrong.append((who, url, page_opens))
        listed = set()
        url = "/api/v1/reports/?page_size=5"
        while url and who != "anonymous":
            answer = api.get(url).json()
            listed |= {r["id"] for r in answer["results"]}
            url = answer["next"]
        for report in all_reports:
            args = [report.resolution.year, report.month, report.organisation_id]
            page_opens = page.get(reverse("report_detail", args=args)).status_code == 200
            api_opens = api.get(f"/api/v1/reports/{report.pk}/").status_code == 200
            if api_opens != page_opens or (report.pk in listed) != page_opens:
                wrong.append((who, str(report), page_opens, api_opens, report.pk in listed))
    assert wrong == []


def test_tree_changes_show_what_the_change_pages_show(tree, users, superuser):
    """A change the API lists or shows is one whose page opens, for every kind of user: the
    federation's own (applied, and one being prepared) and another federation's."""
    other = Organisation.objects.create(code="AG", name="LĐLĐ tỉnh An Giang", kind=Organisation.Kind.PROVINCE)
    Organisation.objects.create(code="AG-1", name="CĐCS", kind=Organisation.Kind.GRASSROOTS, parent=other)
    day = datetime.date(2020, 7, 1)
    made = [
        changes.change_apply(
            changes.change_plan(
                federation=tree["province"],
                decision_number="1",
                effective_on=day,
                steps=[changes.Step("move", units=["RG-1"], to="HT")],
            )
        ),
        changes.change_plan(
            federation=tree["province"],
            decision_number="2",
            effective_on=day,
            steps=[changes.Step("rename", units=["RG-2"], name="Mới")],
        ),
        changes.change_plan(
            federation=other,
            decision_number="3",
            effective_on=day,
            steps=[changes.Step("rename", units=["AG-1"], name="Mới")],
        ),
    ]
    wrong, seen = [], 0
    for who in WHO:
        page, api = clients(who, users, superuser)
        answer = api.get("/api/v1/tree-changes/")
        listed = {c["id"] for c in answer.json()["results"]} if answer.status_code == 200 else set()
        for change in made:
            page_opens = page.get(reverse("tree-change", args=[change.pk])).status_code == 200
            api_opens = api.get(f"/api/v1/tree-changes/{change.pk}/").status_code == 200
            if api_opens != page_opens or (change.pk in listed) != page_opens:
                wrong.append((who, change.decision_number, page_opens, api_opens, change.pk in listed))
            seen += api_opens
    assert wrong == []
    assert seen == 2 + 3  # the province's staff its two, the admin all three


# (API action, report month, the page's form) – the page's POST for the same action.
ACTIONS = [
    ("patch", 4, "report_edit", {"action": "save", "note": "walk"}),
    ("submit", 4, "report_edit", {"action": "submit", "note": ""}),
    ("withdraw", 3, "report_withdraw", {}),
    ("approve", 3, "report_review", {"action": "approve"}),
    ("return", 3, "report_review", {"action": "return", "comment": "walk"}),
    ("reopen", 2, "report_review", {"action": "reopen", "comment": "walk"}),
]
API_BODY = {"return": {"comment": "walk"}, "reopen": {"reason": "walk"}, "patch": {"note": "walk"}}


def _changed(report, attempt, *args):
    """Whether ``attempt(*args)`` changed the report (its version moved); undone afterwards."""
    with transaction.atomic():
        before = MonthlyReport.objects.get(pk=report.pk).version
        answer = attempt(*args)
        after = MonthlyReport.objects.get(pk=report.pk).version
        transaction.set_rollback(True)
    return after != before, answer


def by_page(page, page_name, report, form):
    args = [report.resolution.year, report.month, report.organisation_id]
    return page.post(reverse(page_name, args=args), {**form, "version": report.version})


def by_api(api, name, report):
    etag = f'"{report.pk}-{report.version}"'
    if name == "patch":
        return api.patch(f"/api/v1/reports/{report.pk}/", API_BODY[name], format="json", HTTP_IF_MATCH=etag)
    url = f"/api/v1/reports/{report.pk}/{name}/"
    return api.post(url, API_BODY.get(name, {}), format="json", HTTP_IF_MATCH=etag)


def test_writes_do_what_the_pages_do(resolution, tree, users, superuser, reports):
    wrong, done = [], 0
    for who in WHO:
        page, api = clients(who, users, superuser)
        for (key, month), report in reports.items():
            for name, action_month, page_name, form in ACTIONS:
                if action_month != month:
                    continue
                page_did, _page_answer = _changed(report, by_page, page, page_name, report, form)
                api_did, answer = _changed(report, by_api, api, name, report)
                status_ok = answer.status_code == 200 if page_did else answer.status_code in (401, 403, 404, 409)
                if api_did != page_did or not status_ok:
                    wrong.append((who, key, month, name, page_did, api_did, answer.status_code))
                done += page_did
    assert wrong == []
    assert done >= 10  # the walk did carry out writes, not only refusals


def test_the_import_is_for_whom_the_excel_import_is(resolution, tree, users, superuser):
    recruits = component(resolution, 1)
    row = {"unit": "RG-1", "year": 2020, "month": 3, "component": recruits.pk, "quantity": 1}
    for who in WHO:
        page, api = clients(who, users, superuser)
        page_allows = page.get(reverse("excel_upload")).status_code == 200
        answer = api.post("/api/v1/reports/import/?dryRun=true", {"rows": [row]}, format="json")
        assert (answer.status_code == 200) == page_allows, who
