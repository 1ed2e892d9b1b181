"""Ten OS processes file, submit, approve and reopen reports at the same moment (PostgreSQL).

Each child (tests/reporting/workflow_worker.py) connects to this test's database and works through
targets.reporting.services: its own grassroots unit (and two of them their upper level's own report)
plus one unit all ten fight over. Afterwards every accepted change is in the database once,
the refused ones were refused cleanly, and the dashboards' running totals equal the sums
taken straight from the approved figures.
"""

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum

from branches.models import Organisation, User
from targets.models import MonthlyReport, ProgressTotal, ReportFigure, TargetComponent
from targets.reporting import ledger
from targets.reporting.ledger.models import TOTAL_FIELDS
from targets.reporting.services import report_get_or_create, report_save
from targets.rollup.progress import scope_progress

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: child processes share the test database, SQLite serialises writers",
    ),
]

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 10
MONTHS = [1, 2, 3]
Measure = TargetComponent.Measure


def database_url():
    """The URL of the test database this test runs on, for the child processes."""
    s = connection.settings_dict
    credentials = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{credentials}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def run_workers(plans):
    """Start one process per plan, release them together, return their results."""
    env = {**os.environ, "DATABASE_URL": database_url(), "DB_CONN_MAX_AGE": "0"}
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.reporting.workflow_worker"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in plans
    ]
    try:
        for child, plan in zip(children, plans, strict=True):
            child.stdin.write(json.dumps(plan) + "\n")
            child.stdin.flush()
        for child in children:
            assert child.stdout.readline().strip() == "ready", child.stderr.read()
        for child in children:
            child.stdin.write("go\n")
            child.stdin.flush()
        results = []
        for child in children:
            out, err = child.communicate(timeout=240)
            assert child.returncode == 0, err
            results.append(json.loads(out.strip().splitlines()[-1]))
        return results
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()


def straight_sums(resolution, scope, month):
    """{component_id: (achieved, pending)} counted straight from ReportFigure under ``scope``."""
    submitted = Q(report__status=MonthlyReport.Status.SUBMITTED)
    rows = (
        ReportFigure.objects.filter(
            report__resolution=resolution,
            report__month__lte=month,
            report__organisation__path__startswith=scope.path,
        )
        .values("component")
        .annotate(
            approved=Sum("approved_quantity"),
            pending=Sum(F("quantity") - F("approved_quantity"), filter=submitted),
            done=Count("report__organisation", distinct=True, filter=Q(approved_done=True)),
            reached=Count(
                "report__organisation", distinct=True, filter=Q(approved_value__gte=F("component__threshold"))
            ),
        )
        .order_by()
    )
    by_component = {row["component"]: row for row in rows}
    result = {}
    for c in resolution.components():
        row = by_component.get(c.pk, {})
        if c.measure == Measure.QUANTITY:
            result[c.pk] = (row.get("approved") or 0, row.get("pending") or 0)
        elif c.measure == Measure.UNITS_DONE:
            result[c.pk] = (row.get("done") or 0, 0)
        elif c.measure == Measure.UNITS_AT_THRESHOLD:
            result[c.pk] = (row.get("reached") or 0, 0)
    return result


