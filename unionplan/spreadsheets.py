"""Spreadsheets that leave the app are safe to open.

A unit's name, a note, anything a user typed, may reach an exported file. Three rules hold
for every export and for the Excel template:

- in XLSX every user-supplied string is a text cell, never a formula: a unit named
  ``=HYPERLINK("http://…","Bấm vào đây")`` stays that text (``write_text_cell``);
- in CSV a string starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets an
  apostrophe in front (OWASP's CSV-injection rule, ``csv_safe``); numbers stay numbers;
- characters XML 1.0 cannot hold (vertical tab, bell, escape, form feed, …) are removed
  (``clean_text``): openpyxl refuses them or, for U+FFFE/U+FFFF, writes a file that
  cannot be opened.

Table exports use ``SafeTableExport`` in place of django-tables2's ``TableExport``, with the
same arguments and the same ``.response(filename)``.
"""

import codecs
import csv
import io
import itertools
import re
import unicodedata
from decimal import Decimal

from django_tables2.export import TableExport
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING, WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from tablib import Dataset

# XML 1.0 takes tab, line feed, carriage return, U+0020–U+D7FF, U+E000–U+FFFD and beyond
# U+FFFF. openpyxl's ILLEGAL_CHARACTERS_RE covers only the control characters; lone
# surrogates and U+FFFE/U+FFFF break the file as surely.
ILLEGAL_XML_CHARACTERS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# OWASP, CSV injection: a cell starting with one of these is taken for a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def clean_text(value):
    """``value`` without the characters XML 1.0 cannot hold; tab, newline and carriage return
    stay. Anything not a string is returned unchanged."""
    if not isinstance(value, str):
        return value
    return ILLEGAL_XML_CHARACTERS_RE.sub("", value)


