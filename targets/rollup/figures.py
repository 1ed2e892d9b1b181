"""The building blocks every roll-up shares: which figures count and how they add up.

All figures are "as of month m": reports for months 1..m of the resolution's year. Achieved
figures count the approved snapshot of a figure (``approved_*``), whatever the report's
status now, so reopening an approved report for correction never makes a total drop.
What is submitted and waiting for review is shown apart ("pending"): what approval would add,
negative when a corrected report awaiting approval lowers a figure.

Measure kinds (``TargetComponent.measure``):
- quantity: the sum of approved quantities;
- units_done: distinct units whose approved figure is done (a unit done twice counts once);
- units_at_threshold: distinct units whose approved value reaches the component's threshold;
- units_founded: grassroots unions in the scope founded in the resolution's year by month m,
  with enough workers and of an eligible sector (counted from the tree, never typed).
Only units eligible for a component (level, sector, workforce) are counted. A dissolved
unit's approved figures still count: what it reported stays its own.
"""

from django.db.models import BigIntegerField, Count, F, Q, Sum
from django.db.models.functions import Coalesce, Substr

from branches.models import PATH_STEP, Organisation, children_on_q
from targets.reporting.ledger.models import TOTAL_FIELDS, ProgressShift, ProgressTotal
from targets.reporting.models import MonthlyReport, ReportFigure
from targets.resolution.models import TargetComponent
from unionplan import clock

Measure = TargetComponent.Measure
REPORTED = [MonthlyReport.Status.SUBMITTED, MonthlyReport.Status.APPROVED]
ORG = "report__organisation"
ACHIEVED_FIELD = {
    Measure.QUANTITY: "sum_approved",
    Measure.UNITS_DONE: "units_done",
    Measure.UNITS_AT_THRESHOLD: "units_at_threshold",
}


def figure_aggregates():
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
        # A submitted figure stands in for its report's approved one: a correction that
        # takes a unit out shows as a negative figure awaiting approval.
        "done_with_pending": Count(
            ORG, distinct=True, filter=(~submitted & Q(approved_done=True)) | (submitted & Q(done=True))
        ),
        "at_threshold_with_pending": Count(
            ORG,
            distinct=True,
            filter=(~submitted & at_threshold) | (submitted & Q(value__gte=F("component__threshold"))),
        ),
    }


def measure_values(component, row):
    """(achieved, pending) of ``component`` from a row of ``figure_aggregates``."""
    if component.measure == Measure.QUANTITY:
        # Negative when a correction awaiting approval lowers the figure ("−29").
        return row.get("sum_approved") or 0, row.get("pending_quantity") or 0
    if component.measure == Measure.UNITS_DONE:
        done = row.get("units_done") or 0
        return done, (row.get("done_with_pending") or 0) - done
    if component.measure == Measure.UNITS_AT_THRESHOLD:
        done = row.get("units_at_threshold") or 0
        return done, (row.get("at_threshold_with_pending") or 0) - done
    return 0, 0


def eligible_figures_q(components):
    """Figures of eligible units only: one OR over the components."""
    q = Q(pk__in=[])
    for component in components:
        q |= Q(component=component) & component.eligible_units_q(prefix=f"{ORG}__")
    return q


def reported_figures(resolution, scope, month):
    return ReportFigure.objects.filter(
        report__resolution=resolution,
        report__month__lte=month,
        report__organisation__path__startswith=scope.path,
    )


def keeps_totals(unit):
    """Organisations other than grassroots unions have running totals (the reporting ledger)."""
    return unit.kind != Organisation.Kind.GRASSROOTS


class Structure:
    """Which tree the figures are counted under (``?structure=``): the tree as it is today,
    every month under where each unit is now (the default); or as it was, each month under
    the parent its unit had at that month's end."""

    CURRENT = "current"
    MONTHLY = "monthly"
    CHOICES = (CURRENT, MONTHLY)

    @classmethod
    def of(cls, value):
        return value if value in cls.CHOICES else cls.CURRENT


def counted_day(resolution, month, structure=Structure.CURRENT):
    """The day whose tree a page lists ``resolution``'s units on: as it was, the end of
    ``month``; in today's view, the resolution's year end (``Resolution.tree_day``, today's
    tree for a year in progress)."""
    return resolution.month_end(month) if structure == Structure.MONTHLY else resolution.tree_day


def _live(day):
    """Whether the tree on ``day`` is the tree as it is (changes never apply ahead)."""
    return day >= clock.today()


def counted_units(scope, resolution, month, structure=Structure.CURRENT):
    """The units under ``scope`` (itself included) on ``counted_day``, with their path then
    (``path_then``): the live tree, without a query, for a year in progress."""
    day = counted_day(resolution, month, structure)
    if structure != Structure.MONTHLY and _live(day):
        return Organisation.objects.under(scope).annotate(path_then=F("path"))
    return Organisation.objects.under_on(scope, day)


