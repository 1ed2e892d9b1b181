"""Writes that change reports: one function per action (the refusals they raise in
``errors``, the year's months and lock in ``year``, both re-exported here for callers).

Each runs in one transaction and is called alike by views, the Excel import, the admin
and the tests. Access is checked here (through ``branches.access``) as well as in the
views, so no caller can skip it. A report's ``version`` is an optimistic lock: a write
from a page showing an older version is refused with ``ReportConflict``.
"""

import dataclasses
import functools

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from branches import access
from unionplan import clock

from . import ledger
from .errors import ReportConflict, ReportError, ReportFourEyes, ReportLocked, ReportMonthNotOpen, ReportYearLocked
from .models import MonthlyReport, PriorityTask, ReportFigure, TaskProgress
from .year import check_year_open, month_is_open, report_is_writable, resolution_lock, resolution_unlock

Status = MonthlyReport.Status
EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)
FIGURE_FIELDS = ("quantity", "done", "done_on", "value")
APPROVED_FIELDS = {"quantity": "approved_quantity", "done": "approved_done", "value": "approved_value"}


def keeps_totals_current(action):
    """Run a report action in one transaction, carrying its effect on the unit's figures
    into the dashboards' running totals (targets.reporting.ledger) before the transaction commits."""

    @functools.wraps(action)
    def run(*, report, **kwargs):
        with transaction.atomic(), ledger.tracking(report.organisation, resolution_id=report.resolution_id):
            return action(report=report, **kwargs)

    return run


def entry_reason(user, channel):
    """The history's change reason for figures typed on a unit's behalf: who and how."""
    name = user.get_full_name() or user.get_username()
    if channel == MonthlyReport.Channel.EXCEL:
        return _("Imported from Excel by %(name)s") % {"name": name}
    if channel == MonthlyReport.Channel.API:
        return _("Imported through the API by %(name)s") % {"name": name}
    return _("Entered on behalf of the unit by %(name)s") % {"name": name}


def reported_components(*, unit, resolution):
    """The components ``unit`` types figures for, as the resolution's data says."""
    return [c for c in resolution.components() if c.is_reported and c.is_eligible(unit)]


@transaction.atomic
def report_get_or_create(*, unit, resolution, month):
    """The unit's report for ``month``, created as a draft with empty figures for every
    component the unit is eligible for and one progress row per priority task."""
    if not month_is_open(resolution=resolution, month=month):
        raise ReportMonthNotOpen(
            _("Reports can be filed only for months of %(year)s that have begun.") % {"year": resolution.year}
        )
    if (
        resolution.is_locked
        and not MonthlyReport.objects.filter(resolution=resolution, organisation=unit, month=month).exists()
    ):
        raise ReportYearLocked(
            _("The year %(year)s is locked: no new report can be filed for it.") % {"year": resolution.year}
        )
    report, _created = MonthlyReport.objects.get_or_create(resolution=resolution, organisation=unit, month=month)
    # Also fills in rows for components added to the resolution after the report was created.
    have = set(report.figures.values_list("component_id", flat=True))
    components = reported_components(unit=unit, resolution=resolution)
    missing = [ReportFigure(report=report, component=c) for c in components if c.pk not in have]
    if missing:
        bulk_create_with_history(missing, ReportFigure)
    have_tasks = set(report.task_progress.values_list("task_id", flat=True))
    missing_tasks = [
        TaskProgress(report=report, task=task)
        for task in PriorityTask.objects.filter(resolution=resolution)
        if task.pk not in have_tasks
    ]
    if missing_tasks:
        bulk_create_with_history(missing_tasks, TaskProgress)
    return report


def _bump_version(report, *, expected_version, statuses, locked_message):
    """Take the report's optimistic lock: increment its version only if nobody changed it
    since ``expected_version`` (when given) and its status is one of ``statuses``."""
    rows = MonthlyReport.objects.filter(pk=report.pk, status__in=statuses)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    if rows.update(version=F("version") + 1) == 1:
        report.refresh_from_db()
        return
    report.refresh_from_db()
    if report.status not in statuses:
        raise ReportLocked(locked_message)
    raise ReportConflict(
        _(
            "Someone else saved this report after you opened it. Your changes were not saved: "
            "reload the page to see the current figures."
        )
    )


def _save_report(report, *, user, reason, fields):
    report._change_reason = reason
    report._history_user = user
    report.save(update_fields=[*fields, "updated_at"])


