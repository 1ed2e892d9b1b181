import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from branches.models import Organisation
from targets.management.scale import generate


class Command(BaseCommand):
    help = (
        "Generate a tree and a year of reports at a chosen size by bulk loading "
        "(--grassroots 2000 for a province, --grassroots 130000 for the country; --years 3 adds the two "
        "years before --year, each a resolution with a whole year of reports). Use a dedicated database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--grassroots", type=int, default=2000)
        parser.add_argument("--year", type=int, default=2020, help="the last (current) year")
        parser.add_argument("--years", type=int, default=1, help="how many years of resolutions, ending with --year")
        parser.add_argument("--months", type=int, default=12)
        parser.add_argument("--seed", type=int, default=1, help="a second data set needs another seed")

    def handle(self, grassroots, year, years, months, seed, **options):
        if not 1 <= months <= 12 or grassroots < 1 or not 1 <= years <= 20:
            raise CommandError("--months must be 1 to 12, --years 1 to 20 and --grassroots at least 1")
        if Organisation.objects.filter(code__startswith=f"S{seed}-").exists():
            raise CommandError(f"data for seed {seed} exists already; use another --seed or a fresh database")
        generate(grassroots=grassroots, year=year, years=years, months=months, seed=seed, log=self.stdout.write)
        if connection.vendor == "postgresql":
            # Fresh statistics, or the planner takes millions of new rows for an empty table;
            # and the visibility map, or every index-only scan reads the table as well.
            started = time.monotonic()
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
            self.stdout.write(f"VACUUM ANALYZE: {time.monotonic() - started:.1f} s")
