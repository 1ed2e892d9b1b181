"""A large change (``changes.is_large``: more than ``STEP`` units moved) is previewed,
applied and undone by the background worker, never in a page's request: at the national
size its preview takes about 19 s, applying it about 20 s and undoing it about 18 s
(docs/tree-changes.md). The page enqueues the work (``preview_start``, ``confirm_start``,
``undo_start``: once per change and kind while one waits or runs) and polls a
``ChangeJob``; ``change_job_task`` runs the same functions the page runs for a small
change (``preview_change``, ``changes.change_confirm``, ``changes.change_undo``) for the
user who asked, whose right to change the tree is checked again when the job runs.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from branches import access, changes
from branches.changes.undo import taken_back_in_steps
from branches.models import TreeChange, User
from unionplan import background

from . import splits
from .models import ChangeJob
from .preview import preview_change

Kind, Status = ChangeJob.Kind, ChangeJob.Status
Change = TreeChange.Status
_GONE = gettext_lazy("This change was discarded or deleted meanwhile: nothing was done.")
_NOT_ALLOWED = gettext_lazy("The one who asked for this may no longer change this federation's tree: nothing was done.")
_DONE_ALREADY = gettext_lazy("This change has already been applied or undone.")


def _enqueue(job):
    """Enqueue the job's task and remember its id (written in the job's own database)."""
    result = change_job_task.enqueue(str(job.pk))
    ChangeJob.objects.filter(pk=job.pk).update(task_id=str(result.id))


def _start(change, kind, *, user, version="", expected_version="", total=0):
    """The job of ``kind`` for ``change`` (and ``version``): the one waiting or running, or a
    new one, enqueued. Returns (job, created)."""
    running = ChangeJob.objects.filter(change=change, kind=kind, version=version, status__in=ChangeJob.RUNNING_STATUSES)
    job = running.first()
    if job is not None:
        return job, False
    try:
        with transaction.atomic():
            job = ChangeJob.objects.create(
                change=change,
                kind=kind,
                requested_by=user,
                version=version,
                expected_version=expected_version or "",
                total=total,
                language=translation.get_language() or settings.LANGUAGE_CODE,
            )
    except IntegrityError:  # asked twice at once: the other one won
        return running.get(), False
    _enqueue(job)
    job.refresh_from_db()
    return job, True


def preview_start(change, *, user, version):
    """The preview job of ``change`` as it is now (``version``); the finished previews of
    its other versions go (they are never shown again)."""
    stale = ChangeJob.objects.filter(change=change, kind=Kind.PREVIEW).exclude(version=version)
    stale.exclude(status__in=ChangeJob.RUNNING_STATUSES).delete()
    return _start(change, Kind.PREVIEW, user=user, version=version)[0]


def preview_of(change, *, user, version):
    """The preview of ``change`` as it is now (``version``): the latest job made for it (done,
    failed, waiting or running), or a new one, enqueued."""
    job = ChangeJob.objects.filter(change=change, kind=Kind.PREVIEW, version=version).order_by("-created_at").first()
    return job_status(job if job is not None else preview_start(change, user=user, version=version))


def forget_previews(change):
    """Drop ``change``'s previews (its split shares changed: they no longer show it)."""
    ChangeJob.objects.filter(change=change, kind=Kind.PREVIEW).delete()


def confirm_start(change, *, user, expected_version):
    """Confirm a large change after its preview (``expected_version``; None to carry on one
    left being applied): refused at once when it was applied or undone, or its units changed
    since the preview (``ChangeConflict``, the message a small change gets); else the job."""
    if change.status not in (Change.DRAFT, Change.PLANNED, Change.APPLYING):
        raise changes.ChangeConflict([str(_DONE_ALREADY)])
    if change.status != Change.APPLYING:
        changes.check_version(change, expected_version)
    total = change.lines.filter(implied_by__isnull=True).count()
    return _start(change, Kind.APPLY, user=user, expected_version=expected_version, total=total)[0]


def undo_start(change, *, user):
    """Undo a large change (or carry on undoing it) in the worker: the job."""
    if change.status not in (Change.APPLIED, Change.UNDOING):
        raise changes.ChangeRefused([_("Only an applied change can be undone.")])
    return _start(change, Kind.UNDO, user=user, total=len(taken_back_in_steps(change)))[0]


def enqueue_due_changes():
    """Enqueue, once, the applying of the large changes whose day has come (and of those left
    being applied), unless a job for it waits or runs, or failed since the change was last
    written (then the staff carry it on from its page). Returns the jobs started."""
    started = []
    for change in changes.due_changes():
        if not changes.is_large(change):
            continue
        jobs = ChangeJob.objects.filter(change=change, kind=Kind.APPLY)
        waiting = Q(status__in=ChangeJob.RUNNING_STATUSES)
        failed = Q(status=Status.FAILED, finished_at__gte=change.updated_at)
        if not jobs.filter(waiting | failed).exists():
            total = change.lines.filter(implied_by__isnull=True).count()
            job, created = _start(change, Kind.APPLY, user=None, total=total)
            if created:
                started.append(job)
    return started


