"""Priority tasks: each unit's latest reported status up to the month, and the narratives."""

import pytest
from django.db import transaction
from django.urls import reverse

from targets.models import MonthlyReport, TaskProgress
from targets.reporting import ledger
from targets.rollup.tasks import latest_narratives_per_task, task_summary
from tests.dashboard_data import file_report

pytestmark = pytest.mark.django_db
S = TaskProgress.Status


@pytest.fixture
def task_reports(resolution, tree):
    task = resolution.tasks.get(number=1)

    def progress_of(unit, month, status, narrative="", report_status=MonthlyReport.Status.APPROVED):
        # As the report services do: the change runs inside ledger.tracking().
        with transaction.atomic(), ledger.tracking(unit):
            report = file_report(resolution, unit, month, {}, status=report_status)
            TaskProgress.objects.create(report=report, task=task, status=status, narrative=narrative)

    progress_of(tree["school"], 1, S.IN_PROGRESS, "Xây dựng kế hoạch")
    progress_of(tree["school"], 3, S.DONE, "Đã tổ chức hội nghị sơ kết")
    progress_of(tree["firm"], 2, S.NOT_STARTED)
    progress_of(tree["ht_firm"], 3, S.DONE, "Bản nháp chưa gửi", report_status=MonthlyReport.Status.DRAFT)
    return task


def test_latest_status_per_unit(resolution, tree, task_reports):
    """As of December: school done (its March report), firm not started; the draft is ignored.
    As of February: school under way, firm not started."""
    december = {row.task.number: row for row in task_summary(resolution, tree["province"], 12)}
    assert (december[1].not_started, december[1].in_progress, december[1].done) == (1, 0, 1)
    february = {row.task.number: row for row in task_summary(resolution, tree["province"], 2)}
    assert (february[1].not_started, february[1].in_progress, february[1].done) == (1, 1, 0)
    assert len(december) == 7


def test_narratives_by_upper_level_and_month(client, resolution, users, tree, task_reports):
    """The page shows the school's narratives under Rạch Giá, not the draft; Hà Tiên has none."""
    client.force_login(users["province"])
    url = reverse("dashboard-tasks")
    text = client.get(url + f"?unit={tree['rach_gia'].pk}&month=12").content.decode()
    assert "Đã tổ chức hội nghị sơ kết" in text and "Bản nháp chưa gửi" not in text
    text = client.get(url + f"?unit={tree['rach_gia'].pk}&month=2").content.decode()
    assert "Xây dựng kế hoạch" in text and "Đã tổ chức hội nghị sơ kết" not in text
    text = client.get(url + f"?unit={tree['ha_tien'].pk}&month=12").content.decode()
    assert "Xây dựng kế hoạch" not in text
    latest = latest_narratives_per_task(resolution, tree["province"], 12, per_task=1)
    assert [p.narrative for p in latest] == ["Đã tổ chức hội nghị sơ kết"]
