"""Filters of the review list (status, sector, upper level, name search) and of the inbox."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from branches import access
from branches.models import Organisation

from .inbox import Waiting
from .models import MonthlyReport
from .selectors import State
from .tables import STATE_LABELS


class ReportStatusFilter(django_filters.FilterSet):
    STATE_CHOICES = [*STATE_LABELS.items(), (State.LATE, _("Late"))]

    status = django_filters.ChoiceFilter(label=_("Report status"), choices=STATE_CHOICES, method="filter_status")
    sector = django_filters.ChoiceFilter(label=_("Sector"), choices=Organisation.Sector.choices)
    upper_level = django_filters.ModelChoiceFilter(
        label=_("Upper level"), queryset=Organisation.objects.none(), method="filter_upper_level"
    )
    q = django_filters.CharFilter(label=_("Name or code"), method="filter_search")

    class Meta:
        model = Organisation
        fields = ["status", "sector", "upper_level", "q"]

    def __init__(self, *args, root, **kwargs):
        super().__init__(*args, **kwargs)
        # Only upper levels inside the reviewer's own subtree can be chosen.
        self.filters["upper_level"].queryset = (
            Organisation.objects.under(root).exclude(kind=Organisation.Kind.GRASSROOTS).order_by("path")
        )
        for f in self.form.fields.values():
            f.widget.attrs.setdefault("class", "form-select form-select-sm")
        self.form.fields["q"].widget.attrs["class"] = "form-control form-control-sm"

    def filter_status(self, queryset, name, value):
        if value == State.LATE:
            return queryset.filter(late=True)
        return queryset.filter(state=value)

    def filter_upper_level(self, queryset, name, value):
        return queryset.filter(path__startswith=value.path) if value else queryset

    def filter_search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value)) if value else queryset


class InboxFilter(django_filters.FilterSet):
    """The reviewer's inbox: by month, upper level, sector, kind of wait, name or code."""

    period = django_filters.ChoiceFilter(label=_("Month"), choices=[], method="filter_period")
    upper_level = django_filters.ModelChoiceFilter(
        label=_("Upper level"), queryset=Organisation.objects.none(), method="filter_upper_level"
    )
    sector = django_filters.ChoiceFilter(
        label=_("Sector"), choices=Organisation.Sector.choices, field_name="organisation__sector"
    )
    waiting = django_filters.ChoiceFilter(
        label=_("Waiting as"), choices=list(Waiting.LABELS.items()), method="filter_waiting"
    )
    q = django_filters.CharFilter(label=_("Name or code"), method="filter_search")

    class Meta:
        model = MonthlyReport
        fields = ["period", "upper_level", "sector", "waiting", "q"]

    def __init__(self, *args, root, periods, **kwargs):
        super().__init__(*args, **kwargs)
        # The unions right under the reviewer's that have units of their own, as the counts
        # by branch list them (a country's 1,400 upper levels are found by name or code).
        # A federation's inbox lists the federations merged into it too.
        merged = [scope.pk for scope in access.review_scopes(root)[1:]]
        self.filters["upper_level"].queryset = (
            Organisation.objects.filter(Q(parent=root) | Q(pk__in=merged))
            .exclude(kind=Organisation.Kind.GRASSROOTS)
            .order_by("path")
        )
        # "2020-11", labelled 11/2020: the months that have something waiting.
        self.filters["period"].extra["choices"] = [(f"{y}-{m:02d}", f"{m:02d}/{y}") for y, m in periods]
        for f in self.form.fields.values():
            f.widget.attrs.setdefault("class", "form-select form-select-sm")
        self.form.fields["q"].widget.attrs["class"] = "form-control form-control-sm"

    def filter_period(self, queryset, name, value):
        year, month = (int(part) for part in value.split("-"))
        return queryset.filter(resolution__year=year, month=month)

    def filter_upper_level(self, queryset, name, value):
        return queryset.filter(organisation__path__startswith=value.path) if value else queryset

    def filter_waiting(self, queryset, name, value):
        return queryset.filter(Waiting.CONDITIONS[value])

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(organisation__name__icontains=value) | Q(organisation__code__icontains=value))
