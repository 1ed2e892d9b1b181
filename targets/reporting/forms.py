"""The monthly report form, built from the unit's eligible components and the year's tasks.

All validation of a unit's monthly figures lives here, so the web form and the Excel
import refuse the same things with the same messages.
"""

import calendar
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from targets.resolution.models import TargetComponent
from unionplan import clock
from unionplan.numbers import VietnameseDecimalField, VietnameseIntegerField

from .models import MonthlyReport, TaskProgress
from .selectors import figures_before
from .services import month_is_open

Measure = TargetComponent.Measure

# A month's figure may be money in đồng (a fund of 2.500.000.000 đồng): up to 10^15. The
# column holds 64 bits, but running totals add up thousands of units' figures, which must
# still fit 64 bits; a value may take all its column holds (18 digits before the comma).
MAX_QUANTITY = 10**15
VALUE_DIGITS, VALUE_PLACES = 20, 2
MAX_VALUE = Decimal(10) ** (VALUE_DIGITS - VALUE_PLACES) - Decimal("0.01")


def quantity_field(label):
    """A month's quantity, typed the Vietnamese way (1.250); errors name the figure."""
    return VietnameseIntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=MAX_QUANTITY,
        # A phone opens its numeric keyboard (a whole number: digits, "5.821" as well as "5821").
        widget=forms.TextInput(attrs={"class": "form-control text-end", "inputmode": "numeric", "autocomplete": "off"}),
    )


def value_field(label):
    """A reported value (15.000; 2,5), compared with a component's threshold."""
    return VietnameseDecimalField(
        label=label,
        required=False,
        min_value=0,
        max_value=MAX_VALUE,
        max_digits=VALUE_DIGITS,
        decimal_places=VALUE_PLACES,
        # A phone opens its keyboard of digits with a decimal separator ("2,5").
        widget=forms.TextInput(attrs={"class": "form-control text-end", "inputmode": "decimal", "autocomplete": "off"}),
    )


