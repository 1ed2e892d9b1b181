"""Excel bulk entry, the upload: every row of a filled-in template checked with the same
form as the web page (``MonthlyReportForm``), without writing anything; then every
filled-in row submitted at once (``bulk_entry``), or, on any error, none, with the errors
listed by row and column. Rows whose unit already typed other figures wait for the
uploader's choice (``conflicts``). The sheet's layout: ``template``.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.utils.translation import gettext as _

from branches import access
from branches.models import Organisation
from targets.resolution.models import Resolution
from unionplan.uploads import UploadRefused, read_xlsx_rows

from .. import services
from ..forms import MonthlyReportForm
from ..models import MonthlyReport, ReportFigure, TaskProgress
from ..selectors import figures_before_many
from .bulk_entry import EMPTY, Entry, reports_submit_on_behalf
from .conflicts import Conflict, conflict_lines
from .template import (
    FIRST_DATA_ROW,
    HEADER_ROW,
    KEY_ROW,
    MONTH_ROW,
    ExcelError,
    expected_units,
    task_status_labels,
    template_columns,
)

MAX_ROWS = 10_000  # sheet rows, the template's header rows included
YES = {"x", "có", "co", "1", "true", "yes"}
NO = {"", "không", "khong", "0", "false", "no"}


@dataclass
class ImportResult:
    resolution: Resolution | None = None
    month: int | None = None
    saved: list = field(default_factory=list)  # units whose report was submitted
    skipped: int = 0  # rows left empty
    unchanged: int = 0  # rows whose unit had already submitted exactly these figures
    kept: int = 0  # conflicting rows left as the unit had them
    errors: list = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)  # checked rows to submit
    conflicts: list[Conflict] = field(default_factory=list)


class _Known:
    """What checking the rows needs about the file's units, read in a few queries: their
    reports of the month with figures, and what they reported in earlier months."""

    def __init__(self, resolution, month, units):
        self.resolution, self.month = resolution, month
        ids = [u.pk for u in units]
        self.reports = {
            r.organisation_id: r
            for r in MonthlyReport.objects.filter(resolution=resolution, month=month, organisation_id__in=ids)
        }
        self.figures = defaultdict(list)
        figures = ReportFigure.objects.filter(
            report__resolution=resolution, report__month=month, report__organisation_id__in=ids
        ).select_related("component__target", "report")
        for figure in figures:
            self.figures[figure.report.organisation_id].append(figure)
        self.before = figures_before_many(unit_ids=ids, resolution=resolution, month=month)
        # What the form reads of a report a unit does not have yet (one for all of them).
        self.no_report = MonthlyReport(resolution=resolution, month=month)
        self.fields = {}  # figure fields shared by the rows' forms
        self.components = [c for c in resolution.components().order_by("target__number", "order") if c.is_reported]

    def form_figures(self, unit):
        """The report's figure rows in form order; unsaved empty ones for eligible
        components it has no row for yet (a new report, or a component added later)."""
        have = {f.component_id: f for f in self.figures.get(unit.pk, [])}
        return [have.get(c.pk) or _empty_figure(c) for c in self.components if c.pk in have or c.is_eligible(unit)]


def _empty_figure(component):
    """What the form reads of a figure row not created yet (light: thousands per upload)."""
    return SimpleNamespace(pk=None, component=component, component_id=component.pk, **EMPTY)


def _read_rows(file):
    """[(sheet row number, values)] of the first sheet, read under ``unionplan.uploads``'
    limits: a file over one of them is refused with the limit named, never cut short."""
    try:
        rows = read_xlsx_rows(file, max_rows=MAX_ROWS)
    except UploadRefused as exc:
        raise ExcelError(str(exc)) from exc
    return [(number, list(values)) for number, values in enumerate(rows, start=1)]


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


PROGRESS_EVERY = 100  # rows checked between two progress reports


def excel_check(*, user, upper, file, progress=None):
    """Read an uploaded template and check every filled-in row, writing nothing.

    Returns an ``ImportResult``: ``errors`` by row and column; ``entries`` the rows to
    submit; ``conflicts`` the rows whose unit already typed other figures (a draft, or a
    submitted report), which ``excel_save`` takes only when the uploader says so. Raises
    ``ExcelError`` when the file cannot be used at all. ``progress(checked, total)``, when
    given, is called every ``PROGRESS_EVERY`` rows.
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
    known = _Known(resolution, month, [u for u in units.values() if u.pk in expected])
    statuses = dict(MonthlyReport.Status.choices)

    seen = {}
    for checked, (number, values) in enumerate(data_rows):
        if progress is not None and checked % PROGRESS_EVERY == 0:
            progress(checked, len(data_rows))
        cells = {
            column.key: (values[index] if index < len(values) else None, column, title)
            for index, column, title in sheet.columns
        }
        code = _text(cells["code"][0])
        filled = {key: cell for key, cell in cells.items() if cell[1].typed and _text(cell[0]) != ""}
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
        report = known.reports.get(unit.pk)
        if report is not None and report.status == MonthlyReport.Status.APPROVED:
            result.errors.append(
                _row_error(
                    number,
                    _("the report of %(code)s for this month is already %(status)s and is not overwritten")
                    % {"code": code, "status": str(statuses[report.status]).lower()},
                )
            )
            continue
        tasks, task_errors = _row_tasks(number, filled)
        form, row_errors = _row_form(number, unit, known, filled)
        result.errors += task_errors + row_errors
        if form is None:
            continue
        entry = Entry(
            unit=unit,
            version=report.version if report else None,
            figures=form.figures_data(),
            nothing_to_report=bool(form.cleaned_data["nothing_to_report"]),
            row=number,
            tasks=tasks,
        )
        lines = conflict_lines(report, known.figures.get(unit.pk, []), entry) if report else []
        if report is not None and report.status == MonthlyReport.Status.SUBMITTED and not lines and not tasks:
            result.unchanged += 1  # already submitted with exactly these figures
            continue
        result.entries.append(entry)
        if lines:
            status = str(statuses[report.status]).lower()
            result.conflicts.append(Conflict(row=number, code=unit.code, name=unit.name, status=status, lines=lines))
    if result.errors:
        result.entries, result.conflicts = [], []
    if progress is not None:
        progress(len(data_rows), len(data_rows))
    return result


