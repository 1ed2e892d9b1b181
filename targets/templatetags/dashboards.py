"""Template helpers of the dashboards."""

from django import template

from targets.dashboards.tables import status_badge as _status_badge

register = template.Library()


@register.simple_tag
def status_badge(status):
    """A progress status as a badge readable without colour (✔ ▲ ▼ and a word)."""
    return _status_badge(status)
