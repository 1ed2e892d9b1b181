"""Excel bulk entry: an upper level downloads its grassroots unions' template for a month and
uploads it filled in; every row is checked, and either every filled-in row is submitted or
nothing is saved and the errors are listed by row and column in Vietnamese."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from branches.models import Organisation
from targets.models import MonthlyReport, ReportFigure
from targets.reporting.excel.template import FIRST_DATA_ROW, KEY_ROW

pytestmark = pytest.mark.django_db

MONTH = 3


def component(resolution, number):
    return resolution.targets.get(number=number).components.order_by("order").first()


def download(client, month=MONTH, all_units=False):
    response = client.get(reverse("excel_template") + f"?month={month}" + ("&all_units=on" if all_units else ""))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def keys(ws):
    return {ws.cell(KEY_ROW, c).value: c for c in range(1, ws.max_column + 1) if ws.cell(KEY_ROW, c).value}


def row_of(ws, code):
    for r in range(FIRST_DATA_ROW, ws.max_row + 1):
        if ws.cell(r, 1).value == code:
            return r
    raise AssertionError(code)


def fill(ws, code, values):
    """values: {(component, part) or "nothing": cell value}; a new row if the code is not listed."""
    cols = keys(ws)
    try:
        r = row_of(ws, code)
    except AssertionError:
        r = ws.max_row + 1
        ws.cell(r, 1, code)
    for key, value in values.items():
        name = key if isinstance(key, str) else f"c{key[0].pk}_{key[1]}"
        ws.cell(r, cols[name], value)
    return r


def upload(client, wb, name="bao-cao.xlsx"):
    """Upload ``wb``; the import runs as a job (at once with the tests' immediate backend):
    the answer is its page, which redirects when saved, lists errors, or offers the choice."""
    buffer = io.BytesIO()
    wb.save(buffer)
    response = client.post(reverse("excel_upload"), {"file": SimpleUploadedFile(name, buffer.getvalue())})
    if response.status_code == 302 and "/imports/" in response["Location"]:
        return client.get(response["Location"])
    return response


@pytest.fixture
def officer_client(client, users):
    client.force_login(users["rach_gia"])
    return client


def test_template_lists_exactly_the_active_grassroots_units(officer_client, tree, resolution):
    """Rạch Giá's template for March lists its three grassroots unions, not one dissolved in
    February, one founded in June, nor Hà Tiên's; codes are locked, the sheet protected,
    and a figure a unit does not report is a locked grey cell."""
    G = Organisation.Kind.GRASSROOTS
    public = Organisation.Sector.PUBLIC_AGENCY
    Organisation.objects.create(
        code="RG-OLD",
        name="Đã giải thể",
        kind=G,
        sector=public,
        parent=tree["rach_gia"],
        founded_on=datetime.date(2000, 1, 1),
        dissolved_on=datetime.date(2020, 2, 10),
    )
    Organisation.objects.create(
        code="RG-NEW", name="Mới", kind=G, sector=public, parent=tree["rach_gia"], founded_on=datetime.date(2020, 6, 1)
    )
    ws = download(officer_client).active
    codes = [ws.cell(r, 1).value for r in range(FIRST_DATA_ROW, ws.max_row + 1)]
    assert codes == ["RG-1", "RG-2", "RG-3"]
    assert ws["B2"].value == "03/2020"
    assert ws.cell(5, 1).value == "Mã đơn vị"
    titles = [ws.cell(5, c).value for c in range(1, ws.max_column + 1)]
    assert "Kết nạp đoàn viên mới" in titles
    assert ws.protection.sheet
    assert ws.cell(FIRST_DATA_ROW, 1).protection.locked
    cols = keys(ws)
    women = component(resolution, 5)  # women's committees: non-state enterprises only
    school_row, firm_row = row_of(ws, "RG-1"), row_of(ws, "RG-3")
    assert ws.cell(school_row, cols[f"c{women.pk}_done"]).protection.locked
    assert not ws.cell(firm_row, cols[f"c{women.pk}_done"]).protection.locked
    members = component(resolution, 1)
    assert not ws.cell(school_row, cols[f"c{members.pk}_quantity"]).protection.locked
    # Target 2 is counted from the tree and target 9 is not a grassroots figure: no column.
    assert f"c{component(resolution, 2).pk}_quantity" not in cols
    assert not any(k.startswith(f"c{component(resolution, 9).pk}_") for k in cols)


def test_a_good_upload_submits_every_filled_row(officer_client, users, tree, resolution):
    """Text "1.250" and real numeric cells are both read; "x"/"có" with a date mark a thing
    done; a row left empty is left out; the others become submitted reports."""
    tree["soe"].workforce = 2000
    tree["soe"].save()
    members, software = component(resolution, 1), component(resolution, 4)
    conference, workers_month, meal = component(resolution, 6), component(resolution, 14), component(resolution, 13)
    wb = download(officer_client)
    ws = wb.active
    fill(ws, "RG-1", {(members, "quantity"): 2, (conference, "done"): "có", (conference, "done_on"): "05/03/2020"})
    fill(ws, "RG-2", {(members, "quantity"): "1.250", (software, "quantity"): 300.0})
    response = upload(officer_client, wb)
    assert response.status_code == 302
    page = officer_client.get(response["Location"]).content.decode()
    assert "2 báo cáo" in page

    reports = MonthlyReport.objects.filter(month=MONTH)
    assert {r.organisation.code: r.status for r in reports} == {"RG-1": "submitted", "RG-2": "submitted"}
    assert all(r.submitted_by == users["rach_gia"] for r in reports)
    figures = ReportFigure.objects.filter(report__month=MONTH)
    assert figures.get(report__organisation__code="RG-2", component=members).quantity == 1250
    assert figures.get(report__organisation__code="RG-2", component=software).quantity == 300
    done = figures.get(report__organisation__code="RG-1", component=conference)
    assert done.done and done.done_on == datetime.date(2020, 3, 5)

    # The firm's row, uploaded later with a date cell, an "x" and a meal value.
    wb = download(officer_client)
    ws = wb.active
    fill(
        ws,
        "RG-3",
        {
            (members, "quantity"): 4,
            (workers_month, "done"): "x",
            (workers_month, "done_on"): datetime.datetime(2020, 3, 28),
            (meal, "value"): "15.000",
        },
    )
    assert upload(officer_client, wb).status_code == 302
    firm = ReportFigure.objects.filter(report__organisation__code="RG-3", report__month=MONTH)
    assert firm.get(component=meal).value == Decimal("15000")
    assert firm.get(component=workers_month).done_on == datetime.date(2020, 3, 28)
    assert firm.get(component=members).quantity == 4


def test_an_upload_with_one_bad_row_saves_nothing(officer_client, tree, resolution):
    """One negative number names its row and column in Vietnamese, and no report, figure or
    draft is left in the database, not even for the good rows."""
    members, conference = component(resolution, 1), component(resolution, 6)
    wb = download(officer_client)
    ws = wb.active
    fill(ws, "RG-1", {(conference, "done"): "x", (conference, "done_on"): "12/03/2020"})
    bad_row = fill(ws, "RG-2", {(members, "quantity"): -3})
    fill(ws, "RG-3", {(members, "quantity"): 5, (conference, "done"): ""})
    response = upload(officer_client, wb)
    assert response.status_code == 400
    page = response.content.decode()
    assert bad_row == 8
    assert "Dòng 8, cột “Kết nạp đoàn viên mới”" in page
    assert "không có báo cáo nào được lưu" in page.lower()
    assert MonthlyReport.objects.count() == 0
    assert ReportFigure.objects.count() == 0


def test_errors_list_row_and_column(officer_client, tree, resolution):
    """A done mark without its date, a date outside the month, a word in a number cell and a
    figure the unit does not report each get their own line."""
    members, conference, women = component(resolution, 1), component(resolution, 6), component(resolution, 5)
    wb = download(officer_client)
    ws = wb.active
    fill(ws, "RG-1", {(conference, "done"): "x", (women, "done"): "x"})
    fill(ws, "RG-3", {(members, "quantity"): "năm"})
    page = upload(officer_client, wb).content.decode()
    assert "Dòng 7, cột “Hội nghị cán bộ, công chức – ngày (dd/mm/yyyy)”" in page
    assert "Dòng 7, cột “Thành lập Ban nữ công quần chúng (x)”" in page
    assert "Dòng 9, cột “Kết nạp đoàn viên mới”" in page
    assert MonthlyReport.objects.count() == 0


def test_a_unit_outside_the_subtree_is_refused(officer_client, tree, resolution):
    """A row with a Hà Tiên unit's code is an error for that row, and nothing is saved."""
    members = component(resolution, 1)
    wb = download(officer_client)
    ws = wb.active
    fill(ws, "RG-1", {(members, "quantity"): 1})
    fill(ws, "HT-1", {(members, "quantity"): 2})
    response = upload(officer_client, wb)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Dòng 10" in page and "HT-1" in page
    assert MonthlyReport.objects.count() == 0


def test_a_submitted_report_is_not_overwritten(officer_client, users, tree, resolution):
    """A unit that already submitted other figures for the month is shown as a conflict
    (its 3 beside the file's 9) and nothing is saved until the uploader chooses; an
    approved report is an error for its row. (Before issue 12 a submitted report was an
    error too; now the uploader may choose to take the file's figures.)"""
    from targets.reporting import services

    members = component(resolution, 1)
    report = services.report_get_or_create(unit=tree["school"], resolution=resolution, month=MONTH)
    services.report_save(
        report=report,
        user=users["school"],
        figures={members.pk: {"quantity": 3}},
        tasks={},
        expected_version=report.version,
        submit=True,
    )
    wb = download(officer_client, all_units=True)  # by default the template leaves RG-1 out
    fill(wb.active, "RG-1", {(members, "quantity"): 9})
    fill(wb.active, "RG-2", {(members, "quantity"): 4})
    response = upload(officer_client, wb)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="excel-conflicts"' in page and "RG-1" in page
    assert ReportFigure.objects.get(report=report, component=members).quantity == 3
    assert not MonthlyReport.objects.filter(organisation=tree["soe"]).exists()

    services.report_approve(report=report, user=users["rach_gia"], expected_version=report.version)
    page = upload(officer_client, wb).content.decode()
    assert "Dòng 7" in page and "không ghi đè" in page
    assert ReportFigure.objects.get(report=report, component=members).quantity == 3


def test_a_file_that_is_not_xlsx_gets_a_clear_message(officer_client, tree):
    """A text file or a damaged workbook is refused with a Vietnamese message, never a server error."""
    for name, content in [("bao-cao.xlsx", b"not a workbook"), ("bao-cao.csv", b"code;qty\nRG-1;3\n")]:
        response = officer_client.post(reverse("excel_upload"), {"file": SimpleUploadedFile(name, content)})
        assert response.status_code == 400
        assert "Không đọc được tệp" in response.content.decode()
    assert MonthlyReport.objects.count() == 0


def test_a_workbook_that_is_not_the_template_is_refused(officer_client, tree):
    """Any other workbook, or a template whose month cell was changed to a bad value, is refused."""
    from openpyxl import Workbook

    response = upload(officer_client, Workbook())
    assert response.status_code == 400
    assert 'id="excel-errors"' in response.content.decode()
    wb = download(officer_client)
    wb.active["B2"] = "tháng ba"
    response = upload(officer_client, wb)
    assert response.status_code == 400
    assert "mm/yyyy" in response.content.decode()


def test_a_grassroots_officer_is_refused(client, users, tree):
    """A grassroots officer can neither see the page, download a template nor upload."""
    client.force_login(users["school"])
    assert client.get(reverse("excel_upload")).status_code == 403
    assert client.get(reverse("excel_template") + "?month=3").status_code == 403
    response = client.post(reverse("excel_upload"), {"file": SimpleUploadedFile("a.xlsx", b"x")})
    assert response.status_code == 403


def test_too_many_rows_are_refused_with_the_limit_named(officer_client, tree, resolution, monkeypatch):
    """A sheet longer than the import reads is refused as a whole, naming the limit, and
    nothing is saved: no row is dropped silently (it used to read the first 20.000 only)."""
    from targets.reporting.excel import importing as excel_import

    monkeypatch.setattr(excel_import, "MAX_ROWS", 12)
    members = component(resolution, 1)
    wb = download(officer_client)
    fill(wb.active, "RG-1", {(members, "quantity"): 1})
    for row in range(11, 14):
        wb.active.cell(row, 2, "thêm")
    response = upload(officer_client, wb)
    assert response.status_code == 400
    assert "Tệp có quá 12 dòng" in response.content.decode()
    assert MonthlyReport.objects.count() == 0
