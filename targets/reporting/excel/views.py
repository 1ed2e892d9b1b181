"""Excel bulk entry for upper levels: download a month's template, upload it filled in.

Who may do it is ``branches.access.bulk_entry_root``; reading and saving the file is
``template`` and ``importing``. The view only wires them to the request.
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
from django.views.decorators.http import require_POST

from branches import access
from targets.resolution.choice import resolution_choice
from unionplan.uploads import MAX_UPLOAD_BYTES

from .. import services
from . import conflicts as excel_conflicts
from .importing import ImportResult, excel_import, excel_save
from .template import ExcelError, build_template, month_label


class TemplateForm(forms.Form):
    month = forms.TypedChoiceField(label=gettext_lazy("Month"), coerce=int)
    # The year chosen with the year switch; the resolution is chosen from it before.
    year = forms.IntegerField(widget=forms.HiddenInput, required=False)
    all_units = forms.BooleanField(
        label=gettext_lazy("All units (also those that have already reported)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

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
            raise forms.ValidationError(_("The file is larger than 5 MB."))  # the limit of unionplan.uploads
        return file


class ConflictChoiceForm(forms.Form):
    """For each conflicting row: keep the unit's figures or take the file's; ``every_row``
    answers for the rows left unanswered."""

    KEEP, TAKE = "keep", "take"
    CHOICES = [(KEEP, gettext_lazy("Keep the unit's figures")), (TAKE, gettext_lazy("Take the file's figures"))]

    token = forms.CharField(widget=forms.HiddenInput)
    every_row = forms.ChoiceField(
        label=gettext_lazy("For every row not chosen below"),
        choices=[("", "—"), *CHOICES],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, conflicts, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflicts = conflicts
        for conflict in conflicts:
            self.fields[self.field_name(conflict.row)] = forms.ChoiceField(
                label=conflict.code, choices=self.CHOICES, widget=forms.RadioSelect, required=False
            )

    @staticmethod
    def field_name(row):
        return f"row_{row}"

    def rows(self):
        for conflict in self.conflicts:
            yield conflict, self[self.field_name(conflict.row)]

    def clean(self):
        data = super().clean()
        for conflict in self.conflicts:
            name = self.field_name(conflict.row)
            data[name] = data.get(name) or data.get("every_row")
            if not data[name]:
                self.add_error(name, _("Choose for this row: keep the unit's figures or take the file's."))
        return data

    def taken(self):
        """Row numbers whose file figures replace the unit's."""
        return [c.row for c in self.conflicts if self.cleaned_data[self.field_name(c.row)] == self.TAKE]


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
    content = build_template(upper=upper, resolution=resolution, month=month, all_units=form.cleaned_data["all_units"])
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    filename = f"bao-cao-{upper.code}-{resolution.year}-{month:02d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _saved_message(request, result):
    messages.success(
        request,
        _("%(count)s reports for %(month)s submitted; %(skipped)s empty rows left out.")
        % {
            "count": len(result.saved),
            "month": month_label(result.resolution, result.month),
            "skipped": result.skipped,
        },
    )
    if result.kept or result.unchanged:
        messages.info(
            request,
            _("%(kept)s rows left as the units had them; %(unchanged)s rows already submitted with the same figures.")
            % {"kept": result.kept, "unchanged": result.unchanged},
        )


@login_required
def excel_upload(request):
    """The bulk entry page: download a template; upload it filled in (POST). Rows whose
    unit already typed other figures come back side by side for the uploader to choose."""
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
                if result.conflicts and not result.errors:
                    token = excel_conflicts.keep_pending(request.session, upper=upper, result=result)
                    form = ConflictChoiceForm(initial={"token": token}, conflicts=result.conflicts)
                    return _conflicts_page(request, upper, result, form)
                if not result.errors and not (result.saved or result.kept or result.unchanged):
                    # An untouched template is not a success: say so; nothing was saved.
                    file_error = _(
                        "No row of the file is filled in: no report was submitted. Type the units' "
                        "figures into the template and upload it again."
                    )
                    result = None
                elif not result.errors:
                    _saved_message(request, result)
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


def _conflicts_page(request, upper, result, form, status=200):
    context = {"upper": upper, "result": result, "form": form, "month": month_label(result.resolution, result.month)}
    return render(request, "reports/excel_conflicts.html", context, status=status)


@require_POST
@login_required
def excel_resolve(request):
    """The second step: the uploader's choice for each conflicting row, then the upload
    kept in the session is submitted (all or nothing)."""
    upper = access.bulk_entry_root(request.user)
    if upper is None:
        raise PermissionDenied
    result = excel_conflicts.pending(
        request.session, token=request.POST.get("token"), upper=upper, result_class=ImportResult
    )
    if result is None:
        messages.error(request, _("The uploaded file is no longer kept: upload it again."))
        return redirect("excel_upload")
    form = ConflictChoiceForm(request.POST, conflicts=result.conflicts)
    if not form.is_valid():
        return _conflicts_page(request, upper, result, form, status=400)
    try:
        excel_save(user=request.user, result=result, take=form.taken())
    except services.ReportError as exc:
        excel_conflicts.forget_pending(request.session)
        messages.error(request, str(exc))
        return redirect(f"{reverse('excel_upload')}?year={result.resolution.year}")
    excel_conflicts.forget_pending(request.session)
    _saved_message(request, result)
    return redirect(f"{reverse('excel_upload')}?year={result.resolution.year}")
