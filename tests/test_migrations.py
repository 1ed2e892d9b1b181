"""An existing database moves to the current layout and schema without losing a row.

The refactor that split ``targets/`` into steps kept the app label and every table; later
migrations must keep every row too. The test files a year's reports with approvals,
returns and history through the services, takes the database back to the schema it had
before the split (``targets 0003``), records every row and the dashboard's figures, then
migrates forward to today and compares."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from targets.models import Resolution
from targets.reporting.services import report_approve, report_get_or_create, report_reopen, report_save
from targets.rollup.progress import scope_progress

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_THE_SPLIT = [("branches", "0001_initial"), ("targets", "0003_task_status_totals")]


def test_the_models_match_the_migrations():
    """No model change is left without its migration."""
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def rows_of_every_table():
    """Every row of every table of the two apps, as tuples, keyed by table and column names."""
    tables = [t for t in connection.introspection.table_names() if t.startswith(("targets_", "branches_"))]
    snapshot = {}
    with connection.cursor() as cursor:
        for table in sorted(tables):
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")
            snapshot[table] = (columns, sorted(cursor.fetchall(), key=repr))
    return snapshot


def common_columns(before, after):
    """Rows restricted to the columns both snapshots have (a migration may add columns)."""
    result = {}
    for table, (columns, rows) in before.items():
        assert table in after, f"table {table} disappeared"
        new_columns, new_rows = after[table]
        keep = [c for c in columns if c in new_columns]
        old_index = [columns.index(c) for c in keep]
        new_index = [new_columns.index(c) for c in keep]
        result[table] = (
            sorted((tuple(r[i] for i in old_index) for r in rows), key=repr),
            sorted((tuple(r[i] for i in new_index) for r in new_rows), key=repr),
        )
    return result


def dashboard_figures():
    resolution = Resolution.objects.get(year=2020)
    return [
        (r.component.pk, r.figure, r.achieved, r.pending)
        for r in scope_progress(resolution, resolution.organisation, 12)
    ]


def migrate_to(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def test_a_database_from_before_the_split_migrates_without_losing_a_row(resolution, tree, users):
    recruits = resolution.components().get(target__number=1)
    for month, unit, filer, quantity in [
        (1, "school", "school", 12),
        (2, "school", "school", 7),
        (1, "firm", "firm", 30),
        (2, "ht_firm", "ht_firm", 5),
    ]:
        report = report_get_or_create(unit=tree[unit], resolution=resolution, month=month)
        report_save(
            report=report,
            user=users[filer],
            figures={recruits.pk: {"quantity": quantity}},
            tasks={},
            note="Báo cáo tháng",
            expected_version=report.version,
            submit=True,
        )
        reviewer = users["ha_tien"] if unit.startswith("ht") else users["rach_gia"]
        if quantity != 7:
            report_approve(report=report, user=reviewer, expected_version=report.version)
    report = report_get_or_create(unit=tree["firm"], resolution=resolution, month=1)
    report_reopen(report=report, user=users["rach_gia"], reason="Sửa số liệu", expected_version=report.version)

    figures_today = dashboard_figures()
    assert [f for f in figures_today if f[0] == recruits.pk] == [(recruits.pk, 5821, 47, 7)]

    migrate_to(BEFORE_THE_SPLIT)
    try:
        before = rows_of_every_table()
        assert len(before["targets_reportfigure"][1]) > 0 and len(before["targets_historicalmonthlyreport"][1]) > 0
    finally:
        migrate_to(MigrationExecutor(connection).loader.graph.leaf_nodes())
    after = rows_of_every_table()

    for table, (old, new) in common_columns(before, after).items():
        assert old == new, f"rows of {table} changed"
    assert dashboard_figures() == figures_today
