from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from unionplan import background
from unionplan.admin import WordedChoicesAdmin

from .documents import admin as documents_admin  # noqa: F401  (registers ReportTemplate)
from .models import (
    Allocation,
    ChangeJob,
    ExcelImport,
    ExportFile,
    MonthlyReport,
    PriorityTask,
    ReminderSent,
    ReportFigure,
    Resolution,
    ScheduledJob,
    Target,
    TargetComponent,
    TaskProgress,
    WorkerHeartbeat,
)
from .resolution import services
from .resolution.copying import copy_resolution


class FigureChangeForm(forms.ModelForm):
    """A figure already set changes only with a reason and the month it applies from."""

    change_reason = forms.CharField(
        label=_("Reason for changing the figure"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"size": 60}),
    )
    effective_month = forms.IntegerField(
        label=_("New figure applies from month"), required=False, min_value=1, max_value=12
    )

    def figure_changed(self):
        """A figure that was set changed (0 is a figure still to be set: setting it is no change)."""
        return self.instance.pk is not None and "figure" in self.changed_data and bool(self.initial.get("figure"))

    def clean(self):
        data = super().clean()
        if self.figure_changed():
            try:
                services.validate_change(reason=data.get("change_reason"), effective_month=data.get("effective_month"))
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    self.add_error("change_reason" if field == "reason" else field, errors)
        return data


def save_with_figure_change(request, form, obj, save):
    """Save ``obj`` as the form left it, its figure through ``services.change_figure`` when
    it changed (old value kept, reason and month in the history, the target's text rewritten)."""
    if not getattr(form, "figure_changed", lambda: False)():
        save()
        return
    new = obj.figure
    obj.figure = form.initial["figure"]
    save()
    services.change_figure(
        obj,
        figure=new,
        reason=form.cleaned_data["change_reason"],
        effective_month=form.cleaned_data["effective_month"],
        user=request.user,
    )


class FigureChangeAdminMixin:
    """Admin pages whose forms and inline forms may change figures (see ``FigureChangeForm``)."""

    def save_model(self, request, obj, form, change):
        save_with_figure_change(
            request, form, obj, lambda: super(FigureChangeAdminMixin, self).save_model(request, obj, form, change)
        )

    def save_formset(self, request, form, formset, change):
        if not issubclass(formset.form, FigureChangeForm):
            return super().save_formset(request, form, formset, change)
        for obj in formset.save(commit=False):
            inline_form = next(f for f in formset.forms if f.instance is obj)
            obj._history_user = request.user
            save_with_figure_change(request, inline_form, obj, obj.save)
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


class TargetInline(WordedChoicesAdmin, admin.TabularInline):
    model = Target
    extra = 0
    fields = ["number", "short_name", "text", "due_month"]
    show_change_link = True


class PriorityTaskInline(WordedChoicesAdmin, admin.StackedInline):
    model = PriorityTask
    extra = 0


class NextYearForm(forms.Form):
    year = forms.IntegerField(label=_("Year of the new resolution"), min_value=2000, max_value=2100)
    with_allocations = forms.BooleanField(
        label=_("Also copy which units have a share (shares to be set)"), required=False
    )


@admin.register(Resolution)
class ResolutionAdmin(WordedChoicesAdmin, SimpleHistoryAdmin):
    list_display = ["year", "title", "organisation", "issued_on", "report_due_day", "locked_at"]
    list_filter = ["year", "organisation"]
    search_fields = ["title", "theme"]
    autocomplete_fields = ["organisation"]
    readonly_fields = ["locked_at", "locked_by"]
    inlines = [TargetInline, PriorityTaskInline]
    actions = ["start_next_year"]

    @admin.action(description=_("Start next year's resolution"))
    def start_next_year(self, request, queryset):
        """A copy of the chosen resolution for a new year (targets.resolution.copying)."""
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one resolution to copy."), messages.ERROR)
            return None
        source = queryset.select_related("organisation").get()
        form = NextYearForm(request.POST if "apply" in request.POST else None, initial={"year": source.year + 1})
        if form.is_valid():
            try:
                created = copy_resolution(
                    source, form.cleaned_data["year"], with_allocations=form.cleaned_data["with_allocations"]
                )
            except ValidationError as error:
                form.add_error("year", error)
            else:
                self.message_user(
                    request,
                    _("%(resolution)s was created: set its figures.") % {"resolution": created},
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:targets_resolution_change", args=[created.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Start next year's resolution"),
            "source": source,
            "form": form,
        }
        return render(request, "admin/targets/resolution/start_next_year.html", context)


