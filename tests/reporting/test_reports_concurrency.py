"""Two officers saving the same report at the same moment (real threads, PostgreSQL)."""

import threading

import pytest
from django.db import connection

from targets.models import ReportFigure, TargetComponent
from targets.reporting.services import ReportConflict, report_get_or_create, report_save

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers; see the stale-page tests"),
]


def test_simultaneous_saves_one_wins_the_other_is_refused(resolution, tree, users, make_user):
    """Both start from version 1: exactly one save goes through, the other gets ReportConflict,
    and the stored figure is the winner's."""
    colleague = make_user("school2", tree["school"], "grassroots_officer")
    recruits = TargetComponent.objects.get(target__resolution=resolution, target__number=1)
    report = report_get_or_create(unit=tree["school"], resolution=resolution, month=3)
    barrier = threading.Barrier(2)
    outcome = {}

    def save(user, quantity):
        barrier.wait()
        try:
            report_save(
                report=type(report).objects.get(pk=report.pk),
                user=user,
                figures={recruits.pk: {"quantity": quantity}},
                tasks={},
                expected_version=1,
            )
            outcome[quantity] = "saved"
        except ReportConflict:
            outcome[quantity] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(u, q)) for u, q in ((users["school"], 5), (colleague, 9))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcome.values()) == ["refused", "saved"]
    winner = next(q for q, result in outcome.items() if result == "saved")
    assert ReportFigure.objects.get(report=report, component=recruits).quantity == winner
    report.refresh_from_db()
    assert report.version == 2
