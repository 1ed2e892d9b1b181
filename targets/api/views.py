"""The API's endpoints: thin, as the pages' views are. Lists start from the querysets of
``branches.access`` (``visible_units``, ``Resolution.visible_to``, ``MonthlyReport.visible_to``);
writes call ``targets.reporting.services`` (access checked inside); figures come from
``targets.rollup`` (the dashboards' functions)."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, pagination, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from branches import access
from branches.models import Organisation
from targets.reporting import selectors, services
from targets.reporting.models import MonthlyReport
from targets.resolution.choice import resolution_choice
from targets.resolution.models import Resolution, TargetComponent
from targets.rollup.completeness import completeness, reported_so_far
from targets.rollup.progress import scope_progress

from . import idempotency
from . import serializers as s
from .bulk import import_rows
from .entry import SentFigure, check_month, figure_rows_of
from .filters import OrganisationFilter, ReportFilter
from .problems import Problem, ProblemSerializer


class IdCursorPagination(pagination.BasePagination):
    """Pages in id order, a key that never changes: walking a list while reports are written
    never skips or repeats one. ``next`` carries the last id seen (``cursor``); ``page_size``
    up to 1.000. A view may say how to order (``page_ordering``): the same id order, spelled
    so that PostgreSQL reads it from an index that starts with the filters' columns."""

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
        self.next_after = rows[size - 1].pk if len(rows) > size else None
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


def etag(report):
    return f'"{report.pk}-{report.version}"'


