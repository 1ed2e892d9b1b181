"""Registering a newly founded grassroots union."""

from django import forms
from django.utils.translation import gettext_lazy as _

from unionplan import clock
from unionplan.numbers import VietnameseIntegerField

from .models import Organisation

# More people than any one workplace in Vietnam has: a typing slip.
MAX_PEOPLE = 1_000_000


class OrganisationRegisterForm(forms.Form):
    """Name, code (generated when left empty), sector, workforce, members, founding date.
    The fields are the model's; the unit itself is made by ``organisation_register``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(
            forms.fields_for_model(
                Organisation,
                fields=["name", "code", "sector", "workforce", "members", "founded_on"],
                localized_fields=["founded_on"],
                help_texts={"code": _("Leave empty to generate one from the upper level's code.")},
            )
        )
        self.fields["code"].required = False
        self.fields["sector"].required = True
        self.fields["sector"].choices = Organisation.Sector.choices
        self.fields["founded_on"].required = True
        self.fields["founded_on"].widget.attrs["placeholder"] = "dd/mm/yyyy"
        for name in ("workforce", "members"):
            model_field = self.fields[name]
            self.fields[name] = VietnameseIntegerField(
                label=model_field.label, required=model_field.required, min_value=0, max_value=MAX_PEOPLE
            )
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )

    def clean_code(self):
        code = (self.cleaned_data.get("code") or "").strip()
        if code and Organisation.objects.filter(code=code).exists():
            raise forms.ValidationError(_("Another unit already has this code."))
        return code

    def clean_founded_on(self):
        founded_on = self.cleaned_data["founded_on"]
        if founded_on and founded_on > clock.today():
            raise forms.ValidationError(_("The founding date cannot be in the future."))
        return founded_on

    def clean(self):
        data = super().clean()
        workforce, members = data.get("workforce"), data.get("members")
        if workforce is not None and members is not None and members > workforce:
            self.add_error("members", _("A union cannot have more members than workers."))
        return data
