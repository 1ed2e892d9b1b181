"""A unit's month as the API sends it, checked by the pages' own form (``MonthlyReportForm``):
the same refusals with the same messages as the web form and the Excel import.

Figures come as ``{"component": id, "quantity" | "value" | "done", "done_on"}``; what is
not sent keeps what the report holds. Errors come back keyed by what the caller sent
(``key``: a position in a list, a row of an import) with the field and the message.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from targets.reporting.forms import MonthlyReportForm
from targets.resolution.models import TargetComponent

Measure = TargetComponent.Measure
PARTS = {
    Measure.QUANTITY: ("quantity",),
    Measure.UNITS_AT_THRESHOLD: ("value",),
    Measure.UNITS_DONE: ("done", "done_on"),
}
FIGURE_PARTS = ("quantity", "value", "done", "done_on")


@dataclass
class SentFigure:
    key: object  # where the caller sent it (for messages)
    component: int
    values: dict  # the parts sent: quantity, value, done, done_on


@dataclass
class Checked:
    figures: dict = field(default_factory=dict)  # as report_save takes them, sent components only
    nothing_to_report: bool = False
    errors: list = field(default_factory=list)  # (key, field, message)


def form_input(value):
    """What the web form would receive for a JSON value."""
    if value is None or value is False:
        return ""
    if value is True:
        return "on"
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    return str(value)


def check_month(*, unit, report, figure_rows, before, sent, nothing_to_report=False, shared_fields=None):
    """Check ``sent`` (``SentFigure``s) over ``figure_rows`` (the report's figure rows, or
    unsaved empty ones for a new report) with the report form. Returns ``Checked``."""
    result = Checked(nothing_to_report=nothing_to_report)
    rows = {row.component_id: row for row in figure_rows}
    data = {"version": report.version, "note": report.note, "nothing_to_report": "on" if nothing_to_report else ""}
    for row in figure_rows:
        for part in PARTS.get(row.component.measure, ()):
            data[MonthlyReportForm.field_name(row.component_id, part)] = form_input(getattr(row, part))
    keys, seen = {}, {}
    for item in sent:
        row = rows.get(item.component)
        if row is None:
            result.errors.append((item.key, "component", _("this unit does not report this figure")))
            continue
        if item.component in seen:
            result.errors.append((item.key, "component", _("this figure is sent twice")))
            continue
        seen[item.component] = item.key
        parts = PARTS.get(row.component.measure, ())
        wrong = [p for p in item.values if p not in parts]
        if wrong:
            result.errors.append(
                (item.key, wrong[0], _("this figure is reported as: %(parts)s") % {"parts": ", ".join(parts)})
            )
            continue
        done_before = before.get(item.component, {}).get("done_on")
        if "done" in parts and done_before:
            day = date_format(done_before, "SHORT_DATE_FORMAT")
            result.errors.append((item.key, "done", _("already reported done on %(date)s") % {"date": day}))
            continue
        for part in parts:
            if part in item.values:
                data[MonthlyReportForm.field_name(item.component, part)] = form_input(item.values[part])
        if "done_on" in item.values and item.values["done_on"] and "done" not in item.values:
            data[MonthlyReportForm.field_name(item.component, "done")] = "on"
        keys[item.component] = item.key
    form = MonthlyReportForm(
        data,
        unit=unit,
        report=report,
        before=before,
        figures=figure_rows,
        progress_rows=[],
        shared_fields=shared_fields,
    )
    if not form.is_valid():
        for name, messages in form.errors.items():
            key, part = None, name
            if name.startswith("c") and "_" in name:
                pk, _sep, part = name[1:].partition("_")
                key = keys.get(int(pk)) if pk.isdigit() else None
            elif name == "__all__":
                part = None
            for message in messages:
                result.errors.append((key, part, str(message)))
    if result.errors:
        return result
    figures = form.figures_data()
    result.figures = {pk: values for pk, values in figures.items() if pk in keys}
    return result


def figure_rows_of(report):
    """A saved report's figure rows in form order."""
    return list(
        report.figures.select_related("component__target").order_by("component__target__number", "component__order")
    )
