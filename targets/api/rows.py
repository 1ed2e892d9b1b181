"""Answers built straight from rows, for lists that are long or deeply nested: the same JSON
as the serializers (``serializers``: they stay the schema, and tests compare the two), without
a serializer instance per object. A page of 1.000 reports holds some 17.000 figures; a
resolution some 50 components, each of which a nested serializer would rebuild its fields for."""

from collections import defaultdict

from django.utils import timezone
from rest_framework.relations import PKOnlyObject

from targets.reporting.models import ReportFigure, TaskProgress

from .serializers import (
    ComponentSerializer,
    ReportFigureSerializer,
    ReportSerializer,
    ResolutionSerializer,
    TargetSerializer,
    TaskSerializer,
)


class Flat:
    """A serializer's fields, built once, applied to many objects (nested lists excluded:
    the caller fills them in)."""

    def __init__(self, serializer_class, nested=(), context=None):
        serializer = serializer_class(context=context or {})
        self.fields = [(name, field) for name, field in serializer.fields.items() if name not in nested]

    def __call__(self, obj):
        answer = {}
        for name, field in self.fields:
            value = field.get_attribute(obj)
            present = value.pk if isinstance(value, PKOnlyObject) else value
            answer[name] = None if present is None else field.to_representation(value)
        return answer


def resolutions_data(resolutions, figure_changes):
    """``ResolutionSerializer(many=True)``'s answer for ``resolutions`` (with ``tasks`` and
    ``targets__components`` prefetched)."""
    context = {"figure_changes": figure_changes}
    resolution = Flat(ResolutionSerializer, nested=("targets", "tasks"))
    target = Flat(TargetSerializer, nested=("components",))
    component = Flat(ComponentSerializer, context=context)
    task = Flat(TaskSerializer)
    return [
        {
            **resolution(r),
            "targets": [
                {**target(t), "components": [component(c) for c in t.components.all()]} for t in r.targets.all()
            ],
            "tasks": [task(t) for t in r.tasks.all()],
        }
        for r in resolutions
    ]


REPORT_FIELDS = ReportSerializer.Meta.fields  # the answer's keys, in order (reports_data)
# What a report's row is read as (``report_rows``), in this order.
REPORT_COLUMNS = (
    "id",
    "resolution_id",
    "resolution__year",
    "month",
    "organisation_id",
    "organisation__code",
    "status",
    "version",
    "revision",
    "nothing_to_report",
    "note",
    "entry_channel",
    "self_approved",
    "created_at",
    "updated_at",
    "submitted_at",
    "first_submitted_at",
    "reviewed_at",
    "approved_at",
    "review_comment",
)
FIGURE_COLUMNS = ("component_id", *ReportFigureSerializer.Meta.fields[1:])
TASK_COLUMNS = ("task_id", "status", "narrative")


def report_rows(reports):
    """``reports`` (a queryset) as the rows ``reports_data`` reads: tuples, id first."""
    return reports.values_list(*REPORT_COLUMNS)


def reports_data(rows):
    """``ReportSerializer``'s answer for many reports, built straight from rows
    (``report_rows``): one query for their figures, one for their task progress, no model
    instance or field object per value (a page of 1.000 reports holds some 17.000 of them)."""
    rows = list(rows)
    ids = [row[0] for row in rows]
    figures, tasks = defaultdict(list), defaultdict(list)
    if ids:
        found = ReportFigure.objects.filter(report_id__in=ids).order_by("report_id", "component_id")
        for report_id, component, quantity, done, done_on, value, a_quantity, a_done, a_value in found.values_list(
            "report_id", *FIGURE_COLUMNS
        ):
            figures[report_id].append(
                {
                    "component": component,
                    "quantity": quantity,
                    "done": done,
                    "done_on": done_on.isoformat() if done_on else None,
                    "value": value,
                    "approved_quantity": a_quantity,
                    "approved_done": a_done,
                    "approved_value": a_value,
                }
            )
        found = TaskProgress.objects.filter(report_id__in=ids).order_by("report_id", "task_id")
        for report_id, task, status, narrative in found.values_list("report_id", *TASK_COLUMNS):
            tasks[report_id].append({"task": task, "status": status, "narrative": narrative})
    here = timezone.get_current_timezone()

    def moment(value):
        return None if value is None else value.astimezone(here).isoformat()

    return [
        {
            "id": pk,
            "resolution": resolution,
            "year": year,
            "month": month,
            "unit": unit,
            "unit_code": code,
            "status": status,
            "version": version,
            "revision": revision,
            "nothing_to_report": nothing,
            "note": note,
            "entry_channel": channel,
            "self_approved": self_approved,
            "created_at": moment(created),
            "updated_at": moment(updated),
            "submitted_at": moment(submitted),
            "first_submitted_at": moment(first_submitted),
            "reviewed_at": moment(reviewed),
            "approved_at": moment(approved),
            "review_comment": comment,
            "figures": figures[pk],
            "tasks": tasks[pk],
        }
        for (
            pk,
            resolution,
            year,
            month,
            unit,
            code,
            status,
            version,
            revision,
            nothing,
            note,
            channel,
            self_approved,
            created,
            updated,
            submitted,
            first_submitted,
            reviewed,
            approved,
            comment,
        ) in rows
    ]
