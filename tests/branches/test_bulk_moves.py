"""Many grassroots unions moved by one decision: the bulk path (one statement per table per
old and new parent) leaves the running totals, in both views, exactly as moving the units
one at a time does and as a recount from scratch gives; a large change applies in short
steps after all its checks, and a step that fails leaves the totals exact and the change
resumable."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from branches import changes
from branches.changes import Step, apply, bulk
from branches.models import Organisation, Placement, TreeChange
from targets.models import MonthlyReport, ReportFigure, TaskProgress
from targets.reporting import ledger
from targets.reporting.ledger import recount
from tests.branches.test_tree_changes_property import ledger_rows

JULY = datetime.date(2020, 7, 1)
G = Organisation.Kind.GRASSROOTS


def build(resolution):
    """The province, three upper levels A, B, C and nine grassroots unions (three under each),
    with reports over the year: figures approved and submitted, and task statuses."""
    province = resolution.organisation
    uppers = {
        code: Organisation.objects.create(code=code, name=code, kind="upper_level", parent=province) for code in "ABC"
    }
    sectors = ["public_agency", "state_enterprise", "non_state_enterprise"]
    units = {}
    for i in range(9):
        code = f"U{i}"
        units[code] = Organisation.objects.create(
            code=code,
            name=code,
            kind=G,
            sector=sectors[i % 3],
            workforce=30 + 40 * i,
            parent=uppers["ABC"[i // 3]],
            # Founded in March: its February report waits for review but it is not expected.
            founded_on=datetime.date(2020, 3, 15) if i == 2 else None,
        )
    components = list(resolution.components())
    tasks = list(resolution.tasks.all())
    for i, unit in enumerate(units.values()):
        for month in (2, 4, 6, 8, 10):
            approved = (i + month) % 3 != 0
            with transaction.atomic(), ledger.tracking(unit):
                report = MonthlyReport.objects.create(
                    resolution=resolution,
                    organisation=unit,
                    month=month,
                    status="approved" if approved else "submitted",
                    # On time, late, or never submitted (entered and approved by an admin).
                    first_submitted_at=None
                    if i == 4 and approved
                    else resolution.deadline(month) + datetime.timedelta(days=-2 if (i + month) % 2 else 1),
                    approved_at=timezone.now() if approved else None,
                )
                for k, component in enumerate(components):
                    quantity = i + month + k
                    ReportFigure.objects.create(
                        report=report,
                        component=component,
                        quantity=quantity,
                        approved_quantity=quantity if approved else None,
                        done=month > 4,
                        approved_done=approved and month > 6,
                        value=quantity,
                        approved_value=quantity if approved else None,
                    )
                for k, task in enumerate(tasks):
                    status = ["not_started", "in_progress", "done"][(i + month + k) % 3]
                    TaskProgress.objects.create(report=report, task=task, status=status)
    return province, uppers, units


def plan(province, codes, to, number="9/QĐ"):
    return changes.change_plan(
        federation=province, decision_number=number, effective_on=JULY, steps=[Step("move", units=codes, to=to)]
    )


MOVED = ["U0", "U1", "U3", "U4", "U5", "U7"]  # from A, B and C


def failing_call(real, nth):
    """``real``, but its ``nth`` call fails as a lost connection would (a step that fails)."""
    calls = []

    def call(*args, **kwargs):
        calls.append(1)
        if len(calls) == nth:
            raise DatabaseError("connection lost")
        return real(*args, **kwargs)

    return call


@pytest.mark.django_db
def test_bulk_moves_equal_one_unit_at_a_time_and_a_recount(resolution, settings):
    settings.UNIONPLAN_TODAY = datetime.date(2020, 9, 1)
    province, uppers, units = build(resolution)
    change = plan(province, MOVED[:4], "C")
    changes.change_apply(change)
    plan_ = plan(province, MOVED[4:], province.code, number="10/QĐ")
    changes.change_apply(plan_)
    bulk_rows = ledger_rows()
    assert all(bulk_rows.values()), "every table has rows, the as-it-was ones included"
    assert Placement.objects.filter(change=change).count() == 4
    assert Organisation.objects.get(code="U0").path.startswith(uppers["C"].path)

    changes.change_undo(plan_)
    changes.change_undo(change)
    with mock.patch.object(bulk, "is_bulk_line", return_value=False):
        changes.change_apply(plan(province, MOVED[:4], "C", number="11/QĐ"))
        changes.change_apply(plan(province, MOVED[4:], province.code, number="12/QĐ"))
    assert ledger_rows() == bulk_rows
    recount.rebuild(resolution)
    assert ledger_rows() == bulk_rows


@pytest.mark.django_db
def test_a_bulk_move_says_what_is_wrong_line_by_line_and_applies_nothing(resolution, settings):
    settings.UNIONPLAN_TODAY = datetime.date(2020, 9, 1)
    province, uppers, units = build(resolution)
    before = ledger_rows()
    change = plan(province, ["U0", "U6", "U1", "U7"], "C")  # U6 and U7 are under C already
    with pytest.raises(ValidationError) as refused:
        changes.change_apply(change)
    assert refused.value.messages == ["U6 đã trực thuộc C.", "U7 đã trực thuộc C."]
    assert ledger_rows() == before
    assert Organisation.objects.get(code="U0").parent_id == uppers["A"].pk
    assert not Placement.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_large_change_applies_in_steps_and_carries_on_after_a_failed_step(resolution, settings):
    settings.UNIONPLAN_TODAY = datetime.date(2020, 9, 1)
    province, uppers, units = build(resolution)
    change = plan(province, MOVED, province.code)
    # Steps of two lines: U0 U1 (from A), then U3 U4 (from B), then U5 U7 (from B and C).
    with mock.patch.object(apply, "STEP", 2), mock.patch.object(bulk, "move_group", failing_call(bulk.move_group, 2)):
        with pytest.raises(DatabaseError):
            changes.change_apply(change)
    change.refresh_from_db()
    assert (change.status, change.lines_done) == (TreeChange.Status.APPLYING, 2)
    assert Organisation.objects.get(code="U1").parent_id == province.pk
    assert Organisation.objects.get(code="U3").parent_id == uppers["B"].pk
    # What was applied is counted exactly: the totals equal a recount of the tree as it is.
    halfway = ledger_rows()
    recount.rebuild(resolution)
    assert ledger_rows() == halfway
    # Another change of the federation waits until this one is done.
    other = plan(province, ["U8"], "A", number="13/QĐ")
    with pytest.raises(ValidationError):
        changes.change_apply(other)

    with mock.patch.object(apply, "STEP", 2):
        applied, failed = changes.apply_due_changes()
    assert failed == {}
    change.refresh_from_db()
    assert (change.status, change.lines_done) == (TreeChange.Status.APPLIED, 6)
    assert Organisation.objects.filter(code__in=MOVED, parent=province).count() == 6
    done = ledger_rows()
    recount.rebuild(resolution)
    assert ledger_rows() == done


@pytest.mark.django_db(transaction=True)
def test_a_large_change_is_checked_whole_before_any_step(resolution, settings):
    settings.UNIONPLAN_TODAY = datetime.date(2020, 9, 1)
    province, uppers, units = build(resolution)
    Organisation.objects.filter(code="U8").update(dissolved_on=datetime.date(2020, 5, 1))
    change = plan(province, ["U0", "U1", "U3", "U4", "U8"], "B")
    before = ledger_rows()
    with mock.patch.object(apply, "STEP", 2), pytest.raises(ValidationError) as refused:
        changes.change_apply(change)
    assert any("U3 đã trực thuộc B." in m for m in refused.value.messages), refused.value.messages
    assert any("U8" in m and "giải thể" in m for m in refused.value.messages), refused.value.messages
    change.refresh_from_db()
    assert (change.status, change.lines_done) == (TreeChange.Status.DRAFT, 0)
    assert ledger_rows() == before
    assert not Placement.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_large_change_is_undone_in_steps_and_carries_on_after_a_failed_step(resolution, settings):
    settings.UNIONPLAN_TODAY = datetime.date(2020, 9, 1)
    province, uppers, units = build(resolution)
    parents = dict(Organisation.objects.filter(code__in=MOVED).values_list("code", "parent_id"))
    before = ledger_rows()
    change = plan(province, MOVED, province.code)
    with mock.patch.object(apply, "STEP", 2):
        changes.change_apply(change)
    change.refresh_from_db()
    # Steps of two moves, last first: U7 and U5 (back to C and B: two groups), then U4 U3
    # (back to B: it fails), then U1 U0.
    with mock.patch.object(apply, "STEP", 2), mock.patch.object(bulk, "paths_moved", failing_call(bulk.paths_moved, 3)):
        with pytest.raises(DatabaseError):
            changes.change_undo(change)
    change.refresh_from_db()
    assert (change.status, change.lines_done) == (TreeChange.Status.UNDOING, 2)
    assert Organisation.objects.get(code="U7").parent_id == uppers["C"].pk
    assert Organisation.objects.get(code="U4").parent_id == province.pk
    # Taken back so far is counted exactly, in both views: the totals equal a recount.
    halfway = ledger_rows()
    recount.rebuild(resolution)
    assert ledger_rows() == halfway
    # Another change of the federation waits until this one is undone.
    with pytest.raises(ValidationError):
        changes.change_apply(plan(province, ["U8"], "A", number="13/QĐ"))

    with mock.patch.object(apply, "STEP", 2):
        changes.change_undo(change)
    change.refresh_from_db()
    assert change.status == TreeChange.Status.UNDONE
    assert dict(Organisation.objects.filter(code__in=MOVED).values_list("code", "parent_id")) == parents
    assert not Placement.objects.filter(change=change).exists()
    assert ledger_rows() == before


@pytest.mark.django_db
def test_a_change_being_undone_says_so_and_offers_to_carry_on(client, resolution, settings, superuser):
    settings.UNIONPLAN_TODAY = datetime.date(2020, 9, 1)
    province, uppers, units = build(resolution)
    change = plan(province, MOVED, province.code)
    changes.change_apply(change)
    TreeChange.objects.filter(pk=change.pk).update(status=TreeChange.Status.UNDOING, lines_done=2)
    client.force_login(superuser)
    page = client.get(f"/tree/changes/{change.pk}/").content.decode()
    assert "Đang hoàn tác: đã đưa 2 đơn vị về chỗ cũ." in page
    assert "Tiếp tục hoàn tác thay đổi này" in page
