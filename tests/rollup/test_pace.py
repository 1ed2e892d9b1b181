"""Pace rules as pure functions, over examples worked out by hand (no database)."""

import datetime
from decimal import Decimal

from targets.resolution.models import Resolution
from targets.rollup.pace import (
    LINEAR,
    Profile,
    Status,
    catch_up,
    expected_figure,
    expected_fraction,
    is_final,
    projected_figure,
    status_of,
)

# Last year's approved results month by month: conferences held early in the year.
# 100 + 300 + 400 + 100 by April, then 10 a month for the rest of the year (80): total 980.
CONFERENCES_2019 = {1: 100, 2: 300, 3: 400, 4: 100, **{m: 10 for m in range(5, 13)}}


def test_linear():
    """Without a rhythm: 5.821 × 2/12 = 970,17 → 970 expected by February; all of it by December."""
    assert expected_figure(5821, expected_fraction(2)) == 970
    assert expected_fraction(12) == 1
    assert LINEAR.is_linear and LINEAR.year is None


def test_due_month():
    """Due in March (1.250 conferences): 1.250 × 2/3 = 833,3 → 833 by February, all by March
    and after it."""
    assert expected_figure(1250, expected_fraction(2, due_month=3)) == 833
    assert expected_fraction(3, due_month=3) == 1
    assert expected_fraction(7, due_month=3) == 1


def test_seasonal():
    """Last year 900 of 980 were held by April: the profile expects 900/980 = 91,8% of the
    year's work by then; 1.250 × 900/980 = 1.147,96 → 1.148 (a straight line says 417)."""
    profile = Profile.from_monthly(CONFERENCES_2019, 2019)
    assert profile.year == 2019 and not profile.is_linear
    assert expected_figure(1250, expected_fraction(4, None, profile)) == 1148
    assert expected_figure(1250, expected_fraction(4)) == 417
    assert expected_fraction(12, None, profile) == 1


def test_seasonal_with_a_due_month():
    """Due in March with last year's rhythm: by March 800 of last year's 980 were done, so by
    February 400/800 = 50% is expected (625 of 1.250), and all of it in March."""
    profile = Profile.from_monthly(CONFERENCES_2019, 2019)
    assert expected_fraction(2, 3, profile) == Decimal("0.5")
    assert expected_figure(1250, expected_fraction(2, 3, profile)) == 625
    assert expected_fraction(3, 3, profile) == 1


def test_a_year_with_nothing_to_learn_from_is_linear():
    """Nothing approved last year: the straight line; nothing by the due month last year:
    straight to the due month."""
    assert Profile.from_monthly({}, 2019) == LINEAR
    late = Profile.from_monthly({11: 5}, 2019)
    assert expected_fraction(2, 4, late) == Decimal("0.5")


def test_projection_follows_the_season():
    """974 conferences by April, when last year 900/980 of the work was done: 974 / (900/980) =
    1.060,6 → 1.061, not 974 × 12/4 = 2.922; and never more than the 1.234 eligible agencies."""
    profile = Profile.from_monthly(CONFERENCES_2019, 2019)
    fraction = expected_fraction(4, None, profile)
    assert projected_figure(974, fraction, cap=1234) == 1061
    assert projected_figure(974, expected_fraction(4), cap=1234) == 1234  # straight: 2.922, capped
    assert projected_figure(974, expected_fraction(4)) == 2922


def test_threshold_projects_the_units_at_the_threshold():
    """Meal at 15.000 đồng: 9 enterprises have reached it by June; the projection is those 9,
    not 9 × 12/6."""
    assert projected_figure(9, expected_fraction(6), accumulates=False, cap=366) == 9


def test_share_in_percent_points():
    """A share of the eligible units (60% sign a collective agreement) paced in percent
    points: 24 points by June is 40 expected × ... behind (30 expected), needs 6 points a month."""
    expected = expected_figure(60, expected_fraction(6))
    assert expected == 30
    assert status_of(24, 60, expected) == Status.BEHIND
    assert catch_up(24, 60, 6).per_month == 6


def test_verdicts_during_the_year():
    """Reached: Đạt (exactly) or Vượt (beyond), whenever; otherwise against the expectation."""
    assert status_of(15, 15, 10) == Status.ACHIEVED
    assert status_of(16, 15, 10) == Status.EXCEEDED
    assert status_of(10, 15, 10) == Status.ON_TRACK
    assert status_of(9, 15, 10) == Status.BEHIND
    assert status_of(0, None, None) == Status.NO_FIGURE


def test_year_end_and_due_month_verdicts():
    """As of a closed month at or after the due month (December without one) an unmet target
    is Không đạt; as of a month not yet closed it is still behind or on track."""
    assert is_final(12, None, closed=True)
    assert not is_final(12, None, closed=False)
    assert not is_final(11, None, closed=True)
    assert is_final(5, 5, closed=True) and is_final(8, 5, closed=True)
    assert not is_final(4, 5, closed=True)
    assert status_of(14, 15, 15, final=True) == Status.NOT_ACHIEVED
    assert status_of(15, 15, 15, final=True) == Status.ACHIEVED


def test_what_it_takes():
    """1.560 members to introduce, 912 by August: 648 left over September–December, 162 a
    month against 912/8 = 114 so far: 1,4 times the current pace."""
    needed = catch_up(912, 1560, 8)
    assert (needed.per_month, needed.months, needed.ratio) == (162, 4, Decimal("1.4"))
    # Workers' Month (due in May), 40 of 235 by March: 195 over April and May, 98 a month
    # (rounded up) against 40/3 = 13,3: 7,4 times.
    needed = catch_up(40, 235, 3, due_month=5)
    assert (needed.per_month, needed.months, needed.ratio) == (98, 2, Decimal("7.4"))
    assert catch_up(0, 12, 2).ratio is None
    assert catch_up(235, 235, 3, 5) is None  # reached
    assert catch_up(40, 235, 5, 5) is None  # no month left


def resolution_2020():
    return Resolution(year=2020, report_due_day=20)


def test_provisional_month_and_default_month():
    """Reports due on the 20th: on 3 December 2020 October is the last closed month (November
    closes on 21 December), so dashboards open on October; November is provisional; January
    to December have begun; reviewers work on November."""
    resolution, today = resolution_2020(), datetime.date(2020, 12, 3)
    assert resolution.default_month(today) == 10
    assert resolution.is_closed(10, today) and not resolution.is_closed(11, today)
    assert resolution.months_begun(today) == list(range(1, 13))
    assert resolution.reporting_month(today) == 11
    assert resolution.default_month(datetime.date(2020, 12, 20)) == 10
    assert resolution.default_month(datetime.date(2020, 12, 21)) == 11


def test_default_month_at_the_edges_of_the_year():
    """Before 21 February nothing is closed: January (provisional); months not begun are not
    offered (nearest month instead); a year that has ended opens on its last month, December
    (provisional until 20 January)."""
    resolution = resolution_2020()
    assert resolution.default_month(datetime.date(2020, 2, 20)) == 1
    assert resolution.months_begun(datetime.date(2020, 4, 30)) == [1, 2, 3, 4]
    assert resolution.nearest_month_begun(9, datetime.date(2020, 4, 30)) == 4
    assert resolution.default_month(datetime.date(2021, 1, 10)) == 12
    assert not resolution.is_closed(12, datetime.date(2021, 1, 10))
    assert resolution.default_month(datetime.date(2021, 1, 21)) == 12
    assert resolution.default_month(datetime.date(2026, 6, 1)) == 12
    assert resolution.months_begun(datetime.date(2019, 12, 1)) == [1]
