"""The read-replica routing against a real second PostgreSQL database (docs/deployment.md, "Running past
one machine"): the app runs in a child process with DATABASE_URL naming a primary and
DATABASE_REPLICA_URL a copy of it standing in for the replica (read-only, as a hot standby
is). A marker present only in the replica shows which database a page was read from."""

import json
import shutil
import subprocess
import sys

import pytest
from django.db import connection
from django.test import Client

from targets.reporting.services import report_get_or_create, report_save
from tests.test_backup_restore import ROOT, client_env, database_url

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL replica"),
    pytest.mark.skipif(not (shutil.which("pg_dump") and shutil.which("pg_restore")), reason="no pg_dump"),
]

MARKER = "BẢN SAO ĐỌC"
# The app, in the child: the reviewer's page loads and approval, as their browser makes them.
APP = """
import json, sys, django
django.setup()
from django.conf import settings
from django.test import Client
from unionplan.db_router import PIN_COOKIE
assert set(settings.DATABASES) == {"default", "replica"}
args = json.loads(sys.argv[1])
client = Client(HTTP_HOST="127.0.0.1")
client.cookies[settings.SESSION_COOKIE_NAME] = args["session"]

def page(url):
    response = client.get(url)
    return {"status": response.status_code, "marker": args["marker"] in response.content.decode()}

steps = {"dashboard before": page(args["dashboard"]), "report before": page(args["report"])}
approve = client.post(args["review"], {"action": "approve", "comment": "", "version": args["version"]})
steps["approve"] = {"status": approve.status_code, "pinned": PIN_COOKIE in approve.cookies}
steps["dashboard after"] = page(args["dashboard"])
steps["report after"] = page(args["report"])
del client.cookies[PIN_COOKIE]  # REPLICA_PIN_SECONDS later
steps["dashboard later"] = page(args["dashboard"])
print(json.dumps(steps))
"""


def psql(options, env, database, sql):
    done = subprocess.run(
        ["psql", *options, "-d", database, "-tAc", sql], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_reads_on_the_replica_writes_and_the_writers_next_read_on_the_primary(resolution, tree, users, tmp_path):
    school, reviewer = tree["school"], users["rach_gia"]
    report = report_get_or_create(unit=school, resolution=resolution, month=3)
    recruits = resolution.components().get(target__number=1)
    report_save(
        report=report,
        user=users["school"],
        figures={recruits.pk: {"quantity": 5}},
        tasks={},
        expected_version=report.version,
        submit=True,
    )
    report.refresh_from_db()
    browser = Client()
    browser.force_login(reviewer)
    session = browser.cookies["sessionid"].value

    # Copy the database twice: the primary, and the replica (with the marker, read-only).
    env, options = client_env()
    name = connection.settings_dict["NAME"]
    primary, replica = f"{name}_primary", f"{name}_replica"
    dump = tmp_path / "unionplan.dump"
    subprocess.run(["pg_dump", *options, "-Fc", "-f", str(dump), name], env=env, check=True)
    try:
        for database in (primary, replica):
            subprocess.run(["dropdb", *options, "--force", "--if-exists", database], env=env, check=True)
            subprocess.run(["createdb", *options, database], env=env, check=True)
            subprocess.run(["pg_restore", *options, "--no-owner", "-d", database, str(dump)], env=env, check=True)
        psql(options, env, replica, f"UPDATE branches_organisation SET name = '{MARKER}' WHERE id = {school.pk}")
        psql(options, env, replica, f"ALTER DATABASE {replica} SET default_transaction_read_only = on")

        url = f"/reports/{resolution.year}/3/{school.pk}/"
        args = {
            "session": session,
            "marker": MARKER,
            "dashboard": f"/dashboard/unit/{school.pk}/",
            "report": url,
            "review": url + "review/",
            "version": report.version,
        }
        child = subprocess.run(
            [sys.executable, "-c", APP, json.dumps(args)],
            cwd=ROOT,
            env={
                **env,
                "DATABASE_URL": database_url(primary),
                "DATABASE_REPLICA_URL": database_url(replica),
                "REPLICA_PIN_SECONDS": "30",
                "UNIONPLAN_TODAY": "2020-04-10",
                "DJANGO_SETTINGS_MODULE": "unionplan.settings",
            },
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert child.returncode == 0, child.stderr
        steps = json.loads(child.stdout.strip().splitlines()[-1])
        in_primary = psql(options, env, primary, f"SELECT status FROM targets_monthlyreport WHERE id = {report.pk}")
        in_replica = psql(options, env, replica, f"SELECT status FROM targets_monthlyreport WHERE id = {report.pk}")
    finally:
        for database in (primary, replica):
            subprocess.run(["dropdb", *options, "--force", "--if-exists", database], env=env, check=True)

    # Page loads read the replica: the marker only it holds shows.
    assert steps["dashboard before"] == {"status": 200, "marker": True}
    assert steps["report before"] == {"status": 200, "marker": True}
    # The approval was written to the primary (the replica refuses writes, and still has it submitted).
    assert steps["approve"] == {"status": 302, "pinned": True}
    assert (in_primary, in_replica) == ("approved", "submitted")
    # The reviewer's next page loads come from the primary: no marker there.
    assert steps["dashboard after"] == {"status": 200, "marker": False}
    assert steps["report after"] == {"status": 200, "marker": False}
    # Once the pin has run out, reads go back to the replica.
    assert steps["dashboard later"] == {"status": 200, "marker": True}
