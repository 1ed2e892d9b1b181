"""Jobs run by a real worker process (``manage.py run_worker``), on SQLite and PostgreSQL
alike: an Excel import, a large dashboard file, the scheduled reminders and checks. Until a
worker runs, the pages say that it is not running instead of spinning."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from targets.dashboards.models import ExportFile
from targets.models import MonthlyReport, ReportFigure, ScheduledJob, WorkerHeartbeat
from targets.reminders.models import ReminderSent
from targets.reporting.excel.models import ExcelImport
from tests.reminders.test_send_reminders import addresses  # noqa: F401 (a fixture)
from tests.reporting.test_excel_bulk_entry import component, download, fill

pytestmark = pytest.mark.django_db(transaction=True)
NO_WORKER = "khi hệ thống xử lý nền hoạt động trở lại"


def xlsx(wb):
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def officer_client(client, users):
    client.force_login(users["rach_gia"])
    return client


def test_an_upload_is_checked_and_saved_by_the_worker(officer_client, tree, resolution, run_worker):
    """The upload answers at once with the job's page; nothing is saved until the worker
    runs, and the page says no worker is running; the same file uploaded again meanwhile is
    the same job. After the worker: saved, the kept file dropped, the page leads to the
    message, and the upload page lists the import."""
    members = component(resolution, 1)
    wb = download(officer_client)
    fill(wb.active, "RG-1", {(members, "quantity"): 7})
    fill(wb.active, "RG-3", {(members, "quantity"): 2})
    content = xlsx(wb)
    first = officer_client.post(reverse("excel_upload"), {"file": SimpleUploadedFile("a.xlsx", content)})
    second = officer_client.post(reverse("excel_upload"), {"file": SimpleUploadedFile("b.xlsx", content)})
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert ExcelImport.objects.count() == 1
    page = officer_client.get(first["Location"]).content.decode()
    assert 'id="job-progress"' in page and NO_WORKER in page
    assert not MonthlyReport.objects.exists()

    run_worker("--no-schedule")

    job = ExcelImport.objects.get()
    assert job.status == "saved" and job.saved == 2 and job.content is None
    assert ReportFigure.objects.get(report__organisation=tree["school"], component=members).quantity == 7
    response = officer_client.get(first["Location"])
    assert response.status_code == 302
    page = officer_client.get(response["Location"]).content.decode()
    assert "2 báo cáo" in page and 'id="excel-imports"' in page
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL


def test_a_job_whose_worker_died_failed_with_nothing_saved_and_runs_again(officer_client, tree, resolution, run_worker):
    """A worker that stopped beating while running the import: the job's page says it failed
    and nothing was saved, with a button; running it again (a live worker) saves the file."""
    members = component(resolution, 1)
    wb = download(officer_client)
    fill(wb.active, "RG-1", {(members, "quantity"): 3})
    response = officer_client.post(reverse("excel_upload"), {"file": SimpleUploadedFile("a.xlsx", xlsx(wb))})
    job = ExcelImport.objects.get()
    # The worker that took it was killed mid-check: its transaction is gone with it.
    long_ago = timezone.now() - datetime.timedelta(minutes=10)
    WorkerHeartbeat.objects.create(worker_id="killed", started_at=long_ago, seen_at=long_ago)
    DBTaskResult.objects.filter(pk=job.task_id).update(status=TaskResultStatus.RUNNING, worker_ids=["killed"])
    ExcelImport.objects.filter(pk=job.pk).update(status="checking", rows_checked=1, rows_total=4)

    page = officer_client.get(response["Location"]).content.decode()
    assert 'id="job-failed"' in page and "không có gì được lưu" in page.lower()
    assert DBTaskResult.objects.get(pk=job.task_id).status == TaskResultStatus.FAILED
    assert not MonthlyReport.objects.exists()
    assert officer_client.post(reverse("excel_job_again", args=[job.pk])).status_code == 302

    run_worker("--no-schedule")

    assert ExcelImport.objects.get().status == "saved"
    assert MonthlyReport.objects.get(organisation=tree["school"]).status == "submitted"


def test_a_large_file_is_prepared_by_the_worker_for_its_requester_only(
    client, users, tree, resolution, settings, run_worker
):
    """Over the in-request limit, the unreported units' XLSX is a job: its page shows the
    progress (and that no worker runs); once the worker has built it, the requester
    downloads it with its title block and every unit; another user's link answers 404."""
    settings.EXPORT_IN_REQUEST_ROWS = 2
    client.force_login(users["province"])
    url = reverse("dashboard-completeness") + f"?month=3&year=2020&_export=xlsx&table=units&unit={tree['province'].pk}"
    response = client.get(url)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert 'id="job-progress"' in page and "Đang chuẩn bị tệp" in page and "tệp sẽ được chuẩn bị" in page.lower()
    assert client.get(url)["Location"] == response["Location"]  # asked again: the same job

    run_worker("--no-schedule")

    job = ExportFile.objects.get()
    assert job.status == "ready", job.message
    page = client.get(response["Location"]).content.decode()
    assert 'id="file-download"' in page
    download_url = reverse("export_file_download", args=[job.pk])
    sheet = load_workbook(io.BytesIO(client.get(download_url).content)).active
    values = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert values[0] == "Đơn vị chưa báo cáo"
    assert "Số liệu tính đến hết tháng 3/2020" in values
    unit_names = {f"Đơn vị {code}" for code in ("RG", "HT", "RG-1", "RG-2", "RG-3", "HT-1", "HT-2")}
    assert unit_names <= set(values)
    client.force_login(users["rach_gia"])
    assert client.get(download_url).status_code == 404
    assert client.get(response["Location"]).status_code == 404


