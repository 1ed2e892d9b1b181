"""Server time and SQL queries of every dashboard page and of filing and approving reports,
at the province size and the national size in one run, with the databases' sizes.

Each size is a PostgreSQL database filled by ``manage.py generate_scale_data`` (December of
the last year left empty, so that the benchmark can file it):

    for size in 2000 130000; do
      createdb -h 127.0.0.1 -U postgres unionplan_bench_$size
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/unionplan_bench_$size sh -c \\
        '.venv/bin/python manage.py migrate && .venv/bin/python manage.py generate_scale_data \\
         --grassroots '$size' --years 3 --months 11'
    done
    .venv/bin/python benchmarks/dashboards.py --repeat 7 \\
      --province-db postgres://postgres@127.0.0.1:5432/unionplan_bench_2000 \\
      --national-db postgres://postgres@127.0.0.1:5432/unionplan_bench_130000

Each database is measured in a child process of its own (Django's test client, in process:
server time without the network). Each page is requested once untimed, then ``--repeat``
times. Per page: median and p95 at both sizes, national ÷
province (medians; with --names, second ÷ first), SQL queries per request at both sizes (they should not grow with the
number of units). Then each database's size, its largest tables and indexes and its reports
per year; the machine's CPU count and load average before and after. With one database
(``--province-db`` alone, or DATABASE_URL) it prints that size's column only.

Every page is measured in both views: as the tree is (the default) and "as it was" each
month (``structure=monthly``, labelled [as it was]).

Writes are real and committed (``--pages-only`` leaves them out): each run files December reports for ``--repeat`` +
50 × ``--bulk-rounds`` units that have none, approves ``--repeat`` of them one by one and
the rest 50 at a time (the inbox's bulk action when the code has it, else 50 calls of
services.report_approve; the output says which). Every run uses up units without a December
report; generate a fresh database when it says there are too few.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULT = "RESULT "
BULK = 50


def percentile95(times):
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


# ---------------------------------------------------------------- the child: one database


def measure_here(args):
    """Measure the database DATABASE_URL names; print the result as one JSON line."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionplan.settings")
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    import unionplan.wsgi  # noqa: F401  (started as a gunicorn worker starts, start-up objects frozen)
    from branches.models import Organisation, User
    from targets.models import MonthlyReport, Resolution
    from targets.reporting import services

    def log(text):
        print(text, file=sys.stderr, flush=True)

    root = Organisation.objects.filter(parent__isnull=True, code__startswith="S").order_by("-pk").first()
    if args.root:
        root = Organisation.objects.get(code=args.root)
    if root is None:
        raise SystemExit("no generated data: run manage.py generate_scale_data first")
    resolution = Resolution.objects.filter(organisation=root).order_by("-year").first()
    year = resolution.year
    if getattr(settings, "UNIONPLAN_TODAY", None) is None:
        # Early January of the next year: December is open for filing, the year is over.
        import datetime

        settings.UNIONPLAN_TODAY = datetime.date(year + 1, 1, 10)
    # The reviewer: the (first) province, which reviews every union in it.
    province = root if root.kind == Organisation.Kind.PROVINCE else root.children.order_by("path").first()
    upper = Organisation.objects.under(province).upper_levels().order_by("path").first()
    grassroots = Organisation.objects.filter(parent=upper).grassroots().order_by("path").first()
    component = resolution.components().get(target__number=1)
    # A target counted in units of the largest sector (public agencies): its page also counts
    # the eligible units of each branch, most of the country's grassroots unions.
    in_units = (
        resolution.components()
        .exclude(measure="quantity")
        .filter(for_grassroots=True, for_public_agency=True)
        .order_by("target__number", "order")
        .first()
    )
    result = {
        "vendor": connection.vendor,
        "root": root.name,
        "grassroots": Organisation.objects.under(root).grassroots().count(),
        "debug": settings.DEBUG,
        "pages": [],
        "notes": [],
    }
    log(f"{root.name}: {result['grassroots']:,} grassroots unions, {year}")

    def measure(label, call, repeat, per=1):
        times, queries, blocks, splits = [], 0, None, []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                started, cpu_started = time.perf_counter(), time.process_time()
                response = call()
                times.append((time.perf_counter() - started) * 1000 / per)
                cpu = (time.process_time() - cpu_started) * 1000 / per
            sql = sum(float(q["time"]) for q in captured.captured_queries) * 1000 / per
            splits.append((times[-1], cpu, sql))
            queries = len(captured) / per
            status = getattr(response, "status_code", 200)
            if status not in (200, 302):
                raise SystemExit(f"{label}: HTTP {status}")
        if connection.vendor == "postgresql":
            blocks = blocks_touched(connection, captured) / per
        row = {"label": label, "median": statistics.median(times), "p95": percentile95(times), "queries": queries}
        row["blocks"] = blocks
        # Where the time of the request at p95 went: this process's own CPU time (Python),
        # waiting for SQL answers, and the rest (waiting for a CPU, or for anything else).
        slow = sorted(splits)[min(len(splits) - 1, round(0.95 * (len(splits) - 1)))]
        row["p95_split"] = {"cpu": slow[1], "sql": slow[2], "other": max(0.0, slow[0] - slow[1] - slow[2])}
        log(f"  {label:<44} median {row['median']:7.1f} ms   p95 {row['p95']:7.1f} ms   {queries:5.1f} queries")
        result["pages"].append(row)

    staff, _ = User.objects.get_or_create(username="bench-staff", defaults={"is_superuser": True})
    reviewer, _ = User.objects.update_or_create(
        username="bench-reviewer", defaults={"role": User.Role.PROVINCIAL_STAFF, "organisation": province}
    )
    officer, _ = User.objects.get_or_create(username="bench-officer", defaults={"role": "grassroots_officer"})
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(staff)
    reviewing = Client(HTTP_HOST="127.0.0.1")
    reviewing.force_login(reviewer)
    period = f"month={args.month}&year={year}"
    pages = [
        ("top dashboard (the root federation)", f"/dashboard/unit/{root.pk}/?{period}"),
        ("an upper level's dashboard", f"/dashboard/unit/{upper.pk}/?{period}"),
        ("a grassroots union's dashboard", f"/dashboard/unit/{grassroots.pk}/?{period}"),
        ("a target's page (root, by branch)", f"/dashboard/unit/{root.pk}/component/{component.pk}/?{period}"),
        ("its drill-down (an upper level's units)", f"/dashboard/unit/{upper.pk}/component/{component.pk}/?{period}"),
        ("a target in units (root, by branch)", f"/dashboard/unit/{root.pk}/component/{in_units.pk}/?{period}"),
        ("completeness", f"/dashboard/completeness/?unit={root.pk}&{period}"),
        ("priority tasks with narratives", f"/dashboard/tasks/?unit={root.pk}&{period}"),
        (
            "export XLSX: units not reported (root)",
            f"/dashboard/completeness/?unit={root.pk}&{period}&_export=xlsx&table=units",
        ),
    ]
    # Every page in both views: the tree as it is (the default) and as it was each month
    # (``structure=monthly``: the former placements and the "as it was" rows are read too).
    pages += [(f"{label} [as it was]", f"{url}&structure=monthly") for label, url in pages]
    for label, url in pages:
        # One request first, not timed: a worker that has served the page before (its
        # templates compiled, its rows in PostgreSQL's cache), as in use all day long.
        client.get(url)
        measure(label, lambda url=url: client.get(url), args.repeat)
    if args.pages_only:
        result["storage"] = storage(connection)
        print(RESULT + json.dumps(result), flush=True)
        return
    try:
        inbox_url = reverse("inbox")
    except NoReverseMatch:
        inbox_url = None
        result["notes"].append("reviewer's inbox: no /reports/inbox/ in this code yet, not measured")
    if inbox_url:
        # Everything waiting under the top of the tree, and under one upper level.
        for label, unit, role in (
            ("inbox, top of the tree", root, User.Role.PROVINCIAL_STAFF),
            ("inbox, an upper level", upper, User.Role.UPPER_LEVEL_OFFICER),
        ):
            user, _ = User.objects.update_or_create(
                username=f"bench-inbox-{unit.pk}", defaults={"role": role, "organisation": unit}
            )
            inbox_client = Client(HTTP_HOST="127.0.0.1")
            inbox_client.force_login(user)
            inbox_client.get(inbox_url)  # not timed, as the pages above
            measure(label, lambda c=inbox_client: c.get(inbox_url), args.repeat)

    # Filing and approving, through the services the pages call (bulk: the inbox's POST).
    needed = args.repeat + BULK * args.bulk_rounds
    units = list(
        Organisation.objects.under(province)
        .grassroots()
        .filter(dissolved_on__isnull=True)
        .exclude(founded_on__gte=f"{year}-12-01")
        .exclude(pk__in=MonthlyReport.objects.filter(resolution=resolution, month=12).values("organisation"))
        .order_by("path")[:needed]
    )
    if len(units) < needed:
        raise SystemExit(
            f"only {len(units)} units without a December {year} report, {needed} needed: generate a fresh "
            "database with --months 11"
        )
    filed = []

    def file_one():
        unit = units.pop()
        officer.organisation, officer.role = unit, User.Role.GRASSROOTS_OFFICER
        report = services.report_get_or_create(unit=unit, resolution=resolution, month=12)
        figures = {f.component_id: {"quantity": 1} for f in report.figures.all()}
        services.report_save(
            report=report, user=officer, figures=figures, tasks={}, expected_version=report.version, submit=True
        )
        filed.append(report)

    def approve_one():
        report = filed.pop()
        report.refresh_from_db()
        services.report_approve(report=report, user=reviewer, expected_version=report.version)

    def approve_fifty():
        batch = [filed.pop() for _ in range(BULK)]
        for report in batch:
            report.refresh_from_db()
        if inbox_url:
            ticks = [f"{r.pk}:{r.version}" for r in batch]
            response = reviewing.post(inbox_url, {"report": ticks})
        else:
            response = None
            for report in batch:
                services.report_approve(report=report, user=reviewer, expected_version=report.version)
        approved = MonthlyReport.objects.filter(pk__in=[r.pk for r in batch], status="approved").count()
        if approved != BULK:
            raise SystemExit(f"bulk approval approved {approved} of {BULK} reports")
        return response

    measure("file and submit a report", file_one, needed)
    measure("approve a report", approve_one, args.repeat)
    how = "the inbox's bulk action (POST /reports/inbox/)" if inbox_url else "50 calls of services.report_approve"
    result["notes"].append(f"bulk approval: {how}, time per report")
    measure("bulk-approve 50, per report", approve_fifty, args.bulk_rounds, per=BULK)
    result["storage"] = storage(connection)
    print(RESULT + json.dumps(result), flush=True)


