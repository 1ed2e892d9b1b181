"""Excel uploads as background jobs: ``import_start`` keeps the file on an ``ExcelImport``
row and enqueues ``excel_import_task``, which checks and saves it with the same functions
as before (``importing.excel_check`` then ``excel_save``: all or nothing, one transaction).
The page polls the row. The same file from the same uploader for the same unit, while it
runs, is one job. A worker that dies mid-job has saved nothing (the transaction is rolled
back with it); ``import_status`` then marks the job failed, and ``import_run_again`` runs
it again from the kept file.
"""

import io

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_tasks import task

from branches.models import User
from unionplan import background

from .. import services
from . import conflicts
from .importing import ImportResult, excel_check, excel_save
from .models import ExcelImport
from .template import ExcelError

Status = ExcelImport.Status


def _enqueue(job):
    """Enqueue the job's task and remember its id. The task's row is written in the same
    database as the job's, so a worker never sees one without the other."""
    result = excel_import_task.enqueue(str(job.pk))
    ExcelImport.objects.filter(pk=job.pk).update(task_id=str(result.id))


def import_start(*, user, upper, file):
    """The job for ``file`` uploaded by ``user`` for ``upper``: a new one, queued, or the one
    already running for the same file, uploader and unit. Returns (job, created)."""
    content = file.read()
    digest = ExcelImport.digest_of(content, user=user, upper=upper)
    running = ExcelImport.objects.filter(digest=digest, status__in=ExcelImport.RUNNING).first()
    if running is not None:
        return running, False
    try:
        with transaction.atomic():
            job = ExcelImport.objects.create(
                uploaded_by=user, upper=upper, file_name=file.name[:255], content=content, digest=digest
            )
    except IntegrityError:  # the same file, uploaded twice at once: the other one won
        return ExcelImport.objects.get(digest=digest, status__in=ExcelImport.RUNNING), False
    _enqueue(job)
    return job, True


def import_run_again(job):
    """Queue a failed job again from its kept file (or its kept rows and the uploader's
    choice, when the worker stopped while saving them); False when it cannot be."""
    if job.status != Status.FAILED or (job.content is None and job.take is None):
        return False
    try:
        with transaction.atomic():
            updated = ExcelImport.objects.filter(pk=job.pk, status=Status.FAILED).update(
                status=Status.QUEUED, rows_checked=0, rows_total=0, errors=[], task_id=""
            )
    except IntegrityError:  # the same file is running again already
        return False
    if updated:
        _enqueue(job)
    return bool(updated)


def _finish(job_id, status, **fields):
    """Write a job's outcome; the kept file goes unless a run again may need it."""
    if status != Status.FAILED:
        fields["content"] = None
    ExcelImport.objects.filter(pk=job_id).update(status=status, **fields)


def import_run(import_id):
    """Check and save the upload of job ``import_id`` (the task's work), or, once the
    uploader has chosen in the conflicts step, save the kept rows with that choice.
    Returns its status."""
    job = ExcelImport.objects.select_related("uploaded_by", "upper").filter(pk=import_id).first()
    if job is None or job.status != Status.QUEUED:
        return job.status if job else "gone"  # run already, or deleted meanwhile
    if job.upper is None or not job.uploaded_by.is_active:
        _finish(
            job.pk, Status.REFUSED, errors=[_("The union this file was uploaded for no longer exists.")], pending=None
        )
        return Status.REFUSED
    user = User.objects.select_related("organisation").get(pk=job.uploaded_by_id)
    if job.take is not None:
        return _save_chosen(job, user)
    ExcelImport.objects.filter(pk=job.pk).update(status=Status.CHECKING)

    def progress(checked, total):
        ExcelImport.objects.filter(pk=job.pk).update(rows_checked=checked, rows_total=total)

    try:
        result = excel_check(user=user, upper=job.upper, file=io.BytesIO(bytes(job.content)), progress=progress)
    except ExcelError as exc:
        _finish(job.pk, Status.REFUSED, errors=[str(exc)])
        return Status.REFUSED
    done = {"resolution": result.resolution, "month": result.month, "skipped": result.skipped}
    if result.errors:
        _finish(job.pk, Status.REFUSED, errors=result.errors, **done)
        return Status.REFUSED
    if result.conflicts:
        pending = conflicts.as_data(upper=job.upper, result=result)
        _finish(job.pk, Status.CONFLICTS, pending=pending, unchanged=result.unchanged, **done)
        return Status.CONFLICTS
    if not result.entries and not result.unchanged:
        # An untouched template is not a success: say so; nothing was saved.
        message = _(
            "No row of the file is filled in: no report was submitted. Type the units' "
            "figures into the template and upload it again."
        )
        _finish(job.pk, Status.REFUSED, errors=[message], **done)
        return Status.REFUSED
    ExcelImport.objects.filter(pk=job.pk).update(status=Status.SAVING)
    try:
        excel_save(user=user, result=result)
    except services.ReportError as exc:  # changed meanwhile, or the year was locked
        _finish(job.pk, Status.REFUSED, errors=[str(exc)], **done)
        return Status.REFUSED
    _finish(job.pk, Status.SAVED, saved=len(result.saved), unchanged=result.unchanged, **done)
    return Status.SAVED


@task()
def excel_import_task(import_id):
    """Check and save an uploaded template (``import_run``)."""
    return import_run(import_id)


def import_status(job):
    """``job`` as it stands, marked failed (nothing saved) when the worker running it is
    gone or its task failed unexpectedly. Returns the job, refreshed."""
    if job.is_running and background.task_lost(job.task_id, _("The background worker stopped while running this job.")):
        ExcelImport.objects.filter(pk=job.pk, status__in=ExcelImport.RUNNING).update(status=Status.FAILED)
        job.refresh_from_db()
    return job


def import_pending(job, *, upper):
    """The checked upload of a job waiting for the uploader's choice, or None."""
    if job.status != Status.CONFLICTS:
        return None
    return conflicts.from_data(job.pending, upper=upper, result_class=ImportResult)


def import_choose(job, *, take):
    """The uploader's choice made in the conflicts step: the worker saves the kept rows with
    it (all or nothing), as it saves an upload without conflicts. Returns False when the job
    is no longer waiting for a choice (chosen already, in another tab) or the same file is
    being imported again meanwhile."""
    try:
        with transaction.atomic():
            updated = ExcelImport.objects.filter(pk=job.pk, status=Status.CONFLICTS).update(
                status=Status.QUEUED, take=sorted(take), task_id=""
            )
    except IntegrityError:  # the same file, uploaded again, is running
        return False
    if updated:
        _enqueue(job)
    return bool(updated)


def _save_chosen(job, user):
    """Save the rows kept with ``job`` with the uploader's choice (``import_choose``)."""
    result = conflicts.from_data(job.pending, upper=job.upper, result_class=ImportResult)
    if result is None:
        _finish(
            job.pk, Status.REFUSED, errors=[_("The uploaded file is no longer kept: upload it again.")], pending=None
        )
        return Status.REFUSED
    ExcelImport.objects.filter(pk=job.pk).update(status=Status.SAVING)
    try:
        excel_save(user=user, result=result, take=job.take)
    except services.ReportError as exc:  # a unit saved meanwhile, or the year was locked
        _finish(job.pk, Status.REFUSED, errors=[str(exc)], pending=None)
        return Status.REFUSED
    _finish(job.pk, Status.SAVED, saved=len(result.saved), kept=result.kept, pending=None)
    return Status.SAVED
