"""The bulk import: many units' month reports at once, like a data exchange.

Rows are single values: ``{"unit": code, "year", "month", "component": id, "quantity" |
"value" | "done", "done_on"}``, a task's progress ``{…, "task": id, "status", "narrative"}``
or ``{…, "nothing_to_report": true}``. The rows of one unit's month make one report, all or
nothing: checked by the report form as the pages and the Excel import check them
(``entry.check_month``), then submitted on the units' behalf by the upper level through
``bulk_entry.reports_submit_on_behalf`` (channel "API"; the four-eyes rule then holds).
Figures a row does not name stay as the report has them. A unit's own typed figures are
not replaced unless the import says ``overwrite`` (as the Excel import asks first).

The summary counts unit-months: imported (a new report), updated, unchanged (already
submitted with exactly these values), refused; and lists each refused row: its index,
the unit, the field and the message.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.utils.translation import gettext as _

from branches import access
from branches.models import Organisation
from targets.reporting import selectors, services
from targets.reporting.excel.bulk_entry import EMPTY, Entry, normalised, reports_submit_on_behalf
from targets.reporting.models import MonthlyReport, ReportFigure, TaskProgress
from targets.resolution.models import PriorityTask, Resolution

from .entry import FIGURE_PARTS, SentFigure, check_month
from .serializers import ImportRowSerializer as RowSerializer


@dataclass
class Summary:
    dry_run: bool
    rows: int = 0
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    refused_months: int = 0
    refused: list = field(default_factory=list)  # {"row", "unit", "field", "message"}

    def refuse(self, row, unit, field_name, message):
        self.refused.append({"row": row, "unit": unit, "field": field_name, "message": str(message)})

    def as_dict(self):
        done = self.imported + self.updated + self.unchanged
        status = "ok" if not self.refused_months else ("partial" if done else "refused")
        return {
            "status": status,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "counts": {
                "imported": self.imported,
                "updated": self.updated,
                "unchanged": self.unchanged,
                "refused": self.refused_months,
            },
            "refused": sorted(self.refused, key=lambda r: (r["row"] is None, r["row"] or 0)),
        }


@dataclass
class UnitMonth:
    code: str
    year: int
    month: int
    rows: list = field(default_factory=list)  # (index, validated row)
    errors: list = field(default_factory=list)  # (index, field, message)


def _row_fields(row):
    kinds = [name for name in ("component", "task") if name in row]
    if len(kinds) > 1:
        return _("a row holds either a component's figure or a task's progress, not both")
    if not kinds and "nothing_to_report" not in row:
        return _("name a component, a task or nothing_to_report")
    if "component" in row and not any(p in row for p in FIGURE_PARTS):
        return _("give the figure: quantity, value, or done with done_on")
    if "task" in row and not ("status" in row or "narrative" in row):
        return _("give the task's status or narrative")
    return None


def group_rows(raw_rows, summary):
    """Each row checked for its shape, grouped by unit and month (in the order first seen);
    a row refused for its shape is kept among its month's ``errors``."""
    groups = {}
    for index, raw in enumerate(raw_rows):
        if not isinstance(raw, dict):
            summary.refuse(index, None, None, _("a row is an object"))
            continue
        key = tuple(str(raw.get(name, ""))[:32] for name in ("unit", "year", "month"))
        group = groups.setdefault(key, UnitMonth(code=key[0], year=raw.get("year"), month=raw.get("month")))
        serializer = RowSerializer(data=raw)
        if not serializer.is_valid():
            for name, messages in serializer.errors.items():
                group.errors += [(index, name, str(message)) for message in messages]
            continue
        problem = _row_fields(serializer.validated_data)
        if problem:
            group.errors.append((index, None, problem))
        else:
            group.rows.append((index, serializer.validated_data))
    return list(groups.values())


