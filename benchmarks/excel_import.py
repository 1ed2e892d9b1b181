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

With ``--use-database URL`` it measures the same on an existing database made by
``manage.py generate_scale_data --years 3 --months 11`` (December of the last year free),
used as it is: nothing is created, dropped, migrated or loaded but what follows. The root
is the last generated one (code ``S…``), the resolution its newest, the date the 28
December of that year. The upper level is the last of the first province in tree order
(``dashboards.py`` measures the first); grassroots unions ``BENCH-…`` are added under it until its
template lists ``--rows`` units (kept for the next run), and the officers are created if
missing. The submitters are public-agency grassroots unions of other upper levels with no
December report yet, not dissolved, founded before December: each run uses some up.

    .venv/bin/python benchmarks/excel_import.py --rows 5000 --officers 4 \\
      --use-database postgres://postgres@127.0.0.1:5432/up_nat_130000_3y

Before measuring, the December reports a previous run left under the upper level (of the
``BENCH-`` units, or entered by its uploading officer) are deleted inside
``ledger.tracking_month``, the ledger's own bookkeeping for a month's reports of many
units, so the totals stay exact without a rebuild. The final check does not rebuild the
national ledger: every change of a run is to December reports of the resolution, and a
December change moves only December totals (``ProgressTotal`` and ``TaskStatusTotal`` rows
are keyed by organisation, component or task, and month). So it compares, for the
organisations a run touches (the upper level and its ancestors, the submitters' upper
levels and their ancestors, the root included), their December rows of the resolution's
components and tasks with a fresh count from the raw rows of every unit that has a
December report of the resolution, made with the ledger's own counting rules
(``_contribution_of``, ``_task_contribution``) as ``rebuild()`` does: the December figures
and, of earlier months, only what decides whether a unit is counted again (figures of
distinct-units components that are done or carry a value; reported task statuses).
"""

import argparse
import gc
import io
import itertools
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
    parser.add_argument(
        "--use-database",
        metavar="URL",
        help="measure on this existing database made by generate_scale_data (nothing created or dropped)",
    )
    args = parser.parse_args()
    if args.use_database and (args.reuse or args.keep):
        parser.error("--use-database uses the database as it is: --reuse and --keep do not apply")
    return args


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
    os.environ["DATABASE_URL"] = args.use_database or f"{args.server.rstrip('/')}/{args.database}"
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


def add_bench_units(upper, numbers):
    """Grassroots unions ``BENCH-<n>`` under ``upper`` for each n of ``numbers``, made in bulk
    (their paths set, the totals of who is expected to report told): returns them."""
    from django.db.models import CharField, Value
    from django.db.models.functions import Cast, Concat, LPad

    from branches.models import Organisation
    from targets.reporting.ledger import reporting as reporting_ledger

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
        for i in numbers
    )
    made = Organisation.objects.filter(pk__in=[u.pk for u in new])
    made.update(path=Concat(Value(upper.path), LPad(Cast("id", CharField()), 9, Value("0")), Value("/")))
    # Made without save(): the totals of who is expected to report learn of them here.
    reporting_ledger.units_added(made)
    return new


def load(rows, officers):
    """Migrate; the resolution, the demo province, the extra units and the officers."""
    from django.core.management import call_command

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
    new = add_bench_units(upper, range(max(0, rows - have)))
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


def existing_bench(rows, officers):
    """On a generated database: the root's newest resolution, the date pinned to its 28
    December, the upper level with its ``BENCH-`` units and the officers (created if
    missing), a previous run's December reports under it deleted. Returns (upper,
    resolution, uploading officer, submitters' user ids)."""
    import datetime

    from django.conf import settings
    from django.db.models import Q

    from branches.models import Organisation, User
    from targets.reporting.excel.template import units_for_template
    from targets.reporting.models import MonthlyReport
    from targets.resolution.models import Resolution

    started = time.monotonic()
    root = Organisation.objects.filter(parent__isnull=True, code__startswith="S").order_by("-pk").first()
    if root is None:
        raise SystemExit("no generated data: run manage.py generate_scale_data first")
    resolution = Resolution.objects.filter(organisation=root).order_by("-year").first()
    if resolution is None:
        raise SystemExit(f"{root} has no resolution")
    today = datetime.date(resolution.year, 12, 28)
    # Read by the app through settings (unionplan.clock); the forked processes inherit it.
    os.environ["UNIONPLAN_TODAY"] = today.isoformat()
    settings.UNIONPLAN_TODAY = today
    province = root if root.kind == Organisation.Kind.PROVINCE else root.children.order_by("path").first()
    # The province's last upper level: benchmarks/dashboards.py measures its first one,
    # which the units added here would otherwise make 50 times larger.
    upper = Organisation.objects.under(province).upper_levels().order_by("path").last()
    officer, _ = User.objects.update_or_create(
        username="bench_upper",
        defaults={
            "first_name": "Cán bộ",
            "last_name": upper.name,
            "organisation": upper,
            "role": "upper_level_officer",
        },
    )
    stale = MonthlyReport.objects.filter(
        resolution=resolution, month=MONTH, organisation__path__startswith=upper.path
    ).filter(Q(organisation__code__startswith="BENCH-") | Q(entered_by=officer))
    delete_reports(resolution, stale)

    # The units the template lists (none is submitted now); BENCH units up to ``rows``.
    listed = len(units_for_template(upper=upper, resolution=resolution, month=MONTH))
    codes = Organisation.objects.filter(code__startswith="BENCH-").values_list("code", flat=True)
    first = max((int(code.removeprefix("BENCH-")) + 1 for code in codes if code[6:].isdigit()), default=0)
    new = add_bench_units(upper, range(first, first + max(0, rows - listed)))

    december = datetime.date(resolution.year, MONTH, 1)
    others = list(
        Organisation.objects.under(root)
        .grassroots()
        .exclude(path__startswith=upper.path)
        .filter(dissolved_on=None, sector="public_agency")
        .filter(Q(founded_on=None) | Q(founded_on__lt=december))
        .exclude(pk__in=MonthlyReport.objects.filter(resolution=resolution, month=MONTH).values("organisation"))
        .order_by("path")[: max(officers, 8) * 100]
    )
    submitters = [
        User.objects.get_or_create(
            username=f"bench_unit_{u.pk}", defaults={"organisation": u, "role": "grassroots_officer"}
        )[0].pk
        for u in others
    ]
    print(
        f"data ready in {time.monotonic() - started:.0f} s: {root} {resolution.year}, today {today}; "
        f"{listed + len(new)} grassroots unions to report under {upper} ({len(new)} BENCH units added), "
        f"{len(submitters)} submitting officers"
    )
    return upper, resolution, officer, submitters


