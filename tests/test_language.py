"""Vietnamese by default, whatever the browser asks for; English when the user picks it."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_vietnamese_even_for_an_english_browser(client, users):
    client.force_login(users["province"])
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Chủ đề năm" in page and ">5.821<" in page


def test_english_when_chosen(client, users):
    client.force_login(users["province"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("home")).content.decode()
    assert "Theme of the year" in page and ">5,821<" in page