def csv_safe(value):
    """A string starting like a formula (``=``, ``+``, ``-``, ``@``, tab, carriage return)
    with an apostrophe in front, so a spreadsheet shows it as text. Numbers are not strings
    and stay as they are: -29 the number is untouched, "-29" the text becomes "'-29".
    Clean with ``clean_text`` first, so no removed character hides a leading "="."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def as_text_cell(cell):
    """Make ``cell`` (openpyxl) hold its string as text: openpyxl takes a string starting with
    "=" for a formula and "#N/A" and the like for an error value. Returns the cell."""
    if isinstance(cell.value, str):
        cell.data_type = TYPE_STRING
    return cell


def write_text_cell(ws, row, column, value):
    """Write ``value`` to the cell at ``row``, ``column`` (from 1) of the openpyxl worksheet
    ``ws``: a string cleaned of characters XML cannot hold and stored as text, never a formula;
    anything else (a number, a date, None) as openpyxl writes it. Returns the cell, for
    styling. Use it for every value that comes from a user, e.g. a unit's name in the template.
    """
    cell = ws.cell(row=row, column=column)
    cell.value = clean_text(value)
    return as_text_cell(cell)


def text_cell(ws, value):
    """A cell for ``ws.append()`` holding ``value`` as ``write_text_cell`` does; works for
    ordinary and write-only worksheets: ``ws.append([text_cell(ws, name), 12])``."""
    # WriteOnlyCell is an ordinary Cell placed at A1 until append() moves it; both kinds of
    # worksheet take it.
    return as_text_cell(WriteOnlyCell(ws, value=clean_text(value)))


# Words shortened in file names, as officers write them ("LĐLĐ TP Rạch Giá").
FILE_NAME_ABBREVIATIONS = {"lien-doan-lao-dong": "ldld", "thanh-pho": "tp", "cong-doan-co-so": "cdcs"}


def ascii_slug(text, max_length=60):
    """Vietnamese text as a file-name part without diacritics: "LĐLĐ thành phố Rạch Giá" →
    "ldld-tp-rach-gia" (đ becomes d, which Unicode does not decompose; common words shortened;
    cut at a hyphen within ``max_length``)."""
    text = str(text).replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    for words, short in FILE_NAME_ABBREVIATIONS.items():
        slug = re.sub(rf"(^|-){words}(-|$)", rf"\1{short}\2", slug)
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0]
    return slug


# Display formats of numbers in XLSX. Excel writes them the reader's way: in a Vietnamese
# Excel "#,##0" shows 5.821 and "0.0" shows 85,3. A percent of a figure is kept as the
# number of percent (85.3, the same value as in the CSV) shown with a literal "%" sign, so
# that the file reads "85,3%" and the value is what the page says, not a fraction of it.
INTEGER_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.0#"
PERCENT_FORMAT = '0.0"%"'
MIN_WIDTH, MAX_WIDTH = 6, 60


def _display_length(value):
    if value is None:
        return 0
    if isinstance(value, float):
        return len(f"{value:,.1f}")
    if isinstance(value, int):
        return len(f"{value:,}")
    return max((len(line) for line in str(value).splitlines()), default=0)


def column_widths(headers, rows):
    """A width for each column that fits its header and its longest value, within bounds."""
    widths = [_display_length(h) for h in headers]
    for row in rows:
        for i, value in enumerate(row):
            if i < len(widths):
                widths[i] = max(widths[i], _display_length(value))
    return [min(max(w + 2, MIN_WIDTH), MAX_WIDTH) for w in widths]


def _number_format(value, column_format):
    if column_format:
        return column_format
    return INTEGER_FORMAT if isinstance(value, int) else DECIMAL_FORMAT


def write_xlsx(dataset, *, title_lines=(), column_formats=()):
    """The XLSX file of a tablib ``dataset`` for a meeting (``write_xlsx_rows``). Returns bytes."""
    buffer = io.BytesIO()
    write_xlsx_rows(
        buffer,
        dataset.headers or [],
        (list(row) for row in dataset),
        title=dataset.title or "Sheet",
        title_lines=title_lines,
        column_formats=column_formats,
    )
    return buffer.getvalue()


class SafeTableExport(TableExport):
    """django-tables2's ``TableExport`` for XLSX, CSV and TSV, with the rules of this module:
    strings cleaned of characters XML cannot hold; in XLSX stored as text cells, numbers as
    numbers with display formats (``write_xlsx``: a title block, a bold frozen header, fitted
    columns); in CSV/TSV prefixed by ``csv_safe`` and the file begun with a UTF-8 byte-order
    mark, which Excel on Windows needs to read Vietnamese. Other formats are refused
    (TypeError, as ``TableExport`` does for unknown ones): they have not been made safe.

    ``SafeTableExport(export_format, table, exclude_columns=None, dataset_kwargs=None,
    title_lines=())``; ``.response(filename)`` and ``.export()`` as in ``TableExport``.
    ``title_lines`` open the XLSX file (the CSV stays data only). A column of the table with
    an ``export_format`` attribute (e.g. ``PERCENT_FORMAT``) has its numbers shown that way.
    ``.dataset`` keeps the table's values unchanged; the rules apply when the file is written.
    """

    FORMATS = {
        TableExport.CSV: TableExport.FORMATS[TableExport.CSV],
        TableExport.TSV: TableExport.FORMATS[TableExport.TSV],
        TableExport.XLSX: TableExport.FORMATS[TableExport.XLSX],
    }

    def __init__(self, export_format, table, exclude_columns=None, dataset_kwargs=None, title_lines=()):
        super().__init__(export_format, table, exclude_columns=exclude_columns, dataset_kwargs=dataset_kwargs)
        excluded = exclude_columns or ()
        # The columns as_values() exports, in its order.
        self.column_formats = [
            getattr(column.column, "export_format", None)
            for column in table.columns.iterall()
            if not (column.column.exclude_from_export or column.name in excluded)
        ]
        self.title_lines = list(title_lines)

    @classmethod
    def is_valid_format(cls, export_format):
        return export_format in cls.FORMATS

    def _neutralised(self, make_safe):
        dataset = Dataset(title=self.dataset.title)
        if self.dataset.headers:
            dataset.headers = [make_safe(value) for value in self.dataset.headers]
        for row in self.dataset:
            dataset.append([make_safe(value) for value in row])
        return dataset

    def export(self):
        """The file's content: bytes for XLSX, text (beginning with the byte-order mark) for
        CSV and TSV."""
        if self.format == self.XLSX:
            return write_xlsx(self.dataset, title_lines=self.title_lines, column_formats=self.column_formats)
        dataset = self._neutralised(lambda value: csv_safe(clean_text(value)))
        return codecs.BOM_UTF8.decode() + dataset.export(self.format)


# Excel's sheet holds 1,048,576 rows; a longer list goes on to a second sheet, never cut.
EXCEL_MAX_ROWS = 1_048_576
WIDTH_SAMPLE_ROWS = 1000  # columns are fitted to the header and the first rows


def _row_cells(sheet, row, formats):
    cells = []
    for i, value in enumerate(row):
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            cell = text_cell(sheet, value)
            if _display_length(value) > MAX_WIDTH:  # wider than its column: wrapped, not cut
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            cells.append(cell)
            continue
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = _number_format(value, formats[i] if i < len(formats) else None)
        cells.append(cell)
    return cells


def write_xlsx_rows(
    out, headers, rows, *, title="Sheet", title_lines=(), column_formats=(), progress=None, max_sheet_rows=None
):
    """Write an XLSX file of ``rows`` (an iterable of tuples, e.g. a ``values_list`` query
    read in chunks) to the binary file ``out``, as ``write_xlsx`` lays it out: the title
    block, a bold frozen header, fitted columns, numbers as numbers, every string a text
    cell. Rows stream through (memory does not follow their number); when a sheet is full
    (Excel's 1,048,576 rows, or ``max_sheet_rows``) the list goes on in another sheet with
    the same title block and header. ``progress(rows written)`` is called every 5,000 rows.
    Returns the number of rows written."""
    limit = max_sheet_rows or EXCEL_MAX_ROWS
    workbook = Workbook(write_only=True)
    headers = list(headers)
    formats = list(column_formats) + [None] * (len(headers) - len(column_formats))
    rows = iter(rows)
    first = [list(row) for _n, row in zip(range(WIDTH_SAMPLE_ROWS), rows, strict=False)]
    widths = column_widths(headers, first)
    header_row = len(title_lines) + (2 if title_lines else 1)
    room = limit - header_row

    def new_sheet(number):
        name = clean_text(title or "Sheet")[: 31 if number == 1 else 28]
        sheet = workbook.create_sheet(title=name if number == 1 else f"{name} {number}")
        for i, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width
        sheet.freeze_panes = f"A{header_row + 1}"
        for n, line in enumerate(title_lines):
            cell = text_cell(sheet, line)
            cell.font = Font(bold=True, size=13) if n == 0 else Font(italic=n == len(title_lines) - 1)
            sheet.append([cell])
        if title_lines:
            sheet.append([])
        header_cells = []
        for value in headers:
            cell = text_cell(sheet, value)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            header_cells.append(cell)
        sheet.append(header_cells)
        return sheet

    written, number = 0, 1
    sheet, in_sheet = new_sheet(1), 0
    for row in itertools.chain(first, rows):
        if in_sheet == room:
            number += 1
            sheet, in_sheet = new_sheet(number), 0
        sheet.append(_row_cells(sheet, row, formats))
        in_sheet += 1
        written += 1
        if progress is not None and written % 5000 == 0:
            progress(written)
    workbook.save(out)
    return written


def write_csv_rows(out, headers, rows):
    """Write ``headers`` and ``rows`` as CSV text to the text file ``out``: the UTF-8
    byte-order mark first, each string cleaned and neutralised (``csv_safe``)."""
    writer = csv.writer(out)
    out.write(codecs.BOM_UTF8.decode())
    writer.writerow([csv_safe(clean_text(h)) for h in headers])
    for row in rows:
        writer.writerow([csv_safe(clean_text(value)) for value in row])


def table_rows(table, exclude_columns=()):
    """(headers, rows, column formats) of a django-tables2 ``table`` as exported: a table
    with ``export_rows()`` (a values query, no rendering per cell) gives its own; any other
    goes through django-tables2's ``as_values()`` (small tables: a page's summary)."""
    if hasattr(table, "export_rows"):
        return table.export_rows()
    values = table.as_values(exclude_columns=exclude_columns)
    headers = next(values)
    formats = [
        getattr(column.column, "export_format", None)
        for column in table.columns.iterall()
        if not (column.column.exclude_from_export or column.name in exclude_columns)
    ]
    return headers, values, formats
