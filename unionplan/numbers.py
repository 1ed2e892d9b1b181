"""Numbers the Vietnamese way, read and written in one place: 5.821; 15.000.000; 2,5; 85,3%.

Reading (forms and uploads alike):

- ``parse_integer(text)`` and ``parse_decimal(text, places=2)`` read what a person typed:
  ASCII digits, dots between thousands in groups of three (``5.821``, ``15.000.000``) or no
  dots at all (``5821``), and, for decimals only, a comma before at most ``places`` digits
  (``2,5``). Anything else – ``1.2.3``, ``12.34``, ``1_000``, ``1,000`` for a whole number,
  ``+5``, Arabic-Indic or full-width digits – raises ``NumberFormatError``. Empty text gives
  ``None``: whether a value is required is the caller's business.
- ``number_from_cell(value)`` reads a spreadsheet cell as openpyxl gives it: an int, a float
  with a whole value, a Decimal, or text read as above.
- ``VietnameseIntegerField`` and ``VietnameseDecimalField`` are Django form fields built on
  the parser; their messages name the field's label.

``NumberFormatError.message`` is a short phrase (“nhập số nguyên, …”) that fits after
“Dòng 5, cột “Số hội viên mới”: ”; ``str(error)`` is the same as a sentence.

Writing: ``format_number``, ``format_percent``, ``format_achievement`` and ``format_money``
follow the interface language (5.821 in Vietnamese, 5,821 in English);
``number_for_input`` writes the Vietnamese way whatever the language, so that what an input
box shows is what the parser reads back.

No float is ever involved in reading: figures reach 10^15 (money in đồng), beyond the exact
range of a float's digits.
"""

import re
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.core.validators import DecimalValidator
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

INTEGER_MESSAGE = gettext_lazy("enter a whole number, with dots between thousands (for example 5.821)")
DECIMAL_MESSAGE = gettext_lazy(
    "enter a number, with dots between thousands and a comma before the decimals (for example 15.000 or 2,5)"
)
NEGATIVE_MESSAGE = gettext_lazy("the number cannot be negative")

# Longer text is no figure anyone types; refusing it early keeps int() far from its limits.
MAX_LENGTH = 60

# The whole part: plain digits, or groups of three after a first group that does not start
# with 0 (so "0.123" is refused rather than read as 123). [0-9], not \d: \d takes any
# script's digits.
_WHOLE = r"(?P<whole>[0-9]+|[1-9][0-9]{0,2}(?:\.[0-9]{3})+)"
_INTEGER_RE = re.compile(r"(?P<minus>-)?" + _WHOLE)
_DECIMAL_RE = re.compile(r"(?P<minus>-)?" + _WHOLE + r"(?:,(?P<fraction>[0-9]+))?")


class NumberFormatError(ValueError):
    """Text (or a cell) that is not a number in the form the field takes.

    ``message`` is a phrase without capital or full stop, to follow a field's or a cell's
    name; ``code`` is "invalid", "negative" or "decimal_places"; ``str(error)`` is a sentence.
    """

    def __init__(self, message, code="invalid"):
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self):
        return f"{capfirst(str(self.message))}."


def _match(pattern, text, message, allow_negative):
    if not isinstance(text, str):
        raise TypeError(f"expected text, got {type(text).__name__}")
    text = text.strip()
    if not text:
        return None
    match = pattern.fullmatch(text) if len(text) <= MAX_LENGTH else None
    if match is None:
        raise NumberFormatError(message)
    if match["minus"] and not allow_negative:
        raise NumberFormatError(NEGATIVE_MESSAGE, code="negative")
    return match


def parse_integer(text, *, allow_negative=False):
    """A whole number from typed text: "5.821" → 5821; "" → None; "1.2.3" raises
    ``NumberFormatError``. A leading minus only with ``allow_negative``."""
    match = _match(_INTEGER_RE, text, INTEGER_MESSAGE, allow_negative)
    if match is None:
        return None
    number = int(match["whole"].replace(".", ""))
    return -number if match["minus"] else number


