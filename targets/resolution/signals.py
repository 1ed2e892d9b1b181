"""Facts the resolution step announces to the steps above it (see ``targets.apps``)."""

from django.dispatch import Signal

# Sent inside the save's transaction with ``component`` when what counts for it changed
# (its measure, kind of figure, threshold, levels, sectors or workforce floor).
component_changed = Signal()
