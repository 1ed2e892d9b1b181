"""Monthly progress reports filed by units against their resolution.

A report holds the month's own figures; year-to-date is always computed. Each figure
keeps the working value (what the unit typed) and the approved value (what the parent
union last approved): dashboards count approved values only, so reopening an approved
report to correct it never makes achieved figures drop or jump silently.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branches import access
from branches.models import Organisation
from targets.resolution.models import PriorityTask, Resolution, TargetComponent


class MonthlyReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Reports ``user`` may read, as the pages decide: of the units ``access.visible_units``
        gives, against the resolutions of their own federation (``Resolution.visible_to``)."""
        if user.is_authenticated and user.is_superuser:
            return self.all()
        # The resolutions as a list of ids (a few) and the units by their path prefix
        # (``access.unit_reach``, joined on the unit): PostgreSQL then pages a month's reports
        # from its (resolution, month, id) index instead of reading every visible one first.
        resolutions = list(Resolution.objects.visible_to(user).values_list("pk", flat=True))
        return self.filter(access.unit_reach(user, "organisation"), resolution_id__in=resolutions)

    def approved(self):
        """Reports approved by the parent union."""
        return self.filter(status=MonthlyReport.Status.APPROVED)

    def with_approved_figures(self):
        """Reports approved at least once: their approved snapshot counts, also while
        the report is reopened for correction."""
        return self.filter(approved_at__isnull=False)

    def submitted(self):
        """Reports waiting for review."""
        return self.filter(status=MonthlyReport.Status.SUBMITTED)

    def as_of(self, month):
        """Reports for months up to and including ``month``."""
        return self.filter(month__lte=month)

    def for_units_under(self, unit):
        """Reports of ``unit`` and every unit in its subtree."""
        return self.filter(organisation__path__startswith=unit.path)

    def awaiting_review_by(self, unit):
        """The reviewer's inbox: submitted reports (first submissions, resubmissions after a
        return, corrections of approved reports) of the units below ``unit``, against the
        resolutions ``unit``'s federation issued, any month and year, oldest first; for a
        federation, those of the federations merged into it too (``access.review_scopes``),
        including their units' last year's reports after the hand-over."""
        scopes = Q()
        for scope in access.review_scopes(unit):
            scopes |= Q(organisation__path__startswith=scope.path, resolution__in=Resolution.objects.for_unit(scope))
            if scope.pk != unit.pk:
                # A merged federation's own resolutions, whose units were under it at their year
                # end: wherever they are now (handed to ``unit`` on 1 January after the merger).
                scopes |= Q(resolution__organisation=scope)
        return self.submitted().filter(scopes).exclude(organisation=unit).order_by("submitted_at", "pk")


