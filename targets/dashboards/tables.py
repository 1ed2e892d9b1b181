"""Dashboard tables (django-tables2): shown on the page and exported to XLSX and CSV with
the same Vietnamese headers. Exports carry numbers as numbers (``value_*``), pages show them
the Vietnamese way."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from branches.models import Organisation
from targets.reporting.models import MonthlyReport, TaskProgress
from targets.resolution.models import TargetComponent
from targets.rollup.pace import Status
from unionplan.numbers import format_achievement, format_money, format_number, format_percent
from unionplan.spreadsheets import PERCENT_FORMAT

from .verdicts import catch_up_text, profile_text, status_badge

NUMBER = {"td": {"class": "number"}, "th": {"class": "number"}, "tf": {"class": "number"}}
# Below Bootstrap's "sm" width (a phone), a table shows only its essential columns (the
# target or union, the percent, the status) and the others are hidden, so that every row
# fits the screen without sideways scrolling; from "sm" up, and in exports, all are there.
PHONE_HIDDEN = "d-none d-sm-table-cell"


def phone_hidden(attrs=None):
    """Column ``attrs`` (``td``/``th``/``tf``) with the class that hides the column on a phone."""
    attrs = attrs or {}
    return {
        part: {**attrs.get(part, {}), "class": f"{attrs.get(part, {}).get('class', '')} {PHONE_HIDDEN}".strip()}
        for part in ("td", "th", "tf")
    }


OPTIONAL = phone_hidden()
OPTIONAL_NUMBER = phone_hidden(NUMBER)


def period_link(name, period, *args):
    """A link to another dashboard page of the same month and year (``period``:
    ``month=11&year=2020``)."""
    return f"{reverse(name, args=args)}?{period}"


def amount(component, value):
    """A figure of ``component`` on a page: money the way reports write it ("2,5 tỷ đồng")
    with every digit on hover, anything else grouped (5.821); a decrease with a true minus."""
    if value is None:
        return "–"
    if component.is_money:
        html = format_html(
            '<span class="money" title="{}">{}</span>', format_money(value, exact=True), format_money(value)
        )
    else:
        html = format_number(value)
    return html.replace("-", "−", 1) if value < 0 else html


def share_text(share, units, eligible, unit_of_measure):
    """ "37,5% (3/8 doanh nghiệp)": a percentage of the eligible units and the counts behind it."""
    if share is None:
        return "–"
    return f"{format_percent(share)} ({format_number(units)}/{format_number(eligible)} {unit_of_measure})"


def figure_text(component, record):
    """The figure a scope answers for: "5.821", "3/3", "60%", "15 tỷ đồng"; a changed figure
    with its previous value: "5.821 (trước: 5.500, từ tháng 7)"."""
    figure = record.figure
    if figure is None:
        text = "–"
    elif component.is_share:
        text = format_percent(figure, 0)
    elif component.figure_kind == TargetComponent.FigureKind.ALL_ELIGIBLE:
        text = f"{format_number(figure)}/{format_number(figure)}"
    else:
        text = amount(component, figure)
    previous = getattr(record, "previous_figure", None)
    if previous is None or previous == figure:
        return text
    before = format_percent(previous, 0) if component.is_share else amount(component, previous)
    note = _("(before: %(previous)s, from month %(month)s)") % {
        "previous": before,
        "month": record.figure_from_month,
    }
    return format_html('{} <span class="previous-figure small text-muted">{}</span>', text, note)


def measured_text(component, record, value):
    """Achieved, expected or projected: a percentage for a share, else an amount."""
    if component.is_share:
        return format_percent(value)
    return amount(component, value)


def unit_link(unit, component, period):
    """A unit's name linking to its page on ``component`` (a grassroots union's own dashboard)."""
    if unit.kind == Organisation.Kind.GRASSROOTS:
        url = period_link("dashboard-unit", period, unit.pk)
    else:
        url = period_link("dashboard-component", period, unit.pk, component.pk)
    dissolved = ""
    if unit.dissolved_on:
        dissolved = format_html(' <span class="small text-muted">({})</span>', _("dissolved"))
    return format_html('<a href="{}">{}</a>{}', url, unit.name, dissolved)


def _as_float(value):
    return None if value is None else float(value)


class NumberColumn(tables.Column):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", NUMBER)
        super().__init__(*args, **kwargs)

    def render(self, value):
        return format_number(value)

    def value(self, value):
        """Exports keep the number itself, so that a spreadsheet can add it up."""
        return value


class PercentColumn(NumberColumn):
    """'đạt 85,3%' or 'vượt 12,0%' on the page, 85.3 in an export (shown "85,3%" in Excel)."""

    export_format = PERCENT_FORMAT

    def render(self, value):
        return format_achievement(value)

    def value(self, value):
        return _as_float(value)


class StatusColumn(tables.Column):
    def render(self, value):
        return status_badge(value)

    def value(self, value):
        return str(Status(value).label)


class ProgressTable(tables.Table):
    """A scope's progress on each target component."""

    number = tables.Column(accessor="target__number", verbose_name="#", attrs=NUMBER)
    target = tables.Column(accessor="component", verbose_name=_("Target"))
    unit_of_measure = tables.Column(
        accessor="component__unit_of_measure", verbose_name=_("Unit of measure"), attrs=OPTIONAL
    )
    figure = NumberColumn(verbose_name=_("Figure"), attrs=OPTIONAL_NUMBER)
    achieved = NumberColumn(verbose_name=_("Achieved"), attrs=OPTIONAL_NUMBER)
    pending = NumberColumn(verbose_name=_("Submitted, awaiting approval"), attrs=OPTIONAL_NUMBER)
    percent = PercentColumn(verbose_name=_("Percent of figure"))
    expected = NumberColumn(verbose_name=_("Expected by now"), attrs=OPTIONAL_NUMBER)
    status = StatusColumn(verbose_name=_("Status"))
    remaining = NumberColumn(verbose_name=_("Short of the figure"), attrs=OPTIONAL_NUMBER)
    catch_up = tables.Column(verbose_name=_("What it takes"), empty_values=(), attrs=OPTIONAL)
    projected = NumberColumn(verbose_name=_("Projected year-end"), attrs=OPTIONAL_NUMBER)

    class Meta:
        orderable = False
        attrs = {"class": "table table-sm table-hover align-middle progress-table"}

    def __init__(self, *args, scope=None, month=None, period="", year=None, last_year=None, **kwargs):
        self.scope, self.month, self.period, self.year = scope, month, period, year
        # {component pk: achieved by the same month last year} (targets that continue one)
        self.last_year = last_year or {}
        super().__init__(*args, **kwargs)

    def render_remaining(self, record):
        return measured_text(record.component, record, record.remaining) if record.remaining else "–"

    def value_remaining(self, record):
        return _as_float(record.remaining) if record.is_share else record.remaining

    def render_catch_up(self, record):
        return catch_up_text(record.catch_up, record.component) or "–"

    def value_catch_up(self, record):
        return str(catch_up_text(record.catch_up, record.component))

    def render_target(self, record):
        component = record.component
        name = component.target.short_name
        if component.label:
            name = f"{name} – {component.label}"
        if self.scope is None:
            return name
        return format_html(
            '<a href="{}">{}</a>', period_link("dashboard-component", self.period, self.scope.pk, component.pk), name
        )

    def value_target(self, record):
        component = record.component
        return f"{component.target.short_name} – {component.label}" if component.label else component.target.short_name

    def render_figure(self, record):
        return figure_text(record.component, record)

    def render_achieved(self, record):
        component = record.component
        if record.is_share:
            return share_text(record.share, record.achieved, record.eligible, component.unit_of_measure)
        if record.all_eligible and record.figure:
            achieved = f"{format_number(record.achieved)}/{format_number(record.figure)}"
        else:
            achieved = amount(component, record.achieved)
        if component.pk not in self.last_year:
            return achieved
        return format_html(
            '{}<br><span class="small text-muted last-year">{}</span>',
            achieved,
            _("same period %(year)s: %(achieved)s")
            % {"year": self.year - 1, "achieved": amount(component, self.last_year[component.pk])},
        )

    def render_pending(self, record):
        return amount(record.component, record.pending)

    def render_expected(self, record):
        return format_html(
            '{}<span class="d-block small text-muted">{}</span>',
            measured_text(record.component, record, record.expected),
            profile_text(record.profile),
        )

    def render_projected(self, record):
        return measured_text(record.component, record, record.projected)

    def value_figure(self, record):
        return record.figure

    def value_pending(self, record):
        return record.pending

    def value_achieved(self, record):
        """Exports: the exact figure, or a share's percentage (37.5)."""
        return _as_float(record.share) if record.is_share else record.achieved

    def value_expected(self, record):
        return _as_float(record.expected) if record.is_share else record.expected

    def value_projected(self, record):
        return _as_float(record.projected) if record.is_share else record.projected


