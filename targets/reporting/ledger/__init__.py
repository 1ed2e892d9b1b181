"""The running totals that every report write keeps exact in its own transaction.

``models`` holds the rows (figures and task statuses per organisation, component or task
and month; who reported per organisation, resolution and month); ``figures`` follows each
write to a unit's figures and task statuses (``tracking``, ``tracking_month``) and each move
or change of a unit; ``reporting`` does the same for who reported; ``rows`` adds a
contribution to every holder up the tree; ``recount`` recounts everything from the raw
figures. The names below are what the rest of the project calls.
"""

from .figures import tracking, tracking_month
from .recount import rebuild, recount_changed_components

__all__ = ["rebuild", "recount_changed_components", "tracking", "tracking_month"]