def counted_q(scope, resolution, month, structure=Structure.CURRENT, prefix=""):
    """Q over organisations (``prefix``: the lookup to them) of ``counted_units``: the scope's
    subtree by its path in a year in progress (the tree's index), else the units then."""
    day = counted_day(resolution, month, structure)
    if structure != Structure.MONTHLY and _live(day):
        return Q(**{f"{prefix}path__startswith": scope.path})
    units = Organisation.objects.under_on(scope, day).order_by().values("pk")
    return Q(**{f"{prefix}pk__in": units})


def children_counted(scope, resolution, month, structure=Structure.CURRENT):
    """The ids of the children of ``scope`` on ``counted_day``; None for today's children
    (the tree as it is on that day: no query)."""
    day = counted_day(resolution, month, structure)
    if _live(day):
        return None
    return list(
        Organisation.objects.under_on(scope, day).filter(children_on_q(scope, day)).values_list("pk", flat=True)
    )


def children_q(scope, ids, prefix=""):
    """Q over organisations (``prefix``: the lookup to them): the children ``children_counted`` gave."""
    return Q(**{f"{prefix}parent": scope}) if ids is None else Q(**{f"{prefix}pk__in": ids})


def ledger_totals(month, components, structure=Structure.CURRENT, **filters):
    """Running totals summed over months 1..``month``, per component (and per organisation
    when ``by_organisation``): rows shaped like ``figure_aggregates``. As it was
    (``structure`` monthly): with what the "as it was" rows add (one more query)."""
    by_organisation = filters.pop("by_organisation", False)
    keys = ["component", "organisation"] if by_organisation else ["component"]

    def rows(model):
        return (
            model.objects.filter(component__in=components, month__lte=month, **filters)
            .values(*keys)
            .annotate(**{f: Sum(f) for f in TOTAL_FIELDS})
            .order_by()
        )

    if structure != Structure.MONTHLY:
        return rows(ProgressTotal)
    return with_shifts(rows(ProgressTotal), rows(ProgressShift), keys, TOTAL_FIELDS)


def with_shifts(totals, shifts, keys, fields):
    """Rows of ``totals`` with the matching rows of ``shifts`` added (by ``keys``)."""
    merged = {tuple(row[k] for k in keys): dict(row) for row in totals}
    for row in shifts:
        key = tuple(row[k] for k in keys)
        into = merged.setdefault(key, {**{k: row[k] for k in keys}, **{f: 0 for f in fields}})
        for f in fields:
            into[f] = (into[f] or 0) + (row[f] or 0)
    return [row for row in merged.values() if any(row[f] for f in fields)]


def founded_by_q(resolution, month, prefix=""):
    """Units founded in the resolution's year by the end of ``month``: a date range (not the
    year and month extracted), which the index on the founding date serves."""
    p = prefix
    return Q(**{f"{p}founded_on__gte": resolution.month_start(1), f"{p}founded_on__lte": resolution.month_end(month)})


def founded_q(component, resolution, month, prefix=""):
    """Grassroots unions founded in the resolution's year by ``month`` that count for ``component``."""
    p = prefix
    q = founded_by_q(resolution, month, prefix) & Q(
        **{f"{p}kind": Organisation.Kind.GRASSROOTS, f"{p}sector__in": component.eligible_sectors()}
    )
    if component.min_workforce:
        q &= Q(**{f"{p}workforce__gte": component.min_workforce})
    return q


def branch_prefix(scope, field_name):
    """The path of the child of ``scope`` that a unit belongs to (the scope's own path for itself)."""
    return Substr(field_name, 1, len(scope.path) + PATH_STEP)


def measure_aggregate(component, extra=None):
    """The aggregate that counts ``component``'s approved achievement over ReportFigure."""
    extra = extra if extra is not None else Q()
    if component.measure == Measure.QUANTITY:
        return Coalesce(Sum("approved_quantity", filter=extra), 0, output_field=BigIntegerField())
    if component.measure == Measure.UNITS_DONE:
        return Count(ORG, distinct=True, filter=extra & Q(approved_done=True))
    return Count(ORG, distinct=True, filter=extra & Q(approved_value__gte=component.threshold))


def competition_ranks(scores):
    """Competition ranking (1, 2, 2, 4) of the keys of ``scores``, highest score first."""
    ordered = sorted(((s, k) for k, s in scores.items() if s is not None), reverse=True)
    ranks, previous, rank = {}, None, 0
    for position, (score, key) in enumerate(ordered, start=1):
        if score != previous:
            rank, previous = position, score
        ranks[key] = rank
    return ranks
