"""Expectation follows last year's rhythm of the target a target continues, read from the
federation's running totals (one query), and the pages say which rhythm they use."""

import datetime

import pytest
from django.urls import reverse

from targets.models import Resolution, Target, TargetComponent
from targets.rollup.pace import LINEAR, Status
from targets.rollup.progress import scope_progress
from targets.rollup.season import seasonal_profiles
from tests.dashboard_data import component, file_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def conferences_2019(resolution, tree):
    """2019's civil servants' conferences (target 6 of 2020 continues it): the Rạch Giá school
    held its conference in February 2019, Hà Tiên's in March; Hà Tiên's firm reported one too
    but is not a public agency, so it does not count. Half of last year's work by February."""
    province = resolution.organisation
    last_year = Resolution.objects.create(
        organisation=province,
        year=2019,
        issuing_body="Ban Chấp hành LĐLĐ tỉnh",
        issued_on=datetime.date(2019, 1, 15),
        title="Nghị quyết năm 2019",
        theme="",
    )
    target = Target.objects.create(resolution=last_year, number=6, text="Hội nghị CBCC", short_name="Hội nghị CBCC")
    held = TargetComponent.objects.create(
        target=target,
        figure=2,
        unit_of_measure="cơ quan",
        measure=TargetComponent.Measure.UNITS_DONE,
        for_grassroots=True,
        for_state_enterprise=False,
        for_non_state_enterprise=False,
    )
    file_report(last_year, tree["school"], 2, {held: {"done": True}})
    file_report(last_year, tree["ht_school"], 3, {held: {"done": True}})
    file_report(last_year, tree["ht_firm"], 1, {held: {"done": True}})
    this_year = resolution.targets.get(number=6)
    this_year.continues = target
    this_year.save()
    return this_year


def test_profile_from_last_years_approved_results(resolution, conferences_2019, django_assert_num_queries):
    """One query gives every target's rhythm: target 6 follows 2019 (nothing in January, half
    by February, all by March); the others, continuing nothing, the straight line."""
    targets = list(resolution.targets.all())
    with django_assert_num_queries(1):
        profiles = seasonal_profiles(targets)
    six = profiles[conferences_2019.pk]
    assert six.year == 2019 and six.done[:3] == (0, 1, 2)
    assert all(p == LINEAR for pk, p in profiles.items() if pk != conferences_2019.pk)


def test_expectation_and_status_follow_the_season(resolution, tree, conferences_2019, settings):
    """Target 6 (1.250 conferences, due in March) as of January 2020: last year nothing was
    done by then, so 0 is expected and 0 achieved is on track (a straight line would expect
    417 and say behind); as of February half, 625."""
    settings.UNIONPLAN_TODAY = datetime.date(2020, 5, 1)
    six = component(resolution, 6)
    january = next(r for r in scope_progress(resolution, tree["province"], 1) if r.component == six)
    assert (january.expected, january.status, january.profile.year) == (0, Status.ON_TRACK, 2019)
    february = next(r for r in scope_progress(resolution, tree["province"], 2) if r.component == six)
    assert february.expected == 625


def test_pages_say_which_rhythm(client, users, tree, resolution, conferences_2019, settings):
    """The dashboard says "theo nhịp năm 2019" for target 6 and "tuyến tính" for the others;
    the target's chart draws the expected curve beside the actual one, without inline style."""
    settings.UNIONPLAN_TODAY = datetime.date(2020, 5, 1)
    client.force_login(users["province"])
    text = client.get(reverse("dashboard-unit", args=[tree["province"].pk]) + "?month=2").content.decode()
    assert "theo nhịp năm 2019" in text and "tuyến tính" in text
    six = component(resolution, 6)
    url = reverse("dashboard-component", args=[tree["province"].pk, six.pk]) + "?month=2"
    text = client.get(url).content.decode()
    assert "theo nhịp năm 2019" in text
    svg = text[text.index("<svg") : text.index("</svg>")]
    assert 'class="expected-curve"' in svg and "Kỳ vọng đến tháng 2: 625" in svg
    assert "style=" not in svg
