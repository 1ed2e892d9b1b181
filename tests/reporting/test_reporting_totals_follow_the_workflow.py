"""Who reported, kept as running totals, follows every step of the workflow through the
services the pages call: a report filed on time and one late, waiting, approved in bulk,
returned, withdrawn, resubmitted and reopened; after each step the totals of the province
and of its upper levels equal a fresh count, and so do the completeness page's figures."""

import datetime

import pytest

from targets.models import MonthlyReport
from targets.reporting import services
from tests.reporting.test_reporting_totals_property import fresh, kept

pytestmark = pytest.mark.django_db


def test_every_service_keeps_who_reported_exact(client, settings, resolution, tree, users):
    scopes = [tree["province"], tree["rach_gia"], tree["ha_tien"]]

    def check(step):
        for scope in scopes:
            assert kept(resolution, scope, 3) == fresh(resolution, scope, 3), (step, scope.code)

    def file(unit, user):
        report = services.report_get_or_create(unit=unit, resolution=resolution, month=3)
        services.report_save(
            report=report, user=user, figures={}, tasks={}, expected_version=report.version, submit=True
        )
        return MonthlyReport.objects.get(pk=report.pk)

    check("nothing filed")
    settings.UNIONPLAN_TODAY = datetime.date(2020, 4, 5)  # before the due day: on time
    school = file(tree["school"], users["school"])
    check("filed on time")
    settings.UNIONPLAN_TODAY = datetime.date(2020, 5, 2)  # after it: late
    firm = file(tree["firm"], users["firm"])
    ht_firm = file(tree["ht_firm"], users["ht_firm"])
    check("filed late")
    assert kept(resolution, tree["province"], 3)[1:] == [1, 2, 3]  # on time, late, waiting

    result = services.reports_approve(reports=[(school, school.version), (firm, firm.version)], user=users["rach_gia"])
    assert len(result.approved) == 2
    check("approved in bulk")
    services.report_return(report=ht_firm, user=users["ha_tien"], comment="Thiếu số liệu")
    check("returned")
    ht_firm.refresh_from_db()
    ht_firm = file(tree["ht_firm"], users["ht_firm"])
    check("resubmitted")
    services.report_withdraw(report=ht_firm, user=users["ht_firm"], expected_version=ht_firm.version)
    check("withdrawn")
    school.refresh_from_db()
    services.report_reopen(report=school, user=users["rach_gia"], reason="Sai số liệu")
    check("reopened after approval")
    assert kept(resolution, tree["province"], 3)[1:3] == [1, 1]  # the reopened one still counts

    client.force_login(users["province"])
    from django.urls import reverse

    page = client.get(reverse("dashboard-completeness") + f"?unit={tree['province'].pk}&month=3")
    total = page.context["total"]
    assert [total.expected, total.on_time, total.late] == fresh(resolution, tree["province"], 3)[:3]
