"""The merger's hand-over (issue 21, item 6). A federation merged into another keeps its units
to its year end (its resolution is counted over them, ``Resolution.tree_day``); on 1 January of
the next year they come under the successor, whose resolution of that year then expects them.

Applying the merger plans the hand-over (``plan``): a change of the successor, effective that
day, with the merger's decision number, moving the units directly under the merged federation.
Its lines follow the merged federation's units until it applies (``refresh``); it applies on
its day like any planned change; undoing the merger before then discards it (``discard``). It
is the one move across federations allowed (``allows``)."""

import datetime

from django.utils.translation import gettext as _

from ..models import Organisation, TreeChange, TreeChangeLine

Kind = TreeChangeLine.Kind
Level = Organisation.Kind


def handover_day(merged_on):
    """The first day of the year after a merger effective on ``merged_on``."""
    return datetime.date(merged_on.year + 1, 1, 1)


def plan(merger, federation, successor, user=None):
    """Record the planned hand-over of ``federation``'s units to ``successor`` for ``merger``."""
    change = TreeChange.objects.create(
        federation=successor,
        decision_number=merger.decision_number,
        decision_date=merger.decision_date,
        decision_text=_(
            "Hand-over on the merger of %(federation)s into %(successor)s: the units under %(federation)s come "
            "under %(successor)s from the first day of the year after the merger."
        )
        % {"federation": federation.name, "successor": successor.name},
        effective_on=handover_day(merger.effective_on),
        status=TreeChange.Status.PLANNED,
        created_by=user,
        handover_of=merger,
    )
    refresh(change, (federation, successor))
    return change


def merged(change):
    """(merged federation, successor) of a hand-over ``change``, or None for another change."""
    if change.handover_of_id is None:
        return None
    line = (
        TreeChangeLine.objects.filter(change_id=change.handover_of_id, unit__kind=Level.PROVINCE, target__isnull=False)
        .select_related("unit", "target")
        .first()
    )
    return (line.unit, line.target) if line is not None else None


def refresh(change, pair=None):
    """The lines of a planned hand-over: one move per unit directly under the merged
    federation still active on the day (upper levels first, then grassroots unions)."""
    pair = pair or merged(change)
    if pair is None:
        return
    federation, successor = pair
    change.lines.all().delete()
    units = (
        Organisation.objects.filter(parent=federation)
        .active_on(change.effective_on)
        .order_by("-kind", "path")
        .values_list("pk", flat=True)
    )
    TreeChangeLine.objects.bulk_create(
        TreeChangeLine(change=change, order=order, kind=Kind.MOVE, unit_id=pk, target=successor)
        for order, pk in enumerate(units)
    )


def allows(pair, unit, parent, day):
    """Whether moving ``unit`` under ``parent`` on ``day`` is the hand-over ``pair`` (merged
    federation, successor) stands for: a unit directly under the merged federation, to its
    successor, on the first day of the year after the merger. Nothing else crosses federations."""
    if pair is None:
        return False
    federation, successor = pair
    return (
        unit.parent_id == federation.pk
        and parent.pk == successor.pk
        and federation.merged_into_id == successor.pk
        and federation.dissolved_on is not None
        and day == handover_day(federation.dissolved_on)
    )


def discard(merger):
    """Undoing ``merger``: its hand-over, while still planned, is discarded."""
    TreeChange.objects.filter(handover_of=merger, status=TreeChange.Status.PLANNED).delete()
