"""One clock: UNIONPLAN_TODAY pins "today" for demos and tests; unset, the real date."""

import datetime

import pytest
from django.utils import timezone

from targets.reporting.services import month_is_open
from unionplan import clock

pytestmark = pytest.mark.django_db


def test_unpinned_clock_follows_the_real_date(settings):
    settings.UNIONPLAN_TODAY = None
    assert clock.today() == timezone.localdate()
    assert abs((clock.now() - timezone.now()).total_seconds()) < 5


def test_pinned_clock_gives_the_pinned_day_at_the_current_time(settings):
    settings.UNIONPLAN_TODAY = datetime.date(2020, 12, 3)
    assert clock.today() == datetime.date(2020, 12, 3)
    assert timezone.localtime(clock.now()).date() == datetime.date(2020, 12, 3)


def test_months_open_for_reporting_follow_the_clock(settings, resolution):
    settings.UNIONPLAN_TODAY = datetime.date(2020, 12, 3)
    assert month_is_open(resolution=resolution, month=12)
    settings.UNIONPLAN_TODAY = datetime.date(2020, 11, 30)
    assert not month_is_open(resolution=resolution, month=12)
    assert month_is_open(resolution=resolution, month=11)
