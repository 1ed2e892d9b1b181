"""An over-long user name at log-in gets the usual "wrong user name or password" answer,
never a server error (PostgreSQL refused to store it in django-axes' failed-attempt row)."""

import re

import pytest
from django.urls import reverse

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login_error(response):
    """The message in the red box above the log-in form."""
    found = re.search(r'<div class="alert alert-danger">(.*?)</div>', response.content.decode(), re.S)
    return found and found.group(1).strip()


@pytest.mark.parametrize("length", [151, 300, 5000])
def test_over_long_user_name_is_a_wrong_log_in(client, users, length):
    wrong_password = client.post(reverse("login"), {"username": "tinh", "password": "doan-sai"})
    response = client.post(reverse("login"), {"username": "a" * length, "password": "doan-sai"})
    assert response.status_code == 200
    assert "mật khẩu" in login_error(response)  # Vietnamese, and about the password
    assert login_error(response) == login_error(wrong_password)
    assert "_auth_user_id" not in client.session


def test_long_name_with_a_real_password_does_not_log_in(client, users):
    """A real user's name padded out to 300 characters is not that user."""
    response = client.post(reverse("login"), {"username": "tinh" + " " * 296 + "x", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
