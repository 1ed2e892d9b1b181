"""Progress against the resolution: every roll-up the dashboards show, computed in the database.

All figures are "as of month m": reports for months 1..m of the resolution's year. Achieved
figures count the approved snapshot of a figure (``approved_*``), whatever the report's
status now, so reopening an approved report for correction never makes a total drop.
What is submitted and waiting for review is shown apart ("pending"): what approval would add.

Measure kinds (``TargetComponent.measure``):
- quantity: the sum of approved quantities;
- units_done: distinct units whose approved figure is done (a unit done twice counts once);
- units_at_threshold: distinct units whose approved value reaches the component's threshold;
- units_founded: grassroots unions in the scope founded in the resolution's year by month m,
  with enough workers and of an eligible sector (counted from the tree, never typed).
Only units eligible for a component (level, sector, workforce) are counted. A dissolved
unit's approved figures still count: what it reported stays its own.
"""

import calendar
import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    Sum,
    TextChoices,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.models import PATH_STEP, Organisation

from .models import (
    Allocation,
    MonthlyReport,
    ProgressTotal,
    ReportFigure,
    TargetComponent,
    TaskProgress,
    TaskStatusTotal,
)
from .models.totals import TOTAL_FIELDS

Measure = TargetComponent.Measure
REPORTED = [MonthlyReport.Status.SUBMITTED, MonthlyReport.Status.APPROVED]
ORG = "report__organisation"
ACHIEVED_FIELD = {
    Measure.QUANTITY: "sum_approved",
    Measure.UNITS_DONE: "units_done",
    Measure.UNITS_AT_THRESHOLD: "units_at_threshold",
}


class Status(TextChoices):
    ACHIEVED = "achieved", _("Achieved")
    ON_TRACK = "on_track", _("On track")
    BEHIND = "behind", _("Behind")
    NO_FIGURE = "no_figure", _("No figure")


class Timeliness(TextChoices):
    ON_TIME = "on_time", _("On time")
    LATE = "late", _("Late")
    MISSING = "missing", _("Missing")
    NOT_YET_DUE = "not_yet_due", _("Not yet due")


# ---------------------------------------------------------------------------
# Months


def default_month(resolution, today=None):
    """The month a dashboard opens on: the current month during the resolution's year,
    December for a past year, January for a future one."""
    today = today or timezone.localdate()
    if today.year > resolution.year:
        return 12
    if today.year < resolution.year:
        return 1
    return today.month


def month_end(resolution, month):
    """The last day of ``month`` in the resolution's year."""
    return datetime.date(resolution.year, month, calendar.monthrange(resolution.year, month)[1])


# ---------------------------------------------------------------------------
# Pace and status (pure functions of a component and its figures)


def expected_fraction(target, month):
    """The share of the figure expected by the end of ``month``: linear through the year,
    or linear up to the target's due month and complete from then on."""
    span = target.due_month or 12
    return min(Decimal(month) / Decimal(span), Decimal(1))


def expected_figure(target, figure, month):
    if figure is None:
        return None
    return int((Decimal(figure) * expected_fraction(target, month)).to_integral_value(ROUND_HALF_UP))


