"""Excel bulk entry never replaces what a unit typed without the uploader's say: a row whose
unit has a draft or a submitted report with other figures is shown beside the file's, and
the uploader keeps theirs or takes the file's, row by row, before anything is saved; the
history says who entered each figure and how."""

import datetime

import pytest
from django.urls import reverse

from targets.models import MonthlyReport, ReportFigure
from targets.reporting import history, services
from tests.reporting.test_excel_bulk_entry import MONTH, component, download, fill, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client, users):
    users["rach_gia"].first_name, users["rach_gia"].last_name = "Lan", "Nguyễn"  # shown family name first: Nguyễn Lan
    users["rach_gia"].save()
    client.force_login(users["rach_gia"])
    return client


def draft(unit, user, resolution, figures, submit=False):
    report = services.report_get_or_create(unit=unit, resolution=resolution, month=MONTH)
    return services.report_save(
        report=report, user=user, figures=figures, tasks={}, expected_version=report.version, submit=submit
    )


def token_of(page):
    marker = 'name="token" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def test_a_draft_with_other_figures_waits_for_the_uploaders_choice(officer_client, users, tree, resolution):
    """The school's draft says 5 new members, the file 9: the page shows both, nothing is
    saved (not even the firm's row); keeping theirs submits only the firm's row and leaves
    the school's draft as the school typed it."""
    members = component(resolution, 1)
    report = draft(tree["school"], users["school"], resolution, {members.pk: {"quantity": 5}})
    wb = download(officer_client)
    fill(wb.active, "RG-1", {(members, "quantity"): 9})
    fill(wb.active, "RG-3", {(members, "quantity"): 4})
    response = upload(officer_client, wb)
    page = response.content.decode()
    assert response.status_code == 200 and 'id="excel-conflicts"' in page
    assert "Giữ số liệu của đơn vị" in page and "Lấy số liệu trong tệp" in page
    assert "<td>5</td><td>9</td>" in page
    assert not MonthlyReport.objects.filter(organisation=tree["firm"]).exists()
    report.refresh_from_db()
    assert report.status == "draft"

    response = officer_client.post(reverse("excel_resolve"), {"token": token_of(page), "row_7": "keep"})
    # The choice goes to the worker (immediate here); the job's page leads to the outcome.
    assert response.status_code == 302 and "/reports/excel/imports/" in response["Location"]
    report.refresh_from_db()
    assert report.status == "draft" and ReportFigure.objects.get(report=report, component=members).quantity == 5
    firm = MonthlyReport.objects.get(organisation=tree["firm"], month=MONTH)
    assert firm.status == "submitted" and firm.figures.get(component=members).quantity == 4
    messages = officer_client.get(response["Location"], follow=True).content.decode()
    assert "1 báo cáo" in messages and "1 dòng được giữ nguyên" in messages


