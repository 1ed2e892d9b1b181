"""The draft report of a dashboard's unit, as a Word file ("Dự thảo báo cáo").

The unit, the resolution and the month are the dashboard's (``DashboardMixin``: who may see
which unit is ``branches.access``'s rule); the period (first six months, the year, or up to
the month shown) comes from the button's choice."""

import logging

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View

from branches.models import Organisation
from targets.dashboards import files
from targets.dashboards.mixins import DashboardMixin

from .default_template import DEFAULT_TEMPLATE
from .models import ReportTemplate
from .rendering import render_docx
from .report import Period, draft_context, draft_period, file_name

DOCX = files.CONTENT_TYPES["docx"]
logger = logging.getLogger(__name__)


class DraftForm(forms.Form):
    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=Period.choices, initial=Period.MONTH)


class DraftReportView(DashboardMixin, View):
    """GET: the .docx of the draft report of the unit, for the chosen period."""

    def get(self, request, *args, **kwargs):
        # Without a choice, the year up to the month shown (what the dashboard shows).
        form = DraftForm({"period": request.GET.get("period", Period.MONTH)})
        if not form.is_valid():
            messages.error(request, _("Choose the period of the draft report."))
            return redirect(f"{reverse('dashboard-unit', args=[self.scope.pk])}?{self.period}")
        period = draft_period(self.resolution, form.cleaned_data["period"], self.month)
        name = file_name(self.resolution, self.scope, period.period, period.month)
        job = getattr(request, "export_file", None)  # in the worker, the job making it
        if job is None and self.is_large():
            query = request.GET.urlencode()
            job = files.file_start(user=request.user, scope=self.scope, path=request.path, query=query, file_name=name)
            return redirect("export_file", job.pk)
        context = draft_context(self.resolution, self.scope, period.period, period.month)
        data = self.render(context)
        if job is not None:
            files.file_keep(job, data)
            return HttpResponse(status=204)
        response = HttpResponse(data, content_type=DOCX)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def is_large(self):
        """Whether the unit has more than ``DRAFT_IN_REQUEST_UNITS`` units under it: its
        draft is then made by the background worker (the page follows it to the file), as a
        large dashboard file is. Counted with a bounded query."""
        limit = settings.DRAFT_IN_REQUEST_UNITS
        return Organisation.objects.under(self.scope)[: limit + 1].count() > limit

    def render(self, context):
        """The federation's own template, else the default; a template of the federation that
        cannot be filled in after all is reported and the default used."""
        own = ReportTemplate.objects.in_use(self.resolution.organisation)
        if own is not None:
            try:
                return render_docx(bytes(own.content), context)
            except Exception:
                logger.exception("report template %s could not be filled in", own.pk)
                messages.warning(
                    self.request,
                    _("The federation's report template “%(name)s” could not be filled in: the default was used.")
                    % {"name": own.name},
                )
        return render_docx(DEFAULT_TEMPLATE.read_bytes(), context)
