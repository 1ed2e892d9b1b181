"""Roll-ups of the dashboards on a small hand-built tree (see ``dashboard_data.scenario``),
expected figures worked out by hand."""

import datetime
from decimal import Decimal

import pytest

from targets.rollup.breakdown import branch_progress, children_with_report_status
from targets.rollup.contribution import unit_contribution
from targets.rollup.pace import Status
from targets.rollup.progress import cumulative_by_month, headline, scope_progress
from tests.dashboard_data import build_scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario(resolution, tree):
    return build_scenario(resolution, tree)


def rows_of(resolution, scope, month):
    return {row.component.pk: row for row in scope_progress(resolution, scope, month)}


def test_summed_quantity_approved_apart_from_submitted(resolution, tree, scenario, settings):
    """Target 1 sums approved quantities of the whole tree (10+5+7+3+2+4 = 31, the dissolved
    unit's 4 included); Hà Tiên school's submitted 20 is shown apart, not achieved. As of
    December once the year is closed, the target is not achieved (no longer "behind")."""
    settings.UNIONPLAN_TODAY = datetime.date(2021, 2, 1)
    row = rows_of(resolution, tree["province"], 12)[scenario["t1"].pk]
    assert (row.figure, row.achieved, row.pending) == (5821, 31, 20)
    assert row.percent == Decimal("0.5")
    assert row.status == Status.NOT_ACHIEVED


def test_as_of_month(resolution, tree, scenario):
    """As of February only reports of January and February count: 10 + 7 + 3 + 4 = 24 on
    target 1, nothing pending (the submitted report is March's); expected 5821 × 2/12 = 970."""
    row = rows_of(resolution, tree["province"], 2)[scenario["t1"].pk]
    assert (row.achieved, row.pending, row.expected) == (24, 0, 970)
    assert row.projected == 24 * 6


def test_distinct_units_done_once_and_only_eligible(resolution, tree, scenario):
    """Target 6 (public agencies): the school reported it done in January and March, it counts
    once; the firm's 'done' does not count (not a public agency); Hà Tiên school's is pending.
    Due in March: expected as of February = 1250 × 2/3 = 833."""
    row = rows_of(resolution, tree["province"], 12)[scenario["t6"].pk]
    assert (row.achieved, row.pending) == (1, 1)
    assert rows_of(resolution, tree["province"], 2)[scenario["t6"].pk].expected == 833
    assert row.expected == 1250 and row.projected == 1  # past the due month: no more expected


def test_state_and_non_state_split_of_targets_7_and_8(resolution, tree, scenario):
    """Target 7: the SOE counts for the SOE figure only; firm and ht_firm for the non-state one.
    Target 8 SOE is 'all of them': the tree has one state-owned enterprise, which did it (1/1)."""
    rows = rows_of(resolution, tree["province"], 12)
    assert rows[scenario["t7_soe"].pk].achieved == 1
    assert rows[scenario["t7_ns"].pk].achieved == 2
    t8 = rows[scenario["t8_soe"].pk]
    assert (t8.achieved, t8.figure, t8.status) == (1, 1, Status.ACHIEVED)
    assert rows[scenario["t8_ns"].pk].achieved == 1


def test_threshold_of_target_13(resolution, tree, scenario):
    """Target 13 counts enterprises whose meal reached 15.000 đồng: the firm (15.000 then 16.000,
    once); not ht_firm (14.999); the SOE's 20.000 is only submitted, so pending."""
    row = rows_of(resolution, tree["province"], 12)[scenario["t13"].pk]
    assert (row.achieved, row.pending) == (1, 1)


def test_units_founded_this_year(resolution, tree, scenario):
    """Target 2 counts grassroots unions founded in 2020 with 25+ workers in enterprises:
    HT-3 (April) only; as of March none."""
    assert rows_of(resolution, tree["province"], 12)[scenario["t2"].pk].achieved == 1
    assert rows_of(resolution, tree["province"], 3)[scenario["t2"].pk].achieved == 0
    assert rows_of(resolution, tree["rach_gia"], 12)[scenario["t2"].pk].achieved == 0


def test_upper_level_against_its_allocation(resolution, tree, scenario):
    """Rạch Giá answers for its allocation of 30 on target 1: 10+5+7+2+4 = 28 by December
    (93,3%); as of April 28 too, against 30 × 4/12 = 10 expected: on track, projected 84."""
    row = rows_of(resolution, tree["rach_gia"], 12)[scenario["t1"].pk]
    assert (row.figure, row.achieved, row.percent) == (30, 28, Decimal("93.3"))
    april = rows_of(resolution, tree["rach_gia"], 4)[scenario["t1"].pk]
    assert (april.achieved, april.expected, april.status, april.projected) == (28, 10, Status.ON_TRACK, 84)


