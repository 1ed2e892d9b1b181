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
    """The rows (cell texts) of the first table whose class holds ``css_class``."""

    def __init__(self, css_class):
        super().__init__()
        self.css_class = css_class
        self.depth = 0  # >0 inside the wanted table
        self.rows, self.row, self.cell = [], None, None
        self.in_body = False

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
            self.cell = []
        elif self.cell is not None and tag == "br":
            self.cell.append("\n")

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1
        elif self.depth == 1 and tag == "tbody":
            self.in_body = False
        elif self.depth == 1 and tag == "td" and self.cell is not None:
            self.row.append(re.sub(r"[ \t]+", " ", "".join(self.cell)).strip())
            self.cell = None
        elif self.depth == 1 and tag == "tr" and self.row is not None:
            self.rows.append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def page_table(html, css_class):
    parser = _Tables(css_class)
    parser.feed(html)
    return parser.rows


def dashboard_rows(client, unit, **query):
    """The dashboard's progress table of ``unit``: {(number, target name): {column: text}}."""
    response = client.get(reverse("dashboard-unit", args=[unit.pk]), query)
    assert response.status_code == 200
    columns = ("number", "target", "unit_of_measure", "figure", "achieved", "pending", "percent", "expected")
    columns += ("status", "remaining", "catch_up", "projected")
    rows = page_table(response.content.decode(), "progress-table")
    assert rows, "no progress table on the dashboard"
    return [dict(zip(columns, row, strict=False)) for row in rows]


def assert_same_figures(doc, page_rows):
    """Every row of the draft's table holds the dashboard's figure, achieved, percent, status
    and (where a previous year's target continues) the same period last year."""
    rows = targets_table(doc)
    assert len(rows) == len(page_rows)
    for drafted, shown in zip(rows, page_rows, strict=True):
        number, name, unit_of_measure, figure, achieved, percent, status, last_year = drafted
        assert number == shown["number"]
        assert name == shown["target"]
        assert unit_of_measure == shown["unit_of_measure"]
        assert figure == shown["figure"]
        achieved_shown, _, last_year_shown = shown["achieved"].partition("\n")
        assert achieved == achieved_shown.strip()
        if last_year_shown:
            assert last_year_shown.strip().endswith(f": {last_year}"), (last_year_shown, last_year)
        else:
            assert last_year == "–"
        assert percent == shown["percent"]
        assert shown["status"].endswith(status), (shown["status"], status)
