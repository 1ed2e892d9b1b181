import datetime

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from targets.api.tokens import token_create


@pytest.fixture(autouse=True)
def during_2020(settings):
    """The API's tests play 3 December 2020 (as the demo does): the 2020 year is open."""
    settings.UNIONPLAN_TODAY = datetime.date(2020, 12, 3)


@pytest.fixture(autouse=True)
def fresh_rate_counts():
    """The rate limit counts in the cache, keyed by token id: ids come again after a test's rollback."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    """``api(user, write=True)``: a client sending a new token of ``user``'s (or none)."""

    def make(user=None, write=True, **kwargs):
        client = APIClient()
        if user is not None:
            _token, secret = token_create(user=user, name="test", can_write=write, **kwargs)
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
            client.secret = secret
        return client

    return make