class BranchTable(tables.Table):
    """The children of a scope on one component: allocation, achieved, percent, rank."""

    rank = NumberColumn(verbose_name=_("Rank"), attrs=OPTIONAL_NUMBER)
    unit = tables.Column(verbose_name=_("Union"), order_by=("unit__name",))
    sector = tables.Column(
        accessor="unit__get_sector_display", verbose_name=_("Sector"), order_by=("unit__sector",), attrs=OPTIONAL
    )
    report_status = tables.Column(verbose_name=_("Report of the month"), empty_values=(), attrs=OPTIONAL)
    figure = NumberColumn(verbose_name=_("Allocated figure"), attrs=OPTIONAL_NUMBER)
    achieved = NumberColumn(verbose_name=_("Achieved"), attrs=OPTIONAL_NUMBER)
    pending = NumberColumn(verbose_name=_("Submitted, awaiting approval"), attrs=OPTIONAL_NUMBER)
    percent = PercentColumn(verbose_name=_("Percent of figure"))
    status = StatusColumn(verbose_name=_("Status"), orderable=False)

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle branch-table"}
        order_by = ("rank",)

    def __init__(self, *args, component=None, month=None, period="", **kwargs):
        self.component, self.month, self.period = component, month, period
        super().__init__(*args, **kwargs)

    def render_figure(self, record):
        return figure_text(self.component, record)

    def render_achieved(self, record):
        if record.is_share:
            return share_text(record.share, record.achieved, record.eligible, self.component.unit_of_measure)
        return amount(self.component, record.achieved)

    def render_pending(self, record):
        return amount(self.component, record.pending)

    def value_achieved(self, record):
        return _as_float(record.share) if record.is_share else record.achieved

    def value_figure(self, record):
        return record.figure

    def value_pending(self, record):
        return record.pending

    def render_unit(self, value):
        return unit_link(value, self.component, self.period)

    def value_unit(self, value):
        return value.name

    def render_report_status(self, value):
        return report_status_label(value)

    def value_report_status(self, value):
        return str(report_status_label(value))


