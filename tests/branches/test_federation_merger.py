"""A federation merged into another (issue 21, item 6): the successor's staff answer for both
federations' resolutions of that year. Their review inbox spans the merged federation's
reports (counted by month and listed under the merged federation), they approve them from it,
they close its year; the year after, there is one resolution: the merged federation's is not
copied on."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from branches import access, changes
from branches.changes import Step
from branches.models import Organisation, TreeChange, User
from targets.models import MonthlyReport
from targets.reporting import inbox
from targets.reporting.year import resolution_lock
from targets.resolution.copying import copy_resolution
from targets.resolution.loading import load_resolution
from tests.branches.test_tree_changes import file_members, plan
from tests.conftest import RESOLUTION_FILE

pytestmark = pytest.mark.django_db


@pytest.fixture
def an_giang(resolution, make_user):
    data = json.loads(RESOLUTION_FILE.read_text(encoding="utf-8"))
    data["organisation"] = {"code": "AG", "name": "LĐLĐ tỉnh An Giang", "kind": "province"}
    successor, _created = load_resolution(data)
    staff = make_user("angiang", successor.organisation, User.Role.PROVINCIAL_STAFF)
    return successor, staff


@pytest.fixture
def merged(resolution, tree, users, an_giang, settings):
    """Kiên Giang merged into An Giang on 1 July 2020 (Kiên Giang's staff follow); a union of
    Kiên Giang waits for review with its June report."""
    settings.UNIONPLAN_TODAY = datetime.date(2020, 7, 10)
    report = file_members(resolution, users["firm"], tree["firm"], 6, 4)
    federation = tree["province"]
    merger = plan(federation, Step("merge", units=[federation.code], to="AG"), number="4173/TLĐ-ToC")
    changes.change_apply(merger)
    return report


def test_the_successor_s_inbox_spans_the_merged_federation(client, resolution, tree, users, an_giang, merged):
    successor, staff = an_giang
    root = successor.organisation
    assert list(MonthlyReport.objects.awaiting_review_by(root)) == [merged]
    assert inbox.counts_by_month(root) == [{"resolution__year": 2020, "month": 6, "n": 1}]
    assert inbox.counts_by_branch(root) == [{"id": tree["province"].pk, "name": tree["province"].name, "n": 1}]
    client.force_login(staff)
    page = client.get(reverse("inbox"))
    text = page.content.decode()
    assert "Đơn vị RG-3" in text and tree["province"].name in text
    # Filtered by the merged federation, as by an upper level.
    page = client.get(reverse("inbox"), {"upper_level": tree["province"].pk})
    assert "Đơn vị RG-3" in page.content.decode()
    response = client.post(reverse("inbox"), {"report": f"{merged.pk}:{merged.version}"}, follow=True)
    assert "Đã duyệt 1 báo cáo" in response.content.decode(), response.content.decode()[-6000:]
    assert MonthlyReport.objects.get(pk=merged.pk).status == MonthlyReport.Status.APPROVED


def test_before_the_merger_the_successor_s_inbox_holds_only_its_own(resolution, tree, users, an_giang, settings):
    settings.UNIONPLAN_TODAY = datetime.date(2020, 7, 10)
    successor, _staff = an_giang
    file_members(resolution, users["firm"], tree["firm"], 6, 4)
    federation = tree["province"]
    changes.change_confirm(
        plan(federation, Step("merge", units=[federation.code], to="AG"), day=datetime.date(2020, 8, 1))
    )
    assert not MonthlyReport.objects.awaiting_review_by(successor.organisation).exists()
    assert inbox.counts_by_month(successor.organisation) == []
    assert inbox.counts_by_branch(successor.organisation) == []


def test_the_successor_s_staff_close_the_merged_federation_s_year(resolution, tree, users, an_giang, merged, settings):
    _successor, staff = an_giang
    settings.UNIONPLAN_TODAY = datetime.date(2021, 2, 1)
    assert access.can_close_year(staff, tree["province"])
    assert not access.can_close_year(users["rach_gia"], tree["province"])
    resolution_lock(resolution=resolution, user=staff)
    resolution.refresh_from_db()
    assert resolution.is_locked


def test_the_year_after_there_is_one_resolution(resolution, tree, an_giang, merged):
    successor, _staff = an_giang
    with pytest.raises(ValidationError) as refused:
        copy_resolution(resolution, 2021)
    assert "từ năm 2021 chỉ còn một nghị quyết, của LĐLĐ tỉnh An Giang" in refused.value.messages[0]
    following = copy_resolution(successor, 2021)
    assert following.organisation.code == "AG"
    # The merger's own year is still the merged federation's.
    assert Organisation.objects.get(code=tree["province"].code).merged_into == successor.organisation


def test_the_successor_s_staff_change_the_merged_federation_s_tree_on_the_pages(
    client, resolution, tree, an_giang, merged
):
    _successor, staff = an_giang
    client.force_login(staff)
    data = {
        "decision_number": "120/QĐ-LĐLĐ",
        "effective_on": "05/07/2020",
        "action": "move",
        "target": "HT",
        "codes": "RG-1",
        "officers": "follow",
    }
    response = client.post(reverse("tree-change-new"), data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    change = TreeChange.objects.get(decision_number="120/QĐ-LĐLĐ")
    assert change.federation == tree["province"]  # the units' federation, which An Giang answers for
    preview = client.get(response["Location"])
    client.post(response["Location"], {"action": "confirm", "version": preview.context["preview"].version})
    assert Organisation.objects.get(code="RG-1").parent == tree["ha_tien"]
    listed = client.get(reverse("tree-changes")).content.decode()
    assert "120/QĐ-LĐLĐ" in listed and "4173/TLĐ-ToC" in listed
    page = client.get(reverse("tree-change-unit"))
    assert page.status_code == 200


def test_before_a_merger_another_federation_s_units_are_not_theirs(client, resolution, tree, an_giang, settings):
    settings.UNIONPLAN_TODAY = datetime.date(2020, 7, 10)
    _successor, staff = an_giang
    client.force_login(staff)
    data = {"decision_number": "1/QĐ", "effective_on": "05/07/2020", "action": "rename", "unit": "RG-1", "name": "X"}
    response = client.post(reverse("tree-change-unit"), data)
    assert "không thuộc liên đoàn của bạn" in response.content.decode()
    assert not TreeChange.objects.exists()
