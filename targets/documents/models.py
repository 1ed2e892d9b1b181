"""A federation's own report template (a .docx with the placeholders of ``rendering``)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.models import Organisation


class ReportTemplateQuerySet(models.QuerySet):
    def in_use(self, federation):
        """The template a federation's drafts are made from: its newest upload (None: the default)."""
        return self.filter(federation=federation).order_by("-uploaded_at", "-pk").first()


class ReportTemplate(models.Model):
    """A federation's template for the draft reports, uploaded in the admin and checked
    (``validation``) before it is kept; the newest one is in use. The file is kept in the
    database (a few hundred kilobytes at most), so that backups and every server have it."""

    federation = models.ForeignKey(
        Organisation, verbose_name=_("federation"), on_delete=models.CASCADE, related_name="report_templates"
    )
    name = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("template"), editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)

    objects = ReportTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("report template")
        verbose_name_plural = _("report templates")
        ordering = ["federation__name", "-uploaded_at"]

    def __str__(self):
        return f"{self.federation.name}: {self.name}"
