"""The organisation tree (federation → upper-level unions → grassroots unions) and its users."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q, Value
from django.db.models.functions import Coalesce, Concat, Substr, Upper
from django.utils.translation import gettext_lazy as _

from unionplan import clock

from . import signals

# A unit's path is its ancestors' ids and its own, each zero-padded to a fixed width,
# so "every unit under X" is one indexed prefix query and "the child of X that a unit
# belongs to" is a fixed-length prefix, whatever the depth of the tree.
PATH_STEP = 10  # 9 digits and a separator


def path_segment(pk):
    return f"{pk:09d}/"


def path_ids(path):
    """The ids on a unit's path, root first, the unit itself last."""
    return [int(segment) for segment in path.strip("/").split("/") if segment]


class OrganisationQuerySet(models.QuerySet):
    def under(self, unit, include_self=True):
        """Units in the subtree of ``unit`` (one query, any depth)."""
        qs = self.filter(path__startswith=unit.path)
        return qs if include_self else qs.exclude(pk=unit.pk)

    def grassroots(self):
        """Grassroots unions (công đoàn cơ sở)."""
        return self.filter(kind=Organisation.Kind.GRASSROOTS)

    def upper_levels(self):
        """Direct upper-level unions (công đoàn cấp trên trực tiếp cơ sở)."""
        return self.filter(kind=Organisation.Kind.UPPER_LEVEL)

    def active_on(self, day):
        """Units founded on or before ``day`` and not dissolved by then."""
        return self.filter(Q(founded_on__isnull=True) | Q(founded_on__lte=day)).filter(
            Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day)
        )

    def active(self):
        """Units not dissolved."""
        return self.filter(dissolved_on__isnull=True)

    def under_on(self, unit, day):
        """Units that were in the subtree of ``unit`` on ``day`` (``under`` as the tree was
        then: a unit moved since counts where its former placement put it)."""
        # Only placements that ended after ``day`` say anything about it: usually none (the
        # tree changes rarely). Else each unit's placement covering the day (at most one:
        # ``since`` ≤ day < ``until``) is joined, and the units are those under ``unit`` now
        # that had none then, and those whose placement then was under it.
        later = Placement.objects.filter(until__gt=day)
        if not later.exists():
            return self.under(unit).annotate(path_then=models.F("path"))
        candidates = (
            Organisation.objects.filter(path__startswith=unit.path)
            .order_by()
            .values("pk")
            .union(later.filter(path__startswith=unit.path).order_by().values("unit_id"))
        )
        covering = Q(placements__until__gt=day) & (Q(placements__since__isnull=True) | Q(placements__since__lte=day))
        # Under the top of a tree, every unit is a candidate: no need to look them up.
        return (
            (self if unit.parent_id is None else self.filter(pk__in=candidates))
            .annotate(placed=models.FilteredRelation("placements", condition=covering))
            .annotate(path_then=Coalesce(models.F("placed__path"), models.F("path")))
            .filter(path_then__startswith=unit.path)
        )


def children_on_q(unit, day):
    """For a queryset of ``under_on(unit, day)``: the units whose parent was ``unit`` on
    ``day``. Looked up by index first (its children now, and the units whose placement then
    had it as parent; one query), so that the tree under ``unit`` is not read whole."""
    direct = (
        Organisation.objects.filter(parent=unit)
        .order_by()
        .values("pk")
        .union(Placement.objects.filter(parent=unit, until__gt=day).order_by().values("unit_id"))
    )
    # Read first (a few hundred ids at most), so that the units are then found by their key.
    ids = [row["pk"] for row in direct]
    return Q(pk__in=ids) & Q(path_then__regex=r"^" + unit.path + r"[0-9]{9}/$")


