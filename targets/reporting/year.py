"""The resolution's year as reports see it: which months can be reported, and the lock of a
closed year (``resolution_lock`` / ``resolution_unlock``; ``check_year_open`` is the one place
that enforces it on a report write)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from branches import access
from targets.resolution.models import Resolution
from unionplan import clock

from .errors import ReportError, ReportYearLocked


def month_is_open(*, resolution, month, today=None):
    """Whether ``month`` of the resolution's year can be reported: January to December,
    never a month that has not started yet."""
    today = today or clock.today()
    return 1 <= month <= 12 and datetime.date(resolution.year, month, 1) <= today


def _locked_at(resolution_id):
    """When the year was locked (read afresh inside the write's transaction), or None."""
    return Resolution.objects.filter(pk=resolution_id).values_list("locked_at", flat=True).first()


def report_is_writable(report):
    """Whether the lock of a closed year lets ``report`` change: always in an open year;
    in a locked one only a report reopened (by provincial staff) after the lock, until it
    is approved again. A reopen, return or approval sets ``reviewed_at``."""
    locked_at = _locked_at(report.resolution_id)
    return locked_at is None or (report.reviewed_at is not None and report.reviewed_at >= locked_at)


def check_year_open(report, *, user=None, reopening=False):
    """Refuse a write to a report of a locked year (the one place that enforces the lock)."""
    if reopening:
        federation = report.resolution.organisation
        allowed = _locked_at(report.resolution_id) is None or access.can_close_year(user, federation)
    else:
        allowed = report_is_writable(report)
    if not allowed:
        raise ReportYearLocked(
            _(
                "The year %(year)s is locked: its reports can no longer be changed. "
                "Provincial staff can reopen a report with a reason."
            )
            % {"year": report.resolution.year}
        )


def resolution_lock(*, resolution, user):
    """Lock a closed year: from now on its reports change only through a reopen with a reason."""
    if not access.can_close_year(user, resolution.organisation):
        raise PermissionDenied
    if not resolution.has_ended():
        raise ReportError(_("A year can be locked only after it has ended."))
    with transaction.atomic():
        locked = Resolution.objects.select_for_update().get(pk=resolution.pk)
        if locked.is_locked:
            raise ReportError(_("This year is already locked."))
        locked.locked_at, locked.locked_by = clock.now(), user
        locked._history_user = user
        locked._change_reason = _("Year locked")
        locked.save(update_fields=["locked_at", "locked_by"])
    resolution.refresh_from_db()
    return resolution


def resolution_unlock(*, resolution, user, reason):
    """Unlock a locked year (provincial staff or an admin), with the reason kept in history."""
    if not access.can_close_year(user, resolution.organisation):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for unlocking the year."))
    with transaction.atomic():
        unlocked = Resolution.objects.select_for_update().get(pk=resolution.pk)
        unlocked.locked_at, unlocked.locked_by = None, None
        unlocked._history_user = user
        unlocked._change_reason = reason
        unlocked.save(update_fields=["locked_at", "locked_by"])
    resolution.refresh_from_db()
    return resolution