def parse_decimal(text, places=2, *, allow_negative=False):
    """A Decimal from typed text: "15.000" → Decimal("15000"); "2,5" → Decimal("2.5");
    "" → None. At most ``places`` digits after the comma; ``places=0`` takes whole numbers
    only. A leading minus only with ``allow_negative``."""
    message = DECIMAL_MESSAGE if places else INTEGER_MESSAGE
    match = _match(_DECIMAL_RE, text, message, allow_negative)
    if match is None:
        return None
    fraction = match["fraction"] or ""
    if len(fraction) > places:
        if not places:
            raise NumberFormatError(INTEGER_MESSAGE)
        raise NumberFormatError(_places_message(places), code="decimal_places")
    digits = match["whole"].replace(".", "") + (f".{fraction}" if fraction else "")
    return Decimal(f"-{digits}" if match["minus"] else digits)


def _places_message(places):
    return ngettext(
        "write at most %(places)s digit after the decimal comma",
        "write at most %(places)s digits after the decimal comma",
        places,
    ) % {"places": places}


def number_from_cell(value, *, decimals=False, places=2, allow_negative=False):
    """A spreadsheet cell's value as a number: None for an empty cell; an int (or, with
    ``decimals``, a Decimal of at most ``places`` decimals) otherwise.

    Takes what openpyxl gives: int; float with a whole value (a number cell; a whole float
    is exact up to 2^53, beyond any figure here), or, with ``decimals``, a float read by its
    shortest decimal form (2.5 → Decimal("2.5")); Decimal; text, read by ``parse_integer`` or
    ``parse_decimal``. Anything else (a date, True/False) raises ``NumberFormatError``.
    """
    message = DECIMAL_MESSAGE if decimals else INTEGER_MESSAGE
    if value is None:
        return None
    if isinstance(value, str):
        if decimals:
            return parse_decimal(value, places, allow_negative=allow_negative)
        return parse_integer(value, allow_negative=allow_negative)
    if isinstance(value, bool):
        raise NumberFormatError(message)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise NumberFormatError(message)
        # repr() is the shortest text that reads back as this float: 2.5, not 2.4999…
        value = Decimal(repr(value))
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, Decimal) and value.is_finite():
        number = value
    else:
        raise NumberFormatError(message)
    if number < 0 and not allow_negative:
        raise NumberFormatError(NEGATIVE_MESSAGE, code="negative")
    if not decimals:
        if number != number.to_integral_value():
            raise NumberFormatError(INTEGER_MESSAGE)
        return int(number)
    if number == number.to_integral_value():
        return Decimal(int(number))
    if -number.normalize().as_tuple().exponent > places:
        raise NumberFormatError(_places_message(places), code="decimal_places")
    return number


# --- writing --------------------------------------------------------------------------------


def _whole(value):
    """15000.00 → 15000, so it is written 15.000 and not 15.000,00."""
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    return value


def format_number(value, decimals=None):
    """A number with thousands grouped in the interface language: 5.821 in Vietnamese,
    5,821 in English; "–" for nothing. A whole Decimal loses its zeros (15000.00 → 15.000);
    ``decimals`` fixes the number of decimals."""
    if value is None or value == "":
        return "–"
    if decimals is None:
        value = _whole(value)
    return number_format(value, decimal_pos=decimals, force_grouping=True)


def format_percent(value, decimals=1):
    """A percentage with a decimal comma: 85,3%; "–" for nothing."""
    if value is None:
        return "–"
    return number_format(value, decimal_pos=decimals, force_grouping=True) + "%"


def format_achievement(percent_value):
    """ "đạt 85,3%" at or below the figure, "vượt 12,0%" beyond it; "–" for nothing."""
    if percent_value is None:
        return "–"
    if percent_value > 100:
        return _("exceeded by %(p)s") % {"p": format_percent(percent_value - 100)}
    return _("reached %(p)s") % {"p": format_percent(percent_value)}


BILLION = 10**9
MILLION = 10**6


def _rounded(amount, scale):
    """amount / scale to two decimals, half up, without trailing zeros: 2.50 → 2.5."""
    return _whole((Decimal(amount) / scale).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize())


def format_money(value, *, exact=False):
    """An amount in đồng the way reports write it: "15 tỷ đồng", "2,5 tỷ đồng",
    "850 triệu đồng" (to two decimals, rounded half up), and below a million the exact
    "15.000 đồng". ``exact=True`` always writes every digit ("2.500.000.000 đồng"), for a
    tooltip or an export; the value itself is never changed. "–" for nothing."""
    if value is None or value == "":
        return "–"
    if isinstance(value, float):
        value = Decimal(repr(value))
    if not exact:
        if abs(value) >= MILLION:
            millions = _rounded(value, MILLION)
            # 999.999.999 rounds to 1.000 triệu: that is 1 tỷ.
            if abs(millions) < 1000:
                return _("%(amount)s million đồng") % {"amount": format_number(millions)}
            return _("%(amount)s billion đồng") % {"amount": format_number(_rounded(value, BILLION))}
    return _("%(amount)s đồng") % {"amount": format_number(value)}


