"""Load test: N grassroots officers log in and submit their month's report at the same moment.

Creates (drops first) its own PostgreSQL database, migrates, loads the 2020 resolution and the
demo province (1,603 grassroots unions), creates N officers of N different grassroots unions
with one known password, serves the app with gunicorn on 127.0.0.1 (DEBUG=0, static files
collected), then runs N threads, released together, each: GET /login/ (CSRF cookie),
POST /login/, GET the report edit page (version, new CSRF token), POST the figures with
"submit". Prints requests per second, p50/p95 latency per step, errors, then checks in the
database that exactly N reports are submitted with the posted figures. Standard library only
(plus the app's own dependencies). Example (README, "Benchmarks"):

    .venv/bin/python benchmarks/load.py --officers 200 --port 8221 --workers 4 --threads 4

Exit status 1 when there was any error or any lost report.
"""

import argparse
import http.client
import os
import re
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
    parser.add_argument("--officers", type=int, default=200)
    parser.add_argument("--port", type=int, default=8221)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server URL")
    parser.add_argument("--database", default="unionplan_load")
    parser.add_argument("--timeout", type=float, default=300, help="seconds allowed for one request")
    parser.add_argument("--deadline", type=float, default=900, help="seconds allowed for the whole run")
    parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run (new officers)")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    return parser.parse_args()


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


def prepare(officers, reuse):
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
    hashed.set_password(PASSWORD)  # one slow hash, shared by every officer
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
    def __init__(self, port, timeout, plan):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.plan = plan
        self.cookies = {}
        self.timings = []  # (step, seconds)

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


def run_officers(plans, port, timeout, deadline):
    barrier = threading.Barrier(len(plans))
    officers = [Officer(port, timeout, plan) for plan in plans]
    errors = []

    def work(officer):
        try:
            barrier.wait(timeout=60)
            officer.run()
        except Exception as error:  # noqa: BLE001 - every failure is counted and shown
            errors.append(f"{officer.plan['username']}: {type(error).__name__}: {error}")
        finally:
            officer.conn.close()

    threads = [threading.Thread(target=work, args=(o,), daemon=True) for o in officers]
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


def report(officers, errors, elapsed):
    timings = [t for o in officers for t in o.timings]
    print(f"requests: {len(timings)} in {elapsed:.1f} s = {len(timings) / elapsed:.1f} requests/s")
    print(f"{'step':<12} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for step in ("login page", "log in", "edit page", "submit", "all"):
        values = [s for name, s in timings if step in (name, "all")]
        if values:
            print(
                f"{step:<12} {len(values):>6} {percentile(values, 50) * 1000:>8.0f} "
                f"{percentile(values, 95) * 1000:>8.0f} {max(values) * 1000:>8.0f}"
            )
    print(f"errors: {len(errors)}")
    for error in errors[:20]:
        print("  ", error)


def wait_for_server(port, process, seconds=60):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if process.poll() is not None:
            sys.exit("gunicorn exited")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/login/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    sys.exit("gunicorn did not answer")


def main():
    args = parse_args()
    static_root = Path(tempfile.gettempdir()) / f"{args.database}_static"
    env = {
        "DATABASE_URL": f"{args.server.rstrip('/')}/{args.database}",
        "DEBUG": "0",
        "SECRET_KEY": "load-test-only-secret-key-not-for-production-0123456789",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": str(static_root),
        "DJANGO_SETTINGS_MODULE": "unionplan.settings",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    if not args.reuse:
        create_database(args.server, args.database)
    import django

    django.setup()
    started = time.perf_counter()
    plans = prepare(args.officers, args.reuse)
    print(f"database {args.database} ready with {len(plans)} officers in {time.perf_counter() - started:.0f} s")

    from django.db import connections

    connections.close_all()
    gunicorn = subprocess.Popen(
        [
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
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        start_new_session=True,
    )
    try:
        wait_for_server(args.port, gunicorn)
        shape = f"{args.workers} workers x {args.threads} threads (gthread), {os.cpu_count()} CPUs"
        print(f"gunicorn pid {gunicorn.pid}: {shape}")
        officers, errors, elapsed = run_officers(plans, args.port, args.timeout, args.deadline)
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        try:
            gunicorn.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(gunicorn.pid, signal.SIGKILL)
            gunicorn.wait()
    report(officers, errors, elapsed)
    good, problems = check(plans)
    lost = len(plans) - good
    print(f"reports submitted with the posted figures: {good} of {len(plans)}; lost: {lost}")
    for problem in problems[:20]:
        print("  ", problem)
    connections.close_all()
    if not args.keep:
        drop_database(args.server, args.database)
    sys.exit(1 if errors or lost else 0)


if __name__ == "__main__":
    main()
