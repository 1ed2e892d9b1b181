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
import datetime
import io
import itertools
import math
import re
import unicodedata
import zipfile
from decimal import Decimal

from django_tables2.export import TableExport
from openpyxl.cell.cell import TYPE_STRING, WriteOnlyCell
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


# A carriage return as a character reference: XML readers turn a bare one into a line feed.
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_EPOCH = datetime.datetime(1899, 12, 30)
DATE_FORMAT, DATETIME_FORMAT = "dd/mm/yyyy", "dd/mm/yyyy hh:mm"
_PACKAGE = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "{sheets}</Types>"
    ),
    "_rels/.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
}
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# Cell styles (cellXfs), by index: 0 plain, 1 title (bold 13), 2 last title line (italic),
# 3 header (bold, wrapped, top), 4 long text (wrapped, top); number formats follow from 5.
_FIXED_STYLES = [
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>',
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>',
    '<xf numFmtId="0" fontId="3" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">'
    '<alignment wrapText="1" vertical="top"/></xf>',
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment wrapText="1" vertical="top"/></xf>',
]


def _xml_text(value):
    return clean_text(str(value)).translate(_XML_ESCAPES)


def _attribute(value):
    return _xml_text(value).replace('"', "&quot;")


class _Styles:
    """The number formats the rows need, each a cell style of its own."""

    def __init__(self):
        self.formats = {}

    def number(self, number_format):
        if number_format not in self.formats:
            self.formats[number_format] = len(_FIXED_STYLES) + len(self.formats)
        return self.formats[number_format]

    def xml(self):
        formats = "".join(
            f'<numFmt numFmtId="{164 + i}" formatCode="{_attribute(code)}"/>' for i, code in enumerate(self.formats)
        )
        number_styles = "".join(
            f'<xf numFmtId="{164 + i}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
            for i in range(len(self.formats))
        )
        return (
            '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<numFmts count="{len(self.formats)}">{formats}</numFmts>'
            '<fonts count="4"><font><sz val="11"/><name val="Calibri"/></font>'
            '<font><b/><sz val="13"/><name val="Calibri"/></font>'
            '<font><i/><sz val="11"/><name val="Calibri"/></font>'
            '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(_FIXED_STYLES) + len(self.formats)}">{"".join(_FIXED_STYLES)}{number_styles}'
            "</cellXfs>"
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
        )


def _cell(ref, value, style, styles, column_format):
    """One cell's XML: every string an inline text (never a formula), numbers as numbers."""
    if type(value) is str:  # the most common case first: this runs for every cell
        if not value:
            return ""
        if style == 0 and len(value) > MAX_WIDTH and _display_length(value) > MAX_WIDTH:
            style = 4  # wider than its column: wrapped, not cut
        styled = f' s="{style}"' if style else ""
        return f'<c r="{ref}"{styled} t="inlineStr"><is><t xml:space="preserve">{_xml_text(value)}</t></is></c>'
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float | Decimal):
        if isinstance(value, float) and not math.isfinite(value):
            return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
        fmt = _number_format(value, column_format)
        return f'<c r="{ref}" s="{styles.number(fmt)}"><v>{value}</v></c>'
    if isinstance(value, datetime.datetime):
        serial = (value.replace(tzinfo=None) - _EPOCH).total_seconds() / 86400
        return f'<c r="{ref}" s="{styles.number(DATETIME_FORMAT)}"><v>{serial}</v></c>'
    if isinstance(value, datetime.date):
        serial = (value - _EPOCH.date()).days
        return f'<c r="{ref}" s="{styles.number(DATE_FORMAT)}"><v>{serial}</v></c>'
    return _cell(ref, str(value), style, styles, column_format)


