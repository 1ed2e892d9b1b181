"""The 2020 Kiên Giang resolution, loaded from its data file, holds the corrected figures."""

from decimal import Decimal

import pytest

from targets.models import PriorityTask, Resolution, Target, TargetComponent
from targets.resolution.loading import load_resolution_file
from tests.conftest import RESOLUTION_FILE

pytestmark = pytest.mark.django_db

# (target number, [(component label, figure, measure, figure kind)]) written out by hand
# from the article, with the OCR slips corrected ("1.5 60" is 1.560).
EXPECTED = {
    1: [(5821, "quantity")],
    2: [(34, "units_founded")],
    3: [(1560, "quantity")],
    4: [(42150, "quantity")],
    5: [(15, "units_done")],
    6: [(1250, "units_done")],
    7: [(3, "units_done"), (152, "units_done")],
    8: [(3, "units_done"), (128, "units_done")],
    9: [(12, "quantity")],
    10: [(60, "quantity")],
    11: [(18, "quantity")],
    12: [(21, "units_done")],
    13: [(18, "units_at_threshold")],
    14: [(235, "units_done")],
    15: [(18, "units_done")],
    16: [(5, "quantity")],
}


def test_resolution_header(resolution):
    assert resolution.year == 2020
    assert resolution.issued_on.isoformat() == "2020-02-04"
    assert resolution.theme == "Nâng cao chất lượng hoạt động công đoàn cơ sở"
    assert resolution.organisation.name == "Liên đoàn Lao động tỉnh Kiên Giang"
    assert resolution.report_due_day == 20


@pytest.mark.parametrize("number", sorted(EXPECTED))
def test_each_target_figure_and_components(resolution, number):
    target = resolution.targets.get(number=number)
    components = list(target.components.order_by("order"))
    assert [(c.figure, c.measure) for c in components] == EXPECTED[number]


def test_targets_7_and_8_split_state_and_non_state_enterprises(resolution):
    for number in (7, 8):
        soe, non_state = resolution.targets.get(number=number).components.order_by("order")
        assert (soe.for_state_enterprise, soe.for_non_state_enterprise, soe.for_public_agency) == (
            True,
            False,
            False,
        )
        assert (non_state.for_state_enterprise, non_state.for_non_state_enterprise) == (False, True)
        assert soe.for_grassroots and non_state.for_grassroots
    dialogue_soe = resolution.targets.get(number=8).components.get(order=1)
    assert dialogue_soe.figure_kind == TargetComponent.FigureKind.ALL_ELIGIBLE
    conference_soe = resolution.targets.get(number=7).components.get(order=1)
    assert conference_soe.figure_kind == TargetComponent.FigureKind.AT_LEAST


def test_meal_target_has_a_15000_dong_threshold(resolution):
    meal = resolution.targets.get(number=13).components.get()
    assert meal.threshold == Decimal("15000")
    assert meal.threshold_unit == "đồng"
    assert not meal.for_public_agency


def test_new_unions_count_enterprises_with_25_workers(resolution):
    founded = resolution.targets.get(number=2).components.get()
    assert founded.min_workforce == 25
    assert founded.for_upper_level and not founded.for_grassroots
    assert not founded.for_public_agency


def test_seven_tasks_and_no_ocr_typos(resolution):
    assert list(resolution.tasks.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6, 7]
    texts = " ".join(resolution.targets.values_list("text", flat=True)) + " ".join(
        resolution.tasks.values_list("text", flat=True)
    )
    for typo in [
        "Kêt",
        "bôi dưỡng",
        "doah",
        "khư vực",
        "họp tác",
        "mói",
        "ưóc",
        "cao hon",
        "15.000 đông",
        "doanh nghiẹp",
        "1.5 60",
        "217-QĐ/TV/",
        "chấp bành",
        "xa hội",
    ]:
        assert typo not in texts, typo
    assert "217-QĐ/TW" in texts
    assert "1.560" in texts


def test_loading_twice_changes_and_duplicates_nothing(resolution):
    component = resolution.targets.get(number=1).components.get()
    component.figure = 6000  # an admin's edit
    component.save()
    again, created = load_resolution_file(RESOLUTION_FILE)
    assert not created and again.pk == resolution.pk
    assert Resolution.objects.count() == 1
    assert Target.objects.count() == 16
    assert TargetComponent.objects.count() == 18
    assert PriorityTask.objects.count() == 7
    component.refresh_from_db()
    assert component.figure == 6000


def test_loading_with_update_restores_the_file_figures(resolution):
    component = resolution.targets.get(number=1).components.get()
    component.figure = 6000
    component.save()
    # A figure changed back by the file needs a reason and a month (issue 13 item 9).
    load_resolution_file(RESOLUTION_FILE, update=True, reason="Theo Nghị quyết", effective_month=7)
    component.refresh_from_db()
    assert component.figure == 5821
    assert TargetComponent.objects.count() == 18


def test_a_figure_change_keeps_the_old_value_and_reason_in_history(resolution):
    component = resolution.targets.get(number=1).components.get()
    component.figure = 6000
    component._change_reason = "Điều chỉnh giữa năm theo Nghị quyết bổ sung"
    component.save()
    latest, previous = component.history.order_by("-history_date")[:2]
    assert (previous.figure, latest.figure) == (5821, 6000)
    assert latest.history_change_reason == "Điều chỉnh giữa năm theo Nghị quyết bổ sung"
