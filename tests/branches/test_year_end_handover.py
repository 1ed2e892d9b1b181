"""The merger's hand-over (issue 21, item 6): Kiên Giang's federation merged into An Giang's on
1 July 2020 keeps its units to its year end; on 1 January 2021 they come under An Giang, whose
2021 resolution expects them. Each resolution counts its units under the tree as it was at its
year end (``Resolution.tree_day``), so neither federation's 2020 figures change with the
hand-over, in either view, and a December report filed after it still counts for Kiên Giang."""

import datetime
import json

import pytest
from django.urls import reverse

from branches import changes
from branches.changes import Step
from branches.models import Organisation, TreeChange, User
from targets.models import MonthlyReport, Resolution
from targets.reporting import services
from targets.reporting.ledger.check import check_totals
from targets.resolution.copying import copy_resolution
from targets.resolution.loading import load_resolution
from targets.rollup.completeness import completeness, reported_so_far
from tests.branches.test_tree_changes import CURRENT, MONTHLY, achieved, file_members, plan
from tests.conftest import RESOLUTION_FILE

pytestmark = pytest.mark.django_db
G, U = Organisation.Kind.GRASSROOTS, Organisation.Kind.UPPER_LEVEL


def today(settings, *ymd):
    settings.UNIONPLAN_TODAY = datetime.date(*ymd)


@pytest.fixture
def an_giang(resolution, make_user):
    """An Giang's federation with its 2020 resolution, an upper level and a grassroots union."""
    data = json.loads(RESOLUTION_FILE.read_text(encoding="utf-8"))
    data["organisation"] = {"code": "AG", "name": "LĐLĐ tỉnh An Giang", "kind": "province"}
    successor, _created = load_resolution(data)
    root = successor.organisation
    upper = Organisation.objects.create(code="AG-U", name="LĐLĐ TP Long Xuyên", kind=U, parent=root)
    firm = Organisation.objects.create(
        code="AG-1", name="CĐCS Công ty Long Xuyên", kind=G, sector="non_state_enterprise", workforce=90, parent=upper
    )
    return {
        "resolution": successor,
        "root": root,
        "upper": upper,
        "firm": firm,
        "staff": make_user("angiang", root, User.Role.PROVINCIAL_STAFF),
        "upper_officer": make_user("longxuyen", upper, User.Role.UPPER_LEVEL_OFFICER),
        "firm_officer": make_user("agfirm", firm, User.Role.GRASSROOTS_OFFICER),
    }


@pytest.fixture
def merger(resolution, tree, users, an_giang, settings):
    """Reports in both federations, then Kiên Giang merged into An Giang on 1 July 2020."""
    today(settings, 2020, 6, 10)
    file_members(resolution, users["firm"], tree["firm"], 5, 4, approver=users["rach_gia"])
    file_members(resolution, users["ht_firm"], tree["ht_firm"], 5, 3, approver=users["ha_tien"])
    ag = an_giang
    file_members(ag["resolution"], ag["firm_officer"], ag["firm"], 5, 7, approver=ag["upper_officer"])
    today(settings, 2020, 7, 10)
    federation = tree["province"]
    change = plan(federation, Step("merge", units=[federation.code], to="AG"), number="4173/TLĐ-ToC")
    return changes.change_apply(change)


def figures(resolution, scope, month=12):
    scope = Organisation.objects.get(pk=scope.pk)
    return {
        structure: (achieved(resolution, scope, month, structure), reported_so_far(resolution, scope, month, structure))
        for structure in (CURRENT, MONTHLY)
    }


def test_the_merger_plans_the_hand_over_on_the_first_of_january(resolution, tree, an_giang, merger):
    handover = TreeChange.objects.get(handover_of=merger)
    assert handover.status == TreeChange.Status.PLANNED
    assert handover.federation == an_giang["root"]
    assert handover.effective_on == datetime.date(2021, 1, 1)
    assert handover.decision_number == "4173/TLĐ-ToC"
    assert {line.unit for line in handover.lines.all()} == {tree["rach_gia"], tree["ha_tien"]}
    assert {line.target for line in handover.lines.all()} == {an_giang["root"]}


def test_the_timelines_show_the_planned_hand_over(client, tree, an_giang, merger):
    client.force_login(an_giang["staff"])
    for unit in (tree["province"], tree["rach_gia"]):
        page = client.get(reverse("unit-timeline", args=[unit.pk]))
        assert page.status_code == 200
        text = page.content.decode()
        assert "01/01/2021" in text and "4173/TLĐ-ToC" in text, unit.code


def test_undoing_the_merger_before_the_hand_over_discards_it(tree, an_giang, merger, settings):
    today(settings, 2020, 7, 12)
    changes.change_undo(merger)
    assert not TreeChange.objects.filter(handover_of=merger).exists()
    assert Organisation.objects.get(pk=tree["province"].pk).merged_into is None