class _MonthData:
    """What checking one month's groups needs, read in a few queries for all of them."""

    def __init__(self, resolution, month, units):
        ids = [u.pk for u in units]
        self.reports = {
            r.organisation_id: r
            for r in MonthlyReport.objects.filter(resolution=resolution, month=month, organisation_id__in=ids)
        }
        self.figures = defaultdict(list)
        for figure in ReportFigure.objects.filter(
            report__resolution=resolution, report__month=month, report__organisation_id__in=ids
        ).select_related("component__target", "report"):
            self.figures[figure.report.organisation_id].append(figure)
        self.progress = defaultdict(dict)
        for progress in TaskProgress.objects.filter(
            report__resolution=resolution, report__month=month, report__organisation_id__in=ids
        ).select_related("report"):
            self.progress[progress.report.organisation_id][progress.task_id] = progress
        self.before = selectors.figures_before_many(unit_ids=ids, resolution=resolution, month=month)
        self.components = [c for c in resolution.components().order_by("target__number", "order") if c.is_reported]
        self.tasks = set(PriorityTask.objects.filter(resolution=resolution).values_list("pk", flat=True))
        self.no_report = MonthlyReport(resolution=resolution, month=month)
        self.fields = {}

    def figure_rows(self, unit):
        have = {f.component_id: f for f in self.figures.get(unit.pk, [])}
        return [
            have.get(c.pk) or SimpleNamespace(pk=None, component=c, component_id=c.pk, **EMPTY)
            for c in self.components
            if c.pk in have or c.is_eligible(unit)
        ]


def _refuse_with_errors(summary, group, errors):
    """Refuse a unit's month for ``errors`` (row index, field, message): each listed, and the
    month's other rows said to go with them."""
    summary.refused_months += 1
    bad = {index for index, _f, _m in errors if index is not None}
    for index, field_name, message in errors:
        summary.refuse(index, group.code, field_name, message)
    for index, _row in group.rows:
        if index not in bad:
            summary.refuse(index, group.code, None, _("not saved: another row of this unit's month was refused"))


def _refuse_group(summary, group, field_name, message, first_only=False):
    """Refuse a unit's month: ``message`` on its rows (on the first only when ``first_only``,
    the others then said to go with it)."""
    summary.refused_months += 1
    indexes = sorted([i for i, _row in group.rows] + [i for i, _f, _m in group.errors])
    for position, index in enumerate(indexes):
        if first_only and position:
            summary.refuse(index, group.code, None, _("not saved: another row of this unit's month was refused"))
        else:
            summary.refuse(index, group.code, field_name, message)


def import_rows(*, user, raw_rows, dry_run, overwrite=False):
    """Check (and unless ``dry_run``, submit) the rows; returns the summary as a dict."""
    summary = Summary(dry_run=dry_run, rows=len(raw_rows))
    root = access.bulk_entry_root(user)
    groups = group_rows(raw_rows, summary)
    units = {u.code: u for u in Organisation.objects.filter(code__in={g.code for g in groups if g.code})}
    resolutions = {}
    by_month = defaultdict(list)
    for group in groups:
        if group.errors:
            _refuse_with_errors(summary, group, group.errors)
            continue
        unit = units.get(group.code)
        if unit is None or not access.can_view_unit(user, unit):
            _refuse_group(summary, group, "unit", _("no unit has the code %(code)s") % {"code": group.code})
            continue
        if not access.can_enter_for(user, unit):
            _refuse_group(
                summary, group, "unit", _("%(code)s is not a grassroots union under your unit") % {"code": group.code}
            )
            continue
        if group.year not in resolutions:
            resolutions[group.year] = Resolution.objects.for_unit(root).filter(year=group.year).first()
        resolution = resolutions[group.year]
        if resolution is None:
            _refuse_group(summary, group, "year", _("There is no resolution for %(year)s.") % {"year": group.year})
            continue
        if not services.month_is_open(resolution=resolution, month=group.month):
            _refuse_group(summary, group, "month", _("This month cannot be reported."))
            continue
        if resolution.is_locked:
            _refuse_group(
                summary,
                group,
                "year",
                _("The year %(year)s is locked: its reports can no longer be changed.") % {"year": group.year},
            )
            continue
        if group.month not in selectors.reporting_months(unit=unit, resolution=resolution):
            _refuse_group(summary, group, "month", _("%(code)s was not active in this month") % {"code": group.code})
            continue
        by_month[(resolution.pk, group.month)].append((group, unit, resolution))

    for (_res, month), items in by_month.items():
        resolution = items[0][2]
        known = _MonthData(resolution, month, [unit for _g, unit, _r in items])
        entries = []
        for group, unit, _r in items:
            entry, outcome = _check_group(summary, group, unit, known, overwrite)
            if entry is not None:
                entries.append((entry, outcome, group))
        to_save = [(e, outcome, g) for e, outcome, g in entries if outcome != "unchanged"]
        summary.unchanged += len(entries) - len(to_save)
        if to_save and not dry_run:
            try:
                reports_submit_on_behalf(
                    user=user,
                    resolution=resolution,
                    month=month,
                    entries=[e for e, _o, _g in to_save],
                    channel=MonthlyReport.Channel.API,
                )
            except services.ReportError as error:
                for _e, _o, group in to_save:
                    _refuse_group(summary, group, None, str(error), first_only=True)
                continue
        summary.imported += sum(1 for _e, o, _g in to_save if o == "imported")
        summary.updated += sum(1 for _e, o, _g in to_save if o == "updated")
    return summary.as_dict()


