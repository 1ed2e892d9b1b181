"""Applying a change: checking it (``change_check``), confirming it after its preview
(``change_confirm``), applying it (``change_apply``) and applying those that fell due
(``apply_due_changes``).

A change of up to ``STEP`` moved grassroots unions (and any change applied inside a
transaction the caller holds) applies in one transaction. A larger one applies in short
steps, so that no officer's report write waits for the whole change: every line is checked
first (nothing applied on any error), then the change is marked *being applied* and runs in
steps of at most ``STEP`` units, each its own transaction that locks only its units, moves
them, carries their totals in both views and advances the change's ``lines_done``. Each step
leaves the totals exact for the tree as it then is; a step that fails rolls back alone, the
change stays *being applied* with the steps done, and applying it again carries on from
there (docs/tree-changes.md).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from unionplan import clock

from .. import access
from ..models import Organisation, TreeChange, TreeChangeLine
from . import bulk, handover
from .applier import _Applier
from .common import ChangeConflict, ChangeRefused, version

Status = TreeChange.Status
# Grassroots unions moved per step of a large change: a step holds its units' rows, and the
# totals of their old and new parents, for well under a second (benchmarks/tree_changes.py).
STEP = 200


class _RolledBack(Exception):
    pass


def _lines(change):
    lines = change.lines.filter(implied_by__isnull=True)
    return list(lines.select_related("unit", "target").order_by("order", "pk"))


def _unit_ids(lines):
    ids = set()
    for line in lines:
        ids.update(pk for pk in (line.unit_id, line.target_id) if pk)
    return sorted(ids)


def _locked_units(change, lines=None, no_key=False):
    """Lock the units ``lines`` (all the change's lines by default) touch, in id order."""
    if lines is None:
        ids = set()
        for unit_id, target_id in change.lines.values_list("unit_id", "target_id"):
            ids.update(pk for pk in (unit_id, target_id) if pk)
        ids = sorted(ids)
    else:
        ids = _unit_ids(lines)
    locked = []
    for part in bulk.chunks(ids):
        locked += Organisation.objects.select_for_update(no_key=no_key).filter(pk__in=part).order_by("pk")
    return locked


def _run(applier, lines, write_last=True):
    """Run ``lines`` in order: runs of moved grassroots unions in bulk, the others one by one."""
    segments = bulk.runs(lines)
    for index, (is_bulk, run) in enumerate(segments):
        if is_bulk:
            bulk.move_run(applier, run, write=write_last or index < len(segments) - 1)
        else:
            applier.run(run[0])


def _check_locked(change, user=None):
    """``change``'s lines checked (its moves of grassroots unions made in the tree only) and
    rolled back: [] or the reasons it cannot apply."""
    applier = _Applier(change, user, tree_only=True)
    try:
        with transaction.atomic():
            _run(applier, _lines(change), write_last=False)
            raise _RolledBack
    except _RolledBack:
        return applier.errors
    except ValidationError as error:
        return applier.errors + list(error.messages)


def _start(change, user, expected_version, statuses):
    """The change locked and checked for who applies it, when, and against what they saw."""
    change = TreeChange.objects.select_for_update().get(pk=change.pk)
    if change.status not in statuses:
        raise ChangeConflict([_("This change has already been applied or undone.")])
    if user is not None and not access.can_change_tree(user, change.federation):
        raise PermissionDenied
    busy = TreeChange.objects.filter(federation=change.federation, status__in=(Status.APPLYING, Status.UNDOING))
    if busy.exclude(pk=change.pk).exists():
        raise ChangeConflict(
            [_("Another change of this federation is being applied or undone: try again when it is done.")]
        )
    if change.handover_of_id and change.status == Status.PLANNED:
        handover.refresh(change)  # the merged federation's units as they are on its day
    return change


def _done(change, user):
    change.status = Status.APPLIED
    change.applied_by = user or change.applied_by
    change.applied_at = clock.now()
    change.save(update_fields=["status", "applied_by", "applied_at", "updated_at"])
    return change


def is_large(change):
    """Whether ``change`` moves more than ``STEP`` units, counting those moved with a unit it
    ends (before it applies: the active units under the units it dissolves or merges). A
    large change applies and is undone in steps, and its pages leave its preview, applying
    and undoing to the background worker (docs/tree-changes.md)."""
    if change.status in (Status.APPLYING, Status.UNDOING):
        return True
    count = change.lines.filter(kind=TreeChangeLine.Kind.MOVE).count()  # implied ones too, once applied
    if count <= STEP and change.status in (Status.DRAFT, Status.PLANNED):
        ended = change.lines.filter(
            kind__in=(TreeChangeLine.Kind.DISSOLVE, TreeChangeLine.Kind.MERGE), implied_by__isnull=True
        ).values("unit_id")
        alive = Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=change.effective_on)
        count += Organisation.objects.filter(alive, parent__in=ended).count()
    return count > STEP


