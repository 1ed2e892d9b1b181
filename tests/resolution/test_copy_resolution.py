"""Next year in minutes: ``manage.py copy_resolution KG 2020 2021`` and the admin action
start 2021 as a copy of 2020 (targets, components, eligibility, tasks, each target linked
to the one it continues), with its figures to be set; an existing year is refused."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from targets.models import Allocation, Resolution, TargetComponent
from tests.dashboard_data import component

pytestmark = pytest.mark.django_db

COUNTING = ("label", "unit_of_measure", *TargetComponent.COUNTING_FIELDS)


def counting(resolution):
    return [
        (c.target.number, c.target.short_name, c.order, *(getattr(c, f) for f in COUNTING))
        for c in resolution.components().order_by("target__number", "order")
    ]


def test_the_command_copies_targets_components_and_tasks_with_figures_to_be_set(resolution):
    """16 targets with the same components and eligibility, 7 tasks, every figure 0, each
    target continuing 2020's of the same number; allocations only when asked."""
    Allocation.objects.create(component=component(resolution, 1), organisation=resolution.organisation, figure=10)
    call_command("copy_resolution", "KG", "2020", "2021")
    copy = Resolution.objects.get(organisation=resolution.organisation, year=2021)
    assert copy.targets.count() == 16 and copy.tasks.count() == 7
    assert counting(copy) == counting(resolution)
    assert set(copy.components().values_list("figure", flat=True)) == {0}
    assert copy.title == "Nghị quyết về thực hiện nhiệm vụ công tác công đoàn năm 2021"
    assert copy.report_due_day == resolution.report_due_day and not copy.is_locked
    links = {
        (t.number, t.continues.resolution_id, t.continues.number) for t in copy.targets.select_related("continues")
    }
    assert links == {(n, resolution.pk, n) for n in range(1, 17)}
    assert not Allocation.objects.filter(component__target__resolution=copy).exists()
    assert list(copy.tasks.values_list("title", flat=True)) == list(resolution.tasks.values_list("title", flat=True))


def test_allocations_are_copied_on_request_with_shares_to_be_set(resolution, tree):
    Allocation.objects.create(component=component(resolution, 1), organisation=tree["rach_gia"], figure=300)
    call_command("copy_resolution", "KG", "2020", "2021", "--with-allocations")
    copied = Allocation.objects.get(component__target__resolution__year=2021)
    assert (copied.organisation, copied.figure, copied.component.target.number) == (tree["rach_gia"], 0, 1)


def test_an_existing_year_is_refused_and_nothing_changes(resolution, kg_2021):
    before = kg_2021.targets.count()
    with pytest.raises(CommandError, match="đã có nghị quyết năm 2021"):
        call_command("copy_resolution", "KG", "2020", "2021")
    assert kg_2021.targets.count() == before == 3
    with pytest.raises(CommandError, match="KG has no resolution for 2019"):
        call_command("copy_resolution", "KG", "2019", "2020")


def test_the_copy_shows_no_figure_until_one_is_set(client, resolution, users, tree, settings):
    """On the 2021 dashboard, a copied figure says "Chưa giao chỉ tiêu" (no figure), never
    "achieved"; only the all-of-them components (3/3 state-owned enterprises), whose figure
    is the eligible units, have one: 17 of the 18 components show no figure."""
    settings.UNIONPLAN_TODAY = datetime.date(2021, 2, 1)
    call_command("copy_resolution", "KG", "2020", "2021")
    client.force_login(users["province"])
    text = client.get(reverse("dashboard-unit", args=[tree["province"].pk])).content.decode()
    assert "năm 2021" in text
    assert text.count("status text-bg-light") == 17 and "status text-bg-success" not in text


def test_the_admin_action_creates_next_year(client, resolution, superuser):
    """Tạo nghị quyết năm sau: a form for the year (2021 proposed), then the new resolution's page."""
    client.force_login(superuser)
    changelist = reverse("admin:targets_resolution_changelist")
    data = {"action": "start_next_year", "_selected_action": [resolution.pk]}
    form = client.post(changelist, data).content.decode()
    assert "Tạo nghị quyết năm sau" in form and 'value="2021"' in form
    response = client.post(changelist, data | {"apply": "1", "year": "2021"})
    copy = Resolution.objects.get(organisation=resolution.organisation, year=2021)
    assert response.status_code == 302 and response["Location"] == reverse(
        "admin:targets_resolution_change", args=[copy.pk]
    )
    assert copy.targets.filter(continues__resolution=resolution).count() == 16
    again = client.post(changelist, data | {"apply": "1", "year": "2021"})
    assert "đã có nghị quyết năm 2021" in again.content.decode()
    assert Resolution.objects.filter(organisation=resolution.organisation).count() == 2
