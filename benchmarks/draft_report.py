"""Server time and SQL queries of the draft report (issue 25): the federation's yearly draft
(tổng kết), its mid-year draft (sơ kết) and the yearly draft of its largest upper level, as
"Dự thảo báo cáo" makes them (Django's test client, in process: server time without the
network), and the two halves of the work: reading the figures (``draft_context``) and filling
the Word template (``render_docx``). A union with more than ``DRAFT_IN_REQUEST_UNITS`` units
under it (the national root) gets its draft from the background worker: its line times the
request (the job's page) and the worker's build of the file, run in this process.

The database is one filled by ``manage.py generate_scale_data`` and migrated with this
branch's migrations; a copy, since the benchmark logs in a user it creates (nothing else is
written). ``--read-only`` measures the figures and the Word file alone, reading the generated
database itself (no migration needed, nothing written):

    createdb -h 127.0.0.1 -U postgres -T up_nat_130000_3y up_docx_nat
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/up_docx_nat .venv/bin/python manage.py migrate
    .venv/bin/python benchmarks/draft_report.py --db postgres://postgres@127.0.0.1:5432/up_docx_nat --repeat 7

Each measurement is made once untimed, then ``--repeat`` times: median and p95 in
milliseconds (wall clock), the median CPU time of this Python process (the app's own work,
less sensitive to a busy machine than the wall clock; the database's time is not in it), SQL
queries per draft, the file's size; the load average before and after. The goal: the federation's yearly draft
at the national size in at most 2 s.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def percentile95(times):
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="DATABASE_URL of the database to measure (default: DATABASE_URL)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--root", help="code of the federation (default: the generated data's root)")
    parser.add_argument(
        "--read-only",
        action="store_true",
        help="measure the figures and the Word file only, with no request (no user is logged in, nothing "
        "is written, this branch's migration is not needed): for a generated database itself",
    )
    args = parser.parse_args()
    if args.db:
        os.environ["DATABASE_URL"] = args.db
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionplan.settings")
    os.environ.setdefault("DB_CONN_MAX_AGE", "60")
    # The settings a deployment runs with (no query log), plain HTTP to the test client.
    import secrets

    os.environ.update(DEBUG="0", ALLOWED_HOSTS="127.0.0.1,testserver", SECURE_SSL_REDIRECT="0")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(40))
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from branches.models import Organisation, User
    from targets.dashboards import files
    from targets.dashboards.models import ExportFile
    from targets.documents.default_template import DEFAULT_TEMPLATE
    from targets.documents.rendering import render_docx
    from targets.documents.report import Period, draft_context, draft_period
    from targets.models import Resolution

    if args.root:
        root = Organisation.objects.get(code=args.root)
    else:
        root = Organisation.objects.filter(parent__isnull=True).order_by("-pk").first()
    resolution = Resolution.objects.filter(organisation=root).order_by("-year").first()
    if resolution is None:
        raise SystemExit("no resolution: run manage.py generate_scale_data first")
    units = Organisation.objects.under(root).count()
    largest = (
        Organisation.objects.filter(parent=root)
        .exclude(kind=Organisation.Kind.GRASSROOTS)
        .annotate(n=Count("children"))
        .order_by("-n")
        .first()
    )
    client = Client()
    if not args.read_only:
        user, _ = User.objects.get_or_create(username="bench-draft-report", defaults={"is_superuser": True})
        client.force_login(user)
    template = DEFAULT_TEMPLATE.read_bytes()

    def timed(function):
        function()  # untimed: caches, connections
        times, cpu, queries = [], [], 0
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as captured:
                start, start_cpu = time.perf_counter(), time.process_time()
                result = function()
                times.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
            queries = len(captured)
        return times, cpu, queries, result

    print(f"database: {connection.settings_dict['NAME']} ({connection.vendor}); {units:,} units under {root.code}")
    print(
        f"resolution {resolution.year}; largest upper level: {largest.code if largest else '-'}; repeat {args.repeat}"
    )
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'what':58} {'median ms':>10} {'p95 ms':>8} {'py cpu ms':>10} {'queries':>8} {'bytes':>8}")

    def line(label, function):
        times, cpu, queries, result = timed(function)
        size = len(result.content) if hasattr(result, "content") else len(result) if isinstance(result, bytes) else ""
        if hasattr(result, "status_code"):
            assert result.status_code == 200, result.status_code
        print(
            f"{label:58} {statistics.median(times):10.0f} {percentile95(times):8.0f} "
            f"{statistics.median(cpu):10.0f} {queries:8} {size!s:>8}"
        )

    def request(unit, period):
        """The draft as the button gets it: the file in the request, or (a union with more
        than DRAFT_IN_REQUEST_UNITS units under it) the job's page at once and then the
        worker's build of the file (``files.file_build``, run here as the worker runs it)."""
        url = reverse("dashboard-draft", args=[unit.pk])

        def get():
            response = client.get(url, {"period": period, "year": resolution.year})
            if response.status_code != 302:
                return response
            job_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
            files.file_build(job_id)
            job = ExportFile.objects.get(pk=job_id)
            assert job.status == ExportFile.Status.READY, job.message
            return bytes(job.content)

        return get

    year = draft_period(resolution, Period.YEAR, 12)
    if not args.read_only:
        line(f"request (+ worker): {root.code} yearly draft (tổng kết, to month {year.month})", request(root, "year"))
        line(f"request (+ worker): {root.code} mid-year draft (sơ kết)", request(root, "half"))
        if largest is not None:
            line(f"request (+ worker): {largest.code} yearly draft", request(largest, "year"))
    context = draft_context(resolution, root, Period.YEAR, year.month)
    line(
        f"  figures only: draft_context({root.code}, year)",
        lambda: draft_context(resolution, root, Period.YEAR, year.month),
    )
    line("  Word only: render_docx(default template, that context)", lambda: render_docx(template, context))
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
