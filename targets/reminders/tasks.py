"""The reminders' background job, enqueued by the scheduler at the hour set in the admin
(scheduled job "reminders"; 08:00 by default). Each reminder still goes once per unit,
month and kind (``ReminderSent``), however often the job runs."""

from django.utils.translation import gettext as _
from django_tasks import task

from .models import ReminderSent
from .sending import send_reminders

Kind = ReminderSent.Kind


@task()
def send_reminders_task():
    """Send today's reminders; returns what was sent, for the scheduled job's row."""
    outcome = send_reminders()
    return _(
        "%(total)s e-mails sent: %(due)s reminders, %(late)s late notices, %(digests)s digests of late "
        "units, %(reviews)s digests for reviewers; %(unreachable)s units without an e-mail address."
    ) % {
        "total": outcome.total,
        "due": outcome.sent[Kind.DUE_SOON],
        "late": outcome.sent[Kind.LATE],
        "digests": outcome.sent[Kind.LATE_DIGEST],
        "reviews": outcome.sent[Kind.REVIEW_DIGEST],
        "unreachable": outcome.without_address,
    }
