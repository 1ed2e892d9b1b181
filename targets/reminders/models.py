"""The record of every reminder sent: at most one per unit, resolution, month and kind."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from branches.models import Organisation
from targets.resolution.models import MONTH_VALIDATORS, Resolution


class ReminderSent(models.Model):
    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Reminder before the due day")
        LATE = "late", _("Late notice")
        LATE_DIGEST = "late_digest", _("Digest of late units")
        REVIEW_DIGEST = "review_digest", _("Digest of reports waiting for review")

    resolution = models.ForeignKey(
        Resolution, verbose_name=_("resolution"), on_delete=models.CASCADE, related_name="reminders"
    )
    # The unit reminded (due soon, late) or told (the upper level of a digest).
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="reminders"
    )
    month = models.PositiveSmallIntegerField(_("month"), validators=MONTH_VALIDATORS)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    sent_on = models.DateField(_("sent on"))
    recipients = models.TextField(_("recipients"))

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        ordering = ["-sent_on", "organisation__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["resolution", "organisation", "month", "kind"], name="one_reminder_per_unit_month_kind"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.organisation} – {self.month:02d}/{self.resolution.year}"
