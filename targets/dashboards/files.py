"""Dashboard files: every export is written by one fast path (``unionplan.spreadsheets``:
rows from a values query, streamed into the sheet, no rendering per cell). A file of up to
``EXPORT_IN_REQUEST_ROWS`` rows is answered in the request; a larger one is an
``ExportFile`` built by the background worker, which runs the same page for the same user
(so the same permission and the same query) and keeps the file for the requester, to be
downloaded for a day by them alone, while they may still see that union.
"""

import datetime
import io
import tempfile

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory
from django.urls import resolve
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from branches.access import can_view_unit
from unionplan import background
from unionplan.spreadsheets import write_csv_rows, write_xlsx_rows

from .models import ExportFile

Status = ExportFile.Status
_NO_LONGER = gettext_lazy("This table is no longer available to you: its union was removed or moved out of your reach.")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def rows_over(table, limit):
    """Whether ``table`` has more than ``limit`` rows, asked cheaply: a table may know its
    count (``export_count``) or answer with a bounded query (``export_count_over``)."""
    if getattr(table, "export_count", None) is not None:
        return table.export_count > limit
    if hasattr(table, "export_count_over"):
        return table.export_count_over(limit)
    return len(table.data) > limit


def kept_since(now=None):
    return (now or timezone.now()) - datetime.timedelta(hours=settings.JOB_FILES_KEPT_HOURS)


def file_start(*, user, scope, path, query, file_name):
    """The job building this file for ``user``: the one already under way for the same page
    and query, or a new one, queued (a file made earlier is not handed out again: its figures
    may have changed since)."""
    same = ExportFile.objects.filter(requested_by=user, path=path, query=query, created_at__gte=kept_since())
    existing = same.filter(status__in=ExportFile.RUNNING_STATUSES).first()
    if existing is not None:
        return existing
    job = ExportFile.objects.create(requested_by=user, scope=scope, path=path, query=query, file_name=file_name)
    result = build_file_task.enqueue(str(job.pk))
    ExportFile.objects.filter(pk=job.pk).update(task_id=str(result.id))
    return job


def file_write(job, *, headers, rows, column_formats, title, title_lines, export_format, total):
    """Write the file of job ``job`` from ``rows``, saying how far it has got; keep it."""
    ExportFile.objects.filter(pk=job.pk).update(rows_total=total)

    def progress(written):
        ExportFile.objects.filter(pk=job.pk).update(rows_written=written)

    with tempfile.TemporaryFile() as out:
        if export_format == "xlsx":
            written = write_xlsx_rows(
                out,
                headers,
                rows,
                title=title,
                title_lines=title_lines,
                column_formats=column_formats,
                progress=progress,
            )
        else:
            text = io.TextIOWrapper(out, encoding="utf-8", newline="")
            written = 0

            def counted(rows):
                nonlocal written
                for written, row in enumerate(rows, start=1):  # noqa: B007
                    if written % 5000 == 0:
                        progress(written)
                    yield row

            write_csv_rows(text, headers, counted(rows))
            text.flush()
            text.detach()
        out.seek(0)
        content = out.read()
    ExportFile.objects.filter(pk=job.pk).update(
        status=Status.READY, content=content, rows_written=written, rows_total=written, finished_at=timezone.now()
    )


def file_keep(job, content):
    """Keep ``content``, a whole document made by a page in the worker (the draft report),
    as job ``job``'s file: ready to download (a document, not rows: no count of rows)."""
    ExportFile.objects.filter(pk=job.pk).update(
        status=Status.READY, content=content, rows_written=0, rows_total=0, finished_at=timezone.now()
    )


def file_build(export_id):
    """Build the file of job ``export_id`` (the task's work): the page is run for its user
    with the job attached; the page writes the file through ``file_write``."""
    job = ExportFile.objects.select_related("requested_by").filter(pk=export_id).first()
    if job is None or job.status != Status.QUEUED:
        return job.status if job else "gone"
    ExportFile.objects.filter(pk=job.pk).update(status=Status.RUNNING)
    request = RequestFactory().get(job.path, data=None, QUERY_STRING=job.query)
    request.user = job.requested_by
    request.export_file = job
    request._messages = CookieStorage(request)
    try:
        match = resolve(job.path)
        with translation.override(settings.LANGUAGE_CODE):
            match.func(request, *match.args, **match.kwargs)
    except (Http404, PermissionDenied):
        ExportFile.objects.filter(pk=job.pk).update(
            status=Status.FAILED, message=str(_NO_LONGER), finished_at=timezone.now()
        )
        return Status.FAILED
    job.refresh_from_db()
    if job.status != Status.READY:
        message = _("The file could not be prepared.")
        ExportFile.objects.filter(pk=job.pk).update(status=Status.FAILED, message=message, finished_at=timezone.now())
    return job.status


@task()
def build_file_task(export_id):
    """Build a dashboard file too large for a request (``file_build``)."""
    return file_build(export_id)


def file_for(user, pk):
    """The job ``pk`` if it is ``user``'s, still kept, and its union still visible to them;
    marked failed when its worker is gone. Raises Http404 otherwise."""
    job = ExportFile.objects.select_related("scope").filter(pk=pk, requested_by=user, created_at__gte=kept_since())
    job = job.first()
    if job is None or (job.scope is not None and not can_view_unit(user, job.scope)):
        raise Http404(_("No such file."))
    if job.scope is None and job.status != Status.FAILED:
        ExportFile.objects.filter(pk=job.pk).update(
            status=Status.FAILED, content=None, message=str(_NO_LONGER), finished_at=timezone.now()
        )
        job.refresh_from_db()
    if job.is_running and background.task_lost(
        job.task_id, _("The background worker stopped while preparing this file.")
    ):
        message = _("The background worker stopped while preparing this file: ask for it again.")
        ExportFile.objects.filter(pk=job.pk).update(status=Status.FAILED, message=message, finished_at=timezone.now())
        job.refresh_from_db()
    return job


def prune_files(now=None):
    """Remove the files older than ``JOB_FILES_KEPT_HOURS``; returns how many."""
    deleted, _by_model = ExportFile.objects.filter(created_at__lt=kept_since(now)).delete()
    return deleted
