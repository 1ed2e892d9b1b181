"""Exported files are safe to open: no user text becomes a formula, no character breaks the file."""

import csv
import io
import re
import zipfile
from decimal import Decimal

import django_tables2 as tables
import pytest
from openpyxl import Workbook, load_workbook

from unionplan.spreadsheets import SafeTableExport, clean_text, csv_safe, text_cell, write_text_cell

HYPERLINK = '=HYPERLINK("http://x","Bấm")'

# What users typed, and the table's numbers; each row: (name as typed, figure).
ROWS = [
    (HYPERLINK, 1),
    ("+1", 2),
    ("-2", 3),
    ("@SUM(A1)", 4),
    ("\tx", 5),
    ("\rx", 6),
    ("a\x0bb\x07c\x1bd\x0ce", 7),
    ("\x0b=1+1", 8),  # a removed character must not hide a formula
    ("#N/A", 9),
    ("x\ufffey\uffff", 10),
    ("Công đoàn cơ sở Trường Tiểu học Vĩnh Thanh Vân 2", -29),
    ("Giá trị", Decimal("1234.50")),
    ("Tiền", Decimal("1000000000000000")),
]
# What the name column holds once exported (before the CSV rule).
CLEAN_NAMES = [
    HYPERLINK,
    "+1",
    "-2",
    "@SUM(A1)",
    "\tx",
    "\rx",
    "abcde",
    "=1+1",
    "#N/A",
    "xy",
    "Công đoàn cơ sở Trường Tiểu học Vĩnh Thanh Vân 2",
    "Giá trị",
    "Tiền",
]
FIGURES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, -29, Decimal("1234.50"), Decimal("1000000000000000")]


class UnitTable(tables.Table):
    name = tables.Column(verbose_name="=Tên đơn vị")  # even a header is not a formula
    figure = tables.Column(verbose_name="Số liệu")


def unit_table():
    return UnitTable([{"name": name, "figure": figure} for name, figure in ROWS])


def xlsx_sheet(content):
    return load_workbook(io.BytesIO(content)).active


def sheet_xml(content):
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        return package.read("xl/worksheets/sheet1.xml").decode()


# --- the rules ------------------------------------------------------------------------------


def test_clean_text_removes_what_xml_cannot_hold():
    assert clean_text("a\x0bb\x07c\x1bd\x0ce\x00f") == "abcdef"
    assert clean_text("x\ufffey\uffffz\ud800") == "xyz"
    assert clean_text("tab\tnew\nline\rend") == "tab\tnew\nline\rend"
    assert clean_text("Bấm vào đây 𝟙") == "Bấm vào đây 𝟙"
    assert clean_text(-29) == -29
    assert clean_text(None) is None


@pytest.mark.parametrize(
    "value, safe",
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-29", "'-29"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Bấm", "Bấm"),
        ("a=1", "a=1"),
        ("", ""),
        (-29, -29),
        (Decimal("-2.5"), Decimal("-2.5")),
        (None, None),
    ],
)
def test_csv_safe_follows_owasp(value, safe):
    assert csv_safe(value) == safe


# --- openpyxl cells -------------------------------------------------------------------------


def saved(wb):
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_write_text_cell_never_writes_a_formula():
    wb = Workbook()
    ws = wb.active
    write_text_cell(ws, 1, 1, HYPERLINK)
    write_text_cell(ws, 2, 1, "#N/A")
    write_text_cell(ws, 3, 1, "a\x0bb\x07c")
    write_text_cell(ws, 4, 1, 5821).number_format = "#,##0"
    content = saved(wb)
    ws = xlsx_sheet(content)
    assert [(c.value, c.data_type) for c in ws["A"]] == [
        (HYPERLINK, "s"),
        ("#N/A", "s"),
        ("abc", "s"),
        (5821, "n"),
    ]
    assert "<f>" not in sheet_xml(content)


@pytest.mark.parametrize("write_only", [False, True])
def test_text_cell_for_append(write_only):
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet() if write_only else wb.active
    ws.append([text_cell(ws, HYPERLINK), 12, text_cell(ws, "x\x1by")])
    content = saved(wb)
    row = next(xlsx_sheet(content).iter_rows())
    assert [(c.value, c.data_type) for c in row] == [(HYPERLINK, "s"), (12, "n"), ("xy", "s")]
    assert "<f>" not in sheet_xml(content)


