"""Many rows into a table at once: COPY on PostgreSQL, else one bulk INSERT. For the loads
and recounts that write hundreds of thousands of rows, where building a model instance per
row (``bulk_create``) costs more than the database's own work."""

import io

from django.db import connection


def copy_rows(model, columns, rows, raw_connection=None):
    """Insert ``rows`` (tuples) into ``model``'s table: COPY on PostgreSQL, else bulk INSERT.
    ``raw_connection``: the psycopg2 connection to copy through, for a thread other than the
    one that owns Django's connection (the same connection and transaction)."""
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        buffer = io.StringIO()
        buffer.writelines(["\t".join([r"\N" if v is None else str(v) for v in row]) + "\n" for row in rows])
        buffer.seek(0)
        if raw_connection is not None:
            with raw_connection.cursor() as cursor:
                cursor.copy_from(buffer, table, columns=columns, null=r"\N")
            return
        with connection.cursor() as cursor:
            cursor.cursor.copy_from(buffer, table, columns=columns, null=r"\N")
    else:
        placeholders = ", ".join(["%s"] * len(columns))
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", list(rows))
