"""Dashboard tables of who reported and what they wrote: completeness of a month, the
units still to report, the priority-task summary and the narratives."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_tables2.data import TableData

from targets.reporting.models import TaskProgress
from unionplan.numbers import format_number
from unionplan.spreadsheets import PERCENT_FORMAT

from .columns import NUMBER, OPTIONAL, OPTIONAL_NUMBER, NumberColumn, as_float, report_status_label


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
        return as_float(value)


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

    def export_rows(self):
        """(headers, rows, formats) straight from a values query (``unionplan.spreadsheets``)."""
        fields = ["name", "parent__name", "report_status", "contact_person", "phone", "email"]
        rows = self.data.data.values_list(*fields).iterator(chunk_size=5000)
        return (
            export_headers(self),
            ((n, p or "", str(report_status_label(st)), c, ph, e) for n, p, st, c, ph, e in rows),
            [],
        )


def export_headers(table):
    """The headers of ``table``'s exported columns, as ``as_values()`` gives them."""
    return [str(column.header) for column in table.columns.iterall() if not column.column.exclude_from_export]


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


class NewestMonthFirstData(TableData):
    """A table's rows from ``rollup.tasks.NarrativesNewestFirst``: sliced a page at a time,
    never counted, kept in their own order (newest month, then the tree, then the task)."""

    model = TaskProgress

    def order_by(self, aliases):
        """Sorting every narrative of a country by another column is not offered."""


class NarrativeTable(tables.Table):
    """What units reported doing on the tasks: the newest month first, each month's in the
    tree's order and then the task's (``NewestMonthFirstData``; columns are not sortable)."""

    month = tables.Column(accessor="report__month", verbose_name=_("Month"), attrs=NUMBER)
    task = tables.Column(accessor="task__number", verbose_name=_("Task"), attrs=OPTIONAL_NUMBER)
    unit = tables.Column(accessor="report__organisation", verbose_name=_("Union"))
    parent = tables.Column(accessor="report__organisation__parent", verbose_name=_("Upper-level union"), attrs=OPTIONAL)
    status = tables.Column(verbose_name=_("Status"), attrs=OPTIONAL)
    narrative = tables.Column(verbose_name=_("What was done"))

    class Meta:
        attrs = {"class": "table table-sm align-middle"}
        orderable = False

    def value_unit(self, value):
        return value.name

    def value_parent(self, value):
        return value.name if value else ""

    def export_count_over(self, limit):
        return self.data.data.narratives[: limit + 1].count() > limit

    def export_total(self):
        return self.data.data.narratives.count()

    def export_rows(self):
        """(headers, rows, formats): each month's narratives, newest month first, straight
        from a values query (``unionplan.spreadsheets``)."""
        source = self.data.data
        fields = [
            "report__month",
            "task__number",
            "report__organisation__name",
            "report__organisation__parent__name",
            "status",
            "narrative",
        ]
        labels = {value: str(label) for value, label in TaskProgress.Status.choices}

        def rows():
            for month in range(source.month, 0, -1):
                for m, task, unit, parent, status, narrative in (
                    source.of_month(month).values_list(*fields).iterator(chunk_size=5000)
                ):
                    yield m, task, unit, parent or "", labels.get(status, status), narrative

        return export_headers(self), rows(), []
