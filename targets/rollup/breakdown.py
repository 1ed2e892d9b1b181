"""One component broken down by the children of a scope: allocation, achieved, percent, rank."""

from dataclasses import dataclass, field

from django.db.models import Case, Count, F, Value, When
from django.db.models.functions import Coalesce

from branches import census
from branches.models import Organisation, path_segment
from targets.reporting.models import ReportFigure
from targets.resolution.allocations import Allocation
from targets.resolution.models import TargetComponent

from .completeness import with_month_report
from .figures import (
    ORG,
    Measure,
    Structure,
    branch_prefix,
    children_counted,
    children_q,
    competition_ranks,
    counted_units,
    eligible_figures_q,
    figure_aggregates,
    founded_q,
    ledger_totals,
    measure_values,
)
from .pace import (
    LINEAR,
    Profile,
    Status,
    expected_figure,
    expected_fraction,
    expected_share,
    is_final,
    percent_of,
    share_of,
    shortfall,
    status_of,
)


@dataclass
class BranchProgress:
    """A child of the scope (an upper level, or a grassroots union) on one component. For a
    percentage-of-eligible component the figure is a percentage and so is ``share``."""

    unit: Organisation
    figure: int | None
    achieved: int
    pending: int
    eligible: int
    month: int
    target: object = field(repr=False, default=None)
    rank: int | None = None
    report_status: str | None = None
    profile: Profile = field(repr=False, default=LINEAR)
    closed: bool = True
    is_share: bool = False

    @property
    def share(self):
        return share_of(self.achieved, self.eligible)

    @property
    def measured(self):
        """What is compared with the figure: the count, or for a share its percentage."""
        return (self.share or 0) if self.is_share else self.achieved

    @property
    def percent(self):
        return percent_of(self.measured, self.figure)

    @property
    def expected(self):
        fraction = expected_fraction(self.month, self.target.due_month, self.profile)
        if self.is_share:
            return expected_share(self.figure, fraction)
        return expected_figure(self.figure, fraction)

    @property
    def status(self):
        final = is_final(self.month, self.target.due_month, self.closed)
        return status_of(self.measured, self.figure, self.expected, final)

    @property
    def shortfall(self):
        """How far the unit is below its own allocation's expectation (its figure once the
        verdict is in); None without an allocation."""
        if self.status == Status.NOT_ACHIEVED:
            return shortfall(self.measured, self.figure)
        return shortfall(self.measured, self.expected)


def eligible_by_branch(resolution, component, scope, month, structure=Structure.CURRENT):
    """{child's path: units of its subtree eligible for ``component`` and active at the end
    of ``month``} for the children of ``scope`` (one query; none when the component's
    figures do not use them). The scope's own count is their sum, and itself when it is
    eligible (``scope_eligible``)."""
    if not component.needs_eligible_units:
        return {}
    units = counted_units(scope, resolution, month, structure).exclude(pk=scope.pk)
    return dict(
        census.rows(
            units.active_on(resolution.month_end(month))
            .filter(component.eligible_units_q())
            .values(branch=branch_prefix(scope, "path_then"))
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("branch", "n")
        )
    )


def eligible_by_branch_of(resolution, components, scope, month):
    """``eligible_by_branch`` of several components at once ({component id: {child's path:
    units}}), in one query whatever their number: the units are counted once per branch,
    level, sector and workforce band, and the counts added up per component here."""
    result = {c.pk: {} for c in components}
    needing = [c for c in components if c.needs_eligible_units]
    if not needing:
        return result
    thresholds = sorted({c.min_workforce for c in needing if c.min_workforce})
    bands = {f"w{t}": Case(When(workforce__gte=t, then=Value(True)), default=Value(False)) for t in thresholds}
    groups = census.rows(
        counted_units(scope, resolution, month)
        .exclude(pk=scope.pk)
        .active_on(resolution.month_end(month))
        .values("kind", "sector", branch=branch_prefix(scope, "path_then"), **bands)
        .annotate(n=Count("pk"))
        .order_by()
    )
    for c in needing:
        kinds, sectors, counts = c.eligible_kinds(), c.eligible_sectors(), result[c.pk]
        for g in groups:
            if g["kind"] not in kinds:
                continue
            if g["kind"] == Organisation.Kind.GRASSROOTS:
                if g["sector"] not in sectors or (c.min_workforce and not g[f"w{c.min_workforce}"]):
                    continue
            counts[g["branch"]] = counts.get(g["branch"], 0) + g["n"]
    return result


def scope_eligible(resolution, component, scope, month, by_branch):
    """The units of ``scope``'s subtree eligible for ``component`` at the end of ``month``,
    from ``eligible_by_branch`` (no query)."""
    if not component.needs_eligible_units:
        return 0
    itself = scope.is_active_on(resolution.month_end(month)) and component.is_eligible(scope)
    return sum(by_branch.values()) + int(itself)


