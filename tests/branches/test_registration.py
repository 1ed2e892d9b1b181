"""Registering a newly founded grassroots union: who may, the generated code, target 2."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from branches.models import Organisation
from branches.services import organisation_register
from targets.models import TargetComponent

pytestmark = pytest.mark.django_db


def component(resolution, number):
    return TargetComponent.objects.get(target__resolution=resolution, target__number=number)


def test_register_unit_under_own_subtree_counts_for_target_2(resolution, tree, users):
    """An upper level registers a new enterprise union (code generated); target 2 counts
    enterprises founded in 2020 with 25+ workers only."""
    founded = component(resolution, 2)
    unit = organisation_register(
        parent=tree["rach_gia"],
        user=users["rach_gia"],
        name="CĐCS Công ty Mới",
        sector=Organisation.Sector.NON_STATE_ENTERPRISE,
        workforce=40,
        members=30,
        founded_on=datetime.date(2020, 3, 2),
    )
    assert unit.code == "RG-004" and unit.parent == tree["rach_gia"] and unit.kind == "grassroots"
    organisation_register(
        parent=tree["rach_gia"],
        user=users["rach_gia"],
        name="CĐCS nhỏ",
        sector=Organisation.Sector.NON_STATE_ENTERPRISE,
        workforce=10,
        founded_on=datetime.date(2020, 3, 2),
    )
    assert founded.founded_units(tree["rach_gia"]).count() == 1
    assert founded.founded_units(tree["province"]).count() == 1
    assert founded.founded_units(tree["ha_tien"]).count() == 0
    for user in (users["ha_tien"], users["school"]):
        with pytest.raises(PermissionDenied):
            organisation_register(parent=tree["rach_gia"], user=user, name="X", sector="public_agency", founded_on=None)
    assert Organisation.objects.filter(parent=tree["rach_gia"]).count() == 5
