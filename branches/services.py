"""Writes that change the organisation tree: one function per action, in a transaction."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

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
    generated = not fields.get("code")
    for _attempt in range(5):
        if generated:
            fields["code"] = _generated_code(parent)
        unit = Organisation(parent=parent, **fields)
        unit.full_clean()
        try:
            # Two officers registering at the same moment: the unique code decides, and the
            # one who comes second gets the form back instead of a server error.
            with transaction.atomic():
                unit.save()
        except IntegrityError:
            if not generated:
                raise ValidationError({"code": _("This code is already in use.")}) from None
            continue
        return unit
    raise ValidationError({"code": _("This code is already in use.")})