class BehindTable(tables.Table):
    """The units furthest behind their own allocation's expectation, with their shortfall."""

    unit = tables.Column(verbose_name=_("Union"))
    figure = NumberColumn(verbose_name=_("Allocated figure"))
    expected = NumberColumn(verbose_name=_("Expected by now"))
    achieved = NumberColumn(verbose_name=_("Achieved"))
    shortfall = NumberColumn(verbose_name=_("Shortfall"))
    status = StatusColumn(verbose_name=_("Status"))

    class Meta:
        orderable = False
        attrs = {"class": "table table-sm table-hover align-middle behind-table"}

    def __init__(self, *args, component=None, month=None, period="", **kwargs):
        self.component, self.month, self.period = component, month, period
        super().__init__(*args, **kwargs)

    def render_unit(self, value):
        return unit_link(value, self.component, self.period)

    def render_figure(self, record):
        return figure_text(self.component, record)

    def render_expected(self, record):
        return measured_text(self.component, record, record.expected)

    def render_achieved(self, record):
        return measured_text(self.component, record, record.measured)

    def render_shortfall(self, record):
        return measured_text(self.component, record, record.shortfall)

    def value_unit(self, value):
        return value.name


def report_status_label(value):
    if not value:
        return _("No report")
    return MonthlyReport.Status(value).label


class ContributionTable(tables.Table):
    """A grassroots union's own figures, month by month, and its standing in its upper level."""

    target = tables.Column(accessor="component", verbose_name=_("Target"))
    year_to_date = NumberColumn(verbose_name=_("Year to date"))
    standing = tables.Column(empty_values=(), verbose_name=_("Standing in the upper level"), attrs=OPTIONAL)

    class Meta:
        orderable = False
        attrs = {"class": "table table-sm align-middle contribution-table"}

    def __init__(self, data, *, month, **kwargs):
        months = [(f"m{m}", MonthColumn(m, verbose_name=_("M%(m)s") % {"m": m})) for m in range(1, month + 1)]
        super().__init__(data, extra_columns=months, sequence=("target", "...", "year_to_date", "standing"), **kwargs)

    def render_target(self, value):
        return f"{value.target.number}. {value.target.short_name}" + (f" – {value.label}" if value.label else "")

    def value_target(self, value):
        return self.render_target(value)

    def render_year_to_date(self, record):
        if record.component.measure == TargetComponent.Measure.QUANTITY:
            return format_number(record.year_to_date)
        return _("done") if record.year_to_date else "–"

    def value_year_to_date(self, record):
        return record.year_to_date

    def render_standing(self, record):
        return standing_text(record)

    def value_standing(self, record):
        return str(standing_text(record))


def standing_text(record):
    if record.component.measure == TargetComponent.Measure.QUANTITY:
        if record.rank is None:
            return "–"
        return _("rank %(rank)s of %(units)s units") % {"rank": record.rank, "units": format_number(record.peers)}
    return _("%(done)s of %(units)s units done") % {
        "done": format_number(record.peers_done),
        "units": format_number(record.peers),
    }


