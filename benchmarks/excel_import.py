"""Excel import benchmark: an upper level uploads a 5,000-row template while other officers submit.

Creates (drops first) its own PostgreSQL database, migrates, loads the 2020 resolution and the
demo province (reports January to November), adds N grassroots unions under the Rạch Giá
federation, makes its December template with the real template code and fills every row in.
Then, in a separate process (as another gunicorn worker would be), uploads the file through
the real view (``excel_upload``, Django's test client) and times it; meanwhile O other
processes (as the other gunicorn workers would be) play grassroots officers of other
federations submitting their December report through the real report page, each officer
one report after another with no pause, each submission timed. Prints the upload's
time, the submissions' p50 / p95 / max while the upload ran, then checks that every row was
submitted and that the ledger equals a fresh recount. Standard library plus the app.

    .venv/bin/python benchmarks/excel_import.py --rows 5000 --officers 4

Exit status 1 when the upload failed, took 30 s or more, a submission took 1 s or more, or
the totals differ from the recount.
"""

import argparse
import gc
import io
import multiprocessing
import os
import re
import secrets
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
YEAR, MONTH = 2020, 12


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5000, help="grassroots unions in the uploaded file")
    parser.add_argument(
        "--officers", "--threads", dest="officers", type=int, default=4, help="officers submitting meanwhile"
    )
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server URL")
    parser.add_argument("--database", default="unionplan_excel_bench")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    parser.add_argument("--reuse", action="store_true", help="start from the data of a run with --keep")
    return parser.parse_args()


def _admin_connection(server):
    import psycopg2

    url = urllib.parse.urlsplit(server)
    conn = psycopg2.connect(
        host=url.hostname, port=url.port or 5432, user=url.username, password=url.password, dbname="postgres"
    )
    conn.autocommit = True
    return conn


def recreate_database(server, name, drop_only=False, template=None):
    conn = _admin_connection(server)
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if template:
            cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        elif not drop_only:
            cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def setup_django(args):
    os.environ["DATABASE_URL"] = f"{args.server.rstrip('/')}/{args.database}"
    os.environ.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(40),
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        UNIONPLAN_TODAY=f"{YEAR}-12-28",
        DB_CONN_MAX_AGE="0",
        STATIC_ROOT=tempfile.mkdtemp(prefix="unionplan-bench-static-"),
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionplan.settings")
    import django

    django.setup()


def load(rows, officers):
    """Migrate; the resolution, the demo province, the extra units and the officers."""
    from django.core.management import call_command
    from django.db.models import CharField, Value
    from django.db.models.functions import Cast, Concat, LPad

    from branches.models import Organisation, User
    from targets.resolution.models import Resolution

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    call_command("load_resolution", str(ROOT / "targets/data/resolution-2020-kien-giang.json"), verbosity=0)
    call_command("load_demo", verbosity=0)
    resolution = Resolution.objects.get(year=YEAR)
    upper = Organisation.objects.get(code="KG-RG")
    have = Organisation.objects.under(upper, include_self=False).grassroots().count()
    sectors = ["public_agency"] * 7 + ["non_state_enterprise"] * 2 + ["state_enterprise"]
    new = Organisation.objects.bulk_create(
        Organisation(
            code=f"BENCH-{i:05d}",
            name=f"CĐCS thử tải {i}",
            kind=Organisation.Kind.GRASSROOTS,
            sector=sectors[i % len(sectors)],
            parent=upper,
            workforce=100 + i % 400,
            members=80,
            path="",
        )
        for i in range(max(0, rows - have))
    )
    Organisation.objects.filter(pk__in=[u.pk for u in new]).update(
        path=Concat(Value(upper.path), LPad(Cast("id", CharField()), 9, Value("0")), Value("/"))
    )
    User.objects.create(
        username="bench_upper",
        first_name="Cán bộ",
        last_name="Rạch Giá",
        organisation=upper,
        role="upper_level_officer",
    )
    others = list(
        Organisation.objects.under(resolution.organisation)
        .grassroots()
        .exclude(path__startswith=upper.path)
        .filter(dissolved_on=None, sector="public_agency")
        .order_by("path")[: max(officers, 8) * 100]
    )
    User.objects.bulk_create(
        User(username=f"bench_unit_{u.pk}", organisation=u, role="grassroots_officer") for u in others
    )
    print(f"data ready in {time.monotonic() - started:.0f} s: {have + len(new)} grassroots unions under {upper}")


