"""What every room's background jobs share: whether a worker is alive, and the scheduled
work's rows (at what hour, when it last ran, with what result).

The jobs themselves are Django's Tasks (``django_tasks``, the backport of ``django.tasks``)
stored by ``django_tasks_db``: a task function lives in the room that owns the work and
takes plain ids. ``manage.py run_worker`` runs them; beside them it beats a heartbeat
(``WorkerHeartbeat``) and enqueues the scheduled work that is due (``ScheduledJob``), once,
whatever the number of workers: a row is claimed by a conditional UPDATE that only one
worker can win. A page waiting for a job asks ``worker_alive()`` before it shows a spinner.
"""

import datetime

from django.db import models
from django.dispatch import Signal, receiver
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django_tasks import TaskResultStatus
from django_tasks.signals import task_finished

# Sent by the scheduled pruning (``targets.dashboards.tasks.prune_jobs``) with ``old``, the
# moment before which finished rows go: a room whose job rows live above the dashboards
# (a large tree change's jobs) prunes its own and answers {table: rows removed}.
pruning = Signal()

# A worker beats every HEARTBEAT_SECONDS; one silent for STALE_SECONDS is taken for gone.
HEARTBEAT_SECONDS = 5
STALE_SECONDS = 60


class WorkerHeartbeat(models.Model):
    """One row per worker process (its id as django_tasks_db knows it)."""

    worker_id = models.CharField(_("worker"), max_length=64, unique=True)
    host = models.CharField(_("host"), max_length=255, blank=True)
    started_at = models.DateTimeField(_("started at"))
    seen_at = models.DateTimeField(_("last seen at"), db_index=True)

    class Meta:
        app_label = "targets"
        verbose_name = _("background worker")
        verbose_name_plural = _("background workers")
        ordering = ["-seen_at"]

    def __str__(self):
        return f"{self.worker_id} ({self.host})"

    @property
    def is_alive(self):
        return self.seen_at >= timezone.now() - datetime.timedelta(seconds=STALE_SECONDS)


def beat(worker_id, host="", now=None):
    """Record that ``worker_id`` is alive now."""
    now = now or timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=now)
    if not updated:
        WorkerHeartbeat.objects.get_or_create(
            worker_id=worker_id, defaults={"host": host[:255], "started_at": now, "seen_at": now}
        )


def worker_alive():
    """Whether any worker has beaten within ``STALE_SECONDS``."""
    since = timezone.now() - datetime.timedelta(seconds=STALE_SECONDS)
    return WorkerHeartbeat.objects.filter(seen_at__gte=since).exists()


def workers_gone(worker_ids):
    """Whether none of ``worker_ids`` (a job's workers) is alive any more."""
    if not worker_ids:
        return False
    since = timezone.now() - datetime.timedelta(seconds=STALE_SECONDS)
    return not WorkerHeartbeat.objects.filter(worker_id__in=worker_ids, seen_at__gte=since).exists()


def task_lost(task_id, message):
    """Whether the task ``task_id`` will never finish: it failed, or it is marked running by
    workers that are all gone (then it is marked failed with ``message``, for the admin)."""
    from django_tasks_db.models import DBTaskResult

    row = DBTaskResult.objects.filter(pk=task_id).first() if task_id else None
    if row is None:
        return False
    if row.status == TaskResultStatus.FAILED:
        return True
    if row.status == TaskResultStatus.RUNNING and workers_gone(row.worker_ids):
        DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=timezone.now(),
            exception_class_path="unionplan.background.WorkerLost",
            traceback=str(message),
        )
        return True
    return False


class ScheduledJob(models.Model):
    """A piece of work done once a day at ``hour`` (local time), by whichever worker gets
    there first: reminders, the nightly check of the running totals, pruning."""

    name = models.SlugField(_("name"), max_length=40, unique=True)
    task_path = models.CharField(_("task"), max_length=200)
    hour = models.PositiveSmallIntegerField(
        _("hour of the day"), help_text=_("0–23, the app's local time (Asia/Ho_Chi_Minh).")
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    last_run_on = models.DateField(_("last run on"), null=True, blank=True)
    last_started_at = models.DateTimeField(_("last started at"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished at"), null=True, blank=True)
    last_ok = models.BooleanField(_("last run succeeded"), null=True)
    last_result = models.TextField(_("last result"), blank=True)

    class Meta:
        app_label = "targets"
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")
        ordering = ["hour", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(hour__lte=23), name="scheduled_job_hour_of_day"),
        ]

    def __str__(self):
        return f"{self.name} ({self.hour:02d}:00)"


def claim_due(now):
    """The scheduled jobs due at ``now`` (local time) that this caller has claimed: each is
    marked as run today by a conditional UPDATE, which only one of several workers wins."""
    local = timezone.localtime(now)
    today = local.date()
    claimed = []
    due = ScheduledJob.objects.filter(enabled=True, hour__lte=local.hour).exclude(last_run_on=today)
    for job in due:
        won = (
            ScheduledJob.objects.filter(pk=job.pk)
            .filter(models.Q(last_run_on__isnull=True) | models.Q(last_run_on__lt=today))
            .update(last_run_on=today, last_started_at=now, last_finished_at=None, last_ok=None, last_result="")
        )
        if won:
            claimed.append(job)
    return claimed


def ensure_schedule(schedule):
    """The rows of ``settings.BACKGROUND_SCHEDULE`` ({name: (task path, hour)}): created
    when missing; an hour changed in the admin is kept, the task path follows the code."""
    for name, (task_path, hour) in schedule.items():
        job, created = ScheduledJob.objects.get_or_create(name=name, defaults={"task_path": task_path, "hour": hour})
        if not created and job.task_path != task_path:
            ScheduledJob.objects.filter(pk=job.pk).update(task_path=task_path)


def enqueue_due(now=None):
    """Enqueue every scheduled job due now that this caller wins; returns their names."""
    now = now or timezone.now()
    names = []
    for job in claim_due(now):
        import_string(job.task_path).enqueue()
        names.append(job.name)
    return names


@receiver(task_finished)
def on_task_finished(sender, task_result, **kwargs):
    """A scheduled job's outcome goes on its row: the value it returned, or its error."""
    path = task_result.task.module_path
    if not ScheduledJob.objects.filter(task_path=path).exists():
        return
    ok = task_result.status == TaskResultStatus.SUCCESSFUL
    if ok:
        result = str(task_result.return_value)
    else:
        errors = task_result.errors
        result = errors[-1].traceback.strip().splitlines()[-1] if errors else "failed"
    ScheduledJob.objects.filter(task_path=path).update(last_finished_at=timezone.now(), last_ok=ok, last_result=result)
