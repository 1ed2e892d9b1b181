"""The background work of a large change as its page follows it (``jobs``): its progress as
JSON, polled by ``static/js/job-progress.js``, and where the page goes once the work is done.
Only for those who may change the change's tree, as the change's page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from branches import access
from branches.models import TreeChange
from unionplan import background

from . import jobs
from .models import ChangeJob

Kind, Status = ChangeJob.Kind, ChangeJob.Status


def _job(request, pk):
    """The job ``pk`` of a change ``request.user`` may change (403 else); a job whose change
    is gone only to whoever asked for it (404 to anyone else)."""
    job = ChangeJob.objects.select_related("change__federation").filter(pk=pk).first()
    if job is None or (job.change is None and job.requested_by_id != request.user.pk):
        raise Http404(_("No such job."))
    if job.change is not None and not access.can_change_tree(request.user, job.change.federation):
        raise PermissionDenied
    return jobs.job_status(job)


def _label(job):
    done, total = jobs.job_progress(job)
    if job.status == Status.QUEUED:
        return str(job.get_status_display())
    if job.kind == Kind.PREVIEW:
        return _("Preparing the preview…")
    if job.kind == Kind.APPLY:
        return _("Being applied: %(done)s of %(total)s lines") % {"done": done, "total": total}
    return _("Being undone: %(done)s of %(total)s units taken back") % {"done": done, "total": total}


@login_required
def change_job_status(request, pk):
    """A change's background work as JSON, for its page to follow without a reload."""
    job = _job(request, pk)
    done, total = jobs.job_progress(job)
    percent = (min(99, int(100 * done / total)) if total else 0) if job.is_running else 100
    return JsonResponse(
        {
            "status": job.status,
            "label": _label(job),
            "checked": done,
            "total": total,
            "percent": percent,
            "running": job.is_running,
            "worker_alive": background.worker_alive(),
        }
    )


@login_required
def change_job(request, pk):
    """Where a change's page goes once its work is done: back to the change, saying what
    became of it; or, for a change discarded meanwhile, why nothing was done."""
    job = _job(request, pk)
    if job.change is None:
        return render(request, "restructuring/change_job_gone.html", {"job": job}, status=410)
    if job.status == Status.DONE and job.kind == Kind.APPLY:
        if job.change.status == TreeChange.Status.APPLIED:
            messages.success(request, _("The change was applied."))
        elif job.change.status == TreeChange.Status.PLANNED:
            messages.success(request, _("The change is planned: it takes effect on its day."))
    elif job.status == Status.DONE and job.kind == Kind.UNDO:
        messages.success(request, _("The change was undone."))
    return redirect("tree-change", job.change.pk)
