"""A resolution's calendar: when each month's reports are due, when a month closes, and
which month a page opens on. Every "today" comes from ``unionplan.clock``."""

import calendar
import datetime

from django.utils import timezone

from unionplan import clock


def year_end(year):
    """31 December of ``year``: the day whose tree a resolution of that year is counted over."""
    return datetime.date(year, 12, 31)


class ResolutionCalendar:
    """The months of a resolution's year (``year``) and its reports' due day (``report_due_day``)."""

    @property
    def tree_day(self):
        """The year-end rule: a resolution counts its units under the tree as it was at its
        year end (for a year in progress, today's tree: changes never apply ahead)."""
        return year_end(self.year)

    def has_ended(self, today=None):
        return (today or clock.today()).year > self.year

    def due_date(self, month):
        """The day the report for ``month`` of this year is due."""
        if month == 12:
            return datetime.date(self.year + 1, 1, self.report_due_day)
        return datetime.date(self.year, month + 1, self.report_due_day)

    def month_start(self, month):
        """The first day of ``month`` of this year."""
        return datetime.date(self.year, month, 1)

    def month_end(self, month):
        """The last day of ``month`` of this year."""
        return datetime.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def deadline(self, month):
        """The first moment after the due day of ``month``'s report (aware, local time):
        a report first submitted from then on is late."""
        day = self.due_date(month) + datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

    def is_closed(self, month, today=None):
        """Whether ``month`` is closed: its reports are due (it closes the day after its due day)."""
        return (today or clock.today()) > self.due_date(month)

    def last_closed_month(self, today=None):
        """The latest month of this year whose reports are due (0 while none is)."""
        today = today or clock.today()
        return next((m for m in range(12, 0, -1) if self.is_closed(m, today)), 0)

    def months_begun(self, today=None):
        """The months a page may be shown as of: January to the current month, never a month
        that has not begun (January alone for a year still to come)."""
        today = today or clock.today()
        if today.year > self.year:
            return list(range(1, 13))
        if today.year < self.year:
            return [1]
        return list(range(1, today.month + 1))

    def nearest_month_begun(self, month, today=None):
        """``month`` if it has begun, else the nearest month that has."""
        months = self.months_begun(today)
        return min(max(month, months[0]), months[-1])

    def default_month(self, today=None):
        """The month dashboards open on: the last closed month of this year, whose figures
        are complete (with reports due on the 20th, November from 21 December on); January
        while none is; for a year that has ended, its last month (December's reports come
        in during January, shown as provisional until they are due)."""
        today = today or clock.today()
        if today.year > self.year:
            return 12
        return max(self.last_closed_month(today), 1)

    def reporting_month(self, today=None):
        """The month whose reports are being filed and reviewed now: the latest month that
        has ended (November all through December), within this year. The review list and
        the report index open on it: it is what reviewers work through after the due day."""
        today = today or clock.today()
        if today.year > self.year:
            return 12
        if today.year < self.year:
            return 1
        return max(today.month - 1, 1)
