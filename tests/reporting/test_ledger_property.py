"""The running totals behind the dashboards always equal a straight aggregation over the raw
report figures, after any sequence of filing, submitting, approving, returning, reopening,
moving a unit to another parent, changing its sector and dissolving it, and editing what
counts for a component (threshold, sectors, levels, workforce floor)."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import BigIntegerField, Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from branches.models import Organisation
from targets.models import MonthlyReport, ProgressTotal, ReportFigure, TargetComponent, TaskProgress, TaskStatusTotal
from targets.reporting import ledger
from targets.reporting.ledger.models import TASK_STATUS_FIELDS, TOTAL_FIELDS
from targets.resolution.loading import load_resolution_file
from targets.rollup.tasks import latest_task_progress
from tests.conftest import RESOLUTION_FILE

ORG = "report__organisation"
G = Organisation.Kind.GRASSROOTS
S = Organisation.Sector


def straight(resolution, scope, month):
    """The oracle: the six totals per component for ``scope``'s subtree as of ``month``,
    aggregated from the raw figures of eligible units."""
    components = list(TargetComponent.objects.filter(target__resolution=resolution).select_related("target"))
    eligible = Q(pk__in=[])
    for c in components:
        eligible |= Q(component=c) & c.eligible_units_q(prefix=f"{ORG}__")
    submitted = Q(report__status="submitted")
    at_threshold = Q(approved_value__gte=F("component__threshold"))
    rows = (
        ReportFigure.objects.filter(
            report__resolution=resolution, report__month__lte=month, report__organisation__path__startswith=scope.path
        )
        .filter(eligible)
        .values("component")
        .annotate(
            sum_approved=Sum("approved_quantity", filter=Q(component__measure="quantity")),
            units_done=Count(ORG, distinct=True, filter=Q(approved_done=True, component__measure="units_done")),
            units_at_threshold=Count(
                ORG, distinct=True, filter=at_threshold & Q(component__measure="units_at_threshold")
            ),
            pending_quantity=Sum(
                Coalesce("quantity", 0) - Coalesce("approved_quantity", 0),
                filter=submitted & Q(component__measure="quantity"),
                output_field=BigIntegerField(),
            ),
            done_with_pending=Count(
                ORG,
                distinct=True,
                filter=(Q(approved_done=True) | (submitted & Q(done=True))) & Q(component__measure="units_done"),
            ),
            at_threshold_with_pending=Count(
                ORG,
                distinct=True,
                filter=(at_threshold | (submitted & Q(value__gte=F("component__threshold"))))
                & Q(component__measure="units_at_threshold"),
            ),
        )
        .order_by()
    )
    return {row["component"]: [row[f] or 0 for f in TOTAL_FIELDS] for row in rows if any(row[f] for f in TOTAL_FIELDS)}


def maintained(scope, month):
    rows = (
        ProgressTotal.objects.filter(organisation=scope, month__lte=month)
        .values("component")
        .annotate(**{f: Sum(f) for f in TOTAL_FIELDS})
        .order_by()
    )
    return {row["component"]: [row[f] for f in TOTAL_FIELDS] for row in rows if any(row[f] for f in TOTAL_FIELDS)}


def straight_tasks(resolution, scope, month):
    """The oracle for the priority tasks: each unit's latest reported status, counted."""
    rows = latest_task_progress(resolution, scope, month).values("task", "status").annotate(n=Count("pk")).order_by()
    return {(row["task"], row["status"]): row["n"] for row in rows if row["n"]}


def maintained_tasks(resolution, scope, month):
    sums = (
        TaskStatusTotal.objects.filter(organisation=scope, month__lte=month)
        .values("task")
        .annotate(**{f: Sum(f) for f in TASK_STATUS_FIELDS})
    )
    return {(row["task"], f): row[f] for row in sums for f in TASK_STATUS_FIELDS if row[f]}


operation = st.one_of(
    st.tuples(
        st.just("report"),
        st.integers(0, 6),  # unit index
        st.integers(1, 12),  # month
        st.sampled_from(["draft", "submitted", "approved", "returned"]),
        st.integers(0, 40),  # quantity
        st.booleans(),  # done
        st.sampled_from([None, Decimal("12000"), Decimal("15000"), Decimal("18000")]),
        st.sampled_from(["not_started", "in_progress", "done"]),  # priority task 1
    ),
    st.tuples(st.just("reopen"), st.integers(0, 6), st.integers(1, 12)),
    st.tuples(st.just("move"), st.integers(2, 6), st.integers(0, 2)),
    st.tuples(st.just("sector"), st.integers(2, 6), st.sampled_from(list(S.values))),
    st.tuples(st.just("workforce"), st.integers(2, 6), st.integers(5, 400)),
    st.tuples(st.just("dissolve"), st.integers(2, 6)),
    # An administrator edits what counts for a component (admin form or loader alike).
    st.tuples(
        st.just("component"),
        st.integers(0, 17),
        st.sampled_from(["threshold", "sectors", "levels", "workforce"]),
        st.integers(0, 7),
    ),
)