def number_for_input(value):
    """``value`` written the Vietnamese way whatever the interface language (5.821; 2,5;
    15.000 for Decimal("15000.00")), so that the parser reads it back unchanged. Text is
    returned as it is (a bound form shows what the person typed); None as ""."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    value = _whole(value)
    text = format(value, ",") if isinstance(value, int) else format(value, ",f")
    return text.translate(str.maketrans({",": ".", ".": ","}))


# --- form fields ----------------------------------------------------------------------------


class _VietnameseNumberMixin:
    """Reads with the parser, shows values with ``number_for_input``, and says which field
    is wrong: "Số hội viên mới: nhập số nguyên, …". Bounds are checked here (not with
    Django's validators) so that their messages write the limit the Vietnamese way."""

    widget = forms.TextInput
    input_mode = "numeric"

    def __init__(self, *, min_value=None, max_value=None, **kwargs):
        super().__init__(**kwargs)
        # Set after Django's __init__, which would add validators with unformatted limits.
        self.min_value = min_value
        self.max_value = max_value

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.setdefault("inputmode", self.input_mode)
        return attrs

    def prepare_value(self, value):
        return number_for_input(value)

    @property
    def allow_negative(self):
        return self.min_value is None or self.min_value < 0

    def _error(self, message, code):
        """A ValidationError naming the field by its label (the label should be set)."""
        if self.label:
            text = _("%(field)s: %(message)s.") % {"field": self.label, "message": message}
        else:
            text = f"{capfirst(str(message))}."
        return forms.ValidationError(text, code=code)

    def _read(self, value):
        raise NotImplementedError

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return self._read(value)
        except NumberFormatError as error:
            raise self._error(error.message, error.code) from error

    def _limits(self):
        return self.min_value, self.max_value

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        lowest, highest = self._limits()
        if lowest is not None and value < lowest:
            message = _("enter a number no smaller than %(limit)s") % {"limit": number_for_input(lowest)}
            raise self._error(message, "min_value")
        if highest is not None and value > highest:
            message = _("enter a number no larger than %(limit)s") % {"limit": number_for_input(highest)}
            raise self._error(message, "max_value")


class VietnameseIntegerField(_VietnameseNumberMixin, forms.IntegerField):
    """A whole number typed the Vietnamese way (5.821). ``min_value``/``max_value`` bound
    it; a minus sign is refused unless ``min_value`` is below 0 or None."""

    def _read(self, value):
        if isinstance(value, str):
            return parse_integer(value, allow_negative=self.allow_negative)
        return number_from_cell(value, allow_negative=self.allow_negative)


class VietnameseDecimalField(_VietnameseNumberMixin, forms.DecimalField):
    """A number typed the Vietnamese way (15.000; 2,5), with at most ``decimal_places``
    (default 2) digits after the comma; ``max_digits`` caps the whole part as the model
    column does."""

    input_mode = "decimal"

    def __init__(self, *, max_digits=None, decimal_places=2, **kwargs):
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, **kwargs)
        # Django's DecimalValidator would refuse an over-long number in its own words;
        # the digits a column holds become one more upper limit instead.
        self.validators = [v for v in self.validators if not isinstance(v, DecimalValidator)]

    def _read(self, value):
        places = self.decimal_places
        if isinstance(value, str):
            return parse_decimal(value, places, allow_negative=self.allow_negative)
        return number_from_cell(value, decimals=True, places=places, allow_negative=self.allow_negative)

    def _limits(self):
        lowest, highest = self.min_value, self.max_value
        if self.max_digits is not None:
            # The largest number the column holds, e.g. 999.999.999.999,99 for 14 digits, 2 decimals.
            largest = Decimal(10) ** (self.max_digits - self.decimal_places) - Decimal(10) ** -self.decimal_places
            highest = largest if highest is None else min(highest, largest)
            lowest = -largest if lowest is None else max(lowest, -largest)
        return lowest, highest
