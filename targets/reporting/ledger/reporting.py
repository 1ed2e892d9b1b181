"""The reporting ledger: keep ``ReportingTotal`` rows current (``models`` says what
they hold), so that who reported a month across a country is read from a few rows.

A unit's contribution, per (resolution, month) of the resolutions it reports against, is
[expected, on time, late, waiting]: 1 expected when it is active at the month's end, and
then 1 on time or 1 late when its report of the month has been reported; 1 waiting while
that report is submitted and not yet reviewed. It follows from the unit's
founding and dissolution dates and its reports of the resolution alone, so every change is
carried as in ``ledger``: the contribution before and after, the difference added to the
organisations that hold the unit's totals, in the same transaction. Changes come from
``ledger.tracking`` (every write to reports), the tree's signals (a unit added, moved,
re-dated, deleted) and a resolution's calendar (its year or due day: recounted).
``rebuild()`` recomputes the rows from the reports and the tree.
"""

from collections import defaultdict

from django.db import transaction

from branches.models import Organisation
from targets.resolution.models import Resolution

from ..models import MonthlyReport
from .models import REPORTING_FIELDS, ReportingShift, ReportingTotal
from .rows import (
    NearestHolders,
    add,
    add_per_holder,
    add_unit,
    add_units,
    holders,
    moves_with,
    moving,
    shift_move,
    shifts,
)

SUBMITTED = "submitted"
REPORTED = (SUBMITTED, "approved")
MONTHS = range(1, 13)
# What a contribution reads of a report: its unit, resolution and month, and the three
# fields that say whether and when it was reported.
_REPORT_COLUMNS = ("organisation_id", "resolution_id", "month", "status", "approved_at", "first_submitted_at")


def is_reported(status, approved_at):
    """Reported: submitted or approved, or approved once and reopened for correction (the
    rule of the completeness page, ``rollup.completeness.REPORTED_Q``)."""
    return status in REPORTED or approved_at is not None


def calendar(resolutions, months=MONTHS):
    """[(resolution id, month, the month's last day, its deadline)]: what ``contribution``
    compares a unit's dates and its reports with (computed once, not per unit)."""
    return [(r.pk, month, r.month_end(month), r.deadline(month)) for r in resolutions for month in months]


def contribution(unit, months, reports):
    """{(resolution id, month): [expected, on time, late, waiting]} of ``unit`` (its
    ``founded_on`` and ``dissolved_on``) over ``months`` (a ``calendar``), from its
    ``reports`` ({(resolution id, month): (status, approved_at, first_submitted_at)}).
    A report waits for review whether or not its unit is expected; months with nothing
    have no entry."""
    result = {}
    founded, dissolved = unit.founded_on, unit.dissolved_on
    for resolution_id, month, last_day, deadline in months:
        report = reports.get((resolution_id, month))
        waiting = int(report is not None and report[0] == SUBMITTED)
        if (founded and founded > last_day) or (dissolved and dissolved <= last_day):
            if waiting:
                result[(resolution_id, month)] = [0, 0, 0, 1]
            continue
        on_time = late = 0
        if report is not None and is_reported(report[0], report[1]):
            if report[2] is None or report[2] < deadline:
                on_time = 1
            else:
                late = 1
        result[(resolution_id, month)] = [1, on_time, late, waiting]
    return result


def resolutions_over(path, resolution_id=None):
    """The resolutions the unit at ``path`` reports against (or the one of them)."""
    resolutions = Resolution.objects.for_path(path)
    if resolution_id is not None:
        resolutions = resolutions.filter(pk=resolution_id)
    return list(resolutions.only("pk", "year", "report_due_day"))


def _reports(unit_ids, resolution_ids, months=None):
    """{unit id: {(resolution id, month): (status, approved_at, first_submitted_at)}}."""
    rows = MonthlyReport.objects.filter(organisation_id__in=unit_ids, resolution_id__in=resolution_ids)
    if months is not None:
        rows = rows.filter(month__in=months)
    result = defaultdict(dict)
    for unit_id, resolution_id, month, *state in rows.values_list(*_REPORT_COLUMNS):
        result[unit_id][(resolution_id, month)] = tuple(state)
    return result


