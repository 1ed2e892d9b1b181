"""What the parts of ``branches.changes`` share: the errors a change is refused with, the
federation a unit belongs to, a day as the messages write it, and a change's fingerprint."""

import hashlib

from django.core.exceptions import ValidationError
from django.utils.formats import date_format

from ..models import Organisation, path_ids

Level = Organisation.Kind


class ChangeRefused(ValidationError):
    """The change cannot apply: ``messages`` says why (nothing was applied)."""


class ChangeConflict(ChangeRefused):
    """Someone else changed the units since the preview was shown."""


def _day(day):
    return date_format(day, "SHORT_DATE_FORMAT")


def federation_of(unit):
    """The federation a unit belongs to: its nearest ancestor (or itself) that is a
    provincial federation, else the top of its tree."""
    ancestors = list(Organisation.objects.filter(pk__in=path_ids(unit.path)))
    by_depth = sorted(ancestors, key=lambda u: len(u.path), reverse=True)
    for candidate in by_depth:
        if candidate.kind == Level.PROVINCE:
            return candidate
    return by_depth[-1] if by_depth else unit


def version(change):
    """A fingerprint of the units the change touches as they are now: a preview carries it,
    and applying with another one means someone changed them in between."""
    ids = set()
    for unit_id, target_id in change.lines.values_list("unit_id", "target_id"):
        ids.update(pk for pk in (unit_id, target_id) if pk)
    rows = (
        Organisation.objects.filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", "parent_id", "name", "kind", "dissolved_on", "path")
    )
    text = repr(list(rows)) + change.status
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:16]
