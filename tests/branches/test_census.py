"""Counts of units kept under the tree's stamp (branches/census.py): read again only while
the tree is exactly the one they were counted on, never after any write to it, and never
from a state that was rolled back (a change's preview)."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from branches import census
from branches.models import Organisation, Placement
from targets.rollup.breakdown import eligible_by_branch
from targets.rollup.progress import eligible_counts

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the stamp is PostgreSQL's")


def grassroots_under(unit):
    return census.remembered(
        f"test:{unit.pk}:{unit.path}", lambda: Organisation.objects.under(unit).grassroots().count()
    )


@postgresql_only
def test_every_kind_of_tree_write_gives_a_new_stamp(tree):
    seen = [census.tree_stamp()]
    school = tree["school"]
    school.name = "Trường mới"
    school.save()
    seen.append(census.tree_stamp())
    Organisation.objects.filter(pk=school.pk).update(workforce=12)  # a bulk write, no signal
    seen.append(census.tree_stamp())
    Placement.objects.create(unit=school, path=school.path, parent=tree["rach_gia"], until=datetime.date(2020, 7, 1))
    seen.append(census.tree_stamp())
    Organisation.objects.filter(pk=tree["ht_firm"].pk).delete()
    seen.append(census.tree_stamp())
    assert None not in seen and len(set(seen)) == len(seen)


@postgresql_only
def test_a_stamp_of_a_rolled_back_state_is_never_given_again(tree):
    before = census.tree_stamp()
    with pytest.raises(RuntimeError), transaction.atomic():
        Organisation.objects.filter(pk=tree["school"].pk).update(dissolved_on=datetime.date(2020, 6, 30))
        in_preview = census.tree_stamp()
        raise RuntimeError("the preview is rolled back")
    assert census.tree_stamp() == before
    Organisation.objects.filter(pk=tree["soe"].pk).update(workforce=301)
    assert census.tree_stamp() not in (before, in_preview)


def test_a_kept_count_follows_every_change_of_the_tree(tree):
    province = tree["province"]
    assert grassroots_under(province) == 5
    assert grassroots_under(province) == 5
    Organisation.objects.create(
        code="RG-9", name="Đơn vị RG-9", kind=Organisation.Kind.GRASSROOTS, parent=tree["rach_gia"], workforce=10
    )
    assert grassroots_under(province) == 6 == Organisation.objects.under(province).grassroots().count()
    Organisation.objects.filter(code="RG-9").update(kind=Organisation.Kind.UPPER_LEVEL)  # no signal sent
    assert grassroots_under(province) == 5 == Organisation.objects.under(province).grassroots().count()


def test_a_count_made_in_a_rolled_back_preview_is_not_read_afterwards(tree):
    province = tree["province"]
    assert grassroots_under(province) == 5
    with pytest.raises(RuntimeError), transaction.atomic():
        Organisation.objects.filter(parent=tree["ha_tien"]).delete()
        assert grassroots_under(province) == 3
        raise RuntimeError("rolled back")
    assert grassroots_under(province) == 5
    Organisation.objects.filter(pk=tree["school"].pk).update(name="Trường đổi tên")
    assert grassroots_under(province) == 5


@postgresql_only
def test_a_kept_count_is_read_without_counting_again(tree, django_assert_num_queries):
    province = tree["province"]
    grassroots_under(province)
    with django_assert_num_queries(1):  # the stamp only
        assert grassroots_under(province) == 5


def eligible_everywhere(resolution, tree, month=6):
    components = list(resolution.components())
    return eligible_counts(resolution, tree["province"], components, month), {
        c.pk: eligible_by_branch(resolution, c, tree["province"], month) for c in components
    }


def test_the_eligible_units_a_dashboard_shows_are_never_stale(resolution, tree):
    before = eligible_everywhere(resolution, tree)
    Organisation.objects.filter(pk=tree["school"].pk).update(dissolved_on=datetime.date(2020, 5, 31))  # no signal
    after = eligible_everywhere(resolution, tree)
    cache.clear()
    assert after == eligible_everywhere(resolution, tree)  # what a fresh count gives
    assert sum(after[0].values()) < sum(before[0].values())


def counts_made(call):
    """The grouped counts of units ``call`` sent to the database."""
    with CaptureQueriesContext(connection) as captured:
        call()
    return [q["sql"] for q in captured.captured_queries if "GROUP BY" in q["sql"]]


@postgresql_only
def test_the_eligible_units_are_counted_once_while_the_tree_stays(resolution, tree):
    components = list(resolution.components())
    first = eligible_counts(resolution, tree["province"], components, 6)
    assert counts_made(lambda: eligible_counts(resolution, tree["province"], components, 6)) == []
    assert eligible_counts(resolution, tree["province"], components, 6) == first
    # Another month is another count.
    assert len(counts_made(lambda: eligible_counts(resolution, tree["province"], components, 7))) == 1
