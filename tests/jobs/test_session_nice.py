"""The worker's database sessions run at the worker's lower priority when PostgreSQL is on
this machine and may be reniced; anywhere else nothing changes (unionplan/session_nice.py)."""

import os
from pathlib import Path

import pytest
from django.db import connection, connections

from unionplan import session_nice


def niceness_of(pid):
    # /proc/<pid>/stat: the 19th field is the nice value (the command in parentheses may hold spaces).
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[16])


def backend_pid(conn):
    with conn.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.fixture
def own_connection(db):
    """A connection of its own (the test's shared one keeps its priority)."""
    conn = connections.create_connection("default")
    yield conn
    conn.close()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL backends only")
def test_a_local_backend_is_given_the_workers_niceness(own_connection):
    pid = backend_pid(own_connection)
    if not session_nice.is_local(own_connection.settings_dict) or not session_nice.postgres_backend(pid):
        pytest.skip("PostgreSQL is not on this machine")
    if os.geteuid() != 0 and Path(f"/proc/{pid}").stat().st_uid != os.geteuid():
        pytest.skip("this user may not renice PostgreSQL's processes")
    assert niceness_of(pid) == 0
    assert session_nice.renice_backend(own_connection, 10) is True
    assert niceness_of(pid) == 10


def test_nothing_is_reniced_for_a_database_elsewhere(own_connection, monkeypatch):
    reniced = []
    monkeypatch.setattr(os, "setpriority", lambda *args: reniced.append(args))
    monkeypatch.setitem(own_connection.settings_dict, "HOST", "db.example.org")
    assert session_nice.renice_backend(own_connection, 10) is False
    assert reniced == []


def test_a_process_that_is_not_a_postgres_backend_is_left_alone(own_connection, monkeypatch):
    """Another PID namespace (PostgreSQL in a container) gives the backend a number that
    may be some other process of this machine: only a postgres process is reniced."""
    reniced = []
    monkeypatch.setattr(os, "setpriority", lambda *args: reniced.append(args))
    monkeypatch.setattr(session_nice, "postgres_backend", lambda pid: False)
    assert session_nice.renice_backend(own_connection, 10) is False
    assert reniced == []
    assert session_nice.postgres_backend(os.getpid()) is False  # this test's Python is not PostgreSQL
