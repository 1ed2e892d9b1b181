"""The pages of the tree's changes as provincial staff use them: choose many units (by upper
level, by pasted codes), see the preview, apply it; a conflicting change made meanwhile
sends the preview back with what changed; the unit's timeline tells the story and undoes
the last change."""

import datetime

import pytest
from django.urls import reverse

from branches import changes
from branches.changes import Step
from branches.models import Organisation, TreeChange
from tests.branches.test_tree_changes import file_members, plan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today(settings):
    settings.UNIONPLAN_TODAY = datetime.date(2020, 7, 10)


def form(**extra):
    data = {
        "decision_number": "85/QĐ-LĐLĐ",
        "decision_date": "25/06/2020",
        "decision_text": "Kết thúc hoạt động LĐLĐ Hà Tiên",
        "effective_on": "01/07/2020",
        "action": "move",
        "target": "RG",
        "officers": "follow",
    }
    data.update(extra)
    return data


def test_move_all_units_of_an_upper_level_with_a_preview(client, resolution, tree, users):
    file_members(resolution, users["ht_firm"], tree["ht_firm"], 6, 7, approver=users["ha_tien"])
    client.force_login(users["province"])
    response = client.post(reverse("tree-change-new"), form(under=tree["ha_tien"].pk))
    change = TreeChange.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("tree-change", args=[change.pk])
    preview = client.get(response["Location"])
    text = preview.content.decode()
    assert "2 đơn vị chịu tác động" in text
    assert "Đơn vị HT-1" in text and "Đơn vị HT-2" in text
    holders = {h.unit.code: h for h in preview.context["preview"].holders}
    # June, as of the preview: in today's tree the firm and its 7 members leave Hà Tiên for
    # Rạch Giá; as it was, June stays with Hà Tiên.
    members = resolution.components().get(target__number=1).pk
    ht, rg = holders["HT"], holders["RG"]
    assert (ht.before["current"].reported, ht.after["current"].reported) == (1, 0)
    assert (ht.before["current"].achieved[members], ht.after["current"].achieved[members]) == (7, 0)
    assert (rg.before["current"].achieved[members], rg.after["current"].achieved[members]) == (0, 7)
    assert ht.after["monthly"].achieved[members] == 7 and rg.after["monthly"].achieved[members] == 0
    assert "Số liệu đến tháng 6/2020" in text
    assert Organisation.objects.get(code="HT-1").parent == tree["ha_tien"]  # nothing applied yet
    version = preview.context["preview"].version
    applied = client.post(
        reverse("tree-change", args=[change.pk]), {"action": "confirm", "version": version}, follow=True
    )
    assert "Đã áp dụng thay đổi" in applied.content.decode()
    assert {u.code for u in Organisation.objects.filter(parent=tree["rach_gia"])} >= {"HT-1", "HT-2"}
    assert TreeChange.objects.get().applied_by == users["province"]


def test_a_conflicting_change_sends_the_preview_back(client, resolution, tree, users):
    client.force_login(users["province"])
    client.post(reverse("tree-change-new"), form(codes="HT-1\nHT-2"))
    change = TreeChange.objects.get()
    version = client.get(reverse("tree-change", args=[change.pk])).context["preview"].version
    # Meanwhile another member of staff moves HT-2 elsewhere.
    changes.change_apply(plan(tree["province"], Step("move", units=["HT-2"], to="RG"), number="86/QĐ"))
    response = client.post(
        reverse("tree-change", args=[change.pk]), {"action": "confirm", "version": version}, follow=True
    )
    text = response.content.decode()
    assert "người khác đã thay đổi" in text
    assert "Xem trước" in text  # the preview again, with what the other change did
    assert TreeChange.objects.get(pk=change.pk).status == TreeChange.Status.DRAFT
    assert Organisation.objects.get(code="HT-1").parent == tree["ha_tien"]


def test_bad_choices_are_refused_in_vietnamese(client, resolution, tree, users):
    client.force_login(users["province"])
    response = client.post(reverse("tree-change-new"), form(codes="HT-1 NOPE-9"))
    assert response.status_code == 200
    assert "Không có đơn vị nào mang các mã: NOPE-9" in response.content.decode()
    response = client.post(reverse("tree-change-new"), form(codes="RG", target="RG-1"))
    preview = client.get(response["Location"]).content.decode()
    assert "Không thể áp dụng thay đổi này" in preview and "công đoàn cơ sở không có đơn vị trực thuộc" in preview
    assert not TreeChange.objects.filter(status=TreeChange.Status.APPLIED).exists()


def test_only_the_federation_s_staff_change_the_tree(client, resolution, tree, users):
    client.force_login(users["rach_gia"])
    assert client.get(reverse("tree-change-new")).status_code == 403
    assert client.post(reverse("tree-change-new"), form(codes="RG-1")).status_code == 403


def test_the_timeline_tells_the_story_and_undoes_the_last_change(client, resolution, tree, users):
    change = changes.change_apply(plan(tree["province"], Step("move", units=["RG-1"], to="HT")), user=users["province"])
    client.force_login(users["province"])
    text = client.get(reverse("unit-timeline", args=[tree["school"].pk])).content.decode()
    assert "Chuyển đơn vị quản lý: Đơn vị RG → Đơn vị HT" in text
    assert "Quyết định 85/QĐ-LĐLĐ" in text and "trực thuộc Đơn vị RG đến ngày 01/07/2020" in text
    assert "came under it" not in text
    text = client.get(reverse("unit-timeline", args=[tree["ha_tien"].pk])).content.decode()
    assert "Đơn vị RG-1 chuyển về trực thuộc" in text
    response = client.post(reverse("tree-change-undo", args=[change.pk]), follow=True)
    assert "Đã hoàn tác thay đổi" in response.content.decode()
    assert Organisation.objects.get(code="RG-1").parent == tree["rach_gia"]
