"""The report services: filing, review workflow, optimistic lock, history, access."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from targets.models import MonthlyReport, ReportFigure, TargetComponent
from targets.reporting.services import (
    ReportConflict,
    ReportLocked,
    ReportMonthNotOpen,
    report_approve,
    report_get_or_create,
    report_reopen,
    report_return,
    report_save,
)

pytestmark = pytest.mark.django_db


def component(resolution, number, order=1):
    return TargetComponent.objects.get(target__resolution=resolution, target__number=number, order=order)


def numbers(report):
    return sorted(
        (f.component.target.number, f.component.order) for f in report.figures.select_related("component__target")
    )


def test_new_report_holds_exactly_the_units_eligible_components(resolution, tree):
    """Each unit gets the components its level and sector report, from the resolution's data."""
    school = report_get_or_create(unit=tree["school"], resolution=resolution, month=3)
    assert numbers(school) == [(1, 1), (3, 1), (4, 1), (6, 1)]
    firm = report_get_or_create(unit=tree["firm"], resolution=resolution, month=3)
    assert numbers(firm) == [(1, 1), (3, 1), (4, 1), (5, 1), (7, 2), (8, 2), (12, 1), (13, 1), (14, 1)]
    soe = report_get_or_create(unit=tree["soe"], resolution=resolution, month=3)
    assert numbers(soe) == [(1, 1), (3, 1), (4, 1), (7, 1), (8, 1), (12, 1), (13, 1), (14, 1)]
    upper = report_get_or_create(unit=tree["rach_gia"], resolution=resolution, month=3)
    assert numbers(upper) == [(1, 1), (9, 1), (10, 1), (11, 1), (15, 1)]  # target 2 is counted from the tree
    province = report_get_or_create(unit=tree["province"], resolution=resolution, month=3)
    assert numbers(province) == [(9, 1), (10, 1), (11, 1), (16, 1)]
    assert school.status == MonthlyReport.Status.DRAFT and school.task_progress.count() == 7


def test_get_or_create_is_idempotent_and_refuses_months_outside_the_year(resolution, tree):
    """Opening a month twice gives the same report; month 13 or a future month is refused."""
    first = report_get_or_create(unit=tree["school"], resolution=resolution, month=1)
    again = report_get_or_create(unit=tree["school"], resolution=resolution, month=1)
    assert first.pk == again.pk and again.figures.count() == 4
    for month in (0, 13):
        with pytest.raises(ReportMonthNotOpen):
            report_get_or_create(unit=tree["school"], resolution=resolution, month=month)
    resolution.year = datetime.date.today().year + 1
    with pytest.raises(ReportMonthNotOpen):
        report_get_or_create(unit=tree["school"], resolution=resolution, month=1)
    assert MonthlyReport.objects.count() == 1


def test_save_and_submit_records_figures_and_tasks(resolution, tree, users):
    """Saving stores the typed figures; submitting marks the report submitted by the officer."""
    report = report_get_or_create(unit=tree["firm"], resolution=resolution, month=4)
    meal, dialogue = component(resolution, 13), component(resolution, 8, 2)
    task = resolution.tasks.get(number=2)
    report = report_save(
        report=report,
        user=users["firm"],
        figures={
            component(resolution, 1).pk: {"quantity": 12},
            dialogue.pk: {"done": True, "done_on": datetime.date(2020, 4, 10)},
            meal.pk: {"value": Decimal("15000")},
        },
        tasks={task.pk: {"status": "in_progress", "narrative": "Đối thoại với giám đốc"}},
        expected_version=1,
        submit=True,
    )
    assert report.status == "submitted" and report.version == 2 and report.submitted_by == users["firm"]
    figures = {f.component_id: f for f in report.figures.all()}
    assert figures[component(resolution, 1).pk].quantity == 12
    assert figures[dialogue.pk].done and figures[dialogue.pk].done_on == datetime.date(2020, 4, 10)
    assert figures[meal.pk].value == Decimal("15000")
    assert report.task_progress.get(task=task).narrative == "Đối thoại với giám đốc"


def test_second_save_from_a_stale_page_is_refused_and_first_figures_stand(resolution, tree, users):
    """Two people open version 1; the first saves 5, the second's 9 is refused."""
    report = report_get_or_create(unit=tree["school"], resolution=resolution, month=2)
    recruits = component(resolution, 1).pk
    report_save(report=report, user=users["school"], figures={recruits: {"quantity": 5}}, tasks={}, expected_version=1)
    stale = MonthlyReport.objects.get(pk=report.pk)
    stale.version = 1
    with pytest.raises(ReportConflict):
        report_save(
            report=stale, user=users["school"], figures={recruits: {"quantity": 9}}, tasks={}, expected_version=1
        )
    assert ReportFigure.objects.get(report=report, component_id=recruits).quantity == 5
    assert MonthlyReport.objects.get(pk=report.pk).version == 2


