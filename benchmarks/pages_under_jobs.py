"""The pages while the background work runs: every page of ``dashboards.py`` measured twice
on the same database, first with no job running (idle), then while two background workers
import a 5,000-row Excel file and build a whole-country export, over and over, for the
whole measurement. Prints each page's median and p95 in both runs and busy ÷ idle (the goal
of issue 22: within 2×), and how many imports and exports ran meanwhile and how long each
took.

On a copy of a national database made by ``manage.py generate_scale_data --years 3
--months 11`` (the measurement and the imports commit December reports):

    createdb -h 127.0.0.1 -U postgres -T up_nat up_busy
    .venv/bin/python benchmarks/pages_under_jobs.py --db postgres://postgres@127.0.0.1:5432/up_busy

The import: the last upper level of the first province lists ``--rows`` grassroots unions
in its December template (``excel_import.py`` adds ``BENCH-`` units to it); each round
uploads the filled template through ``jobs.import_start`` as the upload page does, with
another figure than the round before, so that from the second round on every row conflicts
with the report the previous round submitted: the uploader's choice (take the file's
figures) is then made at once and the worker saves the 5,000 reports. The export: the
whole country's units that have not reported (the completeness page's XLSX, 15,000 rows at
the national size, a job) asked again as soon as the previous one is ready. Both drivers
are processes of their own that only enqueue and wait; the work is the workers'.
"""

import argparse
import io
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import dashboards  # noqa: E402  (the page list and its measuring child)
import excel_import  # noqa: E402  (the 5,000-row template's units and officer)


def cpu_times():
    """The machine's CPU time so far by kind (clock ticks, /proc/stat's first line)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]
    names = ("user", "nice", "system", "idle", "iowait", "irq", "softirq")
    return dict(zip(names, map(int, fields), strict=True))


def setup(url, today):
    os.environ["DATABASE_URL"] = url
    os.environ["UNIONPLAN_TODAY"] = today
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionplan.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def filled_template(upper, resolution, quantity):
    """The upper level's December template with every row filled in (``quantity`` new
    members, within any unit's workforce). Returns (bytes, rows)."""
    from openpyxl import load_workbook

    from targets.reporting.excel.template import FIRST_DATA_ROW, KEY_ROW, build_template

    wb = load_workbook(io.BytesIO(build_template(upper=upper, resolution=resolution, month=excel_import.MONTH)))
    ws = wb.active
    keys = {ws.cell(KEY_ROW, c).value: c for c in range(1, ws.max_column + 1) if ws.cell(KEY_ROW, c).value}
    members = resolution.targets.get(number=1).components.first()
    rows = 0
    for r in range(FIRST_DATA_ROW, ws.max_row + 1):
        if ws.cell(r, 1).value:
            ws.cell(r, keys[f"c{members.pk}_quantity"], quantity)
            rows += 1
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue(), rows


def drive_imports(url, today, upper_id, resolution_id, officer_id, stop, ready, log):
    """Upload the template again and again, each round with another figure; take the file's
    figures when the rows conflict with the previous round's. Logs (seconds, rows, status)."""
    setup(url, today)
    from django.core.files.uploadedfile import SimpleUploadedFile

    from branches.models import Organisation, User
    from targets.reporting.excel import jobs
    from targets.reporting.excel.models import ExcelImport
    from targets.resolution.models import Resolution

    upper, officer = Organisation.objects.get(pk=upper_id), User.objects.get(pk=officer_id)
    resolution = Resolution.objects.get(pk=resolution_id)
    files = [filled_template(upper, resolution, quantity) for quantity in (1, 2)]
    round_ = 0
    while not stop.is_set():
        content, rows = files[round_ % 2]
        started = time.monotonic()
        job, _ = jobs.import_start(user=officer, upper=upper, file=SimpleUploadedFile(f"r{round_}.xlsx", content))
        ready.set()
        while True:
            job.refresh_from_db()
            if job.status == ExcelImport.Status.CONFLICTS:
                jobs.import_choose(job, take=[c[0] for c in job.pending["conflicts"]])
            elif not job.is_running:
                break
            time.sleep(0.5)
        log.put(("import", time.monotonic() - started, rows, job.status))
        round_ += 1