def unit_entries(unit, resolutions):
    """``unit``'s contribution over ``resolutions`` (``resolutions_over``)."""
    if not resolutions:
        return {}
    reports = _reports([unit.pk], [r.pk for r in resolutions])
    return contribution(unit, calendar(resolutions), reports.get(unit.pk, {}))


def month_entries(units, resolution, month):
    """{unit id: contribution in ``month`` of ``resolution``} for ``units`` ({id: unit}): one query."""
    reports = _reports(list(units), [resolution.pk], months=[month])
    months = calendar([resolution], [month])
    return {pk: contribution(unit, months, reports.get(pk, {})) for pk, unit in units.items()}


def _subtree_entries(unit):
    """Everything ``unit``'s subtree contributes: its own rows, or a grassroots union's own contribution."""
    if unit.kind != Organisation.Kind.GRASSROOTS:
        rows = ReportingTotal.objects.filter(organisation=unit).values_list("resolution_id", "month", *REPORTING_FIELDS)
        return {(resolution, month): list(values) for resolution, month, *values in rows}
    return unit_entries(unit, resolutions_over(unit.path))


def unit_added(unit):
    """A new unit: expected from its founding on (it has no reports yet)."""
    add_unit(unit, unit_entries(unit, resolutions_over(unit.path)), model=ReportingTotal)


def units_added(units):
    """New units made together without ``save()`` (``bulk_create``, their paths set): as
    ``unit_added`` for each, summed per holder (a few queries)."""
    calendars, contributions, by_id = {}, {}, {}
    for unit in units:
        if unit.path not in calendars:
            calendars[unit.path] = calendar(resolutions_over(unit.path))
        contributions[unit.pk], by_id[unit.pk] = contribution(unit, calendars[unit.path], {}), unit
    add_units(by_id, contributions, model=ReportingTotal)


def unit_removed(unit):
    """A unit deleted (it has no reports and no units under it: both are protected)."""
    entries = unit_entries(unit, resolutions_over(unit.path))
    add([pk for pk in holders(unit.path) if pk != unit.pk], entries, sign=-1, model=ReportingTotal)


def unit_moved(unit, old_path, effective_on=None):
    """``unit`` and its subtree moved from ``old_path``: their rows go from the old holders
    to the new, for the resolutions the move changes (``rows.moves_with``). Moved under
    another federation, the resolutions it reports against change: those that differ are
    recounted."""
    entries = moving(ReportingTotal, _subtree_entries(unit), effective_on)
    add([pk for pk in holders(old_path) if pk != unit.pk], entries, sign=-1, model=ReportingTotal)
    add([pk for pk in holders(unit.path) if pk != unit.pk], entries, model=ReportingTotal)
    shift_move(unit, old_path, effective_on, entries, ReportingTotal)
    recount_differing(old_path, unit.path, effective_on)


def recount_differing(old_path, new_path, effective_on):
    """Recount the resolutions that a move from ``old_path`` to ``new_path`` effective on
    ``effective_on`` adds or takes away (another issuer above, of a year the move changes)."""
    old = {r.pk: r for r in resolutions_over(old_path)}
    new = {r.pk: r for r in resolutions_over(new_path)}
    differing = [pk for pk in old.keys() ^ new.keys() if moves_with((old.get(pk) or new[pk]).year, effective_on)]
    for resolution in Resolution.objects.filter(pk__in=differing):
        rebuild(resolution)