def blocks_touched(connection, captured):
    """8 kB pages the request's SELECTs touch (shared buffers hit or read, EXPLAIN ANALYZE
    BUFFERS, run again after the request; a write's row locks and writes are not counted):
    the work a page costs whatever else the machine is doing. A page whose figure stays
    flat as years are added reads its own year only."""
    total = 0
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT") or " FOR UPDATE" in sql or "FOR NO KEY" in sql:
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
            plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
            total += plan.get("Shared Hit Blocks", 0) + plan.get("Shared Read Blocks", 0)
    return total


def storage(connection):
    """The database's size, its largest tables (heap, indexes) and largest indexes, and
    reports per year (PostgreSQL only)."""
    from django.db.models import Count

    from targets.models import MonthlyReport

    per_year = list(
        MonthlyReport.objects.values_list("resolution__year").order_by("resolution__year").annotate(n=Count("pk"))
    )
    if connection.vendor != "postgresql":
        return {"reports_per_year": per_year}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        size = cursor.fetchone()[0]
        cursor.execute(
            "SELECT c.relname, pg_relation_size(c.oid), pg_indexes_size(c.oid), pg_total_relation_size(c.oid) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 4 DESC LIMIT 8"
        )
        tables = cursor.fetchall()
        cursor.execute(
            "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'i' ORDER BY 2 DESC LIMIT 10"
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT COALESCE(SUM(pg_indexes_size(c.oid)), 0)::bigint FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'"
        )
        all_indexes = cursor.fetchone()[0]
    return {
        "database": size,
        "indexes": all_indexes,
        "tables": tables,
        "largest_indexes": indexes,
        "reports_per_year": per_year,
    }


