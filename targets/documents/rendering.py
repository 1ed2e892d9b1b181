"""Filling a report template: docxtpl in Jinja's sandbox, with only the placeholders in reach.

``PLACEHOLDERS`` names what a template may use (docs/report-template.md lists the same, a
test keeps them together). The environment is a ``SandboxedEnvironment`` with no globals (no
``range``, ``lipsum``, ``namespace``…), values escaped for XML (``autoescape``: a narrative
holding ``<w:fldSimple …>`` stays text), undefined names an error, and repetition of text
bounded. The context holds text, numbers, lists and dicts only (``report.draft_context``), so a
template cannot reach settings, models or files."""

import io

from docxtpl import DocxTemplate
from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

# Every placeholder a template may use, with what it holds (the docs list the same).
PLACEHOLDERS = {
    "superior": "the superior union's name in capitals (header, first line)",
    "issuer": "the issuing union's name in capitals (header)",
    "number": "“Số:        /BC-LĐLĐ”, the number left blank to fill",
    "place_and_date": "“Kiên Giang, ngày 03 tháng 12 năm 2020”",
    "title": "“BÁO CÁO”",
    "subtitle": "what the report is: “Sơ kết 6 tháng đầu năm thực hiện Nghị quyết …”",
    "period": "“6 tháng đầu năm 2020”, “năm 2020” or “từ đầu năm đến hết tháng 10/2020”",
    "next_period": "“6 tháng cuối năm 2020”, “năm 2021” or “thời gian tới”",
    "month": "the month the figures run to (a number)",
    "year": "the resolution's year (a number)",
    "as_of": "“Số liệu tính đến hết ngày 30/06/2020, chỉ tính các báo cáo đã được duyệt.”",
    "provisional": "a sentence when the month's reports are not all due yet, else empty",
    "resolution": "the resolution: .title .reference .issuing_body .issued_on .theme .year",
    "unit": "the unit the report is about: .name .code",
    "headline": "“Tính đến hết tháng 6/2020: 12/16 chỉ tiêu đạt và vượt, 2 chỉ tiêu chậm tiến độ.”",
    "targets": "the table's rows: .number .name .unit_of_measure .figure .achieved .percent .status .last_year",
    "last_year_heading": "“Cùng kỳ 2019”, the heading of the last-year column",
    "tasks": "priority tasks: .number .title .done .in_progress .not_started .units .summary "
    ".narratives (each .unit .month .text)",
    "behind": "components behind or not achieved: .number .name .achieved .figure .percent .status .need",
    "branches_behind": "per component behind, the units furthest behind: .number .name .units",
    "reporting": "who reported the month: .sentence .branches (each .name .unreported .expected) .units .more",
    "directions": "headings of section IV (a list of texts)",
    "recipients": "“Nơi nhận” lines (a list of texts)",
    "signer_on_behalf": "“TM. BAN THƯỜNG VỤ” or “TM. BAN CHẤP HÀNH”",
    "signer_title": "“CHỦ TỊCH”",
    "prepared_on": "the day the draft was made, dd/mm/yyyy",
    "file_kind": "the report's kind as in the file name (so-ket-6-thang, tong-ket-nam, …)",
}

MAX_REPEATED_CHARS = 100_000
MAX_POWER = 64


class ReportSandbox(SandboxedEnvironment):
    """Jinja's sandbox with no globals, strict about undefined names, and arithmetic that
    cannot make a huge value (``"a" * 10**9``)."""

    intercepted_binops = frozenset(["*", "**"])

    def __init__(self):
        super().__init__(undefined=StrictUndefined, autoescape=True)
        self.globals.clear()

    def call_binop(self, context, operator, left, right):
        if operator == "**":
            if isinstance(right, int | float) and abs(right) > MAX_POWER:
                raise SecurityError("the power is too large")
            return left**right
        if operator == "*":
            for text, times in ((left, right), (right, left)):
                if isinstance(text, str | list | tuple) and isinstance(times, int):
                    if len(text) * times > MAX_REPEATED_CHARS:
                        raise SecurityError("the repeated text is too long")
            return left * right
        return super().call_binop(context, operator, left, right)


def render_docx(template_bytes, context):
    """The .docx (bytes) of ``template_bytes`` filled with ``context``."""
    template = DocxTemplate(io.BytesIO(template_bytes))
    template.render(context, jinja_env=ReportSandbox(), autoescape=True)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()
