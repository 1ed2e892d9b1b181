"""Facts the resolution step announces to the steps above it (see ``targets.apps``)."""

from django.dispatch import Signal

# Sent inside the save's transaction with ``component`` when what counts for it changed
# (its measure, kind of figure, threshold, levels, sectors or workforce floor).
component_changed = Signal()

# Sent inside the save's transaction with ``resolution`` when it is new or its calendar
# changed (its year, its reports' due day or its issuer): who is expected and who was late.
calendar_changed = Signal()