def excel_save(*, user, result, take=()):
    """Submit the checked rows of ``result`` (all or nothing): every row without a
    conflict, and of the conflicting rows those in ``take`` (row numbers: the file's
    figures replace the unit's). Raises ``services.ReportConflict`` when a unit's report
    changed since the check (nothing is saved)."""
    keep = {c.row for c in result.conflicts} - set(take)
    entries = [e for e in result.entries if e.row not in keep]
    if entries:
        result.saved = reports_submit_on_behalf(
            user=user, resolution=result.resolution, month=result.month, entries=entries
        )
    result.kept = len(keep)
    return result


def excel_import(*, user, upper, file):
    """Check an uploaded template and, when no row has an error or a conflict, submit every
    filled-in row's report at once. Returns the ``ImportResult``: with ``errors`` nothing
    was saved; with ``conflicts`` nothing was saved yet (the uploader chooses, then
    ``excel_save``). Raises ``ExcelError`` when the file cannot be used at all."""
    result = excel_check(user=user, upper=upper, file=file)
    if not result.errors and not result.conflicts:
        try:
            excel_save(user=user, result=result)
        except services.ReportError as exc:  # changed meanwhile, or the year was locked
            result.errors.append(str(exc))
    return result


def _row_tasks(number, filled):
    """The priority-task cells of a row: {task id: {"status", "narrative"}}, and errors."""
    tasks, errors = {}, []
    limit = TaskProgress._meta.get_field("narrative").max_length
    for value, column, title in filled.values():
        if column.task is None:
            continue
        text = _text(value)
        if column.part == "narrative":
            if len(text) > limit:
                errors.append(_row_error(number, _("at most %(limit)s characters") % {"limit": limit}, title))
                continue
            tasks.setdefault(column.task.pk, {})["narrative"] = text
        elif text.lower() in task_status_labels():
            tasks.setdefault(column.task.pk, {})["status"] = task_status_labels()[text.lower()]
        else:
            labels = ", ".join(str(label) for label in TaskProgress.Status.labels)
            errors.append(_row_error(number, _("choose one of: %(labels)s") % {"labels": labels}, title))
    return tasks, errors


def _row_form(number, unit, known, filled):
    """Check one row: the cells the unit may fill, then the report form (nothing is
    written). Returns (bound valid form or None, errors)."""
    errors = []
    before = known.before.get(unit.pk, {})
    data = {}
    for key, (value, column, title) in filled.items():
        if column.task is not None:
            continue  # read by _row_tasks
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
    report = known.reports.get(unit.pk) or known.no_report  # the check creates nothing
    data["note"] = report.note
    data["version"] = report.version
    form = MonthlyReportForm(
        data,
        unit=unit,
        report=report,
        before=before,
        figures=known.form_figures(unit),
        progress_rows=[],
        shared_fields=known.fields,
    )
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
