"""The review list (every unit of a subtree with its report status for a month) and the inbox."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from branches.models import Organisation

from .inbox import Waiting
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
            '<span class="badge text-bg-{}" data-state="{}">{}</span>',
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


class InboxTable(tables.Table):
    """The reviewer's inbox: one row per waiting report, a box to tick for bulk approval
    carrying the version the reviewer saw (so a report changed meanwhile is refused)."""

    select = tables.Column(
        verbose_name=_("Select"), accessor="pk", orderable=False, attrs={"td": {"class": "text-center"}}
    )
    organisation = tables.Column(verbose_name=_("Unit"), orderable=False)
    parent = tables.Column(verbose_name=_("Upper level"), accessor="organisation__parent__name", orderable=False)
    month = tables.Column(verbose_name=_("Month"), orderable=False)
    waiting = tables.Column(verbose_name=_("Waiting as"), accessor="pk", orderable=False, empty_values=())
    submitted_at = tables.DateTimeColumn(verbose_name=_("Submitted"), format="SHORT_DATETIME_FORMAT", orderable=False)
    submitted_by = tables.Column(verbose_name=_("By"), orderable=False)

    class Meta:
        model = MonthlyReport
        fields = ["select", "organisation", "parent", "month", "waiting", "submitted_at", "submitted_by"]
        attrs = {"class": "table table-sm table-hover align-middle", "id": "inbox"}
        empty_text = _("Nothing is waiting for your review.")

    def render_select(self, record):
        return format_html(
            '<input class="form-check-input" type="checkbox" name="report" value="{}:{}" aria-label="{}">',
            record.pk,
            record.version,
            _("Select %(report)s") % {"report": record},
        )

    def render_organisation(self, value, record):
        url = reverse("report_detail", args=[record.resolution.year, record.month, record.organisation_id])
        return format_html('<a href="{}">{}</a> <span class="small text-muted">{}</span>', url, value.name, value.code)

    def render_month(self, record):
        return f"{record.month:02d}/{record.resolution.year}"

    def render_waiting(self, record):
        kind = Waiting.of(record)
        badge = {Waiting.NEW: "primary", Waiting.RESUBMITTED: "info text-dark", Waiting.CHANGED: "warning text-dark"}
        return format_html(
            '<span class="badge bg-{}" data-waiting="{}">{}</span>', badge[kind], kind, Waiting.LABELS[kind]
        )

    def render_submitted_by(self, value):
        return value.get_full_name() or value.username
