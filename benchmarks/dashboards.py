"""Server time and SQL query count of the dashboards and of filing and approving a report.

Runs in-process through Django's test client against the database that DATABASE_URL names
(PostgreSQL for figures that mean anything), with data made by
``manage.py generate_scale_data --grassroots N``:

    createdb -h 127.0.0.1 -U postgres unionplan_bench_2k
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/unionplan_bench_2k
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py generate_scale_data --grassroots 2000
    .venv/bin/python benchmarks/dashboards.py --repeat 20

Prints one line per page: median and p95 server time in milliseconds, and queries per request.
"""

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionplan.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from branches.models import Organisation, User  # noqa: E402
from targets.models import MonthlyReport, Resolution  # noqa: E402
from targets.reporting import services  # noqa: E402


def measure(label, call, repeat):
    times, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = call()
            times.append((time.perf_counter() - started) * 1000)
        queries = len(captured)
        if getattr(result, "status_code", 200) != 200:
            raise SystemExit(f"{label}: HTTP {result.status_code}")
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(f"{label:<34} median {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   {queries:3d} queries")
    return statistics.median(times), p95


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--root", help="code of the top organisation (default: the generated one)")
    args = parser.parse_args()

    root = (
        Organisation.objects.get(code=args.root)
        if args.root
        else Organisation.objects.filter(parent__isnull=True, code__startswith="S").order_by("-pk").first()
    )
    if root is None:
        raise SystemExit("no generated data: run manage.py generate_scale_data first")
    resolution = Resolution.objects.get(organisation=root)
    grassroots = Organisation.objects.under(root).grassroots().count()
    upper = Organisation.objects.under(root).upper_levels().order_by("path").first()
    component = resolution.components().get(target__number=1)
    print(f"{connection.vendor} · {platform.node()} · {os.cpu_count()} cores · {platform.python_version()}")
    print(
        f"tree: {root.name}, {grassroots:,} grassroots unions; reports: "
        f"{MonthlyReport.objects.filter(resolution=resolution).count():,}"
    )

    staff, _ = User.objects.get_or_create(username="bench-staff", defaults={"is_superuser": True})
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(staff)
    month = 11
    pages = [
        ("top dashboard", f"/dashboard/unit/{root.pk}/?month={month}"),
        ("target page with breakdown", f"/dashboard/unit/{root.pk}/component/{component.pk}/?month={month}"),
        ("completeness", f"/dashboard/completeness/?unit={root.pk}&month={month}"),
        ("priority tasks", f"/dashboard/tasks/?unit={root.pk}&month={month}"),
        ("upper-level dashboard", f"/dashboard/unit/{upper.pk}/?month={month}"),
    ]
    for label, url in pages:
        measure(label, lambda url=url: client.get(url), args.repeat)

    # The reviewers' inboxes: everything waiting under the top of the tree, and under one upper level.
    for label, unit, role in (
        ("inbox, top of the tree", root, User.Role.PROVINCIAL_STAFF),
        ("inbox, an upper level", upper, User.Role.UPPER_LEVEL_OFFICER),
    ):
        user, _ = User.objects.update_or_create(
            username=f"bench-inbox-{unit.pk}", defaults={"role": role, "organisation": unit}
        )
        inbox_client = Client(HTTP_HOST="127.0.0.1")
        inbox_client.force_login(user)
        measure(label, lambda c=inbox_client: c.get("/reports/inbox/"), args.repeat)

    # Filing and approving one report each time, through the services the pages call.
    units = list(Organisation.objects.filter(parent=upper).grassroots().order_by("pk")[: args.repeat * 2])
    officer, _ = User.objects.get_or_create(username="bench-officer", defaults={"role": "grassroots_officer"})
    reviewer, _ = User.objects.get_or_create(
        username="bench-reviewer", defaults={"role": "upper_level_officer", "organisation": upper}
    )
    pending = []

    def file_one():
        unit = units.pop()
        officer.organisation, officer.role = unit, User.Role.GRASSROOTS_OFFICER
        report = services.report_get_or_create(unit=unit, resolution=resolution, month=12)
        figures = {f.component_id: {"quantity": 1} for f in report.figures.all()}
        services.report_save(
            report=report, user=officer, figures=figures, tasks={}, expected_version=report.version, submit=True
        )
        pending.append(report)

    def approve_one():
        report = pending.pop()
        report.refresh_from_db()
        services.report_approve(report=report, user=reviewer)

    MonthlyReport.objects.filter(resolution=resolution, month=12, organisation__in=units).delete()
    measure("file and submit a report", file_one, args.repeat)
    measure("approve a report", approve_one, args.repeat)


if __name__ == "__main__":
    main()
