"""Two things django-tables2 works out again for every cell it renders, kept instead:

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
