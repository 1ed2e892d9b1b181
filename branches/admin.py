from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from unionplan.admin import WordedChoicesAdmin

from .models import Organisation, User


@admin.register(Organisation)
class OrganisationAdmin(WordedChoicesAdmin, admin.ModelAdmin):
    list_display = ["code", "name", "kind", "sector", "parent", "workforce", "members", "founded_on", "dissolved_on"]
    list_filter = [
        "kind",
        "sector",
        ("parent", admin.RelatedOnlyFieldListFilter),
        ("dissolved_on", admin.EmptyFieldListFilter),
    ]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["code", "name", "kind", "sector", "parent"]}),
        (_("Size"), {"fields": ["workforce", "members"]}),
        (_("Life"), {"fields": ["founded_on", "dissolved_on"]}),
        (_("Contact"), {"fields": ["contact_person", "phone", "email"]}),
        (_("Review"), {"fields": ["allow_self_approval"]}),
    ]


@admin.register(User)
class UserAdmin(WordedChoicesAdmin, BaseUserAdmin):
    list_display = ["username", "full_name", "email", "organisation", "role", "staff", "active"]
    list_filter = ["role", "is_staff", "is_superuser", "is_active"]
    list_select_related = ["organisation"]
    search_fields = ["username", "first_name", "last_name", "email", "organisation__name"]
    autocomplete_fields = ["organisation"]
    # Access follows the officer's role and unit (branches/access.py), never Django's groups
    # and permissions, so the admin does not offer them (their names are English data).
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("last_name", "first_name", "email")}),
        (_("Organisation"), {"fields": ["organisation", "role"]}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("Organisation"), {"fields": ["last_name", "first_name", "email", "organisation", "role"]}),
    )

    @admin.display(description=_("Full name"), ordering="last_name")
    def full_name(self, user):
        return user.get_full_name()

    # Words rather than Django's boolean icons, whose text ("True", "False") is English.
    @admin.display(description=_("staff status"), ordering="is_staff")
    def staff(self, user):
        return _("Yes") if user.is_staff else _("No")

    @admin.display(description=_("active"), ordering="is_active")
    def active(self, user):
        return _("Yes") if user.is_active else _("No")


admin.site.unregister(Group)
# django-axes' log-in records (to see and lift a lock-out), with empty choices in words.
# The logs are read, not acted on: no actions, so no check box labelled with their English
# names ("Access Log for … @ …").
for model, model_admin, options in (
    (AccessAttempt, AccessAttemptAdmin, {}),
    (AccessLog, AccessLogAdmin, {"actions": None}),
    (AccessFailureLog, AccessFailureLogAdmin, {"actions": None}),
):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
        admin.site.register(model, type(model_admin.__name__, (WordedChoicesAdmin, model_admin), options))