def _check_group(summary, group, unit, known, overwrite):
    """(Entry, "imported" | "updated" | "unchanged"), or (None, None) when refused."""
    report = known.reports.get(unit.pk)
    if report is not None and report.status == MonthlyReport.Status.APPROVED:
        _refuse_group(
            summary,
            group,
            None,
            _("the report of %(code)s for this month is already approved and is not overwritten") % {"code": unit.code},
            first_only=False,
        )
        return None, None
    sent, tasks, nothing, errors = [], {}, False, []
    for index, row in group.rows:
        if "component" in row:
            values = {p: row[p] for p in FIGURE_PARTS if p in row}
            sent.append(SentFigure(key=index, component=row["component"], values=values))
        elif "task" in row:
            if row["task"] not in known.tasks:
                errors.append((index, "task", _("no such priority task in this resolution")))
                continue
            typed = tasks.setdefault(row["task"], {})
            typed.update({name: row[name] for name in ("status", "narrative") if name in row})
        if row.get("nothing_to_report"):
            nothing = True
    checked = check_month(
        unit=unit,
        report=report or known.no_report,
        figure_rows=known.figure_rows(unit),
        before=known.before.get(unit.pk, {}),
        sent=sent,
        nothing_to_report=nothing,
        shared_fields=known.fields,
    )
    errors += checked.errors
    if errors:
        _refuse_with_errors(summary, group, errors)
        return None, None
    first_row = min(i for i, _row in group.rows)
    entry = Entry(
        unit=unit,
        version=report.version if report else None,
        figures=checked.figures,
        nothing_to_report=nothing,
        row=first_row,
        tasks=tasks,
    )
    if report is None:
        return entry, "imported"
    current = {f.component_id: f for f in known.figures.get(unit.pk, [])}
    figures_same = all(
        pk in current and all(getattr(current[pk], k) == v for k, v in normalised(values).items())
        for pk, values in checked.figures.items()
    )
    progress = known.progress.get(unit.pk, {})
    tasks_same = all(
        pk in progress and all(getattr(progress[pk], k) == v for k, v in typed.items()) for pk, typed in tasks.items()
    )
    same = figures_same and tasks_same and report.nothing_to_report == nothing
    if same and report.status == MonthlyReport.Status.SUBMITTED:
        return entry, "unchanged"
    if not figures_same and not overwrite and report.entry_channel == MonthlyReport.Channel.UNIT:
        summary.refused_months += 1
        message = _("the unit typed other figures for this month; send overwrite=true to replace them")
        for index, _row in group.rows:
            summary.refuse(index, unit.code, None, message)
        return None, None
    return entry, "updated"
