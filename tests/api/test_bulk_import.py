"""The bulk import: a dry run first, a summary row by row, each unit's month all or nothing,
Idempotency-Key, bounded size; the reports land as the Excel import leaves them."""

import json

import pytest

from targets.models import MonthlyReport
from tests.dashboard_data import component

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports/import/"


def rows_for(resolution, month=11, **quantities):
    recruits = component(resolution, 1)
    return [
        {"unit": code, "year": 2020, "month": month, "component": recruits.pk, "quantity": q}
        for code, q in quantities.items()
    ]


def post(client, rows, query="", **headers):
    return client.post(URL + query, {"rows": rows}, format="json", **headers)


def test_a_dry_run_answers_the_summary_and_saves_nothing(resolution, tree, users, api):
    client = api(users["rach_gia"])
    answer = post(client, rows_for(resolution, **{"RG-1": 3, "RG-2": 4}), "?dryRun=true")
    assert answer.status_code == 200
    assert answer.json() == {
        "status": "ok",
        "dry_run": True,
        "rows": 2,
        "counts": {"imported": 2, "updated": 0, "unchanged": 0, "refused": 0},
        "refused": [],
    }
    assert not MonthlyReport.objects.exists()


def test_the_import_submits_each_unit_s_month_and_lists_what_it_refused(resolution, tree, users, api):
    client = api(users["rach_gia"])
    task = resolution.tasks.order_by("number").first()
    rows = rows_for(resolution, **{"RG-1": 3, "RG-2": 4})
    rows += [
        {"unit": "RG-1", "year": 2020, "month": 11, "task": task.pk, "status": "done"},
        # RG-3's month: one good row, one impossible figure: neither is saved.
        *rows_for(resolution, **{"RG-3": 2}),
        {"unit": "RG-3", "year": 2020, "month": 11, "component": component(resolution, 3).pk, "quantity": 10_000},
        *rows_for(resolution, **{"HT-1": 1}),  # another upper level's unit
        *rows_for(resolution, **{"XX-9": 1}),  # no such unit
        {"unit": "RG-2", "year": 2020, "month": 11, "quantity": 1},  # no component named
    ]
    summary = post(client, rows).json()
    assert summary["status"] == "partial"
    assert summary["counts"] == {"imported": 1, "updated": 0, "unchanged": 0, "refused": 4}
    refused = {(r["row"], r["unit"], r["field"]) for r in summary["refused"]}
    # Rows count from 0, in the order sent.
    assert refused == {
        (4, "RG-3", "quantity"),
        (3, "RG-3", None),  # with the rest of its month
        (5, "HT-1", "unit"),
        (6, "XX-9", "unit"),
        (7, "RG-2", None),
        (1, "RG-2", None),  # RG-2's month goes with its bad row
    }
    messages = {r["row"]: r["message"] for r in summary["refused"]}
    assert "lao động" in messages[4]  # the form's own message, in Vietnamese
    assert "không lưu" in messages[3].lower()
    saved = MonthlyReport.objects.get()
    assert saved.organisation.code == "RG-1" and saved.status == "submitted"
    assert saved.entry_channel == "api" and saved.entered_by == users["rach_gia"]
    assert saved.figures.get(component=component(resolution, 1)).quantity == 3
    assert saved.task_progress.get(task=task).status == "done"

    again = post(client, rows_for(resolution, **{"RG-1": 3})).json()
    assert again["counts"] == {"imported": 0, "updated": 0, "unchanged": 1, "refused": 0}
    changed = post(client, rows_for(resolution, **{"RG-1": 5})).json()
    assert changed["counts"]["updated"] == 1
    assert MonthlyReport.objects.get().figures.get(component=component(resolution, 1)).quantity == 5


def test_the_four_eyes_rule_holds_for_imported_reports(resolution, tree, users, api):
    post(api(users["rach_gia"]), rows_for(resolution, **{"RG-1": 3}))
    report = MonthlyReport.objects.get()
    url = f"/api/v1/reports/{report.pk}/approve/"
    etag = f'"{report.pk}-{report.version}"'
    refused = api(users["rach_gia"]).post(url, {}, format="json", HTTP_IF_MATCH=etag)
    assert refused.status_code == 403 and refused.json()["type"].endswith("four-eyes")
    assert api(users["province"]).post(url, {}, format="json", HTTP_IF_MATCH=etag).status_code == 200


def test_approved_reports_and_a_unit_s_own_figures_are_not_overwritten(resolution, tree, users, api):
    school = api(users["school"])
    school.post(
        "/api/v1/reports/",
        {
            "unit": tree["school"].pk,
            "year": 2020,
            "month": 11,
            "figures": [{"component": component(resolution, 1).pk, "quantity": 2}],
        },
        format="json",
    )
    client = api(users["rach_gia"])
    kept = post(client, rows_for(resolution, **{"RG-1": 9})).json()
    assert kept["counts"]["refused"] == 1 and "overwrite" in kept["refused"][0]["message"]
    taken = post(client, rows_for(resolution, **{"RG-1": 9}), "?overwrite=true").json()
    assert taken["counts"]["updated"] == 1
    report = MonthlyReport.objects.get()
    api(users["province"]).post(f"/api/v1/reports/{report.pk}/approve/", {}, format="json", HTTP_IF_MATCH="*")
    assert MonthlyReport.objects.get().status == "approved"
    late = post(client, rows_for(resolution, **{"RG-1": 1}), "?overwrite=true").json()
    assert late["counts"]["refused"] == 1 and "đã được duyệt" in late["refused"][0]["message"]


def test_an_idempotency_key_answers_the_first_result(resolution, tree, users, api):
    client = api(users["rach_gia"])
    rows = rows_for(resolution, **{"RG-1": 3})
    first = post(client, rows, HTTP_IDEMPOTENCY_KEY="sync-2020-11")
    assert first.json()["counts"]["imported"] == 1
    version = MonthlyReport.objects.get().version
    post(client, rows_for(resolution, **{"RG-1": 3}), HTTP_IDEMPOTENCY_KEY="other")  # changes nothing: unchanged
    replay = post(client, rows, HTTP_IDEMPOTENCY_KEY="sync-2020-11")
    assert replay.json() == first.json() and replay["Idempotent-Replayed"] == "true"
    assert MonthlyReport.objects.get().version == version  # not written twice
    other_body = post(client, rows_for(resolution, **{"RG-1": 4}), HTTP_IDEMPOTENCY_KEY="sync-2020-11")
    assert other_body.status_code == 422 and other_body["Content-Type"] == "application/problem+json"


def test_the_size_is_bounded_before_reading(resolution, tree, users, api, settings):
    client = api(users["rach_gia"])
    settings.API_IMPORT_MAX_BYTES = 50
    big = client.generic(
        "POST",
        URL,
        json.dumps({"rows": rows_for(resolution, **{"RG-1": 3, "RG-2": 4})}),
        content_type="application/json",
    )
    assert big.status_code == 413 and big.json()["type"].endswith("too-large")
    settings.API_IMPORT_MAX_BYTES = 2_000_000
    settings.API_IMPORT_MAX_ROWS = 1
    many = post(client, rows_for(resolution, **{"RG-1": 3, "RG-2": 4}))
    assert many.status_code == 413
    assert not MonthlyReport.objects.exists()


def test_only_upper_levels_import(resolution, tree, users, api):
    assert post(api(users["school"]), rows_for(resolution, **{"RG-1": 3})).status_code == 403
    assert post(api(users["rach_gia"], write=False), rows_for(resolution, **{"RG-1": 3})).status_code == 403
    assert post(api(users["rach_gia"]), "not a list").status_code == 400
