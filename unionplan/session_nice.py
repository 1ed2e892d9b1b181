"""The worker's database sessions at the worker's lower CPU priority, when PostgreSQL runs
on the same machine (the embedded and single-server deployments, docs/jobs.md).

``run_worker --nice 10`` lowers the worker's own process; most of a job's work (an import's
upserts, an export's query) is done by the PostgreSQL backend serving the worker's
connection, which would still compete with the web pages' backends at full priority. So each
new connection of the worker looks up its backend's process id and, if that process is a
PostgreSQL backend of this machine that this user may renice (root, the postgres user, or a
service given ``CAP_SYS_NICE``), gives it the same niceness. Anywhere else (a database on
another machine or in another PID namespace, no permission) it changes nothing and says so
once in the worker's log.
"""

import logging
import os
from pathlib import Path

from django.db.backends.signals import connection_created

logger = logging.getLogger("unionplan.background")

LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}


def is_local(settings_dict):
    host = settings_dict.get("HOST") or ""
    return host in LOCAL_HOSTS or host.startswith("/")


def postgres_backend(pid):
    """Whether process ``pid`` of this machine is a PostgreSQL backend (not some other
    process that happens to have the number another PID namespace gave the backend)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return command.startswith(b"postgres")


def renice_backend(connection, niceness):
    """Give the backend serving ``connection`` the worker's ``niceness``; True if it did."""
    if connection.vendor != "postgresql" or niceness <= 0 or not is_local(connection.settings_dict):
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    if not postgres_backend(pid):
        return False
    try:
        os.setpriority(os.PRIO_PROCESS, pid, niceness)
    except OSError:
        return False
    return True


class SessionNice:
    """Connected to ``connection_created`` by ``run_worker``: every connection the worker opens
    (the job's, the heartbeat's) is reniced."""

    def __init__(self, niceness):
        self.niceness = niceness
        self.told = False

    def __call__(self, sender, connection, **kwargs):
        done = renice_backend(connection, self.niceness)
        if not self.told:
            self.told = True
            if done:
                logger.info("database sessions at nice %s (PostgreSQL on this machine)", self.niceness)
            else:
                logger.info("database sessions at their usual priority (not a local PostgreSQL we may renice)")

    def connect(self):
        connection_created.connect(self, weak=False, dispatch_uid="unionplan.session_nice")
