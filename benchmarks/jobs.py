"""Figures of the background work (docs/jobs.md), against the database DATABASE_URL names:

- ``send_reminders`` for a day with a late month (every kind of reminder due): seconds and
  SQL queries, e-mail to the console backend's null sink (nothing leaves the machine);
  run inside a transaction that is rolled back, so the database is left as it was;
- the unreported units of the whole tree (the federation at the top) as XLSX through the
  export's fast path, as the worker builds it: seconds, rows, the worker's memory growth
  (peak resident set size before and after);
- the same list made ``--rows`` long (the units repeated) to show 130,000 rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/up_jobs_nat \\
      .venv/bin/python benchmarks/jobs.py --date 2020-11-21 --month 10 --rows 130000

Prints the machine's load average beside the figures (2 cores shared: compare runs at a
similar load).
"""

import argparse
import io
import itertools
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionplan.settings")


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--date", default="2020-11-21", help="the reminders' day (a month just late)")
    parser.add_argument("--month", type=int, default=10, help="the month of the unreported units' list")
    parser.add_argument("--rows", type=int, default=130_000, help="rows of the long XLSX")
    parser.add_argument("--skip-reminders", action="store_true")
    args = parser.parse_args()

    import datetime

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from targets.dashboards.follow_up_tables import UnreportedUnitsTable
    from targets.reminders.sending import send_reminders
    from targets.resolution.models import Resolution
    from targets.rollup.completeness import unreported_units
    from unionplan.spreadsheets import table_rows, write_xlsx_rows

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; load average {os.getloadavg()}")
    from branches.models import Organisation

    print(f"units: {Organisation.objects.count():,}")
    if connection.vendor == "postgresql":
        # A copy loaded in bulk and never vacuumed has an empty visibility map: every
        # "index-only" read of the month's reports (report_month_units) visits the table too,
        # and the list's query is several times slower than on a database autovacuum keeps.
        with connection.cursor() as cursor:
            cursor.execute("SELECT relpages, relallvisible FROM pg_class WHERE relname = 'targets_monthlyreport'")
            pages, visible = cursor.fetchone()
        print(f"reports' pages all-visible: {visible:,} of {pages:,} (VACUUM a freshly loaded copy)")

    if not args.skip_reminders:
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        day = datetime.date.fromisoformat(args.date)
        with transaction.atomic():
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                outcome = send_reminders(today=day)
                seconds = time.perf_counter() - start
            transaction.set_rollback(True)
        print(
            f"send_reminders {day}: {seconds:.1f} s, {len(queries)} queries, {outcome.total:,} e-mails "
            f"({', '.join(f'{k}: {v:,}' for k, v in outcome.sent.items())}); load {os.getloadavg()[0]:.2f}"
        )

    resolution = Resolution.objects.select_related("organisation").order_by("year").first()
    resolution = Resolution.objects.filter(organisation=resolution.organisation).order_by("-year").first()
    top = resolution.organisation
    table = UnreportedUnitsTable(unreported_units(resolution, top, args.month))
    before = peak_mb()
    start = time.perf_counter()
    headers, rows, formats = table_rows(table)
    out = io.BytesIO()
    written = write_xlsx_rows(out, headers, rows, title="don-vi-chua-bao-cao", title_lines=["Đơn vị chưa báo cáo"])
    seconds = time.perf_counter() - start
    print(
        f"unreported units of {top.name}, {args.month}/{resolution.year}, XLSX: {written:,} rows in {seconds:.2f} s, "
        f"{len(out.getvalue()) / 1e6:.1f} MB; peak memory {before:.0f} -> {peak_mb():.0f} MB; "
        f"load {os.getloadavg()[0]:.2f}"
    )

    headers, rows, formats = table_rows(UnreportedUnitsTable(unreported_units(resolution, top, args.month)))
    rows = list(rows)
    if rows:
        long_rows = itertools.islice(itertools.cycle(rows), args.rows)
        before = peak_mb()
        start = time.perf_counter()
        out = io.BytesIO()
        written = write_xlsx_rows(out, headers, long_rows, title="don-vi", title_lines=["Đơn vị chưa báo cáo"])
        seconds = time.perf_counter() - start
        print(
            f"{written:,} rows as XLSX (the list repeated): {seconds:.2f} s, {len(out.getvalue()) / 1e6:.1f} MB; "
            f"peak memory {before:.0f} -> {peak_mb():.0f} MB; load {os.getloadavg()[0]:.2f}"
        )


if __name__ == "__main__":
    main()
