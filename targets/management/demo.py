"""Deterministic demo monthly reports for the demo tree (``manage.py load_demo``; the
allocations in ``demo_allocations``).

The demo is set in early December of the resolution's year (3 December, ``make run``): reports for January to October
are due and mostly approved, November's are coming in. Nothing here names a target by its
number: how often a unit does something follows from each component's figure, measure,
eligibility and due month, with a fixed "pace" per component so that by November some
targets are ahead and some behind. Idempotent and seeded.
"""

import calendar
import datetime
import math
import random
from collections import Counter, defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from branches.models import Organisation
from targets.reporting import ledger
from targets.reporting.models import MonthlyReport, ReportFigure, TaskProgress
from targets.resolution.models import Resolution, TargetComponent

from .demo_texts import GENERIC_NARRATIVE, RETURN_COMMENTS, TASK_NARRATIVES

SEED = 2020
LAST_MONTH = 11  # the demo runs January to November
# Year-end result over figure, per component in resolution order (cycled): >1 ahead, <1 behind.
PACES = (1.3, 0.75, 1.0, 1.5, 0.9, 1.2, 1.25, 1.0, 0.8, 1.6, 0.8, 1.4, 1.6, 0.8, 1.05, 0.8, 1.2)
# When the demo's units hold the dated events of 2020, by target number: civil servants' and
# workers' conferences in the first quarter, the Workers' Month in May. A target with a due
# month but no entry here is done in the three months up to its due month.
EVENT_MONTHS = {6: (1, 2, 3), 7: (1, 2, 3), 14: (5,)}
# Demo users who review a unit's reports, by the unit's parent code (others: the superuser).
REVIEWER_BY_PARENT = {"KG-RG": "rachgia", "KG-GD": "giaoduc", "KG": "tinh"}
# The walk-through "a grassroots officer files and submits a month": this unit's last month stays open.
WALKTHROUGH_UNIT = "KG-RG-001"
# A returned report to show "correct and resubmit" in the walk-through.
RETURNED_WALKTHROUGH = ("KG-RG-002", 10)


def demo_resolution():
    """The demo plays Kiên Giang's 2020 resolution, whatever else is loaded beside it."""
    return Resolution.objects.select_related("organisation").filter(organisation__code="KG", year=2020).first()


def _poisson(rng, lam):
    """A Poisson draw (normal approximation for large means)."""
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


