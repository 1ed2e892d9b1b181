"""Two years of one federation: in January 2021, with 2021 loaded, December 2020's report
can still be filed, reviewed and corrected; 2020 is reachable from every page through the
year switch, whose year every link keeps; last year's achievement shows beside a target
that continues one; a closed year locked by provincial staff refuses every report write
but a reopen with a reason by them."""

import csv
import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from targets.models import MonthlyReport
from targets.reporting import services
from tests.dashboard_data import component, file_report

pytestmark = pytest.mark.django_db

DEC = 12


@pytest.fixture(autouse=True)
def january_2021(settings):
    settings.UNIONPLAN_TODAY = datetime.date(2021, 1, 10)


@pytest.fixture
def two_years(resolution, kg_2021, tree):
    """Approved November 2020 report of the firm: 77 new members."""
    file_report(resolution, tree["firm"], 11, {component(resolution, 1): {"quantity": 77}})
    return resolution, kg_2021


def get(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_pages_open_on_the_year_in_progress_and_offer_2020(client, users, tree, two_years):
    """Every year-dependent page opens on 2021 and offers 2020 in its year switch."""
    province = tree["province"].pk
    pages = {
        users["province"]: [
            reverse("home"),
            reverse("dashboard-unit", args=[province]),
            reverse("dashboard-completeness"),
            reverse("dashboard-tasks"),
            reverse("review_list"),
            reverse("excel_upload"),
        ],
        users["firm"]: [reverse("report_index"), reverse("dashboard-unit", args=[tree["firm"].pk])],
    }
    for user, urls in pages.items():
        for url in urls:
            text = get(client, user, url)
            assert re.search(r'<option value="2021"[^>]*selected', text), url
            assert '<option value="2020"' in text, url


def test_december_2020_is_filed_in_january_2021(client, users, tree, two_years):
    """The firm's report months of 2020 (?year=2020) offer December; its report is filed
    with one click ("nothing to report") and Rạch Giá approves it from the 2020 review list."""
    firm = tree["firm"]
    text = get(client, users["firm"], reverse("report_index") + "?year=2020")
    edit = reverse("report_edit", args=[2020, DEC, firm.pk])
    assert edit in text
    get(client, users["firm"], edit)
    report = MonthlyReport.objects.get(organisation=firm, resolution__year=2020, month=DEC)
    response = client.post(edit, {"action": "nothing", "version": report.version})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == MonthlyReport.Status.SUBMITTED

    review = get(client, users["rach_gia"], reverse("review_list") + "?year=2020&month=12")
    assert reverse("report_detail", args=[2020, DEC, firm.pk]) in review
    assert "12/2020" in review
    client.post(reverse("report_review", args=[2020, DEC, firm.pk]), {"action": "approve", "version": report.version})
    report.refresh_from_db()
    assert report.status == MonthlyReport.Status.APPROVED


def test_dashboard_links_keep_the_year(client, users, tree, two_years):
    """On the 2020 dashboard, every link to another dashboard page (breadcrumbs, targets,
    print, completeness, tasks, branches) stays in 2020."""
    rach_gia = tree["rach_gia"].pk
    text = get(client, users["province"], reverse("dashboard-unit", args=[rach_gia]) + "?year=2020&month=11")
    links = re.findall(r'href="(/dashboard/[^"]*)"', text)
    assert len(links) > 10
    for link in links:
        if "?" in link:
            assert "year=2020" in link, link
    resolution = two_years[0]
    url = reverse("dashboard-component", args=[tree["province"].pk, component(resolution, 1).pk]) + "?year=2020"
    text = get(client, users["province"], url)
    assert f"/dashboard/unit/{rach_gia}/component/{component(resolution, 1).pk}/?month=12&amp;year=2020" in text


def test_the_menu_keeps_the_year_between_pages(client, users, tree, two_years):
    """From a 2020 page (a dashboard, the review list, a report of December 2020) every menu
    link (overview, reporting units, tasks, reports, review, Excel, resolution) stays in 2020;
    on a 2021 page, in 2021."""
    firm = tree["firm"].pk
    menu = ["/dashboard/", "/dashboard/completeness/", "/dashboard/tasks/", "/reports/review/", "/reports/excel/", "/"]
    for user, url in [
        (users["province"], reverse("dashboard-completeness") + "?year=2020"),
        (users["rach_gia"], reverse("review_list") + "?year=2020&month=12"),
        (users["rach_gia"], reverse("report_detail", args=[2020, DEC, firm])),
        (users["firm"], reverse("report_edit", args=[2020, DEC, firm])),
    ]:
        text = get(client, user, url)
        nav = text.split('id="mainnav"')[1].split("</nav>")[0]  # the menu's links and its groups'
        links = re.findall(r'class="(?:nav-link|dropdown-item)[^"]*" href="([^"]*)"', nav)
        assert len(links) >= 4, (url, links)
        for link in links:
            if link.split("?")[0] in menu or link.startswith("/reports/?"):
                assert link.endswith("?year=2020"), (url, link)
    text = get(client, users["province"], reverse("dashboard-tasks"))
    assert 'href="/reports/review/?year=2021"' in text


def test_a_continued_target_shows_last_years_achievement(client, users, tree, two_years, settings):
    """2021's target 1 continues 2020's: as of November 2021 its row says "cùng kỳ 2020: 77";
    2021's target 3, new, says nothing of 2020. (On 1 December 2021: a dashboard is never shown
    as of a month that has not begun.)"""
    settings.UNIONPLAN_TODAY = datetime.date(2021, 12, 1)
    text = get(client, users["province"], reverse("dashboard-unit", args=[tree["province"].pk]) + "?month=11")
    assert "cùng kỳ 2020: 77" in text
    assert text.count("cùng kỳ 2020") == 2  # targets 1 and 2 continue 2020's; target 3 does not
    as_of_october = get(client, users["province"], reverse("dashboard-unit", args=[tree["province"].pk]) + "?month=10")
    assert "cùng kỳ 2020: 0" in as_of_october


def test_the_progress_export_has_last_years_column(client, users, tree, two_years, settings):
    """The dashboard's progress export carries "Cùng kỳ năm trước": 77 for target 1 (it
    continues 2020's), empty for target 3 (new in 2021)."""
    settings.UNIONPLAN_TODAY = datetime.date(2021, 12, 1)
    client.force_login(users["province"])
    url = reverse("dashboard-unit", args=[tree["province"].pk]) + "?month=11&_export=csv&table=progress"
    rows = list(csv.reader(io.StringIO(client.get(url).content.decode("utf-8-sig"))))
    header = next(row for row in rows if "Cùng kỳ năm trước" in row)
    body = rows[rows.index(header) + 1 :]
    column = header.index("Cùng kỳ năm trước")
    by_target = {row[0]: row[column] for row in body}
    assert by_target["1"] == "77"
    assert by_target["3"] == ""


@pytest.fixture
def locked_2020(client, users, tree, two_years):
    """Submitted (firm), approved (school) December 2020 reports; then 2020 locked by the
    provincial staff through the dashboard's button and its confirmation page."""
    resolution = two_years[0]
    file_report(resolution, tree["firm"], DEC, {}, status=MonthlyReport.Status.SUBMITTED)
    file_report(resolution, tree["school"], DEC, {})
    dashboard = get(client, users["province"], reverse("dashboard-unit", args=[tree["province"].pk]) + "?year=2020")
    lock_url = reverse("year_lock", args=[resolution.pk])
    assert lock_url in dashboard
    assert "Khóa sổ năm" in get(client, users["province"], lock_url)
    assert client.post(lock_url).status_code == 302
    resolution.refresh_from_db()
    return resolution


def test_locking_is_recorded_and_refuses_writes(client, users, tree, locked_2020):
    """After the lock (who and when kept), approving, returning, filing and creating a 2020
    report are refused with a message in Vietnamese; nothing changes."""
    resolution = locked_2020
    assert resolution.locked_by == users["province"] and resolution.locked_at is not None
    assert resolution.history.first().history_change_reason == "Khóa sổ năm"
    firm_report = MonthlyReport.objects.get(organisation=tree["firm"], resolution=resolution, month=DEC)

    client.force_login(users["rach_gia"])
    response = client.post(
        reverse("report_review", args=[2020, DEC, tree["firm"].pk]),
        {"action": "approve", "version": firm_report.version},
        follow=True,
    )
    assert "Năm 2020 đã khóa sổ" in response.content.decode()
    firm_report.refresh_from_db()
    assert firm_report.status == MonthlyReport.Status.SUBMITTED
    with pytest.raises(services.ReportYearLocked, match="đã khóa sổ"):
        services.report_return(report=firm_report, user=users["rach_gia"], comment="Sửa lại")

    # A union with no December report yet cannot start one.
    client.force_login(users["ht_firm"])
    response = client.get(reverse("report_edit", args=[2020, DEC, tree["ht_firm"].pk]), follow=True)
    assert "không thể lập báo cáo mới" in response.content.decode()
    assert not MonthlyReport.objects.filter(organisation=tree["ht_firm"], resolution=resolution).exists()
    # Nor can Rạch Giá enter 2020 reports from its Excel template.
    client.force_login(users["rach_gia"])
    template = client.get(reverse("excel_template") + "?year=2020&month=12")
    assert template.status_code == 200
    upload = SimpleUploadedFile("bao-cao.xlsx", template.content)
    response = client.post(reverse("excel_upload"), {"file": upload}, follow=True)  # to the import's page
    assert response.status_code == 400 and "Năm 2020 đã khóa sổ" in response.content.decode()
    # 2021 is not locked.
    assert services.report_get_or_create(
        unit=tree["ht_firm"], resolution=tree["province"].resolutions.get(year=2021), month=1
    )


def test_only_provincial_staff_reopen_in_a_locked_year_and_the_correction_goes_through(
    client, users, tree, locked_2020
):
    """Rạch Giá cannot reopen the school's approved December report; the provincial staff
    can, with a reason; the school then corrects and submits it and Rạch Giá approves it."""
    resolution = locked_2020
    school = MonthlyReport.objects.get(organisation=tree["school"], resolution=resolution, month=DEC)
    with pytest.raises(services.ReportYearLocked):
        services.report_reopen(report=school, user=users["rach_gia"], reason="Sai số liệu")
    detail = get(client, users["rach_gia"], reverse("report_detail", args=[2020, DEC, tree["school"].pk]))
    assert 'value="reopen"' not in detail
    services.report_reopen(report=school, user=users["province"], reason="Sai số liệu tháng 12")
    services.report_save(report=school, user=users["school"], figures={}, tasks={}, expected_version=None, submit=True)
    services.report_approve(report=school, user=users["rach_gia"])
    school.refresh_from_db()
    assert school.status == MonthlyReport.Status.APPROVED and school.revision == 1


def test_unlocking_needs_provincial_staff_and_a_reason(client, users, tree, locked_2020):
    """Rạch Giá may not unlock; the provincial staff unlock with a reason (kept in history),
    and writes go through again."""
    resolution = locked_2020
    lock_url = reverse("year_lock", args=[resolution.pk])
    client.force_login(users["rach_gia"])
    assert client.post(lock_url, {"reason": "x"}).status_code == 403
    client.force_login(users["province"])
    response = client.post(lock_url, {"reason": " "})
    assert response.status_code == 400 and "Hãy ghi lý do mở khóa năm" in response.content.decode()
    assert client.post(lock_url, {"reason": "Bổ sung báo cáo tháng 12"}).status_code == 302
    resolution.refresh_from_db()
    assert not resolution.is_locked
    assert resolution.history.first().history_change_reason == "Bổ sung báo cáo tháng 12"
    firm_report = MonthlyReport.objects.get(organisation=tree["firm"], resolution=resolution, month=DEC)
    services.report_approve(report=firm_report, user=users["rach_gia"])


def test_a_year_in_progress_cannot_be_locked(client, users, tree, two_years):
    """2021 has not ended: no lock button, and a lock is refused with a message."""
    resolution = two_years[1]
    dashboard = get(client, users["province"], reverse("dashboard-unit", args=[tree["province"].pk]))
    assert reverse("year_lock", args=[resolution.pk]) not in dashboard
    response = client.post(reverse("year_lock", args=[resolution.pk]))
    assert response.status_code == 400 and "sau khi năm đó đã kết thúc" in response.content.decode()
    resolution.refresh_from_db()
    assert not resolution.is_locked
