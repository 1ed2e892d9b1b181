"""A large change (more than ``STEP`` units moved; ``STEP`` made 1 here) is previewed,
applied and undone by the background worker, never in the page's request: the page shows
the job's progress (and that no worker runs), then the preview made for the change as it
is, and the confirmation carries that preview's version; a stale one is refused. Only those
who may change the tree start or follow the work, checked again when it runs."""

import datetime

import pytest
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from branches import changes
from branches.changes import Step, apply, bulk
from branches.models import Organisation, TreeChange
from targets.models import ChangeJob, WorkerHeartbeat
from targets.restructuring import jobs, views
from tests.branches.test_tree_changes import plan

pytestmark = pytest.mark.django_db
NO_WORKER = "khi hệ thống xử lý nền hoạt động trở lại"


@pytest.fixture(autouse=True)
def small_step(settings, monkeypatch):
    """Today 10/07/2020; a change of more than one moved unit is large."""
    settings.UNIONPLAN_TODAY = datetime.date(2020, 7, 10)
    monkeypatch.setattr(apply, "STEP", 1)


@pytest.fixture
def queued(settings):
    """Jobs wait in the database (no worker runs in these tests)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def no_preview_in_request(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the page computed a large change's preview in the request")

    monkeypatch.setattr(views, "preview_change", refuse)


def move_ha_tien(tree, number="90/QĐ"):
    return plan(tree["province"], Step("move", units=["HT-1", "HT-2"], to="RG"), number=number)


def page(client, change):
    return client.get(reverse("tree-change", args=[change.pk]))


def test_the_preview_is_made_by_the_worker_then_shown_and_applied(client, tree, users, queued, no_preview_in_request):
    """The page answers at once: a preview job (one, however often the page is opened), its
    progress and that no worker runs; once the job has run, the preview and the confirmation
    with its version; confirming is a job too, whose outcome the page then shows."""
    change = move_ha_tien(tree)
    assert changes.is_large(change)
    client.force_login(users["province"])
    text = page(client, change).content.decode()
    assert 'id="job-progress"' in text and "Đang chuẩn bị bản xem trước…" in text and NO_WORKER in text
    page(client, change)
    job = ChangeJob.objects.get()
    assert (job.kind, job.status, job.version) == ("preview", "queued", changes.version(change))
    status = client.get(reverse("tree-change-job-status", args=[job.pk])).json()
    assert status["running"] and not status["worker_alive"]

    assert jobs.job_run(job.pk) == "done"

    status = client.get(reverse("tree-change-job-status", args=[job.pk])).json()
    assert not status["running"]
    assert client.get(reverse("tree-change-job", args=[job.pk]))["Location"] == reverse("tree-change", args=[change.pk])
    response = page(client, change)
    text = response.content.decode()
    assert "2 đơn vị chịu tác động" in text and "Đơn vị HT-2" in text and 'id="job-progress"' not in text
    assert response.context["preview_version"] == changes.version(change)
    assert f'name="version" value="{changes.version(change)}"' in text

    confirmed = client.post(
        reverse("tree-change", args=[change.pk]), {"action": "confirm", "version": response.context["preview_version"]}
    )
    assert confirmed.status_code == 302
    work = ChangeJob.objects.get(kind="apply")
    assert work.status == "queued" and TreeChange.objects.get().status == "draft"
    text = page(client, change).content.decode()
    assert "Đang áp dụng: 0 / 2 dòng" in text and NO_WORKER in text

    assert jobs.job_run(work.pk) == "done"

    finished = client.get(reverse("tree-change-job", args=[work.pk]), follow=True).content.decode()
    assert "Đã áp dụng thay đổi" in finished and "Hoàn tác thay đổi này" in finished
    assert TreeChange.objects.get().status == "applied"
    assert Organisation.objects.get(code="HT-2").parent == tree["rach_gia"]


def test_a_stale_preview_is_not_shown_and_its_version_refused(client, tree, users, queued, no_preview_in_request):
    """Someone moves a unit of the change after its preview was made: the page does not show
    that preview but starts another job; confirming with the old version is refused with the
    conflict message, and nothing is enqueued."""
    change = move_ha_tien(tree)
    client.force_login(users["province"])
    page(client, change)
    old = ChangeJob.objects.get()
    jobs.job_run(old.pk)
    changes.change_apply(plan(tree["province"], Step("move", units=["HT-2"], to="RG"), number="91/QĐ"))

    text = page(client, change).content.decode()
    assert 'id="job-progress"' in text and "Đơn vị HT-2" not in text
    assert ChangeJob.objects.get(kind="preview").version == changes.version(change) != old.version  # the old one gone
    refused = client.post(
        reverse("tree-change", args=[change.pk]), {"action": "confirm", "version": old.version}, follow=True
    )
    assert "người khác đã thay đổi" in refused.content.decode()
    assert not ChangeJob.objects.filter(kind="apply").exists()
    assert TreeChange.objects.get(pk=change.pk).status == "draft"


def test_others_may_neither_start_nor_follow_the_work(client, tree, users, queued):
    """An upper level's officer gets 403 on the page, the job's status and its outcome;
    staff who lost the right before the job ran: the job ends saying so, nothing applied."""
    change = move_ha_tien(tree)
    client.force_login(users["province"])
    page(client, change)
    job = ChangeJob.objects.get()
    client.force_login(users["rach_gia"])
    assert page(client, change).status_code == 403
    assert client.get(reverse("tree-change-job-status", args=[job.pk])).status_code == 403
    assert client.get(reverse("tree-change-job", args=[job.pk])).status_code == 403
    assert client.post(reverse("tree-change", args=[change.pk]), {"action": "confirm"}).status_code == 403
    assert client.post(reverse("tree-change-undo", args=[change.pk])).status_code == 403

    jobs.job_run(job.pk)
    client.force_login(users["province"])
    version = page(client, change).context["preview_version"]
    client.post(reverse("tree-change", args=[change.pk]), {"action": "confirm", "version": version})
    work = ChangeJob.objects.get(kind="apply")
    users["province"].role = users["province"].Role.UPPER_LEVEL_OFFICER
    users["province"].save()
    assert jobs.job_run(work.pk) == "failed"
    assert "không còn quyền" in ChangeJob.objects.get(pk=work.pk).errors[0]
    assert TreeChange.objects.get().status == "draft"


def test_a_change_discarded_meanwhile_ends_its_job_with_a_message(client, tree, users, queued):
    change = move_ha_tien(tree)
    client.force_login(users["province"])
    page(client, change)
    job = ChangeJob.objects.get()
    client.post(reverse("tree-change", args=[change.pk]), {"action": "discard"})
    assert not TreeChange.objects.exists()

    assert jobs.job_run(job.pk) == "failed"

    assert not client.get(reverse("tree-change-job-status", args=[job.pk])).json()["running"]
    response = client.get(reverse("tree-change-job", args=[job.pk]))
    assert response.status_code == 410 and "đã bị hủy hoặc xóa" in response.content.decode()
    client.force_login(users["ha_tien"])
    assert client.get(reverse("tree-change-job", args=[job.pk])).status_code == 404


def test_the_page_says_whether_a_worker_runs(client, tree, users, queued):
    change = move_ha_tien(tree)
    client.force_login(users["province"])
    now = datetime.datetime.now(tz=datetime.UTC)
    WorkerHeartbeat.objects.create(worker_id="w", started_at=now, seen_at=now)
    text = page(client, change).content.decode()
    assert 'd-none" role="status" data-job-no-worker' in text


def test_undoing_a_large_change_is_a_job(client, tree, users):
    """The tests' immediate backend runs the jobs at once: confirm applies, undo undoes;
    each page then says what became of the change."""
    change = move_ha_tien(tree)
    client.force_login(users["province"])
    version = page(client, change).context["preview_version"]
    client.post(reverse("tree-change", args=[change.pk]), {"action": "confirm", "version": version})
    assert TreeChange.objects.get().status == "applied"
    client.post(reverse("tree-change-undo", args=[change.pk]))
    work = ChangeJob.objects.get(kind="undo")
    assert work.status == "done" and work.total == 2
    assert TreeChange.objects.get().status == "undone"
    assert Organisation.objects.get(code="HT-2").parent == tree["ha_tien"]
    finished = client.get(reverse("tree-change-job", args=[work.pk]), follow=True).content.decode()
    assert "Đã hoàn tác thay đổi" in finished


@pytest.mark.django_db(transaction=True)
def test_a_failed_step_shows_the_error_and_carries_on_as_a_job(client, tree, users, monkeypatch):
    """The second step fails: the job shows the error, the change is being applied with one
    line done; carrying on enqueues again and finishes it."""
    change = move_ha_tien(tree)
    client.force_login(users["province"])
    version = page(client, change).context["preview_version"]
    real = bulk.move_group
    calls = []

    def failing_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise changes.ChangeRefused(["Lỗi thử"])
        return real(*args, **kwargs)

    monkeypatch.setattr(bulk, "move_group", failing_second)
    client.post(reverse("tree-change", args=[change.pk]), {"action": "confirm", "version": version})
    change.refresh_from_db()
    assert (change.status, change.lines_done) == ("applying", 1)
    text = page(client, change).content.decode()
    assert 'id="change-job-failed"' in text and "Lỗi thử" in text and "Tiếp tục áp dụng thay đổi này" in text
    assert ChangeJob.objects.get(kind="apply").status == "failed"

    monkeypatch.setattr(bulk, "move_group", real)
    client.post(reverse("tree-change", args=[change.pk]), {"action": "carry_on"})
    assert TreeChange.objects.get().status == "applied"
    assert 'id="change-job-failed"' not in page(client, change).content.decode()


def test_a_large_change_falling_due_is_left_to_the_worker_once(client, tree, users, queued, settings):
    """A planned large change whose day has come: the pages do not apply it but enqueue it,
    once; the worker applies it. A small one falls due in the request as before."""
    settings.UNIONPLAN_TODAY = datetime.date(2020, 6, 20)
    change = move_ha_tien(tree)
    small = plan(tree["province"], Step("move", units=["RG-1"], to="HT"), number="92/QĐ")
    TreeChange.objects.filter(pk__in=[change.pk, small.pk]).update(status="planned")
    settings.UNIONPLAN_TODAY = datetime.date(2020, 7, 10)
    client.force_login(users["province"])
    client.get(reverse("tree-changes"))
    client.get(reverse("tree-changes"))
    assert TreeChange.objects.get(pk=small.pk).status == "applied"
    assert TreeChange.objects.get(pk=change.pk).status == "planned"
    job = ChangeJob.objects.get()
    assert (job.kind, job.requested_by) == ("apply", None)
    assert 'id="job-progress"' in page(client, change).content.decode()

    assert jobs.job_run(job.pk) == "done"

    assert TreeChange.objects.get(pk=change.pk).status == "applied"
    assert jobs.enqueue_due_changes() == []


def test_a_failed_preview_says_so_and_is_prepared_again_on_request(client, tree, users, monkeypatch):
    change = move_ha_tien(tree)
    client.force_login(users["province"])

    def broken(*args, **kwargs):
        raise changes.ChangeRefused(["Lỗi xem trước"])

    monkeypatch.setattr(jobs, "preview_change", broken)
    text = page(client, change).content.decode()
    assert 'id="preview-failed"' in text and "Lỗi xem trước" in text
    assert 'id="preview-failed"' in page(client, change).content.decode()  # not started again by itself
    assert ChangeJob.objects.count() == 1

    monkeypatch.undo()
    monkeypatch.setattr(apply, "STEP", 1)
    client.post(reverse("tree-change", args=[change.pk]), {"action": "preview"})
    text = page(client, change).content.decode()
    assert "2 đơn vị chịu tác động" in text and 'id="preview-failed"' not in text


def test_a_job_whose_worker_died_shows_failed_with_carry_on(client, tree, users, queued):
    """The worker applying the change stopped beating mid-way: the page does not spin on, it
    says the worker stopped, what was done is kept, and offers to carry on."""
    change = move_ha_tien(tree)
    client.force_login(users["province"])
    page(client, change)
    jobs.job_run(ChangeJob.objects.get().pk)
    version = page(client, change).context["preview_version"]
    client.post(reverse("tree-change", args=[change.pk]), {"action": "confirm", "version": version})
    work = ChangeJob.objects.get(kind="apply")
    long_ago = datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(minutes=10)
    WorkerHeartbeat.objects.create(worker_id="killed", started_at=long_ago, seen_at=long_ago)
    DBTaskResult.objects.filter(pk=work.task_id).update(status=TaskResultStatus.RUNNING, worker_ids=["killed"])
    ChangeJob.objects.filter(pk=work.pk).update(status="running")
    TreeChange.objects.filter(pk=change.pk).update(status="applying", lines_done=1)

    assert not client.get(reverse("tree-change-job-status", args=[work.pk])).json()["running"]
    text = page(client, change).content.decode()
    assert 'id="change-job-failed"' in text and "Hệ thống xử lý nền đã dừng" in text
    assert "Tiếp tục áp dụng thay đổi này" in text and 'id="job-progress"' not in text
    client.post(reverse("tree-change", args=[change.pk]), {"action": "carry_on"})
    assert ChangeJob.objects.filter(kind="apply", status="queued").count() == 1
