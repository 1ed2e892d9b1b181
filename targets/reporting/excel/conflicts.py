"""Excel bulk entry, the second step: rows of an upload whose unit already typed other
figures (a draft, or a submitted report) are shown side by side, theirs and the file's,
and the uploader chooses for each row; nothing the unit typed is replaced silently. The
checked upload waits on the import's row meanwhile (``as_data``), so the file is not
uploaded again.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from branches.models import Organisation
from targets.resolution.models import Resolution

from ..models import MonthlyReport
from ..selectors import figure_text
from ..services import FIGURE_FIELDS
from .bulk_entry import EMPTY, Entry, normalised


@dataclass
class Conflict:
    """An upload row against what the unit already has: [(figure, theirs, the file's)]."""

    row: int
    code: str
    name: str
    status: str
    lines: list


def _yes_no(value):
    return _("yes") if value else _("no")


def conflict_lines(report, figures, entry):
    """What submitting ``entry`` would change of what the unit typed in ``report``: for a
    draft or returned report, the figures the unit filled in and the file has otherwise;
    for a submitted report, every difference. [(what, theirs, the file's)]."""
    submitted = report.status == MonthlyReport.Status.SUBMITTED
    lines = []
    if report.nothing_to_report != entry.nothing_to_report and (submitted or report.nothing_to_report):
        lines.append(
            (_("Nothing to report this month"), _yes_no(report.nothing_to_report), _yes_no(entry.nothing_to_report))
        )
    for figure in figures:
        if figure.pk is None:
            continue  # a figure row the report does not have yet: nothing typed
        theirs = normalised({field: getattr(figure, field) for field in FIGURE_FIELDS})
        if entry.nothing_to_report:
            file = EMPTY
        elif figure.component_id in entry.figures:
            file = normalised(entry.figures[figure.component_id])
        else:
            continue  # not on the form: left as it is
        if theirs != file and (submitted or theirs != EMPTY):
            component = figure.component
            lines.append((str(component), figure_text(component, **theirs), figure_text(component, **file)))
    return lines


def _figure_data(values):
    return {
        "quantity": values.get("quantity"),
        "done": bool(values.get("done")),
        "done_on": values["done_on"].isoformat() if values.get("done_on") else None,
        "value": str(values["value"]) if values.get("value") is not None else None,
    }


def _figure_from_data(data):
    return {
        "quantity": data["quantity"],
        "done": data["done"],
        "done_on": datetime.date.fromisoformat(data["done_on"]) if data["done_on"] else None,
        "value": Decimal(data["value"]) if data["value"] is not None else None,
    }


def as_data(*, upper, result):
    """A checked upload waiting for the uploader's choice, as JSON-ready data (kept on the
    import's row, ``ExcelImport.pending``); ``from_data`` reads it back."""
    return {
        "upper": upper.pk,
        "resolution": result.resolution.pk,
        "month": result.month,
        "skipped": result.skipped,
        "unchanged": result.unchanged,
        "entries": [
            [
                e.unit.pk,
                e.row,
                e.version,
                e.nothing_to_report,
                {str(c): _figure_data(v) for c, v in e.figures.items()},
                {str(t): v for t, v in e.tasks.items()},
            ]
            for e in result.entries
        ],
        "conflicts": [[c.row, c.code, c.name, c.status, c.lines] for c in result.conflicts],
    }


def from_data(data, *, upper, result_class):
    """The upload kept as ``data`` for ``upper``, as a ``result_class``, or None when it is
    not ``upper``'s or a unit or the resolution of it is gone."""
    if not data or data["upper"] != upper.pk:
        return None
    resolution = Resolution.objects.filter(pk=data["resolution"]).first()
    units = Organisation.objects.in_bulk([row[0] for row in data["entries"]])
    if resolution is None or len(units) != len(data["entries"]):
        return None
    result = result_class(resolution=resolution, month=data["month"])
    result.skipped, result.unchanged = data["skipped"], data["unchanged"]
    result.entries = [
        Entry(
            unit=units[unit_id],
            row=row,
            version=version,
            nothing_to_report=nothing,
            figures={int(c): _figure_from_data(v) for c, v in figures.items()},
            tasks={int(t): v for t, v in tasks.items()},
        )
        for unit_id, row, version, nothing, figures, tasks in data["entries"]
    ]
    result.conflicts = [
        Conflict(row=row, code=code, name=name, status=status, lines=[tuple(line) for line in lines])
        for row, code, name, status, lines in data["conflicts"]
    ]
    return result