def test_ten_processes_lose_nothing_and_totals_match_the_figures(resolution, tree, users, make_user):
    """Every submit, approval and reopening a process reports as done is in the database once
    (report version = 1 + accepted changes, one history row each), the refused ones raised
    ReportConflict/ReportLocked, the shared unit got exactly one submit and one approval a
    month, and the province's and upper levels' dashboards equal the approved figures."""
    S = Organisation.Sector
    sectors = [S.PUBLIC_AGENCY, S.STATE_ENTERPRISE, S.NON_STATE_ENTERPRISE]
    plans = []
    for i in range(WORKERS):
        upper = "rach_gia" if i % 2 == 0 else "ha_tien"
        unit = Organisation.objects.create(
            code=f"P-{i}",
            name=f"CĐCS tiến trình {i}",
            kind=Organisation.Kind.GRASSROOTS,
            sector=sectors[i % 3],
            parent=tree[upper],
            workforce=100,
            members=60,
        )
        officer = make_user(f"officer{i}", unit, User.Role.GRASSROOTS_OFFICER)
        own = [{"unit": unit.pk, "filer": officer.pk, "reviewer": users[upper].pk}]
        if i < 2:  # the upper level's own report, reviewed by the province, amid its units' reports
            own.append({"unit": tree[upper].pk, "filer": users[upper].pk, "reviewer": users["province"].pk})
        plans.append(
            {
                "worker": i,
                "resolution": resolution.pk,
                "months": MONTHS,
                "own": own,
                "shared": {"unit": tree["school"].pk, "filer": users["school"].pk, "reviewer": users["rach_gia"].pk},
            }
        )

    results = run_workers(plans)

    crashes = [c for r in results for c in r["crashed"]]
    assert crashes == [], "\n".join(crashes)
    done = [action for r in results for action in r["done"]]
    refused = Counter()
    for r in results:
        refused.update(r["refused"])
    assert set(refused) <= {"ReportConflict", "ReportLocked"}

    # Own units: every step of every month went through (nobody else touches them).
    own_units = {o["unit"] for p in plans for o in p["own"]}
    per_report = Counter((a["unit"], a["month"]) for a in done)
    for unit_id in own_units:
        assert per_report[(unit_id, 1)] == 5  # submit, approve, reopen, submit, approve
        assert per_report[(unit_id, 2)] == per_report[(unit_id, 3)] == 2
    # The shared unit: one submit and one approval a month; the other 9 + 9 refused.
    school = tree["school"].pk
    for month in MONTHS:
        assert per_report[(school, month)] == 2
    assert sum(refused.values()) == 2 * (WORKERS - 1) * len(MONTHS)

    # Nothing lost, nothing doubled: one version step and one history row per accepted change.
    reports = MonthlyReport.objects.filter(resolution=resolution)
    assert reports.count() == (len(own_units) + 1) * len(MONTHS)
    for report in reports:
        accepted = per_report[(report.organisation_id, report.month)]
        assert report.status == MonthlyReport.Status.APPROVED
        assert report.version == 1 + accepted
        assert report.history.filter(history_type="~").count() == accepted

    # Figures: the last accepted submit of each report is what is stored and approved.
    last_quantity = {}
    for a in done:
        if a["action"] == "submit":
            last_quantity[(a["unit"], a["month"])] = a["quantity"]
    quantity_figures = ReportFigure.objects.filter(
        report__resolution=resolution, component__measure=Measure.QUANTITY
    ).values_list("report__organisation_id", "report__month", "quantity", "approved_quantity")
    assert quantity_figures
    for unit_id, month, quantity, approved in quantity_figures:
        assert quantity == approved == last_quantity[(unit_id, month)]

    # Dashboards (running totals) = straight sums of approved figures, at every upper level.
    recruits = resolution.components().get(target__number=1)
    for scope in (tree["province"], tree["rach_gia"], tree["ha_tien"]):
        expected = straight_sums(resolution, scope, month=12)
        shown = {
            row.component.pk: (row.achieved, row.pending)
            for row in scope_progress(resolution, scope, 12)
            if row.component.pk in expected
        }
        assert shown == expected, scope.code
    # By hand: target 1 at the province = the last submitted quantity of every grassroots report.
    eligible_reports = {
        (unit_id, month)
        for unit_id, month in ReportFigure.objects.filter(component=recruits).values_list(
            "report__organisation_id", "report__month"
        )
    }
    province_row = next(r for r in scope_progress(resolution, tree["province"], 12) if r.component == recruits)
    assert province_row.achieved == sum(last_quantity[key] for key in eligible_reports)
    assert province_row.achieved > 0 and province_row.pending == 0

    # And the running totals are exactly what a rebuild from the raw figures gives.
    def snapshot():
        return set(ProgressTotal.objects.values_list("organisation", "component", "month", *TOTAL_FIELDS))

    running = snapshot()
    ledger.rebuild()
    assert snapshot() == running


def test_upper_level_report_and_its_unit_submission_at_once_do_not_deadlock(resolution, tree, users):
    """While the upper level's own report change holds its unit's lock, a unit below it
    submitting its report (which adds the first totals rows of that upper level, checked
    against the upper level's row by a foreign key) waits or goes through, never deadlocks:
    both changes are saved and the province counts both figures."""
    recruits = resolution.components().get(target__number=1)
    school = report_get_or_create(unit=tree["school"], resolution=resolution, month=4)
    upper = report_get_or_create(unit=tree["rach_gia"], resolution=resolution, month=4)
    upper_locked, release = threading.Event(), threading.Event()
    errors = []

    def change_upper_level_report():
        try:
            with transaction.atomic(), ledger.tracking(tree["rach_gia"]):
                ReportFigure.objects.filter(report=upper, component=recruits).update(quantity=7, approved_quantity=7)
                upper_locked.set()
                release.wait(10)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    def submit_unit_report():
        upper_locked.wait(10)
        try:
            report_save(
                report=MonthlyReport.objects.get(pk=school.pk),
                user=users["school"],
                figures={recruits.pk: {"quantity": 5}},
                tasks={},
                expected_version=school.version,
                submit=True,
            )
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=change_upper_level_report), threading.Thread(target=submit_unit_report)]
    for t in threads:
        t.start()
    # Let the submission reach the point where it would wait for the upper level's lock.
    upper_locked.wait(10)
    deadline = time.monotonic() + 5
    while threads[1].is_alive() and time.monotonic() < deadline and not waiting_on_a_lock():
        time.sleep(0.05)
    release.set()
    for t in threads:
        t.join(30)
    assert errors == []
    row = next(r for r in scope_progress(resolution, tree["province"], 4) if r.component == recruits)
    assert (row.achieved, row.pending) == (7, 5)


def waiting_on_a_lock():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0
