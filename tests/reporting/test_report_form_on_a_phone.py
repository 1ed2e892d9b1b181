"""The report form on a phone: a figure's field opens the numeric keyboard (whole numbers) or
the decimal one (a value with decimals, "2,5"), and still accepts the Vietnamese way of
writing a number ("15.500")."""

import re

import pytest
from django.urls import reverse

from targets.models import ReportFigure
from tests.dashboard_data import component

pytestmark = pytest.mark.django_db


def test_figure_fields_open_the_numeric_keyboard_and_take_vietnamese_numbers(client, resolution, tree, users):
    firm = tree["firm"]  # a non-state enterprise: quantities, and the meal value of target 13
    client.force_login(users["firm"])
    url = reverse("report_edit", args=[2020, 3, firm.pk])
    page = client.get(url).content.decode()
    recruits, meal = component(resolution, 1), component(resolution, 13)
    quantity = re.search(rf'<input[^>]*name="c{recruits.pk}_quantity"[^>]*>', page).group(0)
    value = re.search(rf'<input[^>]*name="c{meal.pk}_value"[^>]*>', page).group(0)
    assert 'inputmode="numeric"' in quantity
    assert 'inputmode="decimal"' in value

    response = client.post(
        url, {f"c{recruits.pk}_quantity": "12", f"c{meal.pk}_value": "15.500", "version": "1", "action": "save"}
    )
    errors = re.findall(r'field-errors" id="([^"]+)"><div>([^<]*)', response.content.decode())
    assert response.status_code == 302, errors
    figures = ReportFigure.objects.filter(report__organisation=firm, report__month=3)
    assert figures.get(component=recruits).quantity == 12
    assert figures.get(component=meal).value == 15500  # "15.500" đồng, the Vietnamese way
