"""Nobody where they don't belong: each report view for each role and for a user of
another subtree; forbidden requests change nothing."""

import datetime
import re

import pytest
from django.urls import reverse

from branches.models import Organisation
from targets.models import MonthlyReport, ReportFigure, TargetComponent
from targets.reporting.services import report_get_or_create, report_save

pytestmark = pytest.mark.django_db


def component(resolution, number, order=1):
    return TargetComponent.objects.get(target__resolution=resolution, target__number=number, order=order)


def url(name, unit, month=3):
    return reverse(name, args=[2020, month, unit.pk])


def submitted_school_report(resolution, tree, users):
    report = report_get_or_create(unit=tree["school"], resolution=resolution, month=3)
    recruits = component(resolution, 1)
    return report_save(
        report=report,
        user=users["school"],
        figures={recruits.pk: {"quantity": 4}},
        tasks={},
        expected_version=1,
        submit=True,
    )


def test_anonymous_is_sent_to_log_in(client, resolution, tree):
    """Every report page asks for a log-in first."""
    for target in (
        reverse("report_index"),
        reverse("review_list"),
        url("report_edit", tree["school"]),
        url("report_detail", tree["school"]),
        reverse("branches:register"),
    ):
        response = client.get(target)
        assert response.status_code == 302 and "/login/" in response["Location"], target


@pytest.mark.parametrize(
    "who, status",
    [("school", 200), ("firm", 403), ("rach_gia", 403), ("ha_tien", 403), ("ht_firm", 403), ("province", 403)],
)
def test_only_the_units_own_officer_opens_its_form(client, resolution, tree, users, who, status):
    """Filing is for the unit's own officer only; a refused request creates no report."""
    client.force_login(users[who])
    assert client.get(url("report_edit", tree["school"])).status_code == status
    assert MonthlyReport.objects.exists() == (status == 200)


@pytest.mark.parametrize(
    "who, status",
    [("school", 200), ("rach_gia", 200), ("province", 200), ("firm", 403), ("ha_tien", 403), ("ht_firm", 403)],
)
def test_report_page_for_the_unit_and_its_ancestors_only(client, resolution, tree, users, who, status):
    """The unit, its upper level and the province read the report; others get 403."""
    submitted_school_report(resolution, tree, users)
    client.force_login(users[who])
    response = client.get(url("report_detail", tree["school"]))
    assert response.status_code == status
    if status == 200:
        assert "Kết nạp đoàn viên mới" in response.content.decode()


@pytest.mark.parametrize("who", ["school", "firm", "ha_tien", "ht_firm"])
def test_review_by_anyone_but_an_ancestor_is_forbidden_and_changes_nothing(client, resolution, tree, users, who):
    """Approving or returning the school's report as itself, a sibling or another subtree: 403."""
    report = submitted_school_report(resolution, tree, users)
    client.force_login(users[who])
    for action in ("approve", "return", "reopen"):
        response = client.post(
            url("report_review", tree["school"]), {"action": action, "comment": "x", "version": report.version}
        )
        assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == "submitted" and report.version == 2 and report.reviewed_by is None
    assert ReportFigure.objects.get(report=report, component=component(resolution, 1)).approved_quantity is None


def test_changing_the_unit_id_in_the_url_is_forbidden_and_changes_nothing(client, resolution, tree, users):
    """The firm's officer posting to the school's form gets 403 and no figure changes."""
    report = report_get_or_create(unit=tree["school"], resolution=resolution, month=3)
    recruits = component(resolution, 1)
    client.force_login(users["firm"])
    response = client.post(
        url("report_edit", tree["school"]), {f"c{recruits.pk}_quantity": "9", "version": "1", "action": "submit"}
    )
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == "draft" and report.version == 1
    assert ReportFigure.objects.get(report=report, component=recruits).quantity is None


def test_a_component_id_of_another_report_in_the_form_is_ignored(client, resolution, tree, users):
    """Posting the meal value (not a public agency's target) into the school's form stores nothing."""
    meal = component(resolution, 13)
    client.force_login(users["school"])
    client.post(url("report_edit", tree["school"]), {f"c{meal.pk}_value": "20.000", "version": "1"})
    assert not ReportFigure.objects.filter(component=meal).exists()


def test_unknown_or_absurd_ids_are_not_found(client, resolution, tree, users):
    """An id that does not exist, or is too large for the database, is a 404, never an error."""
    client.force_login(users["province"])
    huge = 10**20
    for args in ([2020, 3, 999999], [2020, 3, huge], [huge, 3, tree["school"].pk], [2020, huge, tree["school"].pk]):
        assert client.get(reverse("report_detail", args=args)).status_code == 404, args
    assert client.get(reverse("branches:register_under", args=[huge])).status_code == 404
    for query in ({"page": 999}, {"month": "abc", "upper_level": "x", "status": "zzz"}):
        assert client.get(reverse("review_list"), query).status_code in (200, 404)


