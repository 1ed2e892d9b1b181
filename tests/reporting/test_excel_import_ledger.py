"""The running totals stay exact after an Excel import: the import's one set-based ledger
update equals a fresh recount (``straight``), for every scope and every month, whatever the
units had reported before, in that month and after it."""

import datetime
from decimal import Decimal

import pytest

from branches.models import Organisation
from targets.models import MonthlyReport, TaskProgress
from targets.reporting import ledger, services
from targets.reporting.excel.bulk_entry import Entry, reports_submit_on_behalf
from tests.reporting.test_excel_bulk_entry import component
from tests.reporting.test_ledger_property import maintained, maintained_tasks, straight, straight_tasks

pytestmark = pytest.mark.django_db
MONTH = 4


@pytest.fixture(autouse=True)
def december(settings):
    settings.UNIONPLAN_TODAY = datetime.date(2020, 12, 28)


def file(unit, user, resolution, month, figures, *, submit=True, approve_by=None, task_status=None):
    report = services.report_get_or_create(unit=unit, resolution=resolution, month=month)
    tasks = {}
    if task_status:
        tasks = {p.task_id: {"status": task_status} for p in report.task_progress.all()}
    services.report_save(
        report=report, user=user, figures=figures, tasks=tasks, expected_version=report.version, submit=submit
    )
    if approve_by:
        services.report_approve(report=report, user=approve_by, expected_version=report.version)
    return report


def test_an_import_keeps_the_totals_equal_to_a_recount(users, tree, resolution):
    """Units that reached a target earlier (counted once), later (the count moves to the
    imported month), drafts, a returned report and task statuses before and after."""
    members, conference = component(resolution, 1), component(resolution, 6)
    meal, workers_month = component(resolution, 13), component(resolution, 14)
    school, firm, soe = tree["school"], tree["firm"], tree["soe"]
    reviewer = users["rach_gia"]
    march = datetime.date(2020, 3, 10)
    file(
        school,
        users["school"],
        resolution,
        3,
        {members.pk: {"quantity": 4}, conference.pk: {"done": True, "done_on": march}},
        approve_by=reviewer,
        task_status=TaskProgress.Status.IN_PROGRESS,
    )
    file(
        firm,
        users["firm"],
        resolution,
        6,
        {meal.pk: {"value": Decimal("20000")}, workers_month.pk: {"done": True, "done_on": datetime.date(2020, 6, 3)}},
        task_status=TaskProgress.Status.DONE,
    )
    file(
        firm,
        users["firm"],
        resolution,
        2,
        {members.pk: {"quantity": 1}},
        approve_by=reviewer,
        task_status=TaskProgress.Status.IN_PROGRESS,
    )
    draft = services.report_get_or_create(unit=soe, resolution=resolution, month=MONTH)
    returned = file(firm, users["firm"], resolution, MONTH, {members.pk: {"quantity": 2}})
    services.report_return(report=returned, user=reviewer, comment="Sai", expected_version=returned.version)
    extra = Organisation.objects.create(
        code="RG-9",
        name="Mới",
        kind="grassroots",
        sector="non_state_enterprise",
        parent=tree["rach_gia"],
        workforce=60,
        founded_on=datetime.date(2015, 1, 1),
    )

    april = datetime.date(2020, 4, 20)
    entries = [
        Entry(
            unit=school,
            version=None,
            figures={members.pk: {"quantity": 3}, conference.pk: {"done": True, "done_on": april}},
            row=7,
        ),
        Entry(unit=soe, version=draft.version, figures={members.pk: {"quantity": 5}}, row=8),
        Entry(
            unit=firm,
            version=returned.version + 1,
            figures={meal.pk: {"value": Decimal("16000")}, workers_month.pk: {"done": True, "done_on": april}},
            row=9,
        ),
        Entry(unit=extra, version=None, figures={}, nothing_to_report=True, row=10),
    ]
    returned.refresh_from_db()
    entries[2].version = returned.version
    reports_submit_on_behalf(user=reviewer, resolution=resolution, month=MONTH, entries=entries)

    assert MonthlyReport.objects.filter(month=MONTH, status="submitted").count() == 4
    for scope in (tree["province"], tree["rach_gia"]):
        for month in range(1, 13):
            assert maintained(scope, month) == straight(resolution, scope, month), (scope, month)
            assert maintained_tasks(resolution, scope, month) == straight_tasks(resolution, scope, month)
    # And the kept totals are what a full rebuild gives.
    kept = {s: maintained(s, 12) for s in (tree["province"], tree["rach_gia"])}
    ledger.rebuild()
    assert kept == {s: maintained(s, 12) for s in (tree["province"], tree["rach_gia"])}
