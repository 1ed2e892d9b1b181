"""Pace, verdicts and projections: pure functions of numbers (a figure, what was achieved,
the month shown, the target's due month and the year's rhythm), no database.

They work on any figure that grows through the year towards a figure: a quantity, a number
of units, or percent points of a share of the eligible units.

The rhythm of a year (``Profile``) is the share of the year's work normally done by the end
of each month: the previous year's approved results of the target it continues, or the
straight line when there is nothing to learn from.
"""

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

ONE_DECIMAL = Decimal("0.1")


class Status(TextChoices):
    EXCEEDED = "exceeded", pgettext_lazy("status", "Exceeded")
    ACHIEVED = "achieved", pgettext_lazy("status", "Achieved")
    ON_TRACK = "on_track", _("On track")
    BEHIND = "behind", _("Behind")
    NOT_ACHIEVED = "not_achieved", pgettext_lazy("status", "Not achieved")
    NO_FIGURE = "no_figure", _("No figure")


REACHED = (Status.ACHIEVED, Status.EXCEEDED)


@dataclass(frozen=True)
class Profile:
    """The work done by the end of months 1..12, cumulative (``done``, in any unit: the share
    of month m is done[m] / done[12]); ``year`` is the year whose rhythm it is, None for the
    straight line."""

    done: tuple
    year: int | None = None

    @classmethod
    def linear(cls):
        return cls(tuple(range(1, 13)))

    @classmethod
    def from_monthly(cls, amounts, year):
        """The rhythm of ``year`` from what was achieved in each month ({month: amount});
        the straight line when nothing was (nothing to learn from)."""
        running, done = 0, []
        for m in range(1, 13):
            running += max(amounts.get(m, 0), 0)
            done.append(running)
        if running <= 0:
            return cls.linear()
        return cls(tuple(done), year)

    @property
    def is_linear(self):
        return self.year is None

    def done_by(self, month):
        return 0 if month <= 0 else self.done[min(month, 12) - 1]


LINEAR = Profile.linear()


def expected_fraction(month, due_month=None, profile=LINEAR):
    """The share of the figure expected by the end of ``month``: the year's rhythm scaled so
    that it reaches the whole figure at the due month (December without one)."""
    span = due_month or 12
    if month >= span:
        return Decimal(1)
    if month <= 0:
        return Decimal(0)
    by_due = profile.done_by(span)
    if by_due <= 0:
        # Last year nothing was done by the due month: nothing to scale, go straight.
        return Decimal(month) / Decimal(span)
    return min(Decimal(profile.done_by(month)) / Decimal(by_due), Decimal(1))


def expected_figure(figure, fraction):
    if figure is None:
        return None
    return int((Decimal(figure) * fraction).to_integral_value(ROUND_HALF_UP))


def expected_share(figure, fraction):
    """For a percentage-of-eligible figure: the percentage expected by now, one decimal."""
    if figure is None:
        return None
    return (Decimal(figure) * fraction).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def share_of(units, eligible):
    """``units`` as a percentage of ``eligible`` units, one decimal (None without any)."""
    if not eligible:
        return None
    return (Decimal(units) * 100 / Decimal(eligible)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def percent_of(achieved, figure):
    """Achieved as a percentage of the figure, one decimal (None without a figure)."""
    if not figure:
        return None
    return (Decimal(achieved) * 100 / Decimal(figure)).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def is_final(month, due_month, closed):
    """Whether the verdict is in: the month shown is closed (its reports are due) and at or
    after the target's due month (December without one)."""
    return closed and month >= (due_month or 12)


def status_of(achieved, figure, expected, final=False):
    """Đạt / Vượt once the figure is reached; Không đạt when the verdict is in and it is
    not; otherwise on track or behind against what is expected by now."""
    if not figure:
        return Status.NO_FIGURE
    if achieved > figure:
        return Status.EXCEEDED
    if achieved == figure:
        return Status.ACHIEVED
    if final:
        return Status.NOT_ACHIEVED
    if expected is not None and achieved >= expected:
        return Status.ON_TRACK
    return Status.BEHIND


def projected_figure(achieved, fraction, *, accumulates=True, cap=None):
    """Year-end projection: what was achieved divided by the share of the work normally
    done by now (``fraction`` from ``expected_fraction``); past the due month nothing more.

    A measure that does not accumulate month by month (units whose value reaches a
    threshold) projects what it is now. ``cap`` (the eligible units of a count of units)
    is never passed."""
    if not accumulates or fraction >= 1 or fraction <= 0:
        projected = achieved
    else:
        projected = int((Decimal(achieved) / fraction).to_integral_value(ROUND_HALF_UP))
    if cap is not None:
        projected = min(projected, max(cap, achieved))
    return projected


def shortfall(achieved, target_figure):
    """How far ``achieved`` is below ``target_figure`` (an expectation or the figure), 0 at or above."""
    if target_figure is None:
        return None
    return max(target_figure - achieved, 0)


@dataclass(frozen=True)
class CatchUp:
    """What it takes to reach the figure: ``per_month`` over the ``months`` left, and how
    that compares with the monthly average so far (``ratio``; None when nothing yet)."""

    per_month: int | Decimal
    months: int
    ratio: Decimal | None


def catch_up(achieved, figure, month, due_month=None, decimals=0):
    """What is still needed per remaining month (the months after ``month`` up to the due
    month or December) to reach ``figure``, rounded up to ``decimals`` (1 for percent
    points); None when it is reached or no month is left."""
    if not figure or achieved >= figure:
        return None
    months = (due_month or 12) - month
    if months <= 0:
        return None
    step = Decimal(1).scaleb(-decimals)
    per_month = (Decimal(figure - achieved) / months).quantize(step, ROUND_CEILING)
    per_month = int(per_month) if decimals == 0 else per_month
    ratio = None
    if achieved > 0 and month > 0:
        ratio = (Decimal(per_month) * month / Decimal(achieved)).quantize(ONE_DECIMAL, ROUND_HALF_UP)
    return CatchUp(per_month=per_month, months=months, ratio=ratio)
