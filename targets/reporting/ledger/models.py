"""Running totals behind the dashboards, kept current in the same transaction as every
change to a report, so that a dashboard reads a few hundred rows instead of millions.

One row per (organisation, target component, month) for every organisation that is not a
grassroots union (the province, upper levels, a confederation): what its whole subtree,
itself included, contributes in that month. Achieved counts the approved snapshot; the
"with pending" columns add what submitted reports would bring. A distinct-units measure
counts a unit in the first month it reached the target, so "as of month m" is the sum of
months 1..m. ``targets.reporting.ledger`` maintains the rows; ``targets.rollup`` reads them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from branches.models import Organisation
from targets.resolution.models import PriorityTask, Resolution, TargetComponent

TOTAL_FIELDS = [
    "sum_approved",
    "units_done",
    "units_at_threshold",
    "pending_quantity",
    "done_with_pending",
    "at_threshold_with_pending",
]


class ProgressTotal(models.Model):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    component = models.ForeignKey(
        TargetComponent, verbose_name=_("target component"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.PositiveSmallIntegerField(_("month"))
    sum_approved = models.BigIntegerField(default=0)
    units_done = models.IntegerField(default=0)
    units_at_threshold = models.IntegerField(default=0)
    pending_quantity = models.BigIntegerField(default=0)
    done_with_pending = models.IntegerField(default=0)
    at_threshold_with_pending = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("progress total")
        verbose_name_plural = _("progress totals")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "component", "month"], name="one_total_per_unit_month"),
        ]

    def __str__(self):
        return f"{self.organisation_id}/{self.component_id}/{self.month}"


TASK_STATUS_FIELDS = ["not_started", "in_progress", "done"]


class TaskStatusTotal(models.Model):
    """How many units of an organisation's subtree (itself included) say a priority task is
    not started, under way or done, as changes per month: each unit's latest reported status
    as of month m is the sum over months 1..m (+1 for the new status, -1 for the one before)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    task = models.ForeignKey(PriorityTask, verbose_name=_("priority task"), on_delete=models.CASCADE, related_name="+")
    month = models.PositiveSmallIntegerField(_("month"))
    not_started = models.IntegerField(default=0)
    in_progress = models.IntegerField(default=0)
    done = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("task status total")
        verbose_name_plural = _("task status totals")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "task", "month"], name="one_task_total_per_unit_month"),
        ]

    def __str__(self):
        return f"{self.organisation_id}/{self.task_id}/{self.month}"


REPORTING_FIELDS = ["expected", "on_time", "late", "waiting"]


class ReportingTotal(models.Model):
    """Who reported a month, kept for an organisation's subtree (itself included): the units
    expected to report the month (active at its end: founded by then, not dissolved) and
    how many of them have reported it, on time or late (submitted or approved, or approved
    once and being corrected; on time when first submitted before the resolution's
    deadline); and how many of the subtree's reports of the month wait for review
    (submitted), expected or not. Unlike the other totals, a month's row is that month's
    own figure. ``targets.reporting.ledger.reporting`` keeps the rows; the completeness
    page and the reviewers' inbox read them."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    resolution = models.ForeignKey(Resolution, verbose_name=_("resolution"), on_delete=models.CASCADE, related_name="+")
    month = models.PositiveSmallIntegerField(_("month"))
    expected = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    late = models.IntegerField(default=0)
    waiting = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("reporting total")
        verbose_name_plural = _("reporting totals")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "resolution", "month"], name="one_reporting_total_per_unit_month"
            ),
        ]

    def __str__(self):
        return f"{self.organisation_id}/{self.resolution_id}/{self.month}"


# The "as it was" view (``structure=monthly``): each month counted under the units its
# reporter sat under at that month's end. The totals above are the current view (every month
# under where each unit is now); the rows below hold, per organisation and month, what the
# "as it was" view adds to them (negative: takes away). Only units moved since a month give
# rows (``branches.models.Placement``), so a tree that never changed has none. Kept in the
# same transactions as the totals (``rows.add_unit`` and the moves); read by
# ``targets.rollup`` when the monthly view is asked for.


class ProgressShift(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    component = models.ForeignKey(TargetComponent, on_delete=models.CASCADE, related_name="+")
    month = models.PositiveSmallIntegerField(_("month"))
    sum_approved = models.BigIntegerField(default=0)
    units_done = models.IntegerField(default=0)
    units_at_threshold = models.IntegerField(default=0)
    pending_quantity = models.BigIntegerField(default=0)
    done_with_pending = models.IntegerField(default=0)
    at_threshold_with_pending = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("progress total, as it was")
        verbose_name_plural = _("progress totals, as it was")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "component", "month"], name="one_shift_per_unit_month"),
        ]

    def __str__(self):
        return f"{self.organisation_id}/{self.component_id}/{self.month}"


class TaskStatusShift(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    task = models.ForeignKey(PriorityTask, on_delete=models.CASCADE, related_name="+")
    month = models.PositiveSmallIntegerField(_("month"))
    not_started = models.IntegerField(default=0)
    in_progress = models.IntegerField(default=0)
    done = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("task status total, as it was")
        verbose_name_plural = _("task status totals, as it was")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "task", "month"], name="one_task_shift_per_unit_month"),
        ]

    def __str__(self):
        return f"{self.organisation_id}/{self.task_id}/{self.month}"


class ReportingShift(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="+")
    month = models.PositiveSmallIntegerField(_("month"))
    expected = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    late = models.IntegerField(default=0)
    waiting = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("reporting total, as it was")
        verbose_name_plural = _("reporting totals, as it was")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "resolution", "month"], name="one_reporting_shift_per_unit_month"
            ),
        ]

    def __str__(self):
        return f"{self.organisation_id}/{self.resolution_id}/{self.month}"


SHIFTS = {ProgressTotal: ProgressShift, TaskStatusTotal: TaskStatusShift, ReportingTotal: ReportingShift}
