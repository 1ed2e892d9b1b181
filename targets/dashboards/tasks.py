"""The scheduled pruning of the job tables (daily, scheduled job "prune-jobs"): dashboard
files past ``JOB_FILES_KEPT_HOURS``, Excel imports' kept files past the same and their rows
after ``JOB_ROWS_KEPT_DAYS``, large tree changes' finished jobs (previews, applying,
undoing), finished task results and silent workers' heartbeats after the same days. The
job tables never grow without bound."""

import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from targets.reporting.excel.models import ExcelImport
from unionplan.background import WorkerHeartbeat, pruning

from .files import build_file_task, kept_since, prune_files

__all__ = ["build_file_task", "prune_jobs", "prune_jobs_task"]


def prune_jobs(now=None):
    """Prune every job table; returns {table: rows removed or emptied}."""
    now = now or timezone.now()
    old = now - datetime.timedelta(days=settings.JOB_ROWS_KEPT_DAYS)
    finished = [TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED]
    imports_done = ~Q(status__in=ExcelImport.RUNNING)
    removed = {
        "files": prune_files(now),
        "import files": ExcelImport.objects.filter(imports_done, updated_at__lt=kept_since(now))
        .exclude(content=None)
        .update(content=None),
        "imports": ExcelImport.objects.filter(imports_done, updated_at__lt=old).delete()[0],
        "task results": DBTaskResult.objects.filter(status__in=finished, finished_at__lt=old).delete()[0],
        "workers": WorkerHeartbeat.objects.filter(seen_at__lt=old).delete()[0],
    }
    for _receiver, answer in pruning.send(sender=None, old=old):
        removed.update(answer or {})
    return removed


@task()
def prune_jobs_task():
    removed = prune_jobs()
    return ", ".join(f"{name}: {count}" for name, count in removed.items())
