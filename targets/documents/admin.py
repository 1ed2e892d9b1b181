"""Report templates in the admin: a federation's own .docx, checked before it is kept."""

from django import forms
from django.contrib import admin
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches.models import Organisation
from unionplan.admin import WordedChoicesAdmin

from .default_template import DEFAULT_TEMPLATE
from .models import ReportTemplate
from .validation import MAX_TEMPLATE_BYTES, TemplateRefused, validate_template
from .views import DOCX


class ReportTemplateForm(forms.ModelForm):
    upload = forms.FileField(
        label=gettext_lazy("Template (.docx)"),
        help_text=gettext_lazy(
            "A Word document using only the placeholders listed in docs/report-template.md. "
            "It is checked before it is kept; a template that is refused changes nothing."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".docx"}),
    )

    class Meta:
        model = ReportTemplate
        fields = ["federation"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A federation is a union that issues resolutions.
        self.fields["federation"].queryset = Organisation.objects.filter(resolutions__isnull=False).distinct()

    def clean_upload(self):
        file = self.cleaned_data["upload"]
        if file.size > MAX_TEMPLATE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB.") % {"limit": MAX_TEMPLATE_BYTES // (1024 * 1024)}
            )
        data = file.read(MAX_TEMPLATE_BYTES + 1)
        try:
            validate_template(data)
        except TemplateRefused as refusal:
            raise forms.ValidationError(str(refusal)) from None
        self.instance.content = data
        self.instance.name = file.name[:255]
        return file


@admin.register(ReportTemplate)
class ReportTemplateAdmin(WordedChoicesAdmin, admin.ModelAdmin):
    form = ReportTemplateForm
    list_display = ("federation", "name", "uploaded_by", "uploaded_at")
    list_filter = ("federation",)
    readonly_fields = ("name", "uploaded_by", "uploaded_at", "default_template")

    def default_template(self, obj=None):
        url = reverse("admin:targets_reporttemplate_default")
        return format_html('<a href="{}">{}</a>', url, _("Download the default template"))

    default_template.short_description = gettext_lazy("Default template")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("federation", "upload", "default_template")
        return ("federation", "name", "uploaded_by", "uploaded_at", "default_template")

    def has_change_permission(self, request, obj=None):
        # A template is replaced by uploading another (the newest is in use), never edited.
        return False

    def save_model(self, request, obj, form, change):
        obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        default = path(
            "default/",
            self.admin_site.admin_view(self.default_view),
            name="targets_reporttemplate_default",
        )
        return [default, *super().get_urls()]

    def default_view(self, request):
        response = HttpResponse(DEFAULT_TEMPLATE.read_bytes(), content_type=DOCX)
        response["Content-Disposition"] = 'attachment; filename="mau-bao-cao-mac-dinh.docx"'
        return response
