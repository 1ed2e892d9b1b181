"""The draft counts the children's eligible units of all its components behind in one query:
the same counts as the target page's, component by component."""

import datetime

import pytest
from django.db import connection

from targets.rollup.breakdown import eligible_by_branch, eligible_by_branch_of
from tests.dashboard_data import build_scenario

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("month", [2, 6, 12])
def test_eligible_units_by_branch_of_every_component_at_once(
    resolution, tree, month, django_assert_num_queries, settings
):
    # A year in progress: its units are today's (a closed year's, those of its year end, take
    # one more query: ``Organisation.objects.under_on``).
    settings.UNIONPLAN_TODAY = datetime.date(2020, 12, 3)
    build_scenario(resolution, tree)
    components = list(resolution.components())
    # One count (on PostgreSQL the tree's stamp is read first: ``branches.census``).
    with django_assert_num_queries(2 if connection.vendor == "postgresql" else 1):
        together = eligible_by_branch_of(resolution, components, tree["province"], month)
    for c in components:
        assert together[c.pk] == eligible_by_branch(resolution, c, tree["province"], month), c
    assert any(together.values())
