"""Reads: resolutions with their figures and changes, the visible tree, monthly reports
(filters, cursor pages by id), and the roll-ups with the dashboards' own numbers."""

import datetime
import json

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.renderers import JSONRenderer

from targets.api.rows import report_rows, reports_data
from targets.api.serializers import ReportSerializer, ResolutionSerializer
from targets.api.views.resolutions import figure_changes
from targets.models import MonthlyReport, Resolution, TargetComponent
from targets.resolution.services import change_figure
from tests.dashboard_data import build_scenario, component, file_report

pytestmark = pytest.mark.django_db


def test_resolutions_carry_targets_components_tasks_and_figure_changes(resolution, users, api):
    recruits = component(resolution, 1)
    change_figure(recruits, figure=6000, reason="Điều chỉnh giữa năm", effective_month=7, user=users["province"])
    data = api(users["school"]).get("/api/v1/resolutions/").json()
    assert [r["year"] for r in data] == [2020]
    target1 = next(t for t in data[0]["targets"] if t["number"] == 1)
    comp = next(c for c in target1["components"] if c["id"] == recruits.pk)
    assert comp["figure"] == 6000 and comp["previous_figure"] == 5821
    assert comp["figure_changes"][-1]["figure"] == 6000
    assert comp["figure_changes"][-1]["previous_figure"] == 5821
    assert comp["figure_changes"][-1]["reason"] == "Điều chỉnh giữa năm"
    assert len(data[0]["targets"]) == 16 and len(data[0]["tasks"]) == 7


def test_the_resolutions_answer_is_the_serializer_s(resolution, users, api):
    """Resolutions are built with each serializer's fields made once (``rows.Flat``): the same
    JSON as the nested serializers, figure changes included."""
    change_figure(component(resolution, 1), figure=6000, reason="Giữa năm", effective_month=7, user=users["province"])
    data = api(users["province"]).get("/api/v1/resolutions/").json()
    view = api(users["province"]).get(f"/api/v1/resolutions/{resolution.pk}/").json()
    rows = Resolution.objects.filter(pk=resolution.pk).prefetch_related("tasks", "targets__components")
    slow = ResolutionSerializer(rows, many=True, context={"figure_changes": figure_changes(component_list(resolution))})
    assert data == json.loads(JSONRenderer().render(slow.data)) == [view]


def component_list(resolution):
    return TargetComponent.objects.filter(target__resolution=resolution)


def test_an_officer_without_a_unit_sees_no_resolution(make_user, api, resolution):
    loose = make_user("loose")
    assert api(loose).get("/api/v1/resolutions/").json() == []


def test_organisations_are_the_visible_subtree(tree, users, api):
    def codes(user, query=""):
        return {o["code"] for o in api(user).get(f"/api/v1/organisations/{query}").json()["results"]}

    assert codes(users["rach_gia"]) == {"RG", "RG-1", "RG-2", "RG-3"}
    assert codes(users["school"]) == {"RG-1"}
    assert codes(users["province"], f"?parent={tree['ha_tien'].pk}") == {"HT-1", "HT-2"}
    assert codes(users["rach_gia"], f"?scope={tree['ha_tien'].pk}") == set()
    assert api(users["school"]).get(f"/api/v1/organisations/{tree['firm'].pk}/").status_code == 404


def test_reports_are_filtered_and_paged_by_id(resolution, tree, users, api):
    recruits = component(resolution, 1)
    for month in (1, 2, 3):
        for unit in ("school", "soe", "firm", "ht_school"):
            file_report(resolution, tree[unit], month, {recruits: {"quantity": month}})
    client = api(users["rach_gia"])
    seen, url = [], "/api/v1/reports/?year=2020&page_size=2"
    while url:
        page = client.get(url).json()
        seen += [r["id"] for r in page["results"]]
        url = page["next"]
    visible = MonthlyReport.objects.filter(organisation__path__startswith=tree["rach_gia"].path)
    assert seen == sorted(visible.values_list("pk", flat=True))  # every one once, in id order, no HT report
    seen, url = [], "/api/v1/reports/?year=2020&month=2&page_size=1"  # a month, a page a report
    while url:
        page = client.get(url).json()
        seen += [r["id"] for r in page["results"]]
        url = page["next"]
    assert seen == sorted(visible.filter(month=2).values_list("pk", flat=True)) and len(seen) == 3
    march = client.get(f"/api/v1/reports/?month=3&unit={tree['firm'].pk}").json()["results"]
    assert len(march) == 1 and march[0]["figures"][0]["approved_quantity"] == 3
    assert march[0]["unit_code"] == "RG-3" and march[0]["status"] == "approved"
    assert client.get("/api/v1/reports/?status=submitted").json()["results"] == []
    later = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)).isoformat()
    assert client.get("/api/v1/reports/", {"updated_since": later}).json()["results"] == []
    assert len(client.get(f"/api/v1/reports/?scope={tree['ha_tien'].pk}").json()["results"]) == 0
    assert len(api(users["province"]).get(f"/api/v1/reports/?scope={tree['ha_tien'].pk}").json()["results"]) == 3
    bad = client.get("/api/v1/reports/?month=abc")
    assert bad.status_code == 400 and bad["Content-Type"] == "application/problem+json"
    assert bad.json()["errors"][0]["field"] == "month"


