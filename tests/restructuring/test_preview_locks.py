"""A change's preview applies the change and rolls it back; on PostgreSQL it does so on the
session's private copies of the tree and the running totals (``unionplan.private_tables``),
so that an officer's report saved meanwhile (which locks its unit's row and writes the
totals of every union above) never waits for it."""

import datetime
import threading
from unittest import mock

import pytest
from django.db import connection, connections, transaction

from branches import changes
from branches.models import Organisation, Placement
from targets.models import ReportFigure
from targets.reporting import ledger
from targets.restructuring.preview import preview_change
from tests.branches.test_bulk_moves import MOVED, build, plan
from tests.branches.test_tree_changes_property import ledger_rows

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")


def officer_files(unit, resolution):
    """A correction of one approved figure of ``unit``, with its totals, as a report's save
    does it; refused (lock timeout) if anything holds what it needs for over a second."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '1s'")
        with ledger.tracking(unit, resolution.pk):
            figure = ReportFigure.objects.filter(report__organisation=unit, approved_quantity__isnull=False).first()
            figure.approved_quantity += 1
            figure.save(update_fields=["approved_quantity"])


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_an_officer_files_while_a_change_is_previewed(resolution, settings):
    settings.UNIONPLAN_TODAY = datetime.date(2020, 9, 1)
    province, uppers, units = build(resolution)
    change = plan(province, MOVED, province.code)
    applied, go = threading.Event(), threading.Event()
    real = changes.change_apply
    result = {}

    def apply_then_wait(*args, **kwargs):
        outcome = real(*args, **kwargs)
        applied.set()
        go.wait(30)
        return outcome

    def run_preview():
        try:
            result["preview"] = preview_change(change)
        finally:
            connections.close_all()

    with mock.patch.object(changes, "change_apply", apply_then_wait):
        previewing = threading.Thread(target=run_preview)
        previewing.start()
        assert applied.wait(30)
        try:
            # The preview has moved the units and carried their totals, and waits: a moved
            # unit and one that stays file meanwhile, each within a second.
            officer_files(units["U0"], resolution)
            officer_files(units["U8"], resolution)
            filed = ledger_rows()
        finally:
            go.set()
            previewing.join(30)
    preview = result["preview"]
    assert not preview.errors
    assert any(holder.rows(preview.components) for holder in preview.holders)  # it showed what moves
    # Nothing of the preview stayed; what the officers filed did, with its totals.
    assert Organisation.objects.get(code="U0").parent_id == uppers["A"].pk
    assert not Placement.objects.exists()
    assert ledger_rows() == filed
