"""Writes go through the pages' services, with the report's version as an optimistic lock:
If-Match stale → 412, missing → 428, a locked report or year → 409 with the reason, the
four-eyes rule as on the pages."""

import datetime

import pytest
from django.utils import timezone

from targets.models import MonthlyReport, TaskProgress
from tests.dashboard_data import component

pytestmark = pytest.mark.django_db


@pytest.fixture
def april(resolution, tree, users, api):
    """RG-1's April report, filed through the API as a draft: (client, report id, ETag)."""
    client = api(users["school"])
    recruits = component(resolution, 1)
    task = resolution.tasks.order_by("number").first()
    answer = client.post(
        "/api/v1/reports/",
        {
            "unit": tree["school"].pk,
            "year": 2020,
            "month": 4,
            "figures": [{"component": recruits.pk, "quantity": 7}],
            "tasks": [{"task": task.pk, "status": "in_progress", "narrative": "Tuyên truyền"}],
        },
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    return client, answer.json()["id"], answer["ETag"]


def test_a_unit_files_its_month(april, resolution):
    client, pk, etag = april
    report = MonthlyReport.objects.get(pk=pk)
    assert report.status == "draft" and report.figures.get(component=component(resolution, 1)).quantity == 7
    assert TaskProgress.objects.get(report=report, task__number=1).narrative == "Tuyên truyền"
    assert etag == f'"{pk}-{report.version}"'
    again = client.post("/api/v1/reports/", {"unit": report.organisation_id, "year": 2020, "month": 4}, format="json")
    assert again.status_code == 409 and again.json()["type"].endswith("report-exists")


def test_if_match_missing_428_stale_412_right_200(april, resolution):
    client, pk, etag = april
    recruits = component(resolution, 1)
    body = {"figures": [{"component": recruits.pk, "quantity": 9}]}
    missing = client.patch(f"/api/v1/reports/{pk}/", body, format="json")
    assert missing.status_code == 428 and missing["Content-Type"] == "application/problem+json"
    ok = client.patch(f"/api/v1/reports/{pk}/", body, format="json", HTTP_IF_MATCH=etag)
    assert ok.status_code == 200 and ok["ETag"] != etag
    stale = client.patch(f"/api/v1/reports/{pk}/", {"note": "x"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert "Người khác" in stale.json()["detail"] or stale.json()["title"]
    report = MonthlyReport.objects.get(pk=pk)
    assert report.figures.get(component=recruits).quantity == 9 and report.note == ""
    # What was not sent stays: the task's narrative.
    assert TaskProgress.objects.get(report=report, task__number=1).narrative == "Tuyên truyền"


def test_bad_figures_are_refused_with_the_form_s_messages(april, resolution, tree):
    client, pk, etag = april
    recruits = component(resolution, 1)
    too_many = client.patch(
        f"/api/v1/reports/{pk}/",
        {"figures": [{"component": recruits.pk, "quantity": tree["school"].workforce + 1}]},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert too_many.status_code == 400
    errors = too_many.json()["errors"]
    assert errors[0]["field"] == "figures.0.quantity" and "lao động" in errors[0]["message"]
    negative = client.patch(
        f"/api/v1/reports/{pk}/",
        {"figures": [{"component": recruits.pk, "quantity": -1}]},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert negative.status_code == 400 and negative.json()["errors"][0]["field"] == "figures.0.quantity"
    wrong_part = client.patch(
        f"/api/v1/reports/{pk}/",
        {"figures": [{"component": recruits.pk, "done": True}]},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert wrong_part.status_code == 400 and wrong_part.json()["errors"][0]["field"] == "figures.0.done"
    unknown = client.patch(
        f"/api/v1/reports/{pk}/",
        {"figures": [{"component": 999999, "quantity": 1}]},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert unknown.status_code == 400
    assert MonthlyReport.objects.get(pk=pk).version == int(etag.strip('"').split("-")[1])  # nothing changed


def _act(client, pk, name, body=None):
    etag = client.get(f"/api/v1/reports/{pk}/")["ETag"]
    return client.post(f"/api/v1/reports/{pk}/{name}/", body or {}, format="json", HTTP_IF_MATCH=etag)


def test_the_workflow_with_the_pages_rules(april, users, api, resolution):
    unit_client, pk, _etag = april
    reviewer, stranger = api(users["rach_gia"]), api(users["ha_tien"])
    assert _act(unit_client, pk, "submit").json()["status"] == "submitted"
    edit = unit_client.patch(
        f"/api/v1/reports/{pk}/",
        {"note": "x"},
        format="json",
        HTTP_IF_MATCH=unit_client.get(f"/api/v1/reports/{pk}/")["ETag"],
    )
    assert edit.status_code == 409 and edit.json()["type"].endswith("report-locked")
    assert _act(unit_client, pk, "withdraw").json()["status"] == "draft"
    assert _act(unit_client, pk, "submit").status_code == 200
    assert _act(unit_client, pk, "approve").status_code == 403  # nobody approves their own unit
    hidden = stranger.post(f"/api/v1/reports/{pk}/approve/", {}, format="json", HTTP_IF_MATCH="*")
    assert hidden.status_code == 404  # another subtree: not even seen
    no_comment = _act(reviewer, pk, "return")
    assert no_comment.status_code == 400 and no_comment.json()["errors"][0]["field"] == "comment"
    assert _act(reviewer, pk, "return", {"comment": "Thiếu số liệu"}).json()["status"] == "returned"
    assert _act(unit_client, pk, "submit").status_code == 200
    approved = _act(reviewer, pk, "approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    twice = _act(reviewer, pk, "approve")
    assert twice.status_code == 409 and "duyệt" in twice.json()["detail"]
    stale = reviewer.post(f"/api/v1/reports/{pk}/reopen/", {"reason": "Sai"}, format="json", HTTP_IF_MATCH=f'"{pk}-1"')
    assert stale.status_code == 412
    reopened = _act(reviewer, pk, "reopen", {"reason": "Sửa số liệu"})
    assert reopened.json()["status"] == "returned" and reopened.json()["revision"] == 1


def test_a_locked_year_refuses_with_the_reason(april, resolution):
    client, pk, etag = april
    resolution.locked_at = timezone.now()
    resolution.save(update_fields=["locked_at"])
    answer = client.patch(f"/api/v1/reports/{pk}/", {"note": "x"}, format="json", HTTP_IF_MATCH=etag)
    assert answer.status_code == 409 and answer.json()["type"].endswith("year-locked")
    assert "2020" in answer.json()["detail"]


def test_only_the_unit_s_officer_files_and_a_month_must_have_begun(resolution, tree, users, api, settings):
    upper = api(users["rach_gia"])
    refused = upper.post("/api/v1/reports/", {"unit": tree["school"].pk, "year": 2020, "month": 5}, format="json")
    assert refused.status_code == 403
    hidden = api(users["ha_tien"]).post(
        "/api/v1/reports/", {"unit": tree["school"].pk, "year": 2020, "month": 5}, format="json"
    )
    assert hidden.status_code == 404
    school = api(users["school"])
    future = school.post("/api/v1/reports/", {"unit": tree["school"].pk, "year": 2021, "month": 1}, format="json")
    assert future.status_code == 404  # no resolution for 2021
    invalid = school.post("/api/v1/reports/", {"unit": tree["school"].pk, "year": 2020, "month": 13}, format="json")
    assert invalid.status_code == 400 and invalid.json()["errors"][0]["field"] == "month"
    settings.UNIONPLAN_TODAY = datetime.date(2020, 6, 10)
    not_yet = school.post("/api/v1/reports/", {"unit": tree["school"].pk, "year": 2020, "month": 7}, format="json")
    assert not_yet.status_code == 409 and not_yet.json()["type"].endswith("month-not-open")
    too_many = school.post(
        "/api/v1/reports/",
        {
            "unit": tree["school"].pk,
            "year": 2020,
            "month": 5,
            "figures": [{"component": component(resolution, 1).pk, "quantity": tree["school"].workforce + 1}],
        },
        format="json",
    )
    assert too_many.status_code == 400
    assert not MonthlyReport.objects.exists()  # a refused first filing leaves no empty draft behind
