"""The lists' pages: a cursor on an unchanging key (the id)."""

from django.db.models import F, Value
from django.db.models.expressions import OrderBy
from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from .problems import Problem

# Id order, spelled so that no index gives it: PostgreSQL then finds the rows by the filters
# (a branch's units, through their path) and sorts the few it found, instead of walking
# everything in id order and sifting out the branch's rows (the whole month before the last
# province's first report).
ID_AFTER_FILTERING = OrderBy(F("id") + Value(0))


def _key(row):
    """A row's id: a model instance's, the first value of a ``values_list`` row, or the id
    itself (``values_list("id", flat=True)``)."""
    if isinstance(row, int):
        return row
    return row[0] if isinstance(row, tuple) else row.pk


class IdCursorPagination(pagination.BasePagination):
    """Pages in id order, a key that never changes: walking a list while reports are written
    never skips or repeats one. ``next`` carries the last id seen (``cursor``); ``page_size``
    up to 1.000. A view may say how to order (``page_ordering``): the same id order, spelled
    so that PostgreSQL reads it from an index that starts with the filters' columns, or
    (``ID_AFTER_FILTERING``) sorts what a narrow filter found."""

    page_size = 100
    max_page_size = 1000

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        try:
            size = int(request.query_params.get("page_size") or self.page_size)
            after = int(request.query_params.get("cursor") or 0)
        except ValueError:
            raise Problem(400, _("The cursor or page size is not valid."), "invalid") from None
        if not 1 <= size <= self.max_page_size or after < 0:
            raise Problem(400, _("The cursor or page size is not valid."), "invalid")
        ordering = getattr(view, "page_ordering", lambda: ("id",))()
        rows = list(queryset.filter(id__gt=after).order_by(*ordering)[: size + 1])
        self.next_after = _key(rows[size - 1]) if len(rows) > size else None
        return rows[:size]

    def get_next_link(self):
        if self.next_after is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, "cursor", self.next_after)

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {"next": {"type": "string", "nullable": True, "format": "uri"}, "results": schema},
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "schema": {"type": "integer"},
                "description": "The last id of the previous page (from next).",
            },
            {
                "name": "page_size",
                "required": False,
                "in": "query",
                "schema": {"type": "integer"},
                "description": "1 to 1.000 (default 100).",
            },
        ]
