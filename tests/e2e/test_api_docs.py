"""The API's documentation page works in a real browser under the app's CSP: Swagger UI
(served by the app from the sidecar package) renders the schema, nothing is blocked."""

import pytest

from tests.e2e.test_content_security_policy import violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_without_policy_violations(browser, live_server):
    page = browser.new_page(base_url=live_server.url)
    blocked = violations(page, ["/api/v1/docs/"])
    page.locator(".swagger-ui .info .title").wait_for()
    assert "UnionPlan API" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock").count() > 10  # the operations, read from /api/v1/schema/
    assert blocked == []
