"""List pages cap per_page at 500 and say so; nonsense sizes never break a page."""

import pytest
from django.urls import reverse

from tests.dashboard_data import build_scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario(resolution, tree):
    return build_scenario(resolution, tree)


@pytest.mark.parametrize(
    "path, param",
    [
        (lambda tree: reverse("dashboard-tasks") + f"?unit={tree['province'].pk}&month=12", "n-per_page"),
        (lambda tree: reverse("dashboard-completeness") + f"?unit={tree['province'].pk}&month=12", "u-per_page"),
        (lambda tree: reverse("review_list") + "?month=3", "per_page"),
    ],
)
def test_per_page_is_capped_and_said(client, users, tree, scenario, path, param):
    client.force_login(users["province"])
    for asked in ("100000", "0", "-5", "abc"):
        response = client.get(f"{path(tree)}&{param}={asked}")
        assert response.status_code == 200, asked
        page = response.content.decode()
        assert ("tối đa 500 dòng" in page) == (asked == "100000")
        tables = list(response.context["tables"].values()) if "tables" in response.context else []
        table = next((t for t in tables if hasattr(t, "paginator")), None) or response.context["table"]
        assert 1 <= table.paginator.per_page <= 500