def apply_due_changes():
    """What a page asks before it shows the tree's changes: the small changes that fell due
    are applied here, the large ones left to the worker (``enqueue_due_changes``)."""
    changes.apply_due_changes(skip_large=True)
    enqueue_due_changes()


def _finish(job, status, **fields):
    ChangeJob.objects.filter(pk=job.pk).update(status=status, finished_at=timezone.now(), **fields)
    return status


def _preview(job, change):
    if change.status not in (Change.DRAFT, Change.PLANNED):
        return _finish(job, Status.FAILED, errors=[str(_DONE_ALREADY)])

    def progress(done, total):
        ChangeJob.objects.filter(pk=job.pk).update(done=done, total=total)

    preview = preview_change(change, progress=progress)
    splits.show_allocation_parts(preview)
    html = render_to_string("restructuring/_preview.html", {"preview": preview, "change": preview.change})
    return _finish(job, Status.DONE, html=html, errors=preview.errors, version=preview.version)


def _apply(job, change, user):
    total = change.lines.filter(implied_by__isnull=True).count()
    ChangeJob.objects.filter(pk=job.pk).update(total=total)
    changes.change_confirm(change, user=user, expected_version=job.expected_version or None)
    return _finish(job, Status.DONE, done=total)


def _undo(job, change, user):
    total = len(taken_back_in_steps(change))
    ChangeJob.objects.filter(pk=job.pk).update(total=total)
    changes.change_undo(change, user=user)
    return _finish(job, Status.DONE, done=total)


def job_run(job_id):
    """Do job ``job_id``'s work (the task's): its preview, applying or undoing, for the user
    who asked while they may still change the tree. Returns its status."""
    job = ChangeJob.objects.select_related("change__federation").filter(pk=job_id).first()
    if job is None or job.status != Status.QUEUED:
        return job.status if job else "gone"  # run already, or deleted meanwhile
    change = job.change
    if change is None:
        return _finish(job, Status.FAILED, errors=[str(_GONE)])
    user = User.objects.select_related("organisation").get(pk=job.requested_by_id) if job.requested_by_id else None
    if user is not None and not (user.is_active and access.can_change_tree(user, change.federation)):
        return _finish(job, Status.FAILED, errors=[str(_NOT_ALLOWED)])
    ChangeJob.objects.filter(pk=job.pk).update(status=Status.RUNNING)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            if job.kind == Kind.PREVIEW:
                return _preview(job, change)
            if job.kind == Kind.APPLY:
                return _apply(job, change, user)
            return _undo(job, change, user)
        except TreeChange.DoesNotExist:
            return _finish(job, Status.FAILED, errors=[str(_GONE)])
        except PermissionDenied:
            return _finish(job, Status.FAILED, errors=[str(_NOT_ALLOWED)])
        except ValidationError as error:
            return _finish(job, Status.FAILED, errors=list(error.messages))
        except Exception:
            _finish(job, Status.FAILED, errors=[_("The work failed unexpectedly: the administrators can see why.")])
            raise


@task()
def change_job_task(job_id):
    """Preview, apply or undo a large change of the tree (``job_run``)."""
    return job_run(job_id)


def job_status(job):
    """``job`` as it stands, marked failed when the worker running it is gone or its task
    failed unexpectedly. Returns the job, refreshed."""
    if job.is_running and background.task_lost(job.task_id, _("The background worker stopped while running this job.")):
        message = _("The background worker stopped while doing this: what was done is kept; carry on from here.")
        ChangeJob.objects.filter(pk=job.pk, status__in=ChangeJob.RUNNING_STATUSES).update(
            status=Status.FAILED, errors=[message], finished_at=timezone.now()
        )
        job.refresh_from_db()
    return job


def job_progress(job):
    """(done, total) of ``job``: units' figures read for a preview; for applying and undoing,
    the change's lines done so far (``lines_done``, written by each step)."""
    change = job.change
    if job.is_running and change is not None and change.status in (Change.APPLYING, Change.UNDOING):
        return change.lines_done, job.total
    return job.done, job.total


def latest_work(change):
    """The applying or undoing job of ``change`` the page shows: the one waiting or running,
    or the last one when it failed since the change was last written; else None."""
    job = ChangeJob.objects.filter(change=change, kind__in=(Kind.APPLY, Kind.UNDO)).order_by("-created_at").first()
    if job is None:
        return None
    job = job_status(job)
    if job.is_running or (job.status == Status.FAILED and job.finished_at >= change.updated_at):
        return job
    return None


def on_pruning(sender, old, **kwargs):
    """The scheduled pruning (``unionplan.background.pruning``): finished jobs older than ``old``."""
    finished = ChangeJob.objects.exclude(status__in=ChangeJob.RUNNING_STATUSES).filter(finished_at__lt=old)
    return {"change jobs": finished.delete()[0]}
