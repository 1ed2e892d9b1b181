from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from branches.changes import apply_due_changes


class Command(BaseCommand):
    help = (
        "Apply the planned changes to the organisation tree whose day has come (run it daily, "
        "e.g. from cron; the change pages do the same when they are opened)."
    )

    def handle(self, **options):
        with translation.override(settings.LANGUAGE_CODE):
            applied, failed = apply_due_changes()
        for change in applied:
            self.stdout.write(f"{change}: applied")
        for change, reasons in failed.items():
            self.stderr.write(f"{change}: not applied: " + "; ".join(reasons))
        if failed:
            raise SystemExit(1)
