"""What every dashboard page shares: the resolution, the "as of" month and the unit it is
about (``DashboardMixin``, with the union switch and the breadcrumbs), and its tables as
XLSX or CSV files for a meeting (``TablesExportMixin``, large ones built by the
background worker: ``files``). The pages are in ``views``."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django_tables2.export import TableExport

from branches.access import can_view_unit, visible_units
from branches.models import Organisation, path_ids
from targets.resolution.choice import resolution_choice
from targets.rollup.completeness import reported_so_far
from targets.rollup.figures import Structure
from unionplan import clock
from unionplan.spreadsheets import ascii_slug, table_rows, write_csv_rows, write_xlsx_rows

from . import files
from .filters import AsOfForm

EXPORT_FORMATS = (TableExport.XLSX, TableExport.CSV)
PER_PAGE = 25


def home_unit(user, resolution):
    """The unit whose dashboard a user lands on: their own; the federation for an admin."""
    if user.organisation_id:
        return user.organisation
    if user.is_superuser and resolution is not None:
        return resolution.organisation
    return None


class DashboardMixin(LoginRequiredMixin):
    """The resolution, the "as of" month and the unit (``scope``) a dashboard is about.

    The unit comes from the URL (``unit_pk``) or, on pages that offer a choice, from the
    ``unit`` query parameter; a unit the user may not see is answered with 404. The
    resolution is the one of the user's federation that applies to the unit, of the year
    chosen with ``?year=`` (``targets.resolution.choice``)."""

    choose_unit = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.scope = self.get_scope()
        self.choice = resolution_choice(request.user, request.GET, unit=self.scope)
        self.resolution = self.choice.resolution
        if self.resolution is None:
            raise Http404(_("No resolution has been loaded yet."))
        self.month = self.resolution.default_month()
        # The tree the figures are counted under; the default keeps every link as it was.
        self.structure = Structure.of(request.GET.get("structure"))
        self.as_of = AsOfForm(
            self.month_asked(request),
            resolution=self.resolution,
            years=self.choice.form.fields["year"].choices,
            units=self.unit_choices() if self.choose_unit else None,
            initial={
                "month": self.month,
                "unit": self.scope.pk,
                "year": self.resolution.year,
                "structure": self.structure,
            },
        )
        if self.as_of.is_bound and self.as_of.is_valid() and self.as_of.cleaned_data["month"]:
            self.month = self.as_of.cleaned_data["month"]
        period = {"month": self.month, "year": self.resolution.year}
        if self.structure != Structure.CURRENT:
            period["structure"] = self.structure
        self.period = urlencode(period)
        return super().dispatch(request, *args, **kwargs)

    def month_asked(self, request):
        """The query, with a month that has not begun replaced by the nearest one that has
        (and a message saying so)."""
        if not request.GET:
            return None
        data = request.GET.copy()
        try:
            month = int(data.get("month") or 0)
        except ValueError:
            return data
        if 1 <= month <= 12 and month not in self.resolution.months_begun():
            nearest = self.resolution.nearest_month_begun(month)
            data["month"] = str(nearest)
            messages.warning(
                request,
                _("Month %(asked)s/%(year)s has not begun yet: showing month %(month)s/%(year)s.")
                % {"asked": month, "month": nearest, "year": self.resolution.year},
            )
        return data

    def unit_choices(self):
        """The unions the page offers to switch to, among those the user may see: the
        scope's ancestors, the unions beside it and under it that have units of their own,
        and itself. A country's 1,400 upper levels are reached by going down the tree, not
        listed on every page."""
        scope = self.scope
        # The kinds named (not "not grassroots"), so that the index on the kind serves it.
        others = [kind for kind in Organisation.Kind.values if kind != Organisation.Kind.GRASSROOTS]
        ancestors = path_ids(scope.path)[:-1]
        near = Q(parent=scope) | (Q(parent_id=scope.parent_id) if scope.parent_id else Q(parent__isnull=True))
        return visible_units(self.request.user).filter(
            Q(pk__in=ancestors) | (near & Q(kind__in=others)) | Q(pk=scope.pk)
        )

    def get_scope(self):
        raw = self.kwargs.get("unit_pk") or (self.request.GET.get("unit") if self.choose_unit else None)
        if raw in (None, ""):
            user = self.request.user
            landing = None if user.organisation_id else resolution_choice(user, self.request.GET).resolution
            unit = home_unit(user, landing)
            if unit is None:
                raise Http404(_("Your account is not attached to a union."))
            return unit
        try:
            unit = Organisation.objects.get(pk=int(raw))
        except (ValueError, TypeError, Organisation.DoesNotExist):
            raise Http404(_("No such union.")) from None
        if not can_view_unit(self.request.user, unit):
            raise Http404(_("No such union."))
        return unit

    def breadcrumbs(self):
        """The scope's ancestors that the user may see, root first (one query)."""
        return [u for u in self.scope.ancestors() if can_view_unit(self.request.user, u)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            resolution=self.resolution,
            month=self.month,
            scope=self.scope,
            as_of=self.as_of,
            breadcrumbs=self.breadcrumbs(),
            month_end=self.resolution.month_end(self.month),
            period=self.period,
            structure=self.structure,
            as_it_was=self.structure == Structure.MONTHLY,
        )
        if not self.resolution.is_closed(self.month):
            # Provisional figures: the month's reports are not all due yet (one query).
            reported, expected = reported_so_far(self.resolution, self.scope, self.month, self.structure)
            context["provisional"] = {
                "reported": reported,
                "expected": expected,
                "due": self.resolution.due_date(self.month),
            }
        return context