def test_officer_of_another_unit_cannot_save_and_nothing_changes(resolution, tree, users):
    """A save by another unit's officer (even the parent's) raises PermissionDenied and changes nothing."""
    report = report_get_or_create(unit=tree["school"], resolution=resolution, month=2)
    recruits = component(resolution, 1).pk
    for intruder in (users["firm"], users["rach_gia"], users["ht_firm"]):
        with pytest.raises(PermissionDenied):
            report_save(report=report, user=intruder, figures={recruits: {"quantity": 7}}, tasks={}, expected_version=1)
    report.refresh_from_db()
    assert report.version == 1 and ReportFigure.objects.get(report=report, component_id=recruits).quantity is None


def test_nothing_to_report_is_a_submitted_report_with_empty_figures(resolution, tree, users):
    """One click: a submitted report with no figures."""
    report = report_get_or_create(unit=tree["school"], resolution=resolution, month=2)
    report_save(
        report=report,
        user=users["school"],
        figures={},
        tasks={},
        nothing_to_report=True,
        expected_version=1,
        submit=True,
    )
    report.refresh_from_db()
    assert report.status == "submitted" and report.nothing_to_report
    assert not report.figures.exclude(quantity=None).exists()


def test_approve_locks_and_copies_the_snapshot_reopen_keeps_it_with_history(resolution, tree, users):
    """Approval copies 12 to the approved snapshot; after reopening and correcting to 15
    the snapshot stays 12 until re-approval, and history keeps who changed what and why."""
    recruits = component(resolution, 1).pk
    report = report_get_or_create(unit=tree["school"], resolution=resolution, month=5)
    report_save(
        report=report,
        user=users["school"],
        figures={recruits: {"quantity": 12}},
        tasks={},
        expected_version=1,
        submit=True,
    )
    with pytest.raises(PermissionDenied):
        report_approve(report=report, user=users["ha_tien"])
    with pytest.raises(PermissionDenied):
        report_approve(report=report, user=users["school"])
    report_approve(report=report, user=users["rach_gia"], expected_version=report.version)
    figure = ReportFigure.objects.get(report=report, component_id=recruits)
    assert report.status == "approved" and figure.approved_quantity == 12
    with pytest.raises(ReportLocked):
        report_save(
            report=report, user=users["school"], figures={recruits: {"quantity": 1}}, tasks={}, expected_version=None
        )
    with pytest.raises(ValidationError):
        report_reopen(report=report, user=users["rach_gia"], reason="  ")
    report_reopen(report=report, user=users["rach_gia"], reason="Sai số liệu kết nạp")
    assert report.status == "returned" and report.revision == 1
    report_save(
        report=report,
        user=users["school"],
        figures={recruits: {"quantity": 15}},
        tasks={},
        note="Sửa theo yêu cầu",
        expected_version=report.version,
        submit=True,
    )
    figure.refresh_from_db()
    assert (figure.quantity, figure.approved_quantity) == (15, 12)
    assert MonthlyReport.objects.with_approved_figures().filter(pk=report.pk).exists()
    history = list(figure.history.order_by("history_date", "history_id"))
    last = history[-1]
    assert last.history_user == users["school"] and last.history_change_reason == "Sửa theo yêu cầu"
    assert last.diff_against(history[-2]).changes[0].old == 12 and last.diff_against(history[-2]).changes[0].new == 15
    reasons = list(report.history.values_list("history_change_reason", flat=True))
    assert "Sai số liệu kết nạp" in reasons
    report_approve(report=report, user=users["province"])
    figure.refresh_from_db()
    assert figure.approved_quantity == 15


def test_return_needs_a_comment_and_only_a_submitted_report(resolution, tree, users):
    """Returning without a comment or returning a draft is refused; the comment reaches the unit."""
    report = report_get_or_create(unit=tree["firm"], resolution=resolution, month=6)
    with pytest.raises(ReportLocked):
        report_return(report=report, user=users["rach_gia"], comment="Thiếu số liệu")
    report_save(report=report, user=users["firm"], figures={}, tasks={}, expected_version=1, submit=True)
    with pytest.raises(ValidationError):
        report_return(report=report, user=users["rach_gia"], comment="")
    report_return(report=report, user=users["rach_gia"], comment="Thiếu số liệu", expected_version=report.version)
    report.refresh_from_db()
    assert report.status == "returned" and report.review_comment == "Thiếu số liệu"
