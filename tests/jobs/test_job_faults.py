"""Jobs facing a changed world, and the scheduled chores, run at once (the tests' immediate
backend): a unit deleted or a year locked while a job waited ends it with a clear message;
the nightly check repairs a wrong total and tells the admins; pruning removes old files."""

import datetime
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from targets.dashboards.files import file_build
from targets.dashboards.models import ExportFile
from targets.dashboards.tasks import prune_jobs
from targets.models import MonthlyReport, ReportingTotal
from targets.reporting import services
from targets.reporting.excel import jobs
from targets.reporting.excel.models import ExcelImport
from targets.reporting.ledger.check import check_totals
from tests.reporting.test_excel_bulk_entry import component, download, fill

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(settings):
    """Jobs wait in the database (no worker runs in these tests)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def filled_template(client, resolution):
    wb = download(client)
    fill(wb.active, "RG-1", {(component(resolution, 1), "quantity"): 2})
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("a.xlsx", buffer.getvalue())


def test_an_import_whose_union_was_deleted_or_year_locked_meanwhile_ends_with_a_message(
    client, users, tree, resolution, settings, queued
):
    client.force_login(users["rach_gia"])
    file = filled_template(client, resolution)
    job, created = jobs.import_start(user=users["rach_gia"], upper=tree["rach_gia"], file=file)
    assert created
    settings.UNIONPLAN_TODAY = datetime.date(2021, 1, 15)
    services.resolution_lock(resolution=resolution, user=users["province"])
    assert jobs.import_run(job.pk) == "refused"
    job.refresh_from_db()
    assert any("đã khóa" in error for error in job.errors) and job.content is None
    assert not MonthlyReport.objects.exists()

    file.seek(0)
    other, _created = jobs.import_start(user=users["rach_gia"], upper=tree["rach_gia"], file=file)
    ExcelImport.objects.filter(pk=other.pk).update(upper=None)  # the union deleted meanwhile (SET NULL)
    assert jobs.import_run(other.pk) == "refused"
    other.refresh_from_db()
    assert other.errors == ["Công đoàn mà tệp này được tải lên cho nó không còn nữa."]


def test_a_file_whose_union_was_deleted_meanwhile_says_so(client, users, tree, resolution, settings, queued):
    settings.EXPORT_IN_REQUEST_ROWS = 1
    client.force_login(users["rach_gia"])
    url = reverse("dashboard-completeness") + f"?month=3&year=2020&_export=xlsx&table=units&unit={tree['ha_tien'].pk}"
    assert client.get(url).status_code == 404  # another subtree: not even a job
    url = url.replace(str(tree["ha_tien"].pk), str(tree["rach_gia"].pk))
    page = client.get(url)
    job = ExportFile.objects.get()
    # Moved out of the officer's reach before the worker ran: the job ends with the reason.
    ExportFile.objects.filter(pk=job.pk).update(path="/dashboard/unit/999999/")
    assert file_build(job.pk) == "failed"
    assert "không còn dành cho bạn" in ExportFile.objects.get().message
    ExportFile.objects.filter(pk=job.pk).update(status="queued", scope=None)
    response = client.get(page["Location"])
    assert response.status_code == 200 and 'id="file-failed"' in response.content.decode()


def test_the_nightly_check_repairs_a_wrong_total_and_tells_the_admins(users, tree, resolution, superuser):
    superuser.email = "quantri@unionplan.example"
    superuser.save()
    assert not check_totals().differences and not mail.outbox
    total = ReportingTotal.objects.filter(organisation=tree["rach_gia"], resolution=resolution, month=3).get()
    expected = total.expected
    ReportingTotal.objects.filter(pk=total.pk).update(expected=expected + 5)

    outcome = check_totals()

    assert len(outcome.differences) == 1
    _table, key, kept, fresh = outcome.differences[0]
    assert key["organisation_id"] == tree["rach_gia"].pk and kept[0] == expected + 5 and fresh[0] == expected
    assert (
        ReportingTotal.objects.get(organisation=tree["rach_gia"], resolution=resolution, month=3).expected == expected
    )
    assert mail.outbox[0].to == ["quantri@unionplan.example"] and "1" in mail.outbox[0].subject
    assert f"organisation_id={tree['rach_gia'].pk}" in mail.outbox[0].body


def test_pruning_removes_old_files_and_kept_uploads(users, tree):
    old = timezone.now() - datetime.timedelta(hours=30)
    for status in ("ready", "running"):
        ExportFile.objects.create(
            requested_by=users["province"],
            scope=tree["province"],
            path="/x/",
            query="",
            file_name="a.xlsx",
            status=status,
            content=b"PK",
        )
    ExportFile.objects.update(created_at=old)
    fresh = ExportFile.objects.create(
        requested_by=users["province"], scope=tree["province"], path="/x/", query="", file_name="b.xlsx"
    )
    done = ExcelImport.objects.create(
        uploaded_by=users["rach_gia"],
        upper=tree["rach_gia"],
        file_name="a.xlsx",
        digest="d",
        status="failed",
        content=b"PK",
    )
    ExcelImport.objects.filter(pk=done.pk).update(updated_at=old)

    removed = prune_jobs()

    assert removed["files"] == 2 and list(ExportFile.objects.all()) == [fresh]
    assert removed["import files"] == 1 and ExcelImport.objects.get().content is None


def test_pruning_removes_large_changes_finished_jobs(users, tree, settings):
    from branches.models import TreeChange
    from targets.restructuring.models import ChangeJob

    change = TreeChange.objects.create(
        federation=tree["province"], decision_number="1/QĐ", effective_on=datetime.date(2020, 7, 1)
    )
    old = timezone.now() - datetime.timedelta(days=settings.JOB_ROWS_KEPT_DAYS + 1)
    finished = ChangeJob.objects.create(change=change, kind="preview", status="done", finished_at=old)
    ChangeJob.objects.create(change=change, kind="apply", status="failed", finished_at=old)
    waiting = ChangeJob.objects.create(change=change, kind="undo", status="queued")
    recent = ChangeJob.objects.create(change=change, kind="preview", status="done", finished_at=timezone.now())

    removed = prune_jobs()

    assert removed["change jobs"] == 2
    assert set(ChangeJob.objects.all()) == {waiting, recent}
    assert not ChangeJob.objects.filter(pk=finished.pk).exists()
