"""django-tables2 asks ``inspect.signature`` of a column's render function for every cell it
renders (``django_tables2.utils.call_with_appropriate``): a fifth of a large table page's
time (the national completeness page: 55 of 237 ms under the profiler). The answer depends
on the function only, so it is worked out once per function and kept.
"""

from django_tables2 import utils

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


def keep_signatures():
    utils.signature = signature