def drive_exports(url, today, path, query, stop, ready, log):
    """Ask for the whole country's file again as soon as the last one is ready."""
    setup(url, today)
    from django.test import Client

    from branches.models import User
    from targets.dashboards.models import ExportFile

    user, _ = User.objects.get_or_create(username="bench-staff", defaults={"is_superuser": True})
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    while not stop.is_set():
        started = time.monotonic()
        client.get(f"{path}?{query}")
        job = ExportFile.objects.filter(requested_by=user).order_by("-created_at").first()
        ready.set()
        while job.status in ExportFile.RUNNING_STATUSES:
            time.sleep(0.5)
            job.refresh_from_db()
        log.put(("export", time.monotonic() - started, job.rows_written, job.status))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="database URL (a copy: the benchmark commits reports)")
    parser.add_argument("--repeat", type=int, default=7, help="requests per page")
    parser.add_argument("--rows", type=int, default=5000, help="rows of the imported template")
    parser.add_argument("--workers", type=int, default=2, help="background workers")
    args = parser.parse_args()
    args.bulk_rounds, args.root, args.debug, args.pages_only, args.month = 1, None, False, False, 11

    setup(args.db, "2000-01-01")  # the resolution's year is read first; the day is set below
    from django.db import connections

    upper, resolution, officer, _submitters = excel_import.existing_bench(args.rows, 1)
    today = os.environ["UNIONPLAN_TODAY"]  # 28 December of the newest resolution's year
    from branches.models import Organisation

    root = Organisation.objects.filter(parent__isnull=True, code__startswith="S").order_by("-pk").first()
    connections.close_all()
    export = ("/dashboard/completeness/", f"unit={root.pk}&month=11&year={resolution.year}&_export=xlsx&table=units")

    args.environment = dict(dashboards.production_environment(args), UNIONPLAN_TODAY=today)
    print(f"{os.cpu_count()} CPUs, {dashboards.python_speed()}; {dashboards.machine()}; today {today}", flush=True)
    idle = dashboards.run_child(args.db, args)
    print(f"idle run done; {dashboards.machine()}", flush=True)

    env = dict(args.environment, DATABASE_URL=args.db)
    workers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--no-schedule", "--no-reload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(args.workers)
    ]
    context = multiprocessing.get_context("spawn")
    stop, log = context.Event(), context.Queue()
    readies = [context.Event(), context.Event()]
    drivers = [
        context.Process(
            target=drive_imports, args=(args.db, today, upper.pk, resolution.pk, officer.pk, stop, readies[0], log)
        ),
        context.Process(target=drive_exports, args=(args.db, today, *export, stop, readies[1], log)),
    ]
    try:
        for driver in drivers:
            driver.start()
        for ready in readies:
            ready.wait(600)
        time.sleep(3)  # the workers have taken both jobs
        started, cpu_before = time.monotonic(), cpu_times()
        busy = dashboards.run_child(args.db, args)
        measured, cpu_after = time.monotonic() - started, cpu_times()
        print(f"busy run done in {measured:.0f} s; {dashboards.machine()}", flush=True)
        spent = {name: cpu_after[name] - cpu_before[name] for name in cpu_after}
        total = sum(spent.values()) or 1
        shares = ", ".join(f"{name} {100 * value / total:.0f} %" for name, value in spent.items())
        print(f"the machine's CPUs during the busy run: {shares}", flush=True)
    finally:
        stop.set()
        for driver in drivers:
            driver.join(900)
        for worker in workers:
            worker.terminate()
            worker.wait(60)

    jobs = []
    while not log.empty():
        jobs.append(log.get())
    busy_pages = {row["label"]: row for row in busy["pages"]}
    print(f"\n{'page':<44} {'idle median / p95':>20} {'busy median / p95':>20} {'p95 ratio':>10}  busy p95 request")
    for row in idle["pages"]:
        other = busy_pages[row["label"]]
        ratio = other["p95"] / row["p95"] if row["p95"] else float("nan")
        idle_figures = f"{row['median']:10.1f} / {row['p95']:7.1f}"
        busy_figures = f"{other['median']:10.1f} / {other['p95']:7.1f}"
        split = other["p95_split"]
        where = f"CPU {split['cpu']:.0f} + SQL {split['sql']:.0f} + other {split['other']:.0f} ms"
        print(f"{row['label']:<44} {idle_figures} {busy_figures} {ratio:9.1f}×  {where}")
    for kind in ("import", "export"):
        runs = [(s, rows, status) for k, s, rows, status in jobs if k == kind]
        if runs:
            times = [s for s, _, _ in runs]
            print(
                f"{kind}s finished meanwhile: {len(runs)}, {runs[0][1]:,} rows each, "
                f"{statistics.median(times):.1f} s median, statuses {sorted({s for _, _, s in runs})}"
            )
        else:
            print(f"no {kind} finished during the busy run (it lasted {measured:.0f} s)")


if __name__ == "__main__":
    main()