@keeps_totals_current
def report_save(
    *,
    report,
    user,
    figures,
    tasks,
    nothing_to_report=False,
    note="",
    expected_version,
    submit=False,
    on_behalf=False,
    channel=None,
):
    """Save the unit's figures and task progress; submit the report when ``submit``.
    With ``on_behalf``, ``user`` is an officer of an upper level entering the report for
    the unit (``access.can_enter_for``) rather than the unit's own officer; ``channel``
    (a ``MonthlyReport.Channel``) says how, and the report keeps who entered it.

    ``figures``: {component_id: {"quantity", "done", "done_on", "value"}};
    ``tasks``: {task_id: {"status", "narrative"}}. Ids not on the report are ignored.
    "Nothing to report" clears the month's figures and is submitted like any report.
    """
    # ``on_behalf``: an upper level entering the unit's paper report (Excel bulk entry).
    allowed = access.can_enter_for if on_behalf else access.can_file_for
    if not allowed(user, report.organisation):
        raise PermissionDenied
    check_year_open(report)
    _bump_version(
        report,
        expected_version=expected_version,
        statuses=EDITABLE_STATUSES,
        locked_message=_("This report has been submitted or approved and can no longer be changed."),
    )
    if on_behalf:
        channel = channel or MonthlyReport.Channel.ON_BEHALF
        reason = entry_reason(user, channel)
    else:
        channel = MonthlyReport.Channel.UNIT
        reason = note or (_("Submitted") if submit else _("Saved"))

    changed = []
    for figure in report.figures.all():
        if nothing_to_report:
            new = {"quantity": None, "done": False, "done_on": None, "value": None}
        elif figure.component_id in figures:
            new = {field: figures[figure.component_id].get(field) for field in FIGURE_FIELDS}
            new["done"] = bool(new["done"])
            if not new["done"]:
                new["done_on"] = None
        else:
            continue
        if any(getattr(figure, field) != value for field, value in new.items()):
            for field, value in new.items():
                setattr(figure, field, value)
            changed.append(figure)
    if changed:
        bulk_update_with_history(
            changed, ReportFigure, list(FIGURE_FIELDS), default_user=user, default_change_reason=reason
        )

    changed_tasks = []
    for progress in report.task_progress.all():
        if progress.task_id not in tasks:
            continue
        status = tasks[progress.task_id].get("status") or TaskProgress.Status.NOT_STARTED
        narrative = tasks[progress.task_id].get("narrative") or ""
        if status not in TaskProgress.Status.values:
            raise ValidationError(_("Unknown task status."))
        if (progress.status, progress.narrative) != (status, narrative):
            progress.status, progress.narrative = status, narrative
            changed_tasks.append(progress)
    if changed_tasks:
        bulk_update_with_history(
            changed_tasks, TaskProgress, ["status", "narrative"], default_user=user, default_change_reason=reason
        )

    report.nothing_to_report = nothing_to_report
    report.note = note
    report.entered_by, report.entry_channel = user, channel
    fields = ["nothing_to_report", "note", "entered_by", "entry_channel"]
    if submit:
        now = clock.now()
        report.status = Status.SUBMITTED
        report.submitted_at = now
        report.submitted_by = user
        report.first_submitted_at = report.first_submitted_at or now
        fields += ["status", "submitted_at", "submitted_by", "first_submitted_at"]
    _save_report(report, user=user, reason=reason, fields=fields)
    return report


def _check_reviewer(user, report):
    if not access.can_review_unit(user, report.organisation):
        raise PermissionDenied


@keeps_totals_current
def report_approve(*, report, user, expected_version=None):
    """Approve a submitted report: lock it and copy its working figures into the
    approved snapshot that dashboards count. The four-eyes rule (``access.approval_by``)
    is checked on the locked report: figures ``user`` entered on the unit's behalf are
    refused, or approved and marked where the federation allows it."""
    _check_reviewer(user, report)
    check_year_open(report)
    _bump_version(
        report,
        expected_version=expected_version,
        statuses=(Status.SUBMITTED,),
        locked_message=_("Only a submitted report can be approved."),
    )
    decision = access.approval_by(user, report)
    if decision == access.Approval.REFUSED:
        raise ReportFourEyes(
            _("You entered this report's figures on the unit's behalf: another officer must approve them.")
        )
    self_approved = decision == access.Approval.SELF
    reason = _("Approved (self-entered, self-approved)") if self_approved else _("Approved")
    figures = list(report.figures.all())
    for figure in figures:
        for working, approved in APPROVED_FIELDS.items():
            setattr(figure, approved, getattr(figure, working))
    if figures:
        bulk_update_with_history(
            figures,
            ReportFigure,
            list(APPROVED_FIELDS.values()),
            default_user=user,
            default_change_reason=reason,
        )
    now = clock.now()
    report.status = Status.APPROVED
    report.reviewed_at = report.approved_at = now
    report.reviewed_by = user
    report.review_comment = ""
    report.self_approved = self_approved
    _save_report(
        report,
        user=user,
        reason=reason,
        fields=["status", "reviewed_at", "approved_at", "reviewed_by", "review_comment", "self_approved"],
    )
    return report


