"""Send the day's e-mail reminders (run once a day from cron or a systemd timer)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from targets.reminders.models import ReminderSent
from targets.reminders.sending import send_reminders

Kind = ReminderSent.Kind


class Command(BaseCommand):
    help = (
        "Send today's reminders: before the due day, late notices, digests of late units to the upper "
        "levels and of reports waiting for review to reviewers. Each goes once; a second run sends nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Act as if today were this day (YYYY-MM-DD); default: the app's clock.")

    def handle(self, *args, date=None, **options):
        try:
            today = datetime.date.fromisoformat(date) if date else None
        except ValueError:
            raise CommandError(_("Not a date (YYYY-MM-DD): %(value)s") % {"value": date}) from None
        outcome = send_reminders(today=today)
        self.stdout.write(
            _(
                "%(total)s e-mails sent: %(due)s reminders, %(late)s late notices, %(digests)s digests of late "
                "units, %(reviews)s digests for reviewers; %(unreachable)s units without an e-mail address."
            )
            % {
                "total": outcome.total,
                "due": outcome.sent[Kind.DUE_SOON],
                "late": outcome.sent[Kind.LATE],
                "digests": outcome.sent[Kind.LATE_DIGEST],
                "reviews": outcome.sent[Kind.REVIEW_DIGEST],
                "unreachable": outcome.without_address,
            }
        )
