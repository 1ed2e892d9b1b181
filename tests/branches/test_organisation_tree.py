"""The organisation tree: subtree queries in one query, at any depth, after moves."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from branches.models import Organisation

pytestmark = pytest.mark.django_db


def test_units_under_an_upper_level(tree):
    codes = set(Organisation.objects.under(tree["rach_gia"]).values_list("code", flat=True))
    assert codes == {"RG", "RG-1", "RG-2", "RG-3"}
    assert set(Organisation.objects.under(tree["rach_gia"], include_self=False).values_list("code", flat=True)) == {
        "RG-1",
        "RG-2",
        "RG-3",
    }


def test_units_under_the_province_is_one_query(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        units = list(Organisation.objects.under(tree["province"]).grassroots())
    assert len(units) == 5


def test_any_depth(tree):
    branch = Organisation.objects.create(
        code="RG-X", name="Cụm công đoàn", kind=Organisation.Kind.UPPER_LEVEL, parent=tree["rach_gia"]
    )
    leaf = Organisation.objects.create(
        code="RG-X-1", name="CĐCS sâu", kind=Organisation.Kind.GRASSROOTS, sector="public_agency", parent=branch
    )
    assert leaf.depth == 4
    assert leaf in Organisation.objects.under(tree["province"])
    assert leaf in Organisation.objects.under(tree["rach_gia"])
    assert leaf not in Organisation.objects.under(tree["ha_tien"])
    assert list(leaf.ancestors()) == [tree["province"], tree["rach_gia"], branch]


def test_moving_a_unit_moves_its_subtree(tree):
    branch = Organisation.objects.create(
        code="RG-X", name="Cụm", kind=Organisation.Kind.UPPER_LEVEL, parent=tree["rach_gia"]
    )
    leaf = Organisation.objects.create(
        code="RG-X-1", name="CĐCS", kind=Organisation.Kind.GRASSROOTS, sector="public_agency", parent=branch
    )
    branch.parent = tree["ha_tien"]
    branch.save()
    assert set(Organisation.objects.under(tree["ha_tien"]).values_list("code", flat=True)) >= {"RG-X", "RG-X-1"}
    assert not Organisation.objects.under(tree["rach_gia"]).filter(code__in=["RG-X", "RG-X-1"]).exists()
    leaf.refresh_from_db()
    assert leaf.path.startswith(tree["ha_tien"].path)


def test_a_unit_cannot_move_under_itself(tree):
    rach_gia = tree["rach_gia"]
    rach_gia.parent = tree["school"]
    with pytest.raises(ValidationError):
        rach_gia.full_clean()


def test_active_on_follows_founding_and_dissolution(tree):
    firm = tree["firm"]
    firm.dissolved_on = datetime.date(2020, 6, 30)
    firm.save()
    active_may = Organisation.objects.grassroots().active_on(datetime.date(2020, 5, 31))
    active_july = Organisation.objects.grassroots().active_on(datetime.date(2020, 7, 31))
    assert firm in active_may
    assert firm not in active_july


def test_grassroots_union_needs_a_sector(tree):
    unit = Organisation(code="Z", name="Z", kind=Organisation.Kind.GRASSROOTS, parent=tree["rach_gia"])
    with pytest.raises(ValidationError) as error:
        unit.full_clean()
    assert "sector" in error.value.message_dict
