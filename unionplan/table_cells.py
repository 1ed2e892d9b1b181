"""Two things django-tables2 works out again for every cell it renders, kept instead, and
its table body written in Python (``body_rows``):

- ``inspect.signature`` of a column's render function (``utils.call_with_appropriate``): a
  fifth of a large table page's time (the national completeness page: 55 of 237 ms under the
  profiler). The answer depends on the function only.
- the compiled template of a column given as template code (``TemplateColumn``, and the date
  and time columns built on it): the reviewer's inbox compiled ``{{ value|date:… }}`` 50 times
  a page (21 of 190 ms under the profiler). A compiled Django template may be rendered any
  number of times, by any thread.
"""

import functools

from django.template import Template
from django.template.base import render_value_in_context
from django.templatetags.l10n import localize, unlocalize
from django.utils.safestring import mark_safe
from django_tables2 import utils
from django_tables2.columns import templatecolumn

_worked_out = utils.signature
_known = {}
KEEP = 4096  # render functions are declared once per table class: a few hundred at most


def signature(fn):
    """``django_tables2.utils.signature``, kept per function (a bound method: per method,
    whatever its instance; ``self`` is left out either way)."""
    key = (getattr(fn, "__func__", fn), hasattr(fn, "__self__"))
    try:
        return _known[key]
    except KeyError:
        pass
    except TypeError:  # an unhashable callable: worked out each time, as before
        return _worked_out(fn)
    answer = _worked_out(fn)
    if len(_known) < KEEP:
        _known[key] = answer
    return answer


@functools.lru_cache(maxsize=256)
def compiled(template_code):
    """``Template(template_code)``, compiled once per code (columns declare a handful)."""
    return Template(template_code)


def keep_per_table_work():
    utils.signature = signature
    templatecolumn.Template = compiled


def body_rows(table, context):
    """The rows of a table's ``<tbody>`` exactly as django-tables2's template writes them
    (``<tr {{ row.attrs.as_html }}>`` and a ``<td {{ column.attrs.td.as_html }}>`` per cell, the
    cell localised as the column says and escaped unless safe), in a loop of Python: the
    template engine's lookups cost a national completeness page or inbox a third of its time
    (hundreds of cells). Everything a cell shows still comes from the table and its columns."""
    rows, td_attrs = [], {}  # the column's <td> attributes, when they are the same on every row
    for row in table.paginated_rows:
        cells = []
        for column, cell in row.items():
            if column.localize is not None:
                cell = localize(cell) if column.localize else unlocalize(cell)
            attrs = td_attrs.get(column.name)
            if attrs is None:
                attrs = column.attrs["td"].as_html()
                if not _row_dependent(table, column):
                    td_attrs[column.name] = attrs
            cells.append(f"<td {attrs}>{render_value_in_context(cell, context)}</td>")
        rows.append(f"<tr {row.attrs.as_html()}>{''.join(cells)}</tr>")
    return mark_safe("\n".join(rows))


def _row_dependent(table, column):
    """Whether a column's <td> attributes may differ from row to row: some value in them (the
    table's or the column's, under "td" or "cell") is a function of the row's record or value."""

    def calls(value):
        if isinstance(value, dict):
            return any(calls(v) for v in value.values())
        return callable(value)

    return any(calls(attrs.get(key, {})) for attrs in (table.attrs, column.column.attrs) for key in ("td", "cell"))
