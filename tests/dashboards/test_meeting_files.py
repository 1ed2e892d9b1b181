"""Files fit for a meeting: every XLSX export opens with a title block (table, unit,
resolution, as-of month, when it was made), a bold header frozen under it, columns wide enough
for their content, numbers and percents as numbers shown the Vietnamese way; every CSV starts
with a byte-order mark; file names are Vietnamese without diacritics, name the table, the unit
and the month, and never collide."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from branches.models import Organisation
from tests.dashboard_data import component, file_report
from unionplan.spreadsheets import ascii_slug

pytestmark = pytest.mark.django_db
FILE_NAME = re.compile(r'attachment; filename="([a-z0-9-]+)_([a-z0-9-]+)_(\d{4}-\d{2})\.(xlsx|csv)"')


@pytest.fixture
def meeting(settings, resolution, tree):
    """Rạch Giá under its real name, a report of October approved, the clock at 3/12/2020."""
    settings.UNIONPLAN_TODAY = datetime.date(2020, 12, 3)
    tree["rach_gia"].name = "LĐLĐ thành phố Rạch Giá"
    tree["rach_gia"].save()
    recruits = component(resolution, 1)
    file_report(resolution, tree["school"], 10, {recruits: {"quantity": 1234}})
    return {"recruits": recruits}


def exports(tree, meeting):
    """(url, table) of every export of every dashboard page, for the province and Rạch Giá."""
    found = []
    for unit in (tree["province"], tree["rach_gia"]):
        found += [
            (reverse("dashboard-unit", args=[unit.pk]) + "?", "progress"),
            (reverse("dashboard-component", args=[unit.pk, meeting["recruits"].pk]) + "?", "units"),
            (reverse("dashboard-completeness") + f"?unit={unit.pk}&", "branches"),
            (reverse("dashboard-completeness") + f"?unit={unit.pk}&", "units"),
            (reverse("dashboard-tasks") + f"?unit={unit.pk}&", "tasks"),
            (reverse("dashboard-tasks") + f"?unit={unit.pk}&", "narratives"),
        ]
    found.append((reverse("dashboard-unit", args=[tree["school"].pk]) + "?", "progress"))
    return found


def download(client, url, table, fmt, month=10):
    response = client.get(f"{url}month={month}&_export={fmt}&table={table}")
    assert response.status_code == 200, (url, table, fmt)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return response["Content-Disposition"], content


def header_row(sheet):
    return int(sheet.freeze_panes[1:]) - 1


def test_the_province_table_opens_with_a_title_block_and_a_frozen_bold_header(client, users, tree, meeting):
    client.force_login(users["rach_gia"])
    disposition, content = download(
        client, reverse("dashboard-unit", args=[tree["rach_gia"].pk]) + "?", "progress", "xlsx"
    )
    assert disposition == 'attachment; filename="tien-do-chi-tieu_ldld-tp-rach-gia_2020-10.xlsx"'
    sheet = load_workbook(io.BytesIO(content)).active
    title = [sheet.cell(row=r, column=1).value for r in range(1, 6)]
    assert title[0] == "Tiến độ thực hiện chỉ tiêu"
    assert title[1] == "Đơn vị: LĐLĐ thành phố Rạch Giá"
    assert title[2].startswith("Nghị quyết: ") and title[2].endswith("(2020)")
    assert title[3] == "Số liệu tính đến hết tháng 10/2020"
    assert re.fullmatch(r"Lập lúc \d\d:\d\d ngày 03/12/2020", title[4])
    assert sheet.cell(row=1, column=1).font.b

    row = header_row(sheet)
    assert sheet.freeze_panes == f"A{row + 1}"
    header = [c.value for c in sheet[row]]
    assert header[:3] == ["#", "Chỉ tiêu", "Đơn vị tính"]
    assert all(c.font.b for c in sheet[row] if c.value)

    cells = {h: c for h, c in zip(header, sheet[row + 1], strict=True)}  # target 1
    assert cells["Đã đạt"].value == 1234 and cells["Đã đạt"].number_format == "#,##0"
    assert cells["Tỷ lệ so với chỉ tiêu"].value is None  # Rạch Giá was allocated no figure

    client.force_login(users["province"])
    _, content = download(client, reverse("dashboard-unit", args=[tree["province"].pk]) + "?", "progress", "xlsx")
    province = load_workbook(io.BytesIO(content)).active
    cells = {
        h.value: c for h, c in zip(province[header_row(province)], province[header_row(province) + 1], strict=True)
    }
    percent = cells["Tỷ lệ so với chỉ tiêu"]  # 1.234 of 5.821: 21,2%
    assert percent.value == pytest.approx(21.2, abs=0.05) and percent.number_format == '0.0"%"'
    assert cells["Chỉ tiêu giao"].value == 5821 and cells["Chỉ tiêu giao"].number_format == "#,##0"

    widths = {h: sheet.column_dimensions[chr(ord("A") + i)].width for i, h in enumerate(header)}
    assert widths["Chỉ tiêu"] > widths["#"]
    targets = sheet["B"][row:]
    assert widths["Chỉ tiêu"] >= min(60, max(len(c.value) for c in targets))
    assert all(c.alignment.wrap_text for c in targets if len(c.value) > 60)  # wrapped, never cut
    assert all(6 <= w <= 60 for w in widths.values())


def test_every_export_has_its_title_its_own_file_name_and_csv_a_byte_order_mark(client, users, tree, meeting):
    client.force_login(users["province"])
    names = []
    for url, table in exports(tree, meeting):
        disposition, content = download(client, url, table, "xlsx")
        match = FILE_NAME.fullmatch(disposition)
        assert match, disposition
        assert match.group(3) == "2020-10"
        names.append(match.group(0))
        sheet = load_workbook(io.BytesIO(content)).active
        row = header_row(sheet)
        assert row > 5, (url, table)
        assert sheet.cell(row=4, column=1).value == "Số liệu tính đến hết tháng 10/2020"
        assert [c for c in sheet[row] if c.value] and all(c.font.b for c in sheet[row] if c.value)
        for data_row in sheet.iter_rows(min_row=row + 1):
            for cell in data_row:
                if isinstance(cell.value, int | float):
                    assert cell.number_format in ("#,##0", "#,##0.0#", '0.0"%"'), (url, table, cell.number_format)

        disposition, content = download(client, url, table, "csv")
        assert FILE_NAME.fullmatch(disposition)
        names.append(FILE_NAME.fullmatch(disposition).group(0))
        assert content.startswith(b"\xef\xbb\xbf"), (url, table)
    # The same table of the province and of Rạch Giá, or two tables of one page: never one name.
    assert len(names) == len(set(names))


def test_namesakes_and_long_names_get_their_code_in_the_file_name(client, users, tree, meeting):
    twin = Organisation.objects.create(
        code="HT-TWIN",
        name="LĐLĐ thành phố Rạch Giá",
        kind=Organisation.Kind.UPPER_LEVEL,
        parent=tree["province"],
    )
    client.force_login(users["province"])
    first, _ = download(client, reverse("dashboard-unit", args=[tree["rach_gia"].pk]) + "?", "progress", "csv")
    second, _ = download(client, reverse("dashboard-unit", args=[twin.pk]) + "?", "progress", "csv")
    assert first == 'attachment; filename="tien-do-chi-tieu_ldld-tp-rach-gia-rg_2020-10.csv"'
    assert second == 'attachment; filename="tien-do-chi-tieu_ldld-tp-rach-gia-ht-twin_2020-10.csv"'


@pytest.mark.parametrize(
    "name, slug",
    [
        ("LĐLĐ thành phố Rạch Giá", "ldld-tp-rach-gia"),
        ("Liên đoàn Lao động tỉnh Kiên Giang", "ldld-tinh-kien-giang"),
        ("CĐCS Trường THCS Vĩnh Hòa Hưng (huyện Gò Quao)", "cdcs-truong-thcs-vinh-hoa-hung-huyen-go-quao"),
        ("Tiến độ chỉ tiêu", "tien-do-chi-tieu"),
    ],
)
def test_file_names_are_vietnamese_without_diacritics(name, slug):
    assert ascii_slug(name) == slug
