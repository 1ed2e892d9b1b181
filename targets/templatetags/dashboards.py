"""Template helpers of the dashboards."""

from django import template

from targets.dashboards.verdicts import BAR_PATTERNS
from targets.dashboards.verdicts import catch_up_text as _catch_up_text
from targets.dashboards.verdicts import profile_text as _profile_text
from targets.dashboards.verdicts import status_badge as _status_badge
from targets.dashboards.verdicts import verdict_mark as _verdict_mark

register = template.Library()


@register.simple_tag
def status_badge(status):
    """A progress status as a badge readable without colour (✔ ▲ ▼ and a word)."""
    return _status_badge(status)


@register.simple_tag
def profile_text(profile):
    """The rhythm an expectation follows: "theo nhịp năm 2019" or "tuyến tính"."""
    return _profile_text(profile)


@register.simple_tag
def catch_up_text(catch_up, component=None):
    """What it takes per remaining month, against the current pace."""
    return _catch_up_text(catch_up, component)


@register.simple_tag
def bar_patterns():
    """The hatches the progress bars of a page refer to (once per page)."""
    return BAR_PATTERNS


@register.simple_tag
def verdict_mark(status):
    """A status on a small chart's card (✔ ▲ ▼ and a word)."""
    return _verdict_mark(status)
