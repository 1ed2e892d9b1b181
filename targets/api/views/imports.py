"""The bulk import of many units' month reports (``targets.api.bulk``)."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from branches import access

from .. import idempotency
from .. import serializers as s
from ..bulk import import_rows
from ..problems import Problem, ProblemSerializer


def _flag(request, name):
    return request.query_params.get(name, "").strip().lower() in ("1", "true", "yes")


class ReportImportView(APIView):
    @extend_schema(
        tags=["reports"],
        summary="Import many units' month reports",
        request=s.ImportRequestSerializer,
        parameters=[
            OpenApiParameter("dryRun", bool, description="Check and answer the summary without saving."),
            OpenApiParameter("overwrite", bool, description="Replace figures a unit typed itself."),
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="A retry with the same key answers the first result.",
            ),
        ],
        responses={
            200: s.ImportSummarySerializer,
            **{code: OpenApiResponse(ProblemSerializer) for code in (400, 403, 413, 422)},
        },
    )
    def post(self, request):
        """Many grassroots unions' month reports at once, entered by their upper level (as
        the Excel import): each unit's month all or nothing, submitted for review; the
        answer says row by row what was refused. At most ``API_IMPORT_MAX_ROWS`` rows."""
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        limit = settings.API_IMPORT_MAX_BYTES
        if declared > limit:
            raise Problem(
                413,
                _("The import is %(size)s bytes; at most %(limit)s are accepted: send it in parts.")
                % {"size": declared, "limit": limit},
                "too-large",
            )
        if access.bulk_entry_root(request.user) is None:
            raise Problem(403, _("Only upper-level and provincial officers import units' reports."), "not-allowed")
        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > idempotency.MAX_KEY_LENGTH:
            raise Problem(400, _("The Idempotency-Key is too long."), "invalid")
        body = request.body
        data = self._rows(request)
        with transaction.atomic():
            if key:
                hash_ = idempotency.request_hash(request, body)
                earlier = idempotency.claim(user=request.user, key=key, hash_=hash_)
                if earlier is not None:
                    if earlier.request_hash != hash_:
                        raise Problem(
                            422, _("This Idempotency-Key was used for another request."), "idempotency-key-reused"
                        )
                    return Response(earlier.body, status=earlier.status, headers={"Idempotent-Replayed": "true"})
            summary = import_rows(
                user=request.user,
                raw_rows=data,
                dry_run=_flag(request, "dryRun"),
                overwrite=_flag(request, "overwrite"),
            )
            if key:
                idempotency.settle(user=request.user, key=key, status=200, body=summary)
        return Response(summary)

    def _rows(self, request):
        data = request.data
        rows = data.get("rows") if isinstance(data, dict) else None
        if not isinstance(rows, list):
            raise Problem(400, _('Send {"rows": [...]}.'), "invalid")
        if len(rows) > settings.API_IMPORT_MAX_ROWS:
            raise Problem(
                413,
                _("%(count)s rows; at most %(limit)s are accepted: send them in parts.")
                % {"count": len(rows), "limit": settings.API_IMPORT_MAX_ROWS},
                "too-many-rows",
            )
        return rows
