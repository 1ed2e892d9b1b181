"""Uploaded workbooks are read under limits: a bomb is refused quickly with a message that
names the limit, a lying sheet size is ignored, too many rows are refused and never cut off,
and a request declaring a body over the limit gets a 413 page before anything is read.

The bombs are built here, small on disk, by streaming repetitive XML into a deflated zip;
``benchmarks/upload_limits.py`` builds the same ones to measure time and memory.
"""

import datetime
import functools
import io
import os
import time
import zipfile

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from unionplan.uploads import UploadRefused, read_xlsx_rows

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="{ML}.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ML}.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="{ML}.sharedStrings+xml"/>
<Override PartName="/xl/styles.xml" ContentType="{ML}.styles+xml"/>
</Types>""".replace("{ML}", "application/vnd.openxmlformats-officedocument.spreadsheetml")
ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PACKAGE_REL}">
<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PACKAGE_REL}">
<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>
<Relationship Id="rId3" Type="{REL}/styles" Target="styles.xml"/></Relationships>"""


def _openpyxl_styles():
    """The stylesheet openpyxl writes for a new workbook: a realistic, complete one."""
    content = io.BytesIO()
    Workbook().save(content)
    with zipfile.ZipFile(content) as archive:
        return archive.read("xl/styles.xml")


STYLES = _openpyxl_styles()
MB = 1024 * 1024


def write_xlsx(
    path,
    rows,
    *,
    shared=(),
    dimension="A1",
    styles=None,
    extra_members=0,
    sheet="worksheets/sheet1.xml",
    prologue='<?xml version="1.0" encoding="UTF-8"?>',
):
    """An xlsx at ``path`` whose first sheet's XML rows come from the iterable ``rows``
    (bytes, written as they come so a 200 MB sheet never sits in memory) and whose table of
    texts comes from ``shared`` (bytes chunks of ``<si>`` elements)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.replace("worksheets/sheet1.xml", sheet))
        _stream(archive, "xl/styles.xml", STYLES if styles is None else styles)
        _stream(
            archive,
            "xl/sharedStrings.xml",
            [f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'.encode(), *shared, b"</sst>"],
        )
        head = f'{prologue}<worksheet xmlns="{MAIN}"><dimension ref="{dimension}"/>'
        _stream(archive, f"xl/{sheet}", [f"{head}<sheetData>".encode(), rows, b"</sheetData></worksheet>"])
        for number in range(extra_members):
            archive.writestr(f"docProps/extra{number}.txt", "x")
    return path


def _stream(archive, name, parts):
    with archive.open(name, "w", force_zip64=True) as member:
        for chunk in _chunks(parts):
            member.write(chunk)


def _chunks(parts):
    if isinstance(parts, bytes):
        yield parts
    else:
        for part in parts:
            yield from _chunks(part)


def repeat(chunk, total_bytes, block=MB):
    """``chunk`` repeated to about ``total_bytes``, a megabyte at a time."""
    piece = chunk * max(1, block // len(chunk))
    for _ in range(max(1, total_bytes // len(piece))):
        yield piece


def value_rows(count, columns=3):
    for row in range(1, count + 1):
        cells = "".join(f'<c r="{chr(64 + col)}{row}"><v>{row * col}</v></c>' for col in range(1, columns + 1))
        yield f'<row r="{row}">{cells}</row>'.encode()


def sheet_bomb(path, megabytes=200):
    """A file of a few hundred KB whose one sheet unpacks to about 200 MB of identical cells."""
    return write_xlsx(path, repeat(b'<row><c t="n"><v>1</v></c><c t="n"><v>1</v></c></row>', megabytes * MB))


def dimension_lie(path):
    """Three cells in a sheet that declares itself A1:XFD1048576."""
    rows = [b'<row r="1"><c r="A1"><v>1</v></c><c r="C1" t="inlineStr"><is><t>ba</t></is></c></row>']
    rows.append(b'<row r="2"><c r="B2"><v>2.5</v></c></row>')
    return write_xlsx(path, rows, dimension="A1:XFD1048576")


def shared_strings_bomb(path, megabytes=400):
    """A table of texts unpacking to about 400 MB."""
    texts = repeat(b"<si><t>a</t></si>", megabytes * MB)
    return write_xlsx(path, [b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'], shared=texts)


def shared_strings_count_bomb(path):
    """Within the size limits but 300,000 texts, which openpyxl would keep in a list."""
    texts = (f"<si><t>{n}</t></si>".encode() for n in range(300_000))
    return write_xlsx(path, [b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'], shared=texts)


def many_members(path):
    return write_xlsx(path, value_rows(2), extra_members=500)


def too_many_rows(path, count=10_001):
    return write_xlsx(path, value_rows(count))


def empty_rows_bomb(path, count=1_500_000):
    """A million and a half empty (formatted) rows below one value, under the size and
    packing limits: each costs a little to parse and openpyxl notes each one's format."""
    batches = (
        "".join(f'<row r="{n}" s="1"/>' for n in range(first, min(first + 10_000, count + 2))).encode()
        for first in range(2, count + 2, 10_000)
    )
    return write_xlsx(path, [b'<row r="1"><c r="A1"><v>1</v></c></row>', batches])


