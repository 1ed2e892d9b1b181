"""Excel bulk entry, the upload: every row of a filled-in template checked with the same
form as the web page (``MonthlyReportForm``) and saved with the same service
(``report_save``, submitted); either every filled-in row is saved or, on any error, none
is, and the errors are listed by row and column. The sheet's layout: ``excel_template``.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from branches import access
from branches.models import Organisation
from targets.resolution.models import Resolution

from . import services
from .excel_template import FIRST_DATA_ROW, HEADER_ROW, KEY_ROW, MONTH_ROW, ExcelError, expected_units, template_columns
from .forms import MonthlyReportForm
from .models import MonthlyReport
from .selectors import figures_before

MAX_ROWS = 20_000
YES = {"x", "có", "co", "1", "true", "yes"}
NO = {"", "không", "khong", "0", "false", "no"}


@dataclass
class ImportResult:
    resolution: Resolution | None = None
    month: int | None = None
    saved: list = field(default_factory=list)  # units whose report was submitted
    skipped: int = 0  # rows left empty
    errors: list = field(default_factory=list)


def _read_rows(file):
    try:
        wb = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # not a zip, not a workbook, or a damaged part (e.g. broken XML)
        raise ExcelError(
            _(
                "The file could not be read as an Excel workbook (.xlsx). "
                "Download the template, fill it in and upload it."
            )
        ) from exc
    try:
        ws = wb.worksheets[0]
        rows = []
        for number, values in enumerate(ws.iter_rows(values_only=True, max_row=MAX_ROWS + FIRST_DATA_ROW), start=1):
            rows.append((number, list(values)))
        return rows
    except Exception as exc:  # a damaged workbook can fail in many ways while streaming
        raise ExcelError(_("The file could not be read as an Excel workbook (.xlsx).")) from exc
    finally:
        wb.close()


def _text(value):
    if value is None:
        return ""
    return str(value).strip()


def _parse_month(value, upper):
    """(resolution, month) from the month cell, e.g. "11/2020"."""
    text = _text(value)
    if isinstance(value, datetime.datetime | datetime.date):
        month, year = value.month, value.year
    else:
        try:
            month_text, year_text = text.split("/")
            month, year = int(month_text), int(year_text)
        except ValueError as exc:
            raise ExcelError(_("Cell B2 must hold the month of the template, as mm/yyyy.")) from exc
    resolution = Resolution.objects.for_unit(upper).filter(year=year).first()
    if resolution is None:
        raise ExcelError(_("There is no resolution for %(year)s.") % {"year": year})
    if not services.month_is_open(resolution=resolution, month=month):
        raise ExcelError(_("Month %(month)s cannot be reported yet.") % {"month": text})
    if resolution.is_locked:
        raise ExcelError(_("The year %(year)s is locked: its reports can no longer be changed.") % {"year": year})
    return resolution, month


def _cell_to_input(value, part):
    """What the web form would receive for this cell, or raise ValueError with a message."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    if part in ("done", "nothing"):
        text = _text(value).lower()
        if value is True or text in YES:
            return "on"
        if value is False or text in NO:
            return ""
        raise ValueError(_("write “x” or “có”, or leave the cell empty"))
    if part == "done_on":
        if isinstance(value, datetime.datetime | datetime.date):
            return value.strftime("%d/%m/%Y")
        return _text(value)
    if isinstance(value, bool):
        raise ValueError(_("must be a number"))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # A real number cell: written back the Vietnamese way so the form reads it alike.
        return str(int(value)) if value.is_integer() else str(value).replace(".", ",")
    return _text(value)


class _Sheet:
    def __init__(self, rows, resolution):
        self.rows = rows
        by_row = dict(rows)
        keys = [_text(k) for k in by_row.get(KEY_ROW, [])]
        if "code" not in keys:
            raise ExcelError(_("This is not a UnionPlan template: download the template for the month and fill it in."))
        columns = {c.key: c for c in template_columns(resolution)}
        unknown = [k for k in keys if k and k not in columns]
        if unknown:
            raise ExcelError(_("The template was made for another resolution: download it again."))
        titles = by_row.get(HEADER_ROW, [])
        self.columns = [
            (index, columns[key], _text(titles[index]) if index < len(titles) and titles[index] else columns[key].title)
            for index, key in enumerate(keys)
            if key
        ]
        self.code_index = keys.index("code")


def _row_error(number, message, column=None):
    if column:
        return _("Row %(row)s, column “%(column)s”: %(message)s") % {
            "row": number,
            "column": column,
            "message": message,
        }
    return _("Row %(row)s: %(message)s") % {"row": number, "message": message}


