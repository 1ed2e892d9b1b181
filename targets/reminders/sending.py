"""Which reminders are due today, to whom, and sending them once.

Every step is set-based, so that a run stays a handful of queries per resolution whatever
the number of units (130,000 in the country): the units still to remind are one query (the
ones already reminded are left out by the database), their addresses one more, the records
one bulk insert; all the mail of a run goes through one connection.

Only the month now due (its due day within ``REMINDER_DAYS_BEFORE_DUE`` days) and the month
just late (its due day passed less than ``REMINDER_LATE_NOTICE_DAYS`` days ago) are reminded
unit by unit; older gaps are listed in the upper level's digest, so that the first run on a
year already under way never floods the units with notices about months long past.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from branches.models import Organisation, User
from targets.reporting.models import MonthlyReport
from targets.resolution.models import Resolution
from targets.rollup.completeness import UNREPORTED_Q, expected_reporters
from unionplan import clock

from .models import ReminderSent

Kind = ReminderSent.Kind


@dataclass
class Outcome:
    """What a run sent, by kind, and the units that could not be reached."""

    sent: dict = field(default_factory=lambda: {kind: 0 for kind in Kind})
    without_address: int = 0

    @property
    def total(self):
        return sum(self.sent.values())


def reminder_months(resolution, today):
    """(the month now due, the month just late) of ``resolution`` on ``today``, each or None."""
    soon = datetime.timedelta(days=settings.REMINDER_DAYS_BEFORE_DUE)
    window = datetime.timedelta(days=settings.REMINDER_LATE_NOTICE_DAYS)
    due_month = late_month = None
    for month in range(1, 13):
        due = resolution.due_date(month)
        if today <= due <= today + soon:
            due_month = month
        if due < today <= due + window:
            late_month = month
    return due_month, late_month


def addresses(units):
    """{unit id: [e-mail addresses]} for the units of the queryset ``units``: its active
    officers' own addresses, or, when none of them has one, the unit's contact address.
    A unit with neither is absent. Two queries."""
    found = defaultdict(list)
    officers = (
        User.objects.filter(organisation__in=units.values("pk"), is_active=True)
        .exclude(role="")
        .exclude(email="")
        .order_by("organisation_id", "pk")
        .values_list("organisation_id", "email")
    )
    for unit_id, email in officers:
        found[unit_id].append(email)
    for unit_id, email in units.exclude(email="").values_list("pk", "email"):
        if unit_id not in found:
            found[unit_id] = [email]
    return found


def _not_yet(queryset, resolution, month, kind, unit_field="pk"):
    """``queryset`` without the units already sent this reminder."""
    sent = ReminderSent.objects.filter(resolution=resolution, month=month, kind=kind, organisation=OuterRef(unit_field))
    return queryset.filter(~Exists(sent))


def _day(value):
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _link(path):
    return settings.SITE_URL + path


def _report_link(resolution, month, unit_id):
    return _link(reverse("report_edit", args=[resolution.year, month, unit_id]))


class Run:
    """One run of the reminders for ``today``: build the messages and records of each kind,
    then send and record them together (``send``)."""

    def __init__(self, today, connection):
        self.today, self.now, self.connection = today, clock.now(), connection
        self.outcome = Outcome()

    def for_resolution(self, resolution):
        due_month, late_month = reminder_months(resolution, self.today)
        if due_month:
            self.unit_notices(resolution, due_month, Kind.DUE_SOON)
        if late_month:
            self.unit_notices(resolution, late_month, Kind.LATE)
            self.late_digests(resolution, late_month)
        self.review_digests(resolution)

    def unreported(self, resolution, month):
        return expected_reporters(resolution, resolution.organisation, month).filter(UNREPORTED_Q)

    def unit_notices(self, resolution, month, kind):
        """One e-mail to each unit that has not submitted ``month``'s report yet."""
        units = _not_yet(self.unreported(resolution, month), resolution, month, kind)
        to = addresses(units)
        messages, records = [], []
        due = _day(resolution.due_date(month))
        for unit_id, name in units.values_list("pk", "name").order_by("path"):
            if unit_id not in to:
                self.outcome.without_address += 1
                continue
            values = {"unit": name, "month": month, "year": resolution.year, "due": due}
            values["link"] = _report_link(resolution, month, unit_id)
            if kind == Kind.DUE_SOON:
                subject = _("[UnionPlan] Report of %(month)s/%(year)s due on %(due)s: %(unit)s") % values
                body = (
                    _(
                        "Dear officers of %(unit)s,\n\n"
                        "The monthly report of %(unit)s for %(month)s/%(year)s is due on %(due)s "
                        "and has not been submitted yet.\n"
                        "Open it here: %(link)s\n"
                    )
                    % values
                )
            else:
                subject = _("[UnionPlan] Late: report of %(month)s/%(year)s of %(unit)s (due %(due)s)") % values
                body = (
                    _(
                        "Dear officers of %(unit)s,\n\n"
                        "The monthly report of %(unit)s for %(month)s/%(year)s was due on %(due)s "
                        "and has not been submitted. Please submit it as soon as possible.\n"
                        "Open it here: %(link)s\n"
                    )
                    % values
                )
            messages.append(self.message(subject, body, to[unit_id]))
            records.append(self.record(resolution, unit_id, month, kind, to[unit_id]))
        self.send(messages, records, kind)

    def late_digests(self, resolution, month):
        """To each upper level with late units: its units late with ``month``, and the older
        months its units have still not reported."""
        # The parents of the late units, read once (not a subquery per upper level over its
        # subtree, which PostgreSQL ran for minutes on a province's 1,600 units).
        late_parents = self.unreported(resolution, month).filter(parent__isnull=False).values("parent_id")
        uppers = _not_yet(Organisation.objects.filter(pk__in=late_parents), resolution, month, Kind.LATE_DIGEST)
        upper_names = dict(uppers.values_list("pk", "name"))
        if not upper_names:
            return
        late, older = defaultdict(list), defaultdict(lambda: defaultdict(list))
        for earlier in range(1, month + 1):
            rows = (
                self.unreported(resolution, earlier)
                .filter(parent__in=list(upper_names))
                .order_by("path")
                .values_list("parent_id", "pk", "name", "contact_person", "phone")
            )
            for parent_id, unit_id, name, person, phone in rows:
                if earlier == month:
                    late[parent_id].append((name, person, phone))
                else:
                    older[parent_id][(unit_id, name)].append(earlier)
        to = addresses(uppers)
        messages, records = [], []
        for upper_id, upper_name in upper_names.items():
            if upper_id not in to:
                self.outcome.without_address += 1
                continue
            values = {
                "unit": upper_name,
                "count": len(late[upper_id]),
                "month": month,
                "year": resolution.year,
                "due": _day(resolution.due_date(month)),
                "link": _link(f"{reverse('dashboard-completeness')}?unit={upper_id}&month={month}"),
            }
            subject = _("[UnionPlan] %(count)s units late with the report of %(month)s/%(year)s") % values
            lines = [
                _("Dear officers of %(unit)s,") % values,
                "",
                _("These %(count)s units have not submitted their report of %(month)s/%(year)s, due on %(due)s:")
                % values,
            ]
            for name, person, phone in late[upper_id]:
                contact = ", ".join(part for part in (person, phone) if part)
                lines.append(f"- {name}" + (f" ({contact})" if contact else ""))
            if older[upper_id]:
                lines += ["", _("Earlier months still not reported:")]
                for (_unit_id, name), months in older[upper_id].items():
                    listed = ", ".join(f"{m}/{resolution.year}" for m in months)
                    lines.append(_("- %(unit)s: %(months)s") % {"unit": name, "months": listed})
            lines += ["", _("Who reported on time, late or not at all: %(link)s") % values]
            messages.append(self.message(subject, "\n".join(lines) + "\n", to[upper_id]))
            records.append(self.record(resolution, upper_id, month, Kind.LATE_DIGEST, to[upper_id]))
        self.send(messages, records, Kind.LATE_DIGEST)

    def review_digests(self, resolution):
        """To each unit's direct upper level: its units' reports submitted more than
        ``REMINDER_REVIEW_WAITING_DAYS`` days ago and still waiting, for months not yet told."""
        waited = self.now - datetime.timedelta(days=settings.REMINDER_REVIEW_WAITING_DAYS)
        waiting = _not_yet(
            MonthlyReport.objects.submitted().filter(
                resolution=resolution,
                submitted_at__lte=waited,
                organisation__path__startswith=resolution.organisation.path,
                organisation__parent__isnull=False,
            ),
            resolution,
            OuterRef("month"),
            Kind.REVIEW_DIGEST,
            unit_field="organisation__parent",
        )
        rows = waiting.order_by("organisation__parent_id", "submitted_at").values_list(
            "organisation__parent_id", "organisation_id", "organisation__name", "month", "submitted_at"
        )
        by_upper = defaultdict(list)
        for row in rows:
            by_upper[row[0]].append(row[1:])
        if not by_upper:
            return
        uppers = Organisation.objects.filter(pk__in=by_upper)
        names = dict(uppers.values_list("pk", "name"))
        to = addresses(uppers)
        messages, records = [], []
        for upper_id, reports in by_upper.items():
            if upper_id not in to:
                self.outcome.without_address += 1
                continue
            values = {"unit": names[upper_id], "count": len(reports), "days": settings.REMINDER_REVIEW_WAITING_DAYS}
            subject = _("[UnionPlan] %(count)s reports waiting for your review") % values
            lines = [
                _("Dear officers of %(unit)s,") % values,
                "",
                _("These %(count)s reports have been waiting for review for more than %(days)s days:") % values,
            ]
            for unit_id, name, month, submitted_at in reports:
                line = {
                    "unit": name,
                    "month": month,
                    "year": resolution.year,
                    "day": _day(timezone.localtime(submitted_at).date()),
                    "link": _link(reverse("report_detail", args=[resolution.year, month, unit_id])),
                }
                lines.append(_("- %(unit)s, %(month)s/%(year)s, submitted on %(day)s: %(link)s") % line)
            lines += ["", _("Review list: %(link)s") % {"link": _link(reverse("review_list"))}]
            messages.append(self.message(subject, "\n".join(lines) + "\n", to[upper_id]))
            for month in sorted({month for _u, _n, month, _s in reports}):
                records.append(self.record(resolution, upper_id, month, Kind.REVIEW_DIGEST, to[upper_id]))
        self.send(messages, records, Kind.REVIEW_DIGEST)

    def message(self, subject, body, to):
        footer = _("This is an automatic message from UnionPlan; there is no need to reply.")
        return EmailMessage(subject, f"{body}\n--\n{footer}\n", settings.DEFAULT_FROM_EMAIL, to)

    def record(self, resolution, unit_id, month, kind, to):
        return ReminderSent(
            resolution=resolution,
            organisation_id=unit_id,
            month=month,
            kind=kind,
            sent_on=self.today,
            recipients=", ".join(to),
        )

    def send(self, messages, records, kind):
        # The records are written and the mail sent in one transaction: if the mail server
        # fails, nothing is recorded and tomorrow's run tries again (a message that did leave
        # before the failure may then arrive twice, better than a reminder never sent).
        if not messages:
            return
        with transaction.atomic():
            ReminderSent.objects.bulk_create(records, batch_size=1000)
            self.connection.send_messages(messages)
        self.outcome.sent[kind] += len(messages)


def send_reminders(today=None, resolutions=None):
    """Send every reminder due on ``today`` (the clock's today) for each resolution (all of
    them by default: every federation, every year whose months are due). Returns an Outcome."""
    today = today or clock.today()
    resolutions = resolutions if resolutions is not None else Resolution.objects.select_related("organisation")
    with translation.override(settings.LANGUAGE_CODE):
        connection = get_connection()
        with connection:
            run = Run(today, connection)
            for resolution in resolutions.order_by("organisation__path", "year"):
                run.for_resolution(resolution)
    return run.outcome