def far_row(path):
    """One value at the sheet's last row: a gap of a million rows openpyxl would fill in."""
    last = b'<row r="1048576"><c r="A1048576"><v>2</v></c></row>'
    return write_xlsx(path, [b'<row r="1"><c r="A1"><v>1</v></c></row>', last])


def wide_row(path, count=1_000_000):
    """One row of a million empty cells (each with its own format, so that the file packs
    like an ordinary one): openpyxl would hold them all before handing the row out."""
    batches = (
        "".join(f'<c s="{n}"/>' for n in range(first, first + 10_000)).encode() for first in range(0, count, 10_000)
    )
    return write_xlsx(path, [b"<row>", batches, b"</row>"])


def far_column(path):
    return write_xlsx(path, [b'<row r="1"><c r="A1"><v>1</v></c><c r="XFD1"><v>2</v></c></row>'])


def styles_bomb(path):
    """180,000 cell formats in a few kilobytes (under the size and packing limits):
    openpyxl would build an object for each."""
    styles = [f'<styleSheet xmlns="{MAIN}"><cellXfs>'.encode(), b"<xf/>" * 180_000, b"</cellXfs></styleSheet>"]
    return write_xlsx(path, value_rows(1), styles=styles)


def long_inline_cell(path):
    return write_xlsx(path, [f'<row r="1"><c r="B1" t="inlineStr"><is><t>{"a" * 3000}</t></is></c></row>'.encode()])


def long_shared_cell(path):
    return write_xlsx(
        path,
        [b'<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="D2" t="s"><v>0</v></c></row>'],
        shared=[f"<si><t>{'b' * 3000}</t></si>".encode()],
    )


def entity_bomb(path):
    """The "billion laughs": nine levels of XML entities, each ten of the one before."""
    entities = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    prologue = f'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY lol0 "lol">{entities}]>'
    cell = b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    return write_xlsx(path, [cell], prologue=prologue)


