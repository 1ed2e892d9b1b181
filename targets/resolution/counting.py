"""What decides which reported figures count for a component, and how: a change to any of
these fields changes the running totals. ``fingerprint`` is a short digest of their values,
kept on the component (``TargetComponent.counted_as``) as the definition its totals were last
computed with, so that a change made where no signal is sent (a data migration's historical
model, a queryset ``update``) is found and recounted after ``migrate`` (see
``targets.reporting.ledger.recount.recount_changed_components``)."""

import hashlib
from decimal import Decimal

COUNTING_FIELDS = (
    "measure",
    "figure_kind",
    "threshold",
    "min_workforce",
    "for_province",
    "for_upper_level",
    "for_grassroots",
    "for_public_agency",
    "for_state_enterprise",
    "for_non_state_enterprise",
)


def _canonical(value):
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def fingerprint(component):
    """The digest of ``component``'s counting fields (any object with those attributes: the
    model, or a migration's historical model)."""
    text = "|".join(f"{name}={_canonical(getattr(component, name))}" for name in COUNTING_FIELDS)
    return hashlib.sha256(text.encode()).hexdigest()[:32]
