"""Figures in templates, the way the federation writes them (see ``unionplan.numbers``)."""

from urllib.parse import urlencode

from django import template

from branches.access import can_change_tree
from targets.dashboards import columns
from unionplan.numbers import format_achievement, format_number, format_percent
from unionplan.table_cells import body_rows

register = template.Library()


@register.simple_tag(takes_context=True)
def table_body_rows(context, table):
    """A django-tables2 table's body rows, written in Python (``unionplan.table_cells``)."""
    return body_rows(table, context)


@register.filter
def vn_number(value, decimals=None):
    """A number with thousands grouped the Vietnamese way: 5.821."""
    return format_number(value, decimals)


@register.filter
def percent(value, decimals=1):
    """A percentage with a decimal comma: 85,3%."""
    return format_percent(value, decimals)


@register.simple_tag
def figure(component, record=None):
    """A figure as the resolution writes it: "5.821", "3/3" for all-of-them, "60%" for a
    percentage of the eligible units, "15 tỷ đồng" for money (every digit on hover); with
    ``record`` (a progress row), the figure that scope answers for and its previous value."""
    return columns.figure_text(component, record if record is not None else component)


@register.simple_tag
def amount(component, value):
    """A figure of ``component``: money as reports write it, anything else grouped (5.821)."""
    return columns.amount(component, value)


@register.simple_tag
def achieved(row):
    """What a progress row achieved: "37,5% (3/8 doanh nghiệp)" for a share, else its amount."""
    if row.is_share:
        return columns.share_text(row.share, row.achieved, row.eligible, row.component.unit_of_measure)
    return columns.amount(row.component, row.achieved)


@register.simple_tag
def measured(component, value):
    """Expected or projected: a percentage for a share, else an amount."""
    return columns.measured_text(component, None, value)


@register.filter
def achievement(percent_value):
    """'đạt 85,3%' below or at the figure, 'vượt 12,0%' beyond it."""
    return format_achievement(percent_value)


@register.filter
def person(user):
    """A person as people read them: their full name, or their user name when none is given."""
    if user is None:
        return "–"
    return user.get_full_name() or user.get_username()


@register.simple_tag(takes_context=True)
def year_query(context):
    """``?year=2020`` (with ``&federation=…`` when an admin chose one) for the menu's links,
    so that moving between pages keeps the year the page shows: the page's resolution, else
    the year in its address (``/reports/2020/12/…``) or its ``?year=``; empty when none."""
    request = context.get("request")
    resolution = context.get("resolution")
    year = getattr(resolution, "year", None)
    if year is None and request is not None:
        match = getattr(request, "resolver_match", None)
        year = (match.kwargs.get("year") if match else None) or request.GET.get("year")
    params = {}
    if str(year or "").isdigit():
        params["year"] = int(year)
    federation = request.GET.get("federation", "") if request is not None else ""
    if params and federation.isdigit():
        params["federation"] = int(federation)
    # The tree the figures are counted under, when not today's (``?structure=monthly``).
    structure = context.get("structure")
    if structure and structure != "current":
        params["structure"] = structure
    return "?" + urlencode(params) if params else ""


@register.filter
def preview_rows(holder, components):
    """The figures a change's preview shows for a union (``restructuring.preview``)."""
    return holder.rows(components)


@register.filter
def changes_tree(user):
    """Whether ``user`` may prepare changes to the tree (their federation's staff, admins)."""
    if user.is_authenticated and user.is_superuser:
        return True
    return bool(user.is_authenticated and user.organisation_id and can_change_tree(user, user.organisation))
