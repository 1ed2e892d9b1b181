"""Changes to the organisation tree as recorded decisions: plan one (``change_plan``), check
what it would do, apply it (``change_apply``), apply those that fell due
(``apply_due_changes``) and undo a unit's last one (``change_undo``).

A change's lines run in the order the decision lists them (``applier``). Every write of a
single unit goes through ``Organisation.save``, so that the unit's former placement is kept
and the ledgers above follow by the signals they already listen to; runs of grassroots
unions moved together are carried set-wise per (old parent, new parent) (``bulk``,
``signals.units_moved``). What the targets' side must pass on (allocations) it hears from
``signals.unit_ended`` and ``signals.unit_restored``. Reports are never touched: a report
stays with the unit that filed it. A large change applies in short steps after all its
checks (``apply``; docs/tree-changes.md says why).
"""

from .apply import (
    apply_due_changes,
    change_apply,
    change_check,
    change_confirm,
    check_version,
    due_changes,
    is_large,
)
from .common import ChangeConflict, ChangeRefused, federation_of, version
from .planning import Step, change_plan, steps_from_data
from .undo import change_undo, last_change_of, undo_blockers

__all__ = [
    "ChangeConflict",
    "ChangeRefused",
    "Step",
    "apply_due_changes",
    "change_apply",
    "change_check",
    "change_confirm",
    "change_plan",
    "change_undo",
    "check_version",
    "due_changes",
    "federation_of",
    "is_large",
    "last_change_of",
    "steps_from_data",
    "undo_blockers",
    "version",
]