# ---------------------------------------------------------------- the parent: both sizes


def mb(size):
    return f"{size / 1024 / 1024:,.1f} MB"


def python_speed():
    """Seconds this machine takes for a fixed pure-Python loop (10 million additions, the best
    of three): the pages are mostly Python, so their times on two machines compare through it."""
    best = None
    for _ in range(3):
        started, total = time.perf_counter(), 0
        for i in range(10_000_000):
            total += i
        took = time.perf_counter() - started
        best = took if best is None else min(best, took)
    return f"a Python loop of 10 million additions in {best:.2f} s"


def machine():
    load = os.getloadavg()
    return f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"


def production_environment(args):
    """The settings "Deployment" runs with (DEBUG=0: no query log, cached templates, the
    hashed static files), but plain HTTP to the test client; ``--debug`` keeps DEBUG=1."""
    if args.debug:
        return dict(os.environ, DEBUG="1")
    import secrets
    import tempfile

    env = dict(
        os.environ,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1,testserver",
        SECURE_SSL_REDIRECT="0",
        STATIC_ROOT=tempfile.mkdtemp(prefix="unionplan-bench-static-"),
    )
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    return env


def run_child(url, args):
    env = dict(args.environment, DATABASE_URL=url)
    command = [sys.executable, __file__, "--measure", "--repeat", str(args.repeat)]
    command += ["--bulk-rounds", str(args.bulk_rounds)] + (["--root", args.root] if args.root else [])
    command += ["--pages-only"] if args.pages_only else []
    command += ["--month", str(args.month)]
    completed = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    if completed.returncode:
        raise SystemExit(f"measuring {url} failed (exit {completed.returncode})")
    line = next(line for line in completed.stdout.splitlines() if line.startswith(RESULT))
    return json.loads(line[len(RESULT) :])


