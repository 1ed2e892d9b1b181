"""The bulk change form: one decision that moves, dissolves or merges many units, chosen by
their upper level (with a filter), by a pasted list of codes or an uploaded list."""

import re

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from branches import access
from branches.models import Organisation, TreeChangeLine

MAX_LIST_BYTES = 1024 * 1024
MAX_UNITS = 20000
ACTIONS = [
    ("move", _("Move them under")),
    ("dissolve", _("Dissolve them and hand their units to")),
    ("merge", _("Merge them into")),
]


def within(federation):
    """The units a federation's staff change: its own and those of the federations merged
    into it (``access.can_change_tree``), as a filter on units."""
    scope = Q(path__startswith=federation.path)
    for path in access.federations_merged_into(federation).values_list("path", flat=True):
        scope |= Q(path__startswith=path)
    return scope


def codes_in(text):
    """The codes of a pasted or uploaded list: separated by spaces, commas, semicolons or lines."""
    return [code for code in re.split(r"[\s,;]+", text or "") if code]


class DecisionForm(forms.Form):
    """The decision behind a change: number, date, text and the day it takes effect."""

    decision_number = forms.CharField(label=_("decision number"), max_length=64)
    decision_date = forms.DateField(label=_("decision date"), required=False, localize=True)
    decision_text = forms.CharField(label=_("decision"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    effective_on = forms.DateField(label=_("effective on"), localize=True)

    def style(self):
        for name in ("decision_date", "effective_on"):
            self.fields[name].widget.attrs["placeholder"] = "dd/mm/yyyy"
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs.setdefault(
                "class", "form-select form-select-sm" if is_select else "form-control form-control-sm"
            )


class BulkChangeForm(DecisionForm):
    action = forms.ChoiceField(label=_("Change"), choices=ACTIONS)
    target = forms.CharField(label=_("Code of the unit they go to"), max_length=32, required=False)
    under = forms.ModelChoiceField(
        label=_("All units under"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("(none chosen)"),
    )
    name_contains = forms.CharField(label=_("whose name contains"), max_length=100, required=False)
    sector = forms.ChoiceField(
        label=_("of the sector"), choices=[("", _("any sector")), *Organisation.Sector.choices], required=False
    )
    codes = forms.CharField(
        label=_("Or paste their codes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "KG-RG-001\nKG-RG-002"}),
    )
    code_list = forms.FileField(label=_("Or upload a list of codes (.txt, .csv)"), required=False)
    officers = forms.ChoiceField(
        label=_("Officers of the ended units"), choices=TreeChangeLine.Officers.choices, required=False
    )

    def __init__(self, *args, federation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.federation = federation
        units = Organisation.objects.exclude(kind=Organisation.Kind.GRASSROOTS).filter(dissolved_on__isnull=True)
        if federation is not None:
            units = units.filter(within(federation))
        self.fields["under"].queryset = units
        self.style()

    def clean_code_list(self):
        upload = self.cleaned_data.get("code_list")
        if not upload:
            return []
        if upload.size > MAX_LIST_BYTES:
            raise forms.ValidationError(_("The list is larger than 1 MB."))
        try:
            return codes_in(upload.read(MAX_LIST_BYTES).decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The list is not a text file (UTF-8).")) from None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        codes = codes_in(data.get("codes")) + data.get("code_list", [])
        known = dict(Organisation.objects.filter(code__in=codes).values_list("code", "path"))
        unknown = [c for c in dict.fromkeys(codes) if c not in known]
        if unknown:
            shown = ", ".join(unknown[:20]) + (" …" if len(unknown) > 20 else "")
            self.add_error("codes", _("No unit has these codes: %(codes)s") % {"codes": shown})
        chosen = list(dict.fromkeys(codes))
        under = data.get("under")
        if under is not None:
            children = Organisation.objects.filter(parent=under, dissolved_on__isnull=True)
            if data.get("name_contains"):
                children = children.filter(name__icontains=data["name_contains"])
            if data.get("sector"):
                children = children.filter(Q(sector=data["sector"]))
            chosen += [c for c in children.order_by("path").values_list("code", flat=True) if c not in chosen]
        if not chosen and not unknown:
            self.add_error(None, _("Choose the units: an upper level, a list of codes or a file."))
        if len(chosen) > MAX_UNITS:
            self.add_error(None, _("At most %(n)s units in one change.") % {"n": MAX_UNITS})
        if self.federation is not None:
            outside = Organisation.objects.filter(code__in=chosen).exclude(within(self.federation))
            if outside.exists():
                self.add_error(
                    None,
                    _("Some units are not in your federation: %(codes)s")
                    % {"codes": ", ".join(outside.values_list("code", flat=True)[:20])},
                )
        target = data.get("target", "").strip()
        if data.get("action") in ("move", "merge") and not target:
            self.add_error("target", _("Give the code of the unit they go to."))
        if target and not Organisation.objects.filter(code=target).exists():
            self.add_error("target", _("No unit has the code “%(code)s”.") % {"code": target})
        data["units"] = chosen
        data["target"] = target
        return data
