"""A year's resolution as data: its targets, their components, allocations and tasks.

Nothing about a particular year lives in code: the 2020 Kiên Giang resolution is one
data file loaded by ``manage.py load_resolution``.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import CharField, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat, LPad
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branches import access
from branches.models import Organisation, Placement, path_ids
from unionplan import clock

from . import counting, signals
from .eligibility import ComponentEligibility
from .schedule import ResolutionCalendar

MONTH_VALIDATORS = [MinValueValidator(1), MaxValueValidator(12)]


class ResolutionQuerySet(models.QuerySet):
    def for_year(self, year):
        """Resolutions of a given year."""
        return self.filter(year=year)

    def for_unit(self, unit):
        """Resolutions ``unit`` reports against: those whose issuer was the unit or one of its
        ancestors at the resolution's year end (``Resolution.tree_day``)."""
        return self.for_path(unit.path)

    def for_path(self, path):
        """``for_unit`` for the unit at ``path`` (where it is, or was before a move). The year-end
        rule: for a year the unit's former placement (``Placement``) covers the 31 December of,
        the issuers on that placement's path; for the years since its last move, those on
        ``path`` (one query: the placements are read by subqueries, a unit has few)."""
        ids = path_ids(path)
        if not ids:
            return self.none()
        placements = Placement.objects.filter(unit_id=ids[-1], until__year__gt=OuterRef("year"))
        segment = Concat(LPad(Cast(OuterRef("organisation_id"), CharField()), 9, Value("0")), Value("/"))
        began = Q(since__isnull=True) | Q(since__year__lte=OuterRef("year"))
        covering = placements.filter(began, path__contains=segment)
        return self.filter((Q(organisation_id__in=ids) & ~Exists(placements)) | Exists(covering))

    def visible_to(self, user):
        """Resolutions ``user`` may see: their own federation's (``access.resolution_issuers``)."""
        issuers = access.resolution_issuers(user)
        return self if issuers is None else self.filter(organisation__in=issuers)

    def years(self):
        """The distinct years of these resolutions, latest first."""
        return sorted(set(self.values_list("year", flat=True)), reverse=True)

    def pick(self, year=None, today=None):
        """The one a page shows among these: that of ``year`` when there is one, else
        this year's, else the latest that has begun, else the earliest; within a year,
        the nearest issuer (a province's before its confederation's). None if empty."""
        today = today or clock.today()
        rows = list(self.select_related("organisation").order_by("-year", "-organisation__path"))
        if year is not None:
            chosen = [r for r in rows if r.year == year]
            if chosen:
                return chosen[0]
        begun = [r for r in rows if r.year <= today.year]
        if begun:
            return begun[0]
        return min(rows, key=lambda r: r.year) if rows else None


