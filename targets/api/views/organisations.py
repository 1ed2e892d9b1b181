"""The units the caller may see (``access.visible_units``)."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets

from branches import access

from .. import serializers as s
from ..filters import OrganisationFilter
from ..pagination import IdCursorPagination


@extend_schema(tags=["organisations"])
class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """The units the caller may see: their own, and for an upper level its subtree."""

    serializer_class = s.OrganisationSerializer
    pagination_class = IdCursorPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = OrganisationFilter

    def get_queryset(self):
        return access.visible_units(self.request.user)
