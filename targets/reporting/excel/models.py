"""An Excel upload as a background job (``jobs``): the file kept until the job is done, its
progress (rows checked), and its outcome: saved, rows with errors, rows waiting for the
uploader's choice (the conflicts step), or failed with nothing saved."""

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from branches.models import Organisation
from targets.resolution.models import Resolution


class ExcelImport(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the background worker")
        CHECKING = "checking", _("Checking the rows")
        SAVING = "saving", _("Saving the reports")
        CONFLICTS = "conflicts", _("Waiting for your choice")
        SAVED = "saved", _("Saved")
        REFUSED = "refused", _("Errors: nothing saved")
        FAILED = "failed", _("Failed: nothing saved")

    RUNNING = [Status.QUEUED, Status.CHECKING, Status.SAVING]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.CASCADE, related_name="+"
    )
    # The upper level the file was uploaded for; empty once that unit is deleted.
    upper = models.ForeignKey(
        Organisation, verbose_name=_("union"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file_name = models.CharField(_("file name"), max_length=255)
    # The file as uploaded (bounded by unionplan.uploads.MAX_UPLOAD_BYTES), kept until the
    # job is done so that a failed job can run again; emptied afterwards.
    content = models.BinaryField(_("file"), null=True, editable=False)
    digest = models.CharField(_("fingerprint"), max_length=64, db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_checked = models.PositiveIntegerField(_("rows checked"), default=0)
    saved = models.PositiveIntegerField(_("reports saved"), default=0)
    skipped = models.PositiveIntegerField(_("empty rows"), default=0)
    kept = models.PositiveIntegerField(_("rows kept as the units had them"), default=0)
    unchanged = models.PositiveIntegerField(_("rows unchanged"), default=0)
    resolution = models.ForeignKey(
        Resolution, verbose_name=_("resolution"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    month = models.PositiveSmallIntegerField(_("month"), null=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    # The checked rows waiting for the uploader's choice (conflicts.as_data).
    pending = models.JSONField(_("rows waiting for a choice"), null=True, blank=True)
    # The uploader's choice, once made: the rows of ``pending`` whose file figures are taken
    # (the others keep the unit's); the worker then saves ``pending`` with it.
    take = models.JSONField(_("rows taken from the file"), null=True, blank=True)
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("Excel import")
        verbose_name_plural = _("Excel imports")
        ordering = ["-created_at"]
        constraints = [
            # The same file, from the same person for the same unit, runs once at a time.
            models.UniqueConstraint(
                fields=["digest"],
                condition=models.Q(status__in=["queued", "checking", "saving"]),
                name="one_running_import_per_file",
            ),
        ]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @staticmethod
    def digest_of(content, *, user, upper):
        return hashlib.sha256(b"%d:%d:" % (user.pk, upper.pk) + content).hexdigest()

    @property
    def is_running(self):
        return self.status in self.RUNNING

    @property
    def percent(self):
        """How far the check has gone, in percent (100 once saving or done)."""
        if self.status in (self.Status.QUEUED, self.Status.CHECKING):
            return int(100 * self.rows_checked / self.rows_total) if self.rows_total else 0
        return 100