def test_a_report_answers_with_its_etag(resolution, tree, users, api):
    report = file_report(resolution, tree["school"], 2, {component(resolution, 1): {"quantity": 2}})
    answer = api(users["school"]).get(f"/api/v1/reports/{report.pk}/")
    assert answer["ETag"] == f'"{report.pk}-{report.version}"'
    assert api(users["ha_tien"]).get(f"/api/v1/reports/{report.pk}/").status_code == 404


def page_rows(client, url):
    """The progress table's rows of a dashboard page (what the page itself computed)."""
    response = client.get(url)
    assert response.status_code == 200
    return list(response.context["tables"]["progress"].data)


@pytest.mark.parametrize("who,scope", [("province", "province"), ("rach_gia", "rach_gia"), ("province", "ha_tien")])
def test_progress_has_the_dashboard_s_numbers(resolution, tree, users, api, who, scope):
    build_scenario(resolution, tree)
    page = Client()
    page.force_login(users[who])
    unit = tree[scope]
    rows = page_rows(page, reverse("dashboard-unit", args=[unit.pk]) + "?month=10&year=2020")
    data = api(users[who]).get(f"/api/v1/progress/?unit={unit.pk}&year=2020&month=10").json()
    assert data["month"] == 10 and data["unit"] == unit.pk
    by_component = {c["component"]: c for c in data["components"]}
    assert len(by_component) == len(rows) == TargetComponent.objects.filter(target__resolution=resolution).count()
    assert any(row.achieved for row in rows)  # the scenario gives something to compare
    for row in rows:
        api_row = by_component[row.component.pk]
        assert (api_row["figure"], api_row["achieved"], api_row["expected"], api_row["status"]) == (
            row.figure,
            row.achieved,
            row.expected,
            row.status,
        ), row.component
        assert api_row["eligible"] == row.eligible


def test_progress_refuses_what_the_page_refuses(resolution, tree, users, api):
    client = api(users["rach_gia"])
    assert client.get(f"/api/v1/progress/?unit={tree['ha_tien'].pk}").status_code == 404
    assert client.get("/api/v1/progress/?unit=abc").status_code == 404
    assert client.get("/api/v1/progress/?month=13").status_code == 400
    assert client.get("/api/v1/progress/?year=1999").status_code == 404
    default = client.get("/api/v1/progress/").json()
    assert default["unit"] == tree["rach_gia"].pk and default["year"] == 2020


def test_completeness_has_the_page_s_numbers(resolution, tree, users, api):
    build_scenario(resolution, tree)
    page = Client()
    page.force_login(users["province"])
    response = page.get(reverse("dashboard-completeness") + f"?unit={tree['province'].pk}&month=3&year=2020")
    rows, total = response.context["view"].summary  # what the page shows
    data = api(users["province"]).get(f"/api/v1/completeness/?unit={tree['province'].pk}&month=3&year=2020").json()
    names = ("expected", "on_time", "late", "missing", "not_yet_due")
    assert total.expected > 0
    assert [data["total"][n] for n in names] == [getattr(total, n) for n in names]
    assert [(b["code"], *[b[n] for n in names]) for b in data["branches"]] == [
        (r.unit.code, *[getattr(r, n) for n in names]) for r in rows
    ]


def test_the_fast_answer_is_the_serializer_s(resolution, tree, users):
    """Lists build reports straight from rows (``reports_data``): the same JSON as the serializer."""
    report = file_report(resolution, tree["school"], 2, {component(resolution, 1): {"quantity": 2}})
    report.review_comment = "Đạt"
    report.save()
    report = MonthlyReport.objects.select_related("resolution", "organisation").get(pk=report.pk)
    fast = JSONRenderer().render(reports_data(report_rows(MonthlyReport.objects.filter(pk=report.pk)))[0])
    slow = JSONRenderer().render(ReportSerializer(report).data)
    assert json.loads(fast) == json.loads(slow)
    assert json.loads(fast)["figures"][0]["approved_quantity"] == 2
