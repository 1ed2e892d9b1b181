"""Filters of the review list: status, sector, upper level, name search."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from branches.models import Organisation

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
