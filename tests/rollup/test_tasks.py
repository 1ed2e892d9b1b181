"""Priority tasks: each unit's latest reported status up to the month, and the narratives."""

import pytest
from django.db import transaction
from django.urls import reverse

from targets.models import MonthlyReport, TaskProgress
from targets.reporting import ledger
from targets.rollup.tasks import NarrativesNewestFirst, latest_narratives_per_task, task_narratives, task_summary
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


def test_narratives_read_a_month_at_a_time_come_in_the_order_of_the_whole(resolution, tree, task_reports):
    """Every slice of the month-by-month reading (what a page of the table asks for) is the
    same slice of every narrative sorted at once: newest month first, then the tree's order,
    then the task's. Pages that start inside, at the end of or after a month all agree."""
    tasks = list(resolution.tasks.order_by("number")[:3])
    for month in (2, 3, 5):
        for unit in (tree["firm"], tree["school"], tree["ht_firm"]):
            with transaction.atomic(), ledger.tracking(unit):
                report, _ = MonthlyReport.objects.get_or_create(
                    resolution=resolution, organisation=unit, month=month, defaults={"status": "submitted"}
                )
                for task in tasks:
                    TaskProgress.objects.update_or_create(
                        report=report, task=task, defaults={"status": S.IN_PROGRESS, "narrative": f"{unit.pk}-{month}"}
                    )
    every = list(task_narratives(resolution, tree["province"], 12))
    assert len(every) >= 20
    assert [p.report.month for p in every] == sorted((p.report.month for p in every), reverse=True)
    paged = NarrativesNewestFirst(task_narratives(resolution, tree["province"], 12), 12)
    assert list(paged) == every
    for start in range(len(every) + 2):
        for size in (1, 2, 3, 7, 50):
            assert paged[start : start + size] == every[start : start + size], (start, size)
    assert paged[len(every) - 1] == every[-1]
    # As of March: the months after it are not read.
    march = NarrativesNewestFirst(task_narratives(resolution, tree["province"], 3), 3)
    assert {p.report.month for p in march[0:100]} == {3, 2, 1}
    # As of January: one month only.
    january = NarrativesNewestFirst(task_narratives(resolution, tree["province"], 1), 1)
    assert january[0:10] == list(task_narratives(resolution, tree["province"], 1))[:10] != []


def test_the_narratives_page_lists_the_newest_month_first_and_ignores_a_sort_request(
    client, resolution, users, tree, task_reports
):
    """As of December the school's March narrative comes before its January one, pages of
    one row step across the months, and asking to sort by a column changes nothing."""
    client.force_login(users["province"])
    url = reverse("dashboard-tasks") + f"?unit={tree['province'].pk}&month=12&n-per_page=1"
    seen = []
    for page in (1, 2, 3):
        table = client.get(url + f"&n-page={page}").context["tables"]["narratives"]
        seen += [row.record.narrative for row in table.page.object_list]
    assert seen[:2] == ["Đã tổ chức hội nghị sơ kết", "Xây dựng kế hoạch"]
    sorted_request = client.get(url.replace("n-per_page=1", "n-per_page=10") + "&n-sort=-unit")
    assert sorted_request.status_code == 200
    rows = [row.record.narrative for row in sorted_request.context["tables"]["narratives"].page.object_list]
    assert rows == ["Đã tổ chức hội nghị sơ kết", "Xây dựng kế hoạch"]


def test_a_filter_that_is_not_a_choice_lists_no_narratives_and_says_so(client, resolution, users, tree, task_reports):
    """?task=abc&status=zzz: the page answers, with the form's errors and no narratives."""
    client.force_login(users["province"])
    url = reverse("dashboard-tasks") + f"?unit={tree['province'].pk}&month=12&task=abc&status=zzz"
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["filter"].errors
    assert list(response.context["tables"]["narratives"].page.object_list) == []
