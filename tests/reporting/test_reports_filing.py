"""Filing a monthly report through the web form: eligible targets, Vietnamese numbers,
year-to-date, refused input, nothing to report, two people saving at once."""

import datetime

import pytest
from django.urls import reverse

from branches.models import Organisation
from targets.models import MonthlyReport, ReportFigure, TargetComponent, TaskProgress

pytestmark = pytest.mark.django_db


def component(resolution, number, order=1):
    return TargetComponent.objects.get(target__resolution=resolution, target__number=number, order=order)


def edit_url(unit, month, year=2020):
    return reverse("report_edit", args=[year, month, unit.pk])


def detail_url(unit, month, year=2020):
    return reverse("report_detail", args=[year, month, unit.pk])


def field(c, part):
    return f"c{c.pk}_{part}"


def figures_table(page):
    """The table of targets on a report page (task titles mention targets too)."""
    start = page.index('id="figures"')
    return page[start : page.index("</table>", start)]


def test_public_agency_sees_its_four_targets_and_the_seven_tasks(client, resolution, users):
    """A public agency's union sees members recruited, Party introductions, records entered and
    the civil servants' conference; not the enterprise targets."""
    client.force_login(users["school"])
    page = client.get(edit_url(users["school"].organisation, 3)).content.decode()
    assert page.count('name="t') == 14  # status and narrative of 7 tasks
    page = figures_table(page)
    for name in ("Kết nạp đoàn viên mới", "Giới thiệu đoàn viên ưu tú", "Nhập thông tin đoàn viên", "Hội nghị cán bộ"):
        assert name in page, name
    for name in ("Bữa ăn ca", "Hội nghị người lao động", "Tháng Công nhân", "Ban nữ công", "Mái ấm"):
        assert name not in page, name


def test_non_state_enterprise_sees_its_targets(client, resolution, users):
    """A non-state enterprise sees the workers' conference, dialogue, collective agreement,
    shift meal, Workers' Month and women's committee."""
    client.force_login(users["firm"])
    page = figures_table(client.get(edit_url(users["firm"].organisation, 3)).content.decode())
    for name in ("Hội nghị người lao động", "Đối thoại", "thỏa ước", "Bữa ăn ca", "Tháng Công nhân", "Ban nữ công"):
        assert name in page, name
    assert "Hội nghị cán bộ, công chức" not in page and "Doanh nghiệp nhà nước<" not in page


def test_upper_level_sees_its_own_targets_without_target_2_field(client, resolution, users, tree):
    """An upper level types targets 1, 9, 10, 11, 15; target 2 is counted from the tree: one
    enterprise of 30 workers founded in 2020 counts, one of 10 workers does not."""
    for code, workforce in (("RG-N1", 30), ("RG-N2", 10)):
        Organisation.objects.create(
            code=code,
            name=code,
            kind="grassroots",
            sector="non_state_enterprise",
            parent=tree["rach_gia"],
            workforce=workforce,
            founded_on=datetime.date(2020, 2, 3),
        )
    client.force_login(users["rach_gia"])
    page = client.get(edit_url(users["rach_gia"].organisation, 3)).content.decode()
    for name in ("Phúc lợi đoàn viên", "Mái ấm Công đoàn", "217-QĐ/TW", "Kiểm tra tài chính cùng cấp"):
        assert name in page, name
    assert f'name="{field(component(resolution, 2), "quantity")}"' not in page
    assert "1 công đoàn cơ sở thành lập trong năm" in page
    detail = client.get(reverse("report_detail", args=[2020, 3, tree["rach_gia"].pk])).content.decode()
    assert "1 công đoàn cơ sở thành lập trong năm" in detail


def test_vietnamese_numbers_accepted_and_shown(client, resolution, users, tree):
    """'1.250' is one thousand two hundred fifty; a meal of '15.000' đồng is 15000."""
    client.force_login(users["rach_gia"])
    recruits = component(resolution, 1)
    response = client.post(
        edit_url(tree["rach_gia"], 2), {field(recruits, "quantity"): "1.250", "version": "1", "action": "save"}
    )
    assert response.status_code == 302
    assert ReportFigure.objects.get(report__organisation=tree["rach_gia"], component=recruits).quantity == 1250
    page = client.get(edit_url(tree["rach_gia"], 2)).content.decode()
    assert 'value="1.250"' in page

    client.force_login(users["firm"])
    meal = component(resolution, 13)
    client.post(edit_url(tree["firm"], 2), {field(meal, "value"): "15.000", "version": "1", "action": "save"})
    assert ReportFigure.objects.get(report__organisation=tree["firm"], component=meal).value == 15000
    assert 'value="15.000"' in client.get(edit_url(tree["firm"], 2)).content.decode()