def check_version(change, expected_version):
    """Refuse with ``ChangeConflict`` when ``change``'s units are no longer as the preview
    carrying ``expected_version`` saw them (None: nothing to compare)."""
    if expected_version is not None and expected_version != version(change):
        raise ChangeConflict(
            [_("The units of this change were changed by someone else meanwhile: check the preview again.")]
        )


def change_apply(change, *, user=None, expected_version=None):
    """Apply a planned change: every line in order, or nothing (with all that is wrong).
    With ``expected_version`` (the preview's), a change to its units made by someone else
    since is refused with ``ChangeConflict``. A large change applies in steps (see above)."""
    stepwise = change.status == Status.APPLYING or (
        not transaction.get_connection().in_atomic_block and is_large(change)
    )
    if stepwise:
        return _apply_in_steps(change, user, expected_version)
    return _apply_at_once(change, user, expected_version)


@transaction.atomic
def _apply_at_once(change, user, expected_version):
    change = _start(change, user, expected_version, (Status.DRAFT, Status.PLANNED))
    _locked_units(change)
    if expected_version is not None and expected_version != version(change):
        raise ChangeConflict(
            [_("The units of this change were changed by someone else meanwhile: check the preview again.")]
        )
    applier = _Applier(change, user)
    _run(applier, _lines(change))
    if applier.errors:
        raise ChangeRefused(applier.errors)
    return _done(change, user)


def _apply_in_steps(change, user, expected_version):
    with transaction.atomic():
        change = _start(change, user, expected_version, (Status.DRAFT, Status.PLANNED, Status.APPLYING))
        if change.status != Status.APPLYING:
            if expected_version is not None and expected_version != version(change):
                raise ChangeConflict(
                    [_("The units of this change were changed by someone else meanwhile: check the preview again.")]
                )
            reasons = _check_locked(change, user)
            if reasons:
                raise ChangeRefused(reasons)
            change.status, change.lines_done, change.applied_by = Status.APPLYING, 0, user
            change.save(update_fields=["status", "lines_done", "applied_by", "updated_at"])
    lines = _lines(change)
    position = change.lines_done  # carrying on: the lines before it were applied
    for is_bulk, run in bulk.runs(lines[position:]):
        for step in bulk.chunks(run, STEP) if is_bulk else [run]:
            _apply_step(change, user, step, position, len(lines))
            position += len(step)
    with transaction.atomic():
        change = TreeChange.objects.select_for_update().get(pk=change.pk)
        if change.status != Status.APPLYING:
            raise ChangeConflict([_("This change has already been applied or undone.")])
        return _done(change, user)


@transaction.atomic
def _apply_step(change, user, lines, start, total):
    """One step of a change applied in steps: its ``lines`` (from the ``start``-th; their
    units are read again, fresh, when they run), their units locked, in one transaction that
    also records how far the change has come."""
    change = TreeChange.objects.select_for_update().get(pk=change.pk)
    if change.status != Status.APPLYING or change.lines_done != start:
        raise ChangeConflict([_("This change is being applied by someone else meanwhile.")])
    _locked_units(change, lines, no_key=True)
    applier = _Applier(change, user)
    _run(applier, lines)
    if applier.errors:
        raise ChangeRefused(
            [
                *applier.errors,
                _(
                    "The change stopped after %(done)s of its %(total)s lines (the totals are exact for them): "
                    "apply it again once this is put right to carry on."
                )
                % {"done": change.lines_done, "total": total},
            ]
        )
    change.lines_done = start + len(lines)
    change.save(update_fields=["lines_done", "updated_at"])


def change_confirm(change, *, user=None, expected_version=None):
    """Confirm a change after its preview: applied now when its day has come, else planned
    to take effect on its day (checked now all the same: a change that cannot apply is
    refused). Returns the change."""
    if change.effective_on <= clock.today():
        return change_apply(change, user=user, expected_version=expected_version)
    with transaction.atomic():
        locked = TreeChange.objects.select_for_update().get(pk=change.pk)
        if locked.status != Status.DRAFT:
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
        locked.status = Status.PLANNED
        locked.save(update_fields=["status", "updated_at"])
        return locked


def change_check(change):
    """What applying ``change`` now would say: [] when it applies, else the reasons (nothing
    is kept: the change is checked and rolled back)."""
    try:
        with transaction.atomic():
            _start(change, None, None, (Status.DRAFT, Status.PLANNED))
            return _check_locked(change)
    except ValidationError as error:
        return list(error.messages)


def due_changes(today=None):
    """The planned changes whose day has come and those left being applied, oldest first."""
    today = today or clock.today()
    due = TreeChange.objects.filter(status__in=(Status.PLANNED, Status.APPLYING), effective_on__lte=today)
    return due.order_by("effective_on", "pk")


def apply_due_changes(today=None, *, skip_large=False):
    """Apply the planned changes whose day has come, oldest first, and carry on those left
    being applied: (applied, {change: reasons}). With ``skip_large`` (a page's request), the
    large ones are left to the background worker."""
    applied, failed = [], {}
    for change in due_changes(today):
        if skip_large and is_large(change):
            continue
        try:
            applied.append(change_apply(change))
        except ValidationError as error:
            failed[change] = list(error.messages)
    return applied, failed
