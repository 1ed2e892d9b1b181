"""Run the background worker: django-tasks-db's worker, with beside it a heartbeat (so pages
know a worker is alive) and the scheduler (reminders, the nightly check of the running
totals, pruning: each enqueued once a day, by whichever worker claims it first; and the
applying of large changes of the tree that fell due, once each).

Several workers on several machines may run against the same PostgreSQL (docs/jobs.md).
"""

import os
import socket
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from targets.restructuring.jobs import enqueue_due_changes
from unionplan import background
from unionplan.session_nice import SessionNice


class BeatingWorker(Worker):
    """The worker, with a thread that beats and enqueues the scheduled work every few seconds."""

    def __init__(self, *args, schedule=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.schedule = schedule
        self.stopped = threading.Event()

    def tick(self):
        background.beat(self.worker_id, host=socket.gethostname())
        if self.schedule:
            background.enqueue_due()
            # Large changes whose day has come: a page's request leaves them to the worker.
            enqueue_due_changes()

    def beat_forever(self):
        try:
            while not self.stopped.wait(background.HEARTBEAT_SECONDS):
                try:
                    close_old_connections()
                    self.tick()
                except Exception:  # a database hiccup: the next beat tries again
                    connection.close()
        finally:
            connection.close()

    def run(self):
        if self.schedule:
            background.ensure_schedule(settings.BACKGROUND_SCHEDULE)
        self.tick()
        beater = threading.Thread(target=self.beat_forever, name="heartbeat", daemon=True)
        beater.start()
        try:
            super().run()
        finally:
            self.stopped.set()


class Command(DbWorkerCommand):
    help = "Run background jobs (imports, files, reminders, checks) and enqueue the scheduled ones when due."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--no-schedule", action="store_false", dest="schedule", help="Run jobs only; enqueue no scheduled work."
        )
        parser.add_argument(
            "--nice",
            type=int,
            default=10,
            help="Lower the worker's CPU priority by this much (0 keeps it), and its database sessions' "
            "when PostgreSQL runs on this machine and may be reniced: on a busy machine the web server's "
            "requests go first, and a job takes a little longer.",
        )

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        reload,
        max_tasks,
        worker_id,
        exclude_queues,
        schedule=True,
        nice=10,
        **options,
    ):
        self.configure_logging(verbosity)
        if nice > 0 and hasattr(os, "nice"):
            os.nice(nice)
            SessionNice(os.getpriority(os.PRIO_PROCESS, 0)).connect()
        worker = BeatingWorker(
            queue_names=queue_name.split(","),
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id or get_random_string(32),
            excluded_queue_names=exclude_queues.split(",") if exclude_queues else [],
            schedule=schedule,
        )
        worker.configure_signals()
        worker.run()
