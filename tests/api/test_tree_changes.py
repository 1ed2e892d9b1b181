"""The tree's changes through the API: a federation's decisions with their lines (which
unit, what happens, its parent before and after), read by whom the change pages are for
(the federation's provincial staff, admins), nobody else; planned changes whose day has
come read as applied, as on the pages."""

import datetime

import pytest

from branches import changes
from branches.changes import Step
from branches.models import Organisation

pytestmark = pytest.mark.django_db
JULY = datetime.date(2020, 7, 1)


def plan(federation, *steps, day=JULY, number="85/QĐ-LĐLĐ"):
    return changes.change_plan(
        federation=federation,
        decision_number=number,
        decision_date=day - datetime.timedelta(days=6),
        decision_text="Sắp xếp tổ chức",
        effective_on=day,
        steps=list(steps),
    )


@pytest.fixture
def moved(tree, users):
    """RG-1 moved from Rạch Giá to Hà Tiên on 1 July 2020 (applied)."""
    return changes.change_apply(plan(tree["province"], Step("move", units=["RG-1"], to="HT")), user=users["province"])


@pytest.fixture
def elsewhere(db):
    """Another federation's change, being prepared: a unit renamed."""
    federation = Organisation.objects.create(code="AG", name="LĐLĐ tỉnh An Giang", kind=Organisation.Kind.PROVINCE)
    Organisation.objects.create(code="AG-1", name="CĐCS cũ", kind=Organisation.Kind.GRASSROOTS, parent=federation)
    return plan(federation, Step("rename", units=["AG-1"], name="CĐCS mới"), number="7/QĐ")


def test_the_federation_s_staff_read_its_changes_with_their_lines(api, users, tree, moved, elsewhere):
    answer = api(users["province"]).get("/api/v1/tree-changes/")
    assert answer.status_code == 200
    [change] = answer.json()["results"]
    assert change["id"] == moved.pk and change["federation_code"] == tree["province"].code
    assert change["decision_number"] == "85/QĐ-LĐLĐ" and change["decision_date"] == "2020-06-25"
    assert change["decision_text"] == "Sắp xếp tổ chức"
    assert change["effective_on"] == "2020-07-01" and change["status"] == "applied"
    [line] = change["lines"]
    assert line["kind"] == "move" and line["unit"] == tree["school"].pk and line["unit_code"] == "RG-1"
    assert (line["old_parent"], line["new_parent"], line["target"]) == ("RG", "HT", "HT")
    assert api(users["province"]).get(f"/api/v1/tree-changes/{moved.pk}/").json() == change


def test_nobody_else_reads_them_and_admins_read_every_federation_s(api, users, superuser, moved, elsewhere):
    for who in ("rach_gia", "ha_tien", "school", "ht_firm"):
        client = api(users[who])
        assert client.get("/api/v1/tree-changes/").json()["results"] == [], who
        assert client.get(f"/api/v1/tree-changes/{moved.pk}/").status_code == 404, who
    assert api(users["province"]).get(f"/api/v1/tree-changes/{elsewhere.pk}/").status_code == 404
    assert api().get("/api/v1/tree-changes/").status_code == 401
    listed = api(superuser).get("/api/v1/tree-changes/").json()["results"]
    assert [c["id"] for c in listed] == [moved.pk, elsewhere.pk]
    # Before it is applied, a line has no former parent; a rename has no new one.
    assert listed[1]["status"] == "draft"
    assert listed[1]["lines"][0] | {"unit": None} == {
        "order": listed[1]["lines"][0]["order"],
        "kind": "rename",
        "unit": None,
        "unit_code": "AG-1",
        "name": "CĐCS mới",
        "level": "",
        "target": None,
        "old_parent": None,
        "new_parent": None,
        "implied": False,
    }


def test_filters_and_the_cursor(api, superuser, tree, moved, elsewhere):
    client = api(superuser)
    assert [c["id"] for c in client.get("/api/v1/tree-changes/?status=draft").json()["results"]] == [elsewhere.pk]
    about = client.get(f"/api/v1/tree-changes/?unit={tree['ha_tien'].pk}").json()["results"]
    assert [c["id"] for c in about] == [moved.pk]  # Hà Tiên was handed RG-1
    assert client.get(f"/api/v1/tree-changes/?federation={tree['province'].pk}").json()["results"][0]["id"] == moved.pk
    assert client.get("/api/v1/tree-changes/?effective_since=2020-07-02").json()["results"] == []
    first = client.get("/api/v1/tree-changes/?page_size=1").json()
    assert [c["id"] for c in first["results"]] == [moved.pk]
    second = client.get(first["next"]).json()
    assert [c["id"] for c in second["results"]] == [elsewhere.pk] and second["next"] is None
    assert client.get("/api/v1/tree-changes/?status=sideways").status_code == 400


def test_a_planned_change_whose_day_has_come_reads_as_applied(api, users, tree, settings):
    settings.UNIONPLAN_TODAY = datetime.date(2020, 6, 20)
    planned = changes.change_confirm(plan(tree["province"], Step("move", units=["RG-2"], to="HT")))
    client = api(users["province"])
    assert client.get(f"/api/v1/tree-changes/{planned.pk}/").json()["status"] == "planned"
    settings.UNIONPLAN_TODAY = datetime.date(2020, 7, 1)
    line = client.get(f"/api/v1/tree-changes/{planned.pk}/").json()
    assert line["status"] == "applied" and line["lines"][0]["old_parent"] == "RG"
