"""The priority tasks rolled up: each unit's latest status, and the narratives."""

from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, Sum, Window
from django.db.models.functions import RowNumber

from targets.reporting.ledger_models import TaskStatusTotal
from targets.reporting.models import TaskProgress

from .figures import REPORTED, keeps_totals


def latest_task_progress(resolution, scope, month):
    """Each unit's latest reported progress on each task up to ``month`` (submitted or
    approved reports), as a queryset of TaskProgress."""
    later = TaskProgress.objects.filter(
        task=OuterRef("task"),
        report__organisation=OuterRef("report__organisation"),
        report__resolution=resolution,
        report__status__in=REPORTED,
        report__month__gt=OuterRef("report__month"),
        report__month__lte=month,
    )
    return (
        TaskProgress.objects.filter(
            report__resolution=resolution,
            report__status__in=REPORTED,
            report__month__lte=month,
            report__organisation__path__startswith=scope.path,
        )
        .exclude(Exists(later))
        .select_related("task", "report__organisation__parent")
    )


@dataclass
class TaskSummary:
    task: object
    not_started: int = 0
    in_progress: int = 0
    done: int = 0

    @property
    def units(self):
        return self.not_started + self.in_progress + self.done


def task_summary(resolution, scope, month):
    """Per priority task: units whose latest report says not started, under way, done (two queries)."""
    S = TaskProgress.Status
    if keeps_totals(scope):
        rows = (
            TaskStatusTotal.objects.filter(organisation=scope, task__resolution=resolution, month__lte=month)
            .values("task")
            .annotate(not_started=Sum("not_started"), in_progress=Sum("in_progress"), done=Sum("done"))
            .order_by()
        )
    else:
        rows = (
            latest_task_progress(resolution, scope, month)
            .values("task")
            .annotate(
                not_started=Count("pk", filter=Q(status=S.NOT_STARTED)),
                in_progress=Count("pk", filter=Q(status=S.IN_PROGRESS)),
                done=Count("pk", filter=Q(status=S.DONE)),
            )
            .order_by()
        )
    counts = {row["task"]: row for row in rows}
    result = []
    for task in resolution.tasks.order_by("number"):
        row = counts.get(task.pk, {})
        result.append(
            TaskSummary(
                task=task,
                not_started=row.get("not_started", 0),
                in_progress=row.get("in_progress", 0),
                done=row.get("done", 0),
            )
        )
    return result


def task_narratives(resolution, scope, month):
    """Narratives reported on the tasks up to ``month`` under ``scope``, newest first."""
    return (
        TaskProgress.objects.filter(
            report__resolution=resolution,
            report__status__in=REPORTED,
            report__month__lte=month,
            report__organisation__path__startswith=scope.path,
        )
        .exclude(narrative="")
        .select_related("task", "report__organisation__parent")
        .order_by("-report__month", "task__number", "report__organisation__path")
    )


def latest_narratives_per_task(resolution, scope, month, per_task=3):
    """The ``per_task`` newest narratives of each task (one query, a window function)."""
    return list(
        task_narratives(resolution, scope, month)
        .annotate(
            row=Window(
                RowNumber(),
                partition_by=[F("task")],
                order_by=[F("report__month").desc(), F("report__submitted_at").desc(nulls_last=True), F("pk").desc()],
            )
        )
        .filter(row__lte=per_task)
    )
