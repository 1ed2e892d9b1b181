"""In a real browser: provincial staff choose "6 tháng đầu năm" beside "Dự thảo báo cáo" on
the province's dashboard and download the mid-year review as a Word file holding the
dashboard's figures for June (issue 25)."""

import datetime
import io

import pytest
from docx import Document

from tests.dashboard_data import build_scenario
from tests.documents.helpers import targets_table

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_province_downloads_its_mid_year_draft_from_the_dashboard(log_in, settings, resolution, tree, users):
    settings.UNIONPLAN_TODAY = datetime.date(2020, 12, 3)
    build_scenario(resolution, tree)
    page = log_in("tinh")
    page.goto(f"/dashboard/unit/{tree['province'].pk}/?month=10")
    page.select_option("#draft-period", "half")
    with page.expect_download() as waiting:
        page.click("#draft-report")
    download = waiting.value
    assert download.suggested_filename == "bao-cao-so-ket-6-thang-2020-KG.docx"
    doc = Document(io.BytesIO(open(download.path(), "rb").read()))
    rows = targets_table(doc)
    assert len(rows) == 18 and rows[0][1] == "Kết nạp đoàn viên mới"

    # The same figures as the dashboard of June, seen in the browser.
    page.goto(f"/dashboard/unit/{tree['province'].pk}/?month=6")
    first = page.locator("table.progress-table tbody tr").first
    # The page's columns: #, target, figure, achieved, percent (a bar and its text), status…;
    # a cell's secondary figures stand on a second line, apart from its main text.
    june_percent = first.locator("td").nth(4).locator(".bar-text").inner_text().strip()
    june_achieved = (
        first.locator("td")
        .nth(3)
        .evaluate(
            "td => Array.from(td.childNodes).filter(n => !(n.classList && n.classList.contains('second-line')))"
            ".map(n => n.textContent).join('').trim()"
        )
    )
    assert rows[0][5] == june_percent and rows[0][4] == june_achieved
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Sơ kết 6 tháng đầu năm" in text and "Số liệu tính đến hết ngày 30/06/2020" in text
