from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Organisation, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
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
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "organisation", "role", "is_staff", "is_active"]
    list_filter = ["role", "is_staff", "is_superuser", "is_active"]
    list_select_related = ["organisation"]
    search_fields = ["username", "first_name", "last_name", "email", "organisation__name"]
    autocomplete_fields = ["organisation"]
    fieldsets = BaseUserAdmin.fieldsets + ((_("Organisation"), {"fields": ["organisation", "role"]}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("Organisation"), {"fields": ["first_name", "last_name", "email", "organisation", "role"]}),
    )
