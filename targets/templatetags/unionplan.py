"""Figures in templates, the way the federation writes them (see ``unionplan.numbers``)."""

from django import template

from unionplan.numbers import format_achievement, format_number, format_percent

register = template.Library()


@register.filter
def vn_number(value, decimals=None):
    """A number with thousands grouped the Vietnamese way: 5.821."""
    return format_number(value, decimals)


@register.filter
def percent(value, decimals=1):
    """A percentage with a decimal comma: 85,3%."""
    return format_percent(value, decimals)


@register.simple_tag
def figure(component):
    """A component's figure as the resolution writes it: "5.821", or "3/3" for all-of-them."""
    text = format_number(component.figure)
    if component.figure_kind == component.FigureKind.ALL_ELIGIBLE:
        return f"{text}/{text}"
    return text


@register.filter
def achievement(percent_value):
    """'đạt 85,3%' below or at the figure, 'vượt 12,0%' beyond it."""
    return format_achievement(percent_value)
