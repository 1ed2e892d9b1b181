"""Excel bulk entry, the template: an upper level downloads a month's template listing its grassroots
unions, types in their paper reports and uploads the file.

Every row is checked with the same form as the web page (``MonthlyReportForm``) and saved
with the same service (``report_save``, submitted); either every filled-in row is saved
or, on any error, none is, and the errors are listed by row and column.

The sheet: a title (row 1), the month (B2) and the resolution (B3), a note (row 4), column
titles (row 5), a hidden row of column keys that the parser reads (row 6), then one row per
unit from row 7: by default only the units whose report of the month is still due (none
yet, a draft or returned), all of them on request, each with its report's status. After the
figures come the priority tasks (status and what was done). Code, name, sector and status
cells and the cells of figures a unit does not report are locked; the sheet is protected
without a password.
"""

import io
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from branches.models import Organisation
from targets.resolution.models import PriorityTask, TargetComponent
from unionplan.spreadsheets import write_text_cell

from ..models import MonthlyReport, TaskProgress

TITLE_ROW, MONTH_ROW, RESOLUTION_ROW, NOTE_ROW, HEADER_ROW, KEY_ROW, FIRST_DATA_ROW = 1, 2, 3, 4, 5, 6, 7
GREY = PatternFill("solid", fgColor="D9D9D9")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
Measure = TargetComponent.Measure


class ExcelError(Exception):
    """The file as a whole cannot be read (not an xlsx, not our template, wrong month)."""


@dataclass
class Column:
    # code, name, sector, status, nothing, c<component id>_<quantity|done|done_on|value>
    # or t<task id>_<status|narrative>
    key: str
    title: str
    component: TargetComponent | None = None
    part: str = ""
    width: int = 16
    task: PriorityTask | None = None

    @property
    def typed(self):
        """Whether the cell is the unit's report (read back on upload), not a reference."""
        return self.component is not None or self.task is not None or self.key == "nothing"


READ_ONLY_COLUMNS = 4  # code, name, sector, status


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
        Column("status", _("Report status"), width=18),
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
    for task in resolution.tasks.order_by("number"):
        key = f"t{task.pk}_"
        title = _("Task %(number)s – status") % {"number": task.number}
        columns.append(Column(key + "status", title, part="status", width=16, task=task))
        title = _("Task %(number)s – what was done") % {"number": task.number}
        columns.append(Column(key + "narrative", title, part="narrative", width=40, task=task))
    return columns


def task_status_labels():
    """{label as typed in the sheet, lower case: status}, in Vietnamese and in the page's
    language (a sheet made in either is read back); the status keys are accepted too."""
    labels = {value: value for value in TaskProgress.Status.values}
    for language in ("vi", translation.get_language()):
        with translation.override(language):
            labels |= {str(label).lower(): value for value, label in TaskProgress.Status.choices}
    return labels


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


def units_for_template(*, upper, resolution, month, all_units=False):
    """[(unit, its report of the month or None)]: every expected unit with ``all_units``,
    else those whose report is still due (none yet, a draft or returned). Two queries."""
    units = list(expected_units(upper=upper, resolution=resolution, month=month))
    reports = {
        r.organisation_id: r
        for r in MonthlyReport.objects.filter(
            resolution=resolution, month=month, organisation__path__startswith=upper.path
        ).only("organisation_id", "status")
    }
    done = (MonthlyReport.Status.SUBMITTED, MonthlyReport.Status.APPROVED)
    rows = [(unit, reports.get(unit.pk)) for unit in units]
    if all_units:
        return rows
    return [(unit, report) for unit, report in rows if report is None or report.status not in done]


def build_template(*, upper, resolution, month, all_units=False):
    """The template for ``upper``'s grassroots unions and ``month``, as xlsx bytes: the
    units whose report is still due, or every unit with ``all_units``."""
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
            "submitted for the unit. Priority tasks: choose a status and write what was done."
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

    units = units_for_template(upper=upper, resolution=resolution, month=month, all_units=all_units)
    sectors = dict(Organisation.Sector.choices)
    statuses = dict(MonthlyReport.Status.choices)
    last_row = FIRST_DATA_ROW + len(units) - 1
    for row, (unit, report) in enumerate(units, start=FIRST_DATA_ROW):
        # Names and codes are typed by people: written as text, never as a formula.
        write_text_cell(ws, row, 1, unit.code)
        write_text_cell(ws, row, 2, unit.name)
        write_text_cell(ws, row, 3, str(sectors.get(unit.sector, "")))
        write_text_cell(ws, row, 4, str(statuses[report.status]) if report else _("No report yet"))
        for index, column in enumerate(columns[READ_ONLY_COLUMNS:], start=READ_ONLY_COLUMNS + 1):
            cell = ws.cell(row, index)
            if column.part == "narrative":
                cell.protection = Protection(locked=False)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            elif column.component is None or column.component.is_eligible(unit):
                cell.protection = Protection(locked=False)
                if column.part == "done_on":
                    cell.number_format = "dd/mm/yyyy"
                elif column.part in ("quantity", "value"):
                    cell.number_format = "#,##0"
            else:
                cell.fill = GREY
    if units:
        yes_no = DataValidation(type="list", formula1='"x,có"', allow_blank=True)
        labels = ",".join(str(label) for label in TaskProgress.Status.labels)
        task_status = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=True)
        ws.add_data_validation(yes_no)
        ws.add_data_validation(task_status)
        for index, column in enumerate(columns, start=1):
            letter = get_column_letter(index)
            if column.part == "done" or column.key == "nothing":
                yes_no.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}")
            elif column.task is not None and column.part == "status":
                task_status.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}")
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 3)
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- reading an uploaded file --------------------------------------------------------------
