"""What every dashboard table shares: columns that show numbers the Vietnamese way on the
page and keep them as numbers in exports, the phone-hidden classes, and how a figure, an
amount or a share is written."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from branches.models import Organisation
from targets.reporting.models import MonthlyReport
from targets.resolution.models import TargetComponent
from targets.rollup.pace import Status
from unionplan.numbers import format_achievement, format_money, format_number, format_percent
from unionplan.spreadsheets import PERCENT_FORMAT

from .verdicts import status_badge

NUMBER = {"td": {"class": "number"}, "th": {"class": "number"}, "tf": {"class": "number"}}
# Below Bootstrap's "sm" width (a phone), a table shows only its essential columns (the
# target or union, the percent, the status) and the others are hidden, so that every row
# fits the screen without sideways scrolling; from "sm" up, and in exports, all are there.
PHONE_HIDDEN = "d-none d-sm-table-cell"


def phone_hidden(attrs=None):
    """Column ``attrs`` (``td``/``th``/``tf``) with the class that hides the column on a phone."""
    attrs = attrs or {}
    return {
        part: {**attrs.get(part, {}), "class": f"{attrs.get(part, {}).get('class', '')} {PHONE_HIDDEN}".strip()}
        for part in ("td", "th", "tf")
    }


OPTIONAL = phone_hidden()
OPTIONAL_NUMBER = phone_hidden(NUMBER)


def period_link(name, period, *args):
    """A link to another dashboard page of the same month and year (``period``:
    ``month=11&year=2020``)."""
    return f"{reverse(name, args=args)}?{period}"


def amount(component, value):
    """A figure of ``component`` on a page: money the way reports write it ("2,5 tỷ đồng")
    with every digit on hover, anything else grouped (5.821); a decrease with a true minus."""
    if value is None:
        return "–"
    if component.is_money:
        html = format_html(
            '<span class="money" title="{}">{}</span>', format_money(value, exact=True), format_money(value)
        )
    else:
        html = format_number(value)
    return html.replace("-", "−", 1) if value < 0 else html


def share_text(share, units, eligible, unit_of_measure):
    """ "37,5% (3/8 doanh nghiệp)": a percentage of the eligible units and the counts behind it."""
    if share is None:
        return "–"
    return f"{format_percent(share)} ({format_number(units)}/{format_number(eligible)} {unit_of_measure})"


def figure_text(component, record):
    """The figure a scope answers for: "5.821", "3/3", "60%", "15 tỷ đồng"; a changed figure
    with its previous value: "5.821 (trước: 5.500, từ tháng 7)"."""
    figure = record.figure
    if figure is None:
        text = "–"
    elif component.is_share:
        text = format_percent(figure, 0)
    elif component.figure_kind == TargetComponent.FigureKind.ALL_ELIGIBLE:
        text = f"{format_number(figure)}/{format_number(figure)}"
    else:
        text = amount(component, figure)
    previous = getattr(record, "previous_figure", None)
    if previous is None or previous == figure:
        return text
    before = format_percent(previous, 0) if component.is_share else amount(component, previous)
    note = _("(before: %(previous)s, from month %(month)s)") % {
        "previous": before,
        "month": record.figure_from_month,
    }
    return format_html('{} <span class="previous-figure small text-muted">{}</span>', text, note)


def measured_text(component, record, value):
    """Achieved, expected or projected: a percentage for a share, else an amount."""
    if component.is_share:
        return format_percent(value)
    return amount(component, value)


def unit_link(unit, component, period):
    """A unit's name linking to its page on ``component`` (a grassroots union's own dashboard)."""
    if unit.kind == Organisation.Kind.GRASSROOTS:
        url = period_link("dashboard-unit", period, unit.pk)
    else:
        url = period_link("dashboard-component", period, unit.pk, component.pk)
    dissolved = ""
    if unit.dissolved_on:
        dissolved = format_html(' <span class="small text-muted">({})</span>', _("dissolved"))
    return format_html('<a href="{}">{}</a>{}', url, unit.name, dissolved)


def as_float(value):
    return None if value is None else float(value)


class NumberColumn(tables.Column):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", NUMBER)
        super().__init__(*args, **kwargs)

    def render(self, value):
        return format_number(value)

    def value(self, value):
        """Exports keep the number itself, so that a spreadsheet can add it up."""
        return value


class PercentColumn(NumberColumn):
    """'đạt 85,3%' or 'vượt 12,0%' on the page, 85.3 in an export (shown "85,3%" in Excel)."""

    export_format = PERCENT_FORMAT

    def render(self, value):
        return format_achievement(value)

    def value(self, value):
        return as_float(value)


class StatusColumn(tables.Column):
    def render(self, value):
        return status_badge(value)

    def value(self, value):
        return str(Status(value).label)


def report_status_label(value):
    if not value:
        return _("No report")
    return MonthlyReport.Status(value).label
