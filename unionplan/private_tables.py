"""Private copies of tables, for work that is done to be rolled back (a change's preview).

A preview applies a change and rolls it back. On PostgreSQL its writes would lock the rows
they touch until then: a unit's row, which an officer's report locks while it is saved, and
the running totals of every union above, which every report of the federation writes. At
the national size a preview of 10,000 moves runs for about 20 s, and officers' reports
waited that long. Inside ``private_copies(models)`` the tables of ``models`` are replaced,
for this session only, by temporary tables of the same name holding the same rows
(PostgreSQL looks up a name in the session's temporary schema first), dropped when the
transaction ends: what the work writes there locks nothing anyone else reads or writes.
The tree's stamp (``branches.census``) reads as none, so nothing counted on the private
tree is kept. Elsewhere (SQLite, the embedded default: one writer at a time anyway) it does
nothing.
"""

from contextlib import contextmanager

from django.db import transaction


def _copy(cursor, quote, schema, table):
    name = quote(table)
    cursor.execute(f"CREATE TEMP TABLE {name} (LIKE {quote(schema)}.{name} INCLUDING ALL) ON COMMIT DROP")
    cursor.execute(f"INSERT INTO pg_temp.{name} OVERRIDING SYSTEM VALUE SELECT * FROM {quote(schema)}.{name}")
    # New rows take ids after the copied ones (an identity column starts again at 1).
    cursor.execute(
        "SELECT a.attname FROM pg_attribute a WHERE a.attrelid = %s::regclass AND a.attidentity <> ''",
        [f"pg_temp.{name}"],
    )
    for (column,) in cursor.fetchall():
        cursor.execute(f"SELECT COALESCE(MAX({quote(column)}), 0) + 1 FROM pg_temp.{name}")
        (start,) = cursor.fetchone()
        cursor.execute(f"ALTER TABLE pg_temp.{name} ALTER COLUMN {quote(column)} RESTART WITH {int(start)}")
    cursor.execute(f"ANALYZE pg_temp.{name}")


@contextmanager
def private_copies(models, stamp_table="branches_tree_stamp"):
    """Inside the caller's transaction (which must roll back or commit soon after), the
    tables of ``models`` are this session's own copies; see the module's text."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("private_copies() must run inside transaction.atomic()")
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        (schema,) = cursor.fetchone()
        for model in models:
            _copy(cursor, quote, schema, model._meta.db_table)
        cursor.execute(
            f"CREATE TEMP TABLE {quote(stamp_table)} ON COMMIT DROP AS SELECT 1 AS id, NULL::bigint AS stamp"
        )
    yield