def test_the_scheduler_sends_the_reminders_and_checks_the_totals_once(users, tree, resolution, addresses, run_worker):  # noqa: F811
    """The worker enqueues each scheduled job due (hour 0: now), once: the reminders of
    18/11/2020 are sent and recorded, the nightly check finds the totals equal, the pruning
    runs; each row shows its last run and result. A second worker the same day sends nothing."""
    for name, path in [
        ("reminders", "targets.reminders.tasks.send_reminders_task"),
        ("nightly-totals-check", "targets.reporting.ledger.tasks.check_totals_task"),
        ("prune-jobs", "targets.dashboards.tasks.prune_jobs_task"),
    ]:
        ScheduledJob.objects.create(name=name, task_path=path, hour=0)

    out = run_worker(env={"UNIONPLAN_TODAY": "2020-11-18"})

    jobs = {job.name: job for job in ScheduledJob.objects.all()}
    assert all(job.last_ok for job in jobs.values()), {n: j.last_result for n, j in jobs.items()}
    assert all(job.last_run_on == timezone.localdate() for job in jobs.values())
    sent = ReminderSent.objects.filter(kind=ReminderSent.Kind.DUE_SOON)
    codes = set(sent.values_list("organisation__code", flat=True))
    assert {"RG-1", "RG-3", "HT-2"} <= codes and "RG-2" not in codes  # the state enterprise has no address
    assert "school@unionplan.example" in out
    assert jobs["reminders"].last_result.startswith(f"Đã gửi {sent.count()} thư: {sent.count()} thư nhắc trước hạn")
    assert "bằng số đếm lại" in jobs["nightly-totals-check"].last_result
    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == 3

    run_worker(env={"UNIONPLAN_TODAY": "2020-11-18"})
    assert DBTaskResult.objects.count() == 3
    assert set(sent.values_list("organisation__code", flat=True)) == codes


def test_the_uploaders_choice_is_saved_by_the_worker(officer_client, users, tree, resolution, run_worker):
    """A row in conflict with a unit's draft waits for the uploader's choice; the choice
    answers at once with the job's page (nothing saved yet, and choosing twice is one save);
    the worker then saves the file's rows with that choice, all or nothing."""
    from tests.reporting.test_excel_conflicts import draft, token_of

    members = component(resolution, 1)
    report = draft(tree["school"], users["school"], resolution, {members.pk: {"quantity": 5}})
    wb = download(officer_client)
    fill(wb.active, "RG-1", {(members, "quantity"): 9})
    fill(wb.active, "RG-3", {(members, "quantity"): 4})
    response = officer_client.post(reverse("excel_upload"), {"file": SimpleUploadedFile("a.xlsx", xlsx(wb))})
    run_worker("--no-schedule")
    page = officer_client.get(response["Location"]).content.decode()
    assert 'id="excel-conflicts"' in page

    choice = {"token": token_of(page), "every_row": "take"}
    first = officer_client.post(reverse("excel_resolve"), choice)
    second = officer_client.post(reverse("excel_resolve"), choice)
    assert first.status_code == second.status_code == 302 and first["Location"] == response["Location"]
    job = ExcelImport.objects.get()
    assert job.status == "queued" and job.take == [7]
    assert not MonthlyReport.objects.filter(organisation=tree["firm"]).exists()
    page = officer_client.get(first["Location"]).content.decode()
    assert 'id="job-progress"' in page

    run_worker("--no-schedule")

    job.refresh_from_db()
    assert job.status == "saved" and job.saved == 2 and job.pending is None
    report.refresh_from_db()
    assert report.status == "submitted" and report.figures.get(component=members).quantity == 9
    assert MonthlyReport.objects.get(organisation=tree["firm"]).status == "submitted"
    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == 2
