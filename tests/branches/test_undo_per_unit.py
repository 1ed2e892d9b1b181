"""Undo, unit by unit (issue 21, item 4: "the last change of a unit can be undone while
nothing has been filed under the new structure"): a unit's last change can be undone after
later changes elsewhere in the federation, and is refused, with the decision that stands in
the way named, when a later or planned change built on what it changed (the same unit, a unit
under it, the parent it came from or went to), or when a report was filed under it since."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from branches import changes
from branches.changes import Step
from branches.models import Organisation, Placement, TreeChange
from targets.rollup.figures import Structure
from tests.branches.test_tree_changes import achieved, file_members, plan

pytestmark = pytest.mark.django_db
JULY, AUGUST = datetime.date(2020, 7, 1), datetime.date(2020, 8, 1)


@pytest.fixture(autouse=True)
def today(settings):
    settings.UNIONPLAN_TODAY = datetime.date(2020, 9, 10)


def apply(tree, *steps, day=JULY, number):
    return changes.change_apply(plan(tree["province"], *steps, day=day, number=number))


def refused(change):
    with pytest.raises(ValidationError) as error:
        changes.change_undo(change)
    assert TreeChange.objects.get(pk=change.pk).status == TreeChange.Status.APPLIED
    return " ".join(error.value.messages)


def test_a_unit_s_last_change_is_undone_after_later_changes_elsewhere(resolution, tree, users):
    file_members(resolution, users["school"], tree["school"], 3, 12, approver=users["rach_gia"])
    first = apply(tree, Step("move", units=["RG-1"], to="HT"), number="1/QĐ")
    # Later: another union moves to the same upper level, another is renamed.
    apply(
        tree, Step("move", units=["RG-2"], to="HT"), Step("rename", units=["RG-3"], name="X"), day=AUGUST, number="2/QĐ"
    )
    assert changes.last_change_of(tree["school"]) == first
    assert changes.undo_blockers(first) == []
    changes.change_undo(first)
    assert Organisation.objects.get(code="RG-1").parent == tree["rach_gia"]
    assert Organisation.objects.get(code="RG-2").parent == tree["ha_tien"]  # the later change stands
    assert not Placement.objects.filter(unit=tree["school"]).exists()
    assert achieved(resolution, tree["rach_gia"], 12, Structure.MONTHLY) == 12
    assert achieved(resolution, tree["ha_tien"], 12, Structure.MONTHLY) == 0


def test_a_later_change_of_the_same_unit_stands_in_the_way(resolution, tree):
    first = apply(tree, Step("move", units=["RG-1"], to="HT"), number="1/QĐ")
    apply(tree, Step("rename", units=["RG-1"], name="Trường mới"), day=AUGUST, number="2/QĐ")
    reason = refused(first)
    assert "Quyết định 2/QĐ (hiệu lực ngày 01/08/2020), áp dụng sau thay đổi này" in reason
    assert "hãy hoàn tác quyết định đó trước" in reason
    assert Organisation.objects.get(code="RG-1").parent == tree["ha_tien"]


def test_a_later_change_under_a_moved_upper_level_stands_in_the_way(resolution, tree):
    inner = Organisation.objects.create(code="RG-X", name="Đơn vị RG-X", kind="upper_level", parent=tree["rach_gia"])
    Organisation.objects.create(code="RG-X-1", name="X1", kind="grassroots", sector="public_agency", parent=inner)
    first = apply(tree, Step("move", units=["RG-X"], to="HT"), number="1/QĐ")
    apply(tree, Step("move", units=["RG-X-1"], to="HT"), day=AUGUST, number="2/QĐ")
    assert "Quyết định 2/QĐ" in refused(first)


def test_a_later_change_of_the_parent_it_came_from_stands_in_the_way(resolution, tree):
    first = apply(tree, Step("move", units=["HT-1"], to="RG"), number="1/QĐ")
    # Hà Tiên, where HT-1 came from, is dissolved since: HT-1 cannot go back under it.
    apply(tree, Step("dissolve", units=["HT"], to="RG"), day=AUGUST, number="2/QĐ")
    assert "Quyết định 2/QĐ" in refused(first)
    assert Organisation.objects.get(code="HT-1").parent == tree["rach_gia"]


def test_a_planned_change_of_the_unit_stands_in_the_way(resolution, tree):
    first = apply(tree, Step("move", units=["RG-1"], to="HT"), number="1/QĐ")
    planned = changes.change_confirm(
        plan(tree["province"], Step("move", units=["RG-1"], to="RG"), day=datetime.date(2020, 10, 1), number="3/QĐ")
    )
    assert planned.status == TreeChange.Status.PLANNED
    reason = refused(first)
    assert (
        "Quyết định 3/QĐ, đã lên kế hoạch áp dụng ngày 01/10/2020" in reason and "hãy hủy quyết định đó trước" in reason
    )
    planned.delete()
    changes.change_undo(first)
    assert Organisation.objects.get(code="RG-1").parent == tree["rach_gia"]


def test_a_report_filed_under_the_new_structure_stands_in_the_way(resolution, tree, users):
    first = apply(tree, Step("move", units=["RG-1"], to="HT"), number="1/QĐ")
    apply(tree, Step("move", units=["RG-2"], to="HT"), day=AUGUST, number="2/QĐ")
    file_members(resolution, users["school"], tree["school"], 8, 3)
    assert "báo cáo" in refused(first)


def test_the_timeline_undoes_a_unit_s_last_change_after_a_later_one_elsewhere(client, resolution, tree, users):
    first = apply(tree, Step("move", units=["RG-1"], to="HT"), number="1/QĐ")
    later = apply(tree, Step("rename", units=["RG-1"], name="Trường mới"), day=AUGUST, number="2/QĐ")
    apply(tree, Step("move", units=["RG-2"], to="HT"), day=AUGUST, number="3/QĐ")
    client.force_login(users["province"])
    timeline = client.get(reverse("unit-timeline", args=[tree["school"].pk])).content.decode()
    assert "Hoàn tác thay đổi gần nhất (2/QĐ)" in timeline
    client.post(reverse("tree-change-undo", args=[later.pk]))
    timeline = client.get(reverse("unit-timeline", args=[tree["school"].pk])).content.decode()
    assert "Hoàn tác thay đổi gần nhất (1/QĐ)" in timeline
    response = client.post(reverse("tree-change-undo", args=[first.pk]), follow=True)
    assert "Đã hoàn tác thay đổi" in response.content.decode()
    assert Organisation.objects.get(code="RG-1").parent == tree["rach_gia"]
    assert Organisation.objects.get(code="RG-2").parent == tree["ha_tien"]
