"""Planning a change: the steps of a decision (``Step``, from a decision file by
``steps_from_data``) recorded as a planned change with one line per unit (``change_plan``)."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from .. import access
from ..models import Organisation, TreeChange, TreeChangeLine
from .common import ChangeRefused

Kind = TreeChangeLine.Kind
Level = Organisation.Kind


@dataclass
class Step:
    """One entry of a decision, in the words of ``apply_changes``'s file (units by code)."""

    kind: str
    units: list = field(default_factory=list)
    to: str = ""
    code: str = ""
    name: str = ""
    level: str = ""
    sector: str = ""
    parts: list = field(default_factory=list)  # split: [{"code", "name", "share"}]
    officers: str = TreeChangeLine.Officers.FOLLOW


def steps_from_data(changes):
    """[Step] from the ``changes`` list of a decision file (already checked by its schema)."""
    steps = []
    for entry in changes:
        kind = entry["kind"]
        if kind == "found":
            steps.append(
                Step(
                    kind,
                    to=entry["parent"],
                    code=entry["code"],
                    name=entry["name"],
                    level=entry.get("level", Level.GRASSROOTS),
                    sector=entry.get("sector", ""),
                )
            )
        elif kind == "move":
            steps.append(Step(kind, units=list(entry["units"]), to=entry["to"]))
        elif kind == "dissolve":
            steps.append(
                Step(
                    kind,
                    units=list(entry["units"]),
                    to=entry.get("successor", ""),
                    officers=entry.get("officers", TreeChangeLine.Officers.FOLLOW),
                )
            )
        elif kind == "merge":
            steps.append(
                Step(
                    kind,
                    units=list(entry["units"]),
                    to=entry["into"],
                    officers=entry.get("officers", TreeChangeLine.Officers.FOLLOW),
                )
            )
        elif kind == "split":
            steps.append(Step(kind, units=[entry["unit"]], parts=list(entry["into"])))
        elif kind == "rename":
            steps.append(Step(kind, units=[entry["unit"]], name=entry["name"]))
        elif kind == "change_level":
            steps.append(Step(kind, units=[entry["unit"]], level=entry["level"], sector=entry.get("sector", "")))
    return steps


def _units_by_code(codes):
    found = {u.code: u for u in Organisation.objects.filter(code__in=codes)}
    return found


@transaction.atomic
def change_plan(*, federation, decision_number, effective_on, steps, user=None, decision_date=None, decision_text=""):
    """Record a change (planned) from ``steps``: units are named by code; a code that names
    no unit, unless an earlier step founds it, is refused with the others found wrong."""
    if user is not None and not access.can_change_tree(user, federation):
        raise PermissionDenied
    errors = []
    if not decision_number.strip():
        errors.append(_("The decision number is missing."))
    codes = {c for s in steps for c in [*s.units, s.to] if c}
    known = _units_by_code(codes)
    founded = set()
    change = TreeChange(
        federation=federation,
        decision_number=decision_number.strip(),
        decision_date=decision_date,
        decision_text=decision_text,
        effective_on=effective_on,
        created_by=user,
    )
    lines = []

    def unit(code):
        if code in known:
            return known[code]
        if code not in founded:
            errors.append(_("No unit has the code “%(code)s”.") % {"code": code})
        return None

    def pending(code):
        """The code of a unit an earlier step founds (found when the change is applied)."""
        return code if code and code not in known and code in founded else ""

    for step in steps:
        if step.kind == Kind.FOUND:
            lines.append(
                TreeChangeLine(
                    kind=Kind.FOUND,
                    target=unit(step.to),
                    code=step.code,
                    name=step.name,
                    level=step.level,
                    sector=step.sector,
                )
            )
            founded.add(step.code)
        elif step.kind == Kind.SPLIT:
            source = unit(step.units[0])
            for part in step.parts:
                lines.append(
                    TreeChangeLine(
                        kind=Kind.SPLIT, unit=source, code=part["code"], name=part["name"], share=part.get("share")
                    )
                )
                founded.add(part["code"])
        elif step.kind == Kind.MERGE:
            into = unit(step.to)
            for code in step.units:
                if code == step.to and len(step.units) > 1:
                    continue  # the unit merged into is listed among the units merged
                lines.append(
                    TreeChangeLine(
                        kind=Kind.MERGE, unit=unit(code), target=into, officers=step.officers, code=pending(step.to)
                    )
                )
        else:
            target = unit(step.to) if step.to else None
            for code in step.units:
                lines.append(
                    TreeChangeLine(
                        kind=step.kind,
                        unit=unit(code),
                        target=target,
                        name=step.name,
                        level=step.level,
                        sector=step.sector,
                        officers=step.officers,
                        code=pending(step.to),
                    )
                )
    if not lines:
        errors.append(_("The decision changes nothing."))
    if errors:
        raise ChangeRefused(errors)
    change.save()
    for order, line in enumerate(lines):
        line.change, line.order = change, order
    TreeChangeLine.objects.bulk_create(lines)
    return change
