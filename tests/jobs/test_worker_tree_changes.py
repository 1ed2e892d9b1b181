"""A large change of the tree (201 grassroots unions moved: more than ``STEP``) previewed,
applied in steps and undone by a real worker process (``manage.py run_worker``), on SQLite
and PostgreSQL alike; until a worker runs, its page says that none is running."""

import datetime

import pytest
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from branches import changes
from branches.changes import Step, apply
from branches.models import Organisation, TreeChange
from targets.models import ChangeJob
from tests.branches.test_tree_changes import plan

pytestmark = pytest.mark.django_db(transaction=True)
NO_WORKER = "khi hệ thống xử lý nền hoạt động trở lại"


@pytest.fixture
def many(tree, settings):
    """201 grassroots unions under Hà Tiên, today 10/07/2020."""
    settings.UNIONPLAN_TODAY = datetime.date(2020, 7, 10)
    codes = [f"HT-M{i}" for i in range(apply.STEP + 1)]
    for code in codes:
        Organisation.objects.create(code=code, name=f"Đơn vị {code}", kind="grassroots", parent=tree["ha_tien"])
    return codes


def test_a_large_change_is_previewed_applied_and_undone_by_the_worker(client, users, tree, many, run_worker):
    change = plan(tree["province"], Step("move", units=many, to="RG"), number="95/QĐ")
    assert changes.is_large(change)
    client.force_login(users["province"])
    url = reverse("tree-change", args=[change.pk])
    text = client.get(url).content.decode()
    assert 'id="job-progress"' in text and "Đang chuẩn bị bản xem trước…" in text and NO_WORKER in text

    run_worker("--no-schedule")

    response = client.get(url)
    text = response.content.decode()
    assert "201 đơn vị chịu tác động" in text and 'id="job-progress"' not in text
    client.post(url, {"action": "confirm", "version": response.context["preview_version"]})
    text = client.get(url).content.decode()
    assert "Đang áp dụng: 0 / 201 dòng" in text and NO_WORKER in text
    assert TreeChange.objects.get().status == "draft"

    run_worker("--no-schedule")

    change.refresh_from_db()
    assert (change.status, change.lines_done) == ("applied", 201)
    assert Organisation.objects.filter(code__in=many, parent=tree["rach_gia"]).count() == 201
    job = ChangeJob.objects.get(kind="apply")
    assert job.status == "done"
    finished = client.get(reverse("tree-change-job", args=[job.pk]), follow=True).content.decode()
    assert "Đã áp dụng thay đổi" in finished

    client.post(reverse("tree-change-undo", args=[change.pk]))
    assert "Đang hoàn tác: đã đưa 0 / 201 đơn vị về chỗ cũ" in client.get(url).content.decode()

    run_worker("--no-schedule")

    assert TreeChange.objects.get().status == "undone"
    assert Organisation.objects.filter(code__in=many, parent=tree["ha_tien"]).count() == 201
    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == 3


def test_a_large_change_falling_due_is_applied_by_the_worker(users, tree, many, run_worker, settings):
    """Planned for 01/07, seen on 10/07 by no page: the worker's scheduler enqueues it."""
    settings.UNIONPLAN_TODAY = datetime.date(2020, 6, 20)
    change = plan(tree["province"], Step("move", units=many, to="RG"), number="96/QĐ")
    changes.change_confirm(change, user=users["province"])
    assert TreeChange.objects.get().status == "planned"

    run_worker(env={"UNIONPLAN_TODAY": "2020-07-10"})

    assert TreeChange.objects.get().status == "applied"
    assert ChangeJob.objects.get().status == "done"
