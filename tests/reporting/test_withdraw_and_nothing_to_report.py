"""Nothing lost by one tap: a submitted report is withdrawn by its unit until reviewed (its
history kept, the dashboards' totals exact); "nothing to report" over typed or saved figures
asks first on a page of its own, and cancelling gives the figures back; the report form
warns before a page with unsaved figures is left."""

import datetime

import pytest
from django.urls import reverse

from targets.models import MonthlyReport, ReportFigure
from targets.reporting import services
from tests.reporting.test_ledger_property import maintained, straight

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def december(settings):
    settings.UNIONPLAN_TODAY = datetime.date(2020, 12, 3)


def members(resolution):
    return resolution.components().get(target__number=1)


def file(resolution, unit, officer, month, quantity, submit=True):
    report = services.report_get_or_create(unit=unit, resolution=resolution, month=month)
    services.report_save(
        report=report,
        user=officer,
        figures={members(resolution).pk: {"quantity": quantity}},
        tasks={},
        expected_version=report.version,
        submit=submit,
    )
    return MonthlyReport.objects.get(pk=report.pk)


def withdraw(client, report):
    return client.post(
        reverse("report_withdraw", args=[2020, report.month, report.organisation_id]),
        {"version": str(report.version)},
    )


def test_the_unit_withdraws_a_submitted_report_and_corrects_it(client, resolution, users, tree):
    """Submitted 12, withdrawn from the report page: a draft again, editable, the submission
    in its history, and the province's pending figure back to 0."""
    report = file(resolution, tree["school"], users["school"], 11, 12)
    client.force_login(users["school"])
    detail = client.get(reverse("report_detail", args=[2020, 11, tree["school"].pk])).content.decode()
    assert "Rút lại báo cáo để sửa" in detail
    response = withdraw(client, report)
    assert response.status_code == 302
    assert response["Location"] == reverse("report_edit", args=[2020, 11, tree["school"].pk])
    report.refresh_from_db()
    assert report.status == "draft" and report.submitted_at is None and report.first_submitted_at is None
    assert list(report.history.values_list("history_change_reason", flat=True)[:2]) == [
        "Đơn vị rút lại báo cáo",
        "Đã gửi",
    ]
    assert ReportFigure.objects.get(report=report, component=members(resolution)).quantity == 12
    for scope in (tree["province"], tree["rach_gia"]):
        assert maintained(scope, 12) == straight(resolution, scope, 12)


def test_a_reviewed_report_cannot_be_withdrawn(client, resolution, users, tree):
    """Once approved: refused with a message, nothing changed; another unit's officer and
    the reviewer cannot withdraw it; a resubmission after a return goes back to returned."""
    report = file(resolution, tree["school"], users["school"], 11, 12)
    services.report_approve(report=report, user=users["rach_gia"])
    report.refresh_from_db()
    client.force_login(users["school"])
    page = client.post(
        reverse("report_withdraw", args=[2020, 11, tree["school"].pk]), {"version": str(report.version)}, follow=True
    ).content.decode()
    assert "Chỉ rút lại được báo cáo đã gửi mà cấp trên chưa duyệt." in page
    assert MonthlyReport.objects.get(pk=report.pk).status == "approved"

    other = file(resolution, tree["school"], users["school"], 10, 3)
    for user in (users["firm"], users["rach_gia"]):
        client.force_login(user)
        assert withdraw(client, other).status_code == 403
    services.report_return(report=other, user=users["rach_gia"], comment="Thiếu", expected_version=other.version)
    other.refresh_from_db()
    services.report_save(
        report=other, user=users["school"], figures={}, tasks={}, expected_version=other.version, submit=True
    )
    other.refresh_from_db()
    client.force_login(users["school"])
    assert withdraw(client, other).status_code == 302
    other.refresh_from_db()
    assert other.status == "returned" and other.review_comment == "Thiếu" and other.first_submitted_at is not None


def test_a_stale_withdraw_is_refused(client, resolution, users, tree):
    report = file(resolution, tree["school"], users["school"], 11, 12)
    client.force_login(users["school"])
    response = client.post(
        reverse("report_withdraw", args=[2020, 11, tree["school"].pk]), {"version": str(report.version - 1)}
    )
    assert response.status_code == 409
    assert MonthlyReport.objects.get(pk=report.pk).status == "submitted"


def edit_url(unit, month=11):
    return reverse("report_edit", args=[2020, month, unit.pk])


def test_nothing_to_report_over_typed_figures_asks_first(client, resolution, users, tree):
    """Typed 7 then "nothing to report": a confirmation page, nothing saved; "keep my
    figures" gives the form back with 7 typed (unsaved); "yes" clears and submits."""
    client.force_login(users["school"])
    field = f"c{members(resolution).pk}_quantity"
    client.get(edit_url(tree["school"]))
    post = {field: "7", "note": "Ghi chú", "version": "1", "action": "nothing"}
    page = client.post(edit_url(tree["school"]), post).content.decode()
    assert "Báo cáo này đang có số liệu" in page and 'value="7"' in page
    report = MonthlyReport.objects.get(organisation=tree["school"], month=11)
    assert report.status == "draft" and report.version == 1
    assert ReportFigure.objects.get(report=report, component=members(resolution)).quantity is None

    back = client.post(edit_url(tree["school"]), post | {"action": "back", "confirm": "yes"})
    assert back.status_code == 200
    page = back.content.decode()
    assert f'name="{field}" value="7"' in page and "Ghi chú" in page
    assert MonthlyReport.objects.get(pk=report.pk).version == 1

    done = client.post(edit_url(tree["school"]), post | {"confirm": "yes"})
    assert done.status_code == 302
    report.refresh_from_db()
    assert report.status == "submitted" and report.nothing_to_report
    assert ReportFigure.objects.get(report=report, component=members(resolution)).quantity is None


def test_nothing_to_report_over_saved_figures_asks_first(client, resolution, users, tree):
    """A draft saved with 5: the button asks even if the page's fields were emptied."""
    report = file(resolution, tree["school"], users["school"], 11, 5, submit=False)
    client.force_login(users["school"])
    page = client.post(edit_url(tree["school"]), {"version": str(report.version), "action": "nothing"})
    assert "Báo cáo này đang có số liệu" in page.content.decode()
    assert ReportFigure.objects.get(report=report, component=members(resolution)).quantity == 5


def test_the_report_form_loads_the_unsaved_figures_warning(client, users, tree, resolution):
    client.force_login(users["school"])
    page = client.get(edit_url(tree["school"])).content.decode()
    assert "data-warn-unsaved" in page and 'src="/static/js/unsaved.js" defer' in page
