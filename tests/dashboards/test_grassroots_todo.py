"""A grassroots officer's home page says what is due: this month's report with its due date
and days left, overdue months, returned reports with the reviewer's comment and drafts not
yet submitted, each one link away, done months ticked; the month list starts at the union's
founding month."""

import datetime
import re

import pytest
from django.urls import reverse

from branches.models import Organisation, User
from targets.reporting import services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def december(settings):
    settings.UNIONPLAN_TODAY = datetime.date(2020, 12, 3)


def file(resolution, unit, officer, month, submit=True):
    report = services.report_get_or_create(unit=unit, resolution=resolution, month=month)
    services.report_save(
        report=report, user=officer, figures={}, tasks={}, expected_version=report.version, submit=submit
    )
    report.refresh_from_db()
    return report


def section(page, id_):
    return page.split(f'id="{id_}"', 1)[1].split("</div>", 1)[0] if f'id="{id_}"' in page else ""


def test_the_home_page_lists_what_the_union_has_to_do(client, resolution, users, tree):
    school, officer, reviewer = tree["school"], users["school"], users["rach_gia"]
    for month in range(1, 9):
        report = file(resolution, school, officer, month)
        if month < 5:
            services.report_approve(report=report, user=reviewer)
    returned = file(resolution, school, officer, 9)
    services.report_return(
        report=returned, user=reviewer, comment="Thiếu nhiệm vụ 2", expected_version=returned.version
    )
    file(resolution, school, officer, 11, submit=False)  # the month now due, drafted
    file(resolution, school, officer, 12, submit=False)  # next month, drafted early
    client.force_login(officer)
    page = client.get(reverse("home")).content.decode()

    current = section(page, "todo-current")
    assert "Báo cáo tháng 11/2020" in current and "hạn 20/12/2020, còn 17 ngày" in current
    assert reverse("report_edit", args=[2020, 11, school.pk]) in current and "Tiếp tục báo cáo" in current
    overdue = section(page, "todo-overdue")
    assert reverse("report_edit", args=[2020, 10, school.pk]) in overdue and "10/2020" in overdue
    assert all(reverse("report_edit", args=[2020, m, school.pk]) not in overdue for m in (8, 9, 11, 12))
    returned_part = section(page, "todo-returned")
    assert "Thiếu nhiệm vụ 2" in returned_part and reverse("report_edit", args=[2020, 9, school.pk]) in returned_part
    drafts = section(page, "todo-drafts")
    assert reverse("report_edit", args=[2020, 12, school.pk]) in drafts
    months = page.split('id="todo-months"', 1)[1].split("</ol>", 1)[0]
    ticked = re.findall(r"✓ (\d+)/2020", months)
    assert ticked == [str(m) for m in range(1, 9)]


def test_an_upper_level_officer_has_no_grassroots_todo(client, users, resolution):
    client.force_login(users["rach_gia"])
    assert 'id="todo"' not in client.get(reverse("home")).content.decode()


@pytest.fixture
def founded_in_june(tree):
    unit = Organisation.objects.create(
        code="RG-NEW",
        name="CĐCS mới thành lập",
        kind=Organisation.Kind.GRASSROOTS,
        sector=Organisation.Sector.PUBLIC_AGENCY,
        parent=tree["rach_gia"],
        founded_on=datetime.date(2020, 6, 15),
    )
    user = User.objects.create(username="moi", organisation=unit, role=User.Role.GRASSROOTS_OFFICER)
    return unit, user


def test_the_months_start_at_the_founding_month(client, resolution, founded_in_june):
    """Founded 15/06/2020: the month list and the to-do start in June; May cannot be filed."""
    unit, user = founded_in_june
    client.force_login(user)
    index = client.get(reverse("report_index")).content.decode()
    listed = re.findall(r"Tháng (\d+)/2020", index.split('id="months"', 1)[1])
    assert listed == [str(m) for m in range(6, 13)]
    home = client.get(reverse("home")).content.decode()
    months = home.split('id="todo-months"', 1)[1].split("</ol>", 1)[0]
    assert re.findall(r">(\d+)/2020<", months) == [str(m) for m in range(6, 13)]
    overdue = section(home, "todo-overdue")
    assert reverse("report_edit", args=[2020, 6, unit.pk]) in overdue
    assert reverse("report_edit", args=[2020, 5, unit.pk]) not in overdue
    assert client.get(reverse("report_edit", args=[2020, 5, unit.pk])).status_code == 404
    assert client.get(reverse("report_edit", args=[2020, 6, unit.pk])).status_code == 200