def unit_changed(unit, before):
    """``unit``'s dates (when it is expected) or kind (whether it holds totals) changed;
    ``before`` is a copy with the old values."""
    resolutions = resolutions_over(before.path)
    if not resolutions:
        return
    reports = _reports([unit.pk], [r.pk for r in resolutions]).get(unit.pk, {})
    months = calendar(resolutions)
    # At the path the unit's rows are held at when this is sent (before a move is carried).
    add_unit(before, contribution(before, months, reports), sign=-1, model=ReportingTotal, path=before.path)
    add_unit(unit, contribution(unit, months, reports), model=ReportingTotal, path=before.path)


@transaction.atomic
def rebuild(resolution=None, log=None):
    """Recompute the rows of ``resolution`` (or of every resolution) from the tree and the
    reports: one pass over the units under each issuer and one over its reports."""
    asked = resolution
    resolutions = [resolution] if resolution is not None else list(Resolution.objects.select_related("organisation"))
    stale = ReportingTotal.objects.all()
    if resolution is not None:
        stale = stale.filter(resolution=resolution)
    stale.delete()
    count = 0
    for resolution in resolutions:
        issuer = Organisation.objects.only("path", "parent_id").get(pk=resolution.organisation_id)
        reports = defaultdict(dict)
        rows = (
            MonthlyReport.objects.filter(resolution=resolution).values_list(*_REPORT_COLUMNS).iterator(chunk_size=20000)
        )
        for unit_id, resolution_id, month, *state in rows:
            reports[unit_id][(resolution_id, month)] = tuple(state)
        nearest = NearestHolders(len(REPORTING_FIELDS))
        months = calendar([resolution])
        # The units under the issuer at the resolution's year end, where they were then.
        units = (
            Organisation.objects.under_on(issuer, resolution.tree_day)
            .values_list("pk", "kind", "path_then", "founded_on", "dissolved_on", named=True)
            .iterator(chunk_size=20000)
        )
        for unit in units:
            nearest.add_unit(unit, contribution(unit, months, reports.get(unit.pk, {})), unit.path_then)
        totals = nearest.spread()
        ReportingTotal.objects.bulk_create(
            (
                ReportingTotal(
                    organisation_id=org,
                    resolution_id=resolution_id,
                    month=month,
                    **dict(zip(REPORTING_FIELDS, values, strict=True)),
                )
                for (org, resolution_id, month), values in totals.items()
                if any(values)
            ),
            batch_size=5000,
        )
        count += len(totals)
    rebuild_shifts(asked)
    if log:
        log(f"reporting totals rebuilt: {count} rows")
    return count


def moved_units(**filters):
    """The units that have moved at least once (``Placement`` rows), {id: unit}."""
    return {
        u.pk: u
        for u in Organisation.objects.filter(placements__isnull=False, **filters)
        .distinct()
        .only("kind", "sector", "workforce", "path", "founded_on", "dissolved_on")
    }


def rebuild_shifts(resolution=None):
    """Recount the "as it was" rows of ``resolution`` (or all) from the units that moved."""
    stale = ReportingShift.objects.all()
    if resolution is not None:
        stale = stale.filter(resolution=resolution)
    stale.delete()
    units = moved_units()
    contributions = {}
    for pk, unit in units.items():
        resolutions = resolutions_over(unit.path, resolution.pk if resolution is not None else None)
        contributions[pk] = unit_entries(unit, resolutions)
    add_per_holder(shifts(units, contributions, ReportingTotal), model=ReportingShift)


def fill_if_missing():
    """After ``migrate``: a database that has resolutions but no reporting totals yet (made
    before they existed) gets them counted once."""
    if Resolution.objects.exists() and not ReportingTotal.objects.exists():
        rebuild()


def on_unit_added(sender, unit, **kwargs):
    unit_added(unit)


def on_unit_moved(sender, unit, old_path, effective_on=None, **kwargs):
    unit_moved(unit, old_path, effective_on)


def on_unit_changed(sender, unit, before, **kwargs):
    unit_changed(unit, before)


def on_unit_deleted(sender, instance, **kwargs):
    unit_removed(instance)


def on_calendar_changed(sender, resolution, **kwargs):
    rebuild(resolution)
