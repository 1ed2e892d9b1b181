"""Roll-ups of a scope for a month: progress and completeness (``targets.rollup``, the
dashboards' functions)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from branches import access
from branches.models import Organisation
from targets.resolution.choice import resolution_choice
from targets.rollup.completeness import completeness, reported_so_far
from targets.rollup.progress import scope_progress

from .. import serializers as s
from ..problems import Problem, ProblemSerializer


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
