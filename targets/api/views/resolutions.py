"""Resolutions of the caller's federation(s), with targets, components and tasks."""

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.response import Response

from targets.resolution.models import Resolution, TargetComponent

from .. import serializers as s
from ..rows import resolutions_data


def figure_changes(components):
    """{component id: [its figure's changes, oldest first]} from the history (one query)."""
    history = TargetComponent.history.model.objects.filter(id__in=[c.pk for c in components]).order_by(
        "id", "history_date", "history_id"
    )
    changes, last = {}, {}
    for record in history.only(
        "id", "figure", "previous_figure", "figure_from_month", "history_date", "history_change_reason"
    ):
        if record.id in last and last[record.id] != record.figure:
            changes.setdefault(record.id, []).append(
                {
                    "figure": record.figure,
                    "previous_figure": last[record.id],
                    "from_month": record.figure_from_month,
                    "changed_at": record.history_date,
                    "reason": record.history_change_reason,
                }
            )
        last[record.id] = record.figure
    return changes


@extend_schema(tags=["resolutions"])
class ResolutionViewSet(viewsets.ReadOnlyModelViewSet):
    """Resolutions of the caller's federation(s), with their targets, components (figures
    and their changes) and priority tasks."""

    serializer_class = s.ResolutionSerializer
    pagination_class = None

    def get_queryset(self):
        return (
            Resolution.objects.visible_to(self.request.user)
            .order_by("year", "id")
            .prefetch_related("tasks", "targets__components")
        )

    def _answer(self, resolutions):
        changes = figure_changes(TargetComponent.objects.filter(target__resolution__in=[r.pk for r in resolutions]))
        return resolutions_data(resolutions, changes)

    def list(self, request, *args, **kwargs):
        return Response(self._answer(list(self.get_queryset())))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._answer([self.get_object()])[0])
