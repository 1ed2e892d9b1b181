"""Dashboard tables of progress (django-tables2): shown on the page and exported to XLSX and
CSV with the same Vietnamese headers. Exports carry numbers as numbers (``value_*``), pages
show them the Vietnamese way. Shared columns: ``columns``; who reported: ``follow_up_tables``."""

import django_tables2 as tables
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from targets.resolution.models import TargetComponent
from targets.rollup.pace import Status, percent_of
from unionplan.numbers import format_achievement, format_number

from .columns import (
    NUMBER,
    OPTIONAL,
    OPTIONAL_NUMBER,
    NumberColumn,
    PercentColumn,
    StatusColumn,
    amount,
    as_float,
    figure_text,
    measured_text,
    period_link,
    report_status_label,
    share_text,
    unit_link,
)
from .verdicts import catch_up_text, profile_text, progress_bar, status_badge


class ProgressTable(tables.Table):
    """A scope's progress on each target component."""

    # On the page a row answers "how far along is this target": its name, figure, achieved,
    # a bar with the percent, the status, the year-end projection. The secondary figures
    # (unit, awaiting approval, expected by now and its rhythm, shortfall, what it takes) sit
    # on a second line under the figure they explain; the exports keep each in its column.
    number = tables.Column(accessor="target__number", verbose_name="#", attrs=NUMBER)
    target = tables.Column(accessor="component", verbose_name=_("Target"), attrs={"td": {"class": "target-name"}})
    unit_of_measure = tables.Column(
        accessor="component__unit_of_measure", verbose_name=_("Unit of measure"), visible=False
    )
    figure = NumberColumn(verbose_name=_("Figure"), attrs=OPTIONAL_NUMBER)
    achieved = NumberColumn(verbose_name=_("Achieved"), attrs=OPTIONAL_NUMBER)
    pending = NumberColumn(verbose_name=_("Submitted, awaiting approval"), visible=False)
    percent = PercentColumn(verbose_name=_("Percent of figure"), attrs={"td": {"class": "progress-col"}})
    expected = NumberColumn(verbose_name=_("Expected by now"), visible=False)
    status = StatusColumn(verbose_name=_("Status"), attrs={"td": {"class": "status-col"}})
    remaining = NumberColumn(verbose_name=_("Short of the figure"), visible=False)
    catch_up = tables.Column(verbose_name=_("What it takes"), empty_values=(), visible=False)
    projected = NumberColumn(verbose_name=_("Projected year-end"), attrs=OPTIONAL_NUMBER)
    # Exports only (the page shows it under "Achieved"): a target that continues last year's.
    same_period_last_year = tables.Column(verbose_name=_("Same period last year"), empty_values=(), visible=False)

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
        return as_float(record.remaining) if record.is_share else record.remaining

    def render_catch_up(self, record):
        return catch_up_text(record.catch_up, record.component) or "–"

    def value_catch_up(self, record):
        return str(catch_up_text(record.catch_up, record.component))

    def render_target(self, record):
        """The resolution's short name (two lines at most), its full text on hover."""
        component = record.component
        name = component.target.short_name
        if component.label:
            name = f"{name} – {component.label}"
        if self.scope is None:
            return name
        return format_html(
            '<a href="{}" title="{}">{}</a>',
            period_link("dashboard-component", self.period, self.scope.pk, component.pk),
            component.target.text,
            name,
        )

    def value_target(self, record):
        component = record.component
        return f"{component.target.short_name} – {component.label}" if component.label else component.target.short_name

    def render_figure(self, record):
        unit = "" if record.component.is_money or record.is_share else record.component.unit_of_measure
        return format_html("{}{}", figure_text(record.component, record), second_line(unit, css="unit"))

    def render_achieved(self, record):
        component = record.component
        if record.is_share:
            achieved = share_text(record.share, record.achieved, record.eligible, component.unit_of_measure)
        elif record.all_eligible and record.figure:
            achieved = f"{format_number(record.achieved)}/{format_number(record.figure)}"
        else:
            achieved = amount(component, record.achieved)
        notes = []
        if record.pending:
            notes.append(
                format_html(
                    '<span class="pending">{}</span>',
                    labelled(_("awaiting approval:"), amount(component, record.pending)),
                )
            )
        if component.pk in self.last_year:
            notes.append(
                format_html(
                    '<span class="last-year">{}</span>',
                    _("same period %(year)s: %(achieved)s")
                    % {"year": self.year - 1, "achieved": amount(component, self.last_year[component.pk])},
                )
            )
        return format_html("{}{}", achieved, second_line(*notes))

    def render_percent(self, record):
        """A bar of achieved against the figure, a mark where it should be by now, the percent."""
        expected = percent_of(record.expected, record.figure) if record.expected is not None else None
        bar = progress_bar(record.percent, expected, record.status)
        if record.expected is None:
            return bar
        return format_html(
            "{}{}",
            bar,
            second_line(
                labelled(
                    _("expected by now:"),
                    measured_text(record.component, record, record.expected),
                    f"({profile_text(record.profile)})",
                ),
                css="expected",
            ),
        )

    def value_percent(self, record):
        return as_float(record.percent)

    def value_status(self, record):
        return str(Status(record.status).label)

    def render_status(self, record):
        """The verdict; under it what is still missing and what each remaining month needs."""
        notes = []
        if record.remaining:
            notes.append(labelled(_("short by"), measured_text(record.component, record, record.remaining)))
        if record.catch_up:
            notes.append(catch_up_text(record.catch_up, record.component))
        return format_html("{}{}", status_badge(record.status), second_line(*notes, css="catch-up"))

    def render_pending(self, record):
        return amount(record.component, record.pending)

    def render_expected(self, record):
        return measured_text(record.component, record, record.expected)

    def render_projected(self, record):
        return measured_text(record.component, record, record.projected)

    def value_figure(self, record):
        return record.figure

    def value_pending(self, record):
        return record.pending

    def value_achieved(self, record):
        """Exports: the exact figure, or a share's percentage (37.5)."""
        return as_float(record.share) if record.is_share else record.achieved

    def value_expected(self, record):
        return as_float(record.expected) if record.is_share else record.expected

    def value_same_period_last_year(self, record):
        """Achieved by the same month last year, for a target that continues one; else empty."""
        return self.last_year.get(record.component.pk, "")

    def value_projected(self, record):
        return as_float(record.projected) if record.is_share else record.projected