def percent_of(achieved, figure):
    """Achieved as a percentage of the figure, one decimal (None without a figure)."""
    if not figure:
        return None
    return (Decimal(achieved) * 100 / Decimal(figure)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def status_of(achieved, figure, expected):
    if not figure:
        return Status.NO_FIGURE
    if achieved >= figure:
        return Status.ACHIEVED
    if achieved >= expected:
        return Status.ON_TRACK
    return Status.BEHIND


def projected_figure(component, achieved, month, eligible=None):
    """Year-end projection: what was achieved, extended at the same pace to December (or to
    the due month). Past the due month nothing more is expected. A count of units never
    passes the number of eligible units."""
    span = component.target.due_month or 12
    if month >= span:
        projected = achieved
    else:
        projected = int((Decimal(achieved) * span / month).to_integral_value(ROUND_HALF_UP))
    if component.counts_units and eligible is not None:
        projected = min(projected, max(eligible, achieved))
    return projected


# ---------------------------------------------------------------------------
# Aggregation helpers


def _figure_aggregates():
    """Conditional aggregates over ReportFigure for every measure kind (approved and pending)."""
    submitted = Q(report__status=MonthlyReport.Status.SUBMITTED)
    at_threshold = Q(approved_value__gte=F("component__threshold"))
    return {
        "sum_approved": Sum("approved_quantity"),
        "units_done": Count(ORG, distinct=True, filter=Q(approved_done=True)),
        "units_at_threshold": Count(ORG, distinct=True, filter=at_threshold),
        "pending_quantity": Sum(
            Coalesce("quantity", 0) - Coalesce("approved_quantity", 0),
            filter=submitted,
            output_field=BigIntegerField(),
        ),
        "done_with_pending": Count(ORG, distinct=True, filter=Q(approved_done=True) | (submitted & Q(done=True))),
        "at_threshold_with_pending": Count(
            ORG, distinct=True, filter=at_threshold | (submitted & Q(value__gte=F("component__threshold")))
        ),
    }


def _measure_values(component, row):
    """(achieved, pending) of ``component`` from a row of ``_figure_aggregates``."""
    if component.measure == Measure.QUANTITY:
        return row.get("sum_approved") or 0, max(row.get("pending_quantity") or 0, 0)
    if component.measure == Measure.UNITS_DONE:
        done = row.get("units_done") or 0
        return done, (row.get("done_with_pending") or 0) - done
    if component.measure == Measure.UNITS_AT_THRESHOLD:
        done = row.get("units_at_threshold") or 0
        return done, (row.get("at_threshold_with_pending") or 0) - done
    return 0, 0


def _eligible_figures_q(components):
    """Figures of eligible units only: one OR over the components."""
    q = Q(pk__in=[])
    for component in components:
        q |= Q(component=component) & component.eligible_units_q(prefix=f"{ORG}__")
    return q


def _reported_figures(resolution, scope, month):
    return ReportFigure.objects.filter(
        report__resolution=resolution,
        report__month__lte=month,
        report__organisation__path__startswith=scope.path,
    )


def _keeps_totals(unit):
    """Organisations other than grassroots unions have running totals (targets.totals)."""
    return unit.kind != Organisation.Kind.GRASSROOTS


def _totals(month, components, **filters):
    """Running totals summed over months 1..``month``, per component (and per organisation
    when ``by_organisation``): rows shaped like ``_figure_aggregates``."""
    by_organisation = filters.pop("by_organisation", False)
    keys = ["component", "organisation"] if by_organisation else ["component"]
    return (
        ProgressTotal.objects.filter(component__in=components, month__lte=month, **filters)
        .values(*keys)
        .annotate(**{f: Sum(f) for f in TOTAL_FIELDS})
        .order_by()
    )


def _founded_q(component, resolution, month, prefix=""):
    """Grassroots unions founded in the resolution's year by ``month`` that count for ``component``."""
    p = prefix
    q = Q(
        **{
            f"{p}kind": Organisation.Kind.GRASSROOTS,
            f"{p}founded_on__year": resolution.year,
            f"{p}founded_on__month__lte": month,
            f"{p}sector__in": component.eligible_sectors(),
        }
    )
    if component.min_workforce:
        q &= Q(**{f"{p}workforce__gte": component.min_workforce})
    return q


def _branch_prefix(scope, field_name):
    """The path of the child of ``scope`` that a unit belongs to (the scope's own path for itself)."""
    return Substr(field_name, 1, len(scope.path) + PATH_STEP)


# ---------------------------------------------------------------------------
# A scope's progress on every component


@dataclass
class ComponentProgress:
    component: TargetComponent
    figure: int | None
    achieved: int
    pending: int
    eligible: int
    month: int
    expected: int | None = None
    status: str = Status.NO_FIGURE
    projected: int | None = None

    def __post_init__(self):
        self.expected = expected_figure(self.component.target, self.figure, self.month)
        self.status = status_of(self.achieved, self.figure, self.expected)
        self.projected = projected_figure(self.component, self.achieved, self.month, self.eligible)

    @property
    def target(self):
        return self.component.target

    @property
    def percent(self):
        return percent_of(self.achieved, self.figure)

    @property
    def all_eligible(self):
        return self.component.figure_kind == TargetComponent.FigureKind.ALL_ELIGIBLE


def scope_figures(resolution, scope, components, eligible):
    """The figure ``scope`` answers for on each component: the whole figure at the issuing
    federation, its allocation elsewhere; all-of-them figures are the eligible units (one query)."""
    if scope.pk == resolution.organisation_id:
        figures = {c.pk: c.figure for c in components}
    else:
        figures = dict(
            Allocation.objects.filter(component__in=components, organisation=scope).values_list("component", "figure")
        )
    for c in components:
        if c.figure_kind == TargetComponent.FigureKind.ALL_ELIGIBLE:
            figures[c.pk] = eligible.get(c.pk) or None
    return figures


def eligible_counts(resolution, scope, components, month):
    """Eligible units active at the end of ``month`` under ``scope``, per component (one query).

    The units are counted once per (level, sector, workforce band) and the bands added up per
    component here, so the query does not grow with the number of components."""
    if not components:
        return {}
    day = month_end(resolution, month)
    thresholds = sorted({c.min_workforce for c in components if c.min_workforce})
    bands = {f"w{t}": Case(When(workforce__gte=t, then=Value(True)), default=Value(False)) for t in thresholds}
    groups = list(
        Organisation.objects.under(scope)
        .active_on(day)
        .values("kind", "sector", **bands)
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {}
    for c in components:
        kinds, sectors = c.eligible_kinds(), c.eligible_sectors()
        total = 0
        for g in groups:
            if g["kind"] not in kinds:
                continue
            if g["kind"] == Organisation.Kind.GRASSROOTS:
                if g["sector"] not in sectors or (c.min_workforce and not g[f"w{c.min_workforce}"]):
                    continue
            total += g["n"]
        counts[c.pk] = total
    return counts


def founded_counts(resolution, scope, components, month):
    """Grassroots unions founded this year under ``scope`` for each units_founded component (one query)."""
    founded = [c for c in components if c.measure == Measure.UNITS_FOUNDED]
    if not founded:
        return {}
    counts = Organisation.objects.under(scope).aggregate(
        **{f"c{c.pk}": Count("pk", filter=_founded_q(c, resolution, month)) for c in founded}
    )
    return {c.pk: counts[f"c{c.pk}"] for c in founded}


def scope_progress(resolution, scope, month):
    """Progress of ``scope``'s subtree on every component of the resolution (four queries;
    read from the running totals, so the cost does not grow with the subtree)."""
    components = list(resolution.components().order_by("target__number", "order"))
    if _keeps_totals(scope):
        rows = _totals(month, components, organisation=scope)
    else:
        rows = (
            _reported_figures(resolution, scope, month)
            .filter(_eligible_figures_q(components))
            .values("component")
            .annotate(**_figure_aggregates())
            .order_by()
        )
    by_component = {row["component"]: row for row in rows}
    eligible = eligible_counts(resolution, scope, components, month)
    founded = founded_counts(resolution, scope, components, month)
    figures = scope_figures(resolution, scope, components, eligible)
    result = []
    for c in components:
        if c.measure == Measure.UNITS_FOUNDED:
            achieved, pending = founded.get(c.pk, 0), 0
        else:
            achieved, pending = _measure_values(c, by_component.get(c.pk, {}))
        result.append(
            ComponentProgress(
                component=c,
                figure=figures.get(c.pk),
                achieved=achieved,
                pending=pending,
                eligible=eligible.get(c.pk, 0),
                month=month,
            )
        )
    return result


@dataclass
class Headline:
    total: int = 0
    achieved: int = 0
    on_track: int = 0
    behind: int = 0
    no_figure: int = 0


def headline(progress):
    """How many targets are achieved, on track, behind. A target is achieved when all its
    components with a figure are, behind when any of them is behind."""
    by_target = {}
    for row in progress:
        if row.status != Status.NO_FIGURE:
            by_target.setdefault(row.target.pk, []).append(row.status)
        else:
            by_target.setdefault(row.target.pk, [])
    result = Headline(total=len(by_target))
    for statuses in by_target.values():
        if not statuses:
            result.no_figure += 1
        elif all(s == Status.ACHIEVED for s in statuses):
            result.achieved += 1
        elif any(s == Status.BEHIND for s in statuses):
            result.behind += 1
        else:
            result.on_track += 1
    return result


# ---------------------------------------------------------------------------
# One component: month by month, and by branch


def _measure_aggregate(component, extra=None):
    """The aggregate that counts ``component``'s approved achievement over ReportFigure."""
    extra = extra if extra is not None else Q()
    if component.measure == Measure.QUANTITY:
        return Coalesce(Sum("approved_quantity", filter=extra), 0, output_field=BigIntegerField())
    if component.measure == Measure.UNITS_DONE:
        return Count(ORG, distinct=True, filter=extra & Q(approved_done=True))
    return Count(ORG, distinct=True, filter=extra & Q(approved_value__gte=component.threshold))


def cumulative_by_month(resolution, component, scope, month):
    """Cumulative approved achievement at the end of months 1..``month`` (one query)."""
    months = range(1, month + 1)
    if component.measure == Measure.UNITS_FOUNDED:
        counts = Organisation.objects.under(scope).aggregate(
            **{f"m{m}": Count("pk", filter=_founded_q(component, resolution, m)) for m in months}
        )
    elif _keeps_totals(scope):
        field_name = ACHIEVED_FIELD[component.measure]
        per_month = dict(
            ProgressTotal.objects.filter(organisation=scope, component=component, month__lte=month).values_list(
                "month", field_name
            )
        )
        running, series = 0, []
        for m in months:
            running += per_month.get(m, 0)
            series.append(running)
        return series
    else:
        counts = (
            _reported_figures(resolution, scope, month)
            .filter(_eligible_figures_q([component]))
            .aggregate(**{f"m{m}": _measure_aggregate(component, Q(report__month__lte=m)) for m in months})
        )
    return [counts[f"m{m}"] or 0 for m in months]


@dataclass
class BranchProgress:
    """A child of the scope (an upper level, or a grassroots union) on one component."""

    unit: Organisation
    figure: int | None
    achieved: int
    pending: int
    eligible: int
    month: int
    target: object = field(repr=False, default=None)
    rank: int | None = None
    report_status: str | None = None

    @property
    def percent(self):
        return percent_of(self.achieved, self.figure)

    @property
    def expected(self):
        return expected_figure(self.target, self.figure, self.month)

    @property
    def status(self):
        return status_of(self.achieved, self.figure, self.expected)


def branch_progress(resolution, component, scope, month, units):
    """Progress on ``component`` of each unit in ``units`` (children of ``scope``, already
    filtered) with its own subtree: allocation, achieved, pending, percent and rank among
    all of the scope's children (by percent of allocation; by achievement when no child
    has an allocation). A fixed number of queries whatever the number of units."""
    branch = _branch_prefix(scope, f"{ORG}__path")
    if component.measure == Measure.UNITS_FOUNDED:
        founded = (
            Organisation.objects.under(scope, include_self=False)
            .filter(_founded_q(component, resolution, month))
            .values(branch=_branch_prefix(scope, "path"))
            .annotate(n=Count("pk"))
            .order_by()
        )
        values = {row["branch"]: (row["n"], 0) for row in founded}
    else:
        # Children that keep running totals are read from them; grassroots children (leaves,
        # as many as the scope has direct children) from their own figures.
        rows = (
            _reported_figures(resolution, scope, month)
            .filter(component=component, report__organisation__parent=scope)
            .filter(report__organisation__kind=Organisation.Kind.GRASSROOTS)
            .filter(_eligible_figures_q([component]))
            .values(branch=branch)
            .annotate(**_figure_aggregates())
            .order_by()
        )
        values = {row["branch"]: _measure_values(component, row) for row in rows}
        totals = _totals(month, [component], organisation__parent=scope, by_organisation=True).values(
            "organisation__path", *TOTAL_FIELDS
        )
        values |= {row["organisation__path"]: _measure_values(component, row) for row in totals}
    eligible = dict(
        Organisation.objects.under(scope, include_self=False)
        .active_on(month_end(resolution, month))
        .filter(component.eligible_units_q())
        .values(branch=_branch_prefix(scope, "path"))
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("branch", "n")
    )
    if component.figure_kind == TargetComponent.FigureKind.ALL_ELIGIBLE:
        figures = None
    else:
        figures = dict(
            Allocation.objects.filter(component=component, organisation__parent=scope).values_list(
                "organisation__path", "figure"
            )
        )
    result = []
    for unit in units:
        achieved, pending = values.get(unit.path, (0, 0))
        n_eligible = eligible.get(unit.path, 0)
        figure = (n_eligible or None) if figures is None else figures.get(unit.path)
        result.append(
            BranchProgress(
                unit=unit,
                figure=figure,
                achieved=achieved,
                pending=pending,
                eligible=n_eligible,
                month=month,
                target=component.target,
                report_status=getattr(unit, "report_status", None),
            )
        )
    # Rank among all children, not only those the filter left: computed from the same dicts.
    if figures is None:
        figures = {path: n for path, n in eligible.items() if n}
    if figures:
        scores = {path: percent_of(values.get(path, (0, 0))[0], fig) for path, fig in figures.items()}
    else:
        scores = {path: v[0] for path, v in values.items()}
    ranks = _ranks(scores)
    for row in result:
        row.rank = ranks.get(row.unit.path)
    return result


def _ranks(scores):
    """Competition ranking (1, 2, 2, 4) of the keys of ``scores``, highest score first."""
    ordered = sorted(((s, k) for k, s in scores.items() if s is not None), reverse=True)
    ranks, previous, rank = {}, None, 0
    for position, (score, key) in enumerate(ordered, start=1):
        if score != previous:
            rank, previous = position, score
        ranks[key] = rank
    return ranks


UNREPORTED_Q = Q(month_report__isnull=True) | Q(
    month_report__status__in=[MonthlyReport.Status.DRAFT, MonthlyReport.Status.RETURNED]
)


def _with_month_report(queryset, resolution, month):
    """Units annotated with their report of ``month`` (``month_report``, at most one)."""
    return queryset.annotate(
        month_report=FilteredRelation("reports", condition=Q(reports__resolution=resolution, reports__month=month))
    )


def children_with_report_status(resolution, scope, month):
    """The children of ``scope`` with ``report_status``: the status of their report for
    ``month`` ("" when they have none), ready for filtering."""
    return (
        _with_month_report(Organisation.objects.filter(parent=scope), resolution, month)
        .annotate(report_status=Coalesce(F("month_report__status"), Value("")))
        .select_related("parent")
    )


# ---------------------------------------------------------------------------
# A grassroots union's own contribution


@dataclass
class UnitContribution:
    component: TargetComponent
    by_month: list
    year_to_date: int
    rank: int | None
    peers: int
    peers_done: int | None = None


def unit_contribution(resolution, unit, month):
    """``unit``'s own approved figures month by month on each component it reports, its
    year-to-date and its standing among the units of its upper level (three queries)."""
    components = [c for c in resolution.components().order_by("target__number", "order") if c.is_reported]
    components = [c for c in components if c.is_eligible(unit)]
    own = (
        ReportFigure.objects.filter(
            report__resolution=resolution, report__organisation=unit, report__month__lte=month, component__in=components
        )
        .values("component", "report__month", "approved_quantity", "approved_done", "approved_value")
        .order_by()
    )
    cells = {(r["component"], r["report__month"]): r for r in own}
    peers_scope = unit.parent if unit.parent_id else unit
    peer_rows = (
        _reported_figures(resolution, peers_scope, month)
        .filter(component__in=components)
        .filter(_eligible_figures_q(components))
        .exclude(report__organisation=peers_scope)
        .values("component", "report__organisation")
        .annotate(**_figure_aggregates())
        .order_by()
    )
    peer_values = {}
    for row in peer_rows:
        component = next(c for c in components if c.pk == row["component"])
        peer_values.setdefault(row["component"], {})[row["report__organisation"]] = _measure_values(component, row)[0]
    peers = eligible_peers(resolution, peers_scope, components, month)
    result = []
    for c in components:
        by_month = []
        for m in range(1, month + 1):
            cell = cells.get((c.pk, m))
            if cell is None:
                by_month.append(None)
            elif c.measure == Measure.QUANTITY:
                by_month.append(cell["approved_quantity"])
            elif c.measure == Measure.UNITS_DONE:
                by_month.append(cell["approved_done"])
            else:
                by_month.append(cell["approved_value"])
        values = peer_values.get(c.pk, {})
        mine = values.get(unit.pk, 0)
        ranks = _ranks({k: v for k, v in values.items() if v}) if c.measure == Measure.QUANTITY else {}
        result.append(
            UnitContribution(
                component=c,
                by_month=by_month,
                year_to_date=mine,
                rank=ranks.get(unit.pk),
                peers=peers.get(c.pk, 0),
                peers_done=None if c.measure == Measure.QUANTITY else sum(1 for v in values.values() if v),
            )
        )
    return result


def eligible_peers(resolution, scope, components, month):
    """Eligible grassroots unions below ``scope`` active at the end of ``month`` (one query)."""
    if not components:
        return {}
    counts = (
        Organisation.objects.under(scope, include_self=False)
        .active_on(month_end(resolution, month))
        .aggregate(**{f"c{c.pk}": Count("pk", filter=c.eligible_units_q()) for c in components})
    )
    return {c.pk: counts[f"c{c.pk}"] for c in components}


# ---------------------------------------------------------------------------
# Completeness: who reported a month on time, late, or not at all


def due_deadline(resolution, month):
    """The first moment after the due day of ``month``'s report (aware, local time)."""
    day = resolution.due_date(month) + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def expected_reporters(resolution, scope, month):
    """Units under ``scope`` (itself included) expected to report ``month``: founded by the
    end of the month and not dissolved by then. Annotated with their report of that month."""
    return _with_month_report(
        Organisation.objects.under(scope).active_on(month_end(resolution, month)), resolution, month
    )


@dataclass
class CompletenessRow:
    unit: Organisation
    expected: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    not_yet_due: int = 0

    @property
    def reported(self):
        return self.on_time + self.late

    @property
    def rate(self):
        return percent_of(self.reported, self.expected)


def completeness(resolution, scope, month, now=None):
    """Reporting of ``month`` per child of ``scope`` (the scope's own report in a row of its
    own) and in total: expected units, on time, late, missing or not yet due (two queries)."""
    now = now or timezone.now()
    deadline = due_deadline(resolution, month)
    reported = Q(month_report__status__in=REPORTED)
    aggregates = {
        "expected": Count("pk"),
        # An approved report with no submission time (entered by an admin) counts as on time.
        "on_time": Count(
            "pk", filter=reported & (Q(month_report__submitted_at__lt=deadline) | Q(month_report__submitted_at=None))
        ),
        "late": Count("pk", filter=reported & Q(month_report__submitted_at__gte=deadline)),
        "unreported": Count("pk", filter=UNREPORTED_Q),
    }
    rows = (
        expected_reporters(resolution, scope, month)
        .values(branch=_branch_prefix(scope, "path"))
        .annotate(**aggregates)
        .order_by()
    )
    units = {u.path: u for u in Organisation.objects.filter(Q(parent=scope) | Q(pk=scope.pk))}
    past_due = now >= deadline
    result, total = [], CompletenessRow(unit=scope)
    for row in rows:
        line = CompletenessRow(
            unit=units[row["branch"]],
            expected=row["expected"],
            on_time=row["on_time"],
            late=row["late"],
            missing=row["unreported"] if past_due else 0,
            not_yet_due=0 if past_due else row["unreported"],
        )
        result.append(line)
        for name in ("expected", "on_time", "late", "missing", "not_yet_due"):
            setattr(total, name, getattr(total, name) + getattr(line, name))
    result.sort(key=lambda r: (r.unit.pk != scope.pk, r.unit.name))
    return result, total


def unreported_units(resolution, scope, month):
    """Expected units under ``scope`` whose report of ``month`` is not in (draft, returned or
    none), with their upper level and contacts, for a follow-up."""
    return (
        expected_reporters(resolution, scope, month)
        .filter(UNREPORTED_Q)
        .annotate(report_status=Coalesce(F("month_report__status"), Value("")))
        .select_related("parent")
        .order_by("path")
    )


# ---------------------------------------------------------------------------
# Priority tasks


def latest_task_progress(resolution, scope, month):
    """Each unit's latest reported progress on each task up to ``month`` (submitted or
    approved reports), as a queryset of TaskProgress."""
    later = TaskProgress.objects.filter(
        task=OuterRef("task"),
        report__organisation=OuterRef("report__organisation"),
        report__resolution=resolution,
        report__status__in=REPORTED,
        report__month__gt=OuterRef("report__month"),
        report__month__lte=month,
    )
    return (
        TaskProgress.objects.filter(
            report__resolution=resolution,
            report__status__in=REPORTED,
            report__month__lte=month,
            report__organisation__path__startswith=scope.path,
        )
        .exclude(Exists(later))
        .select_related("task", "report__organisation__parent")
    )


@dataclass
class TaskSummary:
    task: object
    not_started: int = 0
    in_progress: int = 0
    done: int = 0

    @property
    def units(self):
        return self.not_started + self.in_progress + self.done


def task_summary(resolution, scope, month):
    """Per priority task: units whose latest report says not started, under way, done (two queries)."""
    S = TaskProgress.Status
    if _keeps_totals(scope):
        rows = (
            TaskStatusTotal.objects.filter(organisation=scope, task__resolution=resolution, month__lte=month)
            .values("task")
            .annotate(not_started=Sum("not_started"), in_progress=Sum("in_progress"), done=Sum("done"))
            .order_by()
        )
    else:
        rows = (
            latest_task_progress(resolution, scope, month)
            .values("task")
            .annotate(
                not_started=Count("pk", filter=Q(status=S.NOT_STARTED)),
                in_progress=Count("pk", filter=Q(status=S.IN_PROGRESS)),
                done=Count("pk", filter=Q(status=S.DONE)),
            )
            .order_by()
        )
    counts = {row["task"]: row for row in rows}
    result = []
    for task in resolution.tasks.order_by("number"):
        row = counts.get(task.pk, {})
        result.append(
            TaskSummary(
                task=task,
                not_started=row.get("not_started", 0),
                in_progress=row.get("in_progress", 0),
                done=row.get("done", 0),
            )
        )
    return result


def task_narratives(resolution, scope, month):
    """Narratives reported on the tasks up to ``month`` under ``scope``, newest first."""
    return (
        TaskProgress.objects.filter(
            report__resolution=resolution,
            report__status__in=REPORTED,
            report__month__lte=month,
            report__organisation__path__startswith=scope.path,
        )
        .exclude(narrative="")
        .select_related("task", "report__organisation__parent")
        .order_by("-report__month", "task__number", "report__organisation__path")
    )


def latest_narratives_per_task(resolution, scope, month, per_task=3):
    """The ``per_task`` newest narratives of each task (one query, a window function)."""
    return list(
        task_narratives(resolution, scope, month)
        .annotate(
            row=Window(
                RowNumber(),
                partition_by=[F("task")],
                order_by=[F("report__month").desc(), F("report__submitted_at").desc(nulls_last=True), F("pk").desc()],
            )
        )
        .filter(row__lte=per_task)
    )
