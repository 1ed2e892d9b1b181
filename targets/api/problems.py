"""Every error of the API in one shape: RFC 9457 problem details (``application/problem+json``).

``{"type", "title", "status", "detail", "instance"}``, plus ``errors`` (each ``field`` and
``message``) when the request's data was refused. Titles and details are in the user's
language (Vietnamese by default). The workflow's refusals (``targets.reporting.services``)
become their HTTP answers here, in one place: a stale version 412, a locked report or
year 409, the four-eyes rule 403, a form's refusal 400.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from targets.reporting import services

logger = logging.getLogger(__name__)
CONTENT_TYPE = "application/problem+json"


def titles():
    return {
        400: _("The request is not valid"),
        401: _("Sign in with a token"),
        403: _("Not allowed"),
        404: _("Not found"),
        405: _("Method not allowed"),
        406: _("Format not available"),
        409: _("Conflict with the report's state"),
        412: _("The report changed meanwhile"),
        413: _("The request is too large"),
        415: _("Send JSON"),
        422: _("The request cannot be processed"),
        428: _("Say which version you changed (If-Match)"),
        429: _("Too many requests"),
        500: _("Server error"),
    }


class Problem(exceptions.APIException):
    """An error answered as a problem with its own status and type (``code``)."""

    def __init__(self, status_code, detail, code, errors=None, headers=None):
        self.status_code = status_code
        self.errors = errors or []
        self.headers = headers or {}
        super().__init__(detail=detail, code=code)


class ProblemSerializer(serializers.Serializer):
    """The shape of every error (for the schema)."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField()
    errors = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField(allow_null=True)), required=False
    )


def _workflow_problem(exc):
    """The HTTP answer to a refusal of the reporting services."""
    if isinstance(exc, services.ReportConflict):
        return Problem(412, str(exc), "stale-version")
    if isinstance(exc, services.ReportFourEyes):
        return Problem(403, str(exc), "four-eyes")
    if isinstance(exc, services.ReportYearLocked):
        return Problem(409, str(exc), "year-locked")
    if isinstance(exc, services.ReportLocked):
        return Problem(409, str(exc), "report-locked")
    if isinstance(exc, services.ReportMonthNotOpen):
        return Problem(409, str(exc), "month-not-open")
    return Problem(409, str(exc), "workflow")


def flatten_errors(detail, prefix=""):
    """DRF's nested error details as [{"field": "figures.0.quantity", "message": …}]."""
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            name = "" if key in ("non_field_errors", "__all__") else str(key)
            out += flatten_errors(value, f"{prefix}.{name}" if prefix and name else (name or prefix))
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return [{"field": prefix or None, "message": str(item)} for item in detail]
        out = []
        for index, item in enumerate(detail):
            out += flatten_errors(item, f"{prefix}.{index}" if prefix else str(index))
        return out
    return [{"field": prefix or None, "message": str(detail)}]


def problem_body(status_code, detail, code=None, errors=None, instance=""):
    body = {
        "type": f"urn:unionplan:problem:{code}" if code else "about:blank",
        "title": titles().get(status_code, str(status_code)),
        "status": status_code,
        "detail": str(detail),
        "instance": instance,
    }
    if errors:
        body["errors"] = errors
    return body


def problem(status_code, detail, code=None, errors=None, instance="", headers=None):
    return Response(
        problem_body(status_code, detail, code, errors, instance),
        status=status_code,
        headers=headers,
        content_type=CONTENT_TYPE,
    )


def problem_response(exc, context):
    """DRF's exception handler: every error as a problem."""
    request = context.get("request")
    instance = request.get_full_path() if request is not None else ""
    if isinstance(exc, services.ReportError):
        exc = _workflow_problem(exc)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError([str(m) for m in exc.messages])
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found, or not yours to see."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or _("You may not do this."))
    response = exception_handler(exc, context)
    if response is None:
        logger.exception("API error", exc_info=exc)
        return problem(500, _("Something went wrong on the server; nothing was changed."), instance=instance)
    headers = {k: v for k, v in response.items() if k in ("Retry-After", "WWW-Authenticate", "Allow")}
    headers.update(getattr(exc, "headers", {}) or {})
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail)
        return problem(
            status.HTTP_400_BAD_REQUEST,
            _("The data sent was refused: see errors."),
            "invalid",
            errors=errors,
            instance=instance,
            headers=headers,
        )
    if isinstance(exc, Problem):
        return problem(exc.status_code, exc.detail, _code(exc), exc.errors, instance, headers)
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
    if isinstance(exc, exceptions.Throttled):
        detail = _("Too many requests with this token: try again in %(seconds)s seconds.") % {
            "seconds": exc.wait and int(exc.wait + 0.999)
        }
    return problem(response.status_code, detail, _code(exc), None, instance, headers)


def _code(exc):
    return getattr(getattr(exc, "detail", None), "code", None)


class ProblemAutoSchema(AutoSchema):
    """The schema says what the API does: every operation may answer these errors, each as a
    problem (``application/problem+json``)."""

    ERROR_CODES = (400, 401, 403, 404, 405, 406, 409, 412, 413, 415, 422, 428, 429)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self.ERROR_CODES:
            key = str(code)
            if key not in responses:
                responses[key] = self._get_response_for_code(
                    ProblemSerializer, key, media_types=[CONTENT_TYPE], direction=direction
                )
            content = responses[key].get("content", {})
            for media in [m for m in content if m != CONTENT_TYPE]:
                content[CONTENT_TYPE] = content.pop(media)
            responses[key]["description"] = str(titles().get(code, key))
        return responses