def test_taking_the_files_figures_says_who_entered_them_and_how(officer_client, users, tree, resolution):
    """Taking the file's figures submits the school's report with 9; the report and its
    history say the upper-level officer entered them from Excel."""
    members = component(resolution, 1)
    report = draft(tree["school"], users["school"], resolution, {members.pk: {"quantity": 5}})
    wb = download(officer_client)
    fill(wb.active, "RG-1", {(members, "quantity"): 9})
    page = upload(officer_client, wb).content.decode()
    response = officer_client.post(reverse("excel_resolve"), {"token": token_of(page), "every_row": "take"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "submitted" and report.figures.get(component=members).quantity == 9
    assert report.entered_by == users["rach_gia"] and report.entry_channel == MonthlyReport.Channel.EXCEL
    entries = [e for e in history.report_history(report) if str(members) in str(e["what"])]
    assert entries[0]["old"] == "5" and entries[0]["new"] == "9"
    assert entries[0]["reason"] == "Nhập từ Excel bởi Nguyễn Lan"
    detail = officer_client.get(reverse("report_detail", args=[2020, MONTH, tree["school"].pk])).content.decode()
    assert 'id="entered-by"' in detail and "Nhập từ Excel" in detail


def test_a_new_report_shows_its_imported_figures_in_history(officer_client, users, tree, resolution):
    """A report created by the import shows each figure entered from the empty value."""
    members = component(resolution, 1)
    wb = download(officer_client)
    fill(wb.active, "RG-3", {(members, "quantity"): 4})
    assert upload(officer_client, wb).status_code == 302
    report = MonthlyReport.objects.get(organisation=tree["firm"], month=MONTH)
    entries = [e for e in history.report_history(report) if str(members) in str(e["what"])]
    assert [(e["old"], e["new"], e["reason"]) for e in entries] == [("–", "4", "Nhập từ Excel bởi Nguyễn Lan")]


def test_no_conflict_when_the_unit_typed_nothing_or_the_same(officer_client, users, tree, resolution):
    """A draft only opened (no figure typed) and a draft with the file's very figures are
    submitted at once; a report already submitted with the same figures is left as it is."""
    members = component(resolution, 1)
    opened = services.report_get_or_create(unit=tree["school"], resolution=resolution, month=MONTH)
    same = services.report_get_or_create(unit=tree["soe"], resolution=resolution, month=MONTH)
    services.report_save(
        report=same,
        user=users["rach_gia"],
        figures={members.pk: {"quantity": 7}},
        tasks={},
        expected_version=same.version,
        on_behalf=True,
    )
    done = draft(tree["firm"], users["firm"], resolution, {members.pk: {"quantity": 2}}, submit=True)
    wb = download(officer_client)
    fill(wb.active, "RG-1", {(members, "quantity"): 1})
    fill(wb.active, "RG-2", {(members, "quantity"): 7})
    fill(wb.active, "RG-3", {(members, "quantity"): 2})
    response = upload(officer_client, wb)
    assert response.status_code == 302
    for report, quantity in ((opened, 1), (same, 7)):
        report.refresh_from_db()
        assert report.status == "submitted" and report.figures.get(component=members).quantity == quantity
    version = done.version
    done.refresh_from_db()
    assert done.version == version and done.submitted_by == users["firm"]


def test_a_choice_is_needed_for_every_conflicting_row(officer_client, users, tree, resolution):
    """Submitting the second step without a choice answers 400 with a message, saves nothing,
    and the same token still works afterwards."""
    members = component(resolution, 1)
    draft(tree["school"], users["school"], resolution, {members.pk: {"quantity": 5}})
    wb = download(officer_client)
    fill(wb.active, "RG-1", {(members, "quantity"): 9})
    fill(wb.active, "RG-3", {(members, "quantity"): 4})
    token = token_of(upload(officer_client, wb).content.decode())
    response = officer_client.post(reverse("excel_resolve"), {"token": token})
    assert response.status_code == 400
    assert "Hãy chọn cho dòng này" in response.content.decode()
    assert not MonthlyReport.objects.filter(organisation=tree["firm"]).exists()
    assert officer_client.post(reverse("excel_resolve"), {"token": token, "row_7": "take"}).status_code == 302
    assert MonthlyReport.objects.filter(status="submitted").count() == 2


def test_a_unit_saving_meanwhile_or_a_lost_token_saves_nothing(officer_client, users, tree, resolution):
    """If the school saves its draft again between the two steps, the choice saves nothing
    and says why; a token that is not (or no longer) kept gets a message, not an error."""
    members = component(resolution, 1)
    report = draft(tree["school"], users["school"], resolution, {members.pk: {"quantity": 5}})
    wb = download(officer_client)
    fill(wb.active, "RG-1", {(members, "quantity"): 9})
    fill(wb.active, "RG-3", {(members, "quantity"): 4})
    token = token_of(upload(officer_client, wb).content.decode())
    report.refresh_from_db()
    services.report_save(
        report=report,
        user=users["school"],
        figures={members.pk: {"quantity": 6}},
        tasks={},
        expected_version=report.version,
    )
    response = officer_client.post(reverse("excel_resolve"), {"token": token, "every_row": "take"}, follow=True)
    page = response.content.decode()
    assert "đã thay đổi" in page and "không có gì được lưu" in page.lower()
    assert not MonthlyReport.objects.filter(organisation=tree["firm"]).exists()
    assert ReportFigure.objects.get(report=report, component=members).quantity == 6
    response = officer_client.post(reverse("excel_resolve"), {"token": token, "every_row": "take"}, follow=True)
    assert "tải lên lại" in response.content.decode()
    assert officer_client.post(reverse("excel_resolve"), {"token": "guess"}).status_code == 302


def test_a_locked_year_takes_no_upload(officer_client, users, tree, resolution, settings):
    """Once the province locks 2020, an upload for one of its months is refused with the
    lock's message and nothing is saved."""
    settings.UNIONPLAN_TODAY = datetime.date(2021, 1, 15)
    members = component(resolution, 1)
    wb = download(officer_client)
    fill(wb.active, "RG-3", {(members, "quantity"): 4})
    services.resolution_lock(resolution=resolution, user=users["province"])
    response = upload(officer_client, wb)
    assert response.status_code == 400 and "đã khóa" in response.content.decode()
    assert not MonthlyReport.objects.exists()