def scope_file_name(unit):
    """The unit's part of an export's file name, Vietnamese without diacritics ("ldld-tp-rach-gia"),
    with its code added when its name alone could be another unit's (a namesake, or a long
    name cut short), so that no two units' files share a name."""
    slug = ascii_slug(unit.name)
    cut_short = len(ascii_slug(unit.name, max_length=len(unit.name) * 2)) > len(slug)
    if cut_short or Organisation.objects.filter(name__iexact=unit.name).exclude(pk=unit.pk).exists():
        slug = f"{slug}-{ascii_slug(unit.code)}"
    return slug


class TablesExportMixin:
    """Tables of a page, each exportable with ``?_export=xlsx|csv&table=<name>``.

    ``exports`` names each table's file (Vietnamese without diacritics) and title:
    ``{"progress": ("tien-do-chi-tieu", _("Progress on the targets"))}``. A file is named
    after the table, the unit and the month (``tien-do-chi-tieu_ldld-tp-rach-gia_2020-10.xlsx``);
    an XLSX file opens with a title block: the table, the unit, the resolution, the month the
    figures run to, and when the file was made."""

    exports = {}

    def get_tables(self):
        """An ordered dict name → configured table; the first is exported by default."""
        raise NotImplementedError

    @cached_property
    def tables(self):
        return self.get_tables()

    def export_stem(self, name):
        return self.exports[name][0]

    def export_title(self, name):
        return self.exports[name][1]

    def export_filename(self, name, export_format):
        month = f"{self.resolution.year}-{self.month:02d}"
        return f"{self.export_stem(name)}_{scope_file_name(self.scope)}_{month}.{export_format}"

    def export_title_lines(self, name):
        made = timezone.localtime(clock.now())
        resolution = self.resolution
        return [
            str(self.export_title(name)),
            _("Union: %(name)s") % {"name": self.scope.name},
            _("Resolution: %(title)s (%(year)s)") % {"title": resolution.title, "year": resolution.year},
            _("Figures as of the end of %(month)s/%(year)s") % {"month": self.month, "year": resolution.year},
            *self.export_holds(name),
            *([_("Counted under the tree as it was each month")] if self.structure == Structure.MONTHLY else []),
            _("Generated at %(time)s on %(day)s")
            % {"time": made.strftime("%H:%M"), "day": date_format(made.date(), "SHORT_DATE_FORMAT")},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tables"] = self.tables
        context["export_formats"] = EXPORT_FORMATS
        return context

    def export_holds(self, name):
        """Lines of the title block saying which months the file holds, when the month the
        figures run to does not say it alone (e.g. every month's narratives up to it)."""
        return []

    def render_to_response(self, context, **kwargs):
        export_format = self.request.GET.get("_export")
        if export_format in EXPORT_FORMATS:
            name = self.request.GET.get("table") or next(iter(self.tables))
            if name not in self.tables:
                raise Http404(_("No such table."))
            return self.export(name, export_format)
        return super().render_to_response(context, **kwargs)

    def export(self, name, export_format):
        """The table ``name`` as a file: at once when small, else by the background worker
        (the page then follows the job); in the worker, written into its job."""
        table = self.tables[name]
        filename = self.export_filename(name, export_format)
        job = getattr(self.request, "export_file", None)
        if job is None and files.rows_over(table, settings.EXPORT_IN_REQUEST_ROWS):
            query = self.request.GET.urlencode()
            job = files.file_start(
                user=self.request.user, scope=self.scope, path=self.request.path, query=query, file_name=filename
            )
            return redirect("export_file", job.pk)
        headers, rows, formats = table_rows(table)
        title, title_lines = self.export_stem(name)[:31], self.export_title_lines(name)
        if job is not None:
            total = getattr(table, "export_count", None) or getattr(table, "export_total", lambda: 0)()
            files.file_write(
                job,
                headers=headers,
                rows=rows,
                column_formats=formats,
                title=title,
                title_lines=title_lines,
                export_format=export_format,
                total=total,
            )
            return HttpResponse(status=204)
        if export_format == "xlsx":
            response = HttpResponse(content_type=files.CONTENT_TYPES["xlsx"])
            write_xlsx_rows(response, headers, rows, title=title, title_lines=title_lines, column_formats=formats)
        else:
            response = HttpResponse(content_type=files.CONTENT_TYPES["csv"])
            write_csv_rows(response, headers, rows)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
