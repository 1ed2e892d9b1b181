"""The default report template, built with python-docx in the state's format for
administrative documents (Nghị định 30/2020/NĐ-CP, Phụ lục I): A4, margins top and bottom
20 mm, left 30 mm, right 15 mm; Times New Roman 13 pt (14 pt for the title and the motto);
a two-column header (superior and issuing union on the left, the national motto on the right,
then the number and the place and date); the title; sections I–IV; "Nơi nhận" on the left
and the signature on the right; page numbers at the top from page 2.

The built file is committed as ``default_report.docx`` beside this module (offices can open it
in Word and start their own from it); ``manage.py build_report_template`` rebuilds it, and a
test checks that the committed file is what this module builds. Placeholders are docxtpl's
(``{{ … }}``, ``{%p … %}`` for a paragraph, ``{%tr … %}`` for a table row), from
``placeholders.PLACEHOLDERS`` only."""

import datetime
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

DEFAULT_TEMPLATE = Path(__file__).resolve().parent / "default_report.docx"
FONT = "Times New Roman"
BODY_PT = 13
TEXT_WIDTH_MM = 210 - 30 - 15
CENTER, JUSTIFY, LEFT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.LEFT


def _set_fonts(rpr_owner, size=None):
    """Times New Roman for every script (Vietnamese falls under hAnsi) and Vietnamese as the language."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")
    rpr.append(lang)


def _page(document):
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance, section.footer_distance = Mm(10), Mm(10)
    # Page numbers: centred at the top, from the second page on.
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _styles(document):
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    _set_fonts(normal.element)
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(6)
    fmt.line_spacing = 1.15
    table_style = document.styles["Table Grid"]
    table_style.font.name = FONT


def _paragraph(container, text="", *, align=JUSTIFY, bold=False, italic=False, size=BODY_PT, indent=True, after=6):
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_after = Pt(after)
    if indent and align == JUSTIFY:
        fmt.first_line_indent = Mm(10)
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic, run.font.size = bold, italic, Pt(size)
    return paragraph


def _tag(container, tag):
    """A docxtpl paragraph tag ({%p … %}): the paragraph is replaced by what the tag does."""
    return _paragraph(container, tag, align=LEFT, indent=False, after=0)


def _short_rule(container, width_mm, cell_mm):
    """A line ``width_mm`` long, centred in a width of ``cell_mm`` (the rule under the issuing
    union and under the title): the bottom border of an empty paragraph indented on both sides."""
    paragraph = container.add_paragraph()
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.line_spacing = 1.0
    run = paragraph.add_run("")
    run.font.size = Pt(2)
    margin = Mm((cell_mm - width_mm) / 2)
    fmt = paragraph.paragraph_format
    fmt.left_indent = fmt.right_indent = margin
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.append(borders)


def _no_borders(table):
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tbl_pr.append(borders)


def _widths(table, widths_mm):
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)


def _cell_paragraph(cell, text, *, bold=False, italic=False, size=BODY_PT, align=CENTER, underline=False, first=False):
    paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.line_spacing = 1.0
    run = paragraph.add_run(text)
    run.bold, run.italic, run.underline, run.font.size = bold, italic, underline, Pt(size)
    return paragraph


def _header(document):
    """Superior and issuing union | national motto; number | place and date."""
    left_mm, right_mm = 68, TEXT_WIDTH_MM - 68
    table = document.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(table)
    _widths(table, (left_mm, right_mm))
    left, right = table.rows[0].cells
    _cell_paragraph(left, "{{ superior }}", size=12, first=True)
    _cell_paragraph(left, "{{ issuer }}", bold=True, size=13)
    _short_rule(left, 25, left_mm)
    _cell_paragraph(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12, first=True)
    _cell_paragraph(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=13, underline=True)
    left, right = table.rows[1].cells
    number = _cell_paragraph(left, "{{ number }}", size=13, first=True)
    number.paragraph_format.space_before = Pt(6)
    date = _cell_paragraph(right, "{{ place_and_date }}", italic=True, size=13, first=True)
    date.paragraph_format.space_before = Pt(6)


def _title(document):
    _paragraph(document, "", after=0)
    _paragraph(document, "{{ title }}", align=CENTER, bold=True, size=14, after=0)
    _paragraph(document, "{{ subtitle }}", align=CENTER, bold=True, size=14, after=0)
    _short_rule(document, 40, TEXT_WIDTH_MM)
    _paragraph(document, "", after=0)
    _paragraph(document, "{{ as_of }}", align=CENTER, italic=True, size=12, after=0)
    _tag(document, "{%p if provisional %}")
    _paragraph(document, "{{ provisional }}", align=CENTER, italic=True, size=12, after=0)
    _tag(document, "{%p endif %}")
    _paragraph(document, "", after=0)
    _paragraph(
        document,
        "Thực hiện {{ resolution.title }} của {{ resolution.issuing_body }} (ban hành ngày "
        "{{ resolution.issued_on }}), {{ unit.name }} báo cáo kết quả thực hiện {{ period }} như sau:",
    )


def _targets(document):
    _paragraph(document, "I. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU", bold=True, indent=False)
    _paragraph(document, "{{ headline }}")
    headings = (
        "TT",
        "Chỉ tiêu",
        "Đơn vị tính",
        "Chỉ tiêu giao",
        "Kết quả",
        "Tỷ lệ",
        "Đánh giá",
        "{{ last_year_heading }}",
    )
    cells = (
        "{{ t.number }}",
        "{{ t.name }}",
        "{{ t.unit_of_measure }}",
        "{{ t.figure }}",
        "{{ t.achieved }}",
        "{{ t.percent }}",
        "{{ t.status }}",
        "{{ t.last_year }}",
    )
    widths = (10, 38, 17, 18, 22, 23, 20, 17)
    table = document.add_table(rows=4, cols=len(headings))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, widths)
    for cell, text in zip(table.rows[0].cells, headings, strict=True):
        _cell_paragraph(cell, text, bold=True, size=11, first=True)
    # The header row repeats on every page the table runs over.
    header_pr = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    header_pr.append(repeat)
    _cell_paragraph(table.rows[1].cells[0], "{%tr for t in targets %}", size=11, first=True)
    for index, (cell, text) in enumerate(zip(table.rows[2].cells, cells, strict=True)):
        _cell_paragraph(cell, text, size=11, align=LEFT if index == 1 else CENTER, first=True)
    _cell_paragraph(table.rows[3].cells[0], "{%tr endfor %}", size=11, first=True)
    _paragraph(document, "", after=0)


def _tasks(document):
    _paragraph(document, "II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ TRỌNG TÂM", bold=True, indent=False)
    _tag(document, "{%p for task in tasks %}")
    _paragraph(document, "{{ task.number }}. {{ task.title }}", bold=True)
    _paragraph(document, "{{ task.summary }}")
    _tag(document, "{%p for n in task.narratives %}")
    _paragraph(document, "- {{ n.unit }} (tháng {{ n.month }}): {{ n.text }}")
    _tag(document, "{%p endfor %}")
    _tag(document, "{%p endfor %}")


def _shortcomings(document):
    _paragraph(document, "III. NHỮNG HẠN CHẾ, TỒN TẠI VÀ NGUYÊN NHÂN", bold=True, indent=False)
    _paragraph(document, "1. Các chỉ tiêu chậm tiến độ, không đạt", bold=True, italic=True)
    _tag(document, "{%p for b in behind %}")
    _paragraph(
        document,
        "- Chỉ tiêu {{ b.number }} ({{ b.name }}): kết quả {{ b.achieved }}, chỉ tiêu {{ b.figure }} "
        "({{ b.percent }}), {{ b.status|lower }}; {{ b.need }}.",
    )
    _tag(document, "{%p endfor %}")
    _tag(document, "{%p if not behind %}")
    _paragraph(document, "Không có chỉ tiêu chậm tiến độ.")
    _tag(document, "{%p endif %}")
    _tag(document, "{%p if branches_behind %}")
    _paragraph(document, "2. Các đơn vị chậm nhất so với chỉ tiêu được giao", bold=True, italic=True)
    _tag(document, "{%p for x in branches_behind %}")
    _paragraph(document, "- Chỉ tiêu {{ x.number }} ({{ x.name }}): {{ x.units }}.")
    _tag(document, "{%p endfor %}")
    _tag(document, "{%p endif %}")
    _paragraph(document, "3. Tình hình báo cáo của các đơn vị", bold=True, italic=True)
    _paragraph(document, "{{ reporting.sentence }}")
    _tag(document, "{%p for r in reporting.branches %}")
    _paragraph(document, "- {{ r.name }}: {{ r.unreported }}/{{ r.expected }} đơn vị chưa báo cáo.")
    _tag(document, "{%p endfor %}")
    _tag(document, "{%p if reporting.units %}")
    _paragraph(
        document,
        "Đơn vị chưa báo cáo: {{ reporting.units|join(', ') }}{% if reporting.more %} {{ reporting.more }}{% endif %}.",
    )
    _tag(document, "{%p endif %}")
    _paragraph(document, "4. Nguyên nhân", bold=True, italic=True)
    _paragraph(document, "……………………………………………………………………………………")


def _directions(document):
    _paragraph(document, "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ {{ next_period|upper }}", bold=True, indent=False)
    _tag(document, "{%p for d in directions %}")
    _paragraph(document, "{{ loop.index }}. {{ d }}", bold=True)
    _paragraph(document, "……………………………………………………………………………………")
    _tag(document, "{%p endfor %}")
    _paragraph(document, "Trên đây là báo cáo kết quả thực hiện {{ period }} của {{ unit.name }}./.")


def _signature(document):
    """ "Nơi nhận:" on the left (bold italic 12 pt, items 11 pt), the signer on the right."""
    left_mm, right_mm = 75, TEXT_WIDTH_MM - 75
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(table)
    _widths(table, (left_mm, right_mm))
    left, right = table.rows[0].cells
    _cell_paragraph(left, "Nơi nhận:", bold=True, italic=True, size=12, align=LEFT, first=True)
    _cell_paragraph(left, "{%p for r in recipients %}", size=11, align=LEFT)
    _cell_paragraph(left, "- {{ r }}", size=11, align=LEFT)
    _cell_paragraph(left, "{%p endfor %}", size=11, align=LEFT)
    _cell_paragraph(right, "{{ signer_on_behalf }}", bold=True, size=13, first=True)
    _cell_paragraph(right, "{{ signer_title }}", bold=True, size=13)
    for _ in range(5):
        _cell_paragraph(right, "", size=13)


def build_default_template():
    """The default template as a python-docx ``Document``."""
    document = Document()
    # The starting document holds an empty paragraph: removed, so the header table comes first.
    body = document.element.body
    for paragraph in list(body.iterchildren(qn("w:p"))):
        body.remove(paragraph)
    _page(document)
    _styles(document)
    _header(document)
    _title(document)
    _targets(document)
    _tasks(document)
    _shortcomings(document)
    _directions(document)
    _signature(document)
    props = document.core_properties
    props.title = "Báo cáo sơ kết, tổng kết thực hiện Nghị quyết"
    props.author = props.last_modified_by = "UnionPlan"
    props.language = "vi-VN"
    props.created = props.modified = datetime.datetime(2020, 1, 1)
    props.revision = 1
    return document


def write_default_template(path=DEFAULT_TEMPLATE):
    build_default_template().save(path)
    return path
