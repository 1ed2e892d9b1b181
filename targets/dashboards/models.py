"""A dashboard file too large to build in a request (more than ``EXPORT_IN_REQUEST_ROWS``
rows), built by the background worker (``files``): which page and table it comes from,
for whom, how far it has got, and the file once ready (kept a day, then pruned)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from branches.models import Organisation


class ExportFile(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the background worker")
        RUNNING = "running", _("Preparing the file")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    RUNNING_STATUSES = [Status.QUEUED, Status.RUNNING]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.CASCADE, related_name="+"
    )
    # The union the table is about: the file is handed only to someone who may see it;
    # empty once that union is deleted (the job then says so).
    scope = models.ForeignKey(
        Organisation, verbose_name=_("union"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The page's address and query, the export's table and format among them.
    path = models.CharField(_("page"), max_length=500)
    query = models.TextField(_("query"))
    file_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    content = models.BinaryField(_("file"), null=True, editable=False)
    message = models.TextField(_("message"), blank=True)
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("file being prepared")
        verbose_name_plural = _("files being prepared")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["requested_by", "path", "query"], name="export_file_request")]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_running(self):
        return self.status in self.RUNNING_STATUSES

    @property
    def percent(self):
        if self.status == self.Status.READY:
            return 100
        return min(99, int(100 * self.rows_written / self.rows_total)) if self.rows_total else 0
