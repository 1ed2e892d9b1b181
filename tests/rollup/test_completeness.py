"""Completeness of reporting: on time, late, missing, not yet due; expected units follow
founding and dissolution dates, so a rate never passes 100%."""

import pytest
from django.urls import reverse

from targets.models import MonthlyReport
from targets.rollup.completeness import completeness, unreported_units
from tests.dashboard_data import build_scenario, file_report, on_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario(resolution, tree):
    data = build_scenario(resolution, tree)
    # Rạch Giá's own March report, submitted after the 20/04 due date: late.
    file_report(resolution, tree["rach_gia"], 3, {}, submitted_at=on_day(2020, 4, 25))
    # A draft does not count as reported.
    file_report(resolution, tree["ht_school"], 2, {}, status=MonthlyReport.Status.DRAFT)
    return data


def test_march_by_upper_level(resolution, tree, scenario):
    """March: expected 9 units (KG, RG, HT, five original grassroots unions and HT-5; not the unit
    dissolved on 15/03, nor those founded in April and June). School, firm, soe, ht_firm and
    ht_school reported on time, Rạch Giá late; KG, HT and HT-5 are missing."""
    rows, total = completeness(resolution, tree["province"], 3)
    assert (total.expected, total.on_time, total.late, total.missing, total.not_yet_due) == (9, 5, 1, 3, 0)
    by_code = {row.unit.code: row for row in rows}
    assert (by_code["KG"].expected, by_code["KG"].missing) == (1, 1)
    assert (by_code["RG"].expected, by_code["RG"].on_time, by_code["RG"].late, by_code["RG"].missing) == (4, 3, 1, 0)
    assert (by_code["HT"].expected, by_code["HT"].on_time, by_code["HT"].missing) == (4, 2, 2)
    missing = {u.code for u in unreported_units(resolution, tree["province"], 3)}
    assert missing == {"KG", "HT", "HT-5"}


def test_dissolved_unit_expected_only_while_active(resolution, tree, scenario):
    """February: the unit dissolved in March is still expected (10 units) and reported; the
    draft of Hà Tiên school counts as missing."""
    rows, total = completeness(resolution, tree["province"], 2)
    assert (total.expected, total.reported) == (10, 4)
    assert total.rate <= 100
    assert "HT-1" in {u.code for u in unreported_units(resolution, tree["province"], 2)}


def test_before_the_due_date_not_yet_due(resolution, tree, scenario):
    """On 10/04/2020 March's reports are not due yet: the 3 unreported units are "not yet due"."""
    rows, total = completeness(resolution, tree["province"], 3, now=on_day(2020, 4, 10))
    assert (total.missing, total.not_yet_due) == (0, 3)


def test_completeness_page_with_contacts(client, users, tree, scenario):
    """The page says how much the total covers and lists whom to call."""
    hà_tiên = tree["ha_tien"]
    hà_tiên.contact_person, hà_tiên.phone = "Trần Thị Lan", "0297 3852 111"
    hà_tiên.save()
    client.force_login(users["province"])
    text = client.get(reverse("dashboard-completeness") + "?month=3").content.decode()
    assert "6 / 9 đơn vị đã báo cáo" in text
    assert "Trần Thị Lan" in text and "0297 3852 111" in text
    assert "Báo cáo tháng 3/2020, hạn nộp ngày 20/04/2020" in text


def test_upper_level_sees_its_own_subtree(client, users, tree, scenario):
    """Rạch Giá's officer sees its 4 units, 4 of 4 reported in March."""
    client.force_login(users["rach_gia"])
    text = client.get(reverse("dashboard-completeness") + "?month=3").content.decode()
    assert "4 / 4 đơn vị đã báo cáo" in text


def test_units_to_call_status_by_status(resolution, tree, scenario):
    """May: a returned report and a draft leave their units on the list, with their report's
    status; a report submitted, approved, or approved once and reopened for correction takes
    its unit off; a unit with no report is listed with none; the unit dissolved in March and
    the one founded in June are not expected. In the tree's order, with the upper level."""
    Status = MonthlyReport.Status
    file_report(resolution, tree["school"], 5, {}, status=Status.RETURNED)
    file_report(resolution, tree["soe"], 5, {}, status=Status.DRAFT)
    reopened = file_report(resolution, tree["firm"], 5, {})
    MonthlyReport.objects.filter(pk=reopened.pk).update(status=Status.RETURNED)
    file_report(resolution, tree["ht_firm"], 5, {}, status=Status.SUBMITTED)
    file_report(resolution, tree["ht_school"], 5, {})
    units = unreported_units(resolution, tree["province"], 5)
    assert [(u.code, u.report_status, u.parent.code if u.parent else None) for u in units] == [
        ("KG", "", None),
        ("RG", "", "KG"),
        ("RG-1", "returned", "RG"),
        ("RG-2", "draft", "RG"),
        ("HT", "", "KG"),
        ("HT-3", "", "HT"),
        ("HT-5", "", "HT"),
    ]
    # What the export reads: the same rows, the upper level's name through the join.
    assert list(units.values_list("name", "parent__name", "report_status"))[2:4] == [
        ("Đơn vị RG-1", "Đơn vị RG", "returned"),
        ("Đơn vị RG-2", "Đơn vị RG", "draft"),
    ]
    # A page of an upper level's list: its own subtree only.
    assert [u.code for u in unreported_units(resolution, tree["ha_tien"], 5)[:2]] == ["HT", "HT-3"]
