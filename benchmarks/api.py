"""The JSON API's speed at the province and the national size: first pages of the lists,
walking a whole month of reports page by page, a scope's progress and completeness, and a
bulk import of 5.000 rows (dry run, then saved) while an officer saves a report through
the page's service at the same time.

Each size is a PostgreSQL database filled by ``manage.py generate_scale_data`` with
``--months 11`` (December of the last year left empty for the import), migrated:

    .venv/bin/python benchmarks/api.py --repeat 20 \\
      --province-db postgres://postgres@127.0.0.1:5432/up_api_prov \\
      --national-db postgres://postgres@127.0.0.1:5432/up_api_nat

Each database is measured in a child process of its own, in process (DRF's test client:
server time, without the network), as a superuser (the national walk) and as the first
province's staff (lists, progress, import). Every request is made once untimed, then
``--repeat`` times. The import writes December reports for the units it takes and commits
them: run it on a copy of a generated database (``--skip-import`` measures the reads only).
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULT = "RESULT "
IMPORT_ROWS = 5000


def percentile95(times):
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def log(text):
    print(text, file=sys.stderr, flush=True)


def measure_here(args):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionplan.settings")
    import django

    django.setup()
    import datetime

    from django.conf import settings
    from django.db import connection
    from rest_framework.test import APIClient

    from branches.models import Organisation, User
    from targets.api.tokens import token_create
    from targets.models import MonthlyReport, Resolution
    from targets.reporting import services

    settings.API_RATE_LIMIT = "1000000/min"
    root = Organisation.objects.filter(parent__isnull=True).order_by("pk").first()
    resolution = Resolution.objects.filter(organisation__parent__isnull=True).order_by("-year").first()
    if resolution is None:
        resolution = Resolution.objects.order_by("-year").first()
    year = resolution.year
    settings.UNIONPLAN_TODAY = datetime.date(year + 1, 1, 10)  # December open, the year over
    province = root if root.kind == Organisation.Kind.PROVINCE else root.children.order_by("path").first()
    resolution = Resolution.objects.for_unit(province).filter(year=year).order_by("-organisation__path").first()
    upper = Organisation.objects.under(province).upper_levels().order_by("path").first()
    result = {
        "root": root.name,
        "grassroots": Organisation.objects.under(root).grassroots().count(),
        "reports": MonthlyReport.objects.count(),
        "rows": [],
    }
    log(f"{root.name}: {result['grassroots']:,} grassroots unions, {result['reports']:,} reports, {year}")

    def client_for(username, **defaults):
        user, _ = User.objects.update_or_create(username=username, defaults=defaults)
        _token, secret = token_create(user=user, name="bench", can_write=True)
        client = APIClient(HTTP_HOST="127.0.0.1")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        return client

    admin = client_for("bench-api-admin", is_superuser=True)
    staff = client_for("bench-api-province", role=User.Role.PROVINCIAL_STAFF, organisation=province)
    # The last province too: its rows lie at the far end of every month in id order.
    last = root.children.order_by("-path").first() if root.kind != Organisation.Kind.PROVINCE else province
    last_staff = client_for("bench-api-last-province", role=User.Role.PROVINCIAL_STAFF, organisation=last)
    last_upper = Organisation.objects.under(last).upper_levels().order_by("-path").first()

    def row(label, times, note=""):
        entry = {"label": label, "median": statistics.median(times), "p95": percentile95(times), "note": note}
        result["rows"].append(entry)
        log(f"  {label:<52} median {entry['median']:8.1f} ms   p95 {entry['p95']:8.1f} ms  {note}")

    def timed(client, url, repeat):
        client.get(url)  # once untimed: a warm worker
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url}: HTTP {response.status_code} {response.content[:300]}")
        return times

    period = f"year={year}&month=11"
    lists = [
        ("first page: reports of a month (province staff)", staff, f"/api/v1/reports/?{period}"),
        ("first page: reports of a month (superuser)", admin, f"/api/v1/reports/?{period}"),
        ("first page: reports of an upper level's subtree", staff, f"/api/v1/reports/?{period}&scope={upper.pk}"),
        ("first page: submitted reports (province staff)", staff, f"/api/v1/reports/?year={year}&status=submitted"),
        ("first page: reports updated since 1 Dec", staff, f"/api/v1/reports/?updated_since={year}-12-01T00:00:00Z"),
        ("first page: reports of a month (last province)", last_staff, f"/api/v1/reports/?{period}"),
        ("first page: submitted reports (last province)", last_staff, f"/api/v1/reports/?year={year}&status=submitted"),
        (
            "first page: reports of a subtree (last province)",
            last_staff,
            f"/api/v1/reports/?{period}&scope={last_upper.pk}",
        ),
        ("first page: organisations (last province)", last_staff, "/api/v1/organisations/"),
        ("first page: tree changes (superuser)", admin, "/api/v1/tree-changes/"),
        ("first page: organisations (province staff)", staff, "/api/v1/organisations/"),
        ("first page: organisations (superuser)", admin, "/api/v1/organisations/?kind=grassroots"),
        ("resolutions with targets and figure changes", staff, "/api/v1/resolutions/"),
        ("progress of the province", staff, f"/api/v1/progress/?unit={province.pk}&{period}"),
        ("progress of the root", admin, f"/api/v1/progress/?unit={root.pk}&{period}"),
        ("progress of an upper level", staff, f"/api/v1/progress/?unit={upper.pk}&{period}"),
        ("completeness of the root", admin, f"/api/v1/completeness/?unit={root.pk}&{period}"),
    ]
    for label, client, url in lists:
        row(label, timed(client, url, args.repeat))

    # Walking a month: every report of November, 1.000 a page, as the superuser.
    started, count, pages = time.perf_counter(), 0, 0
    url = f"/api/v1/reports/?{period}&page_size=1000"
    page_times = []
    while url:
        begun = time.perf_counter()
        answer = admin.get(url)
        page_times.append((time.perf_counter() - begun) * 1000)
        data = answer.json()
        count += len(data["results"])
        pages += 1
        url = data["next"]
    total = time.perf_counter() - started
    expected = MonthlyReport.objects.filter(resolution__year=year, month=11).count()
    row(
        "walk a month, 1.000 a page (per page)",
        page_times,
        f"{count:,} reports (of {expected:,}) in {pages} pages, {total:.1f} s in all",
    )
    result["walk"] = {"reports": count, "expected": expected, "pages": pages, "seconds": total}
    if args.skip_import:
        result["vendor"] = connection.vendor
        print(RESULT + json.dumps(result), flush=True)
        return

    # The bulk import: December for the province's grassroots units, 3 rows a unit.
    recruits = (
        resolution.components()
        .filter(measure="quantity", for_grassroots=True, min_workforce__isnull=True)
        .filter(for_public_agency=True, for_state_enterprise=True, for_non_state_enterprise=True)
        .order_by("target__number", "order")
    )
    components = list(recruits[:3])
    units = list(
        Organisation.objects.under(province)
        .grassroots()
        .filter(dissolved_on__isnull=True)
        .exclude(pk__in=MonthlyReport.objects.filter(resolution=resolution, month=12).values("organisation"))
        .order_by("path")
        .values_list("code", "workforce")[: IMPORT_ROWS // len(components) + 1]
    )
    rows = [
        {"unit": code, "year": year, "month": 12, "component": c.pk, "quantity": min(1, workforce or 0)}
        for code, workforce in units
        for c in components
    ][:IMPORT_ROWS]
    log(f"  import: {len(rows):,} rows for {len(units):,} units, {len(components)} components each")
    body = {"rows": rows}
    started = time.perf_counter()
    dry = staff.post("/api/v1/reports/import/?dryRun=true", body, format="json").json()
    dry_s = time.perf_counter() - started
    row("bulk import 5.000 rows, dry run", [dry_s * 1000], json.dumps(dry["counts"]))

    # An officer saves a report through the page's service while the import runs.
    officer_unit = (
        Organisation.objects.under(province)
        .grassroots()
        .exclude(code__in=[c for c, _w in units])
        .exclude(pk__in=MonthlyReport.objects.filter(resolution=resolution, month=12).values("organisation"))
        .filter(dissolved_on__isnull=True)
        .order_by("-path")
        .first()
    )
    officer, _ = User.objects.update_or_create(
        username="bench-api-officer", defaults={"role": User.Role.GRASSROOTS_OFFICER, "organisation": officer_unit}
    )
    saved = {}

    def run_import():
        begun = time.perf_counter()
        saved["summary"] = staff.post("/api/v1/reports/import/", body, format="json").json()
        saved["seconds"] = time.perf_counter() - begun
        connection.close()

    thread = threading.Thread(target=run_import)
    thread.start()
    time.sleep(min(2.0, dry_s / 3))
    begun = time.perf_counter()
    if officer_unit is not None:
        report = services.report_get_or_create(unit=officer_unit, resolution=resolution, month=12)
        services.report_save(
            report=report, user=officer, figures={}, tasks={}, expected_version=report.version, submit=True
        )
    officer_ms = (time.perf_counter() - begun) * 1000
    officer_done_during = thread.is_alive()
    thread.join()
    row("bulk import 5.000 rows, saved", [saved["seconds"] * 1000], json.dumps(saved["summary"]["counts"]))
    row(
        "an officer's save during the import",
        [officer_ms],
        "finished while the import ran" if officer_done_during else "the import had finished first",
    )
    result["vendor"] = connection.vendor
    print(RESULT + json.dumps(result), flush=True)


def run_child(url, args):
    env = dict(os.environ, DATABASE_URL=url, DB_CONN_MAX_AGE="0")
    env.pop("UNIONPLAN_TODAY", None)
    command = [sys.executable, __file__, "--child", "--repeat", str(args.repeat)]
    command += ["--skip-import"] if args.skip_import else []
    out = subprocess.run(command, env=env, cwd=ROOT, capture_output=False, stdout=subprocess.PIPE, text=True)
    for line in out.stdout.splitlines():
        if line.startswith(RESULT):
            return json.loads(line[len(RESULT) :])
    raise SystemExit(f"no result from {url}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--province-db")
    parser.add_argument("--national-db")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--child", action="store_true")
    parser.add_argument(
        "--skip-import", action="store_true", help="lists, roll-ups and the walk only (no report is written)"
    )
    args = parser.parse_args()
    if args.child:
        measure_here(args)
        return
    load_before = os.getloadavg()
    sizes = [(name, url) for name, url in (("province", args.province_db), ("national", args.national_db)) if url]
    if not sizes:
        sizes = [("this database", os.environ.get("DATABASE_URL"))]
    results = {name: run_child(url, args) for name, url in sizes}
    print(f"# API benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.node()}")
    print(f"# {os.cpu_count()} CPUs, load average {load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after")
    for name, result in results.items():
        sizes = f"{result['grassroots']:,} grassroots unions, {result['reports']:,} reports"
        print(f"\n## {name}: {result['root']}, {sizes}")
        print(f"{'':<54}{'median ms':>10}{'p95 ms':>10}")
        for entry in result["rows"]:
            print(f"{entry['label']:<54}{entry['median']:>10.1f}{entry['p95']:>10.1f}  {entry['note']}")


if __name__ == "__main__":
    main()