class Resolution(ResolutionCalendar, models.Model):
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("issuing federation"),
        on_delete=models.PROTECT,
        related_name="resolutions",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    reference = models.CharField(_("reference number"), max_length=64, blank=True)
    issuing_body = models.CharField(_("issued by"), max_length=255)
    issued_on = models.DateField(_("issued on"))
    title = models.CharField(_("title"), max_length=255)
    theme = models.CharField(_("theme of the year"), max_length=255)
    report_due_day = models.PositiveSmallIntegerField(
        _("report due day"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("A month's report is due on this day of the following month."),
    )
    source = models.TextField(_("source"), blank=True)
    locked_at = models.DateTimeField(_("year locked at"), null=True, blank=True, editable=False)
    locked_by = models.ForeignKey(
        "branches.User",
        verbose_name=_("year locked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    objects = ResolutionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="one_resolution_per_year"),
            models.CheckConstraint(condition=Q(report_due_day__gte=1, report_due_day__lte=28), name="due_day_in_month"),
        ]

    def __str__(self):
        return f"{self.title} ({self.year})"

    # Which months fall when, and when a report is late: derived figures follow a change.
    CALENDAR_FIELDS = ("organisation_id", "year", "report_due_day")

    def save(self, *args, **kwargs):
        with transaction.atomic():
            before = None
            if self.pk is not None:
                before = type(self).objects.filter(pk=self.pk).values(*self.CALENDAR_FIELDS).first()
            super().save(*args, **kwargs)
            if before is None or any(before[f] != getattr(self, f) for f in self.CALENDAR_FIELDS):
                signals.calendar_changed.send(sender=type(self), resolution=self)

    @property
    def is_locked(self):
        """A closed year locked by provincial staff: its reports change only through a reopen."""
        return self.locked_at is not None

    def components(self):
        """All target components of this resolution, in target order."""
        return TargetComponent.objects.filter(target__resolution=self).select_related("target")


class Target(models.Model):
    resolution = models.ForeignKey(
        Resolution, verbose_name=_("resolution"), on_delete=models.CASCADE, related_name="targets"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("text"))
    short_name = models.CharField(_("short name"), max_length=120)
    due_month = models.PositiveSmallIntegerField(
        _("due month"),
        null=True,
        blank=True,
        validators=MONTH_VALIDATORS,
        help_text=_(
            "Month by which the whole figure is expected (e.g. 5 for the Workers' Month). "
            "Empty: expected evenly through the year."
        ),
    )
    continues = models.ForeignKey(
        "self",
        verbose_name=_("continues"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="continued_by",
        help_text=_("The same target in the federation's resolution of the previous year."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["resolution", "number"]
        constraints = [
            models.UniqueConstraint(fields=["resolution", "number"], name="target_number_unique"),
            models.CheckConstraint(
                condition=Q(due_month__isnull=True) | Q(due_month__gte=1, due_month__lte=12),
                name="target_due_month_valid",
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.short_name}"

    def clean(self):
        previous = self.continues
        if previous is None or not self.resolution_id:
            return
        resolution = self.resolution
        if (
            previous.resolution.organisation_id != resolution.organisation_id
            or previous.resolution.year != resolution.year - 1
        ):
            raise ValidationError(
                {"continues": _("A target continues a target of the same federation's previous year.")}
            )


class TargetComponent(ComponentEligibility, models.Model):
    """One figure of a target (target 7 has two: state-owned and non-state enterprises)."""

    class Measure(models.TextChoices):
        QUANTITY = "quantity", _("Quantity summed over the months")
        UNITS_DONE = "units_done", _("Units that reported it done")
        UNITS_AT_THRESHOLD = "units_at_threshold", _("Units whose reported value reaches the threshold")
        UNITS_FOUNDED = "units_founded", _("Grassroots unions founded this year in the tree")

    class FigureKind(models.TextChoices):
        AT_LEAST = "at_least", _("At least the figure")
        ALL_ELIGIBLE = "all_eligible", _("All eligible units")
        SHARE_OF_ELIGIBLE = "share_of_eligible", _("A percentage of the eligible units")

    # A unit of measure in these words makes a component's figures money, written
    # "15 tỷ đồng" on pages (the exact figure on hover and in exports).
    MONEY_UNITS = ("đồng", "đ", "vnd", "vnđ")

    target = models.ForeignKey(Target, verbose_name=_("target"), on_delete=models.CASCADE, related_name="components")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    label = models.CharField(_("label"), max_length=120, blank=True)
    # 64 bits: money in đồng reaches 10^15 (a fund of 15 tỷ đồng is 1.5 × 10^10).
    figure = models.PositiveBigIntegerField(
        _("figure"), help_text=_("For a percentage of the eligible units: the percentage (60 for 60%).")
    )
    # The figure before its latest change and the month from which the current one applies
    # (set by ``services.change_figure``; the full story is in the history).
    previous_figure = models.PositiveBigIntegerField(_("previous figure"), null=True, blank=True, editable=False)
    figure_from_month = models.PositiveSmallIntegerField(
        _("figure applies from month"), null=True, blank=True, editable=False, validators=MONTH_VALIDATORS
    )
    unit_of_measure = models.CharField(_("unit of measure"), max_length=64)
    measure = models.CharField(_("how it is counted"), max_length=24, choices=Measure.choices)
    figure_kind = models.CharField(
        _("kind of figure"), max_length=24, choices=FigureKind.choices, default=FigureKind.AT_LEAST
    )
    threshold = models.DecimalField(_("threshold"), max_digits=20, decimal_places=2, null=True, blank=True)
    threshold_unit = models.CharField(_("threshold unit"), max_length=32, blank=True)
    min_workforce = models.PositiveIntegerField(
        _("minimum workforce"),
        null=True,
        blank=True,
        help_text=_("Only units with at least this many workers count."),
    )
    for_province = models.BooleanField(_("reported by the province"), default=False)
    for_upper_level = models.BooleanField(_("reported by upper-level unions"), default=False)
    for_grassroots = models.BooleanField(_("reported by grassroots unions"), default=False)
    for_public_agency = models.BooleanField(_("public agencies"), default=True)
    for_state_enterprise = models.BooleanField(_("state-owned enterprises"), default=True)
    for_non_state_enterprise = models.BooleanField(_("non-state enterprises"), default=True)

    # The counting fields' digest the running totals were last computed with (set on
    # creation and by the ledger's recount; ``counting.fingerprint``).
    counted_as = models.CharField(max_length=32, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["counted_as"])

    # What decides which reported figures count, and how: a change to any of these
    # changes the running totals (``signals.component_changed``).
    COUNTING_FIELDS = counting.COUNTING_FIELDS

    class Meta:
        verbose_name = _("target component")
        verbose_name_plural = _("target components")
        ordering = ["target__number", "order"]
        constraints = [
            models.UniqueConstraint(fields=["target", "order"], name="component_order_unique"),
            models.CheckConstraint(
                condition=~Q(measure="units_at_threshold") | Q(threshold__isnull=False),
                name="threshold_measure_has_threshold",
            ),
            models.CheckConstraint(
                condition=~Q(figure_kind="share_of_eligible")
                | (Q(figure__lte=100) & Q(measure__in=["units_done", "units_at_threshold"])),
                name="share_is_a_percentage_of_counted_units",
            ),
        ]

    def __str__(self):
        if self.label:
            return f"{self.target.number}. {self.target.short_name} – {self.label}"
        return str(self.target)

    def save(self, *args, **kwargs):
        """Save, and announce a change of what counts so that derived figures follow in
        the same transaction, whoever made it (admin, loader, a data migration's code)."""
        with transaction.atomic():
            before = None
            if self.pk is not None:
                before = type(self).objects.filter(pk=self.pk).values(*self.COUNTING_FIELDS).first()
            changed = before is not None and any(before[f] != getattr(self, f) for f in self.COUNTING_FIELDS)
            if before is None or changed:
                # New (nothing reported for it yet) or recounted below, in this transaction.
                self.counted_as = counting.fingerprint(self)
                if kwargs.get("update_fields") is not None:
                    kwargs["update_fields"] = {*kwargs["update_fields"], "counted_as"}
            super().save(*args, **kwargs)
            if changed:
                signals.component_changed.send(sender=type(self), component=self)

    def clean(self):
        if self.measure == self.Measure.UNITS_AT_THRESHOLD and self.threshold is None:
            raise ValidationError({"threshold": _("A threshold measure needs a threshold value.")})
        if self.is_share:
            if self.measure not in (self.Measure.UNITS_DONE, self.Measure.UNITS_AT_THRESHOLD):
                raise ValidationError(
                    {"figure_kind": _("A percentage of the eligible units needs a measure that counts units.")}
                )
            if self.figure is not None and self.figure > 100:
                raise ValidationError({"figure": _("A percentage is at most 100.")})

    @property
    def is_share(self):
        """The figure is a percentage of the eligible units (60 for 60%)."""
        return self.figure_kind == self.FigureKind.SHARE_OF_ELIGIBLE

    @property
    def is_money(self):
        """Figures in đồng, shown the way reports write money ("2,5 tỷ đồng")."""
        return self.unit_of_measure.strip().lower() in self.MONEY_UNITS

    @property
    def counts_units(self):
        return self.measure != self.Measure.QUANTITY

    @property
    def needs_eligible_units(self):
        """Whether its figures use the number of eligible units: a percentage of them, all of
        them as the figure, or a count of units (capped by them)."""
        return self.is_share or self.figure_kind == self.FigureKind.ALL_ELIGIBLE or self.counts_units

    @property
    def is_reported(self):
        """Whether units type something for it (founded units are counted from the tree)."""
        return self.measure != self.Measure.UNITS_FOUNDED

    def figure_for(self, unit):
        """The figure this unit answers for: the whole figure at the issuing federation,
        else the unit's allocation (None when nothing was allocated to it)."""
        if unit.pk == self.target.resolution.organisation_id:
            return self.figure
        allocation = self.allocations.filter(organisation=unit).first()
        return allocation.figure if allocation else None

    def allocation_balance(self):
        """For each unit whose share was split among its children: its figure, the sum
        of its children's shares and the difference (one query)."""
        allocations = list(self.allocations.select_related("organisation__parent"))
        by_unit = {a.organisation_id: a.figure for a in allocations}
        root_id = self.target.resolution.organisation_id
        sums = {}
        for a in allocations:
            parent_id = a.organisation.parent_id
            sums.setdefault(parent_id, 0)
            sums[parent_id] += a.figure
        rows = []
        parents = {a.organisation.parent_id: a.organisation.parent for a in allocations}
        for parent_id, children_sum in sums.items():
            parent_figure = self.figure if parent_id == root_id else by_unit.get(parent_id)
            rows.append(
                {
                    "parent": parents[parent_id],
                    "figure": parent_figure,
                    "allocated": children_sum,
                    "difference": None if parent_figure is None else children_sum - parent_figure,
                }
            )
        rows.sort(key=lambda r: r["parent"].path if r["parent"] else "")
        return rows


class PriorityTask(models.Model):
    resolution = models.ForeignKey(
        Resolution, verbose_name=_("resolution"), on_delete=models.CASCADE, related_name="tasks"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=255)
    text = models.TextField(_("text"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("priority task")
        verbose_name_plural = _("priority tasks")
        ordering = ["resolution", "number"]
        constraints = [
            models.UniqueConstraint(fields=["resolution", "number"], name="task_number_unique"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"
