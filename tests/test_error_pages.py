"""Error pages (400, 403, 404, 500 and the CSRF failure) are in Vietnamese, in the app's look,
with a way back to the home page; the 500 page renders even when the database is what failed.

Tests run with DEBUG=False (pytest-django's default), so Django answers with these
templates, not its debug pages. The views below raise on purpose; this module is the URL
configuration of the tests that use them (the app's own URLs plus these)."""

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import OperationalError
from django.http import Http404
from django.test import Client, RequestFactory
from django.urls import include, path, reverse
from django.utils import translation
from django.views import defaults

from .conftest import PASSWORD


def broken_database(request):
    raise OperationalError("could not connect to server")


def crash(request):
    raise ZeroDivisionError


def forbidden(request):
    raise PermissionDenied


def suspicious(request):
    raise SuspiciousOperation("tampered")


def missing(request):
    raise Http404


urlpatterns = [
    path("", include("unionplan.urls")),
    path("test-errors/database/", broken_database),
    path("test-errors/crash/", crash),
    path("test-errors/forbidden/", forbidden),
    path("test-errors/suspicious/", suspicious),
    path("test-errors/missing/", missing),
]

HOME = "/"


def assert_error_page(response, status, heading):
    """The page has the status, the Vietnamese heading, the app's stylesheets and a link home."""
    text = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert '<html lang="vi">' in text
    assert heading in text
    assert "/static/css/unionplan.css" in text and "/static/bootstrap/css/bootstrap.min.css" in text
    assert f'href="{HOME}">Về trang chủ</a>' in text
    # No English left over from Django's bare pages.
    for english in ("Not Found", "Server Error", "Forbidden", "Bad Request", "CSRF verification failed"):
        assert english not in text
    return text


@pytest.fixture
def client_without_exceptions(client):
    """A client that shows what a browser gets when a view raises: the 500 page."""
    client.raise_request_exception = False
    return client


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_500_page_when_the_database_fails(client_without_exceptions):
    response = client_without_exceptions.get("/test-errors/database/")
    text = assert_error_page(response, 500, "Đã xảy ra lỗi")
    assert "báo cho quản trị viên" in text
    assert "could not connect" not in text  # no internals shown


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_500_page_for_any_error(client_without_exceptions):
    assert_error_page(client_without_exceptions.get("/test-errors/crash/"), 500, "Đã xảy ra lỗi")


def test_500_page_renders_with_no_database_and_no_request_context():
    """Django's 500 handler, called directly: no request context, and no database access
    allowed (this test has no django_db mark, so any query would fail it). The language is
    the one the middleware would have chosen."""
    with translation.override("vi"):
        response = defaults.server_error(RequestFactory().get("/"))
    assert_error_page(response, 500, "Đã xảy ra lỗi")


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_403_page(client):
    text = assert_error_page(client.get("/test-errors/forbidden/"), 403, "Không có quyền truy cập")
    assert "quản trị viên" in text


@pytest.mark.django_db
def test_403_page_of_a_real_refusal(client, users):
    """A grassroots officer may not open the review list."""
    client.force_login(users["school"])
    assert_error_page(client.get(reverse("review_list")), 403, "Không có quyền truy cập")


@pytest.mark.django_db
def test_404_page(client, users):
    client.force_login(users["school"])
    assert_error_page(client.get("/khong-co-trang-nay/"), 404, "Không tìm thấy trang")


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_404_page_raised_by_a_view(client):
    assert_error_page(client.get("/test-errors/missing/"), 404, "Không tìm thấy trang")


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_400_page(client):
    assert_error_page(client.get("/test-errors/suspicious/"), 400, "Yêu cầu không hợp lệ")


@pytest.mark.django_db
def test_400_page_for_a_foreign_host_name(client):
    assert_error_page(client.get("/", HTTP_HOST="not-our-site.example"), 400, "Yêu cầu không hợp lệ")


@pytest.mark.django_db
def test_csrf_failure_page(users):
    """A log-in form sent without its CSRF token (an expired page, say)."""
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(reverse("login"), {"username": "tinh", "password": PASSWORD})
    text = assert_error_page(response, 403, "Biểu mẫu không được chấp nhận")
    assert "chưa có gì được lưu" in text
    assert "_auth_user_id" not in browser.session


@pytest.mark.django_db
def test_error_pages_follow_the_chosen_language(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "Back to the home page" in response.content.decode()
