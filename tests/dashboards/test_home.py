"""The home page shows the year's resolution, figures written the Vietnamese way."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_requires_log_in(client, resolution):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_home_shows_theme_16_targets_and_7_tasks(client, users):
    client.force_login(users["province"])
    page = client.get(reverse("home")).content.decode()
    assert "Nâng cao chất lượng hoạt động công đoàn cơ sở" in page
    for figure in [
        "5.821",
        "34",
        "1.560",
        "42.150",
        "15",
        "1.250",
        "152",
        "3/3",
        "128",
        "12",
        "60",
        "18",
        "21",
        "235",
        "5",
        "15.000 đồng",
    ]:
        assert f">{figure}<" in page or figure in page, figure
    assert page.count('<td class="number">') == 18
    assert ">5.821<" in page and ">42.150<" in page and ">1.250<" in page and ">1.560<" in page
    assert "≥ 15.000 đồng" in page
    assert "Phong trào thi đua năm 2020" in page
    assert "16 chỉ tiêu" in page and "7 nhiệm vụ trọng tâm" in page


def test_log_in_and_out(client, users):
    from tests.conftest import PASSWORD

    response = client.post(reverse("login"), {"username": "tinh", "password": PASSWORD})
    # Officers land on their own union's dashboard, which links back to the resolution.
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_is_refused_in_vietnamese(client, users):
    response = client.post(reverse("login"), {"username": "tinh", "password": "sai"})
    assert response.status_code == 200
    assert "mật khẩu chính xác" in response.content.decode()