def delete_reports(resolution, reports):
    """Delete ``reports`` (of ``resolution``, month ``MONTH``) with their figures and task
    rows; ``ledger.tracking_month`` takes their contribution out of every ancestor's
    totals in the same transaction."""
    from django.db import transaction

    from branches.models import Organisation
    from targets.reporting import ledger
    from targets.reporting.models import MonthlyReport

    ids = list(reports.values_list("pk", flat=True))
    if not ids:
        return
    started = time.monotonic()
    units = list(Organisation.objects.filter(reports__pk__in=ids).distinct())
    with transaction.atomic(), ledger.tracking_month(units, resolution=resolution, month=MONTH):
        MonthlyReport.objects.filter(pk__in=ids).delete()
    print(f"{len(ids)} December reports of a previous run deleted in {time.monotonic() - started:.1f} s")


def check_existing(upper, resolution, officer_id, submitters):
    """``check`` on a generated database, without rebuilding its ledger: every row submitted
    (reports of the month under ``upper`` entered from Excel by the uploading officer); the
    December totals of the organisations touched equal a fresh count (the module's
    docstring says which rows and why)."""
    from django.db.models import Q

    from branches.models import Organisation, User
    from targets.reporting.ledger import figures as ledger
    from targets.reporting.ledger.models import TASK_STATUS_FIELDS, TOTAL_FIELDS, ProgressTotal, TaskStatusTotal
    from targets.reporting.models import MonthlyReport, ReportFigure, TaskProgress
    from targets.resolution.models import TargetComponent

    started = time.monotonic()
    imported = MonthlyReport.objects.filter(
        resolution=resolution,
        month=MONTH,
        organisation__path__startswith=upper.path,
        status="submitted",
        entry_channel="excel",
        entered_by_id=officer_id,
    ).count()

    def ids(path):
        return [int(segment) for segment in path.strip("/").split("/")]

    touched = set(ids(upper.path))  # the upper level and its ancestors
    for path in User.objects.filter(pk__in=submitters).values_list("organisation__path", flat=True):
        touched.update(ids(path)[:-1])  # a submitter's ancestors (a grassroots union keeps no totals)
    components = {
        c.pk: c for c in TargetComponent.objects.filter(target__resolution=resolution).select_related("target")
    }
    tasks = list(resolution.tasks.values_list("pk", flat=True))
    units = {
        u.pk: u
        for u in Organisation.objects.filter(
            pk__in=MonthlyReport.objects.filter(resolution=resolution, month=MONTH).values("organisation")
        ).only("kind", "sector", "workforce", "path")
    }
    figures = (
        ReportFigure.objects.filter(report__resolution=resolution, report__organisation_id__in=list(units))
        .filter(
            Q(report__month=MONTH)
            | (
                ~Q(component__measure=TargetComponent.Measure.QUANTITY)
                & (Q(done=True) | Q(approved_done=True) | Q(value__isnull=False) | Q(approved_value__isnull=False))
            )
        )
        .order_by("report__organisation_id", "report__month")
        .values_list(*ledger._FIGURE_COLUMNS)
        .iterator(chunk_size=20000)
    )
    statuses = (
        TaskProgress.objects.filter(report__resolution=resolution, report__organisation_id__in=list(units))
        .filter(report__status__in=ledger.REPORTED)
        .order_by("report__organisation_id", "report__month")
        .values_list("report__organisation_id", "task_id", "report__month", "report__status", "status")
        .iterator(chunk_size=20000)
    )

    def recount(rows, contribution, width):
        totals = {}
        for unit_id, unit_rows in itertools.groupby(rows, key=lambda row: row[0]):
            unit = units[unit_id]
            holders = ids(unit.path)
            if unit.kind == Organisation.Kind.GRASSROOTS:
                holders = holders[:-1]
            for (item, month), values in contribution(unit, list(unit_rows)).items():
                if month != MONTH:
                    continue
                for holder in touched.intersection(holders):
                    acc = totals.setdefault((holder, item), [0] * width)
                    for i, v in enumerate(values):
                        acc[i] += v
        return {key: values for key, values in totals.items() if any(values)}

    def kept(model, key, items, fields):
        rows = model.objects.filter(organisation_id__in=touched, month=MONTH, **{f"{key}__in": items})
        return {
            (org, item): list(values)
            for org, item, *values in rows.values_list("organisation_id", key, *fields)
            if any(values)
        }

    progress = recount(
        figures, lambda unit, rows: ledger._contribution_of(unit, rows, components), len(TOTAL_FIELDS)
    ) == kept(ProgressTotal, "component_id", list(components), TOTAL_FIELDS)
    task_totals = recount(
        statuses, lambda unit, rows: ledger._task_contribution(row[1:] for row in rows), len(TASK_STATUS_FIELDS)
    ) == kept(TaskStatusTotal, "task_id", tasks, TASK_STATUS_FIELDS)
    reporting = all(
        reporting_kept(resolution, unit) == reporting_fresh(resolution, unit)
        for unit in Organisation.objects.filter(pk__in=touched).exclude(kind=Organisation.Kind.GRASSROOTS)
    )
    print(
        f"December totals of {len(touched)} organisations recounted from the reports of {len(units)} units "
        f"in {time.monotonic() - started:.1f} s: progress totals equal: {progress}; task status totals: "
        f"{task_totals}; reporting totals: {reporting}"
    )
    return imported, progress and task_totals and reporting


