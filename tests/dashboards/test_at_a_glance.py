"""The dashboard at a glance (issue 23): each target's row has a bar of achieved against its
figure with a mark where it should be by now, coloured and patterned by verdict, and the
percent as text; the overview opens with a small chart per target; the target's short name
with its full text on hover; the secondary figures under the main ones on the page and each
in its own column of the exports."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse

from tests.dashboard_data import build_scenario, component

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario(resolution, tree):
    return build_scenario(resolution, tree)


def dashboard(client, user, unit, month=3):
    client.force_login(user)
    response = client.get(reverse("dashboard-unit", args=[unit.pk]) + f"?month={month}&year=2020")
    assert response.status_code == 200
    return response.content.decode()


def row_of(text, component_pk):
    """The progress table's row whose target links to ``component_pk``'s page."""
    rows = re.findall(
        r"<tr[^>]*>(.*?)</tr>", text.split('class="table table-sm table-hover align-middle progress-table"')[1], re.S
    )
    (row,) = [r for r in rows if f"/component/{component_pk}/" in r]
    return row


def test_each_target_row_has_a_bar_a_mark_where_it_should_be_and_the_percent(client, users, tree, scenario, settings):
    """Rạch Giá as of March: target 1 has 26 of its allocation of 30 approved (86,7%: 15 from
    the school, 7 from the firm, 4 from the union dissolved in March), and a straight line
    expects 8 of the 30 by the end of March (3/12, rounded up: 26,7%): the bar is filled to
    86,7, the mark stands at 26,7, "đạt 86,7%" is written beside it, and the row is on track (a blue
    fill). Target 6, with no figure for Rạch Giá, has no bar. For the province target 1 is
    behind: a hatched bar, readable without colour."""
    settings.UNIONPLAN_TODAY = datetime.date(2020, 12, 3)
    text = dashboard(client, users["rach_gia"], tree["rach_gia"])
    row = row_of(text, scenario["t1"].pk)
    bar = re.search(r'<svg class="bar".*?</svg>', row, re.S).group(0)
    fills = re.findall(r'<rect x="0" y="3" width="([\d.]+)" height="8" fill="([^"]+)"', bar)
    assert fills[1] == ("86.7", "#0a58ca")  # achieved, on track
    assert re.search(r'class="bar-expected" x1="26.7"', bar)
    assert '<span class="bar-text">đạt 86,7%</span>' in row
    assert "▲ Đúng tiến độ" in row
    assert 'aria-hidden="true"' in bar  # the text says it all to a screen reader

    unallocated = row_of(text, scenario["t6"].pk)  # Rạch Giá was given no figure for target 6
    assert '<svg class="bar"' not in unallocated and "Chưa giao chỉ tiêu" in unallocated

    text = dashboard(client, users["province"], tree["province"])
    behind = row_of(text, scenario["t1"].pk)  # 29 of 5.821 by March
    assert 'fill="url(#bar-hatch)"' in behind and "▼ Chậm tiến độ" in behind
    assert 'id="bar-hatch"' in text  # the pattern, once on the page
    assert text.count('id="bar-hatch"') == 1


def test_secondary_figures_sit_under_the_main_ones(client, users, tree, scenario, settings):
    """Target 1 for the province as of March: awaiting approval (20, Hà Tiên's school),
    expected by now with its rhythm, what is short and what it takes, each under the figure
    it explains, with its number on one line."""
    settings.UNIONPLAN_TODAY = datetime.date(2020, 12, 3)
    text = dashboard(client, users["province"], tree["province"])
    row = row_of(text, scenario["t1"].pk)
    assert 'chờ duyệt: <span class="tabular">20</span>' in row
    assert re.search(r'cần đạt đến nay: <span class="tabular">1\.455</span> \(tuyến tính\)', row)
    assert re.search(r'còn thiếu <span class="tabular">5\.\d{3}</span>', row)
    assert "cần " in row and "/tháng" in row


def test_target_names_are_short_with_the_full_text_on_hover(client, users, tree, scenario, resolution):
    text = dashboard(client, users["province"], tree["province"])
    target = component(resolution, 1).target
    assert f'title="{target.text}">{target.short_name}</a>' in text
    assert len(target.short_name) < len(target.text)


def test_the_overview_opens_with_a_small_chart_per_target(client, users, tree, scenario, resolution, settings):
    """One thumbnail per target component (18), server-drawn SVG, each linking to its
    target's page and named for a screen reader with its percent and status."""
    settings.UNIONPLAN_TODAY = datetime.date(2020, 12, 3)
    text = dashboard(client, users["province"], tree["province"])
    overview = text.split('id="overview-title"')[1].split("</section>")[0]
    charts = re.findall(r'<svg [^>]*class="small-multiple" role="img" aria-label="([^"]+)">', overview)
    assert len(charts) == resolution.components().count() == 18
    t1 = scenario["t1"]
    assert f"/dashboard/unit/{tree['province'].pk}/component/{t1.pk}/?" in overview
    assert any(label.startswith("1. Kết nạp đoàn viên mới: đạt") for label in charts)
    assert text.index('id="overview-title"') < text.index("progress-table")
    # The province's cumulative line of target 1 climbs over January to March (10, 17, 22).
    card = overview.split(f"/component/{t1.pk}/")[1].split("</li>")[0]
    points = re.findall(r'<polyline points="([^"]+)" fill="none" stroke="#[0-9a-f]+" stroke-width="2.5"', card)
    ys = [float(p.split(",")[1]) for p in points[0].split()]
    assert len(ys) == 4 and ys[0] > ys[1] > ys[2] > ys[3]  # month 0 and months 1 to 3, rising


def test_a_grassroots_union_has_no_overview_of_targets(client, users, tree, scenario):
    text = dashboard(client, users["school"], tree["school"])
    assert "small-multiple" not in text


def test_the_export_keeps_every_column(client, users, tree, scenario):
    """The page folds the secondary figures under the main ones; the CSV keeps each in its column."""
    client.force_login(users["province"])
    url = reverse("dashboard-unit", args=[tree["province"].pk]) + "?month=3&year=2020&_export=csv&table=progress"
    content = client.get(url).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    header = next(r for r in rows if r and r[0] == "#")
    for name in [
        "Chỉ tiêu",
        "Đơn vị tính",
        "Chỉ tiêu giao",
        "Đã đạt",
        "Đã gửi, chờ duyệt",
        "Tỷ lệ so với chỉ tiêu",
        "Cần đạt đến nay",
        "Tình trạng",
        "Còn thiếu so với chỉ tiêu",
        "Cần mỗi tháng còn lại",
        "Ước cả năm",
    ]:
        assert name in header, name
    first = dict(zip(header, rows[rows.index(header) + 1], strict=False))  # target 1
    assert first["Tình trạng"] in {"Đúng tiến độ", "Chậm tiến độ"}  # the word, not the badge's markup
    assert first["Đã gửi, chờ duyệt"] == "20"
    assert "<svg" not in content and "second-line" not in content