class TargetComponentInline(WordedChoicesAdmin, admin.StackedInline):
    model = TargetComponent
    form = FigureChangeForm
    extra = 0
    show_change_link = True
    fieldsets = [
        (None, {"fields": [("order", "label"), ("figure", "unit_of_measure"), ("measure", "figure_kind")]}),
        (None, {"fields": [("change_reason", "effective_month")]}),
        (_("Threshold and workforce"), {"fields": [("threshold", "threshold_unit"), "min_workforce"]}),
        (
            _("Who reports it"),
            {
                "fields": [
                    ("for_province", "for_upper_level", "for_grassroots"),
                    ("for_public_agency", "for_state_enterprise", "for_non_state_enterprise"),
                ]
            },
        ),
    ]


@admin.register(Target)
class TargetAdmin(WordedChoicesAdmin, FigureChangeAdminMixin, SimpleHistoryAdmin):
    list_display = ["number", "short_name", "resolution", "due_month", "continues", "text_check"]
    raw_id_fields = ["continues"]
    list_filter = ["resolution"]
    search_fields = ["short_name", "text"]
    inlines = [TargetComponentInline]
    readonly_fields = ["text_check"]

    @admin.display(description=_("does the text write the figures?"))
    def text_check(self, obj):
        missing = services.figures_missing_from_text(obj) if obj.pk else []
        if not missing:
            return "✔"
        return _("The text does not write the figure %(figures)s") % {
            "figures": ", ".join(number_format(c.figure, force_grouping=True) for c in missing)
        }


class AllocationInline(WordedChoicesAdmin, admin.TabularInline):
    model = Allocation
    form = FigureChangeForm
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(TargetComponent)
class TargetComponentAdmin(WordedChoicesAdmin, FigureChangeAdminMixin, SimpleHistoryAdmin):
    form = FigureChangeForm
    list_display = ["__str__", "figure_display", "unit_of_measure", "measure", "allocation_status"]
    list_filter = ["target__resolution", "measure"]
    search_fields = ["target__short_name", "label"]
    list_select_related = ["target"]
    inlines = [AllocationInline]
    readonly_fields = ["allocation_balance_table"]

    @admin.display(description=_("figure"), ordering="figure")
    def figure_display(self, obj):
        return number_format(obj.figure, force_grouping=True)

    @admin.display(description=_("allocations"))
    def allocation_status(self, obj):
        rows = obj.allocation_balance()
        if not rows:
            return _("not allocated")
        if all(r["difference"] == 0 for r in rows):
            return _("shares add up")
        return _("shares do not add up")

    @admin.display(description=_("do the shares add up?"))
    def allocation_balance_table(self, obj):
        rows = obj.allocation_balance() if obj.pk else []
        if not rows:
            return _("Nothing allocated yet.")
        return format_html_join(
            "",
            "<div>{}: {} / {} {}</div>",
            (
                (
                    r["parent"],
                    number_format(r["allocated"], force_grouping=True),
                    "–" if r["figure"] is None else number_format(r["figure"], force_grouping=True),
                    "✔" if r["difference"] == 0 else f"({r['difference']:+d})",
                )
                for r in rows
            ),
        )


@admin.register(Allocation)
class AllocationAdmin(WordedChoicesAdmin, FigureChangeAdminMixin, SimpleHistoryAdmin):
    form = FigureChangeForm
    list_display = ["component", "organisation", "figure"]
    list_filter = ["component__target__resolution", "component__target"]
    search_fields = ["organisation__name", "organisation__code"]
    autocomplete_fields = ["organisation"]
    list_select_related = ["component__target", "organisation"]


@admin.register(PriorityTask)
class PriorityTaskAdmin(WordedChoicesAdmin, SimpleHistoryAdmin):
    list_display = ["number", "title", "resolution"]
    list_filter = ["resolution"]


def yes_no(value):
    return _("Yes") if value else _("No")


class ReportFigureInline(WordedChoicesAdmin, admin.TabularInline):
    model = ReportFigure
    extra = 0
    # Yes/no in words: Django's boolean icon is labelled "True"/"False" in English.
    fields = [
        "component",
        "quantity",
        "done_in_words",
        "done_on",
        "value",
        "approved_quantity",
        "approved_done_in_words",
        "approved_value",
    ]
    readonly_fields = ["done_in_words", "approved_done_in_words"]

    @admin.display(description=ReportFigure._meta.get_field("done").verbose_name)
    def done_in_words(self, figure):
        return yes_no(figure.done)

    @admin.display(description=ReportFigure._meta.get_field("approved_done").verbose_name)
    def approved_done_in_words(self, figure):
        return yes_no(figure.approved_done)


