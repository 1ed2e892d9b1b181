"""Bulk loading for the data generators: rows straight into a table (COPY on PostgreSQL,
bulk INSERT elsewhere), then the id sequences moved past them."""

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