def prepare():
    """The filled-in template: returns (officer id, file, submitters, members component id, rows)."""
    from openpyxl import load_workbook

    from branches.models import Organisation, User
    from targets.reporting.excel_template import FIRST_DATA_ROW, KEY_ROW, build_template
    from targets.resolution.models import Resolution

    resolution = Resolution.objects.get(year=YEAR)
    upper = Organisation.objects.get(code="KG-RG")
    officer = User.objects.get(username="bench_upper")
    submitters = User.objects.filter(username__startswith="bench_unit_").order_by("pk")

    wb = load_workbook(io.BytesIO(build_template(upper=upper, resolution=resolution, month=MONTH)))
    ws = wb.active
    keys = {ws.cell(KEY_ROW, c).value: c for c in range(1, ws.max_column + 1) if ws.cell(KEY_ROW, c).value}
    members = resolution.targets.get(number=1).components.first()
    software = resolution.targets.get(number=4).components.first()
    filled = 0
    for r in range(FIRST_DATA_ROW, ws.max_row + 1):
        if ws.cell(r, 1).value:
            # Within any unit's workforce (a bigger figure is refused, as on the page).
            ws.cell(r, keys[f"c{members.pk}_quantity"], 1)
            ws.cell(r, keys[f"c{software.pk}_quantity"], f"{r % 2}")
            filled += 1
    buffer = io.BytesIO()
    wb.save(buffer)
    print(f"template of {filled} filled rows: {len(buffer.getvalue()) // 1024} KB")
    return officer.pk, buffer.getvalue(), list(submitters.values_list("pk", flat=True)), members.pk, filled


def upload(officer_id, content, queue):
    """The other worker: upload the file through the real view; report the time taken."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connections
    from django.test import Client

    from branches.models import User

    connections.close_all()
    client = Client()
    client.force_login(User.objects.get(pk=officer_id))
    started = time.monotonic()
    response = client.post("/reports/excel/", {"file": SimpleUploadedFile("bao-cao.xlsx", content)}, secure=True)
    elapsed = time.monotonic() - started
    if response.status_code != 302:
        errors = re.findall(r"<li>([^<]*)</li>", response.content.decode())
        print("upload refused:", *errors[:10], sep="\n  ")
    queue.put((response.status_code, elapsed, started, time.monotonic()))


def wait_for(worker, queue, seconds=600):
    """The upload's outcome; a dead worker is an error, not a wait."""
    import queue as queues

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            return queue.get(timeout=1)
        except queues.Empty:
            if not worker.is_alive():
                raise RuntimeError("the upload process ended without an answer") from None
    raise RuntimeError("the upload took more than 10 minutes")


def officer_submissions(user_ids, members_id, done):
    """One officer after another submits its December report through the report page until
    ``done`` is set: the list of (started, seconds, HTTP status)."""
    from django.test import Client

    from branches.models import User
    from targets.reporting import services
    from targets.resolution.models import Resolution

    resolution = Resolution.objects.get(year=YEAR)
    timings = []
    for user_id in user_ids:
        if done.is_set():
            break
        user = User.objects.select_related("organisation").get(pk=user_id)
        report = services.report_get_or_create(unit=user.organisation, resolution=resolution, month=MONTH)
        client = Client()
        client.force_login(user)
        url = f"/reports/{YEAR}/{MONTH}/{user.organisation_id}/edit/"
        started = time.monotonic()
        response = client.post(
            url,
            {"version": report.version, "action": "submit", f"c{members_id}_quantity": "2"},
            secure=True,
        )
        timings.append((started, time.monotonic() - started, response.status_code))
    return timings


def officer(user_ids, members_id, done, results):
    """Another worker process: ``officer_submissions``, put on ``results``."""
    from django.db import connections

    connections.close_all()  # the parent's, inherited by the fork
    timings = officer_submissions(user_ids, members_id, done)
    connections.close_all()
    results.put(timings)


def run_officers(chunks, members_id, done, context):
    """Start one process per chunk of officers; returns a function that waits for them and
    returns every submission's (started, seconds, status)."""
    results = context.Queue()
    workers = [context.Process(target=officer, args=(chunk, members_id, done, results)) for chunk in chunks]
    for worker in workers:
        worker.start()

    def collect():
        timings = []
        for _ in workers:
            timings.extend(results.get(timeout=900))
        for worker in workers:
            worker.join()
        return timings

    return collect


