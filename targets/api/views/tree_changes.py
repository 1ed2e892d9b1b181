"""The changes to the organisation tree (``branches.changes``) the caller may read
(``access.visible_tree_changes``: as the change pages)."""

import django_filters
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets

from branches import access, changes
from branches.models import TreeChange

from ..pagination import IdCursorPagination
from ..tree_changes import TreeChangeSerializer, touching, with_lines


class TreeChangeFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=TreeChange.Status.choices)
    federation = django_filters.NumberFilter(field_name="federation_id", help_text=_("One federation's (its id)."))
    unit = django_filters.NumberFilter(method="about_unit", help_text=_("The changes about a unit (its id)."))
    effective_since = django_filters.DateFilter(
        field_name="effective_on", lookup_expr="gte", help_text=_("Taking effect on or after this day.")
    )

    class Meta:
        model = TreeChange
        fields = ["status", "federation", "unit", "effective_since"]

    def about_unit(self, queryset, name, value):
        return touching(queryset, value)


@extend_schema(tags=["organisations"])
class TreeChangeViewSet(viewsets.ReadOnlyModelViewSet):
    """Decisions that change the tree (found, rename, move, merge, split, dissolve units,
    change their level) of the caller's federation(s), with their lines: read by the
    federation's provincial staff and admins, as the change pages are."""

    serializer_class = TreeChangeSerializer
    pagination_class = IdCursorPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = TreeChangeFilter

    def get_queryset(self):
        return with_lines(access.visible_tree_changes(self.request.user))

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # As the change pages: a planned change whose day has come is applied before it is read.
        changes.apply_due_changes(skip_large=True)  # the large ones: the background worker
