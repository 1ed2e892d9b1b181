"""Reading uploaded files under limits, so that no file can exhaust a worker.

An xlsx file is a zip of XML parts; a few kilobytes can unpack to gigabytes, declare a
sheet of a million rows by sixteen thousand columns, or hold a table of millions of texts.
``read_xlsx_rows`` therefore looks at the zip directory first (sizes as declared there are
enforced by ``zipfile`` while unpacking), then walks every XML part once with expat,
counting and keeping nothing, and only then lets openpyxl (read-only, through defusedxml)
read the values of the first sheet. Every limit breached is a refusal that
names the limit: nothing is ever cut off silently.

``UploadSizeLimitMiddleware`` refuses a request body that declares itself too large
before any of it is read.
"""

import contextlib
import os
import zipfile
from dataclasses import dataclass
from xml.parsers import expat

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
    with open(file, "rb") if isinstance(file, str | os.PathLike) else contextlib.nullcontext(file) as source:
        size = getattr(source, "size", None)  # an UploadedFile knows it without reading
        if size is None:
            size = source.seek(0, os.SEEK_END)
        if size > max_bytes:
            raise UploadRefused(_("The file is larger than %(limit)s MB.") % {"limit": _megabytes(max_bytes)})
        source.seek(0)
        limits = _Limits(max_rows, max_columns, max_cell_chars, max_shared_strings)
        try:
            with zipfile.ZipFile(source) as archive:
                _check_directory(
                    archive, max_members=max_members, max_uncompressed=max_uncompressed, max_ratio=max_ratio
                )
                # Every part is walked, whatever its name: the relations may point openpyxl at any.
                width = max([1] + [_walk_part(archive, name, limits) for name in archive.namelist()])
        except UploadRefused:
            raise
        except Exception as exc:  # not a zip, a damaged part, a DTD or entities in XML: all unreadable
            raise _unreadable() from exc
        source.seek(0)
        return _read_first_sheet(source, max_rows=max_rows, width=width, max_cell_chars=max_cell_chars)


def _check_directory(archive, *, max_members, max_uncompressed, max_ratio):
    """Refuse on the zip directory alone: parts, sizes and packing as declared (``zipfile``
    stops unpacking a part at its declared size and fails on a wrong checksum)."""
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
            _(
                "The file is compressed more than %(limit)s-fold, far beyond an ordinary workbook: "
                "it is refused for safety."
            )
            % {"limit": _count(max_ratio)}
        )
    if "xl/workbook.xml" not in {m.filename for m in members}:
        raise _unreadable()


@dataclass
class _Limits:
    rows: int
    columns: int
    cell_chars: int
    shared_strings: int


def _walk_part(archive, name, limits):
    """Walk one part of the zip with expat, keeping nothing, and refuse as soon as a limit is
    passed. Returns the widest column holding a value (0 for a part that is not a sheet).

    The kind of part is told by its first element, not its name: a worksheet (cells, rows,
    columns and lengths counted; its declared dimension, which can say A1:XFD1048576 for
    three cells, is ignored), the table of texts (texts counted), or anything else openpyxl
    may read whole (elements counted). A part that is not XML (a picture) is left alone:
    openpyxl does not parse it and the zip directory has bounded its size.
    """
    walker = _Walker(limits)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse_declarations  # no DTD, so no entities: no XML bombs
    parser.EntityDeclHandler = _refuse_declarations
    parser.StartElementHandler = walker.start
    parser.EndElementHandler = walker.end
    parser.CharacterDataHandler = walker.text
    with archive.open(name) as source:
        chunk = source.read(64 * 1024)
        if not chunk.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"<", b"\x00<", b"\xff\xfe", b"\xfe\xff")):
            return 0
        while chunk:
            parser.Parse(chunk, False)
            chunk = source.read(MB)
        parser.Parse(b"", True)
    return walker.widest


