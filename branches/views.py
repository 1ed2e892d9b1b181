"""Upper levels register the grassroots unions founded in their subtree."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from . import access
from .forms import OrganisationRegisterForm
from .models import Organisation
from .services import organisation_register


@login_required
def register_unit(request, parent_id=None):
    """Register a newly founded grassroots union under ``parent`` (by default the
    officer's own unit; another upper level of the subtree may be chosen)."""
    if parent_id is None:
        parent = access.review_root(request.user)
        if parent is None:
            raise PermissionDenied
    else:
        parent = get_object_or_404(Organisation, pk=parent_id)
    if not access.can_register_unit_under(request.user, parent):
        raise PermissionDenied
    form = OrganisationRegisterForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = organisation_register(parent=parent, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("%(unit)s was registered under %(parent)s with code %(code)s.")
                % {"unit": unit.name, "parent": parent.name, "code": unit.code},
            )
            return redirect("branches:register_under", parent_id=parent.pk)
    parents = Organisation.objects.under(access.review_root(request.user) or parent).exclude(
        kind=Organisation.Kind.GRASSROOTS
    )
    return render(request, "branches/register.html", {"form": form, "parent": parent, "parents": parents})
