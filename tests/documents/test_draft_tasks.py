"""Section II of the draft: per priority task, the units' latest statuses counted as on the
Priority tasks page, and its newest narratives with the unit's name (the latest month first)."""

import pytest

from targets.documents.report import newest_narratives
from targets.reporting import services

from .helpers import document, document_text, draft

pytestmark = pytest.mark.django_db


def report(unit, user, resolution, month, tasks):
    r = services.report_get_or_create(unit=unit, resolution=resolution, month=month)
    services.report_save(report=r, user=user, figures={}, tasks=tasks, expected_version=r.version, submit=True)


def test_each_task_counts_its_units_and_quotes_its_newest_narratives(client, users, tree, resolution):
    t1, t2 = resolution.tasks.get(number=1), resolution.tasks.get(number=2)
    report(
        tree["school"], users["school"], resolution, 2, {t1.pk: {"status": "in_progress", "narrative": "Cũ tháng 2"}}
    )
    report(
        tree["school"],
        users["school"],
        resolution,
        3,
        {t1.pk: {"status": "done", "narrative": "Mới tháng 3"}, t2.pk: {"status": "in_progress", "narrative": "N2"}},
    )
    report(tree["firm"], users["firm"], resolution, 3, {t1.pk: {"status": "in_progress", "narrative": "Công ty làm"}})
    report(tree["ht_firm"], users["ht_firm"], resolution, 1, {t2.pk: {"status": "done", "narrative": "Tháng 1 HT"}})
    newest = newest_narratives(resolution, tree["province"], 3, [t1, t2], limit=2)
    assert [n.narrative for n in newest[t1.pk]] == ["Mới tháng 3", "Công ty làm"]  # March first, tree order
    assert [n.narrative for n in newest[t2.pk]] == ["N2", "Tháng 1 HT"]  # a task short in March goes back

    client.force_login(users["province"])
    text = document_text(document(draft(client, tree["province"], period="month", month=3, year=2020)))
    assert f"1. {t1.title}" in text
    # Task 1: RG-1 done, RG-3 under way, HT-2 (its January report) not started.
    assert "1 đơn vị báo cáo đã hoàn thành, 1 đơn vị đang thực hiện, 1 đơn vị chưa triển khai (trên 3 đơn vị" in text
    assert "- Đơn vị RG-1 (tháng 3): Mới tháng 3" in text and "- Đơn vị RG-3 (tháng 3): Công ty làm" in text
    assert "- Đơn vị RG-1 (tháng 2): Cũ tháng 2" in text  # the third newest of three
    assert "- Đơn vị HT-2 (tháng 1): Tháng 1 HT" in text