class MonthlyReport(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned for correction")

    class Channel(models.TextChoices):
        """How the report's figures were last entered."""

        UNIT = "unit", _("web form, by the unit")
        ON_BEHALF = "on_behalf", _("web form, on behalf of the unit by an upper level")
        EXCEL = "excel", _("Excel import by an upper level")
        API = "api", _("API import by an upper level")

    resolution = models.ForeignKey(
        Resolution, verbose_name=_("resolution"), on_delete=models.PROTECT, related_name="reports"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="reports"
    )
    month = models.PositiveSmallIntegerField(_("month"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    nothing_to_report = models.BooleanField(_("nothing to report this month"), default=False)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    # Optimistic lock: every write increments it; a save from a stale page is refused.
    version = models.PositiveIntegerField(_("version"), default=1)
    # Incremented each time an approved report is reopened for correction.
    revision = models.PositiveIntegerField(_("revision"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review_comment = models.TextField(_("review comment"), max_length=2000, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    # Who last typed the figures, and how: the four-eyes rule (``access.approval_by``)
    # keeps an officer who entered them on the unit's behalf from approving them.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("figures entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Database defaults too: bulk loaders (scale data, demo) insert rows without naming them.
    entry_channel = models.CharField(
        _("entered through"), max_length=16, choices=Channel.choices, blank=True, default="", db_default=""
    )
    # Approved by the officer who entered the figures, where the federation allows it.
    self_approved = models.BooleanField(_("self-entered, self-approved"), default=False, db_default=False)

    objects = MonthlyReportQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        ordering = ["resolution", "month", "organisation__path"]
        constraints = [
            models.UniqueConstraint(fields=["resolution", "organisation", "month"], name="one_report_per_unit_month"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="report_month_valid"),
        ]
        indexes = [
            models.Index(fields=["resolution", "month", "status"], name="report_month_status"),
            # Who reported a month (completeness, the units to call, each unit's status on a
            # dashboard): what those pages read of each report, so that PostgreSQL answers
            # from the index alone instead of a year's reports scattered over the table.
            models.Index(
                fields=["resolution", "month", "organisation"],
                include=["id", "status", "approved_at", "first_submitted_at", "revision"],
                name="report_month_units",
            ),
            # The API's pages of a month's reports in id order (a key that never changes): each
            # page a range of this index, however far the walk has gone.
            models.Index(fields=["resolution", "month", "id"], name="report_month_id"),
            # The API's pages of reports of a status (the submitted ones of a year), in id order.
            models.Index(fields=["resolution", "status", "id"], name="report_status_id"),
            # The API's "updated since": what changed lately, for a client keeping a copy in step.
            models.Index(fields=["updated_at"], name="report_updated_at"),
            # The reviewers' inboxes: the few submitted reports among millions, oldest first.
            models.Index(
                fields=["submitted_at", "organisation"],
                condition=Q(status="submitted"),
                name="report_awaiting_review",
            ),
        ]

    def __str__(self):
        return f"{self.organisation} – {self.month:02d}/{self.resolution.year}"

    @property
    def is_locked(self):
        """Approved and submitted reports cannot be edited by the unit."""
        return self.status in (self.Status.APPROVED, self.Status.SUBMITTED)

    @property
    def entered_on_behalf(self):
        """The figures were typed by an upper level for the unit (form, Excel or API import)."""
        return self.entry_channel in (self.Channel.ON_BEHALF, self.Channel.EXCEL, self.Channel.API)

    @property
    def due_date(self):
        return self.resolution.due_date(self.month)


class ReportFigure(models.Model):
    report = models.ForeignKey(
        MonthlyReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="figures"
    )
    component = models.ForeignKey(
        TargetComponent,
        verbose_name=_("target component"),
        on_delete=models.PROTECT,
        related_name="figures",
    )
    # What the unit reports for the month.
    quantity = models.BigIntegerField(_("quantity this month"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    value = models.DecimalField(_("reported value"), max_digits=20, decimal_places=2, null=True, blank=True)
    # What the parent union last approved (null until the first approval).
    approved_quantity = models.BigIntegerField(_("approved quantity"), null=True, blank=True)
    approved_done = models.BooleanField(_("approved done"), default=False)
    approved_value = models.DecimalField(_("approved value"), max_digits=20, decimal_places=2, null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("report figure")
        verbose_name_plural = _("report figures")
        constraints = [
            models.UniqueConstraint(fields=["report", "component"], name="one_figure_per_component"),
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | Q(quantity__gte=0), name="figure_quantity_not_negative"
            ),
            models.CheckConstraint(condition=Q(value__isnull=True) | Q(value__gte=0), name="figure_value_not_negative"),
        ]

    def __str__(self):
        return f"{self.report} / {self.component}"


class TaskProgress(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("Under way")
        DONE = "done", _("Done")

    report = models.ForeignKey(
        MonthlyReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="task_progress"
    )
    task = models.ForeignKey(
        PriorityTask, verbose_name=_("priority task"), on_delete=models.PROTECT, related_name="progress"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NOT_STARTED)
    narrative = models.TextField(_("what was done this month"), max_length=4000, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("priority task progress")
        verbose_name_plural = _("priority task progress")
        constraints = [
            models.UniqueConstraint(fields=["report", "task"], name="one_progress_per_task"),
        ]

    def __str__(self):
        return f"{self.report} / {self.task}"
