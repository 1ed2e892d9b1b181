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
