"""Pace and status: pure functions of a target's figure, what was achieved and the month."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class Status(TextChoices):
    ACHIEVED = "achieved", _("Achieved")
    ON_TRACK = "on_track", _("On track")
    BEHIND = "behind", _("Behind")
    NO_FIGURE = "no_figure", _("No figure")


def expected_fraction(target, month):
    """The share of the figure expected by the end of ``month``: linear through the year,
    or linear up to the target's due month and complete from then on."""
    span = target.due_month or 12
    return min(Decimal(month) / Decimal(span), Decimal(1))


def expected_figure(target, figure, month):
    if figure is None:
        return None
    return int((Decimal(figure) * expected_fraction(target, month)).to_integral_value(ROUND_HALF_UP))


def expected_share(target, figure, month):
    """For a percentage-of-eligible figure: the percentage expected by now, one decimal."""
    if figure is None:
        return None
    return (Decimal(figure) * expected_fraction(target, month)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def share_of(units, eligible):
    """``units`` as a percentage of ``eligible`` units, one decimal (None without any)."""
    if not eligible:
        return None
    return (Decimal(units) * 100 / Decimal(eligible)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def percent_of(achieved, figure):
    """Achieved as a percentage of the figure, one decimal (None without a figure)."""
    if not figure:
        return None
    return (Decimal(achieved) * 100 / Decimal(figure)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def status_of(achieved, figure, expected):
    if not figure:
        return Status.NO_FIGURE
    if achieved >= figure:
        return Status.ACHIEVED
    if achieved >= expected:
        return Status.ON_TRACK
    return Status.BEHIND


def projected_figure(component, achieved, month, eligible=None):
    """Year-end projection: what was achieved, extended at the same pace to December (or to
    the due month). Past the due month nothing more is expected. A count of units never
    passes the number of eligible units."""
    span = component.target.due_month or 12
    if month >= span:
        projected = achieved
    else:
        projected = int((Decimal(achieved) * span / month).to_integral_value(ROUND_HALF_UP))
    if component.counts_units and eligible is not None:
        projected = min(projected, max(eligible, achieved))
    return projected
