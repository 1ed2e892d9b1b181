"""Load a year's resolution from a data file (see targets/data/).

The file is first checked against its published JSON Schema (``resolution.schema.json``,
described in docs/resolution-file.md) and a few rules a schema cannot say (target numbers used twice, a
date that does not exist): every problem becomes one message naming the target, the
component and the field, and nothing is loaded from a file with any problem.
"""

import datetime
import functools
import json
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator

from branches.models import Organisation
from unionplan.numbers import format_number
from unionplan.schemas import schema_problem

from . import services
from .models import PriorityTask, Resolution, Target, TargetComponent

SCHEMA_FILE = Path(__file__).with_name("resolution.schema.json")
LEVEL_FIELDS = {"province": "for_province", "upper_level": "for_upper_level", "grassroots": "for_grassroots"}
SECTOR_FIELDS = {
    "public_agency": "for_public_agency",
    "state_enterprise": "for_state_enterprise",
    "non_state_enterprise": "for_non_state_enterprise",
}


class ResolutionFileError(ValueError):
    """A resolution file that cannot be loaded: ``messages`` says every reason, one a line."""

    def __init__(self, messages):
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


@functools.cache
def schema():
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def _where(data, path):
    """ "target 3, component 2" (or "task 1", or nothing at the top level) for a path in the file."""
    if len(path) < 2 or path[0] not in ("targets", "tasks") or not isinstance(path[1], int):
        return ""
    items = data.get(path[0]) if isinstance(data, dict) else None
    item = items[path[1]] if isinstance(items, list) and path[1] < len(items) else None
    number = item.get("number") if isinstance(item, dict) else None
    if path[0] == "tasks":
        where = _("task %(number)s") % {"number": number} if isinstance(number, int) else ""
        where = where or _("task no. %(position)s in the file") % {"position": path[1] + 1}
        return where
    where = _("target %(number)s") % {"number": number} if isinstance(number, int) else ""
    where = where or _("target no. %(position)s in the file") % {"position": path[1] + 1}
    if len(path) >= 4 and path[2] == "components" and isinstance(path[3], int):
        where += ", " + _("component %(position)s") % {"position": path[3] + 1}
    return where


def _message(where, field, problem):
    if where:
        return _("%(where)s, field “%(field)s”: %(problem)s") % {"where": where, "field": field, "problem": problem}
    return _("field “%(field)s”: %(problem)s") % {"field": field, "problem": problem}


def _rule_errors(data):
    """What the schema cannot say: numbers used twice, dates that do not exist, thresholds."""
    messages = []
    for key in ("targets", "tasks"):
        seen = set()
        for position, item in enumerate(data.get(key) or []):
            number = item.get("number") if isinstance(item, dict) else None
            if isinstance(number, int) and number in seen:
                where = _where(data, [key, position])
                messages.append(_message(where, "number", _("the number %(n)s is used twice") % {"n": number}))
            seen.add(number)
    try:
        datetime.date.fromisoformat(str(data.get("issued_on")))
    except ValueError:
        messages.append(_message("", "issued_on", _("not a date (yyyy-mm-dd)")))
    return messages


