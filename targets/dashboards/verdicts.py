"""How pace and verdicts read on a page: status badges, the rhythm an expectation follows,
what it takes to catch up."""

from django.utils.html import format_html
from django.utils.translation import gettext as _

from targets.rollup.pace import Status
from unionplan.numbers import format_money, format_number, format_percent

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
