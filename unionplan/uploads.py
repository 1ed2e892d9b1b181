"""Reading uploaded files under limits, so that no file can exhaust a worker.

An xlsx file is a zip of XML parts; a few kilobytes can unpack to gigabytes, declare a
sheet of a million rows by sixteen thousand columns, or hold a table of millions of texts.
``read_xlsx_rows`` therefore looks at the zip directory first (sizes as declared there are
enforced by ``zipfile`` while unpacking), then walks every worksheet's XML once with a
streaming parser that keeps nothing, and only then lets openpyxl (read-only, through
defusedxml) read the values of the first sheet. Every limit breached is a refusal that
names the limit: nothing is ever cut off silently.

``UploadSizeLimitMiddleware`` refuses a request body that declares itself too large
before any of it is read.
"""

import os
import zipfile

from defusedxml.ElementTree import iterparse
from django.conf import settings
from django.shortcuts import render
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, get_column_letter

MB = 1024 * 1024
MAX_UPLOAD_BYTES = 5 * MB  # the file itself
MAX_ROWS = 10_000  # sheet rows up to the last one holding a value (header rows included)
MAX_COLUMNS = 200
MAX_CELL_CHARS = 2_000
MAX_MEMBERS = 100  # parts in the zip; a workbook from Excel has a few dozen at most
MAX_UNCOMPRESSED = 50 * MB  # all parts unpacked, as declared in the zip directory
MAX_RATIO = 100  # unpacked / packed, per part and overall (ordinary sheets: 5 to 30)
FORM_MARGIN_BYTES = 64 * 1024  # a request carries the file plus the form's other fields and headers
RATIO_FREE_BYTES = 1 * MB  # parts smaller than this may compress as well as they like
MAX_SHARED_STRINGS = 100_000  # distinct texts in the workbook's table of texts
MAX_PART_ELEMENTS = 100_000  # XML elements of a part read whole (styles, workbook, relations, sheet extras)
EMPTY_ROWS_FACTOR = 10  # row elements read, empty ones included, at most this × max_rows
EXCEL_MAX_COLUMNS = 16_384  # column XFD: more cells in one row is not a workbook

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _VALUE, _INLINE, _SHEET_DATA = (_MAIN + t for t in ("row", "c", "v", "is", "sheetData"))
_SHARED_STRING = _MAIN + "si"
_TEXT_TAGS = {_MAIN + "t", _VALUE}


class UploadRefused(ValueError):
    """The uploaded file is refused; ``str(exc)`` is the message for the user."""


def _count(value):
    """A limit written the Vietnamese way when the language is Vietnamese: 10.000."""
    return number_format(value, force_grouping=True)


def _megabytes(size):
    return number_format(size / MB, decimal_pos=0 if size % MB == 0 else 1, force_grouping=True)


def _unreadable():
    return UploadRefused(
        _(
            "The file could not be read as an Excel workbook (.xlsx). Save it in Excel as "
            "“Excel Workbook (.xlsx)”, without a password, and upload it again."
        )
    )


def _too_many_rows(limit):
    return UploadRefused(
        _("The file has more than %(limit)s rows. Split it into files of at most %(limit)s rows.")
        % {"limit": _count(limit)}
    )


