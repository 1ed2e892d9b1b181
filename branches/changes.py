"""Changes to the organisation tree as recorded decisions: plan one (``change_plan``), check
what it would do, apply it in one transaction (``change_apply``), apply those that fell due
(``apply_due_changes``) and undo a unit's last one (``change_undo``).

A change's lines run in the order the decision lists them. Every write goes through
``Organisation.save``, so that the unit's former placement is kept and the ledgers above
follow by the signals they already listen to; what the targets' side must pass on
(allocations) it hears from ``signals.unit_ended`` and ``signals.unit_restored``. Reports
are never touched: a report stays with the unit that filed it.
"""

import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from unionplan import clock

from . import access, signals, undoing
from .models import Organisation, Placement, TreeChange, TreeChangeLine, User, path_ids

Kind = TreeChangeLine.Kind
Level = Organisation.Kind


class ChangeRefused(ValidationError):
    """The change cannot apply: ``messages`` says why (nothing was applied)."""


class ChangeConflict(ChangeRefused):
    """Someone else changed the units since the preview was shown."""


def _day(day):
    return date_format(day, "SHORT_DATE_FORMAT")


def federation_of(unit):
    """The federation a unit belongs to: its nearest ancestor (or itself) that is a
    provincial federation, else the top of its tree."""
    ancestors = list(Organisation.objects.filter(pk__in=path_ids(unit.path)))
    by_depth = sorted(ancestors, key=lambda u: len(u.path), reverse=True)
    for candidate in by_depth:
        if candidate.kind == Level.PROVINCE:
            return candidate
    return by_depth[-1] if by_depth else unit


# -- planning ------------------------------------------------------------------------------


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


# -- checking and applying -----------------------------------------------------------------


def version(change):
    """A fingerprint of the units the change touches as they are now: a preview carries it,
    and applying with another one means someone changed them in between."""
    ids = set()
    for unit_id, target_id in change.lines.values_list("unit_id", "target_id"):
        ids.update(pk for pk in (unit_id, target_id) if pk)
    rows = (
        Organisation.objects.filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", "parent_id", "name", "kind", "dissolved_on", "path")
    )
    text = repr(list(rows)) + change.status
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:16]


def _last_change_day(unit, subtree=True):
    """The day of the latest move that touched ``unit`` (or, with ``subtree``, any unit
    under it): a part of the tree changes in date order, so that a former placement always
    says where a unit was."""
    placements = (
        Placement.objects.filter(Q(unit__path__startswith=unit.path) | Q(path__startswith=unit.path))
        if subtree
        else unit.placements
    )
    return placements.aggregate(day=Max("until"))["day"]


