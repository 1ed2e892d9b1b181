"""Load a year's resolution from a data file (see targets/data/)."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from branches.models import Organisation

from .models import PriorityTask, Resolution, Target, TargetComponent

LEVEL_FIELDS = {"province": "for_province", "upper_level": "for_upper_level", "grassroots": "for_grassroots"}
SECTOR_FIELDS = {
    "public_agency": "for_public_agency",
    "state_enterprise": "for_state_enterprise",
    "non_state_enterprise": "for_non_state_enterprise",
}


def _component_fields(data):
    reported_by = data.get("reported_by", [])
    sectors = data.get("sectors", list(SECTOR_FIELDS))
    unknown = (set(reported_by) - set(LEVEL_FIELDS)) | (set(sectors) - set(SECTOR_FIELDS))
    if unknown:
        raise ValueError(f"unknown level or sector: {sorted(unknown)}")
    fields = {
        "label": data.get("label", ""),
        "figure": int(data["figure"]),
        "unit_of_measure": data["unit_of_measure"],
        "measure": data["measure"],
        "figure_kind": data.get("figure_kind", TargetComponent.FigureKind.AT_LEAST),
        "threshold": Decimal(data["threshold"]) if data.get("threshold") else None,
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
        raise ValueError(
            f"target {data['number']}: continues target {number} of {resolution.year - 1}, "
            f"which is not loaded for {resolution.organisation.code}"
        )
    return previous


@transaction.atomic
def load_resolution(data, *, update=False):
    """Create the resolution described by ``data``; return (resolution, created).

    Idempotent: rows that exist are left as they are (admins may have edited them),
    unless ``update`` is true, in which case they are set to the file's values.
    """

    def upsert(model, lookup, defaults):
        if update:
            return model.objects.update_or_create(**lookup, defaults=defaults)
        return model.objects.get_or_create(**lookup, defaults=defaults)

    org = data["organisation"]
    organisation, _ = Organisation.objects.get_or_create(
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
    for t in data["targets"]:
        target, _ = upsert(
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
            upsert(TargetComponent, {"target": target, "order": order}, _component_fields(component))
    for task in data["tasks"]:
        upsert(
            PriorityTask,
            {"resolution": resolution, "number": task["number"]},
            {"title": task["title"], "text": task["text"]},
        )
    return resolution, created


def load_resolution_file(path, *, update=False):
    return load_resolution(json.loads(Path(path).read_text(encoding="utf-8")), update=update)
