"""How pace and verdicts read on a page: status badges, the rhythm an expectation follows,
what it takes to catch up."""

from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from targets.rollup.pace import Status
from unionplan.numbers import format_achievement, format_money, format_number, format_percent

STATUS_MARKS = {
    Status.EXCEEDED: "✔✔",
    Status.ACHIEVED: "✔",
    Status.ON_TRACK: "▲",
    Status.BEHIND: "▼",
    Status.NOT_ACHIEVED: "✘",
    Status.NO_FIGURE: "–",
}
STATUS_CLASSES = {
    Status.EXCEEDED: "text-bg-success",
    Status.ACHIEVED: "text-bg-success",
    Status.ON_TRACK: "text-bg-primary",
    Status.BEHIND: "text-bg-danger",
    Status.NOT_ACHIEVED: "text-bg-dark",
    Status.NO_FIGURE: "text-bg-light",
}


def status_badge(status):
    """A status readable without colour: a mark and a word."""
    return format_html(
        '<span class="badge status {}">{} {}</span>', STATUS_CLASSES[status], STATUS_MARKS[status], Status(status).label
    )


def verdict_mark(status):
    """The status on a small chart's card: the same mark, word and colour as the badge."""
    return format_html(
        '<span class="badge verdict {}">{} {}</span>',
        STATUS_CLASSES[status],
        STATUS_MARKS[status],
        Status(status).label,
    )


def profile_text(profile):
    """Which rhythm an expectation follows: "theo nhịp năm 2019" or "tuyến tính"."""
    if profile.is_linear:
        return _("linear")
    return _("following the rhythm of %(year)s") % {"year": profile.year}


def needed_amount(component, value):
    """A monthly need the way the component's figures are written: 412, 2,5 tỷ đồng, 6,0%."""
    if component is not None and component.is_share:
        return format_percent(value)
    if component is not None and component.is_money:
        return format_money(value)
    return format_number(value)


def catch_up_text(catch_up, component=None):
    """ "cần 412/tháng, gấp 3,1 lần nhịp hiện tại": what each remaining month needs, against
    the monthly average so far."""
    if catch_up is None:
        return ""
    values = {"needed": needed_amount(component, catch_up.per_month), "ratio": format_number(catch_up.ratio, 1)}
    if catch_up.ratio is None:
        return _("needs %(needed)s/month, nothing achieved so far") % values
    if catch_up.ratio > 1:
        return _("needs %(needed)s/month, %(ratio)s times the current pace") % values
    return _("needs %(needed)s/month, within the current pace (%(ratio)s times)") % values


# A bar's fill per verdict: dark enough to read against white (contrast at least 4.5:1),
# and told apart without colour too: a hatch on a target behind or not achieved, the status
# mark and word beside it.
BAR_FILLS = {
    Status.EXCEEDED: "#146c43",
    Status.ACHIEVED: "#146c43",
    Status.ON_TRACK: "#0a58ca",
    Status.BEHIND: "url(#bar-hatch)",
    Status.NOT_ACHIEVED: "url(#bar-hatch-dark)",
    Status.NO_FIGURE: "#6c757d",
}
BAR_PATTERNS = mark_safe(
    '<svg class="bar-patterns" width="0" height="0" aria-hidden="true" focusable="false"><defs>'
    '<pattern id="bar-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
    '<rect width="6" height="6" fill="#b02a37"/><rect width="2" height="6" fill="#fff"/></pattern>'
    '<pattern id="bar-hatch-dark" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
    '<rect width="6" height="6" fill="#212529"/><rect width="2" height="6" fill="#fff"/></pattern>'
    "</defs></svg>"
)


def _clamp(value):
    return max(0.0, min(100.0, float(value)))


def progress_bar(percent, expected_percent, status):
    """Achieved against the figure as a bar (SVG: drawn without a style attribute, which the
    CSP forbids), with a mark where it should be by now, and the percent as text beside it:
    "đạt 95,6%". The bar is decoration (hidden from screen readers): the text says it all."""
    if percent is None:
        return "–"  # no figure: nothing to measure against
    filled = _clamp(percent)
    mark = ""
    if expected_percent is not None:
        x = _clamp(expected_percent)
        mark = format_html(
            '<line class="bar-expected" x1="{x}" x2="{x}" y1="0" y2="14" stroke="#000" stroke-width="2" '
            'vector-effect="non-scaling-stroke"><title>{title}</title></line>',
            x=f"{x:.1f}",
            title=_("Expected by now: %(p)s of the figure") % {"p": format_percent(expected_percent, 0)},
        )
    svg = format_html(
        '<svg class="bar" viewBox="0 0 100 14" preserveAspectRatio="none" aria-hidden="true" focusable="false">'
        '<rect x="0" y="3" width="100" height="8" fill="#fff" stroke="#495057" vector-effect="non-scaling-stroke"/>'
        '<rect x="0" y="3" width="{w}" height="8" fill="{fill}"/>{mark}</svg>',
        w=f"{filled:.1f}",
        fill=BAR_FILLS[status],
        mark=mark,
    )
    return format_html(
        '<span class="progress-cell"><span class="bar-track">{}</span><span class="bar-text">{}</span></span>',
        svg,
        format_achievement(percent),
    )