class MonthColumn(tables.Column):
    """One month of a contribution: a quantity, a tick, or a value."""

    def __init__(self, month, **kwargs):
        self.month = month
        kwargs.setdefault("attrs", OPTIONAL_NUMBER)
        super().__init__(accessor="by_month", empty_values=(), **kwargs)

    def render(self, value):
        cell = value[self.month - 1]
        if cell is None:
            return "–"
        if cell is True:
            return "✔"
        if cell is False:
            return "–"
        return format_number(cell)

    def value(self, value):
        cell = value[self.month - 1]
        if isinstance(cell, bool):
            return 1 if cell else 0
        return _as_float(cell) if cell is not None and not isinstance(cell, int) else cell


class CompletenessTable(tables.Table):
    """Reporting of a month per upper level, with the total in the footer."""

    unit = tables.Column(verbose_name=_("Union"), footer=_("Total"))
    expected = NumberColumn(
        verbose_name=_("Expected units"),
        footer=lambda table: format_number(table.total.expected),
        attrs=OPTIONAL_NUMBER,
    )
    on_time = NumberColumn(
        verbose_name=_("On time"), footer=lambda table: format_number(table.total.on_time), attrs=OPTIONAL_NUMBER
    )
    late = NumberColumn(
        verbose_name=_("Late"), footer=lambda table: format_number(table.total.late), attrs=OPTIONAL_NUMBER
    )
    missing = NumberColumn(verbose_name=_("Missing"), footer=lambda table: format_number(table.total.missing))
    not_yet_due = NumberColumn(
        verbose_name=_("Not yet due"),
        footer=lambda table: format_number(table.total.not_yet_due),
        attrs=OPTIONAL_NUMBER,
    )
    rate = NumberColumn(verbose_name=_("Reporting rate (%)"), footer=lambda table: table.render_rate(table.total.rate))
    rate.export_format = PERCENT_FORMAT

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle"}

    def __init__(self, *args, total=None, scope=None, month=None, period="", **kwargs):
        self.total, self.scope, self.month, self.period = total, scope, month, period
        super().__init__(*args, **kwargs)

    def render_unit(self, value):
        if value.pk == self.scope.pk:
            return format_html('{} <span class="small text-muted">({})</span>', value.name, _("own report"))
        url = f"{reverse('dashboard-completeness')}?unit={value.pk}&{self.period}"
        return format_html('<a href="{}">{}</a>', url, value.name)

    def value_unit(self, value):
        return value.name

    def render_rate(self, value):
        return "–" if value is None else format_number(value, 1) + "%"

    def value_rate(self, value):
        return _as_float(value)


class UnreportedUnitsTable(tables.Table):
    """Units that have not reported a month yet, with whom to call."""

    name = tables.Column(verbose_name=_("Union"))
    parent = tables.Column(verbose_name=_("Upper-level union"), attrs=OPTIONAL)
    report_status = tables.Column(verbose_name=_("Report of the month"), empty_values=(), attrs=OPTIONAL)
    contact_person = tables.Column(verbose_name=_("Contact person"), attrs=OPTIONAL)
    phone = tables.Column(verbose_name=_("Phone"))
    email = tables.Column(verbose_name=_("Email"), attrs=OPTIONAL)

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle"}

    def render_report_status(self, value):
        return report_status_label(value)

    def value_report_status(self, value):
        return str(report_status_label(value))

    def value_parent(self, value):
        return value.name


class TaskSummaryTable(tables.Table):
    """Per priority task: how many units report it not started, under way, done."""

    task = tables.Column(verbose_name=_("Priority task"))
    not_started = NumberColumn(verbose_name=TaskProgress.Status.NOT_STARTED.label, attrs=OPTIONAL_NUMBER)
    in_progress = NumberColumn(verbose_name=TaskProgress.Status.IN_PROGRESS.label, attrs=OPTIONAL_NUMBER)
    done = NumberColumn(verbose_name=TaskProgress.Status.DONE.label)
    units = NumberColumn(verbose_name=_("Units reporting"))

    class Meta:
        orderable = False
        attrs = {"class": "table table-sm align-middle"}

    def value_task(self, value):
        return str(value)


class NarrativeTable(tables.Table):
    """What units reported doing on the tasks, newest first."""

    month = tables.Column(accessor="report__month", verbose_name=_("Month"), attrs=NUMBER)
    task = tables.Column(accessor="task__number", verbose_name=_("Task"), attrs=OPTIONAL_NUMBER)
    unit = tables.Column(
        accessor="report__organisation", verbose_name=_("Union"), order_by=("report__organisation__name",)
    )
    parent = tables.Column(
        accessor="report__organisation__parent", verbose_name=_("Upper-level union"), orderable=False, attrs=OPTIONAL
    )
    status = tables.Column(verbose_name=_("Status"), attrs=OPTIONAL)
    narrative = tables.Column(verbose_name=_("What was done"), orderable=False)

    class Meta:
        attrs = {"class": "table table-sm align-middle"}

    def value_unit(self, value):
        return value.name

    def value_parent(self, value):
        return value.name if value else ""