class TaskProgressInline(WordedChoicesAdmin, admin.TabularInline):
    model = TaskProgress
    extra = 0


@admin.register(MonthlyReport)
class MonthlyReportAdmin(WordedChoicesAdmin, SimpleHistoryAdmin):
    list_display = ["organisation", "month", "resolution", "status", "submitted_at", "reviewed_by"]
    list_filter = ["resolution", "month", "status"]
    search_fields = ["organisation__name", "organisation__code"]
    list_select_related = ["organisation", "resolution", "reviewed_by"]
    autocomplete_fields = ["organisation"]
    inlines = [ReportFigureInline, TaskProgressInline]
    # A yes/no in words: Django's boolean icon is labelled "True"/"False" in English.
    exclude = ["nothing_to_report", "self_approved"]
    readonly_fields = ["nothing_to_report_in_words", "self_approved_in_words"]

    @admin.display(description=MonthlyReport._meta.get_field("nothing_to_report").verbose_name)
    def nothing_to_report_in_words(self, report):
        return yes_no(report.nothing_to_report)

    @admin.display(description=MonthlyReport._meta.get_field("self_approved").verbose_name)
    def self_approved_in_words(self, report):
        return yes_no(report.self_approved)

    # Reports change only through the reporting workflow (filing, review, history),
    # never by a bare save in the admin: here they are read-only.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReminderSent)
class ReminderSentAdmin(WordedChoicesAdmin, admin.ModelAdmin):
    """The record of reminders sent (manage.py send_reminders): read-only, for checking who was told what."""

    list_display = ["sent_on", "kind", "organisation", "month", "resolution", "recipients"]
    list_filter = ["kind", "resolution", "month", "sent_on"]
    search_fields = ["organisation__name", "organisation__code", "recipients"]
    list_select_related = ["organisation", "resolution"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _warn_without_worker(request):
    if not background.worker_alive():
        messages.warning(
            request,
            _(
                "No background worker is running: imports, large files, reminders and checks wait until "
                "one runs again (manage.py run_worker, docs/jobs.md)."
            ),
        )


class ReadOnlyAdmin(WordedChoicesAdmin, admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ScheduledJob)
class ScheduledJobAdmin(WordedChoicesAdmin, admin.ModelAdmin):
    """The scheduled work: the hour each runs (reminders at 08:00 by default) can be changed;
    its last run and result are shown. Failed tasks, with their error: "Task results"."""

    list_display = ["name", "hour", "enabled", "last_run_on", "last_finished_at", "last_ok", "last_result"]
    fields = [
        "name",
        "hour",
        "enabled",
        "task_path",
        "last_run_on",
        "last_started_at",
        "last_finished_at",
        "last_ok",
        "last_result",
    ]
    readonly_fields = [
        "name",
        "task_path",
        "last_run_on",
        "last_started_at",
        "last_finished_at",
        "last_ok",
        "last_result",
    ]

    def has_add_permission(self, request):
        return False

    def changelist_view(self, request, extra_context=None):
        _warn_without_worker(request)
        return super().changelist_view(request, extra_context)


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["worker_id", "host", "started_at", "seen_at", "is_alive"]

    @admin.display(boolean=True, description=_("alive"))
    def is_alive(self, obj):
        return obj.is_alive

    def changelist_view(self, request, extra_context=None):
        _warn_without_worker(request)
        return super().changelist_view(request, extra_context)


@admin.register(ExcelImport)
class ExcelImportAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "file_name", "uploaded_by", "upper", "status", "rows_checked", "saved"]
    list_filter = ["status"]
    exclude = ["content", "pending"]
    list_select_related = ["uploaded_by", "upper"]


@admin.register(ExportFile)
class ExportFileAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "file_name", "requested_by", "status", "rows_written", "rows_total", "message"]
    list_filter = ["status"]
    exclude = ["content"]
    list_select_related = ["requested_by"]


@admin.register(ChangeJob)
class ChangeJobAdmin(ReadOnlyAdmin):
    """A large tree change's work in the worker (preview, applying, undoing), with its errors."""

    list_display = ["created_at", "change", "kind", "requested_by", "status", "done", "total", "finished_at"]
    list_filter = ["status", "kind"]
    exclude = ["html"]
    list_select_related = ["change", "requested_by"]


from .api import admin as api_admin  # noqa: E402,F401  (registers the API tokens)
