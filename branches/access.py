"""Who may see and do what: the one place for access rules.

- A grassroots officer sees and files only their own unit's reports.
- An upper-level officer files its own unit's reports, and reads and reviews the
  reports of every unit in its subtree.
- Provincial staff read everything under their federation, file the federation's
  own reports and review the units below it.
- Superusers (admins) may do everything.
- Resolutions: an officer sees those issued by their own unit or one of its ancestors
  (the federation they belong to), never another federation's; admins see all.
- A federation merged into another (``branches.changes``): from the merger on, the
  successor's provincial staff read, review and answer for the merged federation's units
  and resolutions too (their inbox spans its reports; they close its year); nobody else
  gains anything.
- Officers of a unit that has ended (dissolved) keep their log-in and read what they could,
  but file nothing until an admin assigns them a unit.
- Changes to the tree (``branches.changes``): read, prepared and applied by the federation's
  provincial staff (and for federations merged into it) and admins.
Views apply these through ``visible_units`` (``unit_reach`` for rows of units) and
``visible_tree_changes`` on querysets and the ``can_*`` checks.
"""

import operator
from functools import reduce

from django.db.models import Exists, OuterRef, Q

from unionplan import clock
from unionplan.queries import AmongIds

from .models import Organisation, Placement, TreeChange, User, path_ids

REVIEWER_ROLES = {User.Role.UPPER_LEVEL_OFFICER, User.Role.PROVINCIAL_STAFF}


def _officer_unit(user):
    if not user.is_authenticated or not user.is_active:
        return None
    return user.organisation if user.organisation_id else None


def federations_merged_into(unit):
    """The federations merged into ``unit`` by now (it answers for them)."""
    return Organisation.objects.filter(merged_into=unit, dissolved_on__lte=clock.today())


def merged_federations(user):
    """The federations merged into ``user``'s own by now, which its provincial staff answer for."""
    unit = _officer_unit(user)
    if unit is None or user.role != User.Role.PROVINCIAL_STAFF:
        return Organisation.objects.none()
    return federations_merged_into(unit)


def review_scopes(root):
    """The units whose subtrees the officers of ``root`` review: ``root``, and for a
    federation the federations merged into it (their own reports included)."""
    return (
        [root, *federations_merged_into(root).order_by("path")] if root.kind == Organisation.Kind.PROVINCE else [root]
    )


def visible_units(user):
    """The organisations whose figures ``user`` may read."""
    return Organisation.objects.filter(unit_reach(user))


def unit_reach(user, relation=""):
    """``visible_units`` as a condition on ``relation``, a foreign key to the organisations
    ("organisation" for reports; "" for the organisations themselves): the subtrees' path
    prefixes; for rows of a branch's units, the branch's unit ids looked up one by one
    (``AmongIds``), so that a province's page of a month's reports reads that province's
    reports only, wherever they lie in the month."""
    field = f"{relation}__" if relation else ""
    if user.is_authenticated and user.is_superuser:
        return Q()
    unit = _officer_unit(user)
    if unit is None or not user.role:
        return Q(**{f"{field}pk__in": []})
    if user.role == User.Role.GRASSROOTS_OFFICER:
        return Q(**{f"{relation}_id" if relation else "pk": unit.pk})
    paths = [unit.path, *merged_federations(user).values_list("path", flat=True)]

    def under(prefix=""):
        return reduce(operator.or_, (Q(**{f"{prefix}path__startswith": path}) for path in paths))

    if not relation:
        return under()
    if unit.parent_id is not None:  # a branch: its units' ids, each looked up (``AmongIds``)
        return Q(AmongIds(f"{relation}_id", Organisation.objects.filter(under()).order_by().values("pk")))
    return under(field)


def sees_one_branch(user):
    """Whether ``user`` sees a branch of the tree (a unit below the top, and what is under
    it) rather than all of it or nothing: long lists of such a user's rows are read by the
    branch's units rather than along everything in id order (a hint, not a rule)."""
    if user.is_authenticated and user.is_superuser:
        return False
    unit = _officer_unit(user)
    return unit is not None and bool(user.role) and unit.parent_id is not None


def _within_reach(user, own, unit):
    """``unit`` is in ``own``'s subtree or in a federation merged into it."""
    if unit.is_within(own):
        return True
    return any(unit.path.startswith(path) for path in merged_federations(user).values_list("path", flat=True))


def resolution_issuers(user):
    """The organisations whose resolutions ``user`` may see: their own unit and its
    ancestors (a resolution applies to its issuer's subtree); every one for an admin
    (None means no restriction)."""
    if user.is_authenticated and user.is_superuser:
        return None
    unit = _officer_unit(user)
    if unit is None or not user.role:
        return Organisation.objects.none()
    # And the federations it sat under before a move: a unit handed to another federation on
    # 1 January still reports its last year against its former federation's resolution (a
    # subquery over the federations, by the index on the kind).
    placed = Placement.objects.filter(unit=unit, path__startswith=OuterRef("path"))
    former = Organisation.objects.filter(kind=Organisation.Kind.PROVINCE).filter(Exists(placed)).values("pk")
    return Organisation.objects.filter(
        Q(pk__in=path_ids(unit.path)) | Q(pk__in=merged_federations(user)) | Q(pk__in=former)
    )


