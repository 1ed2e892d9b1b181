"""The filters of the API's lists (django-filter): a value that is not one answers 400."""

import django_filters
from django.utils.translation import gettext_lazy as _

from branches.models import Organisation
from targets.reporting.models import MonthlyReport
from targets.resolution.models import Resolution
from unionplan.queries import AmongIds


class ReportFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(method="of_year", help_text=_("The resolution's year."))
    month = django_filters.NumberFilter(method="of_month", help_text=_("1 to 12."))
    status = django_filters.ChoiceFilter(choices=MonthlyReport.Status.choices)
    unit = django_filters.NumberFilter(field_name="organisation_id", help_text=_("One unit's reports (its id)."))
    scope = django_filters.NumberFilter(
        method="in_subtree", help_text=_("The reports of a unit and every unit under it (its id).")
    )
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", help_text=_("Changed at or after this time (ISO 8601).")
    )

    class Meta:
        model = MonthlyReport
        fields = ["year", "month", "status", "unit", "scope", "updated_since"]

    def of_year(self, queryset, name, value):
        # The year's resolutions by id (a few): an index on (resolution, month, id) then gives
        # a month's reports in id order, page after page, without reading them all.
        return queryset.filter(resolution_id__in=list(Resolution.objects.for_year(value).values_list("pk", flat=True)))

    def of_month(self, queryset, name, value):
        # Written as a range of one month: PostgreSQL then keeps "month" in the pages' order
        # (month, id) and reads it from ``report_month_id``, instead of walking the primary
        # key in id order and sifting out the other months (it cannot tell that a month's
        # reports all lie near the end of the table).
        return queryset.filter(month__gte=value, month__lte=value)

    def in_subtree(self, queryset, name, value):
        unit = Organisation.objects.filter(pk=value).only("path", "parent").first()
        if unit is None:
            return queryset.none()
        if unit.parent_id is None:
            return queryset.for_units_under(unit)
        # A branch: its units' ids, each looked up (``AmongIds``), wherever they lie in the month.
        return queryset.filter(AmongIds("organisation_id", Organisation.objects.under(unit).order_by().values("pk")))


class OrganisationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Organisation.Kind.choices)
    sector = django_filters.ChoiceFilter(choices=Organisation.Sector.choices)
    parent = django_filters.NumberFilter(field_name="parent_id", help_text=_("The units directly under it (its id)."))
    scope = django_filters.NumberFilter(method="in_subtree", help_text=_("A unit and every unit under it (its id)."))
    active = django_filters.BooleanFilter(
        field_name="dissolved_on", lookup_expr="isnull", help_text=_("Not dissolved.")
    )

    class Meta:
        model = Organisation
        fields = ["kind", "sector", "parent", "scope", "active"]

    def in_subtree(self, queryset, name, value):
        unit = Organisation.objects.filter(pk=value).only("path").first()
        if unit is None:
            return queryset.none()
        return queryset.under(unit)
