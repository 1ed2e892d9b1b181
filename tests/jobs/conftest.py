"""A real worker process (``manage.py run_worker --batch``) run against the test's database:
on PostgreSQL the test database itself; on SQLite (in memory) a file copy of it, copied back
once the worker is done, so that the test reads what the worker wrote."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def database_url(path=None):
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{path}"
    credentials = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{credentials}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def database_tasks(settings):
    """Jobs stored in the database, as in production, for a worker process to run."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def run_worker(tmp_path, database_tasks):
    """``run_worker(*args, env={})``: run the worker until no job is left; returns its output."""

    def run(*args, env=None):
        copy = tmp_path / "worker.sqlite3"
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            if copy.exists():
                copy.unlink()
            target = sqlite3.connect(copy)
            connection.connection.backup(target)
            target.close()
        environment = {
            **os.environ,
            "DATABASE_URL": database_url(copy),
            "DB_CONN_MAX_AGE": "0",
            "DJANGO_SETTINGS_MODULE": "unionplan.settings",
            **(env or {}),
        }
        environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        result = subprocess.run(
            [sys.executable, "manage.py", "run_worker", "--batch", "--no-startup-delay", "--no-reload", *args],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        if connection.vendor == "sqlite":
            source = sqlite3.connect(copy)
            source.backup(connection.connection)
            source.close()
        return result.stdout + result.stderr

    return run
