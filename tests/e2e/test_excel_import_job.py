"""An Excel upload in a real browser: the upper level's officer uploads the filled-in
template, lands on the import's page, which says no background worker is running while none
is, then follows the job without a reload to its end (the saved message), and the upload
page lists the import. The job runs in django-tasks-db's worker (batch mode, in the test's
process: the live server's in-memory SQLite is not reachable from another process; the
worker process itself is tested in tests/jobs)."""

import pytest

from targets.models import MonthlyReport
from targets.reporting.excel.models import ExcelImport
from tests.reporting.test_excel_bulk_entry import component, fill

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def run_worker_once():
    from targets.management.commands.run_worker import BeatingWorker

    BeatingWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="e2e-worker",
        excluded_queue_names=[],
        schedule=False,
    ).run()


def test_the_import_page_follows_the_job_to_its_end(log_in, users, tree, resolution, settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    page = log_in("rachgia")
    page.goto("/reports/excel/")
    with page.expect_download() as download:
        page.click("form[action$='template/'] [type=submit]")
    path = tmp_path / "mau.xlsx"
    download.value.save_as(path)
    from openpyxl import load_workbook

    wb = load_workbook(path)
    fill(wb.active, "RG-1", {(component(resolution, 1), "quantity"): 6})
    wb.save(path)

    page.set_input_files("input[type=file]", str(path))
    page.click("form[enctype] [type=submit]")
    page.wait_for_selector("#job-progress")
    assert "/reports/excel/imports/" in page.url
    page.wait_for_selector("[data-job-no-worker]:not(.d-none)")
    assert "hoạt động trở lại" in page.inner_text("[data-job-no-worker]")
    page.screenshot(path=str(tmp_path / "import-waiting.png"), full_page=True)
    assert not MonthlyReport.objects.exists()

    run_worker_once()

    page.wait_for_url("**/reports/excel/?year=2020", timeout=15_000)
    assert "1 báo cáo" in page.inner_text("body")
    assert page.locator("#excel-imports").inner_text().count("Đã lưu") == 1
    assert ExcelImport.objects.get().status == "saved"
    assert MonthlyReport.objects.get(organisation=tree["school"]).status == "submitted"
