"""The pages of the tree's changes: prepare one (bulk), check its preview and confirm it,
undo the last one, list a federation's changes and show a unit's timeline. Thin: the rules
are in ``branches.changes`` (what applies) and ``branches.access`` (who may)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branches import access, changes
from branches.changes import Step
from branches.models import Organisation, Placement, TreeChange, TreeChangeLine, User
from unionplan import background

from . import jobs, splits
from .forms import BulkChangeForm
from .preview import preview_change


def _own_federation(user):
    """The federation whose tree ``user`` may change (None for an admin: any)."""
    if user.is_superuser:
        return None
    unit = user.organisation if user.organisation_id else None
    if unit is None or user.role != User.Role.PROVINCIAL_STAFF or not access.can_change_tree(user, unit):
        raise PermissionDenied
    return unit


def _check(user, change):
    if not access.can_change_tree(user, change.federation):
        raise PermissionDenied


@login_required
def change_list(request):
    """The changes of the federation (every federation's for an admin), latest first."""
    federation = _own_federation(request.user)
    jobs.apply_due_changes()
    listed = TreeChange.objects.select_related("federation", "applied_by").prefetch_related("lines")
    if federation is not None:
        # Its own, and those of the federations merged into it (their staff answer for them).
        listed = listed.filter(Q(federation=federation) | Q(federation__in=access.federations_merged_into(federation)))
    return render(request, "restructuring/change_list.html", {"changes": listed[:200], "federation": federation})


@login_required
def change_new(request):
    """Prepare a change of many units with one decision; its preview comes next."""
    federation = _own_federation(request.user)
    form = BulkChangeForm(request.POST or None, request.FILES or None, federation=federation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        units = data["units"]
        first = Organisation.objects.filter(code__in=units[:1]).first()
        # The federation of the units (one merged into the user's own, perhaps).
        owner = changes.federation_of(first)
        if not access.can_change_tree(request.user, owner):
            raise PermissionDenied
        step = Step(data["action"], units=units, to=data["target"], officers=data["officers"] or "follow")
        try:
            change = changes.change_plan(
                federation=owner,
                decision_number=data["decision_number"],
                decision_date=data["decision_date"],
                decision_text=data["decision_text"],
                effective_on=data["effective_on"],
                steps=[step],
                user=request.user,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            return redirect("tree-change", change.pk)
    return render(request, "restructuring/change_form.html", {"form": form, "federation": federation})


@login_required
def change_detail(request, change_pk):
    """A change: its preview while being prepared (confirm or discard it), what it did once
    applied (and undo it while nothing was filed under it). A large change's preview, applying
    and undoing are the background worker's (``jobs``): the page shows how far it has got."""
    jobs.apply_due_changes()
    change = get_object_or_404(TreeChange.objects.select_related("federation"), pk=change_pk)
    _check(request.user, change)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "discard" and change.status in (TreeChange.Status.DRAFT, TreeChange.Status.PLANNED):
            change.delete()
            messages.info(request, _("The change was discarded."))
            return redirect("tree-changes")
        if action in ("shares", "confirm") and change.status == TreeChange.Status.DRAFT and splits.split_lines(change):
            try:
                splits.set_shares(change, request.POST)
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
                # The preview again, the shares as typed: nothing was saved or applied.
                return _detail(request, change, posted=request.POST)
            jobs.forget_previews(change)
            if action == "shares":
                messages.info(request, _("The preview shows the new shares."))
                return redirect("tree-change", change.pk)
        if action in ("confirm", "carry_on", "preview") and changes.is_large(change):
            _large_action(request, change, action)
            return redirect("tree-change", change.pk)
        if action == "confirm":
            try:
                change = changes.change_confirm(
                    change, user=request.user, expected_version=request.POST.get("version") or ""
                )
            except changes.ChangeConflict as error:
                for message in error.messages:
                    messages.error(request, message)
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                if change.status == TreeChange.Status.APPLIED:
                    messages.success(request, _("The change was applied."))
                else:
                    messages.success(request, _("The change is planned: it takes effect on its day."))
            return redirect("tree-change", change.pk)
        return redirect("tree-change", change.pk)
    return _detail(request, change)


def _large_action(request, change, action):
    """Confirm a large change, carry on applying it, or prepare its preview again: the work
    is the background worker's."""
    try:
        if action == "preview":
            jobs.preview_start(change, user=request.user, version=changes.version(change))
        else:
            expected = None if action == "carry_on" else request.POST.get("version") or ""
            jobs.confirm_start(change, user=request.user, expected_version=expected)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)


def _large_preview(request, change, context):
    """The preview of a large change made by the worker for the change as it is now: shown
    when ready, else its job (started once; a failed one is started again on request)."""
    stored = jobs.preview_of(change, user=request.user, version=changes.version(change))
    if stored.status == stored.Status.DONE:
        context.update(preview_html=stored.html, preview_version=stored.version, preview_errors=stored.errors)
    elif stored.status == stored.Status.FAILED:
        context["preview_failed"] = stored
    else:
        context["job"] = stored


def _detail(request, change, posted=None):
    context = {"change": change, "worker_alive": True}
    large = changes.is_large(change)
    if large:
        context["job"] = jobs.latest_work(change)
    if context.get("job") is not None and context["job"].status == jobs.Status.FAILED:
        context["work_failed"] = context.pop("job")
    if change.status in (TreeChange.Status.DRAFT, TreeChange.Status.PLANNED) and context.get("job") is None:
        if large:
            _large_preview(request, change, context)
        else:
            context["preview"] = preview = preview_change(change)
            splits.show_allocation_parts(preview)
            context.update(preview_version=preview.version, preview_errors=preview.errors)
        context["splits"] = splits.shares_shown(change, posted)
    if change.status not in (TreeChange.Status.DRAFT, TreeChange.Status.PLANNED):
        context["lines"] = change.lines.select_related("unit", "target", "previous_parent").order_by("order", "pk")
        applied = change.status == TreeChange.Status.APPLIED and context.get("job") is None
        context["undo_blockers"] = changes.undo_blockers(change) if applied else []
    if context.get("job") is not None:
        context["worker_alive"] = background.worker_alive()
        context["progress"] = jobs.job_progress(context["job"])
    return render(request, "restructuring/change_detail.html", context)


@require_POST
@login_required
def change_undo(request, change_pk):
    change = get_object_or_404(TreeChange, pk=change_pk)
    _check(request.user, change)
    try:
        if changes.is_large(change):
            jobs.undo_start(change, user=request.user)
        else:
            changes.change_undo(change, user=request.user)
            messages.success(request, _("The change was undone."))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("tree-change", change.pk)


@login_required
def unit_timeline(request, unit_pk):
    """A unit's life: founded, renamed, moved, merged into or from, dissolved, with the decisions."""
    unit = get_object_or_404(Organisation.objects.select_related("parent", "merged_into"), pk=unit_pk)
    if not access.can_view_unit(request.user, unit):
        raise Http404(_("No such union."))
    jobs.apply_due_changes()
    lines = (
        # Its own lines, and for a merged federation the hand-over of its units.
        TreeChangeLine.objects.filter(Q(unit=unit) | Q(target=unit) | Q(change__handover_of__lines__unit=unit))
        .exclude(change__status=TreeChange.Status.DRAFT)
        .select_related("change", "change__applied_by", "unit", "target", "previous_parent")
        .order_by("change__effective_on", "change__pk", "order")
    )
    last = changes.last_change_of(unit)
    can_change = access.can_change_tree(request.user, changes.federation_of(unit))
    context = {
        "unit": unit,
        "lines": lines,
        "placements": Placement.objects.filter(unit=unit).select_related("parent", "change").order_by("until", "pk"),
        "last": last,
        "undo_blockers": changes.undo_blockers(last) if last is not None and can_change else None,
        "can_change": can_change,
    }
    return render(request, "restructuring/timeline.html", context)
