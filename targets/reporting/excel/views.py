"""Excel bulk entry for upper levels: download a month's template, upload it filled in.

Who may do it is ``branches.access.bulk_entry_root``; reading and saving the file is
``template`` and ``importing``. The upload is checked and saved by a background job
(``jobs``), whose page follows it. The views only wire them to the request.
"""

import uuid
import zipfile

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from branches import access
from targets.resolution.choice import resolution_choice
from unionplan import background
from unionplan.uploads import MAX_UPLOAD_BYTES

from .. import services
from . import jobs
from .models import ExcelImport
from .template import build_template, month_label


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
        if not zipfile.is_zipfile(file):  # an xlsx is a zip: anything else is refused at once
            raise forms.ValidationError(
                _(
                    "The file could not be read as an Excel workbook (.xlsx). Save it in Excel as "
                    "“Excel Workbook (.xlsx)”, without a password, and upload it again."
                )
            )
        file.seek(0)
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


def _saved_message(request, job):
    messages.success(
        request,
        _("%(count)s reports for %(month)s submitted; %(skipped)s empty rows left out.")
        % {
            "count": job.saved,
            "month": month_label(job.resolution, job.month),
            "skipped": job.skipped,
        },
    )
    if job.kept or job.unchanged:
        messages.info(
            request,
            _("%(kept)s rows left as the units had them; %(unchanged)s rows already submitted with the same figures.")
            % {"kept": job.kept, "unchanged": job.unchanged},
        )


def _upload_context(request, upper, choice, **extra):
    resolution = choice.resolution
    recent = ExcelImport.objects.filter(uploaded_by=request.user).select_related("resolution")[:10]
    return {
        "upper": upper,
        "resolution": resolution,
        "template_form": TemplateForm(resolution=resolution) if resolution else None,
        "year_form": choice.form,
        "upload_form": UploadForm(),
        "imports": recent,
        **extra,
    }


@login_required
def excel_upload(request):
    """The bulk entry page: download a template; upload it filled in (POST), which starts a
    background job and leads to its page. Lists the uploader's recent imports."""
    upper, choice = _upper_and_choice(request)
    upload_form = UploadForm()
    if request.method == "POST" and choice.resolution is not None:
        upload_form = UploadForm(request.POST, request.FILES)
        if upload_form.is_valid():
            job, created = jobs.import_start(user=request.user, upper=upper, file=upload_form.cleaned_data["file"])
            if not created:
                messages.info(request, _("This file is already being imported: here is its progress."))
            return redirect("excel_job", job.pk)
    context = _upload_context(request, upper, choice, upload_form=upload_form)
    refused = upload_form.errors and request.FILES  # a file refused at once (not a form left empty)
    return render(request, "reports/excel_upload.html", context, status=400 if refused else 200)


def _own_job(request, pk):
    job = ExcelImport.objects.select_related("resolution", "upper").filter(pk=pk, uploaded_by=request.user).first()
    if job is None:
        raise Http404(_("No such import."))
    return jobs.import_status(job)


@login_required
def excel_job(request, pk):
    """An import's page: its progress while it runs (``static/js/job-progress.js`` polls
    ``excel_job_status``), then its outcome: saved, errors by row, the conflicts step, or
    failed with nothing saved and a button to run it again."""
    upper, choice = _upper_and_choice(request)
    job = _own_job(request, pk)
    Status = ExcelImport.Status
    if job.status == Status.SAVED:
        _saved_message(request, job)
        year = f"?year={job.resolution.year}" if job.resolution else ""
        return redirect(f"{reverse('excel_upload')}{year}")
    if job.status == Status.CONFLICTS:
        result = jobs.import_pending(job, upper=upper)
        if result is not None:
            form = ConflictChoiceForm(initial={"token": str(job.pk)}, conflicts=result.conflicts)
            return _conflicts_page(request, upper, result, form)
        job.errors = [_("The uploaded file is no longer kept: upload it again.")]
        job.status = Status.REFUSED
    if job.status == Status.REFUSED:
        context = _upload_context(request, upper, choice, job=job, errors=job.errors)
        return render(request, "reports/excel_upload.html", context, status=400)
    context = {"upper": upper, "job": job, "worker_alive": background.worker_alive()}
    return render(request, "reports/excel_job.html", context)


@login_required
def excel_job_status(request, pk):
    """An import's progress as JSON, for its page to follow without a reload."""
    if access.bulk_entry_root(request.user) is None:
        raise PermissionDenied
    job = _own_job(request, pk)
    return JsonResponse(
        {
            "status": job.status,
            "label": str(job.get_status_display()),
            "checked": job.rows_checked,
            "total": job.rows_total,
            "percent": job.percent,
            "running": job.is_running,
            "worker_alive": background.worker_alive(),
        }
    )


@require_POST
@login_required
def excel_job_again(request, pk):
    """Run a failed import again from the file kept with it."""
    _upper_and_choice(request)
    job = _own_job(request, pk)
    if not jobs.import_run_again(job):
        messages.error(request, _("This import cannot be run again: upload the file again."))
    return redirect("excel_job", job.pk)


def _conflicts_page(request, upper, result, form, status=200):
    context = {"upper": upper, "result": result, "form": form, "month": month_label(result.resolution, result.month)}
    return render(request, "reports/excel_conflicts.html", context, status=status)


@require_POST
@login_required
def excel_resolve(request):
    """The second step: the uploader's choice for each conflicting row, then the checked
    upload kept with its job is submitted (all or nothing)."""
    upper = access.bulk_entry_root(request.user)
    if upper is None:
        raise PermissionDenied
    job = ExcelImport.objects.filter(pk=_uuid_or_none(request.POST.get("token")), uploaded_by=request.user).first()
    result = jobs.import_pending(job, upper=upper) if job else None
    if result is None:
        messages.error(request, _("The uploaded file is no longer kept: upload it again."))
        return redirect("excel_upload")
    form = ConflictChoiceForm(request.POST, conflicts=result.conflicts)
    if not form.is_valid():
        return _conflicts_page(request, upper, result, form, status=400)
    if not jobs.import_choose(job, take=form.taken()):
        messages.error(request, _("This import is no longer waiting for your choice: see its outcome below."))
    # The worker saves the rows; the job's page follows it to the outcome.
    return redirect("excel_job", job.pk)


def _uuid_or_none(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
