"""Building reports for dashboard tests, the way approval leaves them, and the scenario
the dashboard tests share.

Tree (conftest): province KG; Rạch Giá (RG) with school (public), soe (state-owned),
firm (non-state); Hà Tiên (HT) with ht_school (public), ht_firm (non-state). Added by the
scenario: ``closed`` (non-state, under RG, dissolved 15/03/2020) and HT-3, HT-4, HT-5
founded around 2020.

An approved report's figures carry their approved snapshot (approved_* = the working
values); a submitted report has working values only.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from branches.models import Organisation
from targets.models import Allocation, MonthlyReport, ReportFigure
from targets.reporting import ledger

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
    with transaction.atomic(), ledger.tracking(unit):
        return _file_report(resolution, unit, month, figures, status, submitted_at)


def _file_report(resolution, unit, month, figures, status, submitted_at):
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


def build_scenario(resolution, tree):
    """The shared scenario: reports, a dissolved unit, units founded in 2020, allocations."""
    r = resolution
    t1, t6, t13, t2 = component(r, 1), component(r, 6), component(r, 13), component(r, 2)
    t7_soe, t7_ns = component(r, 7, 1), component(r, 7, 2)
    t8_soe, t8_ns = component(r, 8, 1), component(r, 8, 2)
    closed = Organisation.objects.create(
        code="RG-9",
        name="Đơn vị giải thể",
        kind=Organisation.Kind.GRASSROOTS,
        sector=Organisation.Sector.NON_STATE_ENTERPRISE,
        parent=tree["rach_gia"],
        workforce=60,
        founded_on=datetime.date(2010, 1, 1),
        dissolved_on=datetime.date(2020, 3, 15),
    )
    for code, founded, workforce in [
        ("HT-3", datetime.date(2020, 4, 10), 30),  # counts for target 2 from April
        ("HT-4", datetime.date(2020, 6, 1), 20),  # too few workers
        ("HT-5", datetime.date(2019, 12, 31), 90),  # founded the year before
    ]:
        Organisation.objects.create(
            code=code,
            name=code,
            kind="grassroots",
            sector=Organisation.Sector.NON_STATE_ENTERPRISE,
            parent=tree["ha_tien"],
            workforce=workforce,
            founded_on=founded,
        )
    s, f = tree["school"], tree["firm"]
    file_report(r, s, 1, {t1: {"quantity": 10}, t6: {"done": True}})
    file_report(r, s, 3, {t1: {"quantity": 5}, t6: {"done": True}})  # done twice: one unit
    file_report(r, f, 2, {t1: {"quantity": 7}, t7_ns: {"done": True}, t13: {"value": Decimal("15000")}})
    file_report(r, f, 3, {t6: {"done": True}, t13: {"value": Decimal("16000")}})  # t6: not a public agency
    file_report(r, tree["ht_firm"], 2, {t1: {"quantity": 3}, t13: {"value": Decimal("14999")}})
    file_report(r, tree["ht_firm"], 3, {t7_ns: {"done": True}, t8_ns: {"done": True}})
    file_report(r, tree["rach_gia"], 4, {t1: {"quantity": 2}})
    file_report(
        r,
        tree["soe"],
        2,
        {t7_soe: {"done": True}, t7_ns: {"done": True}, t8_soe: {"done": True}},  # t7_ns: not its sector
    )
    file_report(r, tree["soe"], 3, {t13: {"value": Decimal("20000")}}, status=SUBMITTED)
    file_report(r, tree["ht_school"], 3, {t1: {"quantity": 20}, t6: {"done": True}}, status=SUBMITTED)
    file_report(r, closed, 2, {t1: {"quantity": 4}})
    Allocation.objects.create(component=t1, organisation=tree["rach_gia"], figure=30)
    Allocation.objects.create(component=t1, organisation=tree["ha_tien"], figure=3)
    Allocation.objects.create(component=t7_ns, organisation=tree["ha_tien"], figure=2)
    return {
        "t1": t1,
        "t2": t2,
        "t6": t6,
        "t7_soe": t7_soe,
        "t7_ns": t7_ns,
        "t8_soe": t8_soe,
        "t8_ns": t8_ns,
        "t13": t13,
        "closed": closed,
    }
