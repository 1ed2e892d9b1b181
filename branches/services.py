"""Writes that change the organisation tree: one function per action, in a transaction."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from . import access
from .models import Organisation


def _generated_code(parent):
    prefix = f"{parent.code}-"
    codes = set(Organisation.objects.filter(code__startswith=prefix).values_list("code", flat=True))
    n = Organisation.objects.filter(parent=parent).count() + 1
    while f"{prefix}{n:03d}" in codes:
        n += 1
    return f"{prefix}{n:03d}"


@transaction.atomic
def organisation_register(*, parent, user, **fields):
    """Register a newly founded grassroots union under ``parent`` (a code is generated
    when none is given)."""
    if not access.can_register_unit_under(user, parent):
        raise PermissionDenied
    fields.setdefault("kind", Organisation.Kind.GRASSROOTS)
    if not fields.get("code"):
        fields["code"] = _generated_code(parent)
    unit = Organisation(parent=parent, **fields)
    unit.full_clean()
    unit.save()
    return unit
