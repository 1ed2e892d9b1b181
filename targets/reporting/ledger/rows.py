"""What the ledgers share: the organisations that hold a unit's totals, the difference of
a contribution before and after a change, and adding it to the totals rows in one fixed
order (``figures`` for figures and tasks, ``reporting`` for who reported)."""

from collections import defaultdict

from django.db import connection

from branches.models import Organisation, path_ids

from .models import (
    REPORTING_FIELDS,
    TASK_STATUS_FIELDS,
    TOTAL_FIELDS,
    ProgressTotal,
    ReportingTotal,
    TaskStatusTotal,
)

# Each totals table: the column that, with the organisation and the month, names a row,
# and the columns it adds up.
KEYS = {
    ProgressTotal: ("component_id", TOTAL_FIELDS),
    TaskStatusTotal: ("task_id", TASK_STATUS_FIELDS),
    ReportingTotal: ("resolution_id", REPORTING_FIELDS),
}


def difference(after, before):
    """``after`` − ``before``, two contributions ({key: [values]}), without the zero rows."""
    keys = set(after) | set(before)
    width = len(next(iter((after or before).values()), []))
    zero = [0] * width
    diff = {}
    for key in keys:
        values = [a - b for a, b in zip(after.get(key, zero), before.get(key, zero), strict=True)]
        if any(values):
            diff[key] = values
    return diff


def holders(path, unit=None):
    """Ids of the organisations on ``path`` that keep totals (not grassroots unions)."""
    ids = path_ids(path)
    if unit is not None and unit.kind == Organisation.Kind.GRASSROOTS:
        ids = ids[:-1]
    return ids


def per_holder(units, contributions):
    """{holder: {key: values}}: each unit's contribution ({unit id: {key: values}}; ``units``
    {id: unit}) summed over the organisations that hold its totals."""
    deltas = defaultdict(dict)
    for unit_id, contribution in contributions.items():
        unit = units[unit_id]
        for holder in holders(unit.path, unit):
            totals = deltas[holder]
            for key, values in contribution.items():
                totals[key] = [a + b for a, b in zip(totals.get(key, [0] * len(values)), values, strict=True)]
    return deltas


def add(organisation_ids, delta, sign=1, model=ProgressTotal):
    """Add ``delta`` ({(component, task or resolution, month): values}) to the ``model`` rows
    of each organisation."""
    if not delta or not organisation_ids:
        return
    add_per_holder({org: delta for org in organisation_ids}, sign=sign, model=model)


def add_per_holder(deltas, sign=1, model=ProgressTotal):
    """Add each organisation's own delta ({organisation: {(item, month): values}}) to its
    ``model`` rows: one statement per row, in one fixed order."""
    if not deltas:
        return
    table = model._meta.db_table
    key, fields = KEYS[model]
    columns = ", ".join(fields)
    updates = ", ".join(f"{f} = {table}.{f} + excluded.{f}" for f in fields)
    sql = (
        f"INSERT INTO {table} (organisation_id, {key}, month, {columns}) "
        f"VALUES (%s, %s, %s, {', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT (organisation_id, {key}, month) DO UPDATE SET {updates}"
    )
    # A fixed order of rows keeps concurrent writers from deadlocking on one another.
    params = [
        (org, item, month, *[sign * v for v in values])
        for org in sorted(deltas)
        for (item, month), values in sorted(deltas[org].items())
        if any(values)
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