def branch_progress(
    resolution, component, scope, month, units, profile=LINEAR, eligible=None, structure=Structure.CURRENT
):
    """Progress on ``component`` of each unit in ``units`` (children of ``scope``, already
    filtered) with its own subtree: allocation, achieved, pending, percent and rank among
    all of the scope's children (by percent of allocation; by achievement when no child
    has an allocation). ``profile``: the rhythm the expectation follows; ``eligible``: the
    ``eligible_by_branch`` already read. A fixed number of queries whatever the number of units."""
    closed = resolution.is_closed(month)
    # The scope's children on the day its units are counted on (``counted_day``), each keyed
    # by its path under the scope then (``branch_key``).
    children = children_counted(scope, resolution, month, structure)
    if component.measure == Measure.UNITS_FOUNDED:
        founded = (
            counted_units(scope, resolution, month)
            .exclude(pk=scope.pk)
            .filter(founded_q(component, resolution, month))
            .values(branch=branch_prefix(scope, "path_then"))
            .annotate(n=Count("pk"))
            .order_by()
        )
        values = {row["branch"]: (row["n"], 0) for row in founded}
    else:
        # Children that keep running totals are read from them; grassroots children (leaves,
        # as many as the scope has direct children) from their own figures.
        rows = (
            ReportFigure.objects.filter(report__resolution=resolution, report__month__lte=month)
            .filter(children_q(scope, children, f"{ORG}__"), component=component)
            .filter(report__organisation__kind=Organisation.Kind.GRASSROOTS)
            .filter(eligible_figures_q([component]))
            .values(ORG)
            .annotate(**figure_aggregates())
            .order_by()
        )
        values = {branch_key(scope, row[ORG]): measure_values(component, row) for row in rows}
        # As it was: each child keeping totals with what its subtree reported while under it.
        totals = ledger_totals(
            month, [component], structure, by_organisation=True, organisation__in=children_units(scope, children)
        )
        values |= {branch_key(scope, r["organisation"]): measure_values(component, r) for r in totals}
    if eligible is None:
        eligible = eligible_by_branch(resolution, component, scope, month, structure)
    if component.figure_kind == TargetComponent.FigureKind.ALL_ELIGIBLE:
        figures = None
    else:
        figures = {
            branch_key(scope, pk): figure
            for pk, figure in Allocation.objects.filter(
                children_q(scope, children, "organisation__"), component=component
            ).values_list("organisation_id", "figure")
        }
        if component.is_share:
            # A percentage applies to every unit that was not given a percentage of its own.
            figures = {path: figures.get(path, component.figure) for path, n in eligible.items() if n} | figures
    result = []
    for unit in units:
        key = branch_key(scope, unit.pk)
        achieved, pending = values.get(key, (0, 0))
        n_eligible = eligible.get(key, 0)
        figure = (n_eligible or None) if figures is None else figures.get(key)
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
                profile=profile,
                closed=closed,
                is_share=component.is_share,
            )
        )
    # Rank among all children, not only those the filter left: computed from the same dicts.
    if figures is None:
        figures = {path: n for path, n in eligible.items() if n}
    if component.is_share:
        scores = {
            path: percent_of(share_of(values.get(path, (0, 0))[0], eligible.get(path)) or 0, fig)
            for path, fig in figures.items()
        }
    elif figures:
        scores = {path: percent_of(values.get(path, (0, 0))[0], fig) for path, fig in figures.items()}
    else:
        scores = {path: v[0] for path, v in values.items()}
    ranks = competition_ranks(scores)
    for row in result:
        row.rank = ranks.get(branch_key(scope, row.unit.pk))
    return result


def furthest_behind(rows, limit=10):
    """The rows furthest behind their own allocation's expectation, largest shortfall first."""
    behind = [r for r in rows if r.shortfall]
    behind.sort(key=lambda r: (-r.shortfall, r.unit.name))
    return behind[:limit]


def branch_key(scope, unit_id):
    """The path under ``scope`` of its child ``unit_id`` (then: on the day counted), the key
    of the child's figures (``branch_prefix``)."""
    return scope.path + path_segment(unit_id)


def children_units(scope, ids):
    """The children ``children_counted`` gave, as a queryset of organisations."""
    return Organisation.objects.filter(children_q(scope, ids))


def children_with_report_status(resolution, scope, month, structure=Structure.CURRENT):
    """The children of ``scope`` on the day its units are counted on (``counted_day``) with
    ``report_status``: the status of their report for ``month`` ("" when they have none),
    ready for filtering."""
    children = children_units(scope, children_counted(scope, resolution, month, structure))
    return (
        with_month_report(children, resolution, month)
        .annotate(report_status=Coalesce(F("month_report__status"), Value("")))
        .select_related("parent")
    )
