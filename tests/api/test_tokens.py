"""Tokens people can trust: shown once, stored as a hash, limited (expiry, write, IP ranges),
revoked by their owner or an admin, dead with their deactivated user, rate-limited."""

import datetime
import io

import pytest
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory
from django.urls import reverse

from targets.api.admin import ApiTokenAdmin
from targets.api.tokens import ApiToken, secret_hash, token_create

pytestmark = pytest.mark.django_db


def test_a_token_is_kept_as_a_hash_with_its_prefix_and_last_four(users, api):
    token, secret = token_create(user=users["rach_gia"], name="membership software")
    assert secret.startswith("up_") and len(secret) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.secret_hash == secret_hash(secret) and secret not in str(vars(stored))
    assert stored.last_four == secret[-4:]
    assert (stored.expires_at - stored.created_at) == datetime.timedelta(days=90)
    with pytest.raises(Exception):  # noqa: B017 (a year at most)
        token_create(user=users["rach_gia"], name="too long", days=366)


def test_the_api_lets_a_token_in_and_refuses_anything_else(users, api):
    client = api(users["rach_gia"])
    assert client.get("/api/v1/organisations/").status_code == 200
    for header in ("", "Bearer up_notatoken", "Token abc", "Bearer"):
        answer = Client().get("/api/v1/organisations/", HTTP_AUTHORIZATION=header)
        assert answer.status_code == 401, header
        assert answer["Content-Type"] == "application/problem+json"
        assert answer.json()["status"] == 401
        assert answer["WWW-Authenticate"].startswith("Bearer")


def test_expired_revoked_and_deactivated_stop_at_once(users, api, superuser):
    client = api(users["school"])
    token = ApiToken.objects.get(user=users["school"])
    assert client.get("/api/v1/reports/").status_code == 200
    users["school"].is_active = False
    users["school"].save()
    assert client.get("/api/v1/reports/").status_code == 401
    users["school"].is_active = True
    users["school"].save()
    assert client.get("/api/v1/reports/").status_code == 200
    day = datetime.timedelta(days=1)
    ApiToken.objects.filter(pk=token.pk).update(
        created_at=token.created_at - 2 * day, expires_at=token.created_at - day
    )
    assert client.get("/api/v1/reports/").status_code == 401

    other = api(users["firm"])
    firm_token = ApiToken.objects.get(user=users["firm"])
    request = RequestFactory().post("/admin/")
    request.user = superuser
    request._messages = type("M", (), {"add": lambda *a, **k: None})()
    ApiTokenAdmin(ApiToken, admin.site).revoke(request, ApiToken.objects.filter(pk=firm_token.pk))
    answer = other.get("/api/v1/reports/")
    assert answer.status_code == 401
    assert "thu hồi" in answer.json()["detail"]  # in Vietnamese: "…đã bị thu hồi"


def test_a_read_only_token_reads_but_cannot_write(users, api):
    client = api(users["school"], write=False)
    assert client.get("/api/v1/reports/").status_code == 200
    answer = client.post(
        "/api/v1/reports/", {"unit": users["school"].organisation_id, "year": 2020, "month": 4}, format="json"
    )
    assert answer.status_code == 403
    assert "chỉ đọc" in answer.json()["detail"]


def test_a_token_limited_to_a_range_refuses_other_addresses(users, api):
    inside = api(users["school"], allowed_networks="127.0.0.0/8")
    assert inside.get("/api/v1/reports/").status_code == 200  # the test client comes from 127.0.0.1
    outside = api(users["school"], allowed_networks="203.0.113.0/24, 2001:db8::/32")
    assert outside.get("/api/v1/reports/").status_code == 401


def test_last_used_is_written_at_most_once_a_minute(users, api, django_assert_num_queries):
    client = api(users["school"])
    client.get("/api/v1/organisations/")
    token = ApiToken.objects.get(user=users["school"])
    first = token.last_used_at
    assert first is not None
    client.get("/api/v1/organisations/")
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - datetime.timedelta(minutes=2))
    client.get("/api/v1/organisations/")
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first - datetime.timedelta(minutes=2)


def test_the_rate_limit_answers_429_with_retry_after(users, api, settings):
    settings.API_RATE_LIMIT = "3/min"
    client, other = api(users["school"]), api(users["school"])
    for _ in range(3):
        assert client.get("/api/v1/organisations/").status_code == 200
    answer = client.get("/api/v1/organisations/")
    assert answer.status_code == 429
    assert 0 < int(answer["Retry-After"]) <= 60
    assert answer.json()["status"] == 429
    assert other.get("/api/v1/organisations/").status_code == 200  # per token, not per user


def test_the_tokens_page_shows_the_secret_once_and_revokes(users):
    client = Client()
    client.force_login(users["school"])
    page = client.post(reverse("api_tokens"), {"name": "điện thoại", "days": 30, "allowed_networks": ""})
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    html = page.content.decode()
    token = ApiToken.objects.get(user=users["school"])
    secret = html.split('id="token-secret">')[1].split("<")[0]
    assert secret.startswith("up_") and secret_hash(secret) == token.secret_hash
    assert (token.expires_at - token.created_at).days == 30 and not token.can_write
    listing = client.get(reverse("api_tokens")).content.decode()
    assert secret not in listing and f"up_…{token.last_four}" in listing
    assert Client().get("/api/v1/reports/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    client.post(reverse("api_token_revoke", args=[token.pk]))
    assert Client().get("/api/v1/reports/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    # Nobody revokes another user's token.
    theirs, _secret = token_create(user=users["firm"], name="x")
    assert client.post(reverse("api_token_revoke", args=[theirs.pk])).status_code == 404
    bad = client.post(reverse("api_tokens"), {"name": "x", "days": 400, "allowed_networks": "not-a-range"})
    assert "not-a-range" in bad.content.decode() and ApiToken.objects.filter(user=users["school"]).count() == 1


def test_the_command_prints_a_secret_once(users):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", "rachgia", "--name", "sync", "--days", "10", "--write", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    token = ApiToken.objects.get(secret_hash=secret_hash(secret))
    assert token.can_write and token.user == users["rach_gia"] and (token.expires_at - token.created_at).days == 10
    with pytest.raises(CommandError):
        call_command("create_api_token", "nobody", "--name", "x", stdout=out, stderr=err)
    with pytest.raises(CommandError):
        call_command("create_api_token", "rachgia", "--name", "x", "--days", "400", stdout=out, stderr=err)


def test_session_writes_need_the_csrf_token(users):
    """The page's session also reads the API; a write through it needs its CSRF token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["school"])
    assert client.get("/api/v1/reports/").status_code == 200
    answer = client.post(
        "/api/v1/reports/",
        {"unit": users["school"].organisation_id, "year": 2020, "month": 4},
        content_type="application/json",
    )
    assert answer.status_code == 403 and "CSRF" in answer.json()["detail"]


def test_errors_are_vietnamese_unless_a_program_asks_for_english(users, api):
    vietnamese = Client().get("/api/v1/reports/", HTTP_AUTHORIZATION="Bearer up_wrong")
    assert vietnamese.json()["title"] == "Cần đăng nhập bằng mã truy cập"
    english = Client().get("/api/v1/reports/", HTTP_AUTHORIZATION="Bearer up_wrong", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["title"] == "Sign in with a token"
    page = Client().get("/login/", HTTP_ACCEPT_LANGUAGE="en")  # the pages stay Vietnamese
    assert "Đăng nhập" in page.content.decode()
