"""The 2025 demo lives through the reorganisation: the June dissolutions, the upper levels
ended on 1 July with their unions handed to the province, the ward union founded that day
and given Rạch Giá's unions on 27 August, the federation merged into An Giang's; both views
add up, and the ward union's officer logs in to its dashboard."""

import datetime

import pytest
from django.urls import reverse

from branches import changes
from branches.models import Organisation, TreeChange, User
from targets.management.demo2025 import AG_UPPER_LEVELS, load_demo_2025
from targets.resolution.models import Resolution
from targets.rollup.completeness import reported_so_far
from targets.rollup.figures import Structure
from targets.rollup.progress import scope_progress

pytestmark = pytest.mark.django_db


def achieved(resolution, code, month, structure):
    unit = Organisation.objects.get(code=code)
    return scope_progress(resolution, unit, month, structure=structure)[0].achieved


def test_the_2025_demo(client, settings):
    settings.UNIONPLAN_TODAY = datetime.date(2025, 12, 3)
    assert "58 grassroots unions" in load_demo_2025()
    assert load_demo_2025() == "demo 2025: already loaded"
    kg = Resolution.objects.get(organisation__code="KG25", year=2025)
    assert TreeChange.objects.filter(status=TreeChange.Status.APPLIED).count() == 4
    ward = Organisation.objects.get(code="KG25-PRG")
    assert ward.founded_on == datetime.date(2025, 7, 1)
    assert Organisation.objects.filter(parent=ward).count() == 16
    assert Organisation.objects.get(code="KG25-RG").dissolved_on == datetime.date(2025, 7, 1)
    assert Organisation.objects.get(code="KG25").merged_into.code == "AG25"
    # Rạch Giá's unions: January–June under the district federation as it was, July under
    # the province, August on under the ward union; their whole year under the ward union
    # in today's tree. The federation's total is the same in both views.
    rg_monthly = achieved(kg, "KG25-RG", 11, Structure.MONTHLY)
    assert rg_monthly == achieved(kg, "KG25-RG", 6, Structure.MONTHLY) > 0
    ward_monthly = achieved(kg, "KG25-PRG", 11, Structure.MONTHLY)
    assert achieved(kg, "KG25-PRG", 7, Structure.MONTHLY) == 0 < ward_monthly
    assert achieved(kg, "KG25-RG", 11, Structure.CURRENT) == 0
    assert achieved(kg, "KG25-PRG", 11, Structure.CURRENT) > rg_monthly + ward_monthly
    assert achieved(kg, "KG25", 11, Structure.CURRENT) == achieved(kg, "KG25", 11, Structure.MONTHLY)
    rach_gia = Organisation.objects.get(code="KG25-RG")
    assert reported_so_far(kg, rach_gia, 5, Structure.MONTHLY) == (16, 17)
    assert reported_so_far(kg, ward, 5, Structure.MONTHLY) == (0, 0)
    assert reported_so_far(kg, ward, 9, Structure.MONTHLY) == (16, 17)
    # The ward union's officer and An Giang's staff (who now answer for Kiên Giang too).
    assert User.objects.get(username="phuongrachgia").check_password("unionplan-demo")
    client.force_login(User.objects.get(username="phuongrachgia"))
    response = client.get(reverse("dashboard-unit", args=[ward.pk]) + "?month=9&structure=monthly")
    assert response.status_code == 200 and "Công đoàn phường Rạch Giá" in response.content.decode()
    assert User.objects.get(username="tinh2025").organisation.code == "AG25"
    client.force_login(User.objects.get(username="angiang2025"))
    assert client.get(reverse("unit-timeline", args=[ward.pk])).status_code == 200
    assert client.get(reverse("dashboard-unit", args=[rach_gia.pk]) + "?month=6&year=2025").status_code == 200


def test_the_2025_demo_hands_kien_giang_s_units_to_an_giang_on_1_january_2026(settings):
    """The merger's hand-over is planned and applies on its day: the former Kiên Giang units
    are then under An Giang and expected against its 2026 resolution, while Kiên Giang's 2025
    figures stay as they were in both views."""
    settings.UNIONPLAN_TODAY = datetime.date(2025, 12, 3)
    load_demo_2025()
    kg = Resolution.objects.get(organisation__code="KG25", year=2025)
    following = Resolution.objects.get(organisation__code="AG25", year=2026)
    handover = TreeChange.objects.get(status=TreeChange.Status.PLANNED)
    assert handover.effective_on == datetime.date(2026, 1, 1) and handover.federation.code == "AG25"
    federation = Organisation.objects.get(code="KG25")
    before = {s: (achieved(kg, "KG25", 11, s), reported_so_far(kg, federation, 11, s)) for s in Structure.CHOICES}
    handed = Organisation.objects.filter(parent=federation, dissolved_on__isnull=True).count()
    assert handed > 0

    settings.UNIONPLAN_TODAY = datetime.date(2026, 1, 5)
    applied, failed = changes.apply_due_changes()
    assert applied == [handover] and not failed
    # The units it ended on 1 July stay with it; the others are An Giang's.
    assert not Organisation.objects.filter(parent=federation, dissolved_on__isnull=True).exists()
    assert Organisation.objects.filter(parent__code="AG25").count() == len(AG_UPPER_LEVELS) + handed
    ward = Organisation.objects.get(code="KG25-PRG")
    assert ward.parent.code == "AG25" and following in Resolution.objects.for_unit(ward)
    assert kg in Resolution.objects.for_unit(ward)
    federation.refresh_from_db()
    after = {s: (achieved(kg, "KG25", 11, s), reported_so_far(kg, federation, 11, s)) for s in Structure.CHOICES}
    assert after == before
    an_giang = Organisation.objects.get(code="AG25")
    expected = Organisation.objects.under(an_giang).active_on(datetime.date(2026, 1, 31)).count()
    assert reported_so_far(following, an_giang, 1) == (0, expected)
    assert expected > Organisation.objects.filter(path__startswith=an_giang.path, code__startswith="AG25").count()
    assert load_demo_2025() == "demo 2025: already loaded"
