"""Excel bulk entry, the template: an upper level downloads a month's template listing its grassroots
unions, types in their paper reports and uploads the file.

Every row is checked with the same form as the web page (``MonthlyReportForm``) and saved
with the same service (``report_save``, submitted); either every filled-in row is saved
or, on any error, none is, and the errors are listed by row and column.

The sheet: a title (row 1), the month (B2) and the resolution (B3), a note (row 4), column
titles (row 5), a hidden row of column keys that the parser reads (row 6), then one row per
unit from row 7. Code, name and sector cells and the cells of figures a unit does not
report are locked; the sheet is protected without a password.
"""

import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from branches.models import Organisation
from targets.resolution.models import TargetComponent
from unionplan.spreadsheets import write_text_cell

TITLE_ROW, MONTH_ROW, RESOLUTION_ROW, NOTE_ROW, HEADER_ROW, KEY_ROW, FIRST_DATA_ROW = 1, 2, 3, 4, 5, 6, 7
GREY = PatternFill("solid", fgColor="D9D9D9")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
Measure = TargetComponent.Measure


class ExcelError(Exception):
    """The file as a whole cannot be read (not an xlsx, not our template, wrong month)."""


@dataclass
class Column:
    key: str  # code, name, sector, nothing, or c<component id>_<quantity|done|done_on|value>
    title: str
    component: TargetComponent | None = None
    part: str = ""
    width: int = 16


def component_name(component):
    if component.label:
        return f"{component.target.short_name} – {component.label}"
    return component.target.short_name


def template_components(resolution):
    """Components a grassroots union types figures for, in target order."""
    return [
        c for c in resolution.components().order_by("target__number", "order") if c.is_reported and c.for_grassroots
    ]


def template_columns(resolution):
    columns = [
        Column("code", _("Unit code"), width=14),
        Column("name", _("Unit name"), width=48),
        Column("sector", _("Sector"), width=22),
        Column("nothing", _("Nothing to report (x)"), width=14),
    ]
    for component in template_components(resolution):
        name = component_name(component)
        key = f"c{component.pk}_"
        if component.measure == Measure.QUANTITY:
            columns.append(Column(key + "quantity", name, component, "quantity"))
        elif component.measure == Measure.UNITS_AT_THRESHOLD:
            title = _("%(name)s – value (%(unit)s)") % {"name": name, "unit": component.threshold_unit}
            columns.append(Column(key + "value", title, component, "value"))
        else:
            columns.append(Column(key + "done", _("%(name)s (x)") % {"name": name}, component, "done"))
            title = _("%(name)s – date (dd/mm/yyyy)") % {"name": name}
            columns.append(Column(key + "done_on", title, component, "done_on", width=14))
    return columns


def expected_units(*, upper, resolution, month):
    """The grassroots unions under ``upper`` expected to report ``month`` (founded by the
    month's end, not dissolved by then), in tree order."""
    return (
        Organisation.objects.under(upper, include_self=False)
        .grassroots()
        .active_on(resolution.month_end(month))
        .order_by("path")
    )


def month_label(resolution, month):
    return f"{month:02d}/{resolution.year}"


def build_template(*, upper, resolution, month):
    """The template for ``upper``'s grassroots unions and ``month``, as xlsx bytes."""
    columns = template_columns(resolution)
    wb = Workbook()
    ws = wb.active
    ws.title = _("Month %(month)s") % {"month": month_label(resolution, month).replace("/", "-")}
    write_text_cell(ws, TITLE_ROW, 1, _("Monthly reports of the grassroots unions of %(unit)s") % {"unit": upper.name})
    ws.cell(TITLE_ROW, 1).font = Font(bold=True, size=13)
    ws.cell(MONTH_ROW, 1, _("Month"))
    ws.cell(MONTH_ROW, 2, month_label(resolution, month))
    ws.cell(MONTH_ROW, 2).font = Font(bold=True)
    ws.cell(RESOLUTION_ROW, 1, _("Resolution"))
    write_text_cell(ws, RESOLUTION_ROW, 2, f"{resolution.title} ({resolution.year})")
    ws.cell(
        NOTE_ROW,
        1,
        _(
            "Type this month's figures (not year-to-date): numbers as 1.250, “x” or “có” for done "
            "with the date as dd/mm/yyyy, values in đồng. Leave a unit's row empty if it has not "
            "reported. Grey cells are figures the unit does not report. Every filled-in row is "
            "submitted for the unit."
        ),
    )
    ws.cell(NOTE_ROW, 1).alignment = Alignment(wrap_text=False)
    for index, column in enumerate(columns, start=1):
        header = write_text_cell(ws, HEADER_ROW, index, column.title)
        header.font = Font(bold=True)
        header.fill = HEADER_FILL
        header.alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(KEY_ROW, index, column.key)
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.row_dimensions[HEADER_ROW].height = 60
    ws.row_dimensions[KEY_ROW].hidden = True

    units = list(expected_units(upper=upper, resolution=resolution, month=month))
    sectors = dict(Organisation.Sector.choices)
    last_row = FIRST_DATA_ROW + len(units) - 1
    for row, unit in enumerate(units, start=FIRST_DATA_ROW):
        # Names and codes are typed by people: written as text, never as a formula.
        write_text_cell(ws, row, 1, unit.code)
        write_text_cell(ws, row, 2, unit.name)
        write_text_cell(ws, row, 3, str(sectors.get(unit.sector, "")))
        for index, column in enumerate(columns[3:], start=4):
            cell = ws.cell(row, index)
            if column.component is None or column.component.is_eligible(unit):
                cell.protection = Protection(locked=False)
                if column.part == "done_on":
                    cell.number_format = "dd/mm/yyyy"
                elif column.part in ("quantity", "value"):
                    cell.number_format = "#,##0"
            else:
                cell.fill = GREY
    if units:
        yes_no = DataValidation(type="list", formula1='"x,có"', allow_blank=True)
        ws.add_data_validation(yes_no)
        for index, column in enumerate(columns, start=1):
            if column.part == "done" or column.key == "nothing":
                letter = get_column_letter(index)
                yes_no.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}")
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 3)
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- reading an uploaded file --------------------------------------------------------------
