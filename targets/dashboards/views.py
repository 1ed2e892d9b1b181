"""Dashboards: the province's (or an upper level's) progress, a target's page with its
branches, a grassroots union's own contribution, completeness of reporting, priority tasks.

Views only wire request → domain query (targets.rollup) → table → template. Who may see
which unit is decided by branches.access alone.
"""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import RedirectView, TemplateView
from django_tables2.paginators import LazyPaginator

from branches.access import can_close_year
from targets.resolution.choice import resolution_choice
from targets.resolution.models import TargetComponent
from targets.rollup.breakdown import (
    branch_progress,
    children_with_report_status,
    eligible_by_branch,
    furthest_behind,
    scope_eligible,
)
from targets.rollup.completeness import completeness, unreported_units
from targets.rollup.contribution import unit_contribution
from targets.rollup.pace import Status, expected_fraction, share_of
from targets.rollup.progress import (
    cumulative_by_component,
    cumulative_by_month,
    headline,
    same_period_last_year,
    scope_progress,
)
from targets.rollup.tasks import NarrativesNewestFirst, task_narratives, task_summary
from unionplan import background, clock
from unionplan.numbers import format_achievement
from unionplan.paging import CappedRequestConfig, CountedPaginator
from unionplan.spreadsheets import ascii_slug

from . import files
from .charts import progress_chart, small_multiple
from .columns import period_link
from .filters import BranchFilter, NarrativeFilter
from .follow_up_tables import (
    CompletenessTable,
    NarrativeTable,
    NewestMonthFirstData,
    TaskSummaryTable,
    UnreportedUnitsTable,
)
from .mixins import PER_PAGE, DashboardMixin, TablesExportMixin, home_unit
from .models import ExportFile
from .tables import BehindTable, BranchTable, ContributionTable, PrintProgressTable, ProgressTable


class DashboardLandingView(LoginRequiredMixin, RedirectView):
    """/dashboard/: the dashboard of the user's own union (where officers land after log-in)."""

    def get_redirect_url(self, *args, **kwargs):
        user = self.request.user
        unit = home_unit(user, None if user.organisation_id else resolution_choice(user, self.request.GET).resolution)
        if unit is None:
            return reverse("home")
        url = reverse("dashboard-unit", args=[unit.pk])
        query = self.request.GET.urlencode()
        return f"{url}?{query}" if query else url


class UnitDashboardView(DashboardMixin, TablesExportMixin, TemplateView):
    """A union's dashboard: for the federation or an upper level, progress of its subtree on
    every target against its figures; for a grassroots union, its own contribution."""

    exports = {"progress": ("tien-do-chi-tieu", gettext_lazy("Progress on the targets"))}

    def export_stem(self, name):
        return "ket-qua-tung-thang" if self.scope.is_grassroots else super().export_stem(name)

    def export_title(self, name):
        if self.scope.is_grassroots:
            return _("The union's results month by month")
        return super().export_title(name)

    def get_template_names(self):
        if self.scope.is_grassroots:
            return ["dashboards/grassroots.html"]
        return ["dashboards/unit.html"]

    @cached_property
    def rows(self):
        return scope_progress(self.resolution, self.scope, self.month, structure=self.structure)

    @cached_property
    def small_multiples(self):
        """One thumbnail per target component: cumulative achieved against the expected line,
        linking to the target's page (read by the template only, never by an export)."""
        rows = self.rows
        series = cumulative_by_component(self.resolution, [row.component for row in rows], self.scope, self.month)
        charts = []
        for row in rows:
            component = row.component
            cumulative = series[component.pk]
            if row.is_share:
                cumulative = [share_of(value, row.eligible) or 0 for value in cumulative]
            expected = [expected_fraction(m, component.target.due_month, row.profile) for m in range(13)]
            label = _("%(target)s: %(percent)s, %(status)s") % {
                "target": component,
                "percent": format_achievement(row.percent),
                "status": Status(row.status).label,
            }
            charts.append(
                {
                    "row": row,
                    "chart": small_multiple(expected, cumulative, row.figure, row.status, label),
                    "url": period_link("dashboard-component", self.period, self.scope.pk, component.pk),
                }
            )
        return charts

    def get_tables(self):
        if self.scope.is_grassroots:
            data = unit_contribution(self.resolution, self.scope, self.month)
            table = ContributionTable(data, month=self.month)
        else:
            last_year = same_period_last_year(self.resolution, self.scope, self.month)
            table = ProgressTable(
                self.rows,
                scope=self.scope,
                month=self.month,
                period=self.period,
                year=self.resolution.year,
                last_year=last_year,
            )
        CappedRequestConfig(self.request, paginate=False).configure(table)
        return {"progress": table}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not self.scope.is_grassroots:
            context["headline"] = headline(self.rows)
            context["year_verdict"] = self.month == 12 and self.resolution.is_closed(12)
        context["can_close_year"] = (
            self.scope.pk == self.resolution.organisation_id
            and self.resolution.has_ended()
            and can_close_year(self.request.user, self.resolution.organisation)
        )
        return context


