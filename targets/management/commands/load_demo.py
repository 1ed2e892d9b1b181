from django.core.management.base import BaseCommand
from django.db import connection

from branches.management.demo import load_demo_organisations, load_demo_users
from targets.management.demo import load_demo_reports
from targets.management.demo2025 import load_demo_2025
from targets.management.demo_allocations import load_demo_allocations


class Command(BaseCommand):
    help = (
        "Load the demo organisation tree, log-ins, allocations and reports (Kiên Giang 2020), and the "
        "2025 demo that lives through the reorganisation. Running it again adds nothing."
    )

    def handle(self, **options):
        units = load_demo_organisations()
        users = load_demo_users()
        self.stdout.write(f"demo: {units} organisations and {users} users created")
        self.stdout.write(f"demo: {load_demo_allocations()} allocations created")
        self.stdout.write(load_demo_reports())
        self.stdout.write(load_demo_2025())
        if connection.vendor == "postgresql":
            # Fresh statistics: without them the planner took the new tables for empty and
            # send_reminders ran for minutes on the demo (0.9 s with them).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