def read_xlsx_rows(
    file,
    *,
    max_rows=MAX_ROWS,
    max_columns=MAX_COLUMNS,
    max_cell_chars=MAX_CELL_CHARS,
    max_bytes=MAX_UPLOAD_BYTES,
    max_members=MAX_MEMBERS,
    max_uncompressed=MAX_UNCOMPRESSED,
    max_ratio=MAX_RATIO,
    max_shared_strings=MAX_SHARED_STRINGS,
):
    """The cell values of the first worksheet of an xlsx ``file``, as a list of tuples.

    ``file`` is a path or a seekable binary file (a Django ``UploadedFile``). Item ``i``
    of the list is sheet row ``i + 1`` (gaps come back as rows of ``None``); every tuple
    is as wide as the widest row holding a value; empty rows after the last value are left
    out. Values are as openpyxl gives them with ``data_only=True`` (numbers, text, dates,
    booleans, ``None`` for an empty cell).

    Raises ``UploadRefused`` with a message for the user when the file is too large, not
    a workbook, damaged, or breaks a limit; then nothing of the file has been kept.
    """
    if isinstance(file, str | os.PathLike):
        with open(file, "rb") as handle:
            return read_xlsx_rows(
                handle,
                max_rows=max_rows,
                max_columns=max_columns,
                max_cell_chars=max_cell_chars,
                max_bytes=max_bytes,
                max_members=max_members,
                max_uncompressed=max_uncompressed,
                max_ratio=max_ratio,
                max_shared_strings=max_shared_strings,
            )
    size = getattr(file, "size", None)
    if size is None:
        size = file.seek(0, os.SEEK_END)
    if size > max_bytes:
        raise UploadRefused(_("The file is larger than %(limit)s MB.") % {"limit": _megabytes(max_bytes)})
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            sheets, shared_strings = _check_directory(
                archive, max_members=max_members, max_uncompressed=max_uncompressed, max_ratio=max_ratio
            )
            width = 1
            for name in archive.namelist():
                if name in sheets:
                    checked = _check_sheet(
                        archive, name, max_rows=max_rows, max_columns=max_columns, max_cell_chars=max_cell_chars
                    )
                    width = max(width, checked)
                elif name == shared_strings:
                    _check_shared_strings(archive, name, max_shared_strings)
                elif name.endswith((".xml", ".rels")):
                    _check_part(archive, name)
    except UploadRefused:
        raise
    except Exception as exc:  # not a zip, a damaged part, XML with entities (defusedxml): all unreadable
        raise _unreadable() from exc
    file.seek(0)
    return _read_first_sheet(file, max_rows=max_rows, width=width, max_cell_chars=max_cell_chars)