class PrintDashboardView(UnitDashboardView):
    """The dashboard on one A4 page, for a meeting."""

    def get_template_names(self):
        return ["dashboards/print.html"]

    def get_tables(self):
        if self.scope.is_grassroots:
            # A grassroots union prints its own contribution month by month.
            return super().get_tables()
        table = PrintProgressTable(self.rows, month=self.month)
        CappedRequestConfig(self.request, paginate=False).configure(table)
        return {"progress": table}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["printed_on"] = clock.today()
        return context


class ComponentDashboardView(DashboardMixin, TablesExportMixin, TemplateView):
    """A target component's page: its monthly curve against the figure and the expected
    pace, and a table of the scope's children (drill down from any row)."""

    template_name = "dashboards/component.html"

    def export_stem(self, name):
        component = self.component
        label = f"-{ascii_slug(component.label, max_length=30)}" if component.label else ""
        return f"chi-tieu-{component.target.number}{label}-theo-don-vi"

    def export_title(self, name):
        return _("Target %(component)s by union") % {"component": self.component}

    @cached_property
    def component(self):
        return get_object_or_404(
            TargetComponent.objects.select_related("target"),
            pk=self.kwargs["component_pk"],
            target__resolution=self.resolution,
        )

    @cached_property
    def filterset(self):
        units = children_with_report_status(self.resolution, self.scope, self.month, self.structure)
        return BranchFilter(self.request.GET, queryset=units, request=self.request)

    @cached_property
    def eligible_by_branch(self):
        return eligible_by_branch(self.resolution, self.component, self.scope, self.month, self.structure)

    @cached_property
    def row(self):
        component = self.component
        # The scope's eligible units are its branches' (counted once for the page).
        eligible = scope_eligible(self.resolution, component, self.scope, self.month, self.eligible_by_branch)
        (row,) = scope_progress(
            self.resolution,
            self.scope,
            self.month,
            components=[component],
            eligible={component.pk: eligible},
            structure=self.structure,
        )
        return row

    def get_tables(self):
        # Every child once (for the units furthest behind, among all of them), then the
        # filter's choice of them for the table by union.
        children = self.filterset.queryset
        data = branch_progress(
            self.resolution,
            self.component,
            self.scope,
            self.month,
            children,
            self.row.profile,
            eligible=self.eligible_by_branch,
            structure=self.structure,
        )
        chosen = set(self.filterset.qs.values_list("pk", flat=True)) if self.filterset.is_valid() else set()
        chosen_rows = [r for r in data if r.unit.pk in chosen]
        table = BranchTable(chosen_rows, component=self.component, month=self.month, period=self.period)
        CappedRequestConfig(self.request, paginate={"per_page": PER_PAGE}).configure(table)
        behind = BehindTable(
            furthest_behind(data), component=self.component, month=self.month, period=self.period, prefix="b-"
        )
        CappedRequestConfig(self.request, paginate=False).configure(behind)
        return {"units": table, "behind": behind}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        component, row = self.component, self.row
        cumulative = cumulative_by_month(self.resolution, component, self.scope, self.month, self.structure)
        expected = [expected_fraction(m, component.target.due_month, row.profile) for m in range(13)]
        context.update(
            component=component,
            target=component.target,
            siblings=component.target.components.all(),
            row=row,
            chart=progress_chart(expected, cumulative, row.figure, title=str(component)),
            filter=self.filterset,
            has_children=self.scope.children.exists(),
        )
        return context