@pytest.mark.parametrize("who, status", [("school", 403), ("firm", 403), ("rach_gia", 200), ("province", 200)])
def test_review_list_for_reviewers_only(client, resolution, tree, users, who, status):
    """Grassroots officers have no review list; upper levels see only their own subtree."""
    client.force_login(users[who])
    response = client.get(reverse("review_list"))
    assert response.status_code == status
    if who == "rach_gia":
        page = response.content.decode()
        assert "Đơn vị RG-1" in page and "Đơn vị HT-1" not in page


def test_review_list_upper_level_filter_cannot_reach_another_subtree(client, resolution, tree, users):
    """Rạch Giá choosing Hà Tiên as upper level sees nothing of Hà Tiên."""
    client.force_login(users["rach_gia"])
    page = client.get(reverse("review_list"), {"month": 3, "upper_level": tree["ha_tien"].pk}).content.decode()
    assert "Đơn vị HT-1" not in page and "Đơn vị HT-2" not in page


def test_index_lists_the_officers_own_twelve_months(client, resolution, tree, users):
    """The officer's page lists January to December 2020 of their own unit."""
    client.force_login(users["school"])
    page = client.get(reverse("report_index")).content.decode()
    assert page.count("/reports/2020/") == 12 and f"/{tree['school'].pk}/edit/" in page
    assert "Tháng 3/2020" in page and "2.020" not in page
    assert set(re.findall(r"/reports/2020/\d+/(\d+)/", page)) == {str(tree["school"].pk)}


def test_nav_links_by_role(client, resolution, tree, users):
    """Officers see "Báo cáo tháng"; reviewers also "Duyệt báo cáo"."""
    client.force_login(users["school"])
    page = client.get(reverse("home")).content.decode()
    assert "Báo cáo tháng" in page and "Duyệt báo cáo" not in page
    client.force_login(users["rach_gia"])
    page = client.get(reverse("home")).content.decode()
    assert "Báo cáo tháng" in page and "Duyệt báo cáo" in page


def test_register_a_unit_in_own_subtree(client, resolution, tree, users):
    """Rạch Giá registers a new enterprise union; the code is generated; target 2 counts it."""
    client.force_login(users["rach_gia"])
    response = client.post(
        reverse("branches:register"),
        {
            "name": "CĐCS Công ty Hải sản Mới",
            "code": "",
            "sector": "non_state_enterprise",
            "workforce": "1.200",
            "members": "300",
            "founded_on": "02/03/2020",
        },
    )
    assert response.status_code == 302
    unit = Organisation.objects.get(name="CĐCS Công ty Hải sản Mới")
    assert (unit.parent, unit.code, unit.workforce, unit.kind) == (tree["rach_gia"], "RG-004", 1200, "grassroots")
    assert unit.founded_on == datetime.date(2020, 3, 2)
    assert component(resolution, 2).founded_units(tree["rach_gia"]).count() == 1


@pytest.mark.parametrize(
    "data, message",
    [
        ({"founded_on": "01/01/2099"}, "tương lai"),
        ({"members": "900"}, "nhiều đoàn viên hơn"),
        ({"code": "RG-1"}, "mang mã này"),
        ({"workforce": "-5"}, ""),
    ],
)
def test_register_refuses_bad_input_and_keeps_it(client, resolution, tree, users, data, message):
    """A future founding date, more members than workers, a taken code: message, nothing saved."""
    client.force_login(users["rach_gia"])
    post = {
        "name": "CĐCS X",
        "sector": "public_agency",
        "workforce": "100",
        "members": "50",
        "founded_on": "02/03/2020",
    }
    response = client.post(reverse("branches:register"), post | data)
    page = response.content.decode()
    assert response.status_code == 200 and message in page and "invalid-feedback" in page
    assert 'value="CĐCS X"' in page
    assert not Organisation.objects.filter(name="CĐCS X").exists()


@pytest.mark.parametrize("who", ["school", "ha_tien"])
def test_register_under_another_subtree_is_forbidden(client, resolution, tree, users, who):
    """A grassroots officer, or Hà Tiên registering under Rạch Giá: 403 and nothing created."""
    client.force_login(users[who])
    response = client.post(
        reverse("branches:register_under", args=[tree["rach_gia"].pk]),
        {"name": "CĐCS Lạ", "sector": "public_agency", "workforce": "10", "members": "5", "founded_on": "02/03/2020"},
    )
    assert response.status_code == 403
    assert not Organisation.objects.filter(name="CĐCS Lạ").exists()
