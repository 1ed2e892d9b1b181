"""Federations merge too: from the merger on, the successor's provincial staff answer for
both federations' resolutions of the year, each still tracked against its own figures and
dashboards; the merged federation's staff follow to the successor; nobody else gains
anything, and before the merger nobody sees the other federation."""

import datetime

import pytest
from django.urls import reverse

from branches import access, changes
from branches.changes import Step
from branches.models import Organisation, User

pytestmark = pytest.mark.django_db
JULY = datetime.date(2024, 7, 1)


def merge(tree, an_giang):
    change = changes.change_plan(
        federation=tree["province"],
        decision_number="4173/TLĐ-ToC",
        effective_on=JULY,
        steps=[Step("merge", units=["KG"], to=an_giang["province"].code)],
    )
    return changes.change_confirm(change)


def test_before_the_merger_nobody_sees_the_other_federation(client, settings, users, tree, an_giang):
    settings.UNIONPLAN_TODAY = datetime.date(2024, 6, 20)
    merge(tree, an_giang)  # planned for 1 July
    client.force_login(an_giang["staff"])
    assert client.get(reverse("dashboard-unit", args=[tree["province"].pk])).status_code == 404
    assert not access.can_view_unit(an_giang["staff"], tree["school"])


def test_after_the_merger_the_successor_answers_for_both(client, settings, users, tree, an_giang, resolution):
    settings.UNIONPLAN_TODAY = datetime.date(2024, 7, 1)
    merge(tree, an_giang)
    kg = Organisation.objects.get(pk=tree["province"].pk)
    assert kg.dissolved_on == JULY and kg.merged_into == an_giang["province"]
    staff = an_giang["staff"]
    client.force_login(staff)
    # Kiên Giang's dashboard, still against its own 2020 resolution and figures.
    page = client.get(reverse("dashboard-unit", args=[kg.pk]) + "?year=2020&month=12")
    assert page.status_code == 200 and page.context["resolution"] == resolution
    assert access.can_view_unit(staff, tree["school"]) and access.can_review_unit(staff, tree["school"])
    assert set(access.resolution_issuers(staff)) >= {kg, an_giang["province"]}
    # An Giang's own dashboard is unchanged.
    assert client.get(reverse("dashboard-unit", args=[an_giang["province"].pk]) + "?month=6").status_code == 200
    # Kiên Giang's staff followed to An Giang; its other officers are as they were.
    assert User.objects.get(pk=users["province"].pk).organisation == an_giang["province"]
    assert User.objects.get(pk=users["rach_gia"].pk).organisation == tree["rach_gia"]
    # Nobody else gains anything: An Giang's upper level sees nothing of Kiên Giang.
    assert not access.can_view_unit(an_giang["upper"], tree["school"])
    assert not access.can_view_unit(users["rach_gia"], an_giang["firm"])


def test_officers_of_an_ended_unit_read_but_do_not_file(client, settings, users, tree, resolution):
    settings.UNIONPLAN_TODAY = datetime.date(2020, 7, 10)
    change = changes.change_plan(
        federation=tree["province"],
        decision_number="9/QĐ",
        effective_on=datetime.date(2020, 7, 1),
        steps=[Step("dissolve", units=["HT-2"], officers="unassigned")],
    )
    changes.change_apply(change)
    officer = User.objects.get(pk=users["ht_firm"].pk)
    assert officer.organisation == tree["ht_firm"]  # kept until an admin assigns a unit
    assert access.can_view_unit(officer, tree["ht_firm"])
    assert not access.can_file_for(officer, tree["ht_firm"])
    client.force_login(officer)
    assert client.get(reverse("report_edit", args=[2020, 6, tree["ht_firm"].pk])).status_code == 403
    assert client.get(reverse("dashboard-unit", args=[tree["ht_firm"].pk]) + "?month=6").status_code == 200
