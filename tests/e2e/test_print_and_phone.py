"""In a real browser: the dashboard printed to PDF by Chromium fits the 16 targets on one
portrait A4 page with the report's head and signature block; on a 375 × 812 phone every
dashboard row shows its target, percent and status without sideways scrolling."""

import datetime
import io

import pytest
from pypdf import PdfReader

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
A4_POINTS = (595, 842)  # 210 × 297 mm


def pdf_pages(page):
    """The page printed as Chromium prints it (print media, A4, the stylesheet's margins)."""
    page.emulate_media(media="print")
    reader = PdfReader(io.BytesIO(page.pdf(format="A4", prefer_css_page_size=True, print_background=False)))
    return reader.pages


def test_the_province_dashboard_prints_on_one_a4_page_with_head_and_signatures(
    log_in, settings, resolution, tree, users
):
    settings.UNIONPLAN_TODAY = datetime.date(2020, 12, 3)
    users["province"].first_name, users["province"].last_name = "Thị Mai", "Trần"
    users["province"].save()
    page = log_in("tinh")
    page.goto(f"/dashboard/unit/{tree['province'].pk}/print/?month=10")
    text = page.inner_text("body")
    assert "LIÊN ĐOÀN LAO ĐỘNG TỈNH KIÊN GIANG" in text
    assert "số liệu tính đến hết tháng 10/2020" in text
    assert "Ngày 03 tháng 12 năm 2020" in text
    assert "Trần Thị Mai" in text  # who prepared it, by name
    assert "Người lập biểu" in text and "Thủ trưởng đơn vị" in text
    rows = page.locator("table tbody tr")
    numbers = {rows.nth(i).locator("td").first.inner_text().strip() for i in range(rows.count())}
    assert {str(n) for n in range(1, 17)} <= numbers  # all 16 targets

    pages = pdf_pages(page)
    assert len(pages) == 1
    width, height = (round(float(v)) for v in pages[0].mediabox.upper_right)
    assert (width, height) == A4_POINTS  # portrait
    printed = pages[0].extract_text()
    assert "Người lập biểu" in printed and "Thủ trưởng đơn vị" in printed

    # The count is real: the ordinary dashboard page, printed the same way, takes more.
    page.emulate_media(media="screen")
    page.goto(f"/dashboard/unit/{tree['province'].pk}/?month=10")
    assert len(pdf_pages(page)) > 1


def test_an_upper_level_and_a_grassroots_union_print_on_one_page_too(log_in, resolution, tree, users):
    page = log_in("rachgia")
    for unit in (tree["rach_gia"], tree["school"]):
        response = page.goto(f"/dashboard/unit/{unit.pk}/print/?month=12")
        assert response.status == 200
        assert unit.name.upper() in page.inner_text("header")
        assert len(pdf_pages(page)) == 1, unit.name
        page.emulate_media(media="screen")


def phone_page(browser, live_server, username):
    context = browser.new_context(base_url=live_server.url, locale="vi-VN", viewport=PHONE, has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form [type=submit]")
    page.wait_for_load_state()
    return context, page


def no_sideways_scrolling(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (page.url, width)


def cells_on_screen(page, table_selector, headers):
    """Every body row of the table shows the cells under ``headers``, wholly within the screen."""
    table = page.locator(table_selector).first
    names = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    rows = table.locator("tbody tr")
    assert rows.count() > 0
    for i in range(rows.count()):
        cells = rows.nth(i).locator("td")
        for header in headers:
            box = cells.nth(names.index(header)).bounding_box()
            assert box is not None and box["width"] > 0, (page.url, header, i)
            assert 0 <= box["x"] and box["x"] + box["width"] <= PHONE["width"] + 0.5, (page.url, header, i, box)


def test_on_a_phone_every_dashboard_row_shows_target_percent_and_status(browser, live_server, resolution, tree, users):
    context, page = phone_page(browser, live_server, "tinh")
    province, rach_gia = tree["province"], tree["rach_gia"]
    component = resolution.components().get(target__number=1)

    page.goto(f"/dashboard/unit/{province.pk}/?month=10")
    no_sideways_scrolling(page)
    cells_on_screen(page, "table.progress-table", ["Chỉ tiêu", "Tỷ lệ so với chỉ tiêu", "Tình trạng"])

    page.goto(f"/dashboard/unit/{province.pk}/component/{component.pk}/?month=10")
    no_sideways_scrolling(page)
    cells_on_screen(page, "table.branch-table", ["Công đoàn", "Tỷ lệ so với chỉ tiêu", "Tình trạng"])

    for path in (
        f"/dashboard/unit/{rach_gia.pk}/?month=10",
        f"/dashboard/completeness/?unit={province.pk}&month=10",
        f"/dashboard/tasks/?unit={province.pk}&month=10",
        f"/dashboard/unit/{tree['school'].pk}/?month=10",
    ):
        page.goto(path)
        no_sideways_scrolling(page)
    context.close()


def test_on_a_phone_a_grassroots_union_sees_its_year_to_date(browser, live_server, resolution, tree, users):
    context, page = phone_page(browser, live_server, "school")
    page.goto(f"/dashboard/unit/{tree['school'].pk}/?month=11")
    no_sideways_scrolling(page)
    cells_on_screen(page, "table.contribution-table", ["Chỉ tiêu", "Lũy kế"])
    context.close()


def test_every_month_prints_on_one_a4_page_for_the_province_an_upper_level_and_a_grassroots_union(
    log_in, settings, resolution, tree, users
):
    """Months 1 to 12, for the province, an upper level and a grassroots union (long names, the
    scenario's reports: rows say what each target still needs), printed by Chromium with its
    own page settings and with the stylesheet's: always one portrait A4 page with both
    signatures."""
    from tests.dashboard_data import build_scenario

    settings.UNIONPLAN_TODAY = datetime.date(2021, 1, 25)  # every month of 2020 can be shown
    build_scenario(resolution, tree)
    tree["rach_gia"].name = "Liên đoàn Lao động thành phố Rạch Giá, tỉnh Kiên Giang"
    tree["rach_gia"].save()
    tree["school"].name = "Công đoàn cơ sở Trường Trung học phổ thông chuyên Huỳnh Mẫn Đạt (Rạch Giá)"
    tree["school"].save()
    page = log_in("tinh")
    counts = {}
    for unit in (tree["province"], tree["rach_gia"], tree["school"]):
        for month in range(1, 13):
            page.emulate_media(media="screen")
            assert page.goto(f"/dashboard/unit/{unit.pk}/print/?month={month}").status == 200
            page.emulate_media(media="print")
            for prefer_css in (False, True):
                pdf = PdfReader(io.BytesIO(page.pdf(format="A4", prefer_css_page_size=prefer_css)))
                counts[unit.code, month, prefer_css] = len(pdf.pages)
                last = pdf.pages[-1]
                if not prefer_css:  # reading a PDF's text is slow: once per sheet is enough
                    text = last.extract_text()
                    assert "Người lập biểu" in text and "Thủ trưởng đơn vị" in text, (unit.code, month)
                width, height = (float(v) for v in last.mediabox.upper_right)
                # A4 portrait (Chromium's own A4 is 8.27 × 11.7 inches: a point more each way).
                assert abs(width - A4_POINTS[0]) < 2 and abs(height - A4_POINTS[1]) < 2, (width, height)
    assert len(counts) == 72
    assert {key: n for key, n in counts.items() if n != 1} == {}
