"""What a draft report says, as plain text placeholders for a template (``draft_context``).

Every figure comes from the functions the dashboards use (``targets.rollup``) and is written
the way the dashboards write it (``targets.dashboards.columns``, ``unionplan.numbers``), so the
draft holds exactly the dashboard's figures for the same unit and month. The wording is the
report's: an administrative document in Vietnamese, whatever the interface language.

Nothing in the context is a model or a function: only text, numbers, lists and dicts, so that
a template (rendered in Jinja's sandbox) can reach nothing else. ``PLACEHOLDERS`` lists them
(docs/report-template.md documents them; ``validation`` refuses a template using another)."""

import html
import re
from dataclasses import dataclass

from django.db.models import TextChoices
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from branches.models import Organisation
from targets.dashboards.columns import figure_text, share_text
from targets.dashboards.verdicts import catch_up_text
from targets.rollup.breakdown import branch_progress, children_units, eligible_by_branch_of, furthest_behind
from targets.rollup.completeness import completeness, unreported_units
from targets.rollup.figures import children_counted
from targets.rollup.pace import Status
from targets.rollup.progress import headline, same_period_last_year, scope_progress
from targets.rollup.tasks import NarrativesNewestFirst, task_narratives, task_summary
from unionplan import clock
from unionplan.numbers import format_achievement, format_money, format_number, format_percent
from unionplan.spreadsheets import ascii_slug


class Period(TextChoices):
    """Which period a draft covers: the mid-year review (sơ kết, January to June), the
    year-end review (tổng kết), or the year up to the month the dashboard shows."""

    HALF = "half", _("First six months (mid-year review)")
    YEAR = "year", _("The whole year (year-end review)")
    MONTH = "month", _("Up to the month shown")


