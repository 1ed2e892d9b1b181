"""Passwords are stored with Argon2id at OWASP's parameters; older hashes are upgraded at log-in."""

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django.urls import reverse

from branches.models import User
from unionplan import settings as project_settings

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

# OWASP Password Storage Cheat Sheet: Argon2id, 19 MiB, 2 iterations, 1 lane.
OWASP_ARGON2ID = "argon2$argon2id$v=19$m=19456,t=2,p=1$"


@pytest.fixture(autouse=True)
def project_hashers(settings):
    """The project's own hashers, not the fast one the rest of the suite uses."""
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS


def test_new_passwords_are_hashed_with_argon2id(make_user):
    user = make_user("moi")
    assert user.password.startswith(OWASP_ARGON2ID)
    assert user.check_password(PASSWORD)
    assert not user.check_password("mat-khau-sai")


def officer_with_hash(tree, password_hash):
    User.objects.create(
        username="cu", organisation=tree["school"], role=User.Role.GRASSROOTS_OFFICER, password=password_hash
    )


def django_default_argon2(password):
    """A hash made with Django's own Argon2 parameters (100 MiB, 8 lanes)."""
    hasher = Argon2PasswordHasher()
    return hasher.encode(password, hasher.salt())


@pytest.mark.parametrize(
    "make_old_hash",
    [lambda password: make_password(password, hasher="pbkdf2_sha256"), django_default_argon2],
    ids=["pbkdf2", "argon2-django-default"],
)
def test_an_older_hash_still_logs_in_and_is_upgraded(client, tree, make_old_hash):
    old_hash = make_old_hash(PASSWORD)
    assert not old_hash.startswith(OWASP_ARGON2ID)
    officer_with_hash(tree, old_hash)

    response = client.post(reverse("login"), {"username": "cu", "password": PASSWORD})

    assert response.status_code == 302
    upgraded = User.objects.get(username="cu").password
    assert upgraded.startswith(OWASP_ARGON2ID)
    client.post(reverse("logout"))
    assert client.post(reverse("login"), {"username": "cu", "password": PASSWORD}).status_code == 302


def test_a_wrong_password_does_not_touch_the_old_hash(client, tree):
    old_hash = make_password(PASSWORD, hasher="pbkdf2_sha256")
    officer_with_hash(tree, old_hash)

    response = client.post(reverse("login"), {"username": "cu", "password": "mat-khau-sai"})

    assert response.status_code == 200
    assert User.objects.get(username="cu").password == old_hash
