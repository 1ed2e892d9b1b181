"""Registering a newly founded grassroots union: who may, the generated code, target 2."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

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


def test_two_registrations_of_one_code_at_the_same_moment(client, resolution, tree, users, monkeypatch):
    """Both officers' forms passed the code check before either saved (the race): one unit
    is registered, the other officer gets the form back with "mã đã được dùng"."""
    from branches.forms import OrganisationRegisterForm

    # Open the window between the check and the save that a real race has.
    monkeypatch.setattr(OrganisationRegisterForm, "clean_code", lambda form: form.cleaned_data.get("code"))
    monkeypatch.setattr(Organisation, "validate_unique", lambda unit, exclude=None: None)
    client.force_login(users["rach_gia"])
    data = {"name": "CĐCS Công ty Mới", "code": "RG-NEW", "sector": "non_state_enterprise", "workforce": "40"}
    data |= {"members": "30", "founded_on": "02/03/2020"}
    first = client.post(reverse("branches:register_under", args=[tree["rach_gia"].pk]), data)
    second = client.post(reverse("branches:register_under", args=[tree["rach_gia"].pk]), data | {"name": "Khác"})
    assert first.status_code == 302 and second.status_code == 200
    assert "Mã đã được dùng" in second.content.decode()
    assert list(Organisation.objects.filter(code="RG-NEW").values_list("name", flat=True)) == ["CĐCS Công ty Mới"]


def test_a_grassroots_union_cannot_have_units_under_it(client, resolution, tree, users, superuser):
    """Refused by the model (whoever saves), by the admin form and by registration."""
    school = tree["school"]
    unit = Organisation(code="X-1", name="X", kind="grassroots", sector="public_agency", parent=school)
    with pytest.raises(ValidationError):
        unit.full_clean()
    with pytest.raises(ValidationError):
        unit.save()
    client.force_login(superuser)
    response = client.post(
        reverse("admin:branches_organisation_add"),
        {"code": "X-2", "name": "X", "kind": "grassroots", "sector": "public_agency", "parent": school.pk},
    )
    assert response.status_code == 200 and "không thể có đơn vị trực thuộc" in response.content.decode()
    with pytest.raises(PermissionDenied):
        organisation_register(parent=school, user=users["rach_gia"], name="X", sector="public_agency")
    assert not Organisation.objects.filter(parent=school).exists()
