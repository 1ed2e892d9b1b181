"""``manage.py apply_changes plan.json [--dry-run]``: the file in the issue's format, checked
against its schema, prints the preview, applies only without ``--dry-run``, and on any error
exits non-zero with the reasons and nothing applied."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from branches.models import Organisation, TreeChange
from targets.models import Allocation

pytestmark = pytest.mark.django_db


def decision(*changes):
    return {
        "decision": {"number": "85/QĐ-LĐLĐ", "date": "2020-06-25", "text": "Sắp xếp tổ chức công đoàn"},
        "effective": "2020-07-01",
        "changes": list(changes),
    }


EXAMPLE = [
    # A sector named for an upper level is left out: only grassroots unions have one.
    {
        "kind": "found",
        "code": "KG-PRG",
        "name": "Công đoàn phường Rạch Giá",
        "parent": "KG",
        "level": "upper_level",
        "sector": "public_agency",
    },
    {"kind": "move", "units": ["RG-1", "RG-2"], "to": "KG-PRG"},
    {"kind": "dissolve", "units": ["HT"], "successor": "KG"},
    {"kind": "merge", "units": ["RG-3", "HT-1"], "into": "RG-3"},
    {
        "kind": "split",
        "unit": "HT-2",
        "into": [{"code": "HT-2A", "name": "Phần A", "share": 60}, {"code": "HT-2B", "name": "Phần B", "share": 40}],
    },
    {"kind": "rename", "unit": "RG", "name": "LĐLĐ TP Rạch Giá (cũ)"},
]


def run(tmp_path, data, *args):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = []

    class Out:
        def write(self, text):
            out.append(text)

        def flush(self):
            pass

    call_command("apply_changes", str(path), *args, stdout=Out())
    return "\n".join(out)


@pytest.fixture
def today(settings):
    settings.UNIONPLAN_TODAY = datetime.date(2020, 7, 15)


def test_dry_run_prints_the_preview_and_keeps_nothing(resolution, tree, tmp_path, today):
    members = resolution.components().get(target__number=1)
    Allocation.objects.create(component=members, organisation=tree["ha_tien"], figure=120)
    before = list(Organisation.objects.order_by("pk").values_list("pk", "parent_id", "name", "dissolved_on"))
    text = run(tmp_path, decision(*EXAMPLE), "--dry-run")
    assert "85/QĐ-LĐLĐ" in text and "Chuyển đơn vị quản lý Đơn vị RG-1 → Công đoàn phường Rạch Giá" in text
    assert "Đơn vị HT: " in text and "= 120" in text  # an allocation that passes on
    assert "nothing applied" in text
    assert list(Organisation.objects.order_by("pk").values_list("pk", "parent_id", "name", "dissolved_on")) == before
    assert not TreeChange.objects.exists()


def test_the_file_applies_in_the_order_listed(resolution, tree, tmp_path, today):
    run(tmp_path, decision(*EXAMPLE))
    ward = Organisation.objects.get(code="KG-PRG")
    assert ward.founded_on == datetime.date(2020, 7, 1) and ward.parent == tree["province"]
    assert {u.code for u in Organisation.objects.filter(parent=ward)} == {"RG-1", "RG-2"}
    assert Organisation.objects.get(code="HT").dissolved_on == datetime.date(2020, 7, 1)
    assert Organisation.objects.get(code="HT-1").dissolved_on == datetime.date(2020, 7, 1)
    assert Organisation.objects.get(code="HT-2A").parent == tree["province"]
    assert Organisation.objects.get(code="RG").name == "LĐLĐ TP Rạch Giá (cũ)"
    change = TreeChange.objects.get()
    assert change.status == TreeChange.Status.APPLIED and change.decision_number == "85/QĐ-LĐLĐ"


@pytest.mark.parametrize(
    "data, reason",
    [
        (decision({"kind": "move", "units": ["RG-1"]}), "“to”: còn thiếu"),
        (decision({"kind": "teleport", "units": ["RG-1"]}), "teleport"),
        (
            {
                "decision": {"number": "1"},
                "effective": "2020-02-30",
                "changes": [{"kind": "rename", "unit": "RG", "name": "X"}],
            },
            "effective",
        ),
        (decision({"kind": "move", "units": ["NOPE"], "to": "HT"}), "NOPE"),
        (decision(EXAMPLE[0], {"kind": "merge", "units": ["RG-1"], "into": "RG-1"}), "chính nó"),
    ],
)
def test_a_bad_file_exits_with_the_reasons_and_applies_nothing(resolution, tree, tmp_path, today, data, reason):
    with pytest.raises(CommandError) as failed:
        run(tmp_path, data)
    assert reason in str(failed.value) and "nothing applied" in str(failed.value)
    assert not Organisation.objects.filter(code="KG-PRG").exists()
    assert not TreeChange.objects.exists()


def _refused(tmp_path, data, reason):
    before = list(Organisation.objects.order_by("pk").values_list("pk", "parent_id", "name", "kind", "dissolved_on"))
    with pytest.raises(CommandError) as failed:
        run(tmp_path, data)
    assert reason in str(failed.value) and "nothing applied" in str(failed.value), str(failed.value)
    after = list(Organisation.objects.order_by("pk").values_list("pk", "parent_id", "name", "kind", "dissolved_on"))
    assert after == before
    assert not TreeChange.objects.filter(status=TreeChange.Status.APPLIED, decision_number="85/QĐ-LĐLĐ").exists()


def test_item_9_bad_inputs_in_a_file(resolution, tree, tmp_path, today):
    """Issue 21, item 9, from a file: each refused with its Vietnamese message, nothing applied."""
    from branches import changes
    from branches.changes import Step
    from tests.branches.test_tree_changes import plan

    inner = Organisation.objects.create(code="RG-X", name="Đơn vị RG-X", kind="upper_level", parent=tree["rach_gia"])
    Organisation.objects.create(
        code="LATE",
        name="Mới",
        kind="grassroots",
        sector="public_agency",
        parent=tree["rach_gia"],
        founded_on=datetime.date(2020, 9, 1),
    )
    changes.change_apply(
        plan(tree["province"], Step("dissolve", units=["HT-1"]), day=datetime.date(2020, 5, 1), number="1/QĐ")
    )
    split = {
        "kind": "split",
        "unit": "RG-3",
        "into": [{"code": "RG-3A", "name": "A", "share": 60}, {"code": "RG-3B", "name": "B", "share": 30}],
    }
    cases = [
        ({"kind": "move", "units": ["LATE"], "to": "HT"}, "thành lập ngày 01/09/2020: thay đổi không thể có hiệu lực"),
        ({"kind": "move", "units": ["RG"], "to": "RG-1"}, "công đoàn cơ sở không có đơn vị trực thuộc"),
        ({"kind": "move", "units": ["RG"], "to": inner.code}, "trực thuộc chính nó hoặc một đơn vị trực thuộc nó"),
        ({"kind": "merge", "units": ["RG-1"], "into": "RG-1"}, "Không thể hợp nhất Đơn vị RG-1 vào chính nó"),
        (split, "Tỷ lệ chia tách Đơn vị RG-3 cộng lại được 90%, không phải 100%"),
        ({"kind": "rename", "unit": "HT-1", "name": "X"}, "Đơn vị HT-1 đã giải thể ngày 01/05/2020"),
        ({"kind": "change_level", "unit": "KG", "level": "upper_level"}, "là liên đoàn: không thể đổi cấp"),
        ({"kind": "change_level", "unit": "HT", "level": "grassroots"}, "có đơn vị trực thuộc"),
    ]
    for entry, reason in cases:
        _refused(tmp_path, decision(entry), reason)
    # A later line that fails takes the earlier ones back with it.
    _refused(tmp_path, decision({"kind": "rename", "unit": "RG", "name": "Y"}, split), "90%")
    assert Organisation.objects.get(code="RG").name == "Đơn vị RG"


def test_a_change_made_meanwhile_by_someone_else_wins(resolution, tree, tmp_path, today, monkeypatch):
    """Two staff, one unit: a change applied by someone else between the file's preview and
    its applying is not overwritten: the file applies nothing and says to check the preview
    again. (Here the other change runs inside the command's transaction, so it is rolled back
    with it; on the pages, the other change stays: tests/restructuring.)"""
    from branches import changes
    from branches.changes import Step
    from targets.management.commands import apply_changes
    from tests.branches.test_tree_changes import plan

    shown = apply_changes.preview_change

    def preview_then_someone_else(change):
        preview = shown(change)
        changes.change_apply(plan(tree["province"], Step("move", units=["RG-1"], to="RG-X"), number="86/QĐ"))
        return preview

    Organisation.objects.create(code="RG-X", name="Đơn vị RG-X", kind="upper_level", parent=tree["rach_gia"])
    monkeypatch.setattr(apply_changes, "preview_change", preview_then_someone_else)
    with pytest.raises(CommandError) as failed:
        run(tmp_path, decision({"kind": "move", "units": ["RG-1"], "to": "HT"}))
    assert "người khác đã thay đổi" in str(failed.value) and "nothing applied" in str(failed.value)
    assert not TreeChange.objects.filter(decision_number="85/QĐ-LĐLĐ").exists()
