"""Reviewing reports: return with a comment, approve and lock, reopen with a visible
history, and the review list with late and missing units."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from branches.models import Organisation
from targets.models import MonthlyReport, ReportFigure, TargetComponent
from targets.reporting.services import report_get_or_create, report_save

pytestmark = pytest.mark.django_db


def component(resolution, number, order=1):
    return TargetComponent.objects.get(target__resolution=resolution, target__number=number, order=order)


def url(name, unit, month):
    return reverse(name, args=[2020, month, unit.pk])


def submit(client, user, unit, month, figures, version):
    client.force_login(user)
    data = {f"c{c.pk}_quantity": str(q) for c, q in figures.items()} | {"version": str(version), "action": "submit"}
    response = client.post(url("report_edit", unit, month), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def review(client, user, unit, month, action, comment=""):
    client.force_login(user)
    report = MonthlyReport.objects.get(organisation=unit, month=month)
    return client.post(
        url("report_review", unit, month), {"action": action, "comment": comment, "version": str(report.version)}
    )


def test_return_correct_resubmit_approve(client, resolution, users, tree):
    """Submitted 12; the upper level returns it with a comment the officer sees; corrected to
    15 and resubmitted; approved: the approved figure is 15 and the report is locked."""
    recruits = component(resolution, 1)
    school = tree["school"]
    submit(client, users["school"], school, 3, {recruits: 12}, 1)
    response = review(client, users["rach_gia"], school, 3, "return", "Số kết nạp chưa khớp danh sách")
    assert response.status_code == 302
    client.force_login(users["school"])
    page = client.get(url("report_edit", school, 3)).content.decode()
    assert "Số kết nạp chưa khớp danh sách" in page and "Bị cấp trên trả lại" in page
    report = MonthlyReport.objects.get(organisation=school, month=3)
    submit(client, users["school"], school, 3, {recruits: 15}, report.version)
    review(client, users["rach_gia"], school, 3, "approve")
    report.refresh_from_db()
    figure = ReportFigure.objects.get(report=report, component=recruits)
    assert report.status == "approved" and figure.approved_quantity == 15
    client.force_login(users["school"])
    assert client.get(url("report_edit", school, 3)).status_code == 302
    page = client.get(url("report_detail", school, 3)).content.decode()
    assert "Đã duyệt" in page and 'name="action" value="approve"' not in page


def test_return_without_comment_is_refused(client, resolution, users, tree):
    """Returning needs a comment: the report stays submitted."""
    submit(client, users["school"], tree["school"], 3, {}, 1)
    response = review(client, users["rach_gia"], tree["school"], 3, "return", "   ")
    assert response.status_code == 302
    assert MonthlyReport.objects.get(organisation=tree["school"], month=3).status == "submitted"
    page = client.get(url("report_detail", tree["school"], 3)).content.decode()
    assert "Hãy ghi rõ" in page


def test_reopened_report_shows_changes_since_approval_and_history(client, resolution, users, tree):
    """Approved 12, reopened with a reason, corrected to 15: the page shows 12 → 15, who and
    why, the dashboards' approved figure stays 12 until re-approval, and history keeps it all."""
    recruits = component(resolution, 1)
    school = tree["school"]
    submit(client, users["school"], school, 5, {recruits: 12}, 1)
    review(client, users["rach_gia"], school, 5, "approve")
    response = review(client, users["rach_gia"], school, 5, "reopen", "Nhầm số tháng 5")
    assert response.status_code == 302
    report = MonthlyReport.objects.get(organisation=school, month=5)
    assert report.status == "returned" and report.revision == 1
    client.force_login(users["school"])
    client.post(
        url("report_edit", school, 5),
        {f"c{recruits.pk}_quantity": "15", "note": "Sửa theo danh sách", "version": report.version, "action": "submit"},
    )
    figure = ReportFigure.objects.get(report=report, component=recruits)
    assert (figure.quantity, figure.approved_quantity) == (15, 12)
    client.force_login(users["rach_gia"])
    page = client.get(url("report_detail", school, 5)).content.decode()
    changed = page[page.index('id="changed-since-approval"') :]
    assert "Thay đổi từ khi duyệt" in page
    assert "12 → <strong>15</strong>" in changed and "school" in changed and "Sửa theo danh sách" in changed
    assert "Nhầm số tháng 5" in changed and "rachgia" in changed
    history = page[page.index('id="history"') :]
    assert "12 → 15" in history and "Nhầm số tháng 5" in history and "Đã duyệt" in history
    review(client, users["rach_gia"], school, 5, "approve")
    figure.refresh_from_db()
    assert figure.approved_quantity == 15


def test_reviewer_cannot_approve_a_draft(client, resolution, users, tree):
    """Approving a draft is refused with a message; nothing changes."""
    report_get_or_create(unit=tree["school"], resolution=resolution, month=3)
    review(client, users["rach_gia"], tree["school"], 3, "approve")
    assert MonthlyReport.objects.get(organisation=tree["school"], month=3).status == "draft"


def test_review_with_a_stale_version_is_refused(client, resolution, users, tree):
    """An approval posted from a page older than the last change is refused (409 Conflict)."""
    submit(client, users["school"], tree["school"], 3, {}, 1)
    client.force_login(users["rach_gia"])
    response = client.post(url("report_review", tree["school"], 3), {"action": "approve", "version": "1"})
    assert response.status_code == 409
    assert MonthlyReport.objects.get(organisation=tree["school"], month=3).status == "submitted"


def _file(unit, user, month, submit, when=None):
    report = report_get_or_create(unit=unit, resolution=unit.resolutions.model.objects.get(), month=month)
    report_save(report=report, user=user, figures={}, tasks={}, expected_version=report.version, submit=submit)
    if when:
        MonthlyReport.objects.filter(pk=report.pk).update(first_submitted_at=when, submitted_at=when)
    return report