# The year of the resolution is in progress: a unit moved today counts under its new parent
# for the whole year (the year-end rule, ``Resolution.tree_day``).
@override_settings(UNIONPLAN_TODAY=datetime.date(2020, 12, 3))
class TotalsEqualStraightAggregation(TestCase):
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.lists(operation, min_size=1, max_size=25))
    def test_any_sequence(self, operations):
        resolution, _ = load_resolution_file(RESOLUTION_FILE)
        province = resolution.organisation
        upper_a = Organisation.objects.create(code="A", name="A", kind="upper_level", parent=province)
        upper_b = Organisation.objects.create(code="B", name="B", kind="upper_level", parent=province)
        middle = Organisation.objects.create(code="M", name="M", kind="upper_level", parent=upper_a)
        parents = [upper_a, upper_b, middle]
        grassroots = [
            Organisation.objects.create(
                code=f"G{i}", name=f"G{i}", kind=G, sector=sector, parent=parents[i % 3], workforce=30 + 40 * i
            )
            for i, sector in enumerate(
                [S.PUBLIC_AGENCY, S.STATE_ENTERPRISE, S.NON_STATE_ENTERPRISE, S.NON_STATE_ENTERPRISE, S.PUBLIC_AGENCY]
            )
        ]
        units = [upper_a, upper_b, *grassroots]
        components = list(TargetComponent.objects.filter(target__resolution=resolution))
        task = resolution.tasks.get(number=1)

        for op in operations:
            kind = op[0]
            with transaction.atomic():
                if kind == "report":
                    _, index, month, status, quantity, done, value, task_status = op
                    unit = Organisation.objects.get(pk=units[index].pk)
                    with ledger.tracking(unit):
                        report, _ = MonthlyReport.objects.get_or_create(
                            resolution=resolution, organisation=unit, month=month
                        )
                        report.status = status
                        report.save()
                        for c in components:
                            if not c.is_eligible(unit):
                                continue
                            figure, _ = ReportFigure.objects.get_or_create(report=report, component=c)
                            figure.quantity = quantity if c.measure == "quantity" else None
                            figure.done = done if c.measure == "units_done" else False
                            figure.done_on = datetime.date(2020, month, 1) if figure.done else None
                            figure.value = value if c.measure == "units_at_threshold" else None
                            if status == "approved":
                                figure.approved_quantity = figure.quantity
                                figure.approved_done = figure.done
                                figure.approved_value = figure.value
                            figure.save()
                        TaskProgress.objects.update_or_create(
                            report=report, task=task, defaults={"status": task_status}
                        )
                elif kind == "reopen":
                    _, index, month = op
                    unit = units[index]
                    with ledger.tracking(unit):
                        MonthlyReport.objects.filter(organisation=unit, month=month, status="approved").update(
                            status="draft"
                        )
                elif kind == "move":
                    _, index, parent_index = op
                    unit = Organisation.objects.get(pk=units[index].pk)
                    unit.parent = parents[parent_index]
                    unit.save()
                elif kind == "sector":
                    unit = Organisation.objects.get(pk=units[op[1]].pk)
                    unit.sector = op[2]
                    unit.save()
                elif kind == "workforce":
                    unit = Organisation.objects.get(pk=units[op[1]].pk)
                    unit.workforce = op[2]
                    unit.save()
                elif kind == "dissolve":
                    unit = Organisation.objects.get(pk=units[op[1]].pk)
                    unit.dissolved_on = datetime.date(2020, 6, 30)
                    unit.save()
                elif kind == "component":
                    _, index, what, n = op
                    component = TargetComponent.objects.get(pk=components[index].pk)
                    if what == "threshold" and component.measure == "units_at_threshold":
                        component.threshold = [Decimal("12000"), Decimal("15000"), Decimal("18000")][n % 3]
                    elif what == "sectors":
                        component.for_public_agency = bool(n & 1)
                        component.for_state_enterprise = bool(n & 2)
                        component.for_non_state_enterprise = bool(n & 4)
                    elif what == "levels":
                        component.for_grassroots = bool(n & 1)
                        component.for_upper_level = bool(n & 2)
                    elif what == "workforce":
                        component.min_workforce = [None, 25, 100][n % 3]
                    component.save()

        for scope in [province, upper_a, upper_b, middle]:
            scope.refresh_from_db()
            for month in (1, 5, 12):
                assert maintained(scope, month) == straight(resolution, scope, month), (scope.code, month)
                assert maintained_tasks(resolution, scope, month) == straight_tasks(resolution, scope, month)
        # A rebuild from scratch gives the same rows as the running totals.
        before = sorted(ProgressTotal.objects.values_list("organisation", "component", "month", *TOTAL_FIELDS))
        tasks_before = sorted(TaskStatusTotal.objects.values_list("organisation", "task", "month", *TASK_STATUS_FIELDS))
        ledger.rebuild(resolution)
        after = sorted(ProgressTotal.objects.values_list("organisation", "component", "month", *TOTAL_FIELDS))
        assert [row for row in before if any(row[3:])] == after
        tasks_after = sorted(TaskStatusTotal.objects.values_list("organisation", "task", "month", *TASK_STATUS_FIELDS))
        assert [row for row in tasks_before if any(row[3:])] == tasks_after