class Organisation(models.Model):
    class Kind(models.TextChoices):
        CONFEDERATION = "confederation", _("Confederation of Labour")
        PROVINCE = "province", _("Provincial federation of labour")
        UPPER_LEVEL = "upper_level", _("Upper-level union")
        GRASSROOTS = "grassroots", _("Grassroots union")

    class Sector(models.TextChoices):
        PUBLIC_AGENCY = "public_agency", _("Public agency or unit")
        STATE_ENTERPRISE = "state_enterprise", _("State-owned enterprise")
        NON_STATE_ENTERPRISE = "non_state_enterprise", _("Non-state enterprise")

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent union"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("tree path"), max_length=255, editable=False, db_index=True)
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    sector = models.CharField(_("sector"), max_length=24, choices=Sector.choices, blank=True)
    workforce = models.PositiveIntegerField(_("workforce"), default=0)
    members = models.PositiveIntegerField(_("union members"), default=0)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    # A federation merged into another (``branches.changes``): the successor's staff answer
    # for this one's resolutions to their year end (``access``).
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_federations",
    )
    # The four-eyes rule (``access.approval_by``) relaxed for a federation whose offices
    # have a single officer: set on the federation, it holds for its whole subtree.
    allow_self_approval = models.BooleanField(
        _("allow one person to enter and approve (offices with one officer)"),
        default=False,
        db_default=False,  # bulk loaders insert rows without naming it
        help_text=_(
            "For a federation: an officer who entered a unit's figures on its behalf (form or Excel) may "
            "also approve them, for every unit under it. Such approvals are marked “self-entered, self-approved”."
        ),
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["kind", "path"], name="org_kind_path"),
            models.Index(fields=["parent", "name"], name="org_parent_name"),
            # Units founded in a year (the founding targets), without reading the whole tree.
            models.Index(fields=["founded_on"], name="org_founded_on"),
            # "Has another unit this name?" (an export's file name, case-insensitive: name__iexact).
            models.Index(Upper("name"), name="org_name_upper"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True)
                | Q(founded_on__isnull=True)
                | Q(dissolved_on__gte=models.F("founded_on")),
                name="org_dissolved_after_founded",
            ),
            models.CheckConstraint(
                condition=Q(kind="grassroots") | Q(sector=""),
                name="org_sector_only_for_grassroots",
            ),
        ]

    # What decides which targets a unit counts for (kind, sector, workforce) and which
    # months it is expected to report (founding and dissolution dates): a change is
    # announced (``signals.unit_attributes_changed``) for the figures kept elsewhere.
    TRACKED_FIELDS = ("kind", "sector", "workforce", "founded_on", "dissolved_on")

    def __str__(self):
        return self.name

    # Set by a change to the tree (``branches.changes``) before saving: the day a move takes
    # effect (today otherwise) and the change, recorded with the unit's former placement.
    effective_on = None
    tree_change = None

    def save(self, *args, **kwargs):
        # The path is part of the row's identity in the tree: it is kept right here, in
        # the one place every write passes through (admin, forms, loaders), together with
        # the paths of the subtree when the unit moves to another parent.
        if self.parent_id and Organisation.objects.filter(pk=self.parent_id, kind=self.Kind.GRASSROOTS).exists():
            raise ValidationError({"parent": _("A grassroots union cannot have units under it.")})
        with transaction.atomic():
            before = (
                Organisation.objects.filter(pk=self.pk).only(*self.TRACKED_FIELDS, "path", "parent").first()
                if self.pk
                else None
            )
            super().save(*args, **kwargs)
            parent_path = (
                Organisation.objects.values_list("path", flat=True).get(pk=self.parent_id) if self.parent_id else ""
            )
            new_path = parent_path + path_segment(self.pk)
            old_path = before.path if before else ""
            self.path = new_path
            moved_on = self.effective_on or clock.today()
            if new_path != old_path:
                if old_path:
                    self._record_placements(old_path, before.parent_id, moved_on)
                Organisation.objects.filter(pk=self.pk).update(path=new_path)
                if old_path:
                    Organisation.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                        path=Concat(Value(new_path), Substr("path", len(old_path) + 1))
                    )
            if before is None:
                signals.unit_added.send(sender=Organisation, unit=self)
                return
            # What the unit is first, where its totals are still held (``before.path``);
            # then the move, which carries them as they now are.
            if any(getattr(before, f) != getattr(self, f) for f in self.TRACKED_FIELDS):
                signals.unit_attributes_changed.send(sender=Organisation, unit=self, before=before)
            if new_path != old_path:
                signals.unit_moved.send(sender=Organisation, unit=self, old_path=old_path, effective_on=moved_on)

    def _record_placements(self, old_path, old_parent_id, day):
        """Keep where the unit and its subtree were until ``day`` (their paths before the move)."""
        rows = list(Organisation.objects.filter(path__startswith=old_path).values_list("pk", "path", "parent_id"))
        since = placement_starts([pk for pk, _path, _parent in rows])
        Placement.objects.bulk_create(
            Placement(
                unit_id=pk,
                path=path,
                parent_id=old_parent_id if pk == self.pk else parent_id,
                since=since.get(pk),
                until=day,
                change=self.tree_change,
            )
            for pk, path, parent_id in rows
        )

    def is_active_on(self, day):
        """Founded on or before ``day`` and not dissolved by then (``active_on``, for one unit)."""
        return (self.founded_on is None or self.founded_on <= day) and (
            self.dissolved_on is None or self.dissolved_on > day
        )

    @property
    def depth(self):
        return len(self.path) // PATH_STEP

    @property
    def is_grassroots(self):
        return self.kind == self.Kind.GRASSROOTS

    @property
    def is_enterprise(self):
        return self.sector in (self.Sector.STATE_ENTERPRISE, self.Sector.NON_STATE_ENTERPRISE)

    def is_within(self, unit):
        """True if this unit is ``unit`` or lies in its subtree."""
        return bool(unit.path) and self.path.startswith(unit.path)

    def ancestors(self):
        """This unit's ancestors, root first (one query)."""
        return Organisation.objects.filter(pk__in=path_ids(self.path)[:-1]).order_by("path")

    def clean(self):
        if self.kind == self.Kind.GRASSROOTS and not self.sector:
            raise ValidationError({"sector": _("A grassroots union must have a sector.")})
        if self.kind != self.Kind.GRASSROOTS and self.sector:
            raise ValidationError({"sector": _("Only grassroots unions have a sector.")})
        if self.dissolved_on and self.founded_on and self.dissolved_on < self.founded_on:
            raise ValidationError({"dissolved_on": _("A unit cannot be dissolved before it was founded.")})
        if self.parent_id and self.pk and self.parent.is_within(self):
            raise ValidationError({"parent": _("A unit cannot be placed under itself or its own sub-units.")})
        if self.parent_id and self.parent.kind == self.Kind.GRASSROOTS:
            raise ValidationError({"parent": _("A grassroots union cannot have units under it.")})
        if self.pk and self.kind == self.Kind.GRASSROOTS and Organisation.objects.filter(parent=self).exists():
            raise ValidationError({"kind": _("A unit with units under it cannot be a grassroots union.")})


