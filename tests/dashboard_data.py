"""Building reports for dashboard tests, the way approval leaves them.

An approved report's figures carry their approved snapshot (approved_* = the working
values); a submitted report has working values only.
"""

import datetime

from django.utils import timezone

from targets.models import MonthlyReport, ReportFigure

APPROVED = MonthlyReport.Status.APPROVED
SUBMITTED = MonthlyReport.Status.SUBMITTED


def component(resolution, number, order=1):
    return resolution.components().get(target__number=number, order=order)


def on_day(year, month, day):
    return timezone.make_aware(datetime.datetime(year, month, day, 10, 0))


def file_report(resolution, unit, month, figures, status=APPROVED, submitted_at=None):
    """A report of ``unit`` for ``month`` with ``figures``: {component: dict(quantity=, done=, value=)}.
    Submitted by default on the 5th of the next month (on time)."""
    if submitted_at is None and status in (APPROVED, SUBMITTED):
        year, next_month = (resolution.year, month + 1) if month < 12 else (resolution.year + 1, 1)
        submitted_at = on_day(year, next_month, 5)
    report = MonthlyReport.objects.create(
        resolution=resolution,
        organisation=unit,
        month=month,
        status=status,
        submitted_at=submitted_at,
        first_submitted_at=submitted_at,
        approved_at=submitted_at if status == APPROVED else None,
    )
    rows = []
    for comp, values in figures.items():
        figure = ReportFigure(
            report=report,
            component=comp,
            quantity=values.get("quantity"),
            done=values.get("done", False),
            value=values.get("value"),
        )
        if status == APPROVED:
            figure.approved_quantity = figure.quantity
            figure.approved_done = figure.done
            figure.approved_value = figure.value
        rows.append(figure)
    ReportFigure.objects.bulk_create(rows)
    return report