class _DemoReports:
    """Builds every demo report in memory, then writes them with a few bulk inserts."""

    def __init__(self, resolution):
        self.resolution = resolution
        self.year = resolution.year
        self.rng = random.Random(SEED)
        self.today = datetime.date(self.year, 12, 14)
        self.province = resolution.organisation
        under = Organisation.objects.under(self.province).active()
        self.uppers = list(under.upper_levels().filter(parent=self.province).order_by("path"))
        self.grassroots = list(under.grassroots().select_related("parent").order_by("path"))
        self.components = [c for c in resolution.components().order_by("target__number", "order") if c.is_reported]
        self.tasks = list(resolution.tasks.order_by("number"))
        self._load_users()
        self.reports = []  # (MonthlyReport, [ReportFigure], [TaskProgress])

    # --- people -------------------------------------------------------------------------

    def _load_users(self):
        User = get_user_model()
        users = list(User.objects.filter(is_active=True).order_by("pk"))
        self.admin = next((u for u in users if u.is_superuser), None)
        by_name = {u.username: u for u in users}
        codes = dict(Organisation.objects.filter(code__in=REVIEWER_BY_PARENT).values_list("pk", "code"))
        self.reviewer_by_parent = {
            pk: by_name[REVIEWER_BY_PARENT[code]] for pk, code in codes.items() if REVIEWER_BY_PARENT[code] in by_name
        }
        self.officer_by_unit = {}
        for user in users:
            if user.organisation_id and user.role:
                self.officer_by_unit.setdefault(user.organisation_id, user)

    def reviewer_for(self, unit):
        return self.reviewer_by_parent.get(unit.parent_id, self.admin)

    # --- dates --------------------------------------------------------------------------

    def moment(self, day, hour=None):
        hour = self.rng.randint(7, 17) if hour is None else hour
        naive = datetime.datetime(day.year, day.month, day.day, hour, self.rng.randint(0, 59))
        return timezone.make_aware(naive)

    def day_in(self, month):
        return datetime.date(self.year, month, self.rng.randint(1, calendar.monthrange(self.year, month)[1]))

    def first_month(self, unit):
        if unit.founded_on and unit.founded_on.year == self.year:
            return unit.founded_on.month
        return 1

    def last_month(self, unit):
        if unit.dissolved_on and unit.dissolved_on.year == self.year:
            return min(LAST_MONTH, unit.dissolved_on.month)
        return LAST_MONTH

    # --- what units do over the year ------------------------------------------------------

    def plan(self):
        """Per unit and component: a monthly mean (quantities), a month done, or meal values."""
        self.plans = defaultdict(dict)  # unit id -> component id -> plan
        for index, component in enumerate(self.components):
            pace = PACES[index % len(PACES)]
            eligible = [u for u in self.grassroots if component.is_eligible(u)]
            if component.measure == TargetComponent.Measure.QUANTITY:
                self._plan_quantity(component, pace, eligible)
            elif component.measure == TargetComponent.Measure.UNITS_DONE:
                self._plan_done(component, pace, eligible)
            elif component.measure == TargetComponent.Measure.UNITS_AT_THRESHOLD:
                self._plan_threshold(component, pace, eligible)

    def _plan_quantity(self, component, pace, eligible):
        year_total = component.figure * pace
        if eligible:
            members = sum(u.members for u in eligible) or 1
            for unit in eligible:
                self.plans[unit.pk][component.pk] = ("quantity", year_total * unit.members / members / 12)
            upper_mean = 0.4
        else:
            upper_mean = year_total * (0.7 if component.for_province else 1.0) / 12 / max(1, len(self.uppers))
        if component.for_upper_level:
            weights = Counter(u.parent_id for u in self.grassroots)
            average = sum(weights.values()) / max(1, len(self.uppers))
            for upper in self.uppers:
                scale = weights[upper.pk] / average if not eligible and average else 1
                self.plans[upper.pk][component.pk] = ("quantity", upper_mean * scale)
        if component.is_eligible(self.province):
            share = 0.3 if component.for_upper_level else 1.0
            self.plans[self.province.pk][component.pk] = ("quantity", year_total * share / 12)

    def _done_month(self, component, first):
        """The month a unit does it, or None when it no longer can (founded too late)."""
        target = component.target
        months = EVENT_MONTHS.get(target.number)
        if months is None and target.due_month:
            months = tuple(range(max(1, target.due_month - 2), target.due_month + 1))
        if not months:
            return self.rng.randint(first, LAST_MONTH)
        possible = [m for m in months if m >= first]
        if possible and self.rng.random() < 0.92:
            return self.rng.choice(possible)
        later = max(first, months[-1] + 1)
        if len(months) == 1 or later > LAST_MONTH:
            return None  # a one-month event (the Workers' Month) is missed, not moved
        return self.rng.randint(later, LAST_MONTH)

    def _plan_done(self, component, pace, eligible):
        units = eligible or [u for u in self.uppers if component.is_eligible(u)]
        if not units:
            return
        if component.figure_kind == TargetComponent.FigureKind.ALL_ELIGIBLE:
            share = 0.7
        else:
            share = min(0.97, component.figure * pace / len(units))
        for unit in units:
            if self.rng.random() < share:
                month = self._done_month(component, self.first_month(unit))
                self.plans[unit.pk][component.pk] = ("done", month)  # None: reports it not done

    def _plan_threshold(self, component, pace, eligible):
        if not eligible:
            return
        threshold = int(component.threshold)
        step = max(1, threshold // 30)  # 500 đồng for a 15.000 đồng meal
        reaching = component.figure * pace
        with_value = min(0.9, reaching / 0.6 / len(eligible))
        for unit in eligible:
            if self.rng.random() >= with_value:
                continue
            low = self.rng.randrange(threshold * 4 // 5, threshold, step)
            if self.rng.random() < 0.6:
                high = self.rng.randrange(threshold, threshold * 5 // 3 + 1, step)
                raised_in = self.rng.choice([1, 1, 1, self.rng.randint(2, LAST_MONTH)])
            else:
                high, raised_in = low, 1
            self.plans[unit.pk][component.pk] = ("value", low, high, raised_in)

    # --- reports ------------------------------------------------------------------------

    def status_for(self, unit, month, reliability):
        """The report's fate: None (missing) or a status."""
        S = MonthlyReport.Status
        if unit.pk == self.province.pk:
            # The federation files its own figures reliably; November's is being written.
            return S.DRAFT if month == LAST_MONTH else S.APPROVED
        r = self.rng.random()
        if month == LAST_MONTH:
            if unit.code == WALKTHROUGH_UNIT or r < 0.3:
                return None
            r = self.rng.random()
            return S.DRAFT if r < 0.35 else S.RETURNED if r < 0.4 else S.APPROVED if r < 0.6 else S.SUBMITTED
        if (unit.code, month) == RETURNED_WALKTHROUGH:
            return S.RETURNED
        if r < {"good": 0.01, "late": 0.04, "weak": 0.25}[reliability]:
            return None
        r = self.rng.random()
        if month == LAST_MONTH - 1:
            return S.DRAFT if r < 0.04 else S.RETURNED if r < 0.09 else S.SUBMITTED if r < 0.3 else S.APPROVED
        return S.DRAFT if r < 0.015 else S.RETURNED if r < 0.035 else S.SUBMITTED if r < 0.05 else S.APPROVED

    def submitted_on(self, month, reliability):
        due = self.resolution.due_date(month)
        start = datetime.date(self.year, month, calendar.monthrange(self.year, month)[1]) + datetime.timedelta(1)
        late_chance = {"good": 0.04, "late": 0.5, "weak": 0.3}[reliability]
        if self.rng.random() < late_chance:
            day = due + datetime.timedelta(self.rng.randint(1, 25))
        else:
            day = start + datetime.timedelta(self.rng.randint(0, (due - start).days))
        return min(day, self.today - datetime.timedelta(1))

    def build_report(self, unit, month, status):
        S = MonthlyReport.Status
        reliability = self.reliability.get(unit.pk, "good")
        report = MonthlyReport(
            resolution=self.resolution, organisation=unit, month=month, status=status, version=1, revision=0
        )
        figures = self.build_figures(unit, month)
        if status != S.DRAFT:
            submitted = self.moment(self.submitted_on(month, reliability))
            report.submitted_at = report.first_submitted_at = submitted
            report.submitted_by = self.officer_by_unit.get(unit.pk)
            report.version = 2
            if status in (S.APPROVED, S.RETURNED):
                reviewed = submitted + datetime.timedelta(days=self.rng.randint(1, 8), hours=self.rng.randint(0, 5))
                reviewed = min(reviewed, self.moment(self.today, hour=8))
                report.reviewed_at = reviewed
                report.reviewed_by = self.reviewer_for(unit)
                report.version = 3
                if status == S.APPROVED:
                    report.approved_at = reviewed
                    for figure in figures:
                        figure.approved_quantity = figure.quantity
                        figure.approved_done = figure.done
                        figure.approved_value = figure.value
                else:
                    report.review_comment = self.rng.choice(RETURN_COMMENTS)
        happened = any(f.quantity or f.done or f.value is not None for f in figures)
        if not happened and unit.is_grassroots and self.rng.random() < 0.5:
            # As report_save leaves it: the figure rows stay, emptied.
            report.nothing_to_report = True
            for figure in figures:
                figure.quantity = figure.approved_quantity = None
        tasks = self.build_tasks(unit, month, figures)
        self.reports.append((report, figures, tasks))

    def build_figures(self, unit, month):
        """One row per component the unit reports, as in its form, whether anything happened or not."""
        figures = []
        plans = self.plans.get(unit.pk, {})
        for component in self.components:
            if not component.is_eligible(unit):
                continue
            figure = ReportFigure(component=component)
            plan = plans.get(component.pk, ("nothing",))
            if plan[0] == "nothing":
                pass
            elif plan[0] == "quantity":
                figure.quantity = _poisson(self.rng, plan[1])
            elif plan[0] == "done":
                if plan[1] == month:
                    figure.done, figure.done_on = True, self.day_in(month)
            elif plan[0] == "value":
                _kind, low, high, raised_in = plan
                figure.value = Decimal(high if month >= raised_in else low)
            figures.append(figure)
        return figures

    def build_tasks(self, unit, month, figures):
        T = TaskProgress.Status
        if unit.is_grassroots:
            chosen = self.rng.sample(self.tasks, k=min(len(self.tasks), self.rng.randint(1, 3)))
        else:
            chosen = self.tasks
        # Every task has its row (as report_get_or_create makes them); untouched ones stay empty.
        rows = [TaskProgress(task=task) for task in self.tasks if task not in chosen]
        for task in chosen:
            narrative = self.rng.choice(TASK_NARRATIVES.get(task.number, [GENERIC_NARRATIVE]))
            r = self.rng.random()
            status = T.DONE if r < 0.1 + month * 0.02 else T.NOT_STARTED if r > 0.96 else T.IN_PROGRESS
            rows.append(TaskProgress(task=task, status=status, narrative=narrative))
        return rows

    def build(self):
        self.plan()
        # Most units file on time; some are often late, a few often miss a month.
        self.reliability = {}
        for unit in self.grassroots:
            r = self.rng.random()
            self.reliability[unit.pk] = "good" if r < 0.8 else "late" if r < 0.92 else "weak"
        for unit in [self.province, *self.uppers, *self.grassroots]:
            for month in range(self.first_month(unit), self.last_month(unit) + 1):
                status = self.status_for(unit, month, self.reliability.get(unit.pk, "good"))
                if status is not None:
                    self.build_report(unit, month, status)

    @transaction.atomic
    def save(self):
        reports = [report for report, _figures, _tasks in self.reports]
        MonthlyReport.objects.bulk_create(reports, batch_size=1000)
        figures, tasks = [], []
        for report, report_figures, report_tasks in self.reports:
            for row in report_figures + report_tasks:
                row.report = report
            figures += report_figures
            tasks += report_tasks
        ReportFigure.objects.bulk_create(figures, batch_size=2000)
        TaskProgress.objects.bulk_create(tasks, batch_size=2000)
        # created_at/updated_at were stamped "now" by the insert: move them into the demo year.
        for month in range(1, LAST_MONTH + 1):
            opened = timezone.make_aware(datetime.datetime(self.year, month, 25, 8, 0))
            MonthlyReport.objects.filter(resolution=self.resolution, month=month).update(created_at=opened)
        for status_field in ("submitted_at", "reviewed_at"):
            MonthlyReport.objects.filter(resolution=self.resolution, **{f"{status_field}__isnull": False}).update(
                updated_at=F(status_field)
            )
        MonthlyReport.objects.filter(resolution=self.resolution, submitted_at__isnull=True).update(
            updated_at=F("created_at")
        )
        return len(reports), len(figures), len(tasks)


def load_demo_reports():
    """Create the demo's monthly reports (January to November) unless the resolution already
    has reports; return a one-line summary."""
    resolution = demo_resolution()
    if resolution is None:
        return "demo reports: no resolution loaded, nothing created"
    if MonthlyReport.objects.filter(resolution=resolution).exists():
        return "demo reports: reports already exist, nothing created"
    builder = _DemoReports(resolution)
    builder.build()
    reports, figures, tasks = builder.save()
    # Bulk loading bypasses the report services: build the dashboards' running totals once.
    ledger.rebuild(resolution)
    statuses = Counter(report.status for report, _f, _t in builder.reports)
    mix = ", ".join(f"{count} {status}" for status, count in sorted(statuses.items()))
    return f"demo reports: {reports} reports ({mix}), {figures} figures, {tasks} task progress rows created"