class _Applier:
    """Runs a change's lines in order against the locked units, collecting what is wrong."""

    def __init__(self, change, user):
        self.change, self.user = change, user
        self.day = change.effective_on
        self.errors = []
        self.federations = {}

    def refuse(self, message, **params):
        self.errors.append(message % params if params else message)

    def fresh(self, unit):
        return Organisation.objects.get(pk=unit.pk) if unit is not None else None

    def check_alive(self, unit, subtree=True):
        """A unit a change may touch on the change's day: founded by then, not ended, and
        not changed later than that day (the tree's history runs one way)."""
        if unit.dissolved_on is not None:
            self.refuse(_("%(unit)s was already dissolved on %(day)s."), unit=unit.name, day=_day(unit.dissolved_on))
            return False
        if unit.founded_on and unit.founded_on > self.day:
            self.refuse(
                _("%(unit)s was founded on %(day)s: a change cannot take effect before its founding."),
                unit=unit.name,
                day=_day(unit.founded_on),
            )
            return False
        last = _last_change_day(unit, subtree)
        if last and last > self.day:
            self.refuse(
                _("%(unit)s last changed on %(day)s: a change cannot take effect before that."),
                unit=unit.name,
                day=_day(last),
            )
            return False
        return True

    def federation(self, unit):
        """``federation_of``, asked once per set of ancestors within a change."""
        key = tuple(path_ids(unit.path)[:-1]) if unit.kind != Level.PROVINCE else (unit.pk,)
        if key not in self.federations:
            self.federations[key] = federation_of(unit).pk
        return self.federations[key]

    def check_parent(self, unit, parent):
        if parent.kind == Level.GRASSROOTS:
            self.refuse(
                _("%(unit)s cannot be placed under %(parent)s: a grassroots union has no units under it."),
                unit=unit.name,
                parent=parent.name,
            )
            return False
        if parent.is_within(unit):
            self.refuse(
                _("%(unit)s cannot be placed under itself or one of its own units (%(parent)s)."),
                unit=unit.name,
                parent=parent.name,
            )
            return False
        if self.federation(parent) != self.federation(unit):
            self.refuse(
                _(
                    "%(unit)s cannot move to %(parent)s, in another federation: its reports of the year count "
                    "for its own federation's resolution. End it here and found it under %(parent)s (with a "
                    "new code), or, when the whole federation joins the other, merge the federations."
                ),
                unit=unit.name,
                parent=parent.name,
            )
            return False
        return True

    def save(self, unit):
        unit.effective_on, unit.tree_change = self.day, self.change
        unit.save()

    def move(self, line, unit, parent, implied_by=None):
        if implied_by is not None:
            line = TreeChangeLine.objects.create(
                change=self.change,
                order=implied_by.order,
                kind=Kind.MOVE,
                unit=unit,
                target=parent,
                implied_by=implied_by,
            )
        line.previous_parent_id = unit.parent_id
        line.save(update_fields=["previous_parent"])
        unit.parent = parent
        self.save(unit)

    def hand_over(self, line, unit, successors):
        """End ``unit``: its active children go to the first successor, its officers follow
        it or stay (read-only) until an admin assigns them, its allocations pass on."""
        successor = successors[0][0] if successors else None
        children = list(
            Organisation.objects.filter(parent=unit)
            .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=self.day))
            .order_by("pk")
        )
        if children and successor is None:
            self.refuse(
                _("%(unit)s still has %(count)s units under it: name a successor to hand them to."),
                unit=unit.name,
                count=len(children),
            )
            return
        for child in children:
            self.move(None, child, successor, implied_by=line)
        if successor is not None and line.officers == TreeChangeLine.Officers.FOLLOW:
            officers = list(User.objects.filter(organisation=unit).values_list("pk", flat=True))
            User.objects.filter(pk__in=officers).update(organisation=successor)
            line.officers_moved = officers
        line.previous_dissolved_on = unit.dissolved_on
        signals.unit_ended.send(sender=TreeChangeLine, line=line, unit=unit, successors=successors)
        line.save(update_fields=["officers_moved", "previous_dissolved_on", "allocations_moved"])
        unit.dissolved_on = self.day
        if unit.kind == Level.PROVINCE and successor is not None and successor.kind == Level.PROVINCE:
            unit.merged_into = successor
        self.save(unit)

    def run(self, line):
        kind = line.kind
        unit = self.fresh(line.unit)
        if line.target_id is None and line.code and kind != Kind.FOUND:
            line.target = Organisation.objects.filter(code=line.code).first()
            line.save(update_fields=["target"])
        target = self.fresh(line.target)
        if kind == Kind.FOUND:
            if target is None or not self.check_alive(target, subtree=False):
                return
            if Organisation.objects.filter(code=line.code).exists():
                self.refuse(_("The code “%(code)s” is already in use."), code=line.code)
                return
            if target.kind == Level.GRASSROOTS:
                self.refuse(
                    _("%(unit)s cannot be founded under %(parent)s: a grassroots union has no units under it."),
                    unit=line.name,
                    parent=target.name,
                )
                return
            level = line.level or Level.GRASSROOTS
            # Only a grassroots union has a sector (a file may name one for an upper level too).
            sector = (line.sector or Organisation.Sector.NON_STATE_ENTERPRISE) if level == Level.GRASSROOTS else ""
            new = Organisation(
                code=line.code, name=line.name, kind=level, sector=sector, parent=target, founded_on=self.day
            )
            self.save(new)
            line.unit = new
            line.save(update_fields=["unit"])
            return
        if kind == Kind.SPLIT and self.split_parts(line)[0].pk != line.pk:
            return  # founded with the split's first line
        if unit is None or not self.check_alive(unit):
            return
        if kind == Kind.RENAME:
            if not line.name.strip():
                self.refuse(_("The new name of %(unit)s is empty."), unit=unit.name)
                return
            line.previous_name = unit.name
            line.save(update_fields=["previous_name"])
            unit.name = line.name.strip()
            self.save(unit)
        elif kind == Kind.MOVE:
            if target is None or not self.check_alive(target, subtree=False) or not self.check_parent(unit, target):
                return
            if unit.parent_id == target.pk:
                self.refuse(_("%(unit)s is already under %(parent)s."), unit=unit.name, parent=target.name)
                return
            self.move(line, unit, target)
        elif kind in (Kind.DISSOLVE, Kind.MERGE):
            if target is not None:
                if target.pk == unit.pk:
                    self.refuse(_("%(unit)s cannot be merged into itself."), unit=unit.name)
                    return
                if not self.check_alive(target, subtree=False):
                    return
                if target.is_within(unit):
                    self.refuse(
                        _("%(unit)s cannot hand its units to one of its own units (%(parent)s)."),
                        unit=unit.name,
                        parent=target.name,
                    )
                    return
                federation_merge = unit.kind == Level.PROVINCE and target.kind == Level.PROVINCE
                if not federation_merge and self.federation(target) != self.federation(unit):
                    self.refuse(
                        _("%(unit)s cannot be merged into %(parent)s, in another federation."),
                        unit=unit.name,
                        parent=target.name,
                    )
                    return
                if target.kind == Level.GRASSROOTS and unit.kind != Level.GRASSROOTS:
                    self.refuse(
                        _("%(unit)s cannot be handed to %(parent)s: a grassroots union has no units under it."),
                        unit=unit.name,
                        parent=target.name,
                    )
                    return
            elif kind == Kind.MERGE:
                self.refuse(_("A merge needs the unit to merge into."))
                return
            if unit.kind == Level.PROVINCE:
                # A federation keeps its units until its year ends: only it ends.
                line.previous_dissolved_on = unit.dissolved_on
                line.save(update_fields=["previous_dissolved_on"])
                unit.dissolved_on = self.day
                unit.merged_into = target
                if target is not None and line.officers == TreeChangeLine.Officers.FOLLOW:
                    officers = list(User.objects.filter(organisation=unit).values_list("pk", flat=True))
                    User.objects.filter(pk__in=officers).update(organisation=target)
                    line.officers_moved = officers
                    line.save(update_fields=["officers_moved"])
                self.save(unit)
                return
            self.hand_over(line, unit, [(target, 100)] if target is not None else [])
        elif kind == Kind.SPLIT:
            self.split(line, unit)
        elif kind == Kind.CHANGE_LEVEL:
            if not self.level_may_change(line, unit):
                return
            if line.level == Level.GRASSROOTS and Organisation.objects.filter(parent=unit).exists():
                self.refuse(_("%(unit)s has units under it: it cannot become a grassroots union."), unit=unit.name)
                return
            line.previous_level = unit.kind
            line.save(update_fields=["previous_level"])
            unit.kind = line.level
            unit.sector = (
                (line.sector or Organisation.Sector.NON_STATE_ENTERPRISE) if line.level == Level.GRASSROOTS else ""
            )
            self.save(unit)

    def level_may_change(self, line, unit):
        """A federation keeps its level; a unit is given another level than its own."""
        if unit.kind in (Level.PROVINCE, Level.CONFEDERATION):
            self.refuse(_("%(unit)s is a federation: its level cannot be changed."), unit=unit.name)
            return False
        if line.level == unit.kind:
            self.refuse(
                _("%(unit)s is already at that level (%(level)s)."), unit=unit.name, level=unit.get_kind_display()
            )
            return False
        return True

    def split_parts(self, line):
        return list(self.change.lines.filter(kind=Kind.SPLIT, unit_id=line.unit_id).order_by("order", "pk"))

    def split(self, line, unit):
        """The first line of a split founds every part and ends the unit; the others were
        handled with it."""
        parts = self.split_parts(line)
        total = sum(p.share or 0 for p in parts)
        if len(parts) < 2:
            self.refuse(_("A split of %(unit)s needs at least two parts."), unit=unit.name)
            return
        if total != 100:
            self.refuse(
                _("The shares of the split of %(unit)s add up to %(total)s%%, not 100%%."), unit=unit.name, total=total
            )
            return
        if Organisation.objects.filter(parent=unit).exists():
            self.refuse(_("%(unit)s has units under it: move them before splitting it."), unit=unit.name)
            return
        made = []
        for part in parts:
            if Organisation.objects.filter(code=part.code).exists():
                self.refuse(_("The code “%(code)s” is already in use."), code=part.code)
                return
            new = Organisation(
                code=part.code,
                name=part.name,
                kind=unit.kind,
                sector=unit.sector,
                parent=unit.parent,
                founded_on=self.day,
                workforce=unit.workforce * part.share // 100,
                members=unit.members * part.share // 100,
            )
            self.save(new)
            part.target = new
            part.save(update_fields=["target"])
            made.append((new, part.share))
        line.officers = TreeChangeLine.Officers.UNASSIGNED
        self.hand_over(line, unit, made)