def check(filled, submitted_units):
    """Every row submitted; the ledger equals a fresh recount."""
    from django.db.models import Sum

    from targets.reporting import ledger
    from targets.reporting.ledger_models import TOTAL_FIELDS, ProgressTotal
    from targets.reporting.models import MonthlyReport

    imported = MonthlyReport.objects.filter(month=MONTH, organisation__code__startswith="BENCH-").count()
    imported += (
        MonthlyReport.objects.filter(month=MONTH, entry_channel="excel", status="submitted")
        .exclude(organisation__code__startswith="BENCH-")
        .count()
    )

    def totals():
        return {
            (row["organisation"], row["component"]): [row[f] for f in TOTAL_FIELDS]
            for row in ProgressTotal.objects.values("organisation", "component")
            .annotate(**{f: Sum(f) for f in TOTAL_FIELDS})
            .order_by()
        }

    kept = totals()
    ledger.rebuild()
    recounted = totals()
    exact = {k: v for k, v in kept.items() if any(v)} == {k: v for k, v in recounted.items() if any(v)}
    return imported, exact


def main():
    args = parse_args()
    seed = f"{args.database}_seed"
    recreate_database(args.server, args.database, template=seed if args.reuse else None)
    setup_django(args)
    from django.core.management import call_command
    from django.db import connections

    try:
        if args.reuse:
            call_command("collectstatic", verbosity=0, interactive=False)
        else:
            load(args.rows, args.officers)
            connections.close_all()
            recreate_database(args.server, seed, template=args.database)
        officer_id, content, submitters, members_id, filled = prepare()
        # A gunicorn worker is warm after its first request (URLs, templates, lazy imports);
        # the processes forked below start warm from this one's first submission.
        cold = officer_submissions(submitters[:1], members_id, threading.Event())
        submitters = submitters[1:]
        print(f"first submission of a cold process (not counted below): {cold[0][1]:.2f} s")
        connections.close_all()
        # The workbook just made is cyclic garbage on this heap: collected now, not by each
        # forked process's garbage collector in the middle of a timed request.
        gc.collect()
        gc.freeze()
        fork = multiprocessing.get_context("fork")
        chunks = [submitters[i :: args.officers] for i in range(args.officers)]
        # The same officers' submissions with no upload running: the machine's own pace.
        quiet = run_officers([chunk[:3] for chunk in chunks], members_id, fork.Event(), fork)()
        chunks = [chunk[3:] for chunk in chunks]
        print(
            f"submissions with no upload ({args.officers} officers at once): {len(quiet)}, "
            f"p50 {statistics.median(s for _, s, _ in quiet):.2f} s, max {max(s for _, s, _ in quiet):.2f} s"
        )
        queue = fork.Queue()
        worker = fork.Process(target=upload, args=(officer_id, content, queue))
        done = fork.Event()
        worker.start()
        collect = run_officers(chunks, members_id, done, fork)
        status, elapsed, upload_start, upload_end = wait_for(worker, queue)
        done.set()
        worker.join()
        timings = collect()
        errors = [code for _, _, code in cold + quiet + timings if code != 302]
        during = [seconds for started, seconds, _ in timings if upload_start <= started <= upload_end]
        last = max((started + seconds for started, seconds, _ in timings), default=0)
        ran_out = last < upload_end
        if ran_out:
            print(f"the officers ran out of reports {upload_end - last:.1f} s before the upload ended: load more")
        print(f"upload of {filled} rows: HTTP {status} in {elapsed:.1f} s")
        if during:
            during.sort()
            p95 = during[min(len(during) - 1, int(len(during) * 0.95))]
            print(
                f"submissions while it ran: {len(during)} ({args.officers} officers), "
                f"p50 {statistics.median(during):.2f} s, p95 {p95:.2f} s, max {max(during):.2f} s; errors {len(errors)}"
            )
        else:
            print("no submission ran during the upload")
        imported, exact = check(filled, submitters)
        print(f"reports submitted from the file: {imported} of {filled}; ledger equals a fresh recount: {exact}")
        failed = (
            status != 302
            or elapsed >= 30
            or not during
            or ran_out
            or max(during) >= 1
            or errors
            or imported != filled
            or not exact
        )
        return 1 if failed else 0
    finally:
        connections.close_all()
        if not args.keep:
            recreate_database(args.server, args.database, drop_only=True)
            recreate_database(args.server, seed, drop_only=True)


if __name__ == "__main__":
    sys.exit(main())
