"""Allocations (giao chỉ tiêu): a unit's share of a component's figure, which it may split
further among its children (``TargetComponent.allocation_balance`` checks the sums)."""

from django.db import models
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branches.models import Organisation

from .models import MONTH_VALIDATORS, TargetComponent


class Allocation(models.Model):
    """A unit's share of a component's figure (giao chỉ tiêu)."""

    component = models.ForeignKey(
        TargetComponent,
        verbose_name=_("target component"),
        on_delete=models.CASCADE,
        related_name="allocations",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="allocations",
    )
    # For a percentage-of-eligible component, the unit's own percentage.
    figure = models.PositiveBigIntegerField(_("allocated figure"))
    previous_figure = models.PositiveBigIntegerField(_("previous figure"), null=True, blank=True, editable=False)
    figure_from_month = models.PositiveSmallIntegerField(
        _("figure applies from month"), null=True, blank=True, editable=False, validators=MONTH_VALIDATORS
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["component", "organisation__path"]
        constraints = [
            models.UniqueConstraint(fields=["component", "organisation"], name="one_allocation_per_unit"),
        ]

    def __str__(self):
        return f"{self.component} → {self.organisation}: {self.figure}"

    @classmethod
    def total_for_children(cls, component, parent):
        """Sum of the shares allocated to ``parent``'s children."""
        return (
            cls.objects.filter(component=component, organisation__parent=parent).aggregate(total=Sum("figure"))["total"]
            or 0
        )
