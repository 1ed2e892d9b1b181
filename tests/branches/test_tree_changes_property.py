"""Both views of the figures equal a fresh count after any sequence of reports and changes to
the tree (moves, several units moved by one change from several parents, which takes the
bulk path, dissolutions handing units to a successor, undoing a unit's last change):

- the tree as it is (``structure=current``): every month of a unit under where it was at the
  resolution's year end (where it is now, unless a change after the year end moved it);
- as it was (``structure=monthly``): each month under the parent the unit had at that
  month's end.

The fresh count follows the tree as the test itself recorded it (not the app's placements).
Every report counts once at every level in both views, a restructuring within the
federation never changes the federation's own totals, and a unit is expected to report only
for the months it was active."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from branches import changes
from branches.changes import Step
from branches.models import Organisation
from targets.models import MonthlyReport, ReportFigure
from targets.reporting import ledger
from targets.reporting.ledger import recount
from targets.reporting.ledger.models import (
    ProgressShift,
    ProgressTotal,
    ReportingShift,
    ReportingTotal,
    TaskStatusShift,
    TaskStatusTotal,
)
from targets.resolution.loading import load_resolution_file
from targets.rollup.completeness import reported_so_far
from targets.rollup.figures import Structure, ledger_totals
from tests.conftest import RESOLUTION_FILE

G = Organisation.Kind.GRASSROOTS
UPPERS = ["A", "B", "M"]  # M starts under A
GRASSROOTS = [f"G{i}" for i in range(5)]
# (month, day) of 2020, or (month, day, 2021): a change after the resolution's year end, which
# leaves its figures where the units were on 31 December 2020 (``Resolution.tree_day``).
DAY = st.one_of(
    st.tuples(st.integers(2, 12), st.sampled_from([1, 15])),
    st.tuples(st.integers(1, 3), st.sampled_from([1, 15]), st.just(2021)),
)
TREE_DAY = datetime.date(2020, 12, 31)

operation = st.one_of(
    st.tuples(st.just("report"), st.integers(0, 4), st.integers(1, 12), st.integers(1, 30), st.booleans()),
    st.tuples(st.just("move"), st.sampled_from(GRASSROOTS + ["M"]), st.sampled_from(["P", *UPPERS]), DAY),
    st.tuples(
        st.just("bulk"),
        st.lists(st.sampled_from(GRASSROOTS), min_size=2, max_size=5, unique=True),
        st.sampled_from(["P", *UPPERS]),
        DAY,
    ),
    st.tuples(st.just("dissolve"), st.sampled_from(UPPERS), st.sampled_from(["P", *UPPERS]), DAY),
    st.tuples(st.just("undo"), st.sampled_from(GRASSROOTS + UPPERS)),
)


def month_end(month):
    return (
        datetime.date(2020, month, 28)
        + datetime.timedelta(days=4)
        - datetime.timedelta(days=(datetime.date(2020, month, 28) + datetime.timedelta(days=4)).day)
    )


class Recorded:
    """The tree as the test saw it change: each unit's parents over time and its end."""

    def __init__(self, parents):
        self.timeline = {code: [(datetime.date.min, parent)] for code, parent in parents.items()}
        self.ended = {}
        self.by_change = {}

    def parent_on(self, code, day):
        parent = None
        for since, p in self.timeline[code]:
            if since <= day:
                parent = p
        return parent

    def ancestors_on(self, code, day):
        chain, parent = [], self.parent_on(code, day)
        while parent is not None:
            chain.append(parent)
            parent = self.parent_on(parent, day)
        return chain

    def active_on(self, code, day):
        return code not in self.ended or self.ended[code] > day

    def move(self, change_pk, code, parent, day):
        self.timeline[code].append((day, parent))
        self.by_change.setdefault(change_pk, []).append(("move", code))

    def end(self, change_pk, code, day):
        self.ended[code] = day
        self.by_change.setdefault(change_pk, []).append(("end", code))

    def undo(self, change_pk):
        for kind, code in reversed(self.by_change.pop(change_pk)):
            if kind == "move":
                self.timeline[code].pop()
            else:
                del self.ended[code]