def _refuse_declarations(*_args):
    raise _unreadable()


class _Walker:
    """expat handlers for ``_walk_part``: counters only, no tree."""

    def __init__(self, limits):
        self.limits = limits
        self.kind = None  # "worksheet", "sst" (the table of texts) or another root element
        self.elements = self.texts = self.row_elements = 0
        self.row_number = self.column = self.cells_in_row = self.widest = 0
        self.reference = None
        self.in_cell = self.has_value = False
        self.text_length = None  # characters of the <v> or <t> being read, None outside one

    def start(self, name, attributes):
        tag = name[name.rfind(" ") + 1 :]
        if self.kind is None:
            self.kind = tag
        elif self.kind == "worksheet" and tag == "c":
            self.start_cell(attributes)
        elif self.kind == "worksheet" and tag == "row":
            self.start_row(attributes)
        elif self.in_cell and tag in ("v", "t"):
            self.text_length = 0
        elif self.kind == "sst" and tag == "si":
            self.texts += 1
            if self.texts > self.limits.shared_strings:
                limit = _count(self.limits.shared_strings)
                raise UploadRefused(_("The file holds more than %(limit)s different texts.") % {"limit": limit})
        elif tag not in ("sheetData", "v", "t", "is", "f"):
            # Formats, merged cells, validations, pieces of rich text…: openpyxl builds an object for each.
            self.elements += 1
            if self.elements > MAX_PART_ELEMENTS:
                raise _too_complex()

    def start_row(self, attributes):
        self.row_elements += 1
        if self.row_elements > self.limits.rows * EMPTY_ROWS_FACTOR:
            raise UploadRefused(
                _(
                    "The file has more than %(limit)s rows, counting empty ones: delete the "
                    "empty rows below the data and upload it again."
                )
                % {"limit": _count(self.limits.rows * EMPTY_ROWS_FACTOR)}
            )
        number = attributes.get("r")
        row_number = int(float(number)) if number else self.row_number + 1
        if row_number <= self.row_number:  # openpyxl would drop a row that comes out of order
            raise _unreadable()
        self.row_number = row_number
        self.column = self.cells_in_row = 0

    def start_cell(self, attributes):
        self.cells_in_row += 1
        if self.cells_in_row > EXCEL_MAX_COLUMNS:
            raise _unreadable()
        reference = attributes.get("r")
        self.column = column_index_from_string(reference.rstrip("0123456789")) if reference else self.column + 1
        self.reference = reference or f"{get_column_letter(min(self.column, EXCEL_MAX_COLUMNS))}{self.row_number}"
        self.in_cell, self.has_value = True, False

    def text(self, data):
        if self.text_length is not None:
            self.text_length += len(data)

    def end(self, name):
        if self.text_length is not None:  # the end of a <v> or <t>: elements inside them are not read
            if self.text_length > self.limits.cell_chars:
                raise _long_cell(self.reference, self.limits.cell_chars)
            self.has_value = self.has_value or self.text_length > 0
            self.text_length = None
        elif self.in_cell and name[name.rfind(" ") + 1 :] == "c":
            self.in_cell = False
            if self.has_value:
                if self.row_number > self.limits.rows:
                    raise _too_many_rows(self.limits.rows)
                if self.column > self.limits.columns:
                    raise UploadRefused(
                        _("The file has values beyond column %(limit)s (%(letter)s).")
                        % {"limit": _count(self.limits.columns), "letter": get_column_letter(self.limits.columns)}
                    )
                self.widest = max(self.widest, self.column)


def _too_complex():
    return UploadRefused(
        _("The file holds more than %(limit)s formats or other elements besides its cells: it is refused for safety.")
        % {"limit": _count(MAX_PART_ELEMENTS)}
    )


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
        # No "Connection: close" here: WSGI forbids an application hop-by-hop headers; the
        # servers deal with the unread body (gunicorn's sync workers close every connection).
        return response