def test_headline_of_an_upper_level(resolution, tree, scenario):
    """Hà Tiên as of February: target 1 achieved (3 of 3), target 7 behind (0 of 2, 1 expected
    by then), the 14 others have no figure for it."""
    result = headline(scope_progress(resolution, tree["ha_tien"], 2))
    assert (result.total, result.achieved, result.on_track, result.behind, result.no_figure) == (16, 1, 0, 1, 14)


def test_allocation_percent_and_rank_by_branch(resolution, tree, scenario):
    """Target 1 by upper level: Hà Tiên 3 of 3 (100,0%) ranks first, Rạch Giá 28 of 30 (93,3%)
    second; Hà Tiên's 20 submitted are pending."""
    units = children_with_report_status(resolution, tree["province"], 12)
    rows = {r.unit.code: r for r in branch_progress(resolution, scenario["t1"], tree["province"], 12, units)}
    assert (rows["RG"].figure, rows["RG"].achieved, rows["RG"].percent, rows["RG"].rank) == (30, 28, Decimal("93.3"), 2)
    assert (rows["HT"].figure, rows["HT"].achieved, rows["HT"].percent, rows["HT"].rank) == (3, 3, Decimal("100.0"), 1)
    assert rows["HT"].pending == 20


def test_grassroots_drill_down(resolution, tree, scenario):
    """Below Rạch Giá, target 1 per grassroots union: school 15, firm 7, dissolved unit 4, soe 0;
    ranked by achievement as none has an allocation."""
    units = children_with_report_status(resolution, tree["rach_gia"], 12)
    rows = {r.unit.code: r for r in branch_progress(resolution, scenario["t1"], tree["rach_gia"], 12, units)}
    assert {code: r.achieved for code, r in rows.items()} == {"RG-1": 15, "RG-2": 0, "RG-3": 7, "RG-9": 4}
    assert rows["RG-1"].rank == 1 and rows["RG-3"].rank == 2 and rows["RG-9"].rank == 3


def test_cumulative_by_month(resolution, tree, scenario):
    """The chart's series for target 1: Jan 10, Feb 24, Mar 29, Apr 31; target 6 stays at 1."""
    assert cumulative_by_month(resolution, scenario["t1"], tree["province"], 4) == [10, 24, 29, 31]
    assert cumulative_by_month(resolution, scenario["t6"], tree["province"], 4) == [1, 1, 1, 1]
    assert cumulative_by_month(resolution, scenario["t2"], tree["province"], 5) == [0, 0, 0, 1, 1]


def test_own_contribution_of_a_grassroots_union(resolution, tree, scenario):
    """The school's target 1, month by month: 10 in January, 5 in March; 15 year to date,
    first among the units of Rạch Giá (15 > 7 > 4)."""
    rows = {c.component.pk: c for c in unit_contribution(resolution, tree["school"], 4)}
    t1 = rows[scenario["t1"].pk]
    assert t1.by_month == [10, None, 5, None]
    assert (t1.year_to_date, t1.rank) == (15, 1)
    assert scenario["t7_soe"].pk not in rows  # not a state-owned enterprise


def test_a_scope_counts_its_eligible_units_as_its_branches_and_itself_do(resolution, tree, scenario):
    """The target page counts the eligible units once, per branch, and takes the scope's
    count from them: the same figure as counting the whole subtree, for every component
    whose figures use it,
    at the province and at an upper level (whose own eligibility counts), with a unit
    dissolved and one founded late in the year."""
    from branches.models import Organisation
    from targets.rollup.breakdown import eligible_by_branch, scope_eligible
    from targets.rollup.progress import eligible_counts

    firm = Organisation.objects.get(pk=tree["firm"].pk)
    firm.dissolved_on = datetime.date(2020, 6, 30)
    firm.save()
    Organisation.objects.create(
        code="LATE",
        name="Late",
        kind="grassroots",
        sector="public_agency",
        parent=tree["rach_gia"],
        workforce=60,
        founded_on=datetime.date(2020, 10, 1),
    )
    components = list(resolution.components())
    for scope in (tree["province"], tree["rach_gia"]):
        for month in (3, 12):
            whole = eligible_counts(resolution, scope, components, month)
            for c in components:
                by_branch = eligible_by_branch(resolution, c, scope, month)
                counted = scope_eligible(resolution, c, scope, month, by_branch)
                # A quantity with a figure of its own does not use them: not counted.
                assert counted == (whole[c.pk] if c.needs_eligible_units else 0), (scope.code, month, c)
    assert any(c.needs_eligible_units for c in components) and not all(c.needs_eligible_units for c in components)