class CompletenessView(DashboardMixin, TablesExportMixin, TemplateView):
    """Who reported a month on time, late, or not at all, per upper level, with the units
    to call and their contacts."""

    template_name = "dashboards/completeness.html"
    exports = {
        "branches": ("tinh-hinh-bao-cao", gettext_lazy("Reporting by union")),
        "units": ("don-vi-chua-bao-cao", gettext_lazy("Units that have not reported")),
    }
    choose_unit = True

    @cached_property
    def summary(self):
        return completeness(self.resolution, self.scope, self.month, structure=self.structure)

    def get_tables(self):
        rows, total = self.summary
        branches = CompletenessTable(rows, total=total, scope=self.scope, month=self.month, period=self.period)
        CappedRequestConfig(self.request, paginate=False).configure(branches)
        units = UnreportedUnitsTable(unreported_units(self.resolution, self.scope, self.month), prefix="u-")
        units.export_count = total.unreported
        # The summary has counted these units (missing or not yet due): not counted again.
        paginate = {"per_page": PER_PAGE, "paginator_class": CountedPaginator, "count": total.unreported}
        CappedRequestConfig(self.request, paginate=paginate).configure(units)
        return {"branches": branches, "units": units}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows, total = self.summary
        context.update(
            total=total,
            due_date=self.resolution.due_date(self.month),
            past_due=clock.now() >= self.resolution.deadline(self.month),
        )
        return context


class TasksView(DashboardMixin, TablesExportMixin, TemplateView):
    """Priority tasks: how many units report each not started, under way or done (their
    latest report up to the month), and what they reported doing."""

    template_name = "dashboards/tasks.html"
    exports = {
        "tasks": ("nhiem-vu-trong-tam", gettext_lazy("Priority tasks")),
        "narratives": ("ket-qua-nhiem-vu", gettext_lazy("What the units did on the priority tasks")),
    }
    choose_unit = True

    @cached_property
    def filterset(self):
        narratives = task_narratives(self.resolution, self.scope, self.month)
        return NarrativeFilter(self.request.GET, queryset=narratives, resolution=self.resolution)

    def get_tables(self):
        summary = TaskSummaryTable(task_summary(self.resolution, self.scope, self.month, self.structure))
        CappedRequestConfig(self.request, paginate=False).configure(summary)
        narratives_qs = self.filterset.qs if self.filterset.is_valid() else self.filterset.queryset.none()
        narratives = NarrativeTable(NewestMonthFirstData(NarrativesNewestFirst(narratives_qs, self.month)), prefix="n-")
        # Pages of narratives are not counted (across a country that is millions of rows):
        # each page says whether another follows.
        paginate = {"per_page": PER_PAGE, "paginator_class": LazyPaginator}
        CappedRequestConfig(self.request, paginate=paginate).configure(narratives)
        return {"tasks": summary, "narratives": narratives}

    def export_holds(self, name):
        if name == "narratives":
            months = {"month": self.month, "year": self.resolution.year}
            return [_("Narratives of months 1 to %(month)s/%(year)s, newest month first") % months]
        return super().export_holds(name)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        return context


@login_required
def export_file(request, pk):
    """A file being prepared by the background worker: its progress ("đang chuẩn bị tệp…
    45 %"), then its download link; or why it failed, or that no worker is running."""
    job = files.file_for(request.user, pk)
    context = {"job": job, "worker_alive": background.worker_alive()}
    return render(request, "dashboards/export_file.html", context)


@login_required
def export_file_status(request, pk):
    """The file's progress as JSON, for its page to follow without a reload."""
    job = files.file_for(request.user, pk)
    return JsonResponse(
        {
            "status": job.status,
            "label": str(job.get_status_display()),
            "percent": job.percent,
            "running": job.is_running,
            "worker_alive": background.worker_alive(),
        }
    )


@login_required
def export_file_download(request, pk):
    """The finished file, to the user who asked for it while they may still see its union
    (checked again now); anyone else, or a file pruned or not ready, gets 404."""
    job = files.file_for(request.user, pk)
    if job.status != ExportFile.Status.READY or job.content is None:
        raise Http404(_("No such file."))
    extension = job.file_name.rsplit(".", 1)[-1]
    response = HttpResponse(
        bytes(job.content), content_type=files.CONTENT_TYPES.get(extension, "application/octet-stream")
    )
    response["Content-Disposition"] = f'attachment; filename="{job.file_name}"'
    return response