def can_close_year(user, federation):
    """Whether ``user`` may lock (and unlock) a year of ``federation``'s resolution, and
    reopen its reports once locked: its provincial staff, or an admin."""
    if user.is_authenticated and user.is_superuser:
        return True
    own = _officer_unit(user)
    if own is None or user.role != User.Role.PROVINCIAL_STAFF:
        return False
    return own.pk == federation.pk or merged_federations(user).filter(pk=federation.pk).exists()


def can_view_unit(user, unit):
    """Whether ``user`` may read ``unit``'s reports and dashboard."""
    if user.is_authenticated and user.is_superuser:
        return True
    own = _officer_unit(user)
    if own is None or not user.role:
        return False
    if user.role == User.Role.GRASSROOTS_OFFICER:
        return unit.pk == own.pk
    return _within_reach(user, own, unit)


def has_ended(unit):
    """The unit was dissolved (or merged away) by today."""
    return unit.dissolved_on is not None and unit.dissolved_on <= clock.today()


def can_file_for(user, unit):
    """Whether ``user`` may fill in and submit ``unit``'s own reports (own unit only, while
    it has not ended: its officers then read until an admin assigns them a unit)."""
    own = _officer_unit(user)
    return own is not None and bool(user.role) and own.pk == unit.pk and not has_ended(own)


def can_review_unit(user, unit):
    """Whether ``user`` may approve, return or reopen ``unit``'s reports: an officer of
    one of its ancestors (never of the unit itself)."""
    if user.is_authenticated and user.is_superuser:
        return True
    own = _officer_unit(user)
    if own is None or user.role not in REVIEWER_ROLES:
        return False
    return unit.pk != own.pk and _within_reach(user, own, unit)


def can_change_tree(user, federation):
    """Whether ``user`` may prepare and apply changes to ``federation``'s tree (move, merge,
    dissolve units): its provincial staff, or an admin."""
    if user.is_authenticated and user.is_superuser:
        return True
    own = _officer_unit(user)
    if own is None or user.role != User.Role.PROVINCIAL_STAFF:
        return False
    return own.pk == federation.pk or merged_federations(user).filter(pk=federation.pk).exists()


def visible_tree_changes(user):
    """The changes to the tree ``user`` may read, as the change pages decide (``can_change_tree``):
    every one for an admin; for provincial staff those of their federation and of the
    federations merged into it; none for anyone else."""
    if user.is_authenticated and user.is_superuser:
        return TreeChange.objects.all()
    own = _officer_unit(user)
    if own is None or user.role != User.Role.PROVINCIAL_STAFF:
        return TreeChange.objects.none()
    return TreeChange.objects.filter(Q(federation=own) | Q(federation__in=merged_federations(user)))


def can_register_unit_under(user, parent):
    """Whether ``user`` may register a newly founded grassroots union under ``parent``."""
    if user.is_authenticated and user.is_superuser:
        return True
    own = _officer_unit(user)
    if own is None or user.role not in REVIEWER_ROLES:
        return False
    return parent.is_within(own) and parent.kind != Organisation.Kind.GRASSROOTS


def is_reviewer(user):
    """Whether ``user`` reviews reports of units below their own (upper levels, province, admins)."""
    if user.is_authenticated and user.is_superuser:
        return True
    return _officer_unit(user) is not None and user.role in REVIEWER_ROLES


def review_root(user):
    """The unit whose subtree ``user`` reviews: their own unit, or for an admin without
    one, the top of the tree (None when there is nothing to review)."""
    unit = _officer_unit(user)
    if unit is not None:
        return unit if is_reviewer(user) else None
    if user.is_authenticated and user.is_superuser:
        return Organisation.objects.filter(parent__isnull=True).order_by("path").first()
    return None


def bulk_entry_root(user):
    """The unit whose grassroots unions ``user`` may enter monthly reports for from an
    Excel file (paper reports typed in by the upper level): an upper-level or provincial
    officer's own unit, else None."""
    own = _officer_unit(user)
    if own is None or user.role not in REVIEWER_ROLES:
        return None
    return own


def can_enter_for(user, unit):
    """Whether ``user`` may enter and submit ``unit``'s monthly report on its behalf (Excel
    bulk entry): ``unit`` is a grassroots union in the subtree of the user's own unit."""
    root = bulk_entry_root(user)
    return (
        root is not None and unit.kind == Organisation.Kind.GRASSROOTS and unit.pk != root.pk and unit.is_within(root)
    )


class Approval:
    """The four-eyes rule's answers (``approval_by``)."""

    ALLOWED = "allowed"
    SELF = "self"  # the officer approves figures they entered; allowed by the federation, marked
    REFUSED = "refused"


def self_approval_allowed(unit):
    """Whether a federation above ``unit`` (or the unit itself) lets one officer enter a
    unit's figures on its behalf and approve them too (offices with one officer)."""
    return Organisation.objects.filter(pk__in=path_ids(unit.path), allow_self_approval=True).exists()


def approval_by(user, report):
    """The four-eyes rule: figures an officer entered on a unit's behalf (``report.entered_by``
    with an on-behalf channel) are approved by someone else, unless the federation relaxes
    it, and then the approval is marked. Whether ``user`` may review at all is
    ``can_review_unit``."""
    if not report.entered_on_behalf or report.entered_by_id is None or report.entered_by_id != user.pk:
        return Approval.ALLOWED
    if self_approval_allowed(report.organisation):
        return Approval.SELF
    return Approval.REFUSED
