from django.core.management.base import BaseCommand

from targets.reporting.ledger import rebuild


class Command(BaseCommand):
    help = "Recompute the dashboards' running totals from the raw report figures (after a bulk load or a repair)."

    def handle(self, **options):
        rebuild(log=self.stdout.write)
