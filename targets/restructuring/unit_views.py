"""The page that prepares a change of one unit (found, rename, change its level, split it);
its preview is the change's page, as for a bulk change. Thin: the form says what is asked,
``branches.changes`` what applies, ``branches.access`` who may."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from branches import access, changes
from branches.changes import Step

from .unit_forms import UnitChangeForm
from .views import _own_federation


def _step(data):
    code = data["anchor"].code
    action = data["action"]
    if action == "found":
        return Step("found", to=code, code=data["code"], name=data["name"], level=data["level"], sector=data["sector"])
    if action == "rename":
        return Step("rename", units=[code], name=data["name"])
    if action == "change_level":
        return Step("change_level", units=[code], level=data["level"], sector=data["sector"])
    return Step("split", units=[code], parts=data["parts"])


@login_required
def change_unit_new(request):
    """Prepare a change of one unit with its decision; its preview comes next."""
    federation = _own_federation(request.user)
    form = UnitChangeForm(request.POST or None, federation=federation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # The federation of the unit (one merged into the user's own, perhaps).
        owner = changes.federation_of(data["anchor"])
        if not access.can_change_tree(request.user, owner):
            raise PermissionDenied
        try:
            change = changes.change_plan(
                federation=owner,
                decision_number=data["decision_number"],
                decision_date=data["decision_date"],
                decision_text=data["decision_text"],
                effective_on=data["effective_on"],
                steps=[_step(data)],
                user=request.user,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            return redirect("tree-change", change.pk)
    return render(request, "restructuring/unit_change_form.html", {"form": form, "federation": federation})
