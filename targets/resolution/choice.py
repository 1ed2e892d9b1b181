"""Which resolution a page shows: one of the user's own federation (``visible_to``), of
the year asked for with ``?year=`` (the year switch), else the year in progress.

An officer's federation follows from their unit (or the unit a page is about); an admin
without a unit chooses the federation with ``?federation=<id>``.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

from branches.models import Organisation

from .models import Resolution


class YearForm(forms.Form):
    """The year switch (and, for an admin without a unit, the federation)."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    federation = forms.ModelChoiceField(
        label=_("Federation"), queryset=Organisation.objects.none(), required=False, empty_label=None
    )

    def __init__(self, data, *, years, federations=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]
        self.fields["year"].widget.attrs["class"] = "form-select form-select-sm"
        if federations is None:
            del self.fields["federation"]
        else:
            self.fields["federation"].queryset = federations
            self.fields["federation"].widget.attrs["class"] = "form-select form-select-sm"


@dataclass
class ResolutionChoice:
    resolution: Resolution | None
    form: YearForm
    params: dict = field(default_factory=dict)  # what links keep: year (and federation)

    @property
    def query(self):
        """``year=2020`` (``&federation=…``), for links that must stay in the chosen year."""
        return urlencode(self.params)


def _clean_int(raw):
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def resolution_choice(user, params, unit=None):
    """The resolution a page shows ``user``: among those they may see that apply to
    ``unit`` (their own unit when None), the one of ``params["year"]``. An unknown or
    unreadable year falls back to the year in progress, never to another federation."""
    candidates = Resolution.objects.visible_to(user)
    unit = unit if unit is not None else (user.organisation if user.organisation_id else None)
    federations = None
    chosen = {}
    if unit is not None:
        candidates = candidates.for_unit(unit)
    else:
        # An admin without a unit: every federation with a resolution, one at a time.
        federations = Organisation.objects.filter(pk__in=candidates.values("organisation")).order_by("path")
        federation = federations.filter(pk=_clean_int(params.get("federation"))).first() or federations.first()
        if federation is not None:
            candidates = candidates.filter(organisation=federation)
            chosen["federation"] = federation.pk
    resolution = candidates.pick(year=_clean_int(params.get("year")))
    if resolution is not None:
        chosen = {"year": resolution.year} | chosen
    form = YearForm(None, years=candidates.years(), federations=federations, initial=chosen)
    return ResolutionChoice(resolution=resolution, form=form, params=chosen)