class User(AbstractUser):
    class Role(models.TextChoices):
        GRASSROOTS_OFFICER = "grassroots_officer", _("Grassroots union officer")
        UPPER_LEVEL_OFFICER = "upper_level_officer", _("Upper-level union officer")
        PROVINCIAL_STAFF = "provincial_staff", _("Provincial staff")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        swappable = "AUTH_USER_MODEL"

    def get_full_name(self):
        """The person's name as Vietnamese write it: family name (``last_name``, họ) first,
        given name (``first_name``, tên) last: "Nguyễn Văn Hùng"."""
        return " ".join(part for part in (self.last_name.strip(), self.first_name.strip()) if part)

    @property
    def display_name(self):
        """How the app shows a person: their full name, or their user name if none was given."""
        return self.get_full_name() or self.username

    def clean(self):
        super().clean()
        if self.role and not self.organisation_id:
            raise ValidationError({"organisation": _("An officer must belong to an organisation.")})


class Placement(models.Model):
    """Where a unit sat in the tree until a move took effect: its path then (its parent and
    theirs) and the day the next placement began (``until``, exclusive). A unit never moved
    has no rows: it has always been where it is. Written by ``Organisation.save`` for the
    unit and its whole subtree whenever a path changes, so that the "as it was" view
    (``path_on``) knows, for any day, under which units a unit's figures counted."""

    unit = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="placements"
    )
    # Indexed for "who was under X" (``under_on``) and "the latest change under X".
    path = models.CharField(_("tree path"), max_length=255, db_index=True)
    parent = models.ForeignKey(
        Organisation, verbose_name=_("parent union"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The day it began: the ``until`` of the unit's placement before (empty: it had none), so
    # that the placement covering a day is found by a range, one row per unit (``under_on``).
    since = models.DateField(_("since"), null=True, blank=True)
    until = models.DateField(_("until"))
    change = models.ForeignKey(
        "TreeChange", verbose_name=_("change"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("former placement")
        verbose_name_plural = _("former placements")
        ordering = ["unit", "until"]
        indexes = [models.Index(fields=["unit", "until"], name="placement_unit_until")]

    def __str__(self):
        return f"{self.unit_id} {self.path} → {self.until}"


def placement_starts(unit_ids):
    """{unit id: the day its latest former placement ended} for those of ``unit_ids`` that
    have one: where a placement recorded now begins (``Placement.since``)."""
    starts = {}
    unit_ids = list(unit_ids)
    for start in range(0, len(unit_ids), 2000):
        rows = (
            Placement.objects.filter(unit_id__in=unit_ids[start : start + 2000])
            .values("unit_id")
            .annotate(last=models.Max("until"))
            .values_list("unit_id", "last")
            .order_by()
        )
        starts.update(rows)
    return starts


def paths_on(unit_ids, days):
    """{(unit id, day): path} for the units that had moved since ``day`` (one query): the
    path of the placement that covered the day. Days a unit was where it is now are left
    out (its current path applies)."""
    days = sorted(set(days))
    if not days or not unit_ids:
        return {}
    rows = list(
        Placement.objects.filter(unit_id__in=unit_ids, until__gt=days[0])
        .order_by("unit_id", "until", "pk")
        .values_list("unit_id", "until", "path")
    )
    result = {}
    for unit_id, until, path in rows:
        for day in days:
            if day < until and (unit_id, day) not in result:
                result[(unit_id, day)] = path
    return result


class TreeChange(models.Model):
    """A decision that changes the tree (founding, renaming, moving, merging, splitting,
    dissolving units, changing their level), effective on a day. Planned until it is applied
    (on its day, by ``apply_due_changes`` or when a change page is opened); its lines say
    what happens to each unit and keep what was there before, for the unit's timeline and
    for undoing it. ``branches.changes`` applies it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being prepared")
        PLANNED = "planned", _("Planned")
        # A large change applies in steps (``branches.changes.apply``): checked whole first,
        # then ``lines_done`` of its lines applied so far.
        APPLYING = "applying", _("Being applied")
        APPLIED = "applied", _("Applied")
        # A large change is undone in steps too: ``lines_done`` of its moves taken back so far.
        UNDOING = "undoing", _("Being undone")
        UNDONE = "undone", _("Undone")

    decision_number = models.CharField(_("decision number"), max_length=64)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    decision_text = models.TextField(_("decision"), blank=True)
    effective_on = models.DateField(_("effective on"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    federation = models.ForeignKey(
        Organisation, verbose_name=_("federation"), on_delete=models.PROTECT, related_name="tree_changes"
    )
    created_by = models.ForeignKey(
        "User", verbose_name=_("prepared by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("prepared at"), auto_now_add=True)
    applied_by = models.ForeignKey(
        "User", verbose_name=_("applied by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    lines_done = models.PositiveIntegerField(_("lines applied"), default=0)
    # The merger of a federation whose units this change hands to the successor on the first
    # day of the next year (``changes.handover``): planned by the merger, cancelled by its undoing.
    handover_of = models.ForeignKey(
        "self",
        verbose_name=_("hand-over of the merger"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="handovers",
    )
    # When the row was last written (the real moment, not the app's clock): reports saved
    # since it was applied mean something was filed under the new structure.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("change to the organisation tree")
        verbose_name_plural = _("changes to the organisation tree")
        ordering = ["-effective_on", "-pk"]
        indexes = [models.Index(fields=["status", "effective_on"], name="treechange_status_day")]

    def __str__(self):
        return f"{self.decision_number} ({self.effective_on:%d/%m/%Y})"

    @property
    def kinds(self):
        """The kinds of its lines, in order, each once."""
        return list(dict.fromkeys(line.kind for line in self.lines.all()))


class TreeChangeLine(models.Model):
    """What a change does to one unit, in the order the decision lists it, with what the
    unit was before (for the timeline and for undoing it)."""

    class Kind(models.TextChoices):
        FOUND = "found", _("Founded")
        RENAME = "rename", _("Renamed")
        MOVE = "move", _("Moved")
        MERGE = "merge", _("Merged")
        SPLIT = "split", _("Split")
        DISSOLVE = "dissolve", _("Dissolved")
        CHANGE_LEVEL = "change_level", _("Level changed")

    class Officers(models.TextChoices):
        FOLLOW = "follow", _("Follow to the successor")
        UNASSIGNED = "unassigned", _("No unit until an admin assigns one")

    change = models.ForeignKey(TreeChange, verbose_name=_("change"), on_delete=models.CASCADE, related_name="lines")
    order = models.PositiveIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # The unit changed (for a founding, the unit founded, once applied).
    unit = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Move: the new parent; merge: the unit merged into; dissolve: the successor; found: the parent.
    target = models.ForeignKey(
        Organisation, verbose_name=_("to"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    code = models.CharField(_("code"), max_length=32, blank=True)
    name = models.CharField(_("name"), max_length=255, blank=True)
    level = models.CharField(_("level"), max_length=20, choices=Organisation.Kind.choices, blank=True)
    sector = models.CharField(_("sector"), max_length=24, choices=Organisation.Sector.choices, blank=True)
    share = models.PositiveSmallIntegerField(_("share (%)"), null=True, blank=True)
    officers = models.CharField(
        _("officers"), max_length=12, choices=Officers.choices, default=Officers.FOLLOW, blank=True
    )
    # Set by the line, inside the change that set it (a dissolution's children moved along).
    implied_by = models.ForeignKey(
        "self", verbose_name=_("implied by"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # What was there before the change (filled in when it is applied).
    previous_parent = models.ForeignKey(
        Organisation,
        verbose_name=_("previous parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    previous_name = models.CharField(_("previous name"), max_length=255, blank=True)
    previous_level = models.CharField(_("previous level"), max_length=20, blank=True)
    previous_dissolved_on = models.DateField(_("previous dissolution date"), null=True, blank=True)
    officers_moved = models.JSONField(_("officers moved"), default=list, blank=True)
    # What the targets' side passed on (allocations), so that undoing the change gives it back.
    allocations_moved = models.JSONField(_("allocations passed on"), default=list, blank=True)

    class Meta:
        verbose_name = _("change line")
        verbose_name_plural = _("change lines")
        ordering = ["change", "order", "pk"]
        indexes = [models.Index(fields=["unit", "change"], name="treechangeline_unit")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.unit_id or self.code}"