def done_field():
    return forms.BooleanField(
        label=_("Done this month"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


def done_on_field():
    return forms.DateField(
        label=_("Date done"),
        required=False,
        localize=True,
        error_messages={"invalid": _("Enter a date as dd/mm/yyyy.")},
        widget=forms.DateInput(attrs={"class": "form-control", "placeholder": "dd/mm/yyyy"}),
    )


def whole(value):
    """15000.00 → 15000, so it is shown 15.000 and not 15.000,00."""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value


def validate_report_month(*, resolution, month):
    """Refuse a month outside January–December of the resolution's year or not yet begun
    (for imports, where the month is typed; the web form takes it from the address)."""
    try:
        month = int(month)
    except (TypeError, ValueError):
        month = 0
    if not month_is_open(resolution=resolution, month=month):
        raise forms.ValidationError(
            _("The month must be one of January to December %(year)s that has begun."),
            code="month",
            params={"year": resolution.year},
        )
    return month


@dataclass
class FigureRow:
    """One line of the form: a component, its fields and what was reported before."""

    component: TargetComponent
    figure: object
    before: dict
    names: list = field(default_factory=list)
    done_before: datetime.date | None = None

    @property
    def year_to_date(self):
        """Sum of earlier months and this month's saved figure (never typed)."""
        if self.component.measure == Measure.QUANTITY:
            return (self.before.get("quantity") or 0) + (self.figure.quantity or 0)
        if self.component.measure == Measure.UNITS_AT_THRESHOLD:
            values = [v for v in (self.before.get("value"), self.figure.value) if v is not None]
            return whole(max(values)) if values else None
        return self.done_before or (self.figure.done_on if self.figure.done else None)


class MonthlyReportForm(forms.Form):
    """A unit's report for one month. ``figures_data()`` and ``tasks_data()`` give the
    dicts ``services.report_save`` takes."""

    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MonthlyReport._meta.get_field("note").max_length,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    nothing_to_report = forms.BooleanField(label=_("Nothing to report this month"), required=False)
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={
            "invalid": _("The page is out of date: reload it and type the figures again."),
            "required": _("The page is out of date: reload it and type the figures again."),
        },
    )

    @staticmethod
    def field_name(component_id, part):
        """The name of a figure field: part is quantity, done, done_on or value."""
        return f"c{component_id}_{part}"

    @staticmethod
    def task_field_name(task_id, part):
        """The name of a task field: part is status or narrative."""
        return f"t{task_id}_{part}"

    def __init__(
        self, *args, unit, report, before=None, figures=None, progress_rows=None, shared_fields=None, **kwargs
    ):
        """``before`` (``figures_before``), ``figures`` and ``progress_rows`` (the report's rows, in
        order) may be given already read, as the Excel import does for thousands of rows, or
        for a report not saved yet. ``shared_fields`` (a dict kept by the caller) lets those
        forms share the figure fields they have in common: a field holds no state while it
        checks a value, and building them is most of a form's cost."""
        super().__init__(*args, **kwargs)
        self._shared = shared_fields
        self.unit, self.report = unit, report
        self.month_start = datetime.date(report.resolution.year, report.month, 1)
        self.month_end = self.month_start.replace(day=calendar.monthrange(self.month_start.year, report.month)[1])
        if before is None:
            before = figures_before(unit=unit, resolution=report.resolution, month=report.month)
        self.rows = []
        if figures is None:
            figures = report.figures.select_related("component__target").order_by(
                "component__target__number", "component__order"
            )
        for figure in figures:
            component = figure.component
            row = FigureRow(component=component, figure=figure, before=before.get(component.pk, {}))
            self.rows.append(row)
            name = lambda part, c=component: self.field_name(c.pk, part)  # noqa: E731
            if component.measure == Measure.QUANTITY:
                self.fields[name("quantity")] = self._field(name("quantity"), quantity_field, str(component))
                self.initial.setdefault(name("quantity"), figure.quantity)
                row.names = [name("quantity")]
            elif component.measure == Measure.UNITS_AT_THRESHOLD:
                self.fields[name("value")] = self._field(
                    name("value"), value_field, f"{component} ({component.threshold_unit})"
                )
                self.initial.setdefault(name("value"), whole(figure.value))
                row.names = [name("value")]
            elif row.before.get("done_on"):
                # Done in an earlier month: shown read-only, nothing to type.
                row.done_before = row.before["done_on"]
            else:
                self.fields[name("done")] = self._field(name("done"), done_field)
                self.fields[name("done_on")] = self._field(name("done_on"), done_on_field)
                self.initial.setdefault(name("done"), figure.done)
                self.initial.setdefault(name("done_on"), figure.done_on)
                row.names = [name("done"), name("done_on")]
        self.task_rows = []
        if progress_rows is None:
            progress_rows = report.task_progress.select_related("task").order_by("task__number")
        for progress in progress_rows:
            status, narrative = (self.task_field_name(progress.task_id, part) for part in ("status", "narrative"))
            self.fields[status] = forms.ChoiceField(
                label=_("Status"),
                required=False,
                choices=TaskProgress.Status.choices,
                initial=TaskProgress.Status.NOT_STARTED,
                widget=forms.Select(attrs={"class": "form-select"}),
            )
            self.fields[narrative] = forms.CharField(
                label=_("What was done this month"),
                required=False,
                max_length=TaskProgress._meta.get_field("narrative").max_length,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
            )
            self.initial.setdefault(status, progress.status)
            self.initial.setdefault(narrative, progress.narrative)
            self.task_rows.append({"task": progress.task, "status": self[status], "narrative": self[narrative]})
        self.initial.setdefault("note", report.note)
        self.initial.setdefault("nothing_to_report", report.nothing_to_report)
        self.initial.setdefault("version", report.version)

    def _field(self, name, make, *args):
        if self._shared is None:
            return make(*args)
        if name not in self._shared:
            self._shared[name] = make(*args)
        return self._shared[name]

    def figures_at_stake(self, data):
        """Whether "nothing to report" would clear something: a figure already saved on the
        report, or one typed in ``data`` (the posted page)."""
        for row in self.rows:
            figure = row.figure
            if figure.quantity is not None or figure.value is not None or figure.done:
                return True
            if any((data.get(name) or "").strip() for name in row.names):
                return True
        return False

    def initial_from(self, data):
        """What the page showed when posted, as initial values: a cancelled "nothing to
        report" gives the officer back the figures as typed, unsaved and unchecked."""
        initial = {}
        for name, formfield in self.fields.items():
            if isinstance(formfield.widget, forms.CheckboxInput):
                initial[name] = bool(data.get(name))
            elif name in data:
                initial[name] = data.get(name)
        return initial

    def figure_rows(self):
        """The rows with their bound fields, for templates."""
        for row in self.rows:
            yield row, [self[name] for name in row.names]

    def clean(self):
        data = super().clean()
        if data.get("nothing_to_report"):
            return data
        today = clock.today()
        for row in self.rows:
            pk = row.component.pk
            quantity = data.get(self.field_name(pk, "quantity"))
            # Money is no head count: only other figures are checked against the workforce.
            if (
                quantity
                and not row.component.is_money
                and self.unit.kind == self.unit.Kind.GRASSROOTS
                and self.unit.workforce
                and quantity > self.unit.workforce
            ):
                self.add_error(
                    self.field_name(pk, "quantity"),
                    _("More than the unit's workforce (%(workforce)s workers).") % {"workforce": self.unit.workforce},
                )
            done_on_name = self.field_name(pk, "done_on")
            if done_on_name not in self.fields:
                continue
            done, done_on = data.get(self.field_name(pk, "done")), data.get(done_on_name)
            if done_on_name in self.errors:
                continue
            if done and not done_on:
                self.add_error(done_on_name, _("Give the date it was done."))
            elif done_on and not (self.month_start <= done_on <= self.month_end):
                self.add_error(
                    done_on_name,
                    _("The date must be within this month (%(start)s to %(end)s).")
                    % {
                        "start": date_format(self.month_start, "SHORT_DATE_FORMAT"),
                        "end": date_format(self.month_end, "SHORT_DATE_FORMAT"),
                    },
                )
            elif done_on and done_on > today:
                self.add_error(done_on_name, _("The date cannot be in the future."))
        return data

    def figures_data(self):
        """{component_id: {"quantity", "done", "done_on", "value"}} for the typed fields."""
        data = {}
        for row in self.rows:
            if not row.names:
                continue
            pk = row.component.pk
            get = lambda part, pk=pk: self.cleaned_data.get(self.field_name(pk, part))  # noqa: E731
            done_on = get("done_on")
            data[pk] = {
                "quantity": get("quantity"),
                "done": bool(get("done") or done_on),
                "done_on": done_on,
                "value": get("value"),
            }
        return data

    def tasks_data(self):
        """{task_id: {"status", "narrative"}}."""
        return {
            row["task"].pk: {
                "status": self.cleaned_data.get(self.task_field_name(row["task"].pk, "status"))
                or TaskProgress.Status.NOT_STARTED,
                "narrative": self.cleaned_data.get(self.task_field_name(row["task"].pk, "narrative"), ""),
            }
            for row in self.task_rows
        }


class ReviewForm(forms.Form):
    """Approve, return (with a comment) or reopen (with a reason) a report."""

    APPROVE, APPROVE_NEXT, RETURN, REOPEN = "approve", "approve_next", "return", "reopen"

    action = forms.ChoiceField(
        choices=[
            (APPROVE, _("Approve")),
            (APPROVE_NEXT, _("Approve and open the next waiting report")),
            (RETURN, _("Return for correction")),
            (REOPEN, _("Reopen for correction")),
        ]
    )
    comment = forms.CharField(
        label=_("Comment or reason"),
        required=False,
        max_length=MonthlyReport._meta.get_field("review_comment").max_length,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={
            "invalid": _("The page is out of date: reload it before reviewing the report."),
            "required": _("The page is out of date: reload it before reviewing the report."),
        },
    )

    def clean(self):
        data = super().clean()
        if data.get("action") in (self.RETURN, self.REOPEN) and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Say what should be corrected and why."))
        return data