def test_year_to_date_and_earlier_months_are_shown(client, resolution, users, tree):
    """5 recruited in January and 7 in February: February shows 5 before, 12 year-to-date,
    and January's 5 in the table of earlier months."""
    client.force_login(users["school"])
    recruits = component(resolution, 1)
    client.post(edit_url(tree["school"], 1), {field(recruits, "quantity"): "5", "version": "1", "action": "submit"})
    client.post(edit_url(tree["school"], 2), {field(recruits, "quantity"): "7", "version": "1", "action": "save"})
    page = client.get(edit_url(tree["school"], 2)).content.decode()
    assert '<td class="text-end fw-semibold ytd">12</td>' in page
    assert 'id="earlier-months"' in page and '<td class="text-end">5</td>' in page


def test_done_item_shows_as_done_in_later_months(client, resolution, users, tree):
    """The civil servants' conference done on 10/04/2020 shows read-only in May."""
    client.force_login(users["school"])
    conference = component(resolution, 6)
    response = client.post(
        edit_url(tree["school"], 4),
        {field(conference, "done"): "on", field(conference, "done_on"): "10/04/2020", "version": "1", "action": "save"},
    )
    assert response.status_code == 302
    page = client.get(edit_url(tree["school"], 5)).content.decode()
    assert "đã thực hiện ngày 10/04/2020" in page
    assert f'name="{field(conference, "done")}"' not in page


def test_tasks_take_a_status_and_a_narrative(client, resolution, users, tree):
    """Task 5 under way with what was done this month."""
    client.force_login(users["school"])
    task = resolution.tasks.get(number=5)
    client.post(
        edit_url(tree["school"], 3),
        {f"t{task.pk}_status": "in_progress", f"t{task.pk}_narrative": "Kết nạp 3 đoàn viên", "version": "1"},
    )
    progress = TaskProgress.objects.get(report__organisation=tree["school"], task=task)
    assert (progress.status, progress.narrative) == ("in_progress", "Kết nạp 3 đoàn viên")


