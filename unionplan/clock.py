"""The app's one clock: every "today" and "now" (default month, due dates, late flags,
reminders, locks) comes from here.

``UNIONPLAN_TODAY`` (an ISO date, read by settings) pins the date for demos, training and
tests: ``make run`` sets it to 2020-12-03 so that the demo plays a year in progress.
Production leaves it unset and the clock follows the real date in the app's time zone.
"""

import datetime

from django.conf import settings
from django.utils import timezone


def today():
    """Today's date in the app's time zone, or the pinned date."""
    pinned = getattr(settings, "UNIONPLAN_TODAY", None)
    return pinned or timezone.localdate()


def now():
    """The current moment (aware). With a pinned date: that date at the current time of day,
    so that what is stamped now (a submission, an approval) falls on the pinned day."""
    pinned = getattr(settings, "UNIONPLAN_TODAY", None)
    current = timezone.now()
    if not pinned:
        return current
    local = timezone.localtime(current)
    return timezone.make_aware(datetime.datetime.combine(pinned, local.time().replace(tzinfo=None)))
