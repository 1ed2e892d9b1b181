"""The priority tasks rolled up: each unit's latest status, and the narratives."""

from dataclasses import dataclass

from django.db import connections
from django.db.models import Count, Exists, F, OuterRef, Q, Sum, Window
from django.db.models.functions import RowNumber

from targets.reporting.ledger.models import TaskStatusShift, TaskStatusTotal
from targets.reporting.models import TaskProgress

from .figures import REPORTED, Structure, counted_q, keeps_totals, with_shifts


def latest_task_progress(resolution, scope, month):
    """Each unit's latest reported progress on each task up to ``month`` (submitted or
    approved reports) of the units under ``scope`` at the resolution's year end
    (``counted_q``), as a queryset of TaskProgress."""
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
        )
        .filter(counted_q(scope, resolution, month, prefix="report__organisation__"))
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


def task_summary(resolution, scope, month, structure=Structure.CURRENT):
    """Per priority task: units whose latest report says not started, under way, done (two
    queries; three as it was, where a unit's status changes count under its parent then)."""
    S = TaskProgress.Status
    if keeps_totals(scope):

        def sums(model):
            return (
                model.objects.filter(organisation=scope, task__resolution=resolution, month__lte=month)
                .values("task")
                .annotate(not_started=Sum("not_started"), in_progress=Sum("in_progress"), done=Sum("done"))
                .order_by()
            )

        rows = sums(TaskStatusTotal)
        if structure == Structure.MONTHLY:
            rows = with_shifts(rows, sums(TaskStatusShift), ["task"], ["not_started", "in_progress", "done"])
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


# Within a month: the tree's order (each upper level's units together), then the task's.
ORDER_IN_MONTH = ("report__organisation__path", "task__number", "pk")


def task_narratives(resolution, scope, month):
    """Narratives reported on the tasks up to ``month`` under ``scope`` (at the resolution's
    year end: ``counted_q``), newest month first (a page of them across a country:
    ``NarrativesNewestFirst``)."""
    return (
        TaskProgress.objects.filter(
            report__resolution=resolution,
            report__status__in=REPORTED,
            report__month__lte=month,
        )
        .filter(counted_q(scope, resolution, month, prefix="report__organisation__"))
        .exclude(narrative="")
        .select_related("task", "report__organisation__parent")
        .order_by("-report__month", *ORDER_IN_MONTH)
    )


class NarrativesNewestFirst:
    """``narratives`` (a queryset of ``task_narratives``, maybe filtered further) as a
    sequence a table pages through: month ``month`` first, each month in ``ORDER_IN_MONTH``.

    Across a country a year holds millions of narratives, and sorting them all for a page of
    50 took seconds. On PostgreSQL a slice is read as one query of one branch per month, each
    walking the tree's index to the units' reports of that month and stopping after the rows
    the slice can need, then one query for the rows themselves: two queries whatever the size.
    Elsewhere (SQLite, the embedded database of a small federation) it is sorted at once."""

    def __init__(self, narratives, month):
        self.narratives = narratives.order_by()
        self.month = month

    def of_month(self, month):
        return self.narratives.filter(report__month=month).order_by(*ORDER_IN_MONTH)

    def __iter__(self):
        for month in range(self.month, 0, -1):
            yield from self.of_month(month).iterator(chunk_size=2000)

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return self[key : key + 1][0]
        start, stop = key.start or 0, key.stop
        if key.step not in (None, 1) or start < 0 or stop is None or stop < 0:
            raise ValueError("NarrativesNewestFirst takes bounded forward slices only")
        if stop <= start or self.month < 1 or self.narratives.query.is_empty():
            return []
        if self.month == 1 or not connections[self.narratives.db].features.supports_slicing_ordering_in_compound:
            return list(self.narratives.order_by("-report__month", *ORDER_IN_MONTH)[start:stop])
        keys = {
            "in_month": F("report__month"),
            "unit_path": F("report__organisation__path"),
            "task_no": F("task__number"),
        }
        branches = [
            self.of_month(month).annotate(**keys).values_list("pk", *keys)[:stop] for month in range(self.month, 0, -1)
        ]
        page = branches[0].union(*branches[1:], all=True).order_by("-in_month", "unit_path", "task_no", "pk")
        ids = [row[0] for row in page[start:stop]]
        rows = self.narratives.in_bulk(ids)
        return [rows[pk] for pk in ids]


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