def _locked_units(change):
    ids = set()
    for unit_id, target_id in change.lines.values_list("unit_id", "target_id"):
        ids.update(pk for pk in (unit_id, target_id) if pk)
    return list(Organisation.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


@transaction.atomic
def change_apply(change, *, user=None, expected_version=None):
    """Apply a planned change in one transaction: every line in order, or nothing (with all
    that is wrong). With ``expected_version`` (the preview's), a change to its units made
    by someone else since is refused with ``ChangeConflict``."""
    change = TreeChange.objects.select_for_update().get(pk=change.pk)
    if change.status not in (TreeChange.Status.DRAFT, TreeChange.Status.PLANNED):
        raise ChangeConflict([_("This change has already been applied or undone.")])
    if user is not None and not access.can_change_tree(user, change.federation):
        raise PermissionDenied
    _locked_units(change)
    if expected_version is not None and expected_version != version(change):
        raise ChangeConflict(
            [_("The units of this change were changed by someone else meanwhile: check the preview again.")]
        )
    applier = _Applier(change, user)
    for line in change.lines.filter(implied_by__isnull=True).select_related("unit", "target").order_by("order", "pk"):
        applier.run(line)
    if applier.errors:
        raise ChangeRefused(applier.errors)
    change.status = TreeChange.Status.APPLIED
    change.applied_by = user
    change.applied_at = clock.now()
    change.save(update_fields=["status", "applied_by", "applied_at", "updated_at"])
    return change


def change_confirm(change, *, user=None, expected_version=None):
    """Confirm a change after its preview: applied now when its day has come, else planned
    to take effect on its day (checked now all the same: a change that cannot apply is
    refused). Returns the change."""
    if change.effective_on <= clock.today():
        return change_apply(change, user=user, expected_version=expected_version)
    with transaction.atomic():
        locked = TreeChange.objects.select_for_update().get(pk=change.pk)
        if locked.status != TreeChange.Status.DRAFT:
            raise ChangeConflict([_("This change has already been applied or undone.")])
        if user is not None and not access.can_change_tree(user, locked.federation):
            raise PermissionDenied
        if expected_version is not None and expected_version != version(locked):
            raise ChangeConflict(
                [_("The units of this change were changed by someone else meanwhile: check the preview again.")]
            )
        reasons = change_check(locked)
        if reasons:
            raise ChangeRefused(reasons)
        locked.status = TreeChange.Status.PLANNED
        locked.save(update_fields=["status", "updated_at"])
        return locked


def change_check(change):
    """What applying ``change`` now would say: [] when it applies, else the reasons (nothing
    is kept: the change is applied and rolled back)."""
    try:
        with transaction.atomic():
            change_apply(change)
            raise _RolledBack
    except _RolledBack:
        return []
    except ValidationError as error:
        return list(error.messages)


class _RolledBack(Exception):
    pass


def apply_due_changes(today=None):
    """Apply the planned changes whose day has come, oldest first: (applied, {change: reasons})."""
    today = today or clock.today()
    applied, failed = [], {}
    for change in TreeChange.objects.filter(status=TreeChange.Status.PLANNED, effective_on__lte=today).order_by(
        "effective_on", "pk"
    ):
        try:
            applied.append(change_apply(change))
        except ValidationError as error:
            failed[change] = list(error.messages)
    return applied, failed


# -- undoing -------------------------------------------------------------------------------


def last_change_of(unit):
    """The last applied change that touched ``unit`` (as the unit changed, or as the one
    something was handed to), or None."""
    line = (
        TreeChangeLine.objects.filter(Q(unit=unit) | Q(target=unit), change__status=TreeChange.Status.APPLIED)
        .select_related("change")
        .order_by("-change__applied_at", "-change__pk")
        .first()
    )
    return line.change if line else None


def undo_blockers(change):
    """Why ``change`` cannot be undone ([] when it can): a later change touched its units,
    or something was filed under the new structure (the targets' side answers
    ``signals.undo_asked``)."""
    reasons = []
    ids = set()
    for unit_id, target_id in change.lines.values_list("unit_id", "target_id"):
        ids.update(pk for pk in (unit_id, target_id) if pk)
    # Unit by unit: a later change that built on what this one changed (``undoing``).
    reasons.extend(undoing.reasons(change))
    for _receiver, answer in signals.undo_asked.send(sender=TreeChange, change=change, unit_ids=ids):
        reasons.extend(answer or [])
    return reasons


@transaction.atomic
def change_undo(change, *, user=None):
    """Undo an applied change, last line first, if nothing was filed under it since."""
    change = TreeChange.objects.select_for_update().get(pk=change.pk)
    if change.status != TreeChange.Status.APPLIED:
        raise ChangeRefused([_("Only an applied change can be undone.")])
    if user is not None and not access.can_change_tree(user, change.federation):
        raise PermissionDenied
    _locked_units(change)
    reasons = undo_blockers(change)
    if reasons:
        raise ChangeRefused(reasons)
    day = change.effective_on
    founded = []
    split_first = {}
    for line in change.lines.filter(kind=Kind.SPLIT).order_by("-order", "-pk"):
        split_first[line.unit_id] = line.pk
    for line in change.lines.select_related("unit").order_by("-order", "-pk"):
        unit = Organisation.objects.get(pk=line.unit_id) if line.unit_id else None
        unit_back = unit
        if line.kind == Kind.FOUND:
            founded.append(unit)
            continue
        if line.kind == Kind.RENAME:
            unit.name = line.previous_name
        elif line.kind == Kind.MOVE:
            unit.parent_id = line.previous_parent_id
        elif line.kind == Kind.CHANGE_LEVEL:
            unit.kind = line.previous_level
            unit.sector = (
                "" if unit.kind != Level.GRASSROOTS else (unit.sector or Organisation.Sector.NON_STATE_ENTERPRISE)
            )
        elif line.kind in (Kind.DISSOLVE, Kind.MERGE, Kind.SPLIT):
            if line.kind == Kind.SPLIT:
                if line.target_id:
                    founded.append(Organisation.objects.get(pk=line.target_id))
                if split_first[line.unit_id] != line.pk:
                    continue
            signals.unit_restored.send(sender=TreeChangeLine, line=line, unit=unit)
            User.objects.filter(pk__in=line.officers_moved).update(organisation=unit)
            unit.dissolved_on = line.previous_dissolved_on
            unit.merged_into = None
        unit_back.effective_on, unit_back.tree_change = day, change
        unit_back.save()
    for unit in founded:
        if unit.users.exists():
            raise ChangeRefused([_("%(unit)s has officers now: it cannot be taken back.") % {"unit": unit.name}])
        Placement.objects.filter(unit=unit).delete()
        unit.delete()
    # The placements the change and its undoing wrote cancel out: the units were where they are.
    Placement.objects.filter(change=change).delete()
    change.status = TreeChange.Status.UNDONE
    change.save(update_fields=["status", "updated_at"])
    return change
