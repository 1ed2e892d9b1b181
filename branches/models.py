"""The organisation tree (federation → upper-level unions → grassroots unions) and its users."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _

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

    def save(self, *args, **kwargs):
        # The path is part of the row's identity in the tree: it is kept right here, in
        # the one place every write passes through (admin, forms, loaders), together with
        # the paths of the subtree when the unit moves to another parent.
        if self.parent_id and Organisation.objects.filter(pk=self.parent_id, kind=self.Kind.GRASSROOTS).exists():
            raise ValidationError({"parent": _("A grassroots union cannot have units under it.")})
        with transaction.atomic():
            before = (
                Organisation.objects.filter(pk=self.pk).only(*self.TRACKED_FIELDS, "path").first() if self.pk else None
            )
            super().save(*args, **kwargs)
            parent_path = (
                Organisation.objects.values_list("path", flat=True).get(pk=self.parent_id) if self.parent_id else ""
            )
            new_path = parent_path + path_segment(self.pk)
            old_path = before.path if before else ""
            self.path = new_path
            if new_path != old_path:
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
                signals.unit_moved.send(sender=Organisation, unit=self, old_path=old_path)

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
