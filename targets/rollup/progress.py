"""A scope's progress on every component of the resolution, and one component month by month."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, Q, Value, When

from branches import census
from branches.models import Organisation
from targets.reporting.ledger.models import ProgressShift, ProgressTotal
from targets.resolution.allocations import Allocation
from targets.resolution.models import Target, TargetComponent

from .figures import (
    ACHIEVED_FIELD,
    Measure,
    Structure,
    counted_units,
    eligible_figures_q,
    figure_aggregates,
    founded_by_q,
    founded_q,
    keeps_totals,
    ledger_totals,
    measure_aggregate,
    measure_values,
    reported_figures,
)
from .pace import (
    LINEAR,
    REACHED,
    Profile,
    Status,
    catch_up,
    expected_figure,
    expected_fraction,
    expected_share,
    is_final,
    percent_of,
    projected_figure,
    share_of,
    shortfall,
    status_of,
)
from .season import seasonal_profiles


@dataclass
class ComponentProgress:
    """A component's figure and progress as of ``month``: ``closed`` when the month's reports
    are due (a verdict can be given), ``profile`` the rhythm its expectation follows. For a
    percentage-of-eligible component the figure, expected and projected figures are
    percentages of the eligible units (``share``, with the counts behind it in ``achieved`` /
    ``eligible``), and its status and what it takes are in percent points."""

    component: TargetComponent
    figure: int | None
    achieved: int
    pending: int
    eligible: int
    month: int
    profile: Profile = field(default=LINEAR, repr=False)
    closed: bool = True
    expected: int | None = None
    status: str = Status.NO_FIGURE
    projected: int | None = None
    # The figure before its latest change, and the month from which ``figure`` applies.
    previous_figure: int | None = None
    figure_from_month: int | None = None

    def __post_init__(self):
        due_month = self.component.target.due_month
        fraction = expected_fraction(self.month, due_month, self.profile)
        if self.is_share:
            self.expected = expected_share(self.figure, fraction)
        else:
            self.expected = expected_figure(self.figure, fraction)
        self.final = is_final(self.month, due_month, self.closed)
        self.status = status_of(self.measured, self.figure, self.expected, self.final)
        if fraction <= 0:
            # Last year nothing was done by now: extrapolate the run rate straight instead.
            fraction = Decimal(self.month) / Decimal(due_month or 12)
        projected = projected_figure(
            self.achieved,
            fraction,
            accumulates=self.component.measure != Measure.UNITS_AT_THRESHOLD,
            cap=self.eligible if self.component.counts_units else None,
        )
        self.projected = share_of(projected, self.eligible) if self.is_share else projected

    @property
    def measured(self):
        """What is compared with the figure: the count, or for a share its percentage."""
        return (self.share or 0) if self.is_share else self.achieved

    @property
    def remaining(self):
        """How much is still missing to the figure (None without one, 0 once reached)."""
        return shortfall(self.measured, self.figure)

    @property
    def catch_up(self):
        """What it takes per remaining month (None when reached or when the verdict is in)."""
        if self.final or self.status in REACHED:
            return None
        decimals = 1 if self.is_share else 0
        return catch_up(self.measured, self.figure, self.month, self.component.target.due_month, decimals)

    @property
    def target(self):
        return self.component.target

    @property
    def is_share(self):
        return self.component.is_share

    @property
    def share(self):
        """Units that achieved it as a percentage of the eligible units (37,5 for 3 of 8)."""
        return share_of(self.achieved, self.eligible)

    @property
    def percent(self):
        if self.is_share:
            return percent_of(self.share or 0, self.figure)
        return percent_of(self.achieved, self.figure)

    @property
    def all_eligible(self):
        return self.component.figure_kind == TargetComponent.FigureKind.ALL_ELIGIBLE


def figure_as_of(source, month):
    """(figure, previous figure, month it applies from) of a component or an allocation as of
    ``month``: before the month a changed figure applies from, the previous one still holds.
    0 is a figure still to be set (a resolution copied from last year's): no figure."""
    changed_from = source.figure_from_month
    if source.previous_figure is not None and changed_from and month < changed_from:
        return source.previous_figure or None, None, None
    if source.previous_figure is None or source.previous_figure == source.figure:
        return source.figure or None, None, None
    return source.figure or None, source.previous_figure, changed_from


def scope_figures(resolution, scope, components, eligible, month=12):
    """The figure ``scope`` answers for on each component as of ``month``, with its change
    ({pk: (figure, previous, from month)}): the whole figure at the issuing federation, its
    allocation elsewhere (a percentage of eligible units applies to every unit unless it was
    given its own); all-of-them figures are the eligible units (one query)."""
    if scope.pk == resolution.organisation_id:
        figures = {c.pk: figure_as_of(c, month) for c in components}
    else:
        allocations = Allocation.objects.filter(component__in=components, organisation=scope)
        figures = {a.component_id: figure_as_of(a, month) for a in allocations}
        for c in components:
            if c.is_share and c.pk not in figures:
                figures[c.pk] = figure_as_of(c, month)
    for c in components:
        if c.figure_kind == TargetComponent.FigureKind.ALL_ELIGIBLE:
            figures[c.pk] = (eligible.get(c.pk) or None, None, None)
    return figures


def eligible_counts(resolution, scope, components, month, structure=Structure.CURRENT):
    """Eligible units active at the end of ``month`` under ``scope``, per component (one query).

    The units are counted once per (level, sector, workforce band) and the bands added up per
    component here, so the query does not grow with the number of components."""
    if not components:
        return {}
    day = resolution.month_end(month)
    thresholds = sorted({c.min_workforce for c in components if c.min_workforce})
    bands = {f"w{t}": Case(When(workforce__gte=t, then=Value(True)), default=Value(False)) for t in thresholds}
    units = counted_units(scope, resolution, month, structure)
    groups = census.rows(units.active_on(day).values("kind", "sector", **bands).annotate(n=Count("pk")).order_by())
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
    counts = (
        counted_units(scope, resolution, month)
        .filter(founded_by_q(resolution, month))
        .aggregate(**{f"c{c.pk}": Count("pk", filter=founded_q(c, resolution, month)) for c in founded})
    )
    return {c.pk: counts[f"c{c.pk}"] for c in founded}


def achieved_values(resolution, scope, month, components, structure=Structure.CURRENT):
    """{component id: (achieved, pending)} of ``scope``'s subtree as of ``month``: from the
    running totals (a grassroots union: its figures) and, for founding targets, the tree
    (two queries; nothing here counts the eligible units)."""
    if keeps_totals(scope):
        rows = ledger_totals(month, components, structure, organisation=scope)
    else:
        rows = (
            reported_figures(resolution, scope, month)
            .filter(eligible_figures_q(components))
            .values("component")
            .annotate(**figure_aggregates())
            .order_by()
        )
    by_component = {row["component"]: row for row in rows}
    founded = founded_counts(resolution, scope, components, month)
    return {
        c.pk: (founded.get(c.pk, 0), 0)
        if c.measure == Measure.UNITS_FOUNDED
        else measure_values(c, by_component.get(c.pk, {}))
        for c in components
    }


def scope_progress(resolution, scope, month, components=None, eligible=None, structure=Structure.CURRENT):
    """Progress of ``scope``'s subtree on every component of the resolution, or on
    ``components`` (four queries, five when a target continues last year's; read from the
    running totals, so the cost does not grow with the subtree). ``eligible``: the eligible
    units per component when the caller has counted them already."""
    if components is None:
        components = list(resolution.components().order_by("target__number", "order"))
    profiles = seasonal_profiles({c.target.pk: c.target for c in components}.values())
    closed = resolution.is_closed(month)
    values = achieved_values(resolution, scope, month, components, structure)
    if eligible is None:
        eligible = eligible_counts(resolution, scope, components, month, structure)
    figures = scope_figures(resolution, scope, components, eligible, month)
    result = []
    for c in components:
        achieved, pending = values[c.pk]
        figure, previous, from_month = figures.get(c.pk, (None, None, None))
        result.append(
            ComponentProgress(
                component=c,
                figure=figure,
                achieved=achieved,
                pending=pending,
                eligible=eligible.get(c.pk, 0),
                month=month,
                profile=profiles[c.target.pk],
                closed=closed,
                previous_figure=previous,
                figure_from_month=from_month,
            )
        )
    return result


def same_period_last_year(resolution, scope, month):
    """For each component of a target that continues last year's (``Target.continues``):
    what ``scope`` had achieved on the matching component (same order) by the same month of
    last year, or nothing when there is no such component. Only last year's achievement is
    read (not its figures or its eligible units)."""
    components = list(resolution.components().filter(target__continues__isnull=False))
    if not components:
        return {}
    previous = Target.objects.select_related("resolution").get(pk=components[0].target.continues_id).resolution
    earlier = list(previous.components())
    values = achieved_values(previous, scope, month, earlier)
    achieved = {(c.target_id, c.order): values[c.pk][0] for c in earlier}
    result = {}
    for c in components:
        key = (c.target.continues_id, c.order)
        if key in achieved:
            result[c.pk] = achieved[key]
    return result


@dataclass
class Headline:
    total: int = 0
    achieved: int = 0
    on_track: int = 0
    behind: int = 0
    not_achieved: int = 0
    no_figure: int = 0


def headline(progress):
    """How many targets are achieved, on track, behind, not achieved. A target is achieved
    when all its components with a figure are, not achieved when the verdict is in and any
    of them is not, behind when any of them is behind."""
    by_target = {}
    for row in progress:
        statuses = by_target.setdefault(row.target.pk, [])
        if row.status != Status.NO_FIGURE:
            statuses.append(row.status)
    result = Headline(total=len(by_target))
    for statuses in by_target.values():
        if not statuses:
            result.no_figure += 1
        elif all(s in REACHED for s in statuses):
            result.achieved += 1
        elif any(s == Status.NOT_ACHIEVED for s in statuses):
            result.not_achieved += 1
        elif any(s == Status.BEHIND for s in statuses):
            result.behind += 1
        else:
            result.on_track += 1
    return result


def cumulative_by_month(resolution, component, scope, month, structure=Structure.CURRENT):
    """Cumulative approved achievement at the end of months 1..``month`` (one query)."""
    months = range(1, month + 1)
    if component.measure == Measure.UNITS_FOUNDED:
        counts = (
            counted_units(scope, resolution, month)
            .filter(founded_by_q(resolution, month))
            .aggregate(**{f"m{m}": Count("pk", filter=founded_q(component, resolution, m)) for m in months})
        )
    elif keeps_totals(scope):
        field_name = ACHIEVED_FIELD[component.measure]
        per_month = {}
        models = (ProgressTotal, ProgressShift) if structure == Structure.MONTHLY else (ProgressTotal,)
        for model in models:
            rows = model.objects.filter(organisation=scope, component=component, month__lte=month)
            for m, value in rows.values_list("month", field_name):
                per_month[m] = per_month.get(m, 0) + value
        running, series = 0, []
        for m in months:
            running += per_month.get(m, 0)
            series.append(running)
        return series
    else:
        counts = (
            reported_figures(resolution, scope, month)
            .filter(eligible_figures_q([component]))
            .aggregate(**{f"m{m}": measure_aggregate(component, Q(report__month__lte=m)) for m in months})
        )
    return [counts[f"m{m}"] or 0 for m in months]


def cumulative_by_component(resolution, components, scope, month):
    """{component pk: cumulative approved achievement at the end of months 1..``month``} for
    every component at once, the same figures as ``cumulative_by_month``: one query from the
    ledger for a scope that keeps totals (one per component counting units founded), else one
    per component."""
    if not keeps_totals(scope):
        return {c.pk: cumulative_by_month(resolution, c, scope, month) for c in components}
    series = {}
    from_ledger = [c for c in components if c.measure != Measure.UNITS_FOUNDED]
    per_month = {}
    for component_pk, m, *values in ProgressTotal.objects.filter(
        organisation=scope, component__in=from_ledger, month__lte=month
    ).values_list("component", "month", *ACHIEVED_FIELD.values()):
        per_month[component_pk, m] = dict(zip(ACHIEVED_FIELD, values, strict=True))
    for component in components:
        if component.measure == Measure.UNITS_FOUNDED:
            series[component.pk] = cumulative_by_month(resolution, component, scope, month)
            continue
        running, values = 0, []
        for m in range(1, month + 1):
            running += per_month.get((component.pk, m), {}).get(component.measure, 0)
            values.append(running)
        series[component.pk] = values
    return series
