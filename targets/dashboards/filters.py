"""Filters of the dashboards: the "as of month" and scope choice, and django-filter sets
for the tables of units and of task narratives."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from branches.models import Organisation
from targets.reporting.models import MonthlyReport, TaskProgress
from targets.rollup.figures import Structure

NO_REPORT = "none"
REPORT_STATUS_CHOICES = [(NO_REPORT, _("No report")), *MonthlyReport.Status.choices]


class AsOfForm(forms.Form):
    """Which month every figure is "as of" (January to the current month, never one that
    has not begun) and, where offered, which union's subtree."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    month = forms.TypedChoiceField(label=_("As of the end of"), coerce=int, required=False)
    unit = forms.ModelChoiceField(label=_("Union"), queryset=Organisation.objects.none(), required=False)
    # Which tree the figures are counted under (``rollup.figures.Structure``).
    structure = forms.ChoiceField(
        label=_("Counted under"),
        choices=[
            (Structure.CURRENT, _("the tree as it is today")),
            (Structure.MONTHLY, _("the tree as it was each month")),
        ],
        required=False,
    )

    def __init__(self, data, *, resolution, years=(), units=None, **kwargs):
        super().__init__(data, **kwargs)
        # The year switch: the resolution itself is chosen before (targets.resolution.choice).
        self.fields["year"].choices = list(years)
        self.fields["month"].choices = [
            (m, _("month %(month)s/%(year)s") % {"month": m, "year": resolution.year})
            for m in resolution.months_begun()
        ]
        if units is None:
            del self.fields["unit"]
        else:
            self.fields["unit"].queryset = units
            self.fields["unit"].empty_label = None


class BootstrapFilterSet(django_filters.FilterSet):
    """Small Bootstrap widgets, fit for a phone as well as a desktop."""

    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs.setdefault(
                "class", "form-select form-select-sm" if is_select else "form-control form-control-sm"
            )
        return form


class BranchFilter(BootstrapFilterSet):
    """Filters of a table of units (children of a scope annotated with ``report_status``)."""

    name = django_filters.CharFilter(lookup_expr="icontains", label=_("Name contains"))
    sector = django_filters.ChoiceFilter(choices=Organisation.Sector.choices, label=_("Sector"))
    report_status = django_filters.ChoiceFilter(
        choices=REPORT_STATUS_CHOICES, method="filter_report_status", label=_("Report of the month")
    )

    class Meta:
        model = Organisation
        fields = []

    def filter_report_status(self, queryset, name, value):
        return queryset.filter(report_status="" if value == NO_REPORT else value)


class NarrativeFilter(BootstrapFilterSet):
    """Filters of the task narratives."""

    task = django_filters.ModelChoiceFilter(queryset=None, label=_("Priority task"))
    status = django_filters.ChoiceFilter(choices=TaskProgress.Status.choices, label=_("Status"))

    class Meta:
        model = TaskProgress
        fields = []

    def __init__(self, *args, resolution=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["task"].queryset = resolution.tasks.order_by("number") if resolution else None
