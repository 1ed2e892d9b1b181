"""A change of one unit from the pages, as provincial staff make it: found a unit, rename one,
change its level, split one with the shares chosen in the preview (they must add up to 100:
otherwise a clear message and nothing applied); and the bad inputs of issue 21, item 9, each
refused on the pages with its Vietnamese message and nothing applied."""

import datetime

import pytest
from django.urls import reverse

from branches import changes
from branches.changes import Step
from branches.models import Organisation, TreeChange
from targets.models import Allocation
from tests.branches.test_tree_changes import plan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today(settings):
    settings.UNIONPLAN_TODAY = datetime.date(2020, 7, 10)


def decision(**extra):
    data = {
        "decision_number": "90/QĐ-LĐLĐ",
        "decision_date": "25/06/2020",
        "decision_text": "Sắp xếp tổ chức",
        "effective_on": "01/07/2020",
    }
    data.update(extra)
    return data


def prepare(client, **extra):
    """Post the one-unit form; the change's preview page (followed) and the change."""
    response = client.post(reverse("tree-change-unit"), decision(**extra))
    assert response.status_code == 302, response.content.decode()[:3000]
    change = TreeChange.objects.latest("pk")
    return client.get(response["Location"]), change


def shares(change, *values):
    lines = change.lines.filter(kind="split").order_by("order", "pk")
    return {f"share-{line.pk}": str(value) for line, value in zip(lines, values, strict=True)}


def test_split_with_the_shares_chosen_in_the_preview(client, resolution, tree, users):
    members = resolution.components().get(target__number=1)
    Allocation.objects.create(component=members, organisation=tree["firm"], figure=10)
    client.force_login(users["province"])
    preview, change = prepare(client, action="split", unit="RG-3", parts="RG-3A; Phần A\nRG-3B; Phần B")
    text = preview.content.decode()
    assert "Tỷ lệ chia tách Đơn vị RG-3" in text
    assert 'name="share-' in text and 'value="50"' in text  # equal shares to begin with
    assert "Phần A: 5 · Phần B: 5" in text  # the allocation of 10, shared out

    # Shares that do not add up: the preview again, with the shares as typed, nothing applied.
    url = reverse("tree-change", args=[change.pk])
    version = preview.context["preview"].version
    refused = client.post(url, {"action": "confirm", "version": version, **shares(change, 70, 20)})
    text = refused.content.decode()
    assert refused.status_code == 200
    assert "Tỷ lệ chia tách Đơn vị RG-3 cộng lại được 90%, không phải 100%." in text
    assert 'value="70"' in text and 'value="20"' in text
    assert not Organisation.objects.filter(code="RG-3A").exists()
    assert Organisation.objects.get(code="RG-3").dissolved_on is None
    assert TreeChange.objects.get(pk=change.pk).status == TreeChange.Status.DRAFT
    assert sorted(change.lines.values_list("share", flat=True)) == [50, 50]
    refused = client.post(url, {"action": "shares", **shares(change, 0, "x")})
    assert "phải là số nguyên từ 1 đến 99" in refused.content.decode()

    # Shares that add up: the preview follows them, then the change applies with them.
    client.post(url, {"action": "shares", **shares(change, 60, 40)})
    preview = client.get(url)
    assert "Phần A: 6 · Phần B: 4" in preview.content.decode()
    applied = client.post(
        url, {"action": "confirm", "version": preview.context["preview"].version, **shares(change, 60, 40)}, follow=True
    )
    assert "Đã áp dụng thay đổi" in applied.content.decode()
    a, b = Organisation.objects.get(code="RG-3A"), Organisation.objects.get(code="RG-3B")
    assert (a.name, a.parent, a.founded_on) == ("Phần A", tree["rach_gia"], datetime.date(2020, 7, 1))
    assert Allocation.objects.get(organisation=a).figure == 6
    assert Allocation.objects.get(organisation=b).figure == 4
    assert Organisation.objects.get(code="RG-3").dissolved_on == datetime.date(2020, 7, 1)


def test_split_parts_are_checked_on_the_form(client, resolution, tree, users):
    client.force_login(users["province"])
    url = reverse("tree-change-unit")
    for parts, message in [
        ("RG-3A; Phần A", "cần ít nhất hai"),
        ("RG-3A\nRG-3B; B", "mã; tên"),
        ("RG-3A; A\nRG-3A; B", "mã riêng"),
        ("RG-1; A\nRG-3B; B", "Mã “RG-1” đã được dùng"),
    ]:
        response = client.post(url, decision(action="split", unit="RG-3", parts=parts))
        assert response.status_code == 200 and message in response.content.decode(), parts
    assert not TreeChange.objects.exists()


