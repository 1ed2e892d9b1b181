"""The API describes itself: an OpenAPI 3 schema, and its documentation page served by the
app (Swagger UI from the sidecar package, no CDN) under the app's Content-Security-Policy."""

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_schema_is_openapi_3_and_names_every_endpoint():
    response = Client().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/v1/resolutions/",
        "/api/v1/organisations/",
        "/api/v1/reports/",
        "/api/v1/reports/{id}/",
        "/api/v1/reports/{id}/approve/",
        "/api/v1/reports/import/",
        "/api/v1/progress/",
        "/api/v1/completeness/",
    ):
        assert path in schema["paths"], path
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_the_docs_page_loads_its_assets_from_the_app_and_keeps_the_csp():
    client = Client()
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "<script>" not in html and "<style>" not in html  # nothing inline the CSP would block
    assert "cdn" not in html.lower() and "https://" not in html
    scripts = [part.split('"')[0] for part in html.split('src="')[1:]]
    assert any("swagger-ui-bundle.js" in src for src in scripts)
    styles = [part.split('"')[0] for part in html.split('rel="stylesheet" href="')[1:]]
    for url in scripts + styles:
        if url.startswith(settings.STATIC_URL) or url.startswith("/" + settings.STATIC_URL):
            assert finders.find(url.split(settings.STATIC_URL, 1)[1]), url  # a file of a package, served here
        else:  # the init script: the view itself, as JavaScript
            answer = client.get(url)
            assert answer.status_code == 200 and "javascript" in answer["Content-Type"], url
            assert "SwaggerUIBundle" in answer.content.decode()