class PrintProgressTable(ProgressTable):
    """The progress table of the A4 print view: every figure in a column of its own, plain
    text, as a report on paper reads (no bar, no second lines)."""

    unit_of_measure = tables.Column(accessor="component__unit_of_measure", verbose_name=_("Unit of measure"))
    pending = NumberColumn(verbose_name=_("Submitted, awaiting approval"))
    expected = NumberColumn(verbose_name=_("Expected by now"))
    remaining = NumberColumn(verbose_name=_("Short of the figure"))
    catch_up = tables.Column(verbose_name=_("What it takes"), empty_values=())

    class Meta(ProgressTable.Meta):
        attrs = {"class": "table table-sm progress-table"}

    def render_figure(self, record):
        return figure_text(record.component, record)

    def render_achieved(self, record):
        if record.is_share:
            return share_text(record.share, record.achieved, record.eligible, record.component.unit_of_measure)
        return amount(record.component, record.achieved)

    def render_percent(self, value):
        return format_achievement(value)

    def render_status(self, value):
        return status_badge(value)


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
    percent = PercentColumn(verbose_name=_("Percent of figure"), attrs={"td": {"class": "progress-col"}})
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
        return as_float(record.share) if record.is_share else record.achieved

    def value_figure(self, record):
        return record.figure

    def value_pending(self, record):
        return record.pending

    def render_percent(self, record):
        """A bar of the unit's achieved against its allocation, a mark where it should be by now."""
        expected = percent_of(record.expected, record.figure) if record.expected is not None else None
        return progress_bar(record.percent, expected, record.status)

    def value_percent(self, record):
        return as_float(record.percent)

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


def labelled(label, value, after=""):
    """ "chờ duyệt: 200": a secondary figure with its label, the figure kept on one line."""
    return format_html('{} <span class="tabular">{}</span>{}', label, value, f" {after}" if after else "")


def second_line(*notes, css=""):
    """Secondary figures in small print under the main one ("" when there are none)."""
    notes = [note for note in notes if note]
    if not notes:
        return ""
    return format_html(
        '<span class="d-block small text-muted second-line {}">{}</span>',
        css,
        format_html_join(" · ", "{}", ((note,) for note in notes)),
    )


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
        return as_float(cell) if cell is not None and not isinstance(cell, int) else cell
