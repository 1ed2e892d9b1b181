"""Changes to the tree are recorded decisions applied in one transaction: reports never
move, the months before a move stay where they were in the "as it was" view, an ended
unit's units, officers and allocations pass to its successor, bad changes are refused with
a clear message and change nothing, and the last change can be undone."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from branches import changes
from branches.changes import Step
from branches.models import Organisation, Placement, TreeChange, User
from targets.models import Allocation, MonthlyReport
from targets.reporting import services
from targets.rollup.completeness import reported_so_far
from targets.rollup.figures import Structure
from targets.rollup.progress import scope_progress

pytestmark = pytest.mark.django_db
JULY = datetime.date(2020, 7, 1)
CURRENT, MONTHLY = Structure.CURRENT, Structure.MONTHLY


def members(resolution):
    return resolution.components().get(target__number=1)


def file_members(resolution, user, unit, month, quantity, approver=None):
    report = services.report_get_or_create(unit=unit, resolution=resolution, month=month)
    services.report_save(
        report=report,
        user=user,
        figures={members(resolution).pk: {"quantity": quantity}},
        tasks={},
        expected_version=report.version,
        submit=True,
    )
    report = MonthlyReport.objects.get(pk=report.pk)
    if approver is not None:
        services.report_approve(report=report, user=approver)
    return report


def achieved(resolution, scope, month=12, structure=CURRENT):
    scope = Organisation.objects.get(pk=scope.pk)
    row = next(
        r for r in scope_progress(resolution, scope, month, structure=structure) if r.component.target.number == 1
    )
    return row.achieved


def plan(federation, *steps, day=JULY, number="85/QĐ-LĐLĐ", user=None):
    return changes.change_plan(
        federation=federation,
        decision_number=number,
        decision_date=day - datetime.timedelta(days=6),
        decision_text="Sắp xếp tổ chức",
        effective_on=day,
        steps=list(steps),
        user=user,
    )


def test_a_move_counts_earlier_months_where_they_were_in_the_monthly_view(resolution, tree, users, settings):
    settings.UNIONPLAN_TODAY = datetime.date(2020, 9, 10)
    province, rach_gia, ha_tien, school = tree["province"], tree["rach_gia"], tree["ha_tien"], tree["school"]
    file_members(resolution, users["school"], school, 3, 12, approver=users["rach_gia"])
    change = plan(province, Step("move", units=["RG-1"], to="HT"))
    changes.change_apply(change, user=users["province"])
    file_members(resolution, users["school"], school, 8, 5, approver=users["ha_tien"])

    # The tree as it is: everything under Hà Tiên, whichever month.
    assert achieved(resolution, ha_tien, 12) == 17
    assert achieved(resolution, rach_gia, 12) == 0
    assert achieved(resolution, ha_tien, 3) == 12
    # As it was: March under Rạch Giá, August under Hà Tiên.
    assert achieved(resolution, rach_gia, 12, MONTHLY) == 12
    assert achieved(resolution, ha_tien, 12, MONTHLY) == 5
    assert achieved(resolution, ha_tien, 6, MONTHLY) == 0
    # The federation sees the same in both views: the move stayed within it.
    assert achieved(resolution, province, 12) == achieved(resolution, province, 12, MONTHLY) == 17
    # The report itself never moved.
    assert set(MonthlyReport.objects.values_list("organisation__code", flat=True)) == {"RG-1"}
    # Who reported March (the upper level and its units): under Rạch Giá as it was, under
    # Hà Tiên in today's tree.
    rach_gia, ha_tien = (Organisation.objects.get(pk=u.pk) for u in (rach_gia, ha_tien))
    assert reported_so_far(resolution, rach_gia, 3, MONTHLY) == (1, 4)
    assert reported_so_far(resolution, ha_tien, 3, MONTHLY) == (0, 3)
    assert reported_so_far(resolution, rach_gia, 3) == (0, 3)
    assert reported_so_far(resolution, ha_tien, 3) == (1, 4)
    # On record: who moved what, when and by which decision.
    change.refresh_from_db()
    assert change.status == TreeChange.Status.APPLIED and change.applied_by == users["province"]
    placement = Placement.objects.get(unit=school)
    assert placement.parent == rach_gia and placement.until == JULY and placement.change == change


def test_dissolving_with_a_successor_hands_over_units_officers_and_allocations(resolution, tree, users, settings):
    settings.UNIONPLAN_TODAY = datetime.date(2020, 7, 2)
    province, ha_tien = tree["province"], tree["ha_tien"]
    component = members(resolution)
    Allocation.objects.create(component=component, organisation=ha_tien, figure=300)
    Allocation.objects.create(component=component, organisation=tree["rach_gia"], figure=500)
    file_members(resolution, users["ht_firm"], tree["ht_firm"], 4, 9, approver=users["ha_tien"])
    change = plan(province, Step("dissolve", units=["HT"], to="RG"))
    changes.change_apply(change, user=users["province"])

    ha_tien.refresh_from_db()
    assert ha_tien.dissolved_on == JULY
    assert set(Organisation.objects.filter(parent=tree["rach_gia"]).values_list("code", flat=True)) == {
        "RG-1",
        "RG-2",
        "RG-3",
        "HT-1",
        "HT-2",
    }
    assert User.objects.get(username="hatien").organisation == tree["rach_gia"]
    ended = Allocation.objects.get(component=component, organisation=ha_tien)
    successor = Allocation.objects.get(component=component, organisation=tree["rach_gia"])
    assert (ended.figure, ended.previous_figure, ended.figure_from_month) == (0, 300, 7)
    assert (successor.figure, successor.previous_figure, successor.figure_from_month) == (800, 500, 7)
    assert "85/QĐ-LĐLĐ" in successor.history.first().history_change_reason
    # Ended Hà Tiên keeps its April in the view as it was; today's tree carries it on.
    assert achieved(resolution, ha_tien, 6, MONTHLY) == 9
    assert achieved(resolution, ha_tien, 6) == 0
    assert achieved(resolution, tree["rach_gia"], 6) == 9


@pytest.mark.parametrize(
    "step, message",
    [
        (Step("move", units=["RG"], to="RG-1"), "công đoàn cơ sở"),
        (Step("move", units=["RG"], to="RG"), "chính nó"),
        (Step("merge", units=["RG-1"], to="RG-1"), "chính nó"),
        (
            Step(
                "split",
                units=["RG-1"],
                parts=[{"code": "A", "name": "A", "share": 60}, {"code": "B", "name": "B", "share": 30}],
            ),
            "100",
        ),
        (Step("dissolve", units=["RG"]), "kế tục"),
    ],
)
def test_bad_changes_are_refused_in_vietnamese_and_change_nothing(resolution, tree, step, message):
    before = list(Organisation.objects.order_by("pk").values_list("pk", "parent_id", "dissolved_on", "name"))
    change = plan(tree["province"], step)
    with pytest.raises(ValidationError) as refused:
        changes.change_apply(change)
    assert any(message in m for m in refused.value.messages), refused.value.messages
    assert list(Organisation.objects.order_by("pk").values_list("pk", "parent_id", "dissolved_on", "name")) == before
    assert not Placement.objects.exists()
    assert TreeChange.objects.get(pk=change.pk).status == TreeChange.Status.DRAFT


def test_a_change_before_the_founding_or_to_an_ended_unit_is_refused(resolution, tree):
    late = Organisation.objects.create(
        code="NEW",
        name="Mới",
        kind="grassroots",
        sector="public_agency",
        parent=tree["rach_gia"],
        founded_on=datetime.date(2020, 9, 1),
    )
    with pytest.raises(ValidationError) as refused:
        changes.change_apply(plan(tree["province"], Step("move", units=[late.code], to="HT")))
    assert "thành lập" in refused.value.messages[0]
    changes.change_apply(plan(tree["province"], Step("dissolve", units=["HT-1"]), day=datetime.date(2020, 5, 1)))
    with pytest.raises(ValidationError) as refused:
        changes.change_apply(plan(tree["province"], Step("rename", units=["HT-1"], name="X")))
    assert "giải thể" in refused.value.messages[0]


def test_a_planned_change_takes_effect_on_its_day(resolution, tree, settings):
    settings.UNIONPLAN_TODAY = datetime.date(2020, 8, 1)
    change = plan(tree["province"], Step("move", units=["RG-1"], to="HT"), day=datetime.date(2020, 8, 27))
    assert changes.apply_due_changes() == ([], {})  # being prepared: not applied
    changes.change_confirm(change)
    assert TreeChange.objects.get(pk=change.pk).status == TreeChange.Status.PLANNED
    assert Organisation.objects.get(code="RG-1").parent == tree["rach_gia"]
    assert changes.apply_due_changes(datetime.date(2020, 8, 26)) == ([], {})
    applied, failed = changes.apply_due_changes(datetime.date(2020, 8, 27))
    assert [c.pk for c in applied] == [change.pk] and failed == {}
    assert Organisation.objects.get(code="RG-1").parent == tree["ha_tien"]


def test_undo_a_move_while_nothing_was_filed(resolution, tree, users, settings):
    settings.UNIONPLAN_TODAY = datetime.date(2020, 9, 10)
    file_members(resolution, users["school"], tree["school"], 3, 12, approver=users["rach_gia"])
    change = changes.change_apply(plan(tree["province"], Step("move", units=["RG-1"], to="HT")))
    assert changes.last_change_of(tree["school"]) == change
    changes.change_undo(change)
    assert Organisation.objects.get(code="RG-1").parent == tree["rach_gia"]
    assert not Placement.objects.exists()
    assert achieved(resolution, tree["rach_gia"], 12, MONTHLY) == achieved(resolution, tree["rach_gia"], 12) == 12
    assert achieved(resolution, tree["ha_tien"], 12, MONTHLY) == 0


def test_undo_is_refused_once_a_report_was_filed_under_the_new_structure(resolution, tree, users, settings):
    settings.UNIONPLAN_TODAY = datetime.date(2020, 9, 10)
    change = changes.change_apply(plan(tree["province"], Step("move", units=["RG-1"], to="HT")))
    file_members(resolution, users["school"], tree["school"], 8, 3)
    with pytest.raises(ValidationError) as refused:
        changes.change_undo(change)
    assert "báo cáo" in refused.value.messages[0]
    assert Organisation.objects.get(code="RG-1").parent == tree["ha_tien"]


def test_a_split_shares_out_the_allocations_and_the_parts_report_from_the_change(resolution, tree):
    component = members(resolution)
    Allocation.objects.create(component=component, organisation=tree["firm"], figure=10)
    changes.change_apply(
        plan(
            tree["province"],
            Step(
                "split",
                units=["RG-3"],
                parts=[{"code": "RG-3A", "name": "A", "share": 60}, {"code": "RG-3B", "name": "B", "share": 40}],
            ),
        )
    )
    a, b = Organisation.objects.get(code="RG-3A"), Organisation.objects.get(code="RG-3B")
    assert a.founded_on == b.founded_on == JULY and a.parent == tree["rach_gia"]
    assert Allocation.objects.get(organisation=a).figure == 6
    assert Allocation.objects.get(organisation=b).figure == 4
    assert Organisation.objects.get(code="RG-3").dissolved_on == JULY
