"""Browser tests: the app served on a loopback port by pytest-django's ``live_server``,
driven by Playwright through Debian's Chromium (never a downloaded browser).

Without Chromium (or Playwright) these tests are skipped with a message saying how to
install it; in CI (``CI`` set) the same condition fails the run instead.
"""

import os

import pytest

from tests.conftest import PASSWORD

# Debian's package; another build can be named by UNIONPLAN_CHROMIUM (never one Playwright downloads).
CHROMIUM = os.environ.get("UNIONPLAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _unavailable(reason):
    """Skip the browser tests on a developer's machine; fail them in CI, where they must run."""
    message = f"browser tests not run: {reason}"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI is set, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Each log-in checks a password: a fast hasher keeps the browser tests quick (the
    log-in form, django-axes and the session are the same as with the production hasher)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def browser(monkeypatch):
    """A headless Chromium for one test (about a second to start).

    Playwright's sync API runs an event loop in the test thread while it is open; Django
    refuses ORM calls from such a thread unless DJANGO_ALLOW_ASYNC_UNSAFE says it is safe (it
    is: the loop only talks to the browser). Function-scoped so that the variable is set only
    while a browser runs: left in the process environment it leaked into other tests'
    subprocesses (``check --deploy`` warns about it), and the loop is gone before the
    database is flushed after the test."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (`make install` installs the dev extras)")
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"Chromium was not found at {CHROMIUM}; install it with `apt-get install chromium`")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def log_in(browser, live_server):
    """``log_in(username)``: a fresh browser context (one person at their own computer)
    whose user typed their name and password into the log-in form. Returns the page."""
    contexts = []

    def log_in(username, *, login_path="/login/"):
        context = browser.new_context(base_url=live_server.url, locale="vi-VN", accept_downloads=True)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(login_path)
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("form [type=submit]")
        page.wait_for_load_state()
        assert "/login/" not in page.url, f"{username} could not log in: {page.inner_text('body')[:500]}"
        return page

    yield log_in
    for context in contexts:
        context.close()
