"""Signals the organisation tree sends when a unit moves or changes what it is, so that
figures kept elsewhere (targets' running totals) follow without branches knowing of them."""

from django.dispatch import Signal

# Sent inside the save's transaction with ``unit``, once it has its path.
unit_added = Signal()
# Sent inside the save's transaction with ``unit``, ``old_path`` and ``effective_on`` (the
# day the move took effect: months ending before it stay where they were in the "as it
# was" view; ``branches.models.Placement``).
unit_moved = Signal()
# Sent with ``unit`` and ``before`` (an unsaved copy holding the old kind, sector,
# workforce, founding and dissolution dates, and path), before ``unit_moved`` when both apply.
unit_attributes_changed = Signal()

# A change to the tree (``branches.changes``) ends ``unit`` inside its transaction:
# ``successors`` [(unit, share in percent)] take over what it answered for; ``line`` is the
# change's line, whose ``allocations_moved`` the receiver fills in so that it can be undone.
unit_ended = Signal()
# The change that ended ``unit`` is undone (``line`` as above): give back what was passed on.
unit_restored = Signal()
# May ``change`` be undone? Receivers answer with a list of reasons why not (``unit_ids``:
# the units it touched).
undo_asked = Signal()
# Sent inside a change's transaction when grassroots unions moved together on
# ``effective_on``: ``groups`` [(units, old parent's path, new parent's path)], each group's
# units all under the one old parent, their paths already set: ``unit_moved`` for each
# unit, carried as one.
units_moved = Signal()
