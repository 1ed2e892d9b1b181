"""The Excel template saves work: by default only the units whose report of the month is
still due, each with its report's status; "all units" on request; the priority tasks have
columns that the upload reads; an upload with no filled row says so and changes nothing;
imported reports wait in the upper level's inbox, ready for bulk approval by someone else."""

import pytest
from django.urls import reverse

from branches.models import User
from targets.models import MonthlyReport, TaskProgress
from targets.reporting import services
from targets.reporting.excel.template import FIRST_DATA_ROW, HEADER_ROW
from tests.reporting.test_excel_bulk_entry import MONTH, component, download, fill, keys, row_of, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client, users):
    client.force_login(users["rach_gia"])
    return client


@pytest.fixture
def school_submitted_firm_drafted(resolution, tree, users):
    members = component(resolution, 1)
    for unit, user, submit in ((tree["school"], users["school"], True), (tree["soe"], users["rach_gia"], False)):
        report = services.report_get_or_create(unit=unit, resolution=resolution, month=MONTH)
        if submit:
            services.report_save(
                report=report,
                user=user,
                figures={members.pk: {"quantity": 2}},
                tasks={},
                expected_version=report.version,
                submit=True,
            )


def listed(ws):
    status_col = keys(ws)["status"]
    return {
        ws.cell(r, 1).value: ws.cell(r, status_col).value
        for r in range(FIRST_DATA_ROW, ws.max_row + 1)
        if ws.cell(r, 1).value
    }


def test_the_template_lists_the_units_still_due_with_their_status(officer_client, school_submitted_firm_drafted):
    """RG-1 submitted March: left out by default; RG-2 (a draft) and RG-3 (nothing) listed
    with their status; with "all units" RG-1 is there too, as submitted. Status is locked."""
    ws = download(officer_client).active
    assert listed(ws) == {"RG-2": "Nháp", "RG-3": "Chưa có báo cáo"}
    assert ws.cell(FIRST_DATA_ROW, keys(ws)["status"]).protection.locked
    ws = download(officer_client, all_units=True).active
    assert listed(ws) == {"RG-1": "Đã gửi", "RG-2": "Nháp", "RG-3": "Chưa có báo cáo"}
    page = officer_client.get(reverse("excel_upload")).content.decode()
    assert "Tất cả đơn vị (kể cả đơn vị đã báo cáo)" in page


def test_the_priority_tasks_are_typed_in_the_sheet_and_read_back(officer_client, resolution, tree):
    """Task 2's status and narrative for RG-3, nothing else on its row: submitted with them;
    an unknown status names its row and column and saves nothing."""
    task = resolution.tasks.get(number=2)
    wb = download(officer_client)
    ws = wb.active
    cols = keys(ws)
    assert ws.cell(HEADER_ROW, cols[f"t{task.pk}_status"]).value == "Nhiệm vụ 2 – tình trạng"
    assert not ws.cell(FIRST_DATA_ROW, cols[f"t{task.pk}_narrative"]).protection.locked
    row = row_of(ws, "RG-3")
    ws.cell(row, cols[f"t{task.pk}_status"], "Đang thực hiện")
    ws.cell(row, cols[f"t{task.pk}_narrative"], "Tổ chức đối thoại với người lao động")
    bad = fill(ws, "RG-1", {})
    ws.cell(bad, cols[f"t{task.pk}_status"], "Gần xong")
    page = upload(officer_client, wb).content.decode()
    assert f"Dòng {bad}, cột “Nhiệm vụ 2 – tình trạng”: chọn một trong:" in page
    assert not MonthlyReport.objects.exists()

    ws.cell(bad, cols[f"t{task.pk}_status"]).value = None
    response = upload(officer_client, wb)
    assert response.status_code == 302, response.content.decode()[-3000:]
    progress = TaskProgress.objects.get(report__organisation=tree["firm"], task=task)
    assert progress.status == "in_progress" and progress.narrative == "Tổ chức đối thoại với người lao động"
    assert progress.report.status == "submitted"
    assert not MonthlyReport.objects.filter(organisation=tree["school"]).exists()


def test_an_upload_with_no_filled_row_says_so_and_changes_nothing(officer_client, tree):
    response = upload(officer_client, download(officer_client))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Tệp không có dòng nào được điền: chưa có báo cáo nào được gửi." in page
    assert "0 báo cáo" not in page
    assert not MonthlyReport.objects.exists()


def test_imported_reports_wait_in_the_inbox_for_another_officer(client, officer_client, resolution, tree, make_user):
    """Rạch Giá's officer imports two reports; a colleague of the same union finds them in
    the inbox as submitted and approves both in one action."""
    members = component(resolution, 1)
    wb = download(officer_client)
    fill(wb.active, "RG-1", {(members, "quantity"): 2})
    fill(wb.active, "RG-3", {(members, "quantity"): 5})
    assert upload(officer_client, wb).status_code == 302
    colleague = make_user("rachgia2", tree["rach_gia"], User.Role.UPPER_LEVEL_OFFICER)
    client.force_login(colleague)
    page = client.get(reverse("inbox")).content.decode()
    reports = MonthlyReport.objects.filter(month=MONTH).order_by("submitted_at")
    ticks = [f"{r.pk}:{r.version}" for r in reports]
    assert len(ticks) == 2 and all(f'value="{t}"' in page for t in ticks)
    page = client.post(reverse("inbox"), {"report": ticks}, follow=True).content.decode()
    assert "Đã duyệt 2 báo cáo." in page
    assert set(MonthlyReport.objects.values_list("status", flat=True)) == {"approved"}
    assert all(r.reviewed_by == colleague for r in MonthlyReport.objects.all())


def test_the_importer_cannot_approve_their_own_imports_in_bulk(officer_client, resolution, tree):
    """Four eyes in the inbox too: the officer who imported RG-1's report ticks it with the
    others; it is refused with the reason and stays submitted, RG-2's (filed by its own unit)
    is approved."""
    members = component(resolution, 1)
    wb = download(officer_client)
    fill(wb.active, "RG-1", {(members, "quantity"): 2})
    assert upload(officer_client, wb).status_code == 302
    own = services.report_get_or_create(unit=tree["soe"], resolution=resolution, month=MONTH)
    officer = User.objects.create(username="soe", organisation=tree["soe"], role=User.Role.GRASSROOTS_OFFICER)
    services.report_save(report=own, user=officer, figures={}, tasks={}, expected_version=own.version, submit=True)
    ticks = [f"{r.pk}:{r.version}" for r in MonthlyReport.objects.all()]
    page = officer_client.post(reverse("inbox"), {"report": ticks}, follow=True).content.decode()
    assert "Đã duyệt 1 báo cáo." in page
    assert "Chưa duyệt: Đơn vị RG-1 – 03/2020." in page and "một cán bộ khác phải duyệt" in page
    statuses = dict(MonthlyReport.objects.values_list("organisation__code", "status"))
    assert statuses == {"RG-1": "submitted", "RG-2": "approved"}
