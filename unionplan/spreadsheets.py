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
import re

from django_tables2.export import TableExport
from openpyxl.cell.cell import TYPE_STRING, WriteOnlyCell
from tablib import Dataset
from tablib.formats._xlsx import XLSXFormat

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


class _TextXLSXFormat(XLSXFormat):
    """tablib's XLSX writer (bold header, frozen first row, fitted columns), with every string
    stored as text. tablib's own ``escape=True`` drops the "=" instead, changing the value."""

    @classmethod
    def dset_sheet(cls, dataset, ws, freeze_panes=True, escape=False):
        super().dset_sheet(dataset, ws, freeze_panes=freeze_panes, escape=False)
        for row in ws.iter_rows():
            for cell in row:
                as_text_cell(cell)


class SafeTableExport(TableExport):
    """django-tables2's ``TableExport`` for XLSX, CSV and TSV, with the rules of this module:
    strings cleaned of characters XML cannot hold; in XLSX stored as text cells, numbers as
    numbers; in CSV/TSV prefixed by ``csv_safe`` and the file begun with a UTF-8 byte-order
    mark, which Excel on Windows needs to read Vietnamese. Other formats are refused
    (TypeError, as ``TableExport`` does for unknown ones): they have not been made safe.

    ``SafeTableExport(export_format, table, exclude_columns=None, dataset_kwargs=None)``;
    ``.response(filename)`` and ``.export()`` as in ``TableExport``. ``.dataset`` keeps the
    table's values unchanged; the rules apply when the file is written.
    """

    FORMATS = {
        TableExport.CSV: TableExport.FORMATS[TableExport.CSV],
        TableExport.TSV: TableExport.FORMATS[TableExport.TSV],
        TableExport.XLSX: TableExport.FORMATS[TableExport.XLSX],
    }

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
            return _TextXLSXFormat.export_set(self._neutralised(clean_text))
        dataset = self._neutralised(lambda value: csv_safe(clean_text(value)))
        return codecs.BOM_UTF8.decode() + dataset.export(self.format)
