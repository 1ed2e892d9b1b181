"""django-tables2's per-cell ``signature`` lookup is kept per render function
(unionplan/table_cells.py): the same answers, and a table renders the same cells."""

import django_tables2 as tables
from django.test import RequestFactory
from django_tables2 import utils

from unionplan import table_cells


class Figures(tables.Table):
    name = tables.Column()
    quantity = tables.Column()

    def render_quantity(self, value, record):
        return f"{value} ({record['name']})"


def test_table_rendering_uses_the_kept_signature():
    assert utils.signature is table_cells.signature  # set up when the app is ready


def test_answers_are_those_django_tables2_works_out():
    def plain(value, record):
        pass

    def catch_all(value, **kwargs):
        pass

    table = Figures([])
    for fn in (plain, catch_all, table.render_quantity, Figures([]).render_quantity, lambda record: None):
        assert table_cells.signature(fn) == table_cells._worked_out(fn)
    # A bound method: self left out, whichever instance asks.
    assert table_cells.signature(Figures([]).render_quantity) == (("value", "record"), None)


def test_a_table_renders_each_row_with_its_own_record():
    rows = [{"name": "CĐ A", "quantity": 3}, {"name": "CĐ B", "quantity": 5}]
    table = Figures(rows)
    table.request = RequestFactory().get("/")
    html = table.as_html(table.request)
    assert "3 (CĐ A)" in html and "5 (CĐ B)" in html


class Submitted(tables.Table):
    name = tables.Column()
    submitted_at = tables.DateColumn(format="d/m/Y")


def test_a_date_column_compiles_its_template_once_and_renders_each_value():
    import datetime

    rows = [{"name": "CĐ A", "submitted_at": datetime.date(2020, 3, 5)}, {"name": "CĐ B", "submitted_at": None}]
    table_cells.compiled.cache_clear()
    table = Submitted(rows)
    html = table.as_html(RequestFactory().get("/"))
    assert "05/03/2020" in html
    assert table_cells.compiled.cache_info().currsize == 1  # one column, one compiled template
    assert table_cells.compiled.cache_info().hits >= 1


class Mixed(tables.Table):
    """What a cell can be: escaped text, safe HTML, a number localised or not, and <td>
    attributes that depend on the row (a function of its record) or not."""

    name = tables.Column(attrs={"td": {"class": "unit", "data-kind": lambda record: record["kind"]}})
    link = tables.Column(attrs={"td": {"class": "link"}})
    quantity = tables.Column(localize=True)
    code = tables.Column(localize=False)
    members = tables.Column()

    class Meta:
        empty_text = "Chưa có đơn vị nào"
        row_attrs = {"data-id": lambda record: record["code"]}

    def render_link(self, value):
        from django.utils.html import format_html

        return format_html('<a href="/u/{}/">mở</a>', value)


def body(html):
    """The <tbody> of a rendered table, whitespace between tags taken out."""
    import re

    inside = html.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", inside)).strip()


def test_the_body_written_in_python_is_the_one_django_tables2_s_template_writes(settings, monkeypatch):
    from targets.templatetags import unionplan as tags

    settings.USE_THOUSAND_SEPARATOR = True
    written = []

    def spy(table, context):
        written.append(table)
        return table_cells.body_rows(table, context)

    monkeypatch.setattr(tags, "body_rows", spy)
    rows = [
        {"name": "CĐ <A> & co", "kind": "grassroots", "link": 7, "quantity": 5821, "code": 15000, "members": 1200},
        {"name": "CĐ B", "kind": "upper", "link": 8, "quantity": 3, "code": 2020, "members": None},
    ]
    request = RequestFactory().get("/")
    for data in (rows, []):
        ours = Mixed(data, template_name="django_tables2/bootstrap5-responsive.html").as_html(request)
        theirs = Mixed(data, template_name="django_tables2/bootstrap5.html").as_html(request)
        assert body(ours) == body(theirs)
    assert len(written) == 2  # our template wrote both bodies in Python
    html = Mixed(rows, template_name="django_tables2/bootstrap5-responsive.html").as_html(request)
    assert "CĐ &lt;A&gt; &amp; co" in html  # escaped
    assert '<a href="/u/7/">mở</a>' in html  # safe HTML kept
    assert 'data-kind="grassroots"' in html and 'data-kind="upper"' in html  # per row
    assert 'data-id="15000"' in html
    assert "5.821" in html and ">15000<" in html  # localised, and not
    empty = Mixed([], template_name="django_tables2/bootstrap5-responsive.html").as_html(request)
    assert "Chưa có đơn vị nào" in empty
