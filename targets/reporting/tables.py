"""The review list: every unit of a subtree with its report status for a month."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from branches.models import Organisation

from .models import MonthlyReport
from .selectors import State

STATE_LABELS = {
    **dict(MonthlyReport.Status.choices),
    State.MISSING: _("Missing"),
    State.NOT_FILED: _("Not filed yet"),
}
STATE_BADGES = {
    MonthlyReport.Status.DRAFT: "secondary",
    MonthlyReport.Status.SUBMITTED: "primary",
    MonthlyReport.Status.APPROVED: "success",
    MonthlyReport.Status.RETURNED: "warning",
    State.MISSING: "danger",
    State.NOT_FILED: "light text-dark",
}


class ReportStatusTable(tables.Table):
    code = tables.Column(verbose_name=_("Code"))
    name = tables.Column(verbose_name=_("Unit"))
    parent = tables.Column(verbose_name=_("Upper level"), accessor="parent__name", order_by=("parent__name",))
    sector = tables.Column(verbose_name=_("Sector"))
    state = tables.Column(verbose_name=_("Report status"))
    first_submitted_at = tables.DateTimeColumn(verbose_name=_("First submitted"), format="SHORT_DATETIME_FORMAT")

    class Meta:
        model = Organisation
        fields = ["code", "name", "parent", "sector", "state", "first_submitted_at"]
        attrs = {"class": "table table-sm table-hover align-middle", "id": "review-list"}
        empty_text = _("No unit matches.")

    def __init__(self, *args, resolution, month, **kwargs):
        super().__init__(*args, **kwargs)
        self.resolution, self.month = resolution, month

    def render_name(self, value, record):
        url = reverse("report_detail", args=[self.resolution.year, self.month, record.pk])
        return format_html('<a href="{}">{}</a>', url, value)

    def render_state(self, value, record):
        badge = format_html(
            '<span class="badge bg-{}" data-state="{}">{}</span>',
            STATE_BADGES.get(value, "secondary"),
            value,
            STATE_LABELS.get(value, value),
        )
        if record.late:
            badge += format_html(' <span class="badge bg-danger-subtle text-danger-emphasis">{}</span>', _("Late"))
        if record.self_approved and value == MonthlyReport.Status.APPROVED:
            badge += format_html(
                ' <span class="badge bg-warning text-dark" data-mark="self-approved">{}</span>',
                _("self-entered, self-approved"),
            )
        return badge
