"""A figure changes only with a reason and the month it applies from (issue 13 item 9)."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from targets.models import Allocation
from targets.resolution import services
from targets.resolution.loading import load_resolution
from targets.rollup.progress import scope_progress
from tests.conftest import RESOLUTION_FILE

from .second_federation import second_federation

pytestmark = pytest.mark.django_db


def admin_data(client, url, **changes):
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    return data | {"allocations-TOTAL_FORMS": 0, "allocations-INITIAL_FORMS": 0} | changes


@pytest.fixture
def members(resolution):
    return resolution.components().get(target__number=1)


def test_admin_refuses_a_figure_change_without_reason_and_month(client, superuser, members):
    client.force_login(superuser)
    url = reverse("admin:targets_targetcomponent_change", args=[members.pk])
    response = client.post(url, admin_data(client, url, figure=6000))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "change_reason" in errors and "effective_month" in errors
    members.refresh_from_db()
    assert members.figure == 5821 and members.previous_figure is None


def test_admin_figure_change_keeps_the_story_and_rewrites_the_text(client, superuser, resolution, members, tree):
    client.force_login(superuser)
    url = reverse("admin:targets_targetcomponent_change", args=[members.pk])
    reason = "Nghị quyết bổ sung số 12 điều chỉnh chỉ tiêu giữa năm"
    response = client.post(url, admin_data(client, url, figure=6000, change_reason=reason, effective_month=7))
    assert response.status_code == 302
    members.refresh_from_db()
    assert (members.figure, members.previous_figure, members.figure_from_month) == (6000, 5821, 7)
    latest, previous = members.history.order_by("-history_date")[:2]
    assert (previous.figure, latest.figure) == (5821, 6000)
    assert latest.history_change_reason == reason and latest.history_user == superuser
    target = members.target
    target.refresh_from_db()
    assert "6.000" in target.text and "5.821" not in target.text
    assert services.figures_missing_from_text(target) == []

    # Before July the old figure holds; from July the new one, marked with the old.
    june = next(r for r in scope_progress(resolution, tree["province"], 6) if r.component == members)
    july = next(r for r in scope_progress(resolution, tree["province"], 7) if r.component == members)
    assert (june.figure, june.previous_figure) == (5821, None)
    assert (july.figure, july.previous_figure, july.figure_from_month) == (6000, 5821, 7)
    users_page = client.get(reverse("dashboard-unit", args=[tree["province"].pk]) + "?month=7")
    assert "6.000 <span" in users_page.content.decode()
    assert "(trước: 5.821, từ tháng 7)" in users_page.content.decode()


def test_target_text_that_disagrees_is_flagged(client, superuser, members):
    target = members.target
    target.text = "Kết nạp mới 5.500 đoàn viên."
    target.save()
    assert services.figures_missing_from_text(target) == [members]
    client.force_login(superuser)
    page = client.get(reverse("admin:targets_target_changelist")).content.decode()
    assert "Nội dung chưa ghi số liệu 5.821" in page


def test_allocation_change_needs_a_reason(client, superuser, members, tree):
    allocation = Allocation.objects.create(component=members, organisation=tree["rach_gia"], figure=400)
    client.force_login(superuser)
    url = reverse("admin:targets_allocation_change", args=[allocation.pk])
    data = {"component": members.pk, "organisation": tree["rach_gia"].pk, "figure": 450}
    response = client.post(url, data)
    assert response.status_code == 200 and "change_reason" in response.context["adminform"].form.errors
    allocation.refresh_from_db()
    assert allocation.figure == 400
    response = client.post(url, data | {"change_reason": "Bổ sung đơn vị mới", "effective_month": 9})
    assert response.status_code == 302
    allocation.refresh_from_db()
    assert (allocation.figure, allocation.previous_figure, allocation.figure_from_month) == (450, 400, 9)
    assert allocation.history.latest().history_change_reason == "Bổ sung đơn vị mới"


def test_a_share_figure_above_100_is_refused(resolution):
    second, _ = load_resolution(second_federation())
    share = second.components().get(target__number=2)
    with pytest.raises(ValidationError) as caught:
        services.change_figure(share, figure=120, reason="Sai", effective_month=3)
    assert "100" in str(caught.value)
    share.refresh_from_db()
    assert share.figure == 70


def test_loader_update_with_a_reason_records_it(resolution, tmp_path):
    data = json.loads(RESOLUTION_FILE.read_text(encoding="utf-8"))
    data["targets"][0]["components"][0] |= {"figure": 6100, "reason": "Điều chỉnh theo Đại hội", "effective_month": 8}
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    call_command("load_resolution", str(path), "--update")
    members = resolution.components().get(target__number=1)
    assert (members.figure, members.previous_figure, members.figure_from_month) == (6100, 5821, 8)
    assert members.history.latest().history_change_reason == "Điều chỉnh theo Đại hội"


def test_a_figure_still_to_be_set_is_set_without_a_reason(client, superuser, members):
    """A copied resolution's figures are 0 until set: setting one is no change to explain."""
    type(members).objects.filter(pk=members.pk).update(figure=0)
    client.force_login(superuser)
    url = reverse("admin:targets_targetcomponent_change", args=[members.pk])
    assert client.post(url, admin_data(client, url, figure=6200)).status_code == 302
    members.refresh_from_db()
    assert (members.figure, members.previous_figure) == (6200, None)