def reporting_fresh(resolution, unit):
    """[expected, on time, late, waiting] of ``unit``'s subtree in December, counted afresh."""
    from targets.rollup.completeness import who_reported_afresh

    return who_reported_afresh(resolution, unit, MONTH)


def reporting_kept(resolution, unit):
    """The same from the reporting totals."""
    from targets.reporting.ledger.models import REPORTING_FIELDS, ReportingTotal

    row = ReportingTotal.objects.filter(organisation=unit, resolution=resolution, month=MONTH)
    return list(row.values_list(*REPORTING_FIELDS).first() or [0, 0, 0, 0])


def demo_bench():
    """The demo's (upper level, resolution, uploading officer, submitters' user ids)."""
    from branches.models import Organisation, User
    from targets.resolution.models import Resolution

    submitters = User.objects.filter(username__startswith="bench_unit_").order_by("pk")
    return (
        Organisation.objects.get(code="KG-RG"),
        Resolution.objects.get(year=YEAR),
        User.objects.get(username="bench_upper"),
        list(submitters.values_list("pk", flat=True)),
    )


def prepare(upper, resolution, officer, submitters):
    """The filled-in template: returns (officer id, file, submitters, members component id, rows)."""
    from openpyxl import load_workbook

    from targets.reporting.excel.template import FIRST_DATA_ROW, KEY_ROW, build_template

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
    return officer.pk, buffer.getvalue(), submitters, members.pk, filled


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


