"""Load test: N grassroots officers log in and submit their month's report, at once or spread out.

Creates (drops first) its own PostgreSQL database, migrates, loads the 2020 resolution and the
demo province (1,603 grassroots unions), creates N officers of N different grassroots unions
with one known password, serves the app with gunicorn on 127.0.0.1 (DEBUG=0, static files
collected), then runs N threads, each: GET /login/ (CSRF cookie), POST /login/, GET the report
edit page (version, new CSRF token), POST the figures with "submit". With --spread S the
officers start evenly over S seconds; S = 0 releases them at the same instant. Several
values run one wave each, each with N new officers, against the same server. Prints, per
wave, requests per second, p50/p95 latency per step, how many officers got in, errors, then
checks in the database that every report is submitted with the posted figures. Standard
library only (plus the app's own dependencies). Example (docs/benchmarks.md):

    .venv/bin/python benchmarks/load.py --officers 200 --spread 10 0 --port 8221 --workers 4 --threads 4

With --sqlite it runs the app the way `make run` does instead: a fresh SQLite file in a
temporary directory, migrated, the resolution and the demo loaded, served by
`manage.py runserver` (DEBUG on), and releases 20 officers (--officers) at once:

    .venv/bin/python benchmarks/load.py --sqlite --port 8222

Exit status 1 when there was any error or any lost report.
"""

