"""Counts of units kept while the tree has not changed.

A federation's top pages count the units eligible for a target under each branch: on the
national tree a scan of 130,000 units (35 to 55 ms) for a figure that changes only when the
tree does. On PostgreSQL a trigger gives the tree a new stamp with every statement that
writes an organisation or a former placement (migration ``branches 0009``: a sequence's next
number, never given twice, not even by a transaction rolled back, such as a change's
preview). ``remembered`` keeps a count under the stamp read just before it, in Django's
cache, so that it is read again only while the tree is exactly the one it was counted on.
On SQLite (the embedded default, one province) counts are made each time.
"""

import hashlib

from django.core.cache import cache
from django.db import connections, router

from .models import Organisation

KEEP_SECONDS = 3600


def tree_stamp():
    """The tree's stamp in the database the pages read units from (None: no stamp there)."""
    connection = connections[router.db_for_read(Organisation)]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT stamp FROM branches_tree_stamp WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else None


def remembered(key, count):
    """``count()``, kept under ``key`` and the tree's stamp. ``key`` names everything else the
    count depends on (the scope's id and path, the day, the view); its value must pickle."""
    stamp = tree_stamp()
    if stamp is None:
        return count()
    name = f"census:{stamp}:{key}"
    value = cache.get(name)
    if value is None:
        value = count()
        cache.set(name, value, KEEP_SECONDS)
    return value


def rows(queryset):
    """The rows of ``queryset`` (a query over the tree's tables only: organisations and former
    placements), kept under its SQL and parameters and the tree's stamp: the query itself
    names everything the rows depend on (scope, day, thresholds), so no key can be forgotten."""
    sql, params = queryset.query.sql_with_params()
    key = hashlib.sha1(repr((queryset.db, sql, params)).encode()).hexdigest()
    return remembered(f"rows:{key}", lambda: list(queryset))
