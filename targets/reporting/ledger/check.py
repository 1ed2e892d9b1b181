"""The nightly check of the running totals: every total is counted afresh (``rebuild``) and
compared with what the report writes had kept; any difference is repaired by the recount
itself and the admins get an e-mail listing the rows that differed. Run by the scheduled
job ``check_totals_task`` (``tasks``); its last run and result show in the admin
(scheduled jobs).

The comparison runs in the database (a copy of each table taken before the recount, then
``EXCEPT`` both ways), so that it costs no memory whatever the number of rows; rows whose
values are all zero count as absent on both sides (a recount does not write them).
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import mail_admins, send_mail
from django.db import connection, transaction
from django.utils.translation import gettext as _

from branches.models import User

from .models import REPORTING_FIELDS, TASK_STATUS_FIELDS, TOTAL_FIELDS, ProgressTotal, ReportingTotal, TaskStatusTotal
from .recount import rebuild

TABLES = [
    (ProgressTotal, ["organisation_id", "component_id", "month"], TOTAL_FIELDS),
    (TaskStatusTotal, ["organisation_id", "task_id", "month"], TASK_STATUS_FIELDS),
    (ReportingTotal, ["organisation_id", "resolution_id", "month"], REPORTING_FIELDS),
]
MAX_ROWS_MAILED = 200


@dataclass
class CheckOutcome:
    rows_checked: int = 0
    differences: list = field(default_factory=list)  # (table, key, kept values, fresh values)

    def __str__(self):
        if not self.differences:
            return _("%(rows)s totals checked: all equal to a fresh count.") % {"rows": self.rows_checked}
        return _("%(rows)s totals checked: %(count)s differed from a fresh count and were repaired.") % {
            "rows": self.rows_checked,
            "count": len(self.differences),
        }


def _snapshot_name(model):
    return f"check_{model._meta.db_table}"


def _differences(model, keys, values):
    """Rows of ``model`` whose values differ between the copy and the table, as
    (key, kept values or None, fresh values or None)."""
    table, snapshot = model._meta.db_table, _snapshot_name(model)
    columns = ", ".join(keys + values)
    nonzero = " OR ".join(f"{v} <> 0" for v in values)
    kept, fresh = {}, {}
    with connection.cursor() as cursor:
        for source, other, into in ((snapshot, table, kept), (table, snapshot, fresh)):
            cursor.execute(
                f"SELECT {columns} FROM {source} WHERE {nonzero} EXCEPT SELECT {columns} FROM {other} WHERE {nonzero}"
            )
            for row in cursor.fetchall():
                into[tuple(row[: len(keys)])] = tuple(row[len(keys) :])
    return [(key, kept.get(key), fresh.get(key)) for key in sorted(set(kept) | set(fresh))]


@transaction.atomic
def check_totals():
    """Count every running total afresh and compare; repaired and reported when they differ.
    Returns a ``CheckOutcome``."""
    outcome = CheckOutcome()
    with connection.cursor() as cursor:
        for model, _keys, _values in TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {_snapshot_name(model)}")
            cursor.execute(f"CREATE TEMPORARY TABLE {_snapshot_name(model)} AS SELECT * FROM {model._meta.db_table}")
    rebuild()  # the figures' and tasks' totals, then who reported
    for model, keys, values in TABLES:
        outcome.rows_checked += model.objects.count()
        for key, kept, fresh in _differences(model, keys, values):
            outcome.differences.append((model._meta.verbose_name, dict(zip(keys, key, strict=True)), kept, fresh))
    with connection.cursor() as cursor:
        for model, _keys, _values in TABLES:
            cursor.execute(f"DROP TABLE {_snapshot_name(model)}")
    if outcome.differences:
        _tell_admins(outcome)
    return outcome


def _tell_admins(outcome):
    lines = [str(outcome), ""]
    for table, key, kept, fresh in outcome.differences[:MAX_ROWS_MAILED]:
        keys = ", ".join(f"{k}={v}" for k, v in key.items())
        lines.append(
            _("%(table)s %(key)s: kept %(kept)s, counted %(fresh)s")
            % {
                "table": table,
                "key": keys,
                "kept": kept if kept is not None else "–",
                "fresh": fresh if fresh is not None else "–",
            }
        )
    if len(outcome.differences) > MAX_ROWS_MAILED:
        lines.append(_("… and %(more)s more rows.") % {"more": len(outcome.differences) - MAX_ROWS_MAILED})
    subject = _("[UnionPlan] Running totals repaired: %(count)s rows differed") % {"count": len(outcome.differences)}
    body = "\n".join(lines) + "\n"
    admins = list(
        User.objects.filter(is_superuser=True, is_active=True).exclude(email="").values_list("email", flat=True)
    )
    if admins:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, admins)
    if settings.ADMINS:
        mail_admins(subject, body)