import argparse
import http.client
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "load-test-password-2020"
YEAR, MONTH = 2020, 12
VERSION_RE = re.compile(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--officers", type=int, help="officers per wave (default 200, 20 with --sqlite)")
    parser.add_argument(
        "--spread",
        type=float,
        nargs="+",
        default=[0.0],
        help="seconds over which a wave's officers start, one wave per value (0: all at once)",
    )
    parser.add_argument(
        "--login-only", action="store_true", help="officers only open the log-in page and log in (a log-in burst)"
    )
    parser.add_argument("--sqlite", action="store_true", help="SQLite file and runserver, as `make run`")
    parser.add_argument("--port", type=int, default=8221)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server URL")
    parser.add_argument("--database", default="unionplan_load")
    parser.add_argument("--timeout", type=float, default=300, help="seconds allowed for one request")
    parser.add_argument("--deadline", type=float, default=900, help="seconds allowed for the whole run")
    parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run (new officers)")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    args = parser.parse_args()
    if args.officers is None:
        args.officers = 20 if args.sqlite else 200
    if args.sqlite and args.reuse:
        parser.error("--reuse is for PostgreSQL only")
    return args


# ---------------------------------------------------------------------------
# Database: created, filled and checked through Django in this process


def create_database(server, name):
    import psycopg2

    url = urllib.parse.urlsplit(server)
    conn = psycopg2.connect(
        host=url.hostname, port=url.port or 5432, user=url.username, password=url.password, dbname="postgres"
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def drop_database(server, name):
    import psycopg2

    url = urllib.parse.urlsplit(server)
    conn = psycopg2.connect(
        host=url.hostname, port=url.port or 5432, user=url.username, password=url.password, dbname="postgres"
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


def prepare(officers, collect_static=True):
    """Migrate, load the resolution and the demo, create the officers. Returns their plans:
    [{"username", "unit", "fields": {field name: posted value}}]."""
    from django.core.management import call_command

    from branches.models import Organisation, User
    from targets.models import MonthlyReport, Resolution, TargetComponent
    from targets.reporting.forms import MonthlyReportForm
    from targets.reporting.services import reported_components

    call_command("migrate", verbosity=0)
    if not Resolution.objects.filter(year=YEAR).exists():
        call_command("load_resolution", str(ROOT / "targets/data/resolution-2020-kien-giang.json"))
        call_command("load_demo")
    if collect_static:
        call_command("collectstatic", verbosity=0, interactive=False)
    resolution = Resolution.objects.get(year=YEAR)
    run = int(time.time())
    units = list(
        Organisation.objects.under(resolution.organisation)
        .filter(kind=Organisation.Kind.GRASSROOTS, dissolved_on=None)
        .exclude(reports__resolution=resolution, reports__month=MONTH)
        .order_by("path")[:officers]
    )
    if len(units) < officers:
        sys.exit(f"only {len(units)} grassroots unions without a report for month {MONTH}: use a fresh database")
    hashed = User(username="x")
    hashed.set_password(PASSWORD)  # one deliberately slow hash, shared by every officer
    User.objects.bulk_create(
        [
            User(
                username=f"load{run}_{i}",
                organisation=unit,
                role=User.Role.GRASSROOTS_OFFICER,
                password=hashed.password,
            )
            for i, unit in enumerate(units)
        ]
    )
    plans = []
    for i, unit in enumerate(units):
        quantities = [
            c.pk
            for c in reported_components(unit=unit, resolution=resolution)
            if c.measure == TargetComponent.Measure.QUANTITY
        ]
        quantity = 1 + i % (unit.workforce or 1000)  # the form refuses more than the workforce
        plans.append(
            {
                "username": f"load{run}_{i}",
                "unit": unit.pk,
                "fields": {MonthlyReportForm.field_name(pk, "quantity"): str(quantity) for pk in quantities},
                "components": {pk: quantity for pk in quantities},
            }
        )
    assert not MonthlyReport.objects.filter(organisation__in=units, month=MONTH).exists()
    return plans


def check(plans):
    """(submitted reports with exactly the posted figures, problems)."""
    from targets.models import MonthlyReport, ReportFigure

    units = [p["unit"] for p in plans]
    submitted = set(
        MonthlyReport.objects.filter(
            organisation__in=units, month=MONTH, resolution__year=YEAR, status=MonthlyReport.Status.SUBMITTED
        ).values_list("organisation", flat=True)
    )
    stored = {}
    for unit, component, quantity in ReportFigure.objects.filter(
        report__organisation__in=units, report__month=MONTH, report__resolution__year=YEAR
    ).values_list("report__organisation", "component", "quantity"):
        stored[(unit, component)] = quantity
    good, problems = 0, []
    for plan in plans:
        found = {pk: stored.get((plan["unit"], pk)) for pk in plan["components"]}
        wrong = {pk: v for pk, v in found.items() if v != plan["components"][pk]}
        if plan["unit"] not in submitted:
            problems.append(f"{plan['username']}: report not submitted")
        elif wrong:
            problems.append(f"{plan['username']}: figures {wrong} instead of {plan['components']}")
        else:
            good += 1
    return good, problems


# ---------------------------------------------------------------------------
# The simulated officers (http.client, one keep-alive connection each)


class Officer:
    def __init__(self, port, timeout, plan, login_only=False):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.plan = plan
        self.login_only = login_only
        self.cookies = {}
        self.timings = []  # (step, seconds)
        self.got_in = False

    def request(self, step, method, path, form=None, expect=(200,)):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        self.timings.append((step, time.perf_counter() - started))
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.status not in expect:
            raise RuntimeError(f"{step}: HTTP {response.status} {response.getheader('Location') or text[:200]!r}")
        return response, text

    def run(self):
        self.request("login page", "GET", "/login/")
        token = self.cookies["csrftoken"]
        form = {"username": self.plan["username"], "password": PASSWORD, "csrfmiddlewaretoken": token}
        response, _ = self.request("log in", "POST", "/login/", form, expect=(302,))
        if "/login/" in (response.getheader("Location") or ""):
            raise RuntimeError("log in: sent back to the log-in page")
        self.got_in = True
        if self.login_only:
            return
        edit = f"/reports/{YEAR}/{MONTH}/{self.plan['unit']}/edit/"
        _, page = self.request("edit page", "GET", edit)
        match = VERSION_RE.search(page)
        if not match:
            raise RuntimeError("edit page: no version field")
        form = {
            **self.plan["fields"],
            "version": match.group(1) or match.group(2),
            "action": "submit",
            "note": "",
            "csrfmiddlewaretoken": self.cookies["csrftoken"],
        }
        response, _ = self.request("submit", "POST", edit, form, expect=(302,))
        if "/edit/" in (response.getheader("Location") or ""):
            raise RuntimeError("submit: sent back to the form")


def run_officers(plans, port, timeout, deadline, spread, login_only=False):
    """All threads wait at a barrier; officer i then starts i * spread / N seconds later."""
    barrier = threading.Barrier(len(plans))
    officers = [Officer(port, timeout, plan, login_only) for plan in plans]
    errors = []

    def work(officer, delay):
        try:
            barrier.wait(timeout=60)
            time.sleep(delay)
            officer.run()
        except Exception as error:  # noqa: BLE001 - every failure is counted and shown
            errors.append(f"{officer.plan['username']}: {type(error).__name__}: {error}")
        finally:
            officer.conn.close()

    threads = [
        threading.Thread(target=work, args=(o, i * spread / len(officers)), daemon=True) for i, o in enumerate(officers)
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    end = time.monotonic() + deadline
    for t in threads:
        t.join(max(0, end - time.monotonic()))
    elapsed = time.perf_counter() - started
    unfinished = sum(t.is_alive() for t in threads)
    if unfinished:
        errors.append(f"{unfinished} officers still running after {deadline:.0f} s")
    return officers, errors, elapsed


def percentile(values, p):
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def log_in_figures(officers):
    """(p50, p95 of the log-in step in seconds, officers who got in)."""
    values = [s for o in officers for name, s in o.timings if name == "log in"]
    return percentile(values, 50), percentile(values, 95), sum(o.got_in for o in officers)


def report(title, officers, errors, elapsed):
    timings = [t for o in officers for t in o.timings]
    print(f"\n{title}")
    print(f"requests: {len(timings)} in {elapsed:.1f} s = {len(timings) / elapsed:.1f} requests/s")
    print(f"{'step':<12} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for step in ("login page", "log in", "edit page", "submit", "all"):
        values = [s for name, s in timings if step in (name, "all")]
        if values:
            print(
                f"{step:<12} {len(values):>6} {percentile(values, 50) * 1000:>8.0f} "
                f"{percentile(values, 95) * 1000:>8.0f} {max(values) * 1000:>8.0f}"
            )
    print(f"got in: {sum(o.got_in for o in officers)} of {len(officers)}; errors: {len(errors)}")
    for error in errors[:20]:
        print("  ", error)


def warm_up(port, connections):
    """A server that has been up a while has loaded its templates in every worker: a few
    concurrent log-in pages before the first wave, not measured."""

    def fetch():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for _ in range(3):
            conn.request("GET", "/login/")
            conn.getresponse().read()
        conn.close()

    threads = [threading.Thread(target=fetch) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def wait_for_server(port, process, seconds=60):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if process.poll() is not None:
            sys.exit("the server exited")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/login/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    sys.exit("the server did not answer")


def start_gunicorn(args, env):
    """As docs/deployment.md deploys it: gunicorn, gthread workers, DEBUG=0."""
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "unionplan.wsgi",
        "--bind",
        f"127.0.0.1:{args.port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--worker-class",
        "gthread",
        "--timeout",
        str(int(args.timeout)),
        "--backlog",
        "2048",
    ]
    shape = f"gunicorn, {args.workers} workers x {args.threads} threads (gthread), {os.cpu_count()} CPUs"
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True), shape


def start_runserver(args, env, log):
    """As `make run` serves it: Django's development server, DEBUG on; its request log to a file."""
    command = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{args.port}"]
    shape = f"manage.py runserver (as `make run`), SQLite, {os.cpu_count()} CPUs; its log: {log.name}"
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=subprocess.STDOUT)
    return server, shape


def main():
    args = parse_args()
    if args.sqlite:
        workdir = Path(tempfile.mkdtemp(prefix="unionplan_load_sqlite_"))
        env = {
            "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
            "DEBUG": "1",
            "DJANGO_SETTINGS_MODULE": "unionplan.settings",
        }
        where = f"SQLite file {workdir / 'db.sqlite3'}"
    else:
        static_root = Path(tempfile.gettempdir()) / f"{args.database}_static"
        env = {
            "DATABASE_URL": f"{args.server.rstrip('/')}/{args.database}",
            "DEBUG": "0",
            "SECRET_KEY": "load-test-only-secret-key-not-for-production-0123456789",
            "SECURE_SSL_REDIRECT": "0",
            "STATIC_ROOT": str(static_root),
            "DJANGO_SETTINGS_MODULE": "unionplan.settings",
        }
        where = f"database {args.database}"
        if not args.reuse:
            create_database(args.server, args.database)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    started = time.perf_counter()
    waves = args.spread
    plans = prepare(args.officers * len(waves), collect_static=not args.sqlite)
    print(f"{where} ready with {len(plans)} officers in {time.perf_counter() - started:.0f} s")

    from django.db import connections

    connections.close_all()
    if args.sqlite:
        server_log = open(workdir / "runserver.log", "w")  # noqa: SIM115 - closed at the end
        server, shape = start_runserver(args, {**os.environ, **env}, server_log)
    else:
        server, shape = start_gunicorn(args, {**os.environ, **env})
    results, all_errors = [], []
    try:
        wait_for_server(args.port, server)
        print(f"server pid {server.pid}: {shape}")
        warm_up(args.port, 1 if args.sqlite else args.workers * args.threads)
        for number, spread in enumerate(waves):
            wave = plans[number * args.officers : (number + 1) * args.officers]
            how = f"spread evenly over {spread:g} s" if spread else "all at the same instant"
            what = "log in" if args.login_only else "log in and submit"
            title = f"wave {number + 1}: {len(wave)} officers {what}, {how}"
            officers, errors, elapsed = run_officers(
                wave, args.port, args.timeout, args.deadline, spread, args.login_only
            )
            report(title, officers, errors, elapsed)
            print("load average (1, 5, 15 min) after the wave: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
            results.append((how, len(wave), *log_in_figures(officers)))
            all_errors += errors
            time.sleep(2)  # the previous wave's last responses leave the server
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    good, problems = check(plans) if not args.login_only else (0, [])
    lost = len(plans) - good if not args.login_only else 0
    print("\nlog in, per wave:")
    for how, count, p50, p95, got_in in results:
        print(f"  {count} officers {how}: p50 {p50:.2f} s, p95 {p95:.2f} s, got in {got_in} of {count}")
    print(f"errors: {len(all_errors)}")
    if not args.login_only:
        print(f"reports submitted with the posted figures: {good} of {len(plans)}; lost: {lost}")
    for problem in problems[:20]:
        print("  ", problem)
    connections.close_all()
    if args.sqlite:
        server_log.close()
        if args.keep or all_errors or lost:
            print(f"kept {workdir} (database and runserver.log)")
        else:
            shutil.rmtree(workdir)
    elif not args.keep:
        drop_database(args.server, args.database)
    sys.exit(1 if all_errors or lost else 0)


if __name__ == "__main__":
    main()
