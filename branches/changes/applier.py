"""Carrying out a change's lines in order against the locked units (``_Applier``): each
line checked (a Vietnamese message for what is wrong), then written through
``Organisation.save``, so that the unit's former placement is kept and the ledgers follow
by the signals they listen to. Runs of moved grassroots unions go to ``bulk`` instead."""

from django.db.models import Max, Q
from django.utils.translation import gettext as _

from .. import signals
from ..models import Organisation, Placement, TreeChangeLine, User, path_ids
from . import bulk, handover
from .common import _day, federation_of

Kind = TreeChangeLine.Kind
Level = Organisation.Kind


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

    def __init__(self, change, user, tree_only=False):
        self.change, self.user = change, user
        self.day = change.effective_on
        self.errors = []
        self.federations = {}
        # Checking a change before it applies in steps: the moves of grassroots unions in
        # bulk are made in the tree only (their totals are carried when the steps run).
        self.tree_only = tree_only
        self._handover = False  # the merged federation and successor of a hand-over, read once

    def refuse(self, message, **params):
        self.errors.append(message % params if params else message)

    def fresh(self, unit):
        return Organisation.objects.get(pk=unit.pk) if unit is not None else None

    def check_alive(self, unit, subtree=True, later=None):
        """A unit a change may touch on the change's day: founded by then, not ended, and
        not changed later than that day (the tree's history runs one way). ``later`` (a
        ``bulk.LaterPlacements``) answers the last question for many units at once."""
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
        last = _last_change_day(unit, subtree) if later is None else later.last_day(unit, subtree)
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
        if self.federation(parent) != self.federation(unit) and not self.hands_over(unit, parent):
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

    def hands_over(self, unit, parent):
        """The merger's hand-over moving ``unit`` to the successor (``handover.allows``)."""
        if self._handover is False:
            self._handover = handover.merged(self.change)
        return handover.allows(self._handover, unit, parent, self.day)

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
        grassroots = [child for child in children if child.kind == Level.GRASSROOTS]
        bulk.hand_over_children(self, line, grassroots, successor)
        for child in children:
            if child.kind != Level.GRASSROOTS:
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
                if target is not None and target.kind == Level.PROVINCE:
                    # Its units come under the successor on 1 January of the next year.
                    handover.plan(self.change, unit, target, self.user)
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
