"""Four eyes: figures an upper-level officer entered on a unit's behalf (Excel or the form on
its behalf) are approved by another officer; a federation with one officer per office may
relax it in admin, and then such approvals are marked on the report, in the review list and
in the history."""

import pytest
from django.urls import reverse

from branches.models import User
from targets.models import MonthlyReport
from targets.reporting import history, services
from tests.reporting.test_excel_bulk_entry import MONTH, component, download, fill, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(client, users, tree, resolution):
    """The school's March report, entered from Excel by Rạch Giá's officer."""
    client.force_login(users["rach_gia"])
    wb = download(client)
    fill(wb.active, "RG-1", {(component(resolution, 1), "quantity"): 3})
    assert upload(client, wb).status_code == 302
    return MonthlyReport.objects.get(organisation=tree["school"], month=MONTH)


def test_the_officer_who_imported_the_figures_cannot_approve_them(client, users, imported, tree, make_user):
    """The approve button is replaced by a note; a forged POST is refused with a message and
    the report stays submitted; a second officer of Rạch Giá approves it, unmarked."""
    url = reverse("report_detail", args=[2020, MONTH, tree["school"].pk])
    page = client.get(url).content.decode()
    assert 'id="four-eyes"' in page and 'value="approve"' not in page
    response = client.post(
        reverse("report_review", args=[2020, MONTH, tree["school"].pk]),
        {"action": "approve", "version": imported.version},
        follow=True,
    )
    assert "một cán bộ khác phải duyệt" in response.content.decode()
    imported.refresh_from_db()
    assert imported.status == "submitted"
    with pytest.raises(services.ReportFourEyes):
        services.report_approve(report=imported, user=users["rach_gia"], expected_version=imported.version)

    colleague = make_user("rachgia2", tree["rach_gia"], User.Role.UPPER_LEVEL_OFFICER)
    imported.refresh_from_db()
    services.report_approve(report=imported, user=colleague, expected_version=imported.version)
    imported.refresh_from_db()
    assert imported.status == "approved" and not imported.self_approved


def test_figures_entered_on_behalf_through_the_form_follow_the_same_rule(users, tree, resolution):
    """``report_save(on_behalf=True)`` records the officer and the channel; that officer's
    approval is refused, the province's is not."""
    report = services.report_get_or_create(unit=tree["firm"], resolution=resolution, month=MONTH)
    services.report_save(
        report=report,
        user=users["rach_gia"],
        figures={component(resolution, 1).pk: {"quantity": 2}},
        tasks={},
        expected_version=report.version,
        submit=True,
        on_behalf=True,
    )
    assert report.entry_channel == MonthlyReport.Channel.ON_BEHALF and report.entered_by == users["rach_gia"]
    with pytest.raises(services.ReportFourEyes):
        services.report_approve(report=report, user=users["rach_gia"], expected_version=report.version)
    report.refresh_from_db()
    services.report_approve(report=report, user=users["province"], expected_version=report.version)
    assert report.status == "approved"


def test_a_report_the_unit_filed_itself_is_approved_as_always(users, tree, resolution):
    report = services.report_get_or_create(unit=tree["school"], resolution=resolution, month=MONTH)
    services.report_save(
        report=report, user=users["school"], figures={}, tasks={}, expected_version=report.version, submit=True
    )
    assert report.entry_channel == MonthlyReport.Channel.UNIT and report.entered_by == users["school"]
    services.report_approve(report=report, user=users["rach_gia"], expected_version=report.version)
    assert report.status == "approved" and not report.self_approved


def test_a_federation_may_allow_self_approval_and_it_is_marked(client, users, imported, tree):
    """With the province's "allow one person to enter and approve" set, the officer approves
    what they imported; the report page, the review list and the history say so."""
    tree["province"].allow_self_approval = True
    tree["province"].save()
    response = client.post(
        reverse("report_review", args=[2020, MONTH, tree["school"].pk]),
        {"action": "approve", "version": imported.version},
    )
    assert response.status_code == 302
    imported.refresh_from_db()
    assert imported.status == "approved" and imported.self_approved
    page = client.get(reverse("report_detail", args=[2020, MONTH, tree["school"].pk])).content.decode()
    assert 'id="self-approved"' in page and "tự nhập, tự duyệt" in page
    listing = client.get(reverse("review_list") + f"?month={MONTH}").content.decode()
    assert listing.count('data-mark="self-approved"') == 1
    reasons = {e["reason"] for e in history.report_history(imported)}
    assert "Đã duyệt (tự nhập, tự duyệt)" in reasons


def test_the_admin_offers_the_relaxation_on_the_organisation(client, superuser, tree):
    client.force_login(superuser)
    page = client.get(reverse("admin:branches_organisation_change", args=[tree["province"].pk])).content.decode()
    assert "Cho phép một người nhập và duyệt (đơn vị chỉ có một cán bộ)" in page
