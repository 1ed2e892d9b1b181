"""Monthly reports: a unit files them, its upper levels review them.

Views only wire requests to ``branches.access`` (who), ``services`` (writes),
``selectors`` and ``history`` (reads) and the form; no rule is decided here.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from branches import access
from branches.models import Organisation
from targets.resolution.choice import resolution_choice
from targets.resolution.models import Resolution
from unionplan.paging import CappedRequestConfig

from . import history, inbox, selectors, services
from .filters import ReportStatusFilter
from .forms import MonthlyReportForm, ReviewForm
from .models import MonthlyReport
from .tables import ReportStatusTable


def _resolution_for(unit, year):
    resolution = Resolution.objects.for_unit(unit).filter(year=year).first()
    if resolution is None:
        raise Http404(_("No resolution for this year."))
    return resolution


def _open_resolution(unit, year, month):
    """The unit's resolution of ``year``, if ``month`` of it can be reported (else 404)."""
    resolution = _resolution_for(unit, year)
    if not services.month_is_open(resolution=resolution, month=month):
        raise Http404(_("This month cannot be reported."))
    return resolution


@login_required
def report_index(request):
    """The officer's own unit: the twelve months of the year with each report's status."""
    unit = request.user.organisation
    if unit is None or not access.can_file_for(request.user, unit):
        raise PermissionDenied
    choice = resolution_choice(request.user, request.GET, unit=unit)
    resolution = choice.resolution
    months = []
    if resolution:
        reports = {r.month: r for r in MonthlyReport.objects.filter(organisation=unit, resolution=resolution)}
        # From the union's founding month: no month before it exists for the union.
        expected = selectors.reporting_months(unit=unit, resolution=resolution)
        for month in sorted(set(expected) | set(reports)):
            months.append(
                {
                    "month": month,
                    "report": reports.get(month),
                    "open": services.month_is_open(resolution=resolution, month=month),
                    "due": resolution.due_date(month),
                }
            )
    # The month to file now is marked: the latest that has ended, whose report is due next.
    reporting_month = resolution.reporting_month() if resolution else None
    context = {
        "unit": unit,
        "resolution": resolution,
        "months": months,
        "year_form": choice.form,
        "reporting_month": reporting_month,
    }
    return render(request, "reports/index.html", context)


@login_required
def report_edit(request, year, month, unit_id):
    """The unit's own officer fills in, saves and submits the month's report."""
    unit = get_object_or_404(Organisation, pk=unit_id)
    if not access.can_file_for(request.user, unit):
        raise PermissionDenied
    resolution = _open_resolution(unit, year, month)
    if month not in selectors.reporting_months(unit=unit, resolution=resolution):
        raise Http404(_("The union did not exist in this month."))
    detail_url = reverse("report_detail", args=[year, month, unit.pk])
    try:
        report = services.report_get_or_create(unit=unit, resolution=resolution, month=month)
    except services.ReportYearLocked as error:
        messages.error(request, str(error))
        return redirect(detail_url)
    if report.status not in services.EDITABLE_STATUSES:
        return redirect(detail_url)
    if not services.report_is_writable(report):
        locked = _("The year %(year)s is locked: its reports can no longer be changed.")
        messages.error(request, locked % {"year": year})
        return redirect(detail_url)
    status = 200
    if request.method == "POST" and request.POST.get("action") == "back":
        # "Keep my figures" on the confirmation page: the page as typed, nothing saved.
        form = MonthlyReportForm(unit=unit, report=report)
        form = MonthlyReportForm(unit=unit, report=report, initial=form.initial_from(request.POST))
        form.initial["nothing_to_report"] = False
    elif (
        request.method == "POST"
        and request.POST.get("action") == "nothing"
        and request.POST.get("confirm") != "yes"
        and MonthlyReportForm(unit=unit, report=report).figures_at_stake(request.POST)
    ):
        # Typed or saved figures would be cleared: ask first, on a page of its own.
        posted = [
            (name, value)
            for name, values in request.POST.lists()
            if name not in ("csrfmiddlewaretoken", "action", "confirm")
            for value in values
        ]
        context = {"unit": unit, "resolution": resolution, "report": report, "posted": posted}
        return render(request, "reports/confirm_nothing.html", context)
    elif request.method == "POST":
        action = request.POST.get("action", "save")
        data = request.POST
        if action == "nothing":
            # One click: what else was typed on the page is not part of this report.
            data = {
                "version": request.POST.get("version"),
                "note": request.POST.get("note", ""),
                "nothing_to_report": "on",
            }
        form = MonthlyReportForm(data=data, unit=unit, report=report)
        if form.is_valid():
            nothing = bool(form.cleaned_data["nothing_to_report"])
            try:
                services.report_save(
                    report=report,
                    user=request.user,
                    figures=form.figures_data(),
                    tasks={} if nothing else form.tasks_data(),
                    nothing_to_report=nothing,
                    note=form.cleaned_data["note"],
                    expected_version=form.cleaned_data["version"],
                    submit=action in ("submit", "nothing"),
                )
            except (services.ReportError, ValidationError) as error:
                form.add_error(None, error.messages if isinstance(error, ValidationError) else str(error))
            else:
                if action in ("submit", "nothing"):
                    messages.success(request, _("The report was submitted to the upper level."))
                    return redirect(detail_url)
                messages.success(request, _("The draft was saved."))
                return redirect(request.path)
        # A stale or missing version: someone else's save is newer than this page.
        status = 409 if form.non_field_errors() or form.has_error("version") else 200
    else:
        form = MonthlyReportForm(unit=unit, report=report)
    context = {
        "unit": unit,
        "resolution": resolution,
        "report": report,
        "form": form,
        "earlier": selectors.earlier_months(unit=unit, resolution=resolution, month=month),
        "founded": selectors.founded_this_year(unit=unit, resolution=resolution),
    }
    return render(request, "reports/edit.html", context, status=status)