@pytest.mark.parametrize(
    "typed, message",
    [
        ("-3", "không được âm"),
        ("abc", "nhập số nguyên"),
        ("1.2.3", "nhập số nguyên"),
        ("1_000", "nhập số nguyên"),
        ("12.34", "nhập số nguyên"),
        ("١٢٣", "nhập số nguyên"),
        ("１２３", "nhập số nguyên"),
        ("5000000000000000", "không lớn hơn 1.000.000.000.000.000"),  # above 10^15 (issue 13 item 4)
        ("41", "nhiều hơn số người lao động"),
    ],
)
def test_refused_quantity_keeps_what_was_typed_and_saves_nothing(client, resolution, users, tree, typed, message):
    """Negative, not a number (wrong grouping, underscores, non-ASCII digits included), absurdly
    large, more than the workforce (40): a message on the field, the typed text kept, nothing saved."""
    client.force_login(users["school"])
    recruits = component(resolution, 1)
    task = resolution.tasks.get(number=1)
    response = client.post(
        edit_url(tree["school"], 3),
        {field(recruits, "quantity"): typed, f"t{task.pk}_narrative": "Đã làm", "version": "1", "action": "submit"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page.lower() or message in page
    assert f'value="{typed}"' in page and "Đã làm" in page
    report = MonthlyReport.objects.get(organisation=tree["school"], month=3)
    assert report.status == "draft" and report.version == 1
    assert ReportFigure.objects.get(report=report, component=recruits).quantity is None
    assert TaskProgress.objects.get(report=report, task=task).narrative == ""


@pytest.mark.parametrize("typed", ["10/05/2020", "31/02/2020", "hôm qua"])
def test_refused_done_date_outside_the_month(client, resolution, users, tree, typed):
    """A done-date outside April 2020 (or not a date) is refused with a message."""
    client.force_login(users["school"])
    conference = component(resolution, 6)
    response = client.post(
        edit_url(tree["school"], 4),
        {field(conference, "done"): "on", field(conference, "done_on"): typed, "version": "1", "action": "save"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "invalid-feedback" in page and f'value="{typed}"' in page
    assert not ReportFigure.objects.filter(component=conference, done=True).exists()


def test_month_outside_the_year_is_not_found(client, resolution, users, tree):
    """Month 13 or month 0 of 2020, or a year without a resolution, is a 404 and creates nothing."""
    client.force_login(users["school"])
    for url in ("/reports/2020/13/%d/edit/", "/reports/2020/0/%d/edit/", "/reports/2019/3/%d/edit/"):
        assert client.get(url % tree["school"].pk).status_code == 404
    assert not MonthlyReport.objects.exists()


def test_nothing_to_report_in_one_click(client, resolution, users, tree):
    """With no figure typed or saved the button submits at once; over a typed figure it
    submits once confirmed (tests/reporting/test_nothing_to_report_asks_first.py: the question)."""
    client.force_login(users["school"])
    recruits = component(resolution, 1)
    response = client.post(edit_url(tree["school"], 4), {"version": "1", "action": "nothing"})
    assert response.status_code == 302
    assert MonthlyReport.objects.get(organisation=tree["school"], month=4).status == "submitted"
    response = client.post(
        edit_url(tree["school"], 3),
        {field(recruits, "quantity"): "-1", "version": "1", "action": "nothing", "confirm": "yes"},
    )
    assert response.status_code == 302
    report = MonthlyReport.objects.get(organisation=tree["school"], month=3)
    assert report.status == "submitted" and report.nothing_to_report
    assert ReportFigure.objects.get(report=report, component=recruits).quantity is None
    assert "Không có gì để báo cáo" in client.get(detail_url(tree["school"], 3)).content.decode()


def test_second_save_from_a_stale_page_is_refused(client, resolution, users, tree, make_user):
    """Two officers open version 1; the first saves 5; the second's 9 is refused with a
    Vietnamese message, and 5 stands."""
    colleague = make_user("school2", tree["school"], "grassroots_officer")
    recruits = component(resolution, 1)
    client.force_login(users["school"])
    client.get(edit_url(tree["school"], 3))
    first = client.post(edit_url(tree["school"], 3), {field(recruits, "quantity"): "5", "version": "1"})
    assert first.status_code == 302
    client.force_login(colleague)
    second = client.post(edit_url(tree["school"], 3), {field(recruits, "quantity"): "9", "version": "1"})
    assert second.status_code == 409
    assert "Người khác đã lưu báo cáo này" in second.content.decode()
    assert 'value="9"' in second.content.decode()
    assert ReportFigure.objects.get(report__organisation=tree["school"], component=recruits).quantity == 5


def test_submitted_report_cannot_be_edited_by_the_unit(client, resolution, users, tree):
    """After submitting, the edit page leads to the report and a forged post changes nothing."""
    client.force_login(users["school"])
    recruits = component(resolution, 1)
    client.post(edit_url(tree["school"], 3), {field(recruits, "quantity"): "5", "version": "1", "action": "submit"})
    assert client.get(edit_url(tree["school"], 3)).status_code == 302
    client.post(edit_url(tree["school"], 3), {field(recruits, "quantity"): "8", "version": "2", "action": "submit"})
    assert ReportFigure.objects.get(report__organisation=tree["school"], component=recruits).quantity == 5


def test_future_month_is_refused(client, resolution, users, tree):
    """A month that has not begun yet cannot be opened."""
    resolution.year = datetime.date.today().year + 1
    resolution.save()
    client.force_login(users["school"])
    year = resolution.year
    assert client.get(reverse("report_edit", args=[year, 1, tree["school"].pk])).status_code == 404
    assert not MonthlyReport.objects.exists()


@pytest.mark.parametrize("typed", ["13", "0", "tháng ba", None])
def test_import_month_outside_the_year_is_refused_with_a_message(resolution, typed):
    """The month typed in an import row must be January to December 2020."""
    from django.core.exceptions import ValidationError

    from targets.reporting.forms import validate_report_month

    assert validate_report_month(resolution=resolution, month="3") == 3
    with pytest.raises(ValidationError) as refused:
        validate_report_month(resolution=resolution, month=typed)
    assert "2020" in refused.value.messages[0] and "tháng" in refused.value.messages[0].lower()
