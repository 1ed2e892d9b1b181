"""Bulk loading for the data generators: rows straight into a table (COPY on PostgreSQL,
bulk INSERT elsewhere), then the id sequences moved past them."""

import contextlib
import io

from django.db import connection


def copy_rows(model, columns, rows):
    """Insert ``rows`` (tuples) into ``model``'s table: COPY on PostgreSQL, else bulk INSERT."""
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join(r"\N" if v is None else str(v) for v in row))
            buffer.write("\n")
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_from(buffer, table, columns=columns, null=r"\N")
    else:
        placeholders = ", ".join(["%s"] * len(columns))
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", list(rows))


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
def foreign_keys_checked_once(*models):
    """On PostgreSQL, load ``models``' tables without their foreign keys, then add them back:
    each key is then checked once over the whole table (one join), not row by row at commit
    (Django's keys are deferred: millions of queued checks took 20 minutes of a national
    load). Inside the caller's transaction: a failed check rolls the whole load back."""
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
            "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
            [tables],
        )
        keys = cursor.fetchall()
        for table, name, _definition in keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    yield
    with connection.cursor() as cursor:
        for table, name, definition in keys:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