def _check_directory(archive, *, max_members, max_uncompressed, max_ratio):
    """Refuse on the zip directory alone; return (worksheet part names, shared strings part)."""
    members = archive.infolist()
    if len(members) > max_members:
        raise UploadRefused(
            _("The file has more than %(limit)s parts: it is not an ordinary Excel workbook.")
            % {"limit": _count(max_members)}
        )
    unpacked = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members)
    if unpacked > max_uncompressed:
        raise UploadRefused(
            _("The file unpacks to more than %(limit)s MB, which is more than an ordinary report needs.")
            % {"limit": _megabytes(max_uncompressed)}
        )
    too_compressed = any(
        m.file_size > RATIO_FREE_BYTES and m.file_size > max_ratio * max(m.compress_size, 1) for m in members
    ) or (unpacked > RATIO_FREE_BYTES and unpacked > max_ratio * max(packed, 1))
    if too_compressed:
        raise UploadRefused(
            _("The file is compressed more than %(limit)s-fold, far beyond an ordinary workbook: it is refused for safety.")
            % {"limit": _count(max_ratio)}
        )
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        raise _unreadable()
    sheets = {n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")}
    shared = "xl/sharedStrings.xml" if "xl/sharedStrings.xml" in names else None
    return sheets, shared


def _too_complex():
    return UploadRefused(
        _("The file holds more than %(limit)s formats or other elements besides its cells: it is refused for safety.")
        % {"limit": _count(MAX_PART_ELEMENTS)}
    )


def _check_part(archive, name):
    """Count the elements of a part openpyxl reads whole (styles can hold millions of
    formats in a few kilobytes): refuse before it builds them."""
    count = 0
    with archive.open(name) as source:
        for _event, _element in iterparse(source, events=("start",), forbid_dtd=True):
            count += 1
            if count > MAX_PART_ELEMENTS:
                raise _too_complex()


def _check_shared_strings(archive, name, limit):
    """Count the workbook's texts without keeping them (openpyxl keeps them all)."""
    count = 0
    with archive.open(name) as source:
        for _event, element in iterparse(source, forbid_dtd=True):
            if element.tag == _SHARED_STRING:
                count += 1
                if count > limit:
                    raise UploadRefused(
                        _("The file holds more than %(limit)s different texts.") % {"limit": _count(limit)}
                    )
                element.clear()


def _check_sheet(archive, name, *, max_rows, max_columns, max_cell_chars):
    """Walk one worksheet's XML keeping nothing; refuse as soon as a limit is passed.

    Returns the widest column holding a value. The sheet's declared dimension (which can
    say A1:XFD1048576 for three cells) is ignored: only cells present count.
    """
    row_elements_limit = max_rows * EMPTY_ROWS_FACTOR
    row_elements = row_number = column = cells_in_row = widest = other_elements = 0
    in_cell = has_value = False
    with archive.open(name) as source:
        sheet_data = None
        for event, element in iterparse(source, events=("start", "end"), forbid_dtd=True):
            tag = element.tag
            if event == "start":
                if tag == _CELL:
                    cells_in_row += 1
                    if cells_in_row > EXCEL_MAX_COLUMNS:
                        raise _unreadable()
                    reference = element.get("r")
                    column = _column_of(reference) if reference else column + 1
                    in_cell, has_value = True, False
                elif tag == _ROW:
                    row_elements += 1
                    if row_elements > row_elements_limit:
                        raise UploadRefused(
                            _(
                                "The file has more than %(limit)s rows, counting empty ones: delete the "
                                "empty rows below the data and upload it again."
                            )
                            % {"limit": _count(row_elements_limit)}
                        )
                    number = element.get("r")
                    row_number = int(float(number)) if number else row_number + 1
                    column = cells_in_row = 0
                elif tag == _SHEET_DATA:
                    sheet_data = element
                elif not in_cell:  # merged cells, validations, formats…: openpyxl reads them whole
                    other_elements += 1
                    if other_elements > MAX_PART_ELEMENTS:
                        raise _too_complex()
                continue
            # end of an element: its text is complete
            if in_cell and tag in _TEXT_TAGS and element.text:
                if len(element.text) > max_cell_chars:
                    raise _long_cell(f"{get_column_letter(min(column, EXCEL_MAX_COLUMNS))}{row_number}", max_cell_chars)
                has_value = True
            elif tag == _CELL:
                in_cell = False
                if has_value:
                    if row_number > max_rows:
                        raise _too_many_rows(max_rows)
                    if column > max_columns:
                        raise UploadRefused(
                            _("The file has values beyond column %(limit)s (%(letter)s).")
                            % {"limit": _count(max_columns), "letter": get_column_letter(max_columns)}
                        )
                    widest = max(widest, column)
            if tag == _ROW and sheet_data is not None:
                sheet_data.clear()  # drop the finished rows: memory stays flat however long the sheet
            elif tag not in (_SHEET_DATA, _ROW):
                element.clear()
    return widest


def _column_of(reference):
    letters = reference.rstrip("0123456789")
    return column_index_from_string(letters)


def _long_cell(cell, limit):
    return UploadRefused(
        _("Cell %(cell)s holds more than %(limit)s characters.") % {"cell": cell, "limit": _count(limit)}
    )


def _read_first_sheet(file, *, max_rows, width, max_cell_chars):
    """The values, once every sheet has passed ``_check_sheet``: no value lies beyond row
    ``max_rows`` or column ``width``, so reading up to there loses nothing."""
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # a damaged part openpyxl needs (workbook, styles, relations)
        raise _unreadable() from exc
    try:
        if not workbook.worksheets:
            raise _unreadable()
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # the declared size may lie, either way
        rows = []
        last = 0
        for number, values in enumerate(
            sheet.iter_rows(min_row=1, max_row=max_rows, min_col=1, max_col=width, values_only=True), start=1
        ):
            for index, value in enumerate(values):
                if isinstance(value, str) and len(value) > max_cell_chars:  # a shared text
                    raise _long_cell(f"{get_column_letter(index + 1)}{number}", max_cell_chars)
            rows.append(values)
            if any(value is not None for value in values):
                last = number
        return rows[:last]
    except UploadRefused:
        raise
    except Exception as exc:  # a damaged workbook can fail in many ways while streaming
        raise _unreadable() from exc
    finally:
        workbook.close()


class UploadSizeLimitMiddleware:
    """Refuse a request whose declared body is larger than ``settings.UPLOAD_MAX_BYTES``
    (plus a margin for the form's other fields) with a 413 page, before the body is read.
    The declared length is all Django would read (a body sent without one is read as
    empty), so checking it is enough.

    Placed before the session and authentication middleware, so a refusal costs nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = getattr(settings, "UPLOAD_MAX_BYTES", MAX_UPLOAD_BYTES)
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit + FORM_MARGIN_BYTES:
            return self.refuse(request, declared, limit)
        return self.get_response(request)

    def refuse(self, request, declared, limit):
        # The language middleware has not run yet: follow the same choice it makes.
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        with translation.override(language):
            response = render(
                request,
                "upload_too_large.html",
                {"size": _megabytes(declared), "limit": _megabytes(limit), "back": request.path},
                status=413,
            )
        # The body was not read: the connection cannot carry another request.
        response["Connection"] = "close"
        return response
