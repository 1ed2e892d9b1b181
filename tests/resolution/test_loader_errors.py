"""The resolution loader tells what is wrong (issue 13 item 6): every problem is one message
naming the target, the component and the field; nothing is loaded from a file with any."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from targets.resolution.loading import SCHEMA_FILE, ResolutionFileError, load_resolution
from targets.resolution.models import Resolution, Target, TargetComponent

from .second_federation import second_federation

pytestmark = pytest.mark.django_db


def messages_for(data):
    with translation.override("en"), pytest.raises(ResolutionFileError) as caught:
        load_resolution(data)
    assert Resolution.objects.filter(year=2024).count() == 0
    assert not Target.objects.filter(resolution__year=2024).exists()
    return caught.value.messages


def component(data, target=1):
    return data["targets"][target - 1]["components"][0]


def test_the_second_federation_file_loads_beside_kien_giang(resolution):
    second, created = load_resolution(second_federation())
    assert created and second.organisation.code == "HGT"
    fund = TargetComponent.objects.get(target__resolution=second, target__number=1)
    assert fund.figure == 12_400_000_000 and fund.is_money
    share = TargetComponent.objects.get(target__resolution=second, target__number=2)
    assert share.is_share and share.figure == 70
    assert resolution.targets.count() == 16


def test_the_schema_is_published_json():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert "share_of_eligible" in schema["$defs"]["component"]["properties"]["figure_kind"]["enum"]
    assert schema["$defs"]["target"]["properties"]["continues"]["type"] == "integer"


def test_unknown_measure():
    data = second_federation()
    component(data, 3)["measure"] = "sum"
    assert messages_for(data) == [
        "target 3, component 1, field “measure”: “sum” is not one of: "
        "quantity, units_done, units_at_threshold, units_founded"
    ]


def test_unknown_figure_kind():
    data = second_federation()
    component(data, 3)["figure_kind"] = "at_most"
    [message] = messages_for(data)
    assert message.startswith("target 3, component 1, field “figure_kind”: “at_most” is not one of")


def test_unknown_sector_and_level():
    data = second_federation()
    component(data, 2)["sectors"] = ["state_enterprise", "cooperative"]
    component(data, 3)["reported_by"] = ["district"]
    messages = messages_for(data)
    assert messages == [
        "target 2, component 1, field “sectors”: “cooperative” is not one of: "
        "public_agency, state_enterprise, non_state_enterprise",
        "target 3, component 1, field “reported_by”: “district” is not one of: province, upper_level, grassroots",
    ]


def test_missing_field():
    data = second_federation()
    del component(data, 1)["unit_of_measure"]
    del data["targets"][2]["short_name"]
    assert messages_for(data) == [
        "target 1, component 1, field “unit_of_measure”: missing",
        "target 3, field “short_name”: missing",
    ]


def test_unknown_field_names_it():
    data = second_federation()
    component(data, 1)["figur"] = 5
    assert messages_for(data) == ["target 1, component 1, field “figur”: unknown field"]


def test_figure_out_of_range():
    data = second_federation()
    component(data, 3)["figure"] = -5
    component(data, 2)["figure"] = 160  # a percentage above 100
    assert messages_for(data) == [
        "target 2, component 1, field “figure”: 160 is above 100",
        "target 3, component 1, field “figure”: -5 is below 0",
    ]


def test_figure_of_the_wrong_type():
    data = second_federation()
    component(data, 3)["figure"] = "2.340"
    assert messages_for(data) == ["target 3, component 1, field “figure”: must be a whole number"]


def test_a_share_needs_a_measure_that_counts_units():
    data = second_federation()
    component(data, 2)["measure"] = "quantity"
    [message] = messages_for(data)
    assert message.startswith("target 2, component 1, field “measure”: “quantity” is not one of: units_done")


def test_threshold_measure_without_threshold():
    data = second_federation()
    component(data, 2)["measure"] = "units_at_threshold"
    assert messages_for(data) == ["target 2, component 1, field “threshold”: missing"]


def test_duplicate_target_number():
    data = second_federation()
    data["targets"][2]["number"] = 2
    assert messages_for(data) == ["target 2, field “number”: the number 2 is used twice"]


def test_due_month_out_of_range_and_bad_date():
    data = second_federation()
    data["targets"][0]["due_month"] = 13
    assert messages_for(data) == ["target 1, field “due_month”: 13 is above 12"]
    data = second_federation()
    data["issued_on"] = "2024-02-30"
    assert messages_for(data) == ["field “issued_on”: not a date (yyyy-mm-dd)"]


def test_every_problem_at_once():
    data = second_federation()
    component(data, 1)["measure"] = "sum"
    component(data, 3)["figure"] = -1
    del data["tasks"][0]["title"]
    assert len(messages_for(data)) == 3


def test_command_exits_with_the_messages_in_vietnamese_and_no_traceback(tmp_path):
    data = second_federation()
    component(data, 3)["measure"] = "sum"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("load_resolution", str(path))
    text = str(caught.value)
    assert "nothing loaded" in text
    assert "chỉ tiêu 3" in text.lower() and "“measure”" in text
    assert not Resolution.objects.exists()


def test_command_on_a_file_that_is_not_json(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("load_resolution", str(path))
    with pytest.raises(CommandError):
        call_command("load_resolution", str(tmp_path / "missing.json"))


def test_a_file_that_is_not_an_object():
    with translation.override("en"), pytest.raises(ResolutionFileError) as caught:
        load_resolution([1, 2])
    assert caught.value.messages == ["The file must hold one JSON object (a resolution)."]


def test_update_without_reason_changes_nothing(resolution):
    load_resolution(second_federation())
    data = second_federation()
    component(data, 3)["figure"] = 2500
    component(data, 1)["unit_of_measure"] = "VND"
    with translation.override("en"), pytest.raises(ResolutionFileError) as caught:
        load_resolution(data, update=True)
    [message] = caught.value.messages
    assert message.startswith("target 3, component 1, field “figure”: the figure changes from 2,340 to 2,500")
    fund = TargetComponent.objects.get(target__resolution__year=2024, target__number=1)
    assert fund.unit_of_measure == "đồng"  # nothing of the file was loaded
