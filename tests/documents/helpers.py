"""Reading a draft report (python-docx) and a dashboard page's table, to compare them."""

import io
import re
from html.parser import HTMLParser

from django.urls import reverse
from docx import Document

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def draft(client, unit, **query):
    """The draft of ``unit`` (a response with the .docx), with ``query`` (period, month, year)."""
    response = client.get(reverse("dashboard-draft", args=[unit.pk]), query)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == DOCX
    return response


def document(response):
    return Document(io.BytesIO(response.content))


def document_text(doc):
    """Every paragraph's text, in the body and in every table cell."""
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                lines += [p.text for p in cell.paragraphs]
    return "\n".join(lines)


def targets_table(doc):
    """The rows of section I's table (header row left out), each a list of cell texts."""
    for table in doc.tables:
        if table.rows[0].cells[0].text.strip() == "TT":
            return [[cell.text for cell in row.cells] for row in table.rows[1:]]
    raise AssertionError("no table of the targets in the draft")


class _Tables(HTMLParser):
    """The rows of the first table whose class holds ``css_class``: each cell as its main
    text (what the cell shows first; a chart's SVG left out) and, apart, the text of each
    classed span of its second line ("unit", "pending", "last-year"…)."""

    SECOND_LINE = "second-line"

    def __init__(self, css_class):
        super().__init__()
        self.css_class = css_class
        self.depth = 0  # >0 inside the wanted table
        self.rows, self.row, self.cell = [], None, None
        self.in_body = False
        self.open = []  # (tag, classes) of the elements open inside the cell

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            if self.depth:
                self.depth += 1
            elif self.css_class in (attrs.get("class") or "").split() and not self.rows:
                self.depth = 1
        elif self.depth == 1 and tag == "tbody":
            self.in_body = True
        elif self.depth == 1 and self.in_body and tag == "tr":
            self.row = []
        elif self.depth == 1 and self.row is not None and tag == "td":
            self.cell, self.open = {"main": [], "notes": {}}, []
        elif self.cell is not None:
            if tag == "br":
                self.cell["main"].append("\n")
            elif tag not in ("img", "input", "hr", "wbr", "meta", "link", "use", "path", "rect", "line"):
                self.open.append((tag, (attrs.get("class") or "").split()))

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1
        elif self.depth == 1 and tag == "tbody":
            self.in_body = False
        elif self.depth == 1 and tag == "td" and self.cell is not None:
            main = re.sub(r"[ \t]+", " ", "".join(self.cell["main"])).strip()
            notes = {k: re.sub(r"\s+", " ", "".join(v)).strip() for k, v in self.cell["notes"].items()}
            self.row.append({"main": main, "notes": notes})
            self.cell = None
        elif self.depth == 1 and tag == "tr" and self.row is not None:
            self.rows.append(self.row)
            self.row = None
        elif self.cell is not None and self.open:
            for i in range(len(self.open) - 1, -1, -1):
                if self.open[i][0] == tag:
                    del self.open[i:]
                    break

    def handle_data(self, data):
        if self.cell is None or any(tag == "svg" for tag, _classes in self.open):
            return
        second = [classes for _tag, classes in self.open if self.SECOND_LINE in classes]
        if not second:
            self.cell["main"].append(data)
            return
        for _tag, classes in self.open:
            for name in classes:
                self.cell["notes"].setdefault(name, []).append(data)


def page_table(html, css_class):
    """The table's rows, each a list of its cells' main texts."""
    return [[cell["main"] for cell in row] for row in page_cells(html, css_class)]


def page_cells(html, css_class):
    """The table's rows, each a list of cells ({"main": text, "notes": {class: text}})."""
    parser = _Tables(css_class)
    parser.feed(html)
    return parser.rows


def dashboard_rows(client, unit, **query):
    """The dashboard's progress table of ``unit``, a row per component: the main text of each
    column, and from the second lines the unit of measure and the same period last year."""
    response = client.get(reverse("dashboard-unit", args=[unit.pk]), query)
    assert response.status_code == 200
    columns = ("number", "target", "figure", "achieved", "percent", "status", "projected")
    rows = page_cells(response.content.decode(), "progress-table")
    assert rows, "no progress table on the dashboard"
    shown = []
    for row in rows:
        cells = dict(zip(columns, row, strict=False))
        record = {name: cell["main"] for name, cell in cells.items()}
        record["unit_of_measure"] = cells["figure"]["notes"].get("unit", "")
        record["last_year"] = cells["achieved"]["notes"].get("last-year", "")
        shown.append(record)
    return shown


def assert_same_figures(doc, page_rows):
    """Every row of the draft's table holds the dashboard's figure, achieved, percent, status
    and (where a previous year's target continues) the same period last year."""
    rows = targets_table(doc)
    assert len(rows) == len(page_rows)
    for drafted, shown in zip(rows, page_rows, strict=True):
        number, name, unit_of_measure, figure, achieved, percent, status, last_year = drafted
        assert number == shown["number"]
        assert name == shown["target"]
        # The page leaves out the unit under a money figure or a share (it is in the figure).
        assert shown["unit_of_measure"] in (unit_of_measure, "")
        assert figure == shown["figure"]
        assert achieved == shown["achieved"]
        if shown["last_year"]:
            assert shown["last_year"].endswith(f": {last_year}"), (shown["last_year"], last_year)
        else:
            assert last_year == "–"
        assert percent == shown["percent"]
        assert shown["status"].endswith(status), (shown["status"], status)
