"""The export's fast path (``write_xlsx_rows``): rows streamed into the sheet, a list longer
than a sheet holds goes on in another sheet with the same title block and header (never
cut), strings stay text, numbers and dates keep their formats."""

import datetime
import io

from openpyxl import load_workbook

from unionplan.spreadsheets import write_xlsx_rows


def test_a_list_longer_than_a_sheet_goes_on_in_another_sheet_never_cut():
    rows = [(f"Đơn vị {n}", n) for n in range(1, 26)]
    out = io.BytesIO()
    progress = []
    written = write_xlsx_rows(
        out,
        ["Đơn vị", "Số"],
        iter(rows),
        title="don-vi",
        title_lines=["Đơn vị chưa báo cáo", "Tháng 10/2020"],
        max_sheet_rows=14,
        progress=progress.append,
    )
    assert written == 25
    book = load_workbook(out)
    assert book.sheetnames == ["don-vi", "don-vi 2", "don-vi 3"]
    seen = []
    for sheet in book.worksheets:
        assert sheet["A1"].value == "Đơn vị chưa báo cáo" and sheet["A1"].font.b
        assert sheet.freeze_panes == "A5" and [c.value for c in sheet[4]] == ["Đơn vị", "Số"]
        assert sheet.max_row <= 14
        seen += [row for row in sheet.iter_rows(min_row=5, values_only=True)]
    assert seen == rows


def test_text_stays_text_and_numbers_and_dates_keep_their_formats():
    out = io.BytesIO()
    row = ['=HYPERLINK("http://x","y")', 5821, 85.3, datetime.date(2020, 3, 5), True, None, "a\x0bb <&>"]
    write_xlsx_rows(out, list("ABCDEFG"), [row], column_formats=[None, None, '0.0"%"'])
    sheet = load_workbook(out).active
    cells = list(sheet[2])
    assert (cells[0].value, cells[0].data_type) == ('=HYPERLINK("http://x","y")', "s")
    assert (cells[1].value, cells[1].number_format) == (5821, "#,##0")
    assert (cells[2].value, cells[2].number_format) == (85.3, '0.0"%"')
    assert cells[3].value == datetime.datetime(2020, 3, 5) and cells[3].number_format == "dd/mm/yyyy"
    assert cells[4].value is True and cells[5].value is None
    assert cells[6].value == "ab <&>"  # the vertical tab XML cannot hold is removed
