"""Files that leave the app are safe to open: a unit name or narrative that looks like a
formula stays text in every XLSX export and in the Excel template, is neutralised in every
CSV export, and characters XML cannot hold never make a download fail."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from targets.models import TaskProgress
from tests.dashboard_data import component, file_report

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://example.invalid","Bấm vào đây")'
CONTROL = "CĐCS\x0bBell\x07Esc\x1bFeed\x0c"


@pytest.fixture
def hostile(resolution, tree):
    """A grassroots union named like a formula, another with control characters, and a
    narrative that is a formula, all reported in March."""
    firm, school = tree["firm"], tree["school"]
    firm.name = FORMULA
    firm.save()
    school.name = CONTROL
    school.save()
    recruits = component(resolution, 1)
    for unit in (firm, school):
        report = file_report(resolution, unit, 3, {recruits: {"quantity": 4}})
        TaskProgress.objects.create(report=report, task=resolution.tasks.get(number=1), narrative="@SUM(A1:A9)")
    return {"firm": firm, "school": school, "recruits": recruits}


def pages(tree, hostile):
    """Every page that exports, with each of its tables."""
    province, rach_gia = tree["province"], tree["rach_gia"]
    component_url = reverse("dashboard-component", args=[rach_gia.pk, hostile["recruits"].pk])
    return [
        (component_url, "units"),
        (reverse("dashboard-completeness") + f"?unit={rach_gia.pk}&", "branches"),
        (reverse("dashboard-completeness") + f"?unit={rach_gia.pk}&", "units"),
        (reverse("dashboard-tasks") + f"?unit={province.pk}&", "narratives"),
        (reverse("dashboard-tasks") + f"?unit={province.pk}&", "tasks"),
        (reverse("dashboard-unit", args=[province.pk]), "progress"),
    ]


def export(client, url, table, fmt):
    separator = "&" if "?" in url else "?"
    response = client.get(f"{url}{separator}month=3&_export={fmt}&table={table}")
    assert response.status_code == 200, (url, table, fmt)
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_every_xlsx_export_holds_text_never_a_formula(client, users, tree, hostile):
    client.force_login(users["province"])
    seen = set()
    for url, table in pages(tree, hostile):
        sheet = load_workbook(io.BytesIO(export(client, url, table, "xlsx"))).active
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (url, table, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    seen.add(cell.value)
    assert FORMULA in seen
    assert "CĐCSBellEscFeed" in seen
    assert "@SUM(A1:A9)" in seen


def test_every_csv_export_neutralises_formulas_and_starts_with_a_byte_order_mark(client, users, tree, hostile):
    client.force_login(users["province"])
    seen = set()
    for url, table in pages(tree, hostile):
        content = export(client, url, table, "csv")
        assert content.startswith(b"\xef\xbb\xbf"), (url, table)
        for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))):
            for value in row:
                assert not value.startswith(("=", "+", "@", "\t", "\r")), (url, table, value)
                seen.add(value)
    assert "'" + FORMULA in seen
    assert "'@SUM(A1:A9)" in seen


def test_the_excel_template_holds_unit_names_as_text(client, users, tree, hostile):
    client.force_login(users["rach_gia"])
    # Both units reported March: the template lists them when asked for every unit.
    response = client.get(reverse("excel_template"), {"month": 3, "all_units": "on"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = {}
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
            values[cell.value] = cell
    assert FORMULA in values and "CĐCSBellEscFeed" in values