def _detail_context(request, unit, resolution, month):
    report = (
        MonthlyReport.objects.filter(organisation=unit, resolution=resolution, month=month)
        .select_related("submitted_by", "reviewed_by", "entered_by", "resolution")
        .first()
    )
    # In a locked year only a report reopened since the lock changes, and only provincial
    # staff reopen (the rule itself: services.report_is_writable and access.can_close_year).
    writable = services.report_is_writable(report) if report else not resolution.is_locked
    may_reopen = not resolution.is_locked or access.can_close_year(request.user, resolution.organisation)
    can_review = access.can_review_unit(request.user, unit) and (
        writable or (report is not None and report.status == MonthlyReport.Status.APPROVED and may_reopen)
    )
    context = {
        "unit": unit,
        "resolution": resolution,
        "month": month,
        "report": report,
        "due": resolution.due_date(month),
        "can_file": access.can_file_for(request.user, unit) and writable,
        "can_review": can_review,
        "founded": selectors.founded_this_year(unit=unit, resolution=resolution),
    }
    if report:
        context |= {
            "rows": MonthlyReportForm(unit=unit, report=report).rows,
            "tasks": report.task_progress.select_related("task").order_by("task__number"),
            "history": history.report_history(report),
            "changes": history.changes_since_approval(report),
            "review_form": ReviewForm(initial={"version": report.version}),
            "approval": access.approval_by(request.user, report),
            "late": bool(report.first_submitted_at)
            and timezone.localdate(report.first_submitted_at) > resolution.due_date(month),
        }
    return context


@login_required
def report_detail(request, year, month, unit_id):
    """A report as filed, with year-to-date figures, review actions and its history."""
    unit = get_object_or_404(Organisation, pk=unit_id)
    if not access.can_view_unit(request.user, unit):
        raise PermissionDenied
    resolution = _open_resolution(unit, year, month)
    return render(request, "reports/detail.html", _detail_context(request, unit, resolution, month))


def _existing_report(user, year, month, unit_id, may):
    """The unit, its resolution of ``year`` and its report of ``month`` for an action on an
    existing report; 403 unless ``may(user, unit)`` (an access rule), 404 without a report."""
    unit = get_object_or_404(Organisation, pk=unit_id)
    if not may(user, unit):
        raise PermissionDenied
    resolution = _open_resolution(unit, year, month)
    report = get_object_or_404(MonthlyReport, organisation=unit, resolution=resolution, month=month)
    return unit, resolution, report


def _stale_review(request, unit, resolution, month, message):
    """The review was made on an outdated page: nothing changed; the current report is
    shown again with the message (409 Conflict)."""
    messages.error(request, message)
    return render(request, "reports/detail.html", _detail_context(request, unit, resolution, month), status=409)


@require_POST
@login_required
def report_review(request, year, month, unit_id):
    """Approve, return or reopen a report (an officer of one of the unit's ancestors)."""
    unit, resolution, report = _existing_report(request.user, year, month, unit_id, access.can_review_unit)
    form = ReviewForm(data=request.POST)
    detail_url = reverse("report_detail", args=[year, month, unit.pk])
    if not form.is_valid():
        if form.has_error("version"):
            return _stale_review(request, unit, resolution, month, form.errors["version"][0])
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(detail_url)
    action, comment, version = (form.cleaned_data[k] for k in ("action", "comment", "version"))
    try:
        if action in (ReviewForm.APPROVE, ReviewForm.APPROVE_NEXT):
            services.report_approve(report=report, user=request.user, expected_version=version)
            messages.success(request, _("The report was approved."))
            if action == ReviewForm.APPROVE_NEXT:
                return _open_next_waiting(request, report)
        elif action == ReviewForm.RETURN:
            services.report_return(report=report, user=request.user, comment=comment, expected_version=version)
            messages.success(request, _("The report was returned to the unit."))
        else:
            services.report_reopen(report=report, user=request.user, reason=comment, expected_version=version)
            messages.success(request, _("The report was reopened for correction."))
    except services.ReportConflict as error:
        return _stale_review(request, unit, resolution, month, str(error))
    except services.ReportError as error:
        messages.error(request, str(error))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect(detail_url)


