"""The rhythm of the year each target is expected to follow (``pace.Profile``), learnt from
the previous year's approved results of the target it continues (``Target.continues``).

Read from the ledger: the issuing federation's running totals of last year's components,
month by month (one query for every target of a page), never by scanning reports. A
target that continues nothing, whose measure is counted from the tree (units founded), or
whose last year shows nothing approved follows the straight line.
"""

from collections import defaultdict

from django.db.models import F

from targets.reporting.ledger.models import ProgressTotal

from .figures import ACHIEVED_FIELD
from .pace import LINEAR, Profile


def seasonal_profiles(targets):
    """{target pk: Profile} for ``targets`` (one query; none when no target continues one)."""
    targets = list(targets)
    previous = {t.continues_id: t.pk for t in targets if t.continues_id}
    profiles = {t.pk: LINEAR for t in targets}
    if not previous:
        return profiles
    fields = sorted(set(ACHIEVED_FIELD.values()))
    rows = ProgressTotal.objects.filter(
        component__target__in=previous,
        organisation_id=F("component__target__resolution__organisation_id"),
    ).values_list("component__target", "component__target__resolution__year", "component__measure", "month", *fields)
    amounts, years = defaultdict(lambda: defaultdict(int)), {}
    for last_year_target, year, measure, month, *values in rows:
        field = ACHIEVED_FIELD.get(measure)
        if field is None:
            continue
        amounts[last_year_target][month] += values[fields.index(field)] or 0
        years[last_year_target] = year
    for last_year_target, target_pk in previous.items():
        if last_year_target in amounts:
            profiles[target_pk] = Profile.from_monthly(amounts[last_year_target], years[last_year_target])
    return profiles