def write_xlsx_rows(
    out, headers, rows, *, title="Sheet", title_lines=(), column_formats=(), progress=None, max_sheet_rows=None
):
    """Write an XLSX file of ``rows`` (an iterable of tuples, e.g. a ``values_list`` query
    read in chunks) to the binary file ``out``: the title lines first (the first in bold,
    larger; the last in italics), a blank line, the header in bold and frozen under the
    title, columns as wide as the header and the first rows, numbers as numbers with display
    formats (a column's own from ``column_formats``, else by type), every string an inline
    text cell (never a formula) cleaned of characters XML cannot hold. The sheet's XML is
    written as the rows come (memory does not follow their number); when a sheet is full
    (Excel's 1,048,576 rows, or ``max_sheet_rows``) the list goes on in another sheet with
    the same title block and header. ``progress(rows written)`` is called every 5,000 rows.
    Returns the number of rows written."""
    limit = max_sheet_rows or EXCEL_MAX_ROWS
    headers = list(headers)
    formats = list(column_formats) + [None] * (len(headers) - len(column_formats))
    rows = iter(rows)
    first = [list(row) for _n, row in zip(range(WIDTH_SAMPLE_ROWS), rows, strict=False)]
    widths = column_widths(headers, first)
    columns = max([len(headers), *(len(row) for row in first)], default=1)
    letters = [get_column_letter(i) for i in range(1, columns + 1)]
    header_row = len(title_lines) + (2 if title_lines else 1)
    room = limit - header_row
    styles = _Styles()
    name = clean_text(title or "Sheet")
    names = []

    def sheet_head(number):
        cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, 1))
        parts = [
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheetViews><sheetView workbookViewId="0">'
            f'<pane ySplit="{header_row}" topLeftCell="A{header_row + 1}" activePane="bottomLeft" state="frozen"/>'
            "</sheetView></sheetViews>" + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>"
        ]
        for n, line in enumerate(title_lines, start=1):
            style = 1 if n == 1 else (2 if n == len(title_lines) else 0)
            parts.append(f'<row r="{n}">{_cell(f"A{n}", line, style, styles, None)}</row>')
        header = "".join(_cell(f"{letters[i]}{header_row}", h, 3, styles, None) for i, h in enumerate(headers))
        parts.append(f'<row r="{header_row}">{header}</row>')
        names.append(name[:31] if number == 1 else f"{name[:28]} {number}")
        return "".join(parts)

    written, source = 0, itertools.chain(first, rows)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        number = 1
        while True:
            with package.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True) as sheet:
                buffer = [sheet_head(number)]
                in_sheet = 0
                for row in source:
                    r = header_row + 1 + in_sheet
                    cells = "".join(
                        _cell(f"{letters[i]}{r}", value, 0, styles, formats[i] if i < len(formats) else None)
                        for i, value in enumerate(row)
                    )
                    buffer.append(f'<row r="{r}">{cells}</row>')
                    in_sheet += 1
                    written += 1
                    if written % 5000 == 0:
                        sheet.write("".join(buffer).encode())
                        buffer = []
                        if progress is not None:
                            progress(written)
                    if in_sheet == room:
                        break
                buffer.append("</sheetData></worksheet>")
                sheet.write("".join(buffer).encode())
            # A full sheet goes on in another only if a row is left.
            following = next(source, None) if in_sheet == room else None
            if following is None:
                break
            source = itertools.chain([following], source)
            number += 1
        sheets = "".join(f'<sheet name="{_attribute(n)}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, 1))
        package.writestr(
            "xl/workbook.xml",
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'xmlns:r="{_REL}"><sheets>{sheets}</sheets></workbook>',
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(names) + 1)
        )
        package.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'{rels}<Relationship Id="rId{len(names) + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
            "</Relationships>",
        )
        package.writestr("xl/styles.xml", styles.xml())
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_SHEET_TYPE}"/>'
            for i in range(1, len(names) + 1)
        )
        package.writestr("[Content_Types].xml", _PACKAGE["[Content_Types].xml"].replace("{sheets}", overrides))
        package.writestr("_rels/.rels", _PACKAGE["_rels/.rels"])
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