def _open_next_waiting(request, report):
    """After "approve and open the next": the oldest report still waiting in the inbox."""
    following = inbox.next_waiting(access.review_root(request.user), after=report)
    if following is None:
        messages.info(request, _("No other report is waiting for your review."))
        return redirect("inbox")
    return redirect("report_detail", following.resolution.year, following.month, following.organisation_id)


@require_POST
@login_required
def report_withdraw(request, year, month, unit_id):
    """The unit takes back its submitted report before it is reviewed, to correct it."""
    unit, resolution, report = _existing_report(request.user, year, month, unit_id, access.can_file_for)
    version = request.POST.get("version", "")
    if not version.isdigit():
        return _stale_review(request, unit, resolution, month, _("The page is out of date: reload it and try again."))
    try:
        services.report_withdraw(report=report, user=request.user, expected_version=int(version))
    except services.ReportConflict as error:
        return _stale_review(request, unit, resolution, month, str(error))
    except services.ReportError as error:
        messages.error(request, str(error))
        return redirect("report_detail", year, month, unit.pk)
    messages.success(request, _("The report was withdrawn: correct it and submit it again."))
    return redirect("report_edit", year, month, unit.pk)


class ReviewListView(LoginRequiredMixin, SingleTableMixin, FilterView):
    """Every unit under the reviewer's own, with its report status for the chosen month."""

    table_class = ReportStatusTable
    filterset_class = ReportStatusFilter
    template_name = "reports/review_list.html"
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        user = request.user
        if user.organisation_id:
            self.root = access.review_root(user)
            if self.root is None:
                raise PermissionDenied
            self.choice = resolution_choice(user, request.GET, unit=self.root)
        elif access.is_reviewer(user):
            # An admin without a unit reviews the chosen federation's tree.
            self.choice = resolution_choice(user, request.GET)
            self.root = self.choice.resolution.organisation if self.choice.resolution else None
        else:
            raise PermissionDenied
        self.resolution = self.choice.resolution
        if self.resolution is None:
            raise Http404(_("No resolution has been loaded yet."))
        # Reviewers open on the month whose reports are coming in now (the latest that has
        # ended), not the dashboards' last closed month: that is the one they work through.
        default = self.resolution.reporting_month()
        try:
            self.month = int(request.GET.get("month") or default)
        except ValueError:
            self.month = default
        if not services.month_is_open(resolution=self.resolution, month=self.month):
            self.month = default
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.units_with_report_status(unit=self.root, resolution=self.resolution, month=self.month)

    def get_filterset_kwargs(self, filterset_class):
        return super().get_filterset_kwargs(filterset_class) | {"root": self.root}

    def get_table_kwargs(self):
        return {"resolution": self.resolution, "month": self.month}

    def get_table(self, **kwargs):
        table = self.get_table_class()(data=self.get_table_data(), **kwargs)
        return CappedRequestConfig(self.request, paginate=self.get_table_pagination(table)).configure(table)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        months = [m for m in range(1, 13) if services.month_is_open(resolution=self.resolution, month=m)]
        context |= {
            "root": self.root,
            "resolution": self.resolution,
            "year_form": self.choice.form,
            "month": self.month,
            "months": months,
            "due": self.resolution.due_date(self.month),
            "counts": selectors.state_counts(self.get_queryset()),
        }
        return context


@login_required
def year_lock(request, resolution_id):
    """Lock a closed year (GET: what it means and a confirmation; POST: do it), or unlock
    it with a reason. Provincial staff of the issuing federation, or an admin."""
    resolution = get_object_or_404(Resolution.objects.visible_to(request.user), pk=resolution_id)
    if not access.can_close_year(request.user, resolution.organisation):
        raise PermissionDenied
    back = f"{reverse('dashboard-unit', args=[resolution.organisation_id])}?year={resolution.year}"
    error = None
    if request.method == "POST":
        try:
            if resolution.is_locked:
                services.resolution_unlock(resolution=resolution, user=request.user, reason=request.POST.get("reason"))
                messages.success(request, _("The year %(year)s was unlocked.") % {"year": resolution.year})
            else:
                services.resolution_lock(resolution=resolution, user=request.user)
                messages.success(request, _("The year %(year)s was locked.") % {"year": resolution.year})
        except services.ReportError as exc:
            error = str(exc)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            return redirect(back)
    context = {"resolution": resolution, "back": back, "error": error}
    return render(request, "reports/year_lock.html", context, status=400 if error else 200)
