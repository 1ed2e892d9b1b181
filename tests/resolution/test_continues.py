"""A target may name the previous year's target it continues (``"continues": <number>``)."""

import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from targets.resolution.loading import load_resolution, load_resolution_file

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data"
KG_2021 = DATA / "resolution-2021-kien-giang.json"
AG_2024 = DATA / "resolution-2024-an-giang.json"


def test_the_loader_links_each_target_to_the_one_it_continues(resolution):
    next_year, created = load_resolution_file(KG_2021)
    assert created
    links = {
        t.number: (t.continues.resolution.year, t.continues.number) if t.continues else None
        for t in next_year.targets.select_related("continues__resolution")
    }
    assert links == {1: (2020, 1), 2: (2020, 3), 3: None}
    assert list(resolution.targets.get(number=3).continued_by.values_list("number", flat=True)) == [2]


def test_a_continued_target_that_is_not_loaded_is_refused_and_nothing_is_loaded(resolution):
    data = json.loads(KG_2021.read_text(encoding="utf-8"))
    data["targets"][2]["continues"] = 99
    with pytest.raises(ValueError, match=r"“continues”: .* 99 "):
        load_resolution(data)
    assert not resolution.organisation.resolutions.filter(year=2021).exists()


def test_a_target_cannot_continue_another_federations_target(resolution):
    other, _ = load_resolution_file(AG_2024)
    target = other.targets.get(number=1)
    target.continues = resolution.targets.get(number=1)
    with pytest.raises(ValidationError) as error:
        target.full_clean()
    assert "continues" in error.value.message_dict