def oversize_file(path):
    """Over 5 MB on disk: random bytes do not compress."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("xl/media/photo.bin", os.urandom(6 * MB))
    return path


# name, builder, words the (Vietnamese) message must hold; used by the benchmark too.
BOMBS = [
    ("sheet expanding to 200 MB", sheet_bomb, "50 MB"),
    ("shared strings of 400 MB", shared_strings_bomb, "50 MB"),
    ("300.000 shared strings", shared_strings_count_bomb, "100.000"),
    ("500 zip members", many_members, "100"),
    ("10.001 rows", too_many_rows, "10.000 dòng"),
    ("1.500.000 empty rows", empty_rows_bomb, "100.000 dòng"),
    ("a value on row 1.048.576", far_row, "10.000 dòng"),
    ("one row of a million cells", wide_row, "Excel"),
    ("a value in column XFD", far_column, "200"),
    ("180.000 cell formats", styles_bomb, "100.000"),
    ("a 3.000-character inline cell", long_inline_cell, "B1"),
    ("a 3.000-character shared text", long_shared_cell, "D2"),
    ("XML entity bomb", entity_bomb, "Excel"),
    ("a 6 MB file", oversize_file, "5 MB"),
]


@pytest.fixture(autouse=True)
def vietnamese():
    with translation.override("vi"):
        yield


# The tests build the two largest bombs at 64 MB, past the same 50 MB limit, to stay quick;
# the benchmark builds them full size.
SMALLER = {
    sheet_bomb: functools.partial(sheet_bomb, megabytes=64),
    shared_strings_bomb: functools.partial(shared_strings_bomb, megabytes=64),
}


@pytest.mark.parametrize(("name", "build", "words"), BOMBS, ids=[b[0] for b in BOMBS])
def test_a_bomb_is_refused_quickly_with_its_limit_named(tmp_path, name, build, words):
    path = SMALLER.get(build, build)(tmp_path / "bomb.xlsx")
    started = time.monotonic()
    with pytest.raises(UploadRefused) as refused:
        read_xlsx_rows(path)
    assert time.monotonic() - started < 5
    assert words in str(refused.value)


def test_too_many_rows_names_the_limit_and_the_limit_itself_is_read_in_full(tmp_path):
    with pytest.raises(UploadRefused, match="Tệp có quá 10.000 dòng"):
        read_xlsx_rows(too_many_rows(tmp_path / "over.xlsx"))
    rows = read_xlsx_rows(too_many_rows(tmp_path / "at.xlsx", count=10_000))
    assert len(rows) == 10_000
    assert rows[-1] == (10_000, 20_000, 30_000)
    with pytest.raises(UploadRefused, match="Tệp có quá 5 dòng"):
        read_xlsx_rows(too_many_rows(tmp_path / "small.xlsx", count=6), max_rows=5)


def test_a_sheet_under_another_name_is_checked_all_the_same(tmp_path):
    # The workbook's relations may point at any part: what makes a sheet is its content.
    rows = read_xlsx_rows(write_xlsx(tmp_path / "ok.xlsx", value_rows(2), sheet="data/photo.png"))
    assert rows == [(1, 2, 3), (2, 4, 6)]
    with pytest.raises(UploadRefused, match="Tệp có quá 10.000 dòng"):
        read_xlsx_rows(write_xlsx(tmp_path / "bomb.xlsx", value_rows(10_001), sheet="data/photo.png"))


def test_rows_out_of_order_are_refused_not_dropped(tmp_path):
    rows = [b'<row r="5"><c r="A5"><v>5</v></c></row>', b'<row r="3"><c r="A3"><v>3</v></c></row>']
    with pytest.raises(UploadRefused, match=r"\.xlsx"):
        read_xlsx_rows(write_xlsx(tmp_path / "disorder.xlsx", rows))


def test_a_lying_sheet_size_is_ignored(tmp_path):
    started = time.monotonic()
    rows = read_xlsx_rows(dimension_lie(tmp_path / "lie.xlsx"))
    assert time.monotonic() - started < 2
    assert rows == [(1, None, "ba"), (None, 2.5, None)]


def test_an_ordinary_workbook_reads_right(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Mã", "Tên", "Số", "Ngày"])
    sheet.append(["CD01", "Công đoàn cơ sở A", 12, datetime.datetime(2020, 11, 5)])
    sheet.append(["CD02", None, 3.5, None])
    sheet.append([])
    sheet.append(["CD03", "x"])
    sheet["A9"].number_format = "0.00"  # a formatted but empty cell below the data
    workbook.create_sheet("Ghi chú").append(["not read"])
    path = tmp_path / "ok.xlsx"
    workbook.save(path)
    for source in (path, io.BytesIO(path.read_bytes())):
        assert read_xlsx_rows(source) == [
            ("Mã", "Tên", "Số", "Ngày"),
            ("CD01", "Công đoàn cơ sở A", 12, datetime.datetime(2020, 11, 5)),
            ("CD02", None, 3.5, None),
            (None, None, None, None),
            ("CD03", "x", None, None),
        ]


@pytest.mark.parametrize(
    "content",
    [b"", b"hello, this is not a workbook", b"PK\x03\x04 damaged", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 an old .xls"],
)
def test_a_file_that_is_not_a_workbook_is_refused_clearly(content):
    with pytest.raises(UploadRefused, match=r"\.xlsx"):
        read_xlsx_rows(io.BytesIO(content))


def test_a_zip_that_is_not_a_workbook_or_is_cut_short_is_refused_clearly(tmp_path):
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(UploadRefused, match=r"\.xlsx"):
        read_xlsx_rows(other)
    whole = too_many_rows(tmp_path / "whole.xlsx", count=50).read_bytes()
    with pytest.raises(UploadRefused, match=r"\.xlsx"):
        read_xlsx_rows(io.BytesIO(whole[: len(whole) // 2]))


def test_the_file_size_is_checked_before_reading(tmp_path):
    class Upload(io.BytesIO):
        size = 30 * MB  # as Django's UploadedFile declares it

        def read(self, *args):
            raise AssertionError("the file was read")

    with pytest.raises(UploadRefused, match="5 MB"):
        read_xlsx_rows(Upload(b""))


class Body(io.BytesIO):
    """A request body that notes whether anything read it."""

    read_from = False

    def read(self, *args):
        self.read_from = True
        return super().read(*args)

    def readline(self, *args):
        self.read_from = True
        return super().readline(*args)


@pytest.mark.django_db
def test_a_request_declaring_a_body_over_the_limit_gets_413_before_it_is_read(settings):
    body = Body(b"x" * 100)
    response = Client().generic(
        "POST",
        reverse("excel_upload"),
        b"x" * 100,
        content_type="multipart/form-data; boundary=B",
        CONTENT_LENGTH=str(30 * MB),
        **{"wsgi.input": body},
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "Tệp quá lớn" in page and "30 MB" in page and "5 MB" in page
    assert f'href="{reverse("excel_upload")}"' in page
    assert not body.read_from


@pytest.mark.django_db
def test_a_request_under_the_limit_goes_on_to_the_view(settings):
    response = Client().post(reverse("excel_upload"), {"note": "x"})
    assert response.status_code == 302  # the view's log-in requirement, not the size limit


@pytest.mark.django_db
def test_the_413_page_follows_the_chosen_language(settings):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.generic(
        "POST", reverse("excel_upload"), b"", CONTENT_LENGTH=str(6 * MB), **{"wsgi.input": Body(b"")}
    )
    assert response.status_code == 413
    assert "The file is too large" in response.content.decode()
