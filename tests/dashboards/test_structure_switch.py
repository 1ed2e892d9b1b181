"""The switch between the two views (``?structure=current|monthly``) on the dashboards, the
target pages, the completeness page and the exports: an ended upper level keeps, as it was,
the months its units reported under it; today's tree carries them under the successor; the
choice is kept by every link of the page."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from branches import changes
from branches.changes import Step
from tests.branches.test_tree_changes import file_members, plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def ended_ha_tien(resolution, tree, users, settings):
    """Hà Tiên's firm reported 9 members in April and 4 in May; Hà Tiên was ended on 1 July
    and its units handed to Rạch Giá."""
    settings.UNIONPLAN_TODAY = datetime.date(2020, 9, 10)
    file_members(resolution, users["ht_firm"], tree["ht_firm"], 4, 9, approver=users["ha_tien"])
    file_members(resolution, users["ht_firm"], tree["ht_firm"], 5, 4, approver=users["ha_tien"])
    changes.change_apply(plan(tree["province"], Step("dissolve", units=["HT"], to="RG")), user=users["province"])
    return tree["ha_tien"]


def get(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response


def target_1(response):
    row = next(r for r in response.context["view"].rows if r.component.target.number == 1)
    return row.achieved


def test_the_ended_unit_keeps_its_months_as_it_was(client, users, tree, ended_ha_tien):
    url = reverse("dashboard-unit", args=[ended_ha_tien.pk])
    assert target_1(get(client, users["province"], url + "?month=6")) == 0
    as_it_was = get(client, users["province"], url + "?month=6&structure=monthly")
    assert target_1(as_it_was) == 13
    text = as_it_was.content.decode()
    assert "Tính theo cơ cấu từng tháng" in text
    assert 'value="monthly" selected' in text
    # Every link to another page of the month keeps the view.
    assert "month=6&amp;year=2020&amp;structure=monthly" in text
    rach_gia = reverse("dashboard-unit", args=[tree["rach_gia"].pk])
    assert target_1(get(client, users["province"], rach_gia + "?month=6")) == 13
    assert target_1(get(client, users["province"], rach_gia + "?month=6&structure=monthly")) == 0
    # The federation's own figure is the same in both views.
    province = reverse("dashboard-unit", args=[tree["province"].pk])
    assert target_1(get(client, users["province"], province + "?month=6")) == 13
    assert target_1(get(client, users["province"], province + "?month=6&structure=monthly")) == 13


def test_the_target_page_breaks_down_by_the_tree_of_each_view(client, users, tree, resolution, ended_ha_tien):
    component = resolution.components().get(target__number=1)
    url = reverse("dashboard-component", args=[tree["province"].pk, component.pk]) + "?month=6"
    rows = {r.unit.code: r.achieved for r in get(client, users["province"], url).context["tables"]["units"].data}
    assert rows["HT"] == 0 and rows["RG"] == 13
    monthly = get(client, users["province"], url + "&structure=monthly")
    rows = {r.unit.code: r.achieved for r in monthly.context["tables"]["units"].data}
    assert rows["HT"] == 13 and rows["RG"] == 0
    assert monthly.context["view"].row.achieved == 13


def test_completeness_counts_the_ended_unit_for_the_months_it_was_active(client, users, tree, ended_ha_tien):
    url = reverse("dashboard-completeness") + f"?unit={tree['province'].pk}&month=5"
    today = {
        r.unit.code: (r.expected, r.reported) for r in get(client, users["province"], url).context["view"].summary[0]
    }
    monthly = get(client, users["province"], url + "&structure=monthly").context["view"].summary[0]
    as_it_was = {r.unit.code: (r.expected, r.reported) for r in monthly}
    # In May, Hà Tiên and its two units were expected, and its firm reported; in today's
    # tree its units count under Rạch Giá and Hà Tiên only for itself.
    assert as_it_was["HT"] == (3, 1) and as_it_was["RG"] == (4, 0)
    assert today["RG"] == (6, 1) and today["HT"] == (1, 0)
    url = reverse("dashboard-completeness") + f"?unit={tree['province'].pk}&month=8&structure=monthly"
    as_it_was = {r.unit.code: r.expected for r in get(client, users["province"], url).context["view"].summary[0]}
    assert "HT" not in as_it_was and as_it_was["RG"] == 6


def test_the_export_says_which_tree_it_counts_under(client, users, ended_ha_tien):
    url = reverse("dashboard-unit", args=[ended_ha_tien.pk]) + "?month=6&structure=monthly&_export=xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(get(client, users["province"], url).content)).active
    cells = [c.value for row in sheet.iter_rows(max_row=8) for c in row if c.value]
    assert "Tính theo cơ cấu từng tháng" in cells
