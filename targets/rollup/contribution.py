"""A grassroots union's own contribution, month by month, and its standing among its peers."""

from dataclasses import dataclass

from django.db.models import Count

from targets.reporting.models import ReportFigure
from targets.resolution.models import TargetComponent

from .figures import (
    Measure,
    competition_ranks,
    counted_units,
    eligible_figures_q,
    figure_aggregates,
    measure_values,
    reported_figures,
)


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
        reported_figures(resolution, peers_scope, month)
        .filter(component__in=components)
        .filter(eligible_figures_q(components))
        .exclude(report__organisation=peers_scope)
        .values("component", "report__organisation")
        .annotate(**figure_aggregates())
        .order_by()
    )
    peer_values = {}
    for row in peer_rows:
        component = next(c for c in components if c.pk == row["component"])
        peer_values.setdefault(row["component"], {})[row["report__organisation"]] = measure_values(component, row)[0]
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
        ranks = competition_ranks({k: v for k, v in values.items() if v}) if c.measure == Measure.QUANTITY else {}
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
        counted_units(scope, resolution, month)
        .exclude(pk=scope.pk)
        .active_on(resolution.month_end(month))
        .aggregate(**{f"c{c.pk}": Count("pk", filter=c.eligible_units_q()) for c in components})
    )
    return {c.pk: counts[f"c{c.pk}"] for c in components}