def check_resolution(data):
    """Every problem of a resolution file's ``data``, as messages (empty when it loads)."""
    if not isinstance(data, dict):
        return [_("The file must hold one JSON object (a resolution).")]
    errors = sorted(Draft202012Validator(schema()).iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    messages = []
    for error in errors:
        if error.validator in ("allOf", "if", "then"):
            continue
        field, problem = schema_problem(error)
        messages.append(_message(_where(data, list(error.absolute_path)), field, problem))
    if not messages:
        messages = _rule_errors(data)
    return list(dict.fromkeys(messages))


def _component_fields(data):
    reported_by = data["reported_by"]
    sectors = data.get("sectors", list(SECTOR_FIELDS))
    fields = {
        "label": data.get("label", ""),
        "figure": int(data["figure"]),
        "unit_of_measure": data["unit_of_measure"],
        "measure": data["measure"],
        "figure_kind": data.get("figure_kind", TargetComponent.FigureKind.AT_LEAST),
        "threshold": Decimal(str(data["threshold"])) if data.get("threshold") is not None else None,
        "threshold_unit": data.get("threshold_unit", ""),
        "min_workforce": data.get("min_workforce"),
    }
    fields |= {field: level in reported_by for level, field in LEVEL_FIELDS.items()}
    fields |= {field: sector in sectors for sector, field in SECTOR_FIELDS.items()}
    return fields


def _continued_target(resolution, data):
    """The previous year's target named by ``"continues": <number>`` (same federation)."""
    number = data.get("continues")
    if number is None:
        return None
    previous = Target.objects.filter(
        resolution__organisation=resolution.organisation, resolution__year=resolution.year - 1, number=number
    ).first()
    if previous is None:
        where = _("target %(number)s") % {"number": data["number"]}
        problem = _("continues target %(continued)s of %(year)s, which is not loaded for %(code)s") % {
            "continued": number,
            "year": resolution.year - 1,
            "code": resolution.organisation.code,
        }
        raise ResolutionFileError([_message(where, "continues", problem)])
    return previous


@transaction.atomic
def load_resolution(data, *, update=False, reason="", effective_month=None, user=None):
    """Create the resolution described by ``data``; return (resolution, created).

    Idempotent: rows that exist are left as they are (admins may have edited them),
    unless ``update`` is true, in which case they are set to the file's values; a figure
    that changes needs a reason and the month it applies from (the component's "reason"
    and "effective_month" in the file, else ``reason`` and ``effective_month``). Raises
    ``ResolutionFileError`` with every problem, having loaded nothing.
    """
    messages = check_resolution(data)
    if messages:
        raise ResolutionFileError(messages)

    def upsert(model, lookup, defaults):
        if update:
            return model.objects.update_or_create(**lookup, defaults=defaults)
        return model.objects.get_or_create(**lookup, defaults=defaults)

    org = data["organisation"]
    organisation, _created = Organisation.objects.get_or_create(
        code=org["code"], defaults={"name": org["name"], "kind": org["kind"]}
    )
    resolution, created = upsert(
        Resolution,
        {"organisation": organisation, "year": data["year"]},
        {
            "reference": data.get("reference", ""),
            "issuing_body": data["issuing_body"],
            "issued_on": datetime.date.fromisoformat(data["issued_on"]),
            "title": data["title"],
            "theme": data["theme"],
            "report_due_day": data.get("report_due_day", 20),
            "source": data.get("source", ""),
        },
    )
    for position, t in enumerate(data["targets"]):
        target, _created = upsert(
            Target,
            {"resolution": resolution, "number": t["number"]},
            {
                "text": t["text"],
                "short_name": t["short_name"],
                "due_month": t.get("due_month"),
                "continues": _continued_target(resolution, t),
            },
        )
        for order, component in enumerate(t["components"], start=1):
            fields = _component_fields(component)
            existing = TargetComponent.objects.filter(target=target, order=order).first()
            if existing is None or not update:
                upsert(TargetComponent, {"target": target, "order": order}, fields)
                continue
            figure = fields.pop("figure")
            if not existing.figure:  # a figure still to be set (copied resolution): no change to explain
                fields["figure"] = figure
            # Through save(): a change of what counts recounts the totals (signals).
            for name, value in fields.items():
                setattr(existing, name, value)
            existing.save()
            if figure != existing.figure:  # a figure that was set changes: with a reason
                where = _where(data, ["targets", position, "components", order - 1])
                try:
                    services.change_figure(
                        existing,
                        figure=figure,
                        reason=component.get("reason") or reason,
                        effective_month=component.get("effective_month") or effective_month,
                        user=user,
                    )
                except ValidationError as error:
                    problem = _("the figure changes from %(old)s to %(new)s: %(why)s") % {
                        "old": format_number(existing.figure),
                        "new": format_number(figure),
                        "why": " ".join(error.messages),
                    }
                    messages.append(_message(where, "figure", problem))
    for task in data["tasks"]:
        upsert(
            PriorityTask,
            {"resolution": resolution, "number": task["number"]},
            {"title": task["title"], "text": task["text"]},
        )
    if messages:  # raised inside the transaction: everything above is rolled back
        raise ResolutionFileError(messages)
    return resolution, created


def read_resolution_file(path):
    """The data of a resolution file; ``ResolutionFileError`` when it cannot be read."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise ResolutionFileError(
            [_("Cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror}]
        ) from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ResolutionFileError(
            [_("%(path)s is not a JSON file: %(error)s") % {"path": path, "error": error}]
        ) from error


def load_resolution_file(path, *, update=False, reason="", effective_month=None, user=None):
    return load_resolution(
        read_resolution_file(path), update=update, reason=reason, effective_month=effective_month, user=user
    )
