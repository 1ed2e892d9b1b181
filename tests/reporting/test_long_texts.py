"""Every text a form accepts is stored whole (PostgreSQL enforces column lengths, SQLite does
not), history keeps the reason uncut, and a text over the limit is refused by the form with
a message before anything is written."""

import pytest
from django.urls import reverse

from targets.models import MonthlyReport, TaskProgress

pytestmark = pytest.mark.django_db

NOTE = ("Ghi chú dài " * 200)[:1999] + "."
COMMENT = ("Trả lại vì số liệu chưa khớp danh sách đoàn viên. " * 50)[:1999] + "."
REASON = ("Mở lại để sửa số liệu tháng ba theo biên bản. " * 50)[:1999] + "."
NARRATIVE = ("Tổ chức đối thoại với người sử dụng lao động. " * 100)[:3999] + "."


def url(name, unit, month):
    return reverse(name, args=[2020, month, unit.pk])


def post_report(client, user, unit, month, **fields):
    client.force_login(user)
    report = MonthlyReport.objects.filter(organisation=unit, month=month).first()
    data = {"version": str(report.version if report else 1), "action": "submit"} | fields
    return client.post(url("report_edit", unit, month), data)


def review(client, user, unit, month, action, comment):
    client.force_login(user)
    report = MonthlyReport.objects.get(organisation=unit, month=month)
    return client.post(
        url("report_review", unit, month), {"action": action, "comment": comment, "version": str(report.version)}
    )


def test_longest_texts_are_stored_whole_with_their_history(client, resolution, users, tree):
    school = tree["school"]
    task = resolution.tasks.get(number=1)
    response = post_report(client, users["school"], school, 3, note=NOTE, **{f"t{task.pk}_narrative": NARRATIVE})
    assert response.status_code == 302
    report = MonthlyReport.objects.get(organisation=school, month=3)
    assert report.note == NOTE and TaskProgress.objects.get(report=report, task=task).narrative == NARRATIVE
    assert report.history.latest().history_change_reason == NOTE

    assert review(client, users["rach_gia"], school, 3, "return", COMMENT).status_code == 302
    report.refresh_from_db()
    assert report.status == "returned" and report.review_comment == COMMENT
    assert report.history.latest().history_change_reason == COMMENT

    post_report(client, users["school"], school, 3, note="Đã sửa")
    review(client, users["rach_gia"], school, 3, "approve", "")
    assert review(client, users["rach_gia"], school, 3, "reopen", REASON).status_code == 302
    report.refresh_from_db()
    assert report.status == "returned" and report.history.latest().history_change_reason == REASON
    page = client.get(url("report_detail", school, 3)).content.decode()
    assert REASON in page


def test_a_text_over_the_limit_is_refused_and_nothing_is_written(client, resolution, users, tree):
    school = tree["school"]
    response = post_report(client, users["school"], school, 3, note=NOTE + "x")
    assert response.status_code == 200
    assert "2000" in response.content.decode() or "2.000" in response.content.decode()
    report = MonthlyReport.objects.get(organisation=school, month=3)
    assert report.note == "" and report.version == 1 and report.status == "draft"

    post_report(client, users["school"], school, 3, note="Gửi")
    review(client, users["rach_gia"], school, 3, "return", COMMENT + "x")
    report.refresh_from_db()
    assert report.status == "submitted" and report.review_comment == ""
