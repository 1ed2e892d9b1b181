"""The reminders' background job, enqueued by the scheduler at the hour set in the admin
(scheduled job "reminders"; 08:00 by default). Each reminder still goes once per unit,
month and kind (``ReminderSent``), however often the job runs."""

from django_tasks import task

from .models import ReminderSent
from .sending import send_reminders

Kind = ReminderSent.Kind


@task()
def send_reminders_task():
    """Send today's reminders; returns what was sent, for the scheduled job's row."""
    outcome = send_reminders()
    sent = ", ".join(f"{kind.label}: {outcome.sent[kind]}" for kind in Kind)
    return f"{outcome.total} e-mails ({sent}); {outcome.without_address} units without an address"
