"""The production configuration: check --deploy is clean, gunicorn serves pages and whitenoise
serves the static files, with DEBUG off and secrets from the environment."""

import http.client
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def production_env(tmp_path):
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        SECRET_KEY="test-only-" + "k" * 50,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        STATIC_ROOT=str(tmp_path / "static"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
    )
    return env


def test_check_deploy_reports_nothing(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def fetch(url):
    """A request as the TLS-terminating proxy in front of gunicorn passes it on."""
    return urllib.request.urlopen(urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"}), timeout=5)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_serves_login_page_and_stylesheet(tmp_path):
    env = production_env(tmp_path)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=120
    )
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "unionplan.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                page = fetch(base + "/login/")
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not answer")
        html = page.read().decode()
        assert page.status == 200 and "Đăng nhập" in html
        stylesheet = html.split('rel="stylesheet" href="')[1].split('"')[0]
        assert ".css" in stylesheet and stylesheet != "/static/bootstrap/css/bootstrap.min.css"  # hashed name
        css = fetch(base + stylesheet)
        assert css.status == 200 and b"Bootstrap" in css.read(2000)
        assert "max-age" in css.headers.get("Cache-Control", "")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/login/")  # plain http is sent to https
        plain = connection.getresponse()
        assert plain.status == 301 and plain.getheader("Location").startswith("https://")
    finally:
        server.terminate()
        server.wait(timeout=10)