class BothViewsEqualAFreshCount(TestCase):
    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.lists(operation, min_size=1, max_size=18))
    # March reported under M, the unit moved in July, M ended in September with its units
    # handed to the federation, then reports of earlier months filed late.
    @example(
        [
            ("report", 2, 3, 10, True),
            ("move", "G2", "B", (7, 1)),
            ("report", 2, 8, 5, False),
            ("dissolve", "M", "P", (9, 15)),
            ("report", 2, 4, 7, True),
            ("report", 0, 2, 3, True),
            ("move", "M", "B", (6, 1)),
        ]
    )
    # Undo unit by unit: G0's move undone after a later move of G1 into G0's former parent
    # and a move of M (under A, where G0 came from) that does not touch G0.
    @example(
        [
            ("report", 0, 3, 10, True),
            ("report", 1, 9, 4, False),
            ("move", "G0", "B", (7, 1)),
            ("move", "G1", "A", (8, 1)),
            ("move", "M", "B", (8, 15)),
            ("undo", "G0"),
        ]
    )
    # Units of three parents moved by one change (the bulk path), one of them moved back
    # later, then reports of the months before the change filed late.
    @example(
        [
            ("report", 0, 2, 4, True),
            ("report", 1, 5, 6, False),
            ("report", 2, 6, 9, True),
            ("bulk", ["G0", "G1", "G2"], "B", (7, 1)),
            ("report", 3, 3, 2, True),
            ("move", "G1", "A", (9, 1)),
            ("report", 2, 4, 7, True),
            ("bulk", ["G1", "G3", "G4"], "P", (10, 15)),
            ("undo", "G3"),
        ]
    )
    # Changes after the year end: G0 and M (with its units) moved in January 2021, A ended in
    # February 2021 handing its units on, then reports of 2020 filed late; one change undone.
    @example(
        [
            ("report", 0, 11, 6, True),
            ("report", 2, 12, 3, False),
            ("move", "G2", "B", (9, 1)),
            ("bulk", ["G0", "G3"], "B", (1, 1, 2021)),
            ("move", "M", "B", (1, 15, 2021)),
            ("report", 0, 12, 4, True),
            ("dissolve", "A", "P", (2, 1, 2021)),
            ("report", 3, 6, 8, True),
            ("report", 1, 12, 2, False),
            ("undo", "A"),
        ]
    )
    def test_any_sequence(self, operations):
        resolution, _ = load_resolution_file(RESOLUTION_FILE)
        province = resolution.organisation
        component = resolution.components().get(target__number=1)
        units = {"P": province}
        for code, parent in (("A", "P"), ("B", "P"), ("M", "A")):
            units[code] = Organisation.objects.create(code=code, name=code, kind="upper_level", parent=units[parent])
        for i, code in enumerate(GRASSROOTS):
            units[code] = Organisation.objects.create(
                code=code, name=code, kind=G, sector="public_agency", parent=units[["A", "B", "M"][i % 3]]
            )
        recorded = Recorded(
            {code: ("A" if code == "M" else ["A", "B", "M"][i % 3]) for i, code in enumerate(GRASSROOTS)}
            | {"A": "P", "B": "P", "M": "A"}
        )
        recorded.timeline["P"] = [(datetime.date.min, None)]
        reports = {}  # (code, month): (quantity, approved)

        for op in operations:
            kind = op[0]
            if kind == "report":
                _, index, month, quantity, approved = op
                code = GRASSROOTS[index]
                unit = Organisation.objects.get(code=code)
                with transaction.atomic(), ledger.tracking(unit):
                    report, _ = MonthlyReport.objects.get_or_create(
                        resolution=resolution, organisation=unit, month=month
                    )
                    report.status = "approved" if approved else "submitted"
                    report.first_submitted_at = report.first_submitted_at or timezone.now()
                    report.approved_at = timezone.now() if approved else None
                    report.save()
                    ReportFigure.objects.update_or_create(
                        report=report,
                        component=component,
                        defaults={"quantity": quantity, "approved_quantity": quantity if approved else None},
                    )
                reports[(code, month)] = (quantity, approved)
                continue
            if kind == "undo":
                change = changes.last_change_of(Organisation.objects.get(code=op[1]))
                if change is None:
                    continue
                try:
                    changes.change_undo(change)
                except ValidationError:
                    continue
                recorded.undo(change.pk)
                event("undone")
                continue
            _, code, to, (month, day_of_month, *year) = op
            day = datetime.date(year[0] if year else 2020, month, day_of_month)
            real_to = province.code if to == "P" else to
            if kind == "bulk":
                # Several units, from wherever they are now (not already under ``to``).
                codes = [c for c in code if recorded.parent_on(c, datetime.date.max) != to]
                if not codes:
                    continue
                change = changes.change_plan(
                    federation=province,
                    decision_number="2/QĐ",
                    effective_on=day,
                    steps=[Step("move", units=codes, to=real_to)],
                )
                try:
                    changes.change_apply(change)
                except ValidationError:
                    event("bulk move refused")
                    continue
                event(f"bulk move of {len(codes)} applied")
                for c in codes:
                    recorded.move(change.pk, c, to, day)
                continue
            step = Step(kind, units=[code], to=real_to)
            change = changes.change_plan(federation=province, decision_number="1/QĐ", effective_on=day, steps=[step])
            children = [
                c
                for c in recorded.timeline
                if recorded.parent_on(c, datetime.date.max) == code and recorded.active_on(c, day)
            ]
            try:
                changes.change_apply(change)
            except ValidationError:
                event(f"{kind} refused")
                continue
            event(f"{kind} applied")
            if kind == "move":
                recorded.move(change.pk, code, to, day)
            else:
                for child in children:
                    recorded.move(change.pk, child, to, day)
                recorded.end(change.pk, code, day)

        holders = ["P", *UPPERS]
        for month in range(1, 13):
            for structure in Structure.CHOICES:
                for holder in holders:
                    scope = Organisation.objects.get(pk=units[holder].pk)
                    approved = pending = 0
                    for (code, k), (quantity, is_approved) in reports.items():
                        if k > month:
                            continue
                        over = (
                            recorded.ancestors_on(code, month_end(k))
                            if structure == Structure.MONTHLY
                            else recorded.ancestors_on(code, TREE_DAY)
                        )
                        if holder in over:
                            approved += quantity if is_approved else 0
                            pending += 0 if is_approved else quantity
                    rows = list(ledger_totals(month, [component], structure, organisation=scope))
                    kept = (rows[0]["sum_approved"], rows[0]["pending_quantity"]) if rows else (0, 0)
                    assert kept == (approved, pending), (structure, holder, month)
                    # Who was expected to report the month, and who did.
                    expected = reported = 0
                    for code in recorded.timeline:
                        over = (
                            recorded.ancestors_on(code, month_end(month))
                            if structure == Structure.MONTHLY
                            else recorded.ancestors_on(code, TREE_DAY)
                        )
                        if (code == holder or holder in over) and recorded.active_on(code, month_end(month)):
                            expected += 1
                            reported += (code, month) in reports
                    assert reported_so_far(resolution, scope, month, structure) == (reported, expected), (
                        structure,
                        holder,
                        month,
                    )
            # Within the federation, a restructuring never changes its own totals.
            assert list(ledger_totals(month, [component], Structure.CURRENT, organisation=province)) == list(
                ledger_totals(month, [component], Structure.MONTHLY, organisation=province)
            )
        # Recounting from scratch gives the same rows, in both views.
        before = ledger_rows()
        recount.rebuild(resolution)
        assert ledger_rows() == before


LEDGER = {
    ProgressTotal: ("organisation", "component", "month", "sum_approved", "pending_quantity", "units_done"),
    ProgressShift: ("organisation", "component", "month", "sum_approved", "pending_quantity", "units_done"),
    TaskStatusTotal: ("organisation", "task", "month", "not_started", "in_progress", "done"),
    TaskStatusShift: ("organisation", "task", "month", "not_started", "in_progress", "done"),
    ReportingTotal: ("organisation", "resolution", "month", "expected", "on_time", "late", "waiting"),
    ReportingShift: ("organisation", "resolution", "month", "expected", "on_time", "late", "waiting"),
}


def ledger_rows():
    """Every row of the running totals and the "as it was" rows that is not all zeros."""
    return {
        model.__name__: sorted(r for r in model.objects.values_list(*fields) if any(r[3:]))
        for model, fields in LEDGER.items()
    }