@keeps_totals_current
def report_return(*, report, user, comment, expected_version=None):
    """Return a submitted report to the unit with a comment saying what to correct."""
    _check_reviewer(user, report)
    check_year_open(report)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(_("Say what the unit should correct."))
    _bump_version(
        report,
        expected_version=expected_version,
        statuses=(Status.SUBMITTED,),
        locked_message=_("Only a submitted report can be returned."),
    )
    report.status = Status.RETURNED
    report.reviewed_at = clock.now()
    report.reviewed_by = user
    report.review_comment = comment
    _save_report(report, user=user, reason=comment, fields=["status", "reviewed_at", "reviewed_by", "review_comment"])
    return report


@keeps_totals_current
def report_reopen(*, report, user, reason, expected_version=None):
    """Reopen an approved report for correction. The approved snapshot stays (dashboards
    keep counting it) until the corrected report is approved again. In a locked year
    only provincial staff (or an admin) may reopen."""
    _check_reviewer(user, report)
    check_year_open(report, user=user, reopening=True)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for reopening the report."))
    _bump_version(
        report,
        expected_version=expected_version,
        statuses=(Status.APPROVED,),
        locked_message=_("Only an approved report can be reopened."),
    )
    report.status = Status.RETURNED
    report.revision += 1  # the row is ours: _bump_version's UPDATE holds its lock
    report.reviewed_at = clock.now()
    report.reviewed_by = user
    report.review_comment = reason
    _save_report(
        report, user=user, reason=reason, fields=["status", "revision", "reviewed_at", "reviewed_by", "review_comment"]
    )
    return report


@keeps_totals_current
def report_withdraw(*, report, user, expected_version):
    """The unit takes back a submitted report before anyone reviewed it, to correct it.
    Never reviewed, it is a draft again (as if it had not been submitted: it can be late);
    a resubmission after a return goes back to returned, the reviewer's comment with it.
    The submission stays in the report's history."""
    if not access.can_file_for(user, report.organisation):
        raise PermissionDenied
    check_year_open(report)
    _bump_version(
        report,
        expected_version=expected_version,
        statuses=(Status.SUBMITTED,),
        locked_message=_("Only a submitted report that has not been reviewed yet can be withdrawn."),
    )
    fields = ["status", "submitted_at", "submitted_by"]
    if report.reviewed_at is None:
        report.status = Status.DRAFT
        report.first_submitted_at = None
        fields.append("first_submitted_at")
    else:
        report.status = Status.RETURNED
    report.submitted_at = None
    report.submitted_by = None
    _save_report(report, user=user, reason=_("Withdrawn by the unit"), fields=fields)
    return report


@dataclasses.dataclass
class BulkApproval:
    """What one bulk approval did: the reports approved, and each refused one with why."""

    approved: list = dataclasses.field(default_factory=list)
    refused: list = dataclasses.field(default_factory=list)  # (report, reason)


def reports_approve(*, reports, user):
    """Approve many reports in one action, each exactly as one at a time
    (``report_approve`` with the version the reviewer saw), each in its own transaction:
    one refused (changed meanwhile, no longer submitted, not the user's to approve) is
    listed with the reason and changes nothing else.

    ``reports``: [(report, version shown on the reviewer's page)]."""
    result = BulkApproval()
    for report, version in reports:
        try:
            report_approve(report=report, user=user, expected_version=version)
        except ReportError as error:
            result.refused.append((report, str(error)))
        except PermissionDenied as error:
            result.refused.append((report, str(error) or _("You may not approve this report.")))
        except ValidationError as error:
            result.refused.append((report, " ".join(error.messages)))
        else:
            result.approved.append(report)
    return result


__all__ = [
    "BulkApproval",
    "ReportConflict",
    "ReportError",
    "ReportFourEyes",
    "ReportLocked",
    "ReportMonthNotOpen",
    "ReportYearLocked",
    "entry_reason",
    "month_is_open",
    "report_approve",
    "report_get_or_create",
    "report_reopen",
    "report_return",
    "report_is_writable",
    "report_save",
    "resolution_lock",
    "resolution_unlock",
    "report_withdraw",
    "reported_components",
    "reports_approve",
]