def excel_import(*, user, upper, file):
    """Read an uploaded template and submit every filled-in row's report, all or nothing.

    Returns an ``ImportResult``; ``errors`` lists each problem by row and column, in
    which case nothing was saved. Raises ``ExcelError`` when the file cannot be used at all.
    """
    rows = _read_rows(file)
    month_cell = next((values for number, values in rows if number == MONTH_ROW), [])
    resolution, month = _parse_month(month_cell[1] if len(month_cell) > 1 else None, upper)
    sheet = _Sheet(rows, resolution)
    result = ImportResult(resolution=resolution, month=month)

    data_rows = [(n, values) for n, values in rows if n >= FIRST_DATA_ROW]
    codes = {_text(v[sheet.code_index]) for _n, v in data_rows if sheet.code_index < len(v)} - {""}
    units = {u.code: u for u in Organisation.objects.filter(code__in=codes)}
    expected = set(expected_units(upper=upper, resolution=resolution, month=month).values_list("pk", flat=True))
    reports = {
        r.organisation_id: r
        for r in MonthlyReport.objects.filter(resolution=resolution, month=month, organisation__code__in=codes)
    }
    statuses = dict(MonthlyReport.Status.choices)

    with transaction.atomic():
        seen = {}
        to_save = []
        for number, values in data_rows:
            cells = {
                column.key: (values[index] if index < len(values) else None, column, title)
                for index, column, title in sheet.columns
            }
            code = _text(cells["code"][0])
            filled = {key: cell for key, cell in cells.items() if cell[1].component is not None or key == "nothing"}
            filled = {key: cell for key, cell in filled.items() if _text(cell[0]) != ""}
            if not filled:
                result.skipped += bool(code)
                continue
            if not code:
                result.errors.append(_row_error(number, _("the unit code is missing")))
                continue
            unit = units.get(code)
            if unit is None:
                result.errors.append(_row_error(number, _("no unit has the code %(code)s") % {"code": code}))
                continue
            if not access.can_enter_for(user, unit):
                result.errors.append(
                    _row_error(number, _("%(code)s is not a grassroots union under your unit") % {"code": code})
                )
                continue
            if unit.pk not in expected:
                result.errors.append(_row_error(number, _("%(code)s was not active in this month") % {"code": code}))
                continue
            if code in seen:
                result.errors.append(
                    _row_error(number, _("%(code)s is also on row %(other)s") % {"code": code, "other": seen[code]})
                )
                continue
            seen[code] = number
            report = reports.get(unit.pk)
            if report is not None and report.status not in services.EDITABLE_STATUSES:
                result.errors.append(
                    _row_error(
                        number,
                        _("the report of %(code)s for this month is already %(status)s and is not overwritten")
                        % {"code": code, "status": str(statuses[report.status]).lower()},
                    )
                )
                continue
            form, row_errors = _row_form(number, unit, resolution, month, filled)
            result.errors += row_errors
            if form is not None:
                to_save.append((unit, form))
        if not result.errors:
            for unit, form in to_save:
                try:
                    services.report_save(
                        report=form.report,
                        user=user,
                        figures=form.figures_data(),
                        tasks=form.tasks_data(),
                        nothing_to_report=form.cleaned_data["nothing_to_report"],
                        note=form.report.note,
                        expected_version=form.report.version,
                        submit=True,
                        on_behalf=True,
                    )
                except services.ReportError as exc:
                    result.errors.append(_row_error(seen[unit.code], str(exc)))
                else:
                    result.saved.append(unit)
        if result.errors:
            result.saved = []
            transaction.set_rollback(True)
    return result


def _row_form(number, unit, resolution, month, filled):
    """Check one row: the cells the unit may fill, then the report form. Returns (bound
    valid form or None, errors)."""
    errors = []
    before = figures_before(unit=unit, resolution=resolution, month=month)
    data = {}
    for key, (value, column, title) in filled.items():
        component = column.component
        if component is not None and not component.is_eligible(unit):
            errors.append(_row_error(number, _("this unit does not report this figure"), title))
            continue
        if component is not None and column.part in ("done", "done_on") and before.get(component.pk, {}).get("done_on"):
            done_on = before[component.pk]["done_on"].strftime("%d/%m/%Y")
            errors.append(
                _row_error(number, _("already reported done on %(date)s; leave it empty") % {"date": done_on}, title)
            )
            continue
        try:
            text = _cell_to_input(value, column.part or key)
        except ValueError as exc:
            errors.append(_row_error(number, str(exc), title))
            continue
        if key == "nothing":
            data["nothing_to_report"] = text
        else:
            data[MonthlyReportForm.field_name(component.pk, column.part)] = text
    # Cells already refused are left out; the form still checks the rest of the row.
    report = services.report_get_or_create(unit=unit, resolution=resolution, month=month)
    # Keep what the unit may already have written in a draft about its tasks and note.
    for progress in report.task_progress.all():
        data[MonthlyReportForm.task_field_name(progress.task_id, "status")] = progress.status
        data[MonthlyReportForm.task_field_name(progress.task_id, "narrative")] = progress.narrative
    data["note"] = report.note
    data["version"] = report.version
    form = MonthlyReportForm(data, unit=unit, report=report)
    if form.is_valid():
        return (None if errors else form), errors
    titles = {}
    for _key, (_value, column, title) in filled.items():
        if column.component is not None:
            titles[MonthlyReportForm.field_name(column.component.pk, column.part)] = title
    for name, messages in form.errors.items():
        title = titles.get(name) or _column_title_for(form, name)
        for message in messages:
            errors.append(_row_error(number, message, title))
    return None, errors


def _column_title_for(form, name):
    """The column title of a form field the row left empty (e.g. a date that is required)."""
    for column in template_columns(form.report.resolution):
        if column.component is not None and MonthlyReportForm.field_name(column.component.pk, column.part) == name:
            return column.title
    return None
