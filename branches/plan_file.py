"""A decision changing the tree, prepared as a file (``manage.py apply_changes plan.json``):
read with a bound on its size, checked against its published JSON Schema
(``changes.schema.json``) and the rules a schema cannot say, then recorded as a change
(``changes.change_plan``). Every problem is one message; nothing is recorded from a file
with any problem."""

import datetime
import functools
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator

from unionplan.schemas import schema_problem

from . import changes
from .models import Organisation

SCHEMA_FILE = Path(__file__).with_name("changes.schema.json")
MAX_BYTES = 20 * 1024 * 1024  # 200,000 units named by code fit well within it


class PlanFileError(ValidationError):
    """The file cannot be applied: ``messages`` says why."""


@functools.cache
def schema():
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def read_plan_file(path):
    """The data of a decision file; ``PlanFileError`` when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise PlanFileError([_("Cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror}]) from error
    if len(raw) > MAX_BYTES:
        raise PlanFileError([_("%(path)s is larger than %(limit)s MB.") % {"path": path, "limit": MAX_BYTES // 2**20}])
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PlanFileError([_("%(path)s is not a JSON file: %(error)s") % {"path": path, "error": error}]) from error


def _where(path):
    if len(path) >= 2 and path[0] == "changes" and isinstance(path[1], int):
        return _("change no. %(position)s") % {"position": path[1] + 1}
    return ""


def check_plan(data):
    """Every problem of a decision file's ``data``, as messages (empty when it can be planned)."""
    if not isinstance(data, dict):
        return [_("The file must hold one JSON object (a decision).")]
    messages = []
    for error in sorted(
        Draft202012Validator(schema()).iter_errors(data), key=lambda e: list(map(str, e.absolute_path))
    ):
        if error.validator in ("allOf", "if", "then"):
            for sub in error.context or []:
                field, problem = schema_problem(sub)
                messages.append(_line(_where(list(sub.absolute_path)), field, problem))
            continue
        field, problem = schema_problem(error)
        messages.append(_line(_where(list(error.absolute_path)), field, problem))
    if not messages:
        for field, value in (("effective", data.get("effective")), ("date", data["decision"].get("date"))):
            if value is None:
                continue
            try:
                datetime.date.fromisoformat(value)
            except ValueError:
                messages.append(_line("", field, _("not a date (yyyy-mm-dd)")))
    return list(dict.fromkeys(messages))


def _line(where, field, problem):
    if where:
        return _("%(where)s, field “%(field)s”: %(problem)s") % {"where": where, "field": field, "problem": problem}
    return _("field “%(field)s”: %(problem)s") % {"field": field, "problem": problem}


def _federation(data):
    codes = []
    for entry in data["changes"]:
        codes += entry.get("units", []) + [entry.get(k) for k in ("unit", "to", "into", "successor", "parent")]
    first = Organisation.objects.filter(code__in=[c for c in codes if c]).order_by("path").first()
    return changes.federation_of(first) if first is not None else None


def plan_from_data(data, *, user=None):
    """Record the decision of a checked file as a change (not yet applied)."""
    messages = check_plan(data)
    if messages:
        raise PlanFileError(messages)
    federation = _federation(data)
    if federation is None:
        raise PlanFileError([_("The file names no unit that exists.")])
    decision = data["decision"]
    try:
        return changes.change_plan(
            federation=federation,
            decision_number=decision["number"],
            decision_date=datetime.date.fromisoformat(decision["date"]) if decision.get("date") else None,
            decision_text=decision.get("text", ""),
            effective_on=datetime.date.fromisoformat(data["effective"]),
            steps=changes.steps_from_data(data["changes"]),
            user=user,
        )
    except ValidationError as error:
        raise PlanFileError(error.messages) from error