def test_openpyxl_alone_would_write_a_formula():
    """Why the module exists: openpyxl takes "=…" for a formula."""
    wb = Workbook()
    wb.active["A1"] = HYPERLINK
    assert "<f>" in sheet_xml(saved(wb))


# --- table exports --------------------------------------------------------------------------


def test_xlsx_export_has_no_formula_and_keeps_text_and_numbers():
    response = SafeTableExport(SafeTableExport.XLSX, unit_table(), dataset_kwargs={"title": "don-vi"}).response(
        "don-vi.xlsx"
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="don-vi.xlsx"'
    assert response["Content-Type"] == SafeTableExport.FORMATS["xlsx"]
    content = response.content
    assert not re.search(r"<f[ >]", sheet_xml(content))

    ws = xlsx_sheet(content)
    assert ws.title == "don-vi"
    rows = list(ws.iter_rows())
    assert [(c.value, c.data_type) for c in rows[0]] == [("=Tên đơn vị", "s"), ("Số liệu", "s")]
    names = [row[0] for row in rows[1:]]
    # openpyxl writes through lxml (installed with python-docx for the draft report), which
    # escapes a bare carriage return (_x000D_): every name comes back exactly as it was.
    assert [c.value for c in names] == CLEAN_NAMES
    assert {c.data_type for c in names} == {"s"}
    figures = [row[1] for row in rows[1:]]
    assert {c.data_type for c in figures} == {"n"}
    assert [c.value for c in figures] == FIGURES
    assert figures[-3].value == -29 and isinstance(figures[-3].value, int)


def test_xlsx_export_fails_without_the_rules():
    """The table above breaks django-tables2's own export: the 500 users saw."""
    from django_tables2.export import TableExport
    from openpyxl.utils.exceptions import IllegalCharacterError

    with pytest.raises(IllegalCharacterError):
        TableExport(TableExport.XLSX, unit_table()).export()


def csv_rows(response, delimiter=","):
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8")[1:]
    assert not text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def expected_csv_names():
    return [csv_safe(name) for name in CLEAN_NAMES]


def test_csv_export_prefixes_formula_starts_and_begins_with_a_byte_order_mark():
    response = SafeTableExport(SafeTableExport.CSV, unit_table()).response("don-vi.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = csv_rows(response)
    assert rows[0] == ["'=Tên đơn vị", "Số liệu"]
    names = [row[0] for row in rows[1:]]
    assert names == [
        "'" + HYPERLINK,
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "abcde",
        "'=1+1",
        "#N/A",
        "xy",
        "Công đoàn cơ sở Trường Tiểu học Vĩnh Thanh Vân 2",
        "Giá trị",
        "Tiền",
    ]
    assert [row[1] for row in rows[1:]] == ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "-29", "1234.50"] + [
        "1000000000000000"
    ]


def test_tsv_export_follows_the_csv_rule():
    rows = csv_rows(SafeTableExport(SafeTableExport.TSV, unit_table()).response("don-vi.tsv"), delimiter="\t")
    assert [row[0] for row in rows[1:]] == expected_csv_names()
    assert rows[11][1] == "-29"


def test_the_dataset_keeps_the_tables_values():
    exporter = SafeTableExport(SafeTableExport.CSV, unit_table())
    assert exporter.dataset[0] == (HYPERLINK, 1)
    exporter.export()
    assert exporter.dataset[6] == ("a\x0bb\x07c\x1bd\x0ce", 7)


@pytest.mark.parametrize("export_format", ["ods", "json", "xls", "nonsense", None])
def test_formats_not_made_safe_are_refused(export_format):
    assert not SafeTableExport.is_valid_format(export_format)
    with pytest.raises(TypeError):
        SafeTableExport(export_format, unit_table())


def test_an_empty_table_exports():
    empty = UnitTable([])
    assert csv_rows(SafeTableExport("csv", empty).response())[0] == ["'=Tên đơn vị", "Số liệu"]
    assert [c.value for c in next(xlsx_sheet(SafeTableExport("xlsx", empty).export()).iter_rows())] == [
        "=Tên đơn vị",
        "Số liệu",
    ]
