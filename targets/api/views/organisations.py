"""The units the caller may see (``access.visible_units``)."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets

from branches import access

from .. import serializers as s
from ..filters import OrganisationFilter
from ..pagination import ID_AFTER_FILTERING, IdCursorPagination
from ..rows import Flat


@extend_schema(tags=["organisations"])
class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """The units the caller may see: their own, and for an upper level its subtree."""

    serializer_class = s.OrganisationSerializer
    pagination_class = IdCursorPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = OrganisationFilter

    def get_queryset(self):
        return access.visible_units(self.request.user)

    def page_ordering(self):
        """Id order; for a branch of the tree (the caller's, or ``scope`` asked) its units are
        found by their path and then sorted (``ID_AFTER_FILTERING``)."""
        narrow = access.sees_one_branch(self.request.user) or self.request.query_params.get("scope")
        return (ID_AFTER_FILTERING,) if narrow else ("id",)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        unit = Flat(s.OrganisationSerializer)
        return self.get_paginated_response([unit(u) for u in page])
