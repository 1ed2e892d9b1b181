"""A backup taken with ``pg_dump -Fc`` and restored with ``pg_restore`` into an empty database
gives the same dashboards (docs/deployment.md, "Backup and restore")."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from targets.reporting.services import report_approve, report_get_or_create, report_save
from targets.rollup.progress import scope_progress

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump/pg_restore back up PostgreSQL only"),
    pytest.mark.skipif(not (shutil.which("pg_dump") and shutil.which("pg_restore")), reason="no pg_dump"),
]

ROOT = Path(__file__).resolve().parent.parent
# Run in a child process against the restored database: the province dashboard as JSON.
DASHBOARD = """
import json, django
django.setup()
from targets.models import Resolution
from targets.rollup.progress import scope_progress
resolution = Resolution.objects.get(year=2020)
print(json.dumps([[r.component.pk, r.figure, r.achieved, r.pending]
                  for r in scope_progress(resolution, resolution.organisation, 12)]))
"""


def client_env():
    """Environment and connection options for the PostgreSQL command-line tools."""
    s = connection.settings_dict
    env = {**os.environ}
    if s["PASSWORD"]:
        env["PGPASSWORD"] = s["PASSWORD"]
    options = ["-h", s["HOST"] or "127.0.0.1", "-p", str(s["PORT"] or 5432), "-U", s["USER"]]
    return env, options


def database_url(name):
    s = connection.settings_dict
    credentials = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{credentials}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def file_and_approve(resolution, unit, filer, reviewer, month, quantity, approve=True):
    recruits = resolution.components().get(target__number=1)
    report = report_get_or_create(unit=unit, resolution=resolution, month=month)
    report_save(
        report=report,
        user=filer,
        figures={recruits.pk: {"quantity": quantity}},
        tasks={},
        expected_version=report.version,
        submit=True,
    )
    if approve:
        report_approve(report=report, user=reviewer)


def test_restored_backup_shows_the_same_province_dashboard(resolution, tree, users, tmp_path):
    """Approved reports (12 + 8 + 30 new members) and one still submitted (4 pending) are
    dumped, restored into an empty database, and the province dashboard read from the
    restored database shows the same figures, target 1 included: 50 achieved, 4 pending."""
    file_and_approve(resolution, tree["school"], users["school"], users["rach_gia"], 1, 12)
    file_and_approve(resolution, tree["school"], users["school"], users["rach_gia"], 2, 8)
    file_and_approve(resolution, tree["ht_firm"], users["ht_firm"], users["ha_tien"], 1, 30)
    file_and_approve(resolution, tree["firm"], users["firm"], users["rach_gia"], 2, 4, approve=False)
    here = [[r.component.pk, r.figure, r.achieved, r.pending] for r in scope_progress(resolution, tree["province"], 12)]
    recruits = resolution.components().get(target__number=1)
    assert next(row for row in here if row[0] == recruits.pk)[2:] == [50, 4]

    env, options = client_env()
    dump = tmp_path / "unionplan.dump"
    restored = f"{connection.settings_dict['NAME']}_restored"
    subprocess.run(["pg_dump", *options, "-Fc", "-f", str(dump), connection.settings_dict["NAME"]], env=env, check=True)
    subprocess.run(["dropdb", *options, "--if-exists", restored], env=env, check=True)
    subprocess.run(["createdb", *options, restored], env=env, check=True)
    try:
        subprocess.run(["pg_restore", *options, "--no-owner", "-d", restored, str(dump)], env=env, check=True)
        there = subprocess.run(
            [sys.executable, "-c", DASHBOARD],
            cwd=ROOT,
            env={**env, "DATABASE_URL": database_url(restored), "DJANGO_SETTINGS_MODULE": "unionplan.settings"},
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        subprocess.run(["dropdb", *options, "--if-exists", restored], env=env, check=True)
    assert json.loads(there.stdout.strip().splitlines()[-1]) == here