def print_storage(name, result):
    data = result["storage"]
    years = ", ".join(f"{y}: {n:,}" for y, n in data["reports_per_year"])
    print(f"\n{name}: {result['grassroots']:,} grassroots unions; reports per year {years}")
    if "database" not in data:
        return
    print(f"  database {mb(data['database'])}, of which indexes {mb(data['indexes'])}")
    print(f"  {'table':<40} {'heap':>12} {'indexes':>12} {'total':>12}")
    for name, heap, indexes, total in data["tables"]:
        print(f"  {name:<40} {mb(heap):>12} {mb(indexes):>12} {mb(total):>12}")
    print(f"  {'index':<60} {'size':>12}")
    for name, size in data["largest_indexes"]:
        print(f"  {name:<60} {mb(size):>12}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--province-db", help="database URL of the province size (default: DATABASE_URL)")
    parser.add_argument("--national-db", help="database URL of the national size")
    parser.add_argument("--repeat", type=int, default=7, help="requests per page")
    parser.add_argument("--bulk-rounds", type=int, default=2, help="bulk approvals of 50 reports")
    parser.add_argument("--root", help="code of the top organisation (default: the last generated one)")
    parser.add_argument("--names", nargs=2, default=("province", "national"), help="column names of the two databases")
    parser.add_argument("--debug", action="store_true", help="measure with DEBUG=1 (default: DEBUG=0)")
    parser.add_argument("--pages-only", action="store_true", help="the pages only: no reports filed or approved")
    parser.add_argument("--month", type=int, default=11, help="the month shown")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        return measure_here(args)
    args.environment = production_environment(args)

    first, second = args.names
    sizes = [(first, args.province_db or os.environ.get("DATABASE_URL"))]
    if args.national_db:
        sizes.append((second, args.national_db))
    if not sizes[0][1]:
        raise SystemExit("name the databases: --province-db URL [--national-db URL], or set DATABASE_URL")
    print(f"{platform.node()} · {os.cpu_count()} CPUs · Python {platform.python_version()} · {python_speed()}")
    print(f"before: {machine()}")
    results = {}
    for name, url in sizes:
        started = time.monotonic()
        results[name] = run_child(url, args)
        print(f"{name}: measured in {time.monotonic() - started:.0f} s, {machine()}", flush=True)
    print(f"after: {machine()}; repeat {args.repeat}, DEBUG={int(results[first]['debug'])}\n")

    province = results[first]["pages"]
    national = {row["label"]: row for row in results.get(second, {}).get("pages", [])}
    head = f"{'page':<44} {first + ' median / p95':>22}"
    if national:
        head += f" {second + ' median / p95':>22} {'ratio':>6} {'queries':>11} {'8 kB blocks':>17}"
    else:
        head += f" {'queries':>8} {'8 kB blocks':>12}"
    print(head)

    def blocks(row):
        return "-" if row["blocks"] is None else f"{row['blocks']:,.0f}"

    for row in province:
        line = f"{row['label']:<44} {row['median']:12.1f} / {row['p95']:6.1f}"
        other = national.get(row["label"])
        if other:
            ratio = other["median"] / row["median"] if row["median"] else float("nan")
            line += f" {other['median']:12.1f} / {other['p95']:6.1f} {ratio:5.1f}×"
            line += f" {row['queries']:5.0f} / {other['queries']:<5.0f} {blocks(row):>8} / {blocks(other):<8}"
        else:
            line += f" {row['queries']:8.0f} {blocks(row):>12}"
        print(line)
    print("(milliseconds of server time; queries and 8 kB blocks touched per request)")
    for note in results[first]["notes"]:
        print(f"note: {note}")
    for name, result in results.items():
        print_storage(name, result)


if __name__ == "__main__":
    main()