def officer_submissions(user_ids, members_id, done, resolution_id):
    """One officer after another submits its December report through the report page until
    ``done`` is set: the list of (started, seconds, HTTP status)."""
    from django.test import Client

    from branches.models import User
    from targets.reporting import services
    from targets.resolution.models import Resolution

    resolution = Resolution.objects.get(pk=resolution_id)
    timings = []
    for user_id in user_ids:
        if done.is_set():
            break
        user = User.objects.select_related("organisation").get(pk=user_id)
        report = services.report_get_or_create(unit=user.organisation, resolution=resolution, month=MONTH)
        client = Client()
        client.force_login(user)
        url = f"/reports/{resolution.year}/{MONTH}/{user.organisation_id}/edit/"
        started = time.monotonic()
        response = client.post(
            url,
            {"version": report.version, "action": "submit", f"c{members_id}_quantity": "2"},
            secure=True,
        )
        timings.append((started, time.monotonic() - started, response.status_code))
    return timings


def officer(user_ids, members_id, done, resolution_id, results):
    """Another worker process: ``officer_submissions``, put on ``results``."""
    from django.db import connections

    connections.close_all()  # the parent's, inherited by the fork
    timings = officer_submissions(user_ids, members_id, done, resolution_id)
    connections.close_all()
    results.put(timings)


def run_officers(chunks, members_id, done, context, resolution_id):
    """Start one process per chunk of officers; returns a function that waits for them and
    returns every submission's (started, seconds, status)."""
    results = context.Queue()
    workers = [
        context.Process(target=officer, args=(chunk, members_id, done, resolution_id, results)) for chunk in chunks
    ]
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
    from targets.reporting.ledger.models import TOTAL_FIELDS, ProgressTotal
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
    if not args.use_database:
        recreate_database(args.server, args.database, template=seed if args.reuse else None)
    setup_django(args)
    from django.core.management import call_command
    from django.db import connections

    try:
        if args.use_database:
            call_command("collectstatic", verbosity=0, interactive=False)
            upper, resolution, officer_user, submitters = existing_bench(args.rows, args.officers)
        else:
            if args.reuse:
                call_command("collectstatic", verbosity=0, interactive=False)
            else:
                load(args.rows, args.officers)
                connections.close_all()
                recreate_database(args.server, seed, template=args.database)
            upper, resolution, officer_user, submitters = demo_bench()
        officer_id, content, submitters, members_id, filled = prepare(upper, resolution, officer_user, submitters)
        if args.use_database and filled != args.rows:
            print(f"the template lists {filled} units, not {args.rows}: a previous run added more BENCH units")
        resolution_id, officers_all = resolution.pk, list(submitters)
        # A gunicorn worker is warm after its first request (URLs, templates, lazy imports);
        # the processes forked below start warm from this one's first submission.
        cold = officer_submissions(submitters[:1], members_id, threading.Event(), resolution_id)
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
        quiet = run_officers([chunk[:3] for chunk in chunks], members_id, fork.Event(), fork, resolution_id)()
        chunks = [chunk[3:] for chunk in chunks]
        print(
            f"submissions with no upload ({args.officers} officers at once): {len(quiet)}, "
            f"p50 {statistics.median(s for _, s, _ in quiet):.2f} s, max {max(s for _, s, _ in quiet):.2f} s"
        )
        queue = fork.Queue()
        worker = fork.Process(target=upload, args=(officer_id, content, queue))
        done = fork.Event()
        worker.start()
        collect = run_officers(chunks, members_id, done, fork, resolution_id)
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
        if args.use_database:
            imported, exact = check_existing(upper, resolution, officer_id, officers_all)
        else:
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
        if not args.keep and not args.use_database:
            recreate_database(args.server, args.database, drop_only=True)
            recreate_database(args.server, seed, drop_only=True)


if __name__ == "__main__":
    sys.exit(main())
