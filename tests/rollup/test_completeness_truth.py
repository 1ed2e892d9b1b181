"""Completeness that tells the truth and decreases that show (issue 13 item 8)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from targets.models import MonthlyReport
from targets.reporting import selectors, services
from targets.rollup.completeness import completeness
from targets.rollup.progress import scope_progress

pytestmark = pytest.mark.django_db


def at(settings, day):
    settings.UNIONPLAN_TODAY = day


def file(resolution, unit, user, month, quantity):
    component = resolution.components().get(target__number=1)
    report = services.report_get_or_create(unit=unit, resolution=resolution, month=month)
    services.report_save(
        report=report,
        user=user,
        figures={component.pk: {"quantity": quantity}},
        tasks={},
        expected_version=report.version,
        submit=True,
    )
    return MonthlyReport.objects.get(pk=report.pk)


def rach_gia_row(resolution, tree, month, now):
    rows, _total = completeness(resolution, tree["province"], month, now=now)
    return next(r for r in rows if r.unit == tree["rach_gia"])


def test_reopened_report_counts_as_reported_and_keeps_its_timeliness(settings, resolution, tree, users):
    at(settings, datetime.date(2020, 4, 10))  # due on 20 April: on time
    report = file(resolution, tree["school"], users["school"], 3, 12)
    services.report_approve(report=report, user=users["rach_gia"])
    at(settings, datetime.date(2020, 5, 2))  # after the due day
    report.refresh_from_db()
    services.report_reopen(report=report, user=users["rach_gia"], reason="Sai số liệu")
    now = timezone.make_aware(datetime.datetime(2020, 5, 3))
    row = rach_gia_row(resolution, tree, 3, now)
    assert (row.on_time, row.late) == (1, 0)  # being corrected, still reported, on time
    units = selectors.units_with_report_status(unit=tree["rach_gia"], resolution=resolution, month=3)
    assert selectors.state_counts(units)["reported"] == 1

    # Resubmitted after the due day: its first submission decides, it stays on time.
    report.refresh_from_db()
    services.report_save(
        report=report, user=users["school"], figures={}, tasks={}, expected_version=report.version, submit=True
    )
    report.refresh_from_db()
    assert timezone.localtime(report.first_submitted_at).date() == datetime.date(2020, 4, 10)
    row = rach_gia_row(resolution, tree, 3, now)
    assert (row.on_time, row.late) == (1, 0) and row.missing == row.expected - 1  # only the others


def test_returned_and_resubmitted_keeps_its_first_submission(settings, resolution, tree, users):
    at(settings, datetime.date(2020, 4, 25))  # after the due day: late
    report = file(resolution, tree["school"], users["school"], 3, 12)
    services.report_return(report=report, user=users["rach_gia"], comment="Thiếu số liệu")
    at(settings, datetime.date(2020, 4, 28))
    report.refresh_from_db()
    report = file(resolution, tree["school"], users["school"], 3, 14)
    assert timezone.localtime(report.first_submitted_at).date() == datetime.date(2020, 4, 25)
    row = rach_gia_row(resolution, tree, 3, timezone.make_aware(datetime.datetime(2020, 5, 1)))
    assert (row.on_time, row.late) == (0, 1)


def test_a_decrease_awaiting_approval_shows_as_a_negative_figure(client, settings, resolution, tree, users):
    at(settings, datetime.date(2020, 4, 10))
    report = file(resolution, tree["firm"], users["firm"], 3, 100)
    services.report_approve(report=report, user=users["rach_gia"])
    report.refresh_from_db()
    services.report_reopen(report=report, user=users["rach_gia"], reason="Nhập thừa")
    report = file(resolution, tree["firm"], users["firm"], 3, 71)
    row = next(r for r in scope_progress(resolution, tree["province"], 3) if r.component.target.number == 1)
    assert (row.achieved, row.pending) == (100, -29)
    client.force_login(users["province"])
    page = client.get(reverse("dashboard-unit", args=[tree["province"].pk]) + "?month=3").content.decode()
    assert "−29" in page
