"""Excel bulk entry for upper levels: download a month's template, upload it filled in.

Who may do it is ``branches.access.bulk_entry_root``; reading and saving the file is
``excel_template`` and ``excel_import``. The view only wires them to the request.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches import access
from targets.resolution.choice import resolution_choice

from . import services
from .excel_import import excel_import
from .excel_template import ExcelError, build_template, month_label

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class TemplateForm(forms.Form):
    month = forms.TypedChoiceField(label=gettext_lazy("Month"), coerce=int)
    # The year chosen with the year switch; the resolution is chosen from it before.
    year = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, resolution, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = resolution.year
        months = [m for m in range(1, 13) if services.month_is_open(resolution=resolution, month=m)]
        self.fields["month"].choices = [(m, month_label(resolution, m)) for m in months]
        if months:
            self.fields["month"].initial = months[-1]
        self.fields["month"].widget.attrs["class"] = "form-select"


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Filled-in template (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx"}),
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return file


def _upper_and_choice(request):
    upper = access.bulk_entry_root(request.user)
    if upper is None:
        raise PermissionDenied
    return upper, resolution_choice(request.user, request.GET, unit=upper)


@login_required
def excel_template(request):
    """The month's template (GET ?month=M&year=Y) listing the officer's grassroots unions."""
    upper, choice = _upper_and_choice(request)
    resolution = choice.resolution
    if resolution is None:
        messages.error(request, _("No resolution has been loaded yet."))
        return redirect("excel_upload")
    form = TemplateForm(request.GET, resolution=resolution)
    if not form.is_valid():
        messages.error(request, _("Choose a month of %(year)s that has begun.") % {"year": resolution.year})
        return redirect(f"{reverse('excel_upload')}?{choice.query}")
    month = form.cleaned_data["month"]
    content = build_template(upper=upper, resolution=resolution, month=month)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    filename = f"bao-cao-{upper.code}-{resolution.year}-{month:02d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def excel_upload(request):
    """The bulk entry page: download a template; upload it filled in (POST)."""
    upper, choice = _upper_and_choice(request)
    resolution = choice.resolution
    result, file_error = None, None
    upload_form = UploadForm()
    if request.method == "POST" and resolution is not None:
        upload_form = UploadForm(request.POST, request.FILES)
        if upload_form.is_valid():
            try:
                result = excel_import(user=request.user, upper=upper, file=upload_form.cleaned_data["file"])
            except ExcelError as exc:
                file_error = str(exc)
            else:
                if not result.errors:
                    messages.success(
                        request,
                        _("%(count)s reports for %(month)s submitted; %(skipped)s empty rows left out.")
                        % {
                            "count": len(result.saved),
                            "month": month_label(result.resolution, result.month),
                            "skipped": result.skipped,
                        },
                    )
                    return redirect(f"{reverse('excel_upload')}?year={result.resolution.year}")
    context = {
        "upper": upper,
        "resolution": resolution,
        "template_form": TemplateForm(resolution=resolution) if resolution else None,
        "year_form": choice.form,
        "upload_form": upload_form,
        "result": result,
        "file_error": file_error,
    }
    return render(request, "reports/excel_upload.html", context, status=400 if (file_error or result) else 200)
