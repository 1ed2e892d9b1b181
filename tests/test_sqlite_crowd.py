"""The embedded SQLite default holds a crowd: WAL, a busy timeout and immediate transactions.

Checked on a SQLite file made with the settings the app computes for a SQLite DATABASE_URL,
whatever database the suite itself runs on. The crowd itself is `benchmarks/load.py --sqlite`.
"""

import runpy
import threading
import time
from pathlib import Path

from django.db.utils import ConnectionHandler

SETTINGS_FILE = Path(__file__).resolve().parent.parent / "unionplan" / "settings.py"


def sqlite_connections(monkeypatch, path):
    """A connection handler (one connection per thread, as Django's) configured as the app
    configures a SQLite DATABASE_URL."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    database = runpy.run_path(str(SETTINGS_FILE))["DATABASES"]["default"]
    return ConnectionHandler({"default": database})


def test_sqlite_file_runs_in_wal_with_a_busy_timeout(monkeypatch, tmp_path, django_db_blocker):
    handler = sqlite_connections(monkeypatch, tmp_path / "db.sqlite3")
    with django_db_blocker.unblock():
        with handler["default"].cursor() as cursor:
            assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert cursor.execute("PRAGMA busy_timeout").fetchone()[0] >= 10_000
        handler.close_all()


def test_two_officers_saving_at_once_both_succeed(monkeypatch, tmp_path, django_db_blocker):
    """Each reads, then writes, in one transaction (like saving a report). With deferred
    transactions the second writer's snapshot is stale once the first commits, and SQLite
    refuses it at once ("database is locked") whatever the busy timeout; immediate ones wait."""
    handler = sqlite_connections(monkeypatch, tmp_path / "db.sqlite3")
    first_has_read = threading.Event()
    errors = []

    def save(first):
        connection = handler["default"]
        try:
            if not first:
                first_has_read.wait(5)
            connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
            with connection.cursor() as cursor:
                saved = cursor.execute("SELECT saved FROM crowd").fetchone()[0]
                if first:
                    first_has_read.set()
                    time.sleep(0.3)  # the other officer starts meanwhile
                cursor.execute("UPDATE crowd SET saved = %s", [saved + 1])
            connection.commit()
            connection.set_autocommit(True)
        except Exception as error:  # noqa: BLE001 - the test shows what went wrong
            errors.append(error)
        finally:
            connection.close()

    with django_db_blocker.unblock():
        with handler["default"].cursor() as cursor:
            cursor.execute("CREATE TABLE crowd (saved integer)")
            cursor.execute("INSERT INTO crowd VALUES (0)")
        officers = [threading.Thread(target=save, args=(first,)) for first in (True, False)]
        for officer in officers:
            officer.start()
        for officer in officers:
            officer.join(30)
        with handler["default"].cursor() as cursor:
            saved = cursor.execute("SELECT saved FROM crowd").fetchone()[0]
        handler.close_all()

    assert errors == []
    assert saved == 2
