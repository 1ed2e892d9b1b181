"""Monthly reports: the list, a report, and the workflow's writes (through
``targets.reporting.services``, access checked inside)."""

from django.db import transaction
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from branches import access
from targets.reporting import selectors, services
from targets.reporting.models import MonthlyReport
from targets.resolution.models import Resolution

from .. import serializers as s
from ..entry import SentFigure, check_month, figure_rows_of
from ..filters import ReportFilter
from ..pagination import ID_AFTER_FILTERING, IdCursorPagination
from ..problems import Problem, ProblemSerializer
from ..rows import report_rows, reports_data


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
    response = Response(reports_data(report_rows(MonthlyReport.objects.filter(pk=report.pk)))[0], status=status_code)
    response["ETag"] = etag(report)
    return response


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
        which ``report_month_id`` (resolution, month, id) gives a page at a time. For a branch
        of the tree (the caller's, or ``scope`` or ``unit`` asked) with a year, month or status
        asked, its reports are found through its units and then sorted
        (``ID_AFTER_FILTERING``), however far along the month they lie; without those (an
        ``updated_since`` alone) the recent changes are few and read in id order."""
        params = self.request.query_params
        branch = access.sees_one_branch(self.request.user) or params.get("scope") or params.get("unit")
        narrowed = any(params.get(name) for name in ("year", "month", "status", "scope", "unit"))
        key = ID_AFTER_FILTERING if branch and narrowed else "id"
        return ("month", key) if params.get("month", "").isdigit() else (key,)

    def list(self, request, *args, **kwargs):
        # The page's ids first (from the indexes alone where they can), then those reports'
        # rows with their unit's code and year: the joins run for one page, not for every
        # report sorted to find it.
        ids = self.paginate_queryset(self.filter_queryset(self.get_queryset()).values_list("id", flat=True))
        rows = report_rows(MonthlyReport.objects.filter(id__in=ids).order_by("id")) if ids else []
        return self.get_paginated_response(reports_data(rows))

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