def test_found_rename_and_change_level_from_the_page(client, resolution, tree, users):
    client.force_login(users["province"])
    # A sector chosen by mistake for an upper level is left out (only grassroots unions have one).
    preview, change = prepare(
        client,
        action="found",
        parent="KG",
        code="KG-PRG",
        name="Công đoàn phường Rạch Giá",
        level="upper_level",
        sector="public_agency",
    )
    assert "Công đoàn phường Rạch Giá" in preview.content.decode()
    changes.change_apply(change)
    ward = Organisation.objects.get(code="KG-PRG")
    assert (ward.kind, ward.sector, ward.parent) == ("upper_level", "", tree["province"])

    _preview, change = prepare(client, action="rename", unit="HT", name="LĐLĐ TP Hà Tiên (mới)")
    changes.change_apply(change)
    assert Organisation.objects.get(code="HT").name == "LĐLĐ TP Hà Tiên (mới)"

    # A grassroots union that becomes an upper level, and back.
    _preview, change = prepare(client, action="change_level", unit="RG-1", level="upper_level")
    changes.change_apply(change)
    assert Organisation.objects.get(code="RG-1").kind == "upper_level"
    assert Organisation.objects.get(code="RG-1").sector == ""
    response = client.post(
        reverse("tree-change-unit"), decision(action="change_level", unit="RG-1", level="grassroots")
    )
    assert "Chọn khu vực của công đoàn cơ sở" in response.content.decode()


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"action": "change_level", "unit": "HT", "level": "grassroots", "sector": "public_agency"}, "trực thuộc"),
        ({"action": "change_level", "unit": "KG", "level": "upper_level"}, "là liên đoàn: không thể đổi cấp"),
        ({"action": "change_level", "unit": "RG", "level": "upper_level"}, "đã ở cấp đó"),
        (
            {
                "action": "found",
                "parent": "RG-1",
                "code": "N1",
                "name": "Mới",
                "level": "grassroots",
                "sector": "public_agency",
            },
            "công đoàn cơ sở không có đơn vị trực thuộc",
        ),
    ],
)
def test_bad_unit_changes_show_why_in_the_preview(client, resolution, tree, users, fields, message):
    client.force_login(users["province"])
    preview, change = prepare(client, **fields)
    text = preview.content.decode()
    assert "Không thể áp dụng thay đổi này" in text and message in text, text[-4000:]
    assert TreeChange.objects.get(pk=change.pk).status == TreeChange.Status.DRAFT


def bulk(client, **extra):
    data = decision(action="move", officers="follow")
    data.update(extra)
    response = client.post(reverse("tree-change-new"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return client.get(response["Location"]).content.decode()


def test_item_9_bad_inputs_are_refused_on_the_pages(client, resolution, tree, users):
    client.force_login(users["province"])
    inner = Organisation.objects.create(code="RG-X", name="Đơn vị RG-X", kind="upper_level", parent=tree["rach_gia"])
    Organisation.objects.create(
        code="LATE",
        name="Đơn vị mới",
        kind="grassroots",
        sector="public_agency",
        parent=tree["rach_gia"],
        founded_on=datetime.date(2020, 9, 1),
    )
    changes.change_apply(plan(tree["province"], Step("dissolve", units=["HT-1"]), day=datetime.date(2020, 5, 1)))
    cases = [
        (dict(codes="LATE", target="HT"), "thành lập ngày 01/09/2020: thay đổi không thể có hiệu lực trước"),
        (dict(codes="RG", target="RG-1"), "công đoàn cơ sở không có đơn vị trực thuộc"),
        (dict(codes="RG", target=inner.code), "trực thuộc chính nó hoặc một đơn vị trực thuộc nó"),
        (dict(codes="RG-1", target="RG-1", action="merge"), "Không thể hợp nhất Đơn vị RG-1 vào chính nó"),
        (dict(codes="HT-1", target="RG"), "Đơn vị HT-1 đã giải thể ngày 01/05/2020"),
    ]
    for fields, message in cases:
        text = bulk(client, **fields)
        assert "Không thể áp dụng thay đổi này" in text and message in text, (fields, text[-3000:])
    assert not TreeChange.objects.filter(status=TreeChange.Status.APPLIED).exclude(decision_number="85/QĐ-LĐLĐ")
    assert Organisation.objects.get(code="RG").parent == tree["province"]


def test_a_planned_change_can_be_cancelled(client, resolution, tree, users):
    client.force_login(users["province"])
    change = plan(tree["province"], Step("move", units=["RG-1"], to="HT"), day=datetime.date(2020, 8, 27))
    changes.change_confirm(change)
    page = client.get(reverse("tree-change", args=[change.pk])).content.decode()
    assert "Hủy thay đổi đã lên kế hoạch" in page
    client.post(reverse("tree-change", args=[change.pk]), {"action": "discard"})
    assert not TreeChange.objects.filter(pk=change.pk).exists()


def test_only_the_federation_s_staff_change_one_unit(client, resolution, tree, users):
    client.force_login(users["rach_gia"])
    assert client.get(reverse("tree-change-unit")).status_code == 403
    assert client.post(reverse("tree-change-unit"), decision(action="rename", unit="RG-1", name="X")).status_code == 403
