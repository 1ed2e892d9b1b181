"""Log-in is throttled against password guessing, passwords are validated, sessions expire."""

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_five_wrong_passwords_lock_the_user_name(client, users):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("login"), {"username": "tinh", "password": "doan-sai"})
        assert response.status_code == 200
    locked = client.post(reverse("login"), {"username": "tinh", "password": "doan-sai"})
    assert locked.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in locked.content.decode()
    # Even the right password is refused while the lock lasts.
    again = client.post(reverse("login"), {"username": "tinh", "password": PASSWORD})
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_other_users_are_not_locked_out(client, users):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "tinh", "password": "doan-sai"})
    response = client.post(reverse("login"), {"username": "rachgia", "password": PASSWORD})
    assert response.status_code == 302


def test_a_right_password_resets_the_count(client, users):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(reverse("login"), {"username": "tinh", "password": "doan-sai"})
    assert client.post(reverse("login"), {"username": "tinh", "password": PASSWORD}).status_code == 302
    client.post(reverse("logout"))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(reverse("login"), {"username": "tinh", "password": "doan-sai"}).status_code == 200


def test_weak_passwords_are_refused():
    for weak in ["12345678", "password", "abc"]:
        with pytest.raises(ValidationError):
            validate_password(weak)


def test_sessions_expire():
    assert 0 < settings.SESSION_COOKIE_AGE <= 12 * 3600
