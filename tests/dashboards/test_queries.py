"""Each dashboard page runs a number of SQL queries that does not grow with the number of
units or reports: measured at two sizes, the counts are the same.

Pace adds a fixed few (issue 14): a target page reads which children the filter keeps (one
query: the units furthest behind are ranked among all of them); a page showing progress
reads last year's rhythm when a target continues one (one query); a page as of a month not
yet due counts the units that have reported it (one query)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branches.models import Organisation
from targets.models import TaskProgress
from tests.dashboard_data import component, file_report

pytestmark = pytest.mark.django_db


def grow(resolution, tree, start, count):
    """Add ``count`` grassroots unions under each upper level, each with three months of reports."""
    t1, t6, t7, t13 = (
        component(resolution, 1),
        component(resolution, 6),
        component(resolution, 7, 2),
        component(resolution, 13),
    )
    task = resolution.tasks.get(number=2)
    for upper in (tree["rach_gia"], tree["ha_tien"]):
        for i in range(start, start + count):
            public = i % 2 == 0
            unit = Organisation.objects.create(
                code=f"{upper.code}-x{i}",
                name=f"CĐCS {upper.code} {i}",
                kind="grassroots",
                sector="public_agency" if public else "non_state_enterprise",
                parent=upper,
                workforce=40,
                contact_person="Nguyễn Văn An",
            )
            for month in (1, 2, 3):
                figures = {t1: {"quantity": i + month}}
                figures[t6 if public else t7] = {"done": month == 2}
                if not public:
                    figures[t13] = {"value": Decimal(14000 + 500 * month)}
                report = file_report(resolution, unit, month, figures, status="approved" if month < 3 else "submitted")
                TaskProgress.objects.create(report=report, task=task, status="in_progress", narrative=f"Tháng {month}")


def query_counts(client, resolution, tree):
    t1 = component(resolution, 1)
    urls = {
        "province": reverse("dashboard-unit", args=[tree["province"].pk]) + "?month=3",
        "upper level": reverse("dashboard-unit", args=[tree["rach_gia"].pk]) + "?month=3",
        "grassroots": reverse("dashboard-unit", args=[tree["school"].pk]) + "?month=3",
        "print": reverse("dashboard-print", args=[tree["province"].pk]) + "?month=3",
        "target": reverse("dashboard-component", args=[tree["province"].pk, t1.pk]) + "?month=3",
        "drill-down": reverse("dashboard-component", args=[tree["rach_gia"].pk, t1.pk]) + "?month=3",
        "completeness": reverse("dashboard-completeness") + "?month=3",
        "tasks": reverse("dashboard-tasks") + "?month=3",
        "export": reverse("dashboard-component", args=[tree["rach_gia"].pk, t1.pk]) + "?month=3&_export=xlsx",
        "export units": reverse("dashboard-completeness") + "?month=3&_export=xlsx&table=units",
    }
    counts = {}
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200, name
        counts[name] = len(captured)
    return counts


@pytest.mark.parametrize(
    ("today", "most"),
    [
        (datetime.date(2020, 12, 3), 25),
        # A closed year lists its units as they were at its year end (``Organisation.under_on``:
        # one more query where the tree may have changed since, and the children then).
        (None, 28),
    ],
)
def test_query_counts_do_not_grow(client, resolution, tree, users, settings, today, most):
    """With 2 and then 30 more grassroots unions per upper level (and their reports), every
    page runs the same number of queries, all under 25 in a year in progress."""
    settings.UNIONPLAN_TODAY = today
    client.force_login(users["province"])
    grow(resolution, tree, 0, 2)
    small = query_counts(client, resolution, tree)
    grow(resolution, tree, 2, 28)
    large = query_counts(client, resolution, tree)
    assert small == large
    assert max(large.values()) <= most, large
