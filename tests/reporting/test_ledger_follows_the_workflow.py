"""Dashboard figures follow the reporting workflow at once: an approval shows on the very
next page load, a submitted figure is shown apart, a reopened report keeps its approved
figure until it is approved again, and a moved unit takes its figures along."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from targets.models import MonthlyReport
from targets.reporting import services
from targets.rollup.progress import scope_progress

pytestmark = pytest.mark.django_db


def members_component(resolution):
    return resolution.components().get(target__number=1)


def achieved(resolution, scope, month=12):
    row = next(r for r in scope_progress(resolution, scope, month) if r.component.target.number == 1)
    return row.achieved, row.pending


def file_members(resolution, user, unit, month, quantity):
    component = members_component(resolution)
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


def test_submit_approve_reopen_and_move(resolution, tree, users, settings):
    # The year is in progress: a unit moved today counts under its new parent for the whole
    # year (a move after the year's end leaves it where it was: the year-end rule).
    settings.UNIONPLAN_TODAY = datetime.date(2020, 12, 3)
    province, rach_gia, ha_tien = tree["province"], tree["rach_gia"], tree["ha_tien"]
    report = file_members(resolution, users["school"], tree["school"], 3, 12)
    assert achieved(resolution, province) == (0, 12)  # submitted: shown apart
    assert achieved(resolution, rach_gia) == (0, 12)

    services.report_approve(report=report, user=users["rach_gia"])
    assert achieved(resolution, province) == (12, 0)
    assert achieved(resolution, rach_gia) == (12, 0)
    assert achieved(resolution, ha_tien) == (0, 0)
    assert achieved(resolution, province, month=2) == (0, 0)  # as of February: not yet

    report.refresh_from_db()
    services.report_reopen(report=report, user=users["rach_gia"], reason="Sai số liệu")
    assert achieved(resolution, province) == (12, 0)  # the approved figure stands meanwhile

    report.refresh_from_db()
    component = members_component(resolution)
    services.report_save(
        report=report,
        user=users["school"],
        figures={component.pk: {"quantity": 10}},
        tasks={},
        expected_version=report.version,
        submit=True,
    )
    # Awaiting approval: 10 would replace 12, a decrease of 2, shown as such (issue 13 item 8).
    assert achieved(resolution, province) == (12, -2)
    report.refresh_from_db()
    services.report_approve(report=report, user=users["rach_gia"])
    assert achieved(resolution, province) == (10, 0)

    school = tree["school"]
    school.parent = ha_tien
    school.save()
    assert achieved(resolution, rach_gia) == (0, 0)
    assert achieved(resolution, ha_tien) == (10, 0)
    assert achieved(resolution, province) == (10, 0)


def target_1_row(client, url):
    """Achieved and awaiting-approval figures of target 1, read from the dashboard's CSV export."""
    rows = list(csv.reader(io.StringIO(client.get(url + "&_export=csv&table=progress").content.decode("utf-8-sig"))))
    header, target_1 = rows[0], next(r for r in rows[1:] if r[0] == "1")
    return int(target_1[header.index("Đã đạt")]), int(target_1[header.index("Đã gửi, chờ duyệt")])


def test_province_dashboard_shows_an_approval_on_the_next_load(client, resolution, tree, users):
    report = file_members(resolution, users["school"], tree["school"], 3, 1234)
    client.force_login(users["province"])
    url = reverse("dashboard-unit", args=[tree["province"].pk]) + "?month=12"
    assert target_1_row(client, url) == (0, 1234)
    services.report_approve(report=report, user=users["rach_gia"])
    assert target_1_row(client, url) == (1234, 0)
    assert ">1.234<" in client.get(url).content.decode()