def test_no_other_move_crosses_federations(tree, an_giang, merger, settings):
    today(settings, 2020, 8, 10)
    move = plan(tree["province"], Step("move", units=["RG-1"], to="AG-U"), day=datetime.date(2020, 8, 1))
    with pytest.raises(changes.ChangeRefused) as refused:
        changes.change_apply(move)
    assert "thuộc liên đoàn khác" in refused.value.messages[0]
    # Not even the merged federation's units to the successor on another day than the hand-over's.
    early = plan(tree["province"], Step("move", units=["RG"], to="AG"), day=datetime.date(2020, 9, 1))
    with pytest.raises(changes.ChangeRefused):
        changes.change_apply(early)
    # Nor on the hand-over's day by another decision than the merger's hand-over.
    today(settings, 2021, 1, 2)
    other = plan(an_giang["root"], Step("move", units=["HT"], to="AG"), day=datetime.date(2021, 1, 1), number="9/QĐ")
    with pytest.raises(changes.ChangeRefused) as refused:
        changes.change_apply(other)
    assert "thuộc liên đoàn khác" in refused.value.messages[0]


def test_after_the_hand_over_each_year_counts_its_own_tree(resolution, tree, users, an_giang, merger, settings):
    ag = an_giang
    today(settings, 2020, 12, 10)
    file_members(resolution, users["firm"], tree["firm"], 11, 5, approver=users["rach_gia"])
    following = copy_resolution(ag["resolution"], 2021)
    kien_giang_2020 = figures(resolution, tree["province"])
    an_giang_2020 = figures(ag["resolution"], ag["root"])
    rach_gia_2020 = figures(resolution, tree["rach_gia"])
    assert kien_giang_2020[CURRENT][0] == kien_giang_2020[MONTHLY][0] == 4 + 3 + 5
    assert an_giang_2020[CURRENT][0] == 7

    today(settings, 2021, 1, 5)
    applied, failed = changes.apply_due_changes()
    assert not failed and [c.handover_of for c in applied] == [merger]
    for unit in (tree["rach_gia"], tree["ha_tien"]):
        assert Organisation.objects.get(pk=unit.pk).parent == ag["root"]
    # The 2020 figures of both federations, and of the upper level handed over, are as they were.
    assert figures(resolution, tree["province"]) == kien_giang_2020
    assert figures(ag["resolution"], ag["root"]) == an_giang_2020
    assert figures(resolution, tree["rach_gia"]) == rach_gia_2020
    rows, total = completeness(resolution, Organisation.objects.get(pk=tree["province"].pk), 11)
    assert {row.unit.code for row in rows} == {"RG", "HT"}  # Kiên Giang itself ended in July
    assert total.expected == kien_giang_2020[CURRENT][1][1]

    # The units handed over report against Kiên Giang's 2020 resolution and An Giang's 2021.
    firm = Organisation.objects.get(pk=tree["firm"].pk)
    assert set(Resolution.objects.for_unit(firm)) == {resolution, following}
    assert ag["resolution"] not in set(Resolution.objects.for_unit(firm))
    # December 2020, filed after the hand-over, counts for Kiên Giang's 2020 resolution.
    officer, reviewer = (User.objects.get(pk=users[name].pk) for name in ("firm", "rach_gia"))
    assert resolution in Resolution.objects.visible_to(officer)
    report = file_members(resolution, officer, firm, 12, 6)
    # It waits for An Giang's staff (who answer for Kiên Giang's year) and for its upper level.
    assert report in MonthlyReport.objects.awaiting_review_by(ag["root"])
    assert report in MonthlyReport.objects.awaiting_review_by(Organisation.objects.get(pk=tree["rach_gia"].pk))
    services.report_approve(report=report, user=reviewer)
    assert achieved(resolution, tree["province"]) == 4 + 3 + 5 + 6
    assert achieved(resolution, tree["rach_gia"], structure=MONTHLY) == 4 + 5 + 6
    assert achieved(ag["resolution"], ag["root"]) == 7
    # An Giang's 2021 resolution expects them: its own three units and Kiên Giang's seven.
    assert reported_so_far(following, ag["root"], 1) == (0, 3 + 7)
    assert reported_so_far(following, ag["root"], 1, MONTHLY) == (0, 3 + 7)
    # The running totals are those a fresh count gives.
    assert not check_totals().differences


def test_an_giang_s_staff_keep_kien_giang_s_year(client, resolution, tree, users, an_giang, merger, settings):
    """After the hand-over, An Giang's staff and Kiên Giang's former staff (who followed) read
    Kiên Giang's 2020 dashboards, completeness, tasks and exports in both views; a grassroots
    officer of An Giang does not."""
    today(settings, 2020, 12, 10)
    file_members(resolution, users["firm"], tree["firm"], 11, 5, approver=users["rach_gia"])
    today(settings, 2021, 1, 5)
    changes.apply_due_changes()
    federation = tree["province"]
    for user in (an_giang["staff"], User.objects.get(pk=users["province"].pk)):
        assert user.organisation == an_giang["root"]
        client.force_login(user)
        for structure in (CURRENT, MONTHLY):
            params = {"resolution": resolution.pk, "year": 2020, "month": 11, "structure": structure}
            page = client.get(reverse("dashboard-unit", args=[federation.pk]), params)
            assert page.status_code == 200
            assert page.context["resolution"] == resolution
            for name in ("dashboard-completeness", "dashboard-tasks"):
                page = client.get(reverse(name), {**params, "unit": federation.pk})
                assert page.status_code == 200, name
            export = {**params, "unit": federation.pk, "_export": "xlsx", "table": "units"}
            page = client.get(reverse("dashboard-completeness"), export)
            assert page.status_code == 200
    client.force_login(an_giang["firm_officer"])
    assert client.get(reverse("dashboard-unit", args=[federation.pk]), {"year": 2020}).status_code == 404
