"""Allocation (giao chỉ tiêu): shares of a figure among children, checked against the parent."""

import pytest
from django.db import IntegrityError

from targets.models import Allocation

pytestmark = pytest.mark.django_db


def test_shares_that_add_up(resolution, tree):
    component = resolution.targets.get(number=1).components.get()  # 5.821 members
    Allocation.objects.create(component=component, organisation=tree["rach_gia"], figure=3821)
    Allocation.objects.create(component=component, organisation=tree["ha_tien"], figure=2000)
    Allocation.objects.create(component=component, organisation=tree["school"], figure=1000)
    Allocation.objects.create(component=component, organisation=tree["soe"], figure=800)
    Allocation.objects.create(component=component, organisation=tree["firm"], figure=2000)
    rows = {row["parent"].code: row for row in component.allocation_balance()}
    assert rows["KG"]["figure"] == 5821 and rows["KG"]["allocated"] == 5821 and rows["KG"]["difference"] == 0
    assert rows["RG"]["figure"] == 3821 and rows["RG"]["allocated"] == 3800 and rows["RG"]["difference"] == -21
    assert Allocation.total_for_children(component, tree["rach_gia"]) == 3800
    assert component.figure_for(tree["province"]) == 5821
    assert component.figure_for(tree["rach_gia"]) == 3821
    assert component.figure_for(tree["ht_firm"]) is None


def test_one_allocation_per_unit_and_component(resolution, tree):
    component = resolution.targets.get(number=1).components.get()
    Allocation.objects.create(component=component, organisation=tree["rach_gia"], figure=10)
    with pytest.raises(IntegrityError):
        Allocation.objects.create(component=component, organisation=tree["rach_gia"], figure=20)
