"""A large change's work done by the background worker (``jobs``): its preview, applying
it or undoing it. The row is what the change's page polls: how far the work has come, the
preview once ready (its section of the page, with the version of the change it was made
for), or why it failed."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from branches.models import TreeChange


class ChangeJob(models.Model):
    class Kind(models.TextChoices):
        PREVIEW = "preview", _("Preview")
        APPLY = "apply", _("Applying")
        UNDO = "undo", _("Undoing")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the background worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    RUNNING_STATUSES = [Status.QUEUED, Status.RUNNING]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Empty once the change is discarded or deleted: the job then ends saying so.
    change = models.ForeignKey(
        TreeChange, verbose_name=_("change"), on_delete=models.SET_NULL, null=True, related_name="jobs"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # Who asked (checked again when the job runs); empty for a change that fell due.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    # A preview's: the change's version (``changes.version``) it was made for (empty for
    # applying and undoing: one of each at a time per change).
    version = models.CharField(_("version"), max_length=32, blank=True)
    # Applying's: the version of the preview the change was confirmed against.
    expected_version = models.CharField(_("confirmed version"), max_length=32, blank=True)
    language = models.CharField(_("language"), max_length=12, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    html = models.TextField(_("preview"), blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        app_label = "targets"
        verbose_name = _("tree change job")
        verbose_name_plural = _("tree change jobs")
        ordering = ["-created_at"]
        constraints = [
            # One job of a kind per change and version while it waits or runs.
            models.UniqueConstraint(
                fields=["change", "kind", "version"],
                condition=models.Q(status__in=["queued", "running"]),
                name="change_job_once",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.change_id} ({self.get_status_display()})"

    @property
    def is_running(self):
        return self.status in self.RUNNING_STATUSES
