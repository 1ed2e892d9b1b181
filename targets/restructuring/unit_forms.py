"""The change of one unit: found a unit, rename one, change its level, or split it into parts
(codes and names here; the shares are chosen in the preview, ``splits``). What a change may
do to the tree is checked when it is applied (``branches.changes``); the form checks what it
is asked to say: codes that exist, a name, a level, parts written one per line."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from branches.models import Organisation

from .forms import DecisionForm, within

Level = Organisation.Kind
ACTIONS = [
    ("found", _("Found a new unit")),
    ("rename", _("Rename a unit")),
    ("change_level", _("Change the level of a unit")),
    ("split", _("Split a unit into parts")),
]
LEVELS = [(Level.UPPER_LEVEL, Level.UPPER_LEVEL.label), (Level.GRASSROOTS, Level.GRASSROOTS.label)]
MAX_PARTS = 20


def equal_shares(count):
    """Shares in percent for ``count`` parts, as equal as whole numbers allow (the first
    takes what is left): the staff change them in the preview."""
    base = 100 // count
    return [base + 100 - base * count] + [base] * (count - 1)


def parts_in(text):
    """[(code, name)] from lines written "code; name" (or "code, name" or a tab between)."""
    parts = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        match = re.match(r"([^;\t,]*)[;\t,](.*)$", line)
        parts.append((match[1].strip(), match[2].strip()) if match else (line.strip(), ""))
    return parts


class UnitChangeForm(DecisionForm):
    action = forms.ChoiceField(label=_("Change"), choices=ACTIONS)
    unit = forms.CharField(label=_("Code of the unit"), max_length=32, required=False)
    parent = forms.CharField(label=_("Code of the unit it is founded under"), max_length=32, required=False)
    code = forms.CharField(label=_("Code of the new unit"), max_length=32, required=False)
    name = forms.CharField(label=_("Name (new)"), max_length=255, required=False)
    level = forms.ChoiceField(label=_("level"), choices=[("", "—"), *LEVELS], required=False)
    sector = forms.ChoiceField(
        label=_("Sector (a grassroots union)"), choices=[("", "—"), *Organisation.Sector.choices], required=False
    )
    parts = forms.CharField(
        label=_("The parts, one per line: code; name"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "KG-RG-005A; CĐCS …\nKG-RG-005B; CĐCS …"}),
    )

    def __init__(self, *args, federation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.federation = federation
        self.style()

    def _existing(self, field):
        code = (self.cleaned_data.get(field) or "").strip()
        if not code:
            self.add_error(field, _("Give the code of the unit."))
            return None
        unit = Organisation.objects.filter(code=code).first()
        if unit is None:
            self.add_error(field, _("No unit has the code “%(code)s”.") % {"code": code})
        elif (
            self.federation is not None
            and not Organisation.objects.filter(within(self.federation), pk=unit.pk).exists()
        ):
            self.add_error(field, _("Some units are not in your federation: %(codes)s") % {"codes": code})
            return None
        return unit

    def _new_code(self, code, field):
        if not code:
            self.add_error(field, _("Give the code of the new unit."))
        elif Organisation.objects.filter(code=code).exists():
            self.add_error(field, _("The code “%(code)s” is already in use.") % {"code": code})

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        action = data["action"]
        name = (data.get("name") or "").strip()
        data["name"] = name
        if action == "found":
            data["anchor"] = self._existing("parent")
            data["code"] = (data.get("code") or "").strip()
            self._new_code(data["code"], "code")
        else:
            data["anchor"] = self._existing("unit")
        if action in ("found", "rename") and not name:
            self.add_error("name", _("Give the name."))
        if action in ("found", "change_level") and not data.get("level"):
            self.add_error("level", _("Choose the level."))
        if action in ("found", "change_level") and data.get("level") == Level.GRASSROOTS and not data.get("sector"):
            self.add_error("sector", _("Choose the sector of a grassroots union."))
        if data.get("level") != Level.GRASSROOTS:
            data["sector"] = ""  # only a grassroots union has a sector
        if action == "split":
            self._clean_parts(data)
        return data

    def _clean_parts(self, data):
        parts = parts_in(data.get("parts"))
        if any(not code or not name for code, name in parts):
            self.add_error("parts", _("Write each part on its own line as: code; name."))
            return
        if len(parts) < 2:
            self.add_error("parts", _("A split needs at least two parts."))
            return
        if len(parts) > MAX_PARTS:
            self.add_error("parts", _("At most %(n)s parts.") % {"n": MAX_PARTS})
            return
        codes = [code for code, _name in parts]
        if len(set(codes)) != len(codes):
            self.add_error("parts", _("Each part needs its own code."))
            return
        for code in codes:
            self._new_code(code, "parts")
        data["parts"] = [
            {"code": code, "name": name, "share": share}
            for (code, name), share in zip(parts, equal_shares(len(parts)), strict=True)
        ]