def test_review_list_shows_each_units_status_late_and_missing(client, resolution, users, tree, make_user):
    """March 2020 is due 20/04/2020. School submitted on time, firm late, SOE only a draft
    (missing), a unit dissolved in February and one founded in May are not expected."""
    from targets.reporting.services import report_approve

    on_time = timezone.make_aware(datetime.datetime(2020, 4, 20, 23, 0))
    late = timezone.make_aware(datetime.datetime(2020, 4, 21, 8, 0))
    soe_officer = make_user("soe", tree["soe"], "grassroots_officer")
    report = _file(tree["school"], users["school"], 3, True, on_time)
    report_approve(report=report, user=users["rach_gia"])
    _file(tree["firm"], users["firm"], 3, True, late)
    _file(tree["soe"], soe_officer, 3, False)
    Organisation.objects.create(
        code="RG-OLD",
        name="Đơn vị giải thể",
        kind="grassroots",
        sector="public_agency",
        parent=tree["rach_gia"],
        founded_on=datetime.date(2000, 1, 1),
        dissolved_on=datetime.date(2020, 2, 1),
    )
    Organisation.objects.create(
        code="RG-NEW",
        name="Đơn vị mới",
        kind="grassroots",
        sector="public_agency",
        parent=tree["rach_gia"],
        founded_on=datetime.date(2020, 5, 1),
    )
    client.force_login(users["rach_gia"])
    page = client.get(reverse("review_list"), {"month": 3}).content.decode()
    assert "Đơn vị RG-1" in page and "Đơn vị RG-2" in page and "Đơn vị RG-3" in page
    assert "Đơn vị HT-1" not in page and "Đơn vị giải thể" not in page and "Đơn vị mới" not in page
    assert 'data-state="approved"' in page and 'data-state="submitted"' in page and 'data-state="missing"' in page
    assert page.count("Trễ hạn") >= 1
    assert "1 / 3 đơn vị đã báo cáo" not in page and "2 / 3 đơn vị đã báo cáo" in page

    def names(params):
        html = client.get(reverse("review_list"), {"month": 3, **params}).content.decode()
        table = html[html.index('id="review-list"') :]
        return {code for code in ("RG-1", "RG-2", "RG-3") if f"Đơn vị {code}<" in table}

    assert names({"status": "late"}) == {"RG-3"}
    filtered = client.get(reverse("review_list"), {"month": 3, "status": "late"}).content.decode()
    assert "2 / 3 đơn vị đã báo cáo" in filtered  # the summary covers the whole month, not the filter
    assert names({"status": "missing"}) == {"RG-2"}
    assert names({"status": "approved"}) == {"RG-1"}
    assert names({"sector": "state_enterprise"}) == {"RG-2"}
    assert names({"q": "rg-3"}) == {"RG-3"}
    # In May the new unit is expected; the dissolved one still is not.
    assert "Đơn vị mới" in client.get(reverse("review_list"), {"month": 5}).content.decode()


def test_province_sees_every_unit_and_filters_by_upper_level(client, resolution, users, tree):
    """The province lists both upper levels and their units; filtering on Hà Tiên keeps its two."""
    client.force_login(users["province"])
    page = client.get(reverse("review_list"), {"month": 3}).content.decode()
    assert "Đơn vị HT-2" in page and "Đơn vị RG-1" in page and "Đơn vị RG<" in page
    page = client.get(reverse("review_list"), {"month": 3, "upper_level": tree["ha_tien"].pk}).content.decode()
    table = page[page.index('id="review-list"') :]
    assert "Đơn vị HT-1" in table and "Đơn vị HT-2" in table and "Đơn vị RG-1" not in table


def test_review_list_is_paginated_with_constant_queries(client, resolution, users, tree, django_assert_max_num_queries):
    """120 units: 50 a page; the page's queries do not grow with the units."""
    Organisation.objects.bulk_create(
        [
            Organisation(
                code=f"RG-X{i}",
                name=f"Trường {i}",
                kind="grassroots",
                sector="public_agency",
                parent=tree["rach_gia"],
                path=f"{tree['rach_gia'].path}{900000000 + i:09d}/",
            )
            for i in range(120)
        ]
    )
    client.force_login(users["rach_gia"])
    with django_assert_max_num_queries(12):
        page = client.get(reverse("review_list"), {"month": 3}).content.decode()
    assert page.count('data-state="missing"') == 50
    assert "page=3" in page


def test_a_write_without_its_version_changes_nothing_and_answers_409(client, resolution, users, tree):
    """A report POST without the version field (or with a stale one) could overwrite a newer
    save: refused with 409 and a message, the report as it was."""
    recruits = component(resolution, 1)
    school = tree["school"]
    submit(client, users["school"], school, 3, {recruits: 12}, 1)
    report = MonthlyReport.objects.get(organisation=school, month=3)
    client.force_login(users["rach_gia"])
    for data in ({"action": "return", "comment": "Sai"}, {"action": "approve", "version": str(report.version - 1)}):
        response = client.post(url("report_review", school, 3), data)
        assert response.status_code == 409
        assert "tải lại" in response.content.decode().lower()
        report.refresh_from_db()
        assert report.status == "submitted"
    review(client, users["rach_gia"], school, 3, "return", "Sai số")
    report.refresh_from_db()
    client.force_login(users["school"])
    response = client.post(url("report_edit", school, 3), {f"c{recruits.pk}_quantity": "99", "action": "submit"})
    assert response.status_code == 409
    figure = ReportFigure.objects.get(report=report, component=recruits)
    assert figure.quantity == 12 and MonthlyReport.objects.get(pk=report.pk).status == "returned"
