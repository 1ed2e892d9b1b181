"""Bulk loading for the data generators: rows straight into a table (COPY on PostgreSQL,
bulk INSERT elsewhere), then the id sequences moved past them."""

import contextlib
import queue
import threading

from django.db import connection

from unionplan.bulk_copy import copy_rows


def reset_sequences(*models):
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 1)) FROM {table}")


def next_id(model):
    last = model.objects.order_by("-id").values_list("id", flat=True).first()
    return (last or 0) + 1


@contextlib.contextmanager
def keys_and_indexes_built_once(*models):
    """On PostgreSQL, load ``models``' tables without their foreign keys, unique constraints
    and indexes (the primary keys stay), then build them back: each index is then built once
    from the sorted whole (not grown row by row through millions of inserts) and each key is
    checked once over the whole table (one join), not row by row at commit (Django's keys
    are deferred: millions of queued checks took 20 minutes of a national load). Inside the
    caller's transaction: a failed check rolls the whole load back."""
    if connection.vendor != "postgresql":
        yield
        return
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        # Checks queued so far run now (a table with pending checks cannot be altered), and
        # the rest of the transaction checks each row as it goes.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype IN ('f', 'u') AND conrelid::regclass::text = ANY(%s) ORDER BY contype DESC",
            [tables],
        )
        constraints = cursor.fetchall()  # the unique ones first: a key may lean on one
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype = 'u')",
            [tables],
        )
        indexes = cursor.fetchall()
        for table, name, _definition in reversed(constraints):  # keys first, then unique
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


class Copier:
    """Batches of rows for several tables (``(model, columns)`` each, in ``put``'s order),
    copied on PostgreSQL by a second thread while the caller makes the next batch: the
    database's work overlaps Python's (the thread waits on the connection with the
    interpreter lock released). The thread copies through the same connection, so in the
    same transaction; the caller makes no query until ``finish``. At most two batches
    wait. Elsewhere each batch is inserted at once."""

    def __init__(self, *tables):
        self.tables = tables
        self.failed = None
        self.thread = None
        if connection.vendor == "postgresql":
            connection.ensure_connection()
            self.raw = connection.connection
            self.batches = queue.Queue(maxsize=2)
            self.thread = threading.Thread(target=self.run, daemon=True)
            self.thread.start()

    def copy(self, batch, raw_connection=None):
        for (model, columns), rows in zip(self.tables, batch, strict=True):
            copy_rows(model, columns, rows, raw_connection)

    def run(self):
        while (batch := self.batches.get()) is not None:
            if self.failed is None:
                try:
                    self.copy(batch, self.raw)
                except Exception as exc:  # raised in the caller's thread by put() or finish()
                    self.failed = exc

    def put(self, *batch):
        if self.failed is not None:
            raise self.failed
        if not any(batch):
            return
        if self.thread is None:
            self.copy(batch)
        else:
            self.batches.put(batch)

    def finish(self):
        if self.thread is not None:
            self.batches.put(None)
            self.thread.join()
        if self.failed is not None:
            raise self.failed