EMPTY = "—"
NARRATIVES_PER_TASK = 3
BRANCHES_BEHIND = 3
UNREPORTED_NAMED = 10
# Characters XML 1.0 cannot hold, and those docxtpl turns into layout (\a paragraph, \f page
# break, \t tab): a unit's narrative is text and nothing else. Line breaks are kept.
_NOT_TEXT = re.compile("[\x00-\x09\x0b-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def plain(text):
    """``text`` as plain text a Word file can hold: no control characters (a tab is a space)."""
    return _NOT_TEXT.sub(" ", str(text))


@dataclass(frozen=True)
class DraftPeriod:
    period: str
    month: int  # the figures run to the end of this month


def draft_period(resolution, period, month):
    """The month a draft's figures run to: June for the mid-year review, December for the
    year, else ``month``; never a month that has not begun (the dashboards' rule)."""
    end = {Period.HALF: 6, Period.YEAR: 12}.get(period, month)
    return DraftPeriod(period, resolution.nearest_month_begun(end))


# --- the document's wording ----------------------------------------------------------------


def date_line(place, day):
    """ "Kiên Giang, ngày 03 tháng 12 năm 2020": a day below 10 and the months 1 and 2 with a
    leading zero (Nghị định 30/2020/NĐ-CP)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


_PLACE = re.compile(r"(?:tỉnh|thành phố|TP\.?)\s+(.+)$", re.IGNORECASE)


def place_of(federation):
    """Where the federation sits, from its name ("Liên đoàn Lao động tỉnh Kiên Giang" →
    "Kiên Giang"); dots to fill in when the name does not say."""
    match = _PLACE.search(federation.name)
    return match.group(1).strip() if match else "……………"


def superior_of(unit):
    """The name of the union above the issuing one (the header's first line, the first
    recipient); a provincial federation at the top of the tree answers to the Confederation."""
    if unit.parent_id:
        return unit.parent.name
    if unit.kind == Organisation.Kind.PROVINCE:
        return "Tổng Liên đoàn Lao động Việt Nam"
    return ""


def header_name(name):
    """A union's name for the header's first line: capitals, the Confederation abbreviated
    as the decree allows ("TỔNG LĐLĐ VIỆT NAM"), so that it fits its column."""
    return name.upper().replace("TỔNG LIÊN ĐOÀN LAO ĐỘNG", "TỔNG LĐLĐ")


def document_symbol(unit):
    """The abbreviation after the number: BC-LĐLĐ for a federation of labour, BC-TLĐ for the
    Confederation, BC-CĐ for any other union (the office corrects it if it writes otherwise)."""
    if unit.kind == Organisation.Kind.CONFEDERATION:
        return "BC-TLĐ"
    name = unit.name.lower()
    if name.startswith(("liên đoàn lao động", "lđlđ")):
        return "BC-LĐLĐ"
    return "BC-CĐ"


def report_wording(resolution, period, month):
    """(kind in capitals for the file, subtitle, period phrase, next period) of a draft."""
    year = resolution.year
    title = resolution.title[:1].upper() + resolution.title[1:]
    if period == Period.HALF:
        return (
            "so-ket-6-thang",
            f"Sơ kết 6 tháng đầu năm thực hiện {title}",
            f"6 tháng đầu năm {year}",
            f"6 tháng cuối năm {year}",
        )
    if period == Period.YEAR:
        return "tong-ket-nam", f"Tổng kết thực hiện {title}", f"năm {year}", f"năm {year + 1}"
    return (
        f"ket-qua-den-thang-{month}",
        f"Kết quả thực hiện {title} đến hết tháng {month}/{year}",
        f"từ đầu năm đến hết tháng {month}/{year}",
        "thời gian tới",
    )


def file_name(resolution, scope, period, month):
    """ASCII, naming the report, the period and the unit: bao-cao-so-ket-6-thang-2020-KG.docx."""
    kind = report_wording(resolution, period, month)[0]
    code = re.sub(r"[^A-Za-z0-9-]+", "-", ascii_slug(scope.code, max_length=40).upper()).strip("-") or str(scope.pk)
    return f"bao-cao-{kind}-{resolution.year}-{code}.docx"


# --- figures, the dashboard's way ----------------------------------------------------------


def amount_text(component, value):
    """An amount as the dashboard writes it, as text: 5.821, 2,5 tỷ đồng; a true minus."""
    if value is None:
        return "–"
    text = format_money(value) if component.is_money else format_number(value)
    return text.replace("-", "−", 1) if value < 0 else text


def as_text(value):
    """Text of what a dashboard cell shows (its HTML without tags)."""
    return html.unescape(strip_tags(str(value)))


def component_name(component):
    name = component.target.short_name
    return f"{name} – {component.label}" if component.label else name


def achieved_text(row):
    """The dashboard's "Achieved": "37,5% (3/8 doanh nghiệp)", "2/3" for all of them, an amount."""
    if row.is_share:
        return share_text(row.share, row.achieved, row.eligible, row.component.unit_of_measure)
    if row.all_eligible and row.figure:
        return f"{format_number(row.achieved)}/{format_number(row.figure)}"
    return amount_text(row.component, row.achieved)


def target_rows(rows, last_year):
    result = []
    for row in rows:
        component = row.component
        result.append(
            {
                "number": str(component.target.number),
                "name": plain(component_name(component)),
                "unit_of_measure": plain(component.unit_of_measure),
                # A dashboard table writes a missing value "—" (django-tables2's default).
                "figure": as_text(figure_text(component, row)) if row.figure is not None else EMPTY,
                "achieved": achieved_text(row),
                "percent": format_achievement(row.percent) if row.percent is not None else EMPTY,
                "status": str(Status(row.status).label),
                "last_year": amount_text(component, last_year[component.pk]) if component.pk in last_year else "–",
            }
        )
    return result


def headline_sentence(rows, month, year):
    """ "Tính đến hết tháng 6/2020: 12/16 chỉ tiêu đạt và vượt, 2 chỉ tiêu chậm tiến độ." """
    counts = headline(rows)
    parts = [f"{counts.achieved}/{counts.total} chỉ tiêu đạt và vượt"]
    for number, words in (
        (counts.on_track, "đúng tiến độ"),
        (counts.behind, "chậm tiến độ"),
        (counts.not_achieved, "không đạt"),
        (counts.no_figure, "chưa được giao chỉ tiêu"),
    ):
        if number:
            parts.append(f"{number} chỉ tiêu {words}")
    return f"Tính đến hết tháng {month}/{year}: {', '.join(parts)}."


def behind_rows(rows):
    """The components behind or not achieved, with what it would take."""
    result = []
    for row in rows:
        if row.status not in (Status.BEHIND, Status.NOT_ACHIEVED):
            continue
        component = row.component
        remaining = format_percent(row.remaining) if row.is_share else amount_text(component, row.remaining)
        if row.status == Status.NOT_ACHIEVED:
            need = f"không đạt, còn thiếu {remaining}"
        else:
            need = str(catch_up_text(row.catch_up, component)) or f"còn thiếu {remaining}"
        result.append(
            {
                "number": str(component.target.number),
                "name": plain(component_name(component)),
                "achieved": achieved_text(row),
                "figure": as_text(figure_text(component, row)),
                "percent": format_achievement(row.percent),
                "status": str(Status(row.status).label),
                "need": plain(need),
                "row": row,
            }
        )
    return result


def branches_behind(resolution, scope, month, behind):
    """For each component behind: the children of ``scope`` furthest behind their own
    allocation's pace ("LĐLĐ huyện A (thiếu 120)")."""
    if scope.is_grassroots:
        return []
    # The children on the resolution's year end (``counted_day``): a closed year's as they were.
    children = list(children_units(scope, children_counted(scope, resolution, month)).order_by("path"))
    if not children:
        return []
    # A child's pace against its own allocation needs its eligible units only for a share or
    # an all-of-them figure: those are counted in one query for all the components behind.
    counted = [item["row"].component for item in behind if item["row"].is_share or item["row"].all_eligible]
    eligible = eligible_by_branch_of(resolution, counted, scope, month)
    result = []
    for item in behind:
        row = item["row"]
        component = row.component
        branches = branch_progress(
            resolution, component, scope, month, children, row.profile, eligible=eligible.get(component.pk, {})
        )
        furthest = furthest_behind(branches, limit=BRANCHES_BEHIND)
        if not furthest:
            continue
        units = []
        for b in furthest:
            gap = format_percent(b.shortfall) if b.is_share else amount_text(row.component, b.shortfall)
            units.append(f"{b.unit.name} (thiếu {gap})")
        result.append({"number": item["number"], "name": item["name"], "units": plain("; ".join(units))})
    return result


def newest_narratives(resolution, scope, month, tasks, limit=NARRATIVES_PER_TASK):
    """{task id: its ``limit`` newest narratives}: the latest month's first, in the tree's order
    within a month (the Priority tasks page's order). One page of the page's own reader
    (``NarrativesNewestFirst``: two short queries across a country) usually holds enough for
    every task; a task it leaves short is read on its own, a month at a time."""
    narratives = NarrativesNewestFirst(task_narratives(resolution, scope, month), month)
    found = {task.pk: [] for task in tasks}
    for narrative in narratives[: limit * len(tasks) * 2]:
        if len(found[narrative.task_id]) < limit:
            found[narrative.task_id].append(narrative)
    for task in tasks:
        rows = found[task.pk]
        if len(rows) >= limit:
            continue
        rows.clear()
        for m in range(month, 0, -1):
            rows += narratives.of_month(m).filter(task=task)[: limit - len(rows)]
            if len(rows) >= limit:
                break
    return found


def task_rows(resolution, scope, month):
    summaries = task_summary(resolution, scope, month)
    newest = newest_narratives(resolution, scope, month, [s.task for s in summaries])
    result = []
    for summary in summaries:
        task = summary.task
        narratives = newest[task.pk]
        result.append(
            {
                "number": str(task.number),
                "title": plain(task.title),
                "done": format_number(summary.done),
                "in_progress": format_number(summary.in_progress),
                "not_started": format_number(summary.not_started),
                "units": format_number(summary.units),
                "summary": (
                    f"{format_number(summary.done)} đơn vị báo cáo đã hoàn thành, "
                    f"{format_number(summary.in_progress)} đơn vị đang thực hiện, "
                    f"{format_number(summary.not_started)} đơn vị chưa triển khai "
                    f"(trên {format_number(summary.units)} đơn vị có báo cáo)."
                ),
                "narratives": [
                    {
                        "unit": plain(n.report.organisation.name),
                        "month": str(n.report.month),
                        "text": plain(n.narrative),
                    }
                    for n in narratives
                ],
            }
        )
    return result


def reporting_context(resolution, scope, month):
    """Who reported ``month``: a sentence, the branches with most units missing, a few names."""
    rows, total = completeness(resolution, scope, month)
    past_due = resolution.is_closed(month)
    sentence = (
        f"Tháng {month}/{resolution.year}: {format_number(total.reported)}/{format_number(total.expected)} "
        f"đơn vị đã báo cáo ({format_percent(total.rate)})"
    )
    if total.unreported:
        state = "chưa báo cáo" if past_due else "chưa báo cáo (chưa đến hạn)"
        sentence += f"; {format_number(total.unreported)} đơn vị {state}."
    else:
        sentence += "."
    branches = sorted(
        (r for r in rows if r.unreported and r.unit.pk != scope.pk), key=lambda r: (-r.unreported, r.unit.name)
    )[:5]
    names = []
    if total.unreported:
        names = [plain(u.name) for u in unreported_units(resolution, scope, month)[:UNREPORTED_NAMED]]
    more = total.unreported - len(names)
    return {
        "sentence": plain(sentence),
        "branches": [
            {
                "name": plain(r.unit.name),
                "unreported": format_number(r.unreported),
                "expected": format_number(r.expected),
            }
            for r in branches
        ],
        "units": names,
        "more": f"và {format_number(more)} đơn vị khác" if more > 0 else "",
    }


def grassroots_rows(resolution, scope, rows):
    """A grassroots union's draft lists the components it reports and is eligible for, as its
    dashboard does."""
    return [r for r in rows if r.component.is_reported and r.component.is_eligible(scope)]


def draft_context(resolution, scope, period, month, *, today=None):
    """The placeholders of a draft report of ``scope`` for ``period`` (``Period``) with the
    figures as of the end of ``month``: plain text, numbers, lists and dicts only."""
    with translation.override("vi"):
        return _draft_context(resolution, scope, period, month, today or clock.today())


def _draft_context(resolution, scope, period, month, today):
    year = resolution.year
    federation = resolution.organisation
    kind, subtitle, period_text, next_period = report_wording(resolution, period, month)
    rows = scope_progress(resolution, scope, month)
    if scope.is_grassroots:
        rows = grassroots_rows(resolution, scope, rows)
    last_year = same_period_last_year(resolution, scope, month)
    behind = behind_rows(rows)
    closed = resolution.is_closed(month)
    issuer = scope.name.upper()
    superior = superior_of(scope)
    is_grassroots = scope.is_grassroots
    recipients = []
    if superior:
        recipients.append(f"{superior} (để báo cáo);")
    recipients.append("Các đồng chí Ủy viên Ban Chấp hành;")
    if not is_grassroots and scope.children.exists():
        recipients.append("Các công đoàn trực thuộc;")
    recipients.append("Lưu: VT.")
    provisional = ""
    if not closed:
        provisional = (
            f"Số liệu tạm tính: báo cáo tháng {month}/{year} chưa đến hạn "
            f"(hạn nộp {resolution.due_date(month):%d/%m/%Y})."
        )
    return {
        "superior": plain(header_name(superior)),
        "issuer": plain(issuer),
        "number": f"Số:        /{document_symbol(scope)}",
        "place_and_date": plain(date_line(place_of(federation), today)),
        "title": "BÁO CÁO",
        "subtitle": plain(subtitle),
        "period": period_text,
        "next_period": next_period,
        "month": month,
        "year": year,
        "as_of": (
            f"Số liệu tính đến hết ngày {resolution.month_end(month):%d/%m/%Y}, chỉ tính các báo cáo đã được duyệt."
        ),
        "provisional": provisional,
        "resolution": {
            "title": plain(resolution.title),
            "reference": plain(resolution.reference),
            "issuing_body": plain(resolution.issuing_body),
            "issued_on": f"{resolution.issued_on:%d/%m/%Y}",
            "theme": plain(resolution.theme),
            "year": year,
        },
        "unit": {"name": plain(scope.name), "code": plain(scope.code)},
        "headline": headline_sentence(rows, month, year),
        "targets": target_rows(rows, last_year),
        "last_year_heading": f"Cùng kỳ {year - 1}",
        "tasks": task_rows(resolution, scope, month),
        "behind": [{k: v for k, v in item.items() if k != "row"} for item in behind],
        "branches_behind": branches_behind(resolution, scope, month, behind),
        "reporting": reporting_context(resolution, scope, month),
        "directions": [
            f"Nhiệm vụ trọng tâm {next_period}",
            "Giải pháp thực hiện các chỉ tiêu còn chậm tiến độ",
            "Kiến nghị, đề xuất",
        ],
        "recipients": recipients,
        "signer_on_behalf": "TM. BAN CHẤP HÀNH" if is_grassroots else "TM. BAN THƯỜNG VỤ",
        "signer_title": "CHỦ TỊCH",
        "prepared_on": f"{today:%d/%m/%Y}",
        "file_kind": kind,
    }
