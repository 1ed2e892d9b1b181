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
