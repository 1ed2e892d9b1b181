"""Figures the way the federation writes them: 5.821, 15.000 đồng, đạt 120,44%.

The one place that formats numbers for pages, exports and files; it imports nothing from
the apps, so every step can use it.
"""

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _


def format_number(value, decimals=None):
    """A number with thousands grouped in the current language (5.821 in Vietnamese).
    Whole values lose their trailing zeros: 15000.00 is shown 15.000."""
    if value is None or value == "":
        return "–"
    if isinstance(value, Decimal) and decimals is None and value == value.to_integral_value():
        value = int(value)
    return number_format(value, decimal_pos=decimals, force_grouping=True)


def format_percent(value, decimals=1):
    """A percentage with a decimal comma: 85,3%."""
    if value is None:
        return "–"
    return number_format(value, decimal_pos=decimals, force_grouping=True) + "%"


def format_achievement(percent_value):
    """'đạt 85,3%' below or at the figure, 'vượt 12,0%' beyond it."""
    if percent_value is None:
        return "–"
    if percent_value > 100:
        return _("exceeded by %(p)s") % {"p": format_percent(percent_value - 100)}
    return _("reached %(p)s") % {"p": format_percent(percent_value)}