def if_match_version(request, report):
    """The version the client changed, from ``If-Match`` (428 when missing; a tag that is
    not this report's current one answers 412 through the service's version check)."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise Problem(
            428,
            _("Send the report's ETag in an If-Match header (read the report first)."),
            "if-match-required",
        )
    if header == "*":
        return report.version
    tag = header.removeprefix("W/").strip('"')
    pk, _sep, version = tag.partition("-")
    if pk != str(report.pk) or not version.isdigit():
        return -1  # never a version: the service refuses it as stale
    return int(version)


def with_etag(report, status_code=200):
    response = Response(s.reports_data([report])[0], status=status_code)
    response["ETag"] = etag(report)
    return response


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

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action in ("list", "retrieve"):
            context["figure_changes"] = figure_changes(
                TargetComponent.objects.filter(target__resolution__in=self.filter_queryset(self.get_queryset()))
            )
        return context


@extend_schema(tags=["organisations"])
class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """The units the caller may see: their own, and for an upper level its subtree."""

    serializer_class = s.OrganisationSerializer
    pagination_class = IdCursorPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = OrganisationFilter

    def get_queryset(self):
        return access.visible_units(self.request.user)


IF_MATCH = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=True, description="The ETag of the report as read."
)
ERRORS = {code: OpenApiResponse(ProblemSerializer) for code in (400, 403, 404, 409, 412, 428)}


@extend_schema_view(
    list=extend_schema(tags=["reports"]),
    retrieve=extend_schema(tags=["reports"]),
)
class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Monthly reports the caller may read, and the workflow's writes."""

    serializer_class = s.ReportSerializer
    pagination_class = IdCursorPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = ReportFilter

    def get_queryset(self):
        return MonthlyReport.objects.visible_to(self.request.user).select_related("resolution", "organisation")

    def page_ordering(self):
        """Id order; with one month asked, spelled (month, id): the same order (one month),
        which ``report_month_id`` (resolution, month, id) gives a page at a time."""
        return ("month", "id") if self.request.query_params.get("month", "").isdigit() else ("id",)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(s.reports_data(page))

    def retrieve(self, request, *args, **kwargs):
        return with_etag(self.get_object())

    def _allowed(self, report, check, message):
        """Refuse early (403) what the service would refuse for the user's role, so that a
        client learns it may not before being asked for the version or a comment; the
        service checks again inside its transaction."""
        if not check(self.request.user, report.organisation):
            raise Problem(403, message, "not-allowed")
        return report

    def _filed(self):
        return self._allowed(self.get_object(), access.can_file_for, _("Only the unit's own officer files its report."))

    def _reviewed(self):
        return self._allowed(
            self.get_object(), access.can_review_unit, _("Only an upper level above the unit reviews its reports.")
        )

    def _write(self, action_, report=None, **kwargs):
        """Run a service, answering the report with its new ETag."""
        report = action_(report=report, user=self.request.user, **kwargs)
        report = self.get_queryset().get(pk=report.pk)
        return with_etag(report)

    @extend_schema(
        tags=["reports"],
        request=s.ReportCreateSerializer,
        responses={201: s.ReportSerializer, **ERRORS},
        summary="File a unit's month",
    )
    def create(self, request):
        """Create the caller's unit's report for a month (as the report page does: the unit's
        own officer), with figures and task progress; ``submit`` sends it for review."""
        data = self._valid(s.ReportCreateSerializer, request.data)
        unit = access.visible_units(request.user).filter(pk=data["unit"]).first()
        if unit is None:
            raise Problem(404, _("Not found, or not yours to see."), "not-found")
        if not access.can_file_for(request.user, unit):
            raise Problem(403, _("Only the unit's own officer files its report."), "not-allowed")
        resolution = Resolution.objects.for_unit(unit).filter(year=data["year"]).first()
        if resolution is None:
            raise Problem(404, _("No resolution for this year."), "not-found")
        if not services.month_is_open(resolution=resolution, month=data["month"]) or data[
            "month"
        ] not in selectors.reporting_months(unit=unit, resolution=resolution):
            raise Problem(409, _("This month cannot be reported."), "month-not-open")
        if MonthlyReport.objects.filter(resolution=resolution, organisation=unit, month=data["month"]).exists():
            raise Problem(
                409,
                _("This month's report already exists: change it with PATCH and its ETag."),
                "report-exists",
            )
        with transaction.atomic():
            report = services.report_get_or_create(unit=unit, resolution=resolution, month=data["month"])
            self._save(report, data, submit=data.get("submit", False), expected_version=report.version)
        report = self.get_queryset().get(pk=report.pk)
        response = with_etag(report, status_code=status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(f"{report.pk}/")
        return response

    def _valid(self, serializer_class, data):
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _save(self, report, data, *, submit, expected_version):
        sent = [
            SentFigure(
                key=f"figures.{index}",
                component=item["component"],
                values={k: v for k, v in item.items() if k != "component"},
            )
            for index, item in enumerate(data.get("figures", []))
        ]
        nothing = data.get("nothing_to_report", report.nothing_to_report)
        checked = check_month(
            unit=report.organisation,
            report=report,
            figure_rows=figure_rows_of(report),
            before=selectors.figures_before(unit=report.organisation, resolution=report.resolution, month=report.month),
            sent=sent,
            nothing_to_report=nothing,
        )
        progress = {p.task_id: p for p in report.task_progress.all()}
        tasks, errors = {}, [(k, f, m) for k, f, m in checked.errors]
        for index, item in enumerate(data.get("tasks", [])):
            current = progress.get(item["task"])
            if current is None:
                errors.append((f"tasks.{index}", "task", _("no such priority task in this resolution")))
                continue
            tasks[item["task"]] = {
                "status": item.get("status", current.status),
                "narrative": item.get("narrative", current.narrative),
            }
        if errors:
            raise Problem(
                400,
                _("The data sent was refused: see errors."),
                "invalid",
                errors=[
                    {"field": ".".join(p for p in (key, part) if p) or None, "message": m} for key, part, m in errors
                ],
            )
        services.report_save(
            report=report,
            user=self.request.user,
            figures=checked.figures,
            tasks=tasks,
            nothing_to_report=nothing,
            note=data.get("note", report.note),
            expected_version=expected_version,
            submit=submit,
        )

    @extend_schema(
        tags=["reports"],
        request=s.ReportChangeSerializer,
        parameters=[IF_MATCH],
        responses={200: s.ReportSerializer, **ERRORS},
        summary="Change a report's figures and task progress",
    )
    def partial_update(self, request, pk=None):
        """Change the figures and task progress sent (others stay), as the unit's own officer,
        while the report is a draft or returned."""
        report = self._filed()
        data = self._valid(s.ReportChangeSerializer, request.data)
        version = if_match_version(request, report)
        self._save(report, data, submit=False, expected_version=version)
        return with_etag(self.get_queryset().get(pk=report.pk))

    def _action(self, request, service, report, **kwargs):
        version = if_match_version(request, report)
        return self._write(service, report=report, expected_version=version, **kwargs)

    @extend_schema(tags=["reports"], request=None, parameters=[IF_MATCH], responses={200: s.ReportSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the report for review (the unit's own officer)."""
        report = self._filed()
        version = if_match_version(request, report)
        return self._write(
            services.report_save,
            report=report,
            figures={},
            tasks={},
            nothing_to_report=report.nothing_to_report,
            note=report.note,
            expected_version=version,
            submit=True,
        )

    @extend_schema(tags=["reports"], request=None, parameters=[IF_MATCH], responses={200: s.ReportSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Take back a submitted report not reviewed yet (the unit's own officer)."""
        return self._action(request, services.report_withdraw, self._filed())

    @extend_schema(tags=["reports"], request=None, parameters=[IF_MATCH], responses={200: s.ReportSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve a submitted report (a reviewer above the unit; four eyes as on the pages)."""
        return self._action(request, services.report_approve, self._reviewed())

    @extend_schema(
        tags=["reports"],
        request=s.ReviewCommentSerializer,
        parameters=[IF_MATCH],
        responses={200: s.ReportSerializer, **ERRORS},
        operation_id="reports_return",
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """Return a submitted report to the unit with what to correct."""
        report = self._reviewed()
        data = self._valid(s.ReviewCommentSerializer, request.data)
        version = if_match_version(request, report)
        return self._write(services.report_return, report=report, expected_version=version, comment=data["comment"])

    @extend_schema(
        tags=["reports"],
        request=s.ReopenReasonSerializer,
        parameters=[IF_MATCH],
        responses={200: s.ReportSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Reopen an approved report for correction, with the reason."""
        report = self._reviewed()
        data = self._valid(s.ReopenReasonSerializer, request.data)
        version = if_match_version(request, report)
        return self._write(services.report_reopen, report=report, expected_version=version, reason=data["reason"])


class ScopeMonthMixin:
    """The unit (``unit``: the caller's own by default), the resolution (``year``) and the month
    a roll-up is about, chosen as the dashboards choose them."""

    def scope_month(self, request):
        params = request.query_params
        raw = params.get("unit")
        if raw in (None, ""):
            unit = request.user.organisation if request.user.organisation_id else None
            if unit is None:
                choice = resolution_choice(request.user, params)
                unit = choice.resolution.organisation if choice.resolution is not None else None
        else:
            unit = Organisation.objects.filter(pk=int(raw) if raw.isdigit() else 0).first()
        if unit is None or not access.can_view_unit(request.user, unit):
            raise Problem(404, _("No such union."), "not-found")
        choice = resolution_choice(request.user, params, unit=unit)
        resolution = choice.resolution
        if resolution is None or (params.get("year") and str(resolution.year) != params.get("year")):
            raise Problem(404, _("No resolution for this year."), "not-found")
        month = params.get("month")
        if month in (None, ""):
            month = resolution.default_month()
        elif not month.isdigit() or int(month) not in resolution.months_begun():
            raise Problem(
                400,
                _("The month must be one of January to December %(year)s that has begun.") % {"year": resolution.year},
                "month",
            )
        return unit, resolution, int(month)


SCOPE_PARAMETERS = [
    OpenApiParameter("unit", int, description="The unit (default: the caller's own)."),
    OpenApiParameter("year", int, description="The resolution's year (default: the year in progress)."),
    OpenApiParameter("month", int, description="1 to 12, a month that has begun (default: the dashboards')."),
]


class ProgressView(ScopeMonthMixin, APIView):
    @extend_schema(
        tags=["roll-ups"],
        parameters=SCOPE_PARAMETERS,
        responses={200: s.ProgressSerializer, 400: ProblemSerializer, 404: ProblemSerializer},
    )
    def get(self, request):
        """Progress of a unit's subtree on every component as of a month: the dashboard's
        figures (``targets.rollup.progress.scope_progress``), with how many units reported."""
        unit, resolution, month = self.scope_month(request)
        reported, expected = reported_so_far(resolution, unit, month)
        data = {
            "unit": unit.pk,
            "resolution": resolution.pk,
            "year": resolution.year,
            "month": month,
            "closed": resolution.is_closed(month),
            "coverage": {"reported": reported, "expected": expected},
            "components": scope_progress(resolution, unit, month),
        }
        return Response(s.ProgressSerializer(data).data)


class CompletenessView(ScopeMonthMixin, APIView):
    @extend_schema(
        tags=["roll-ups"],
        parameters=SCOPE_PARAMETERS,
        responses={200: s.CompletenessSerializer, 400: ProblemSerializer, 404: ProblemSerializer},
    )
    def get(self, request):
        """Who reported a month, per unit directly under the scope and in total: expected,
        on time, late, missing, not yet due (the completeness page's figures)."""
        unit, resolution, month = self.scope_month(request)
        rows, total = completeness(resolution, unit, month)
        data = {
            "unit": unit.pk,
            "resolution": resolution.pk,
            "year": resolution.year,
            "month": month,
            "total": total,
            "branches": rows,
        }
        return Response(s.CompletenessSerializer(data).data)


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
