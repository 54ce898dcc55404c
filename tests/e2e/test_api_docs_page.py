"""The API documentation at /docs in a real browser: only for someone signed in, served
from this service alone (Swagger UI from the project's npm packages), under the strict
Content Security Policy, with every operation shown and "Try it out" working."""

from __future__ import annotations

import json
import re

from playwright.sync_api import BrowserContext, Page, Route

from tests.e2e.conftest import PASSWORD, Service


def watch(page: Page, context: BrowserContext, service: Service) -> tuple[list[str], list[str]]:
    """Everything the browser complains about (console errors and warnings, script errors,
    failed requests), and every request it tried to send anywhere but this service; those
    are stopped before they leave the machine."""
    complaints: list[str] = []
    elsewhere: list[str] = []
    local = re.compile(rf"^(http://127\.0\.0\.1:{service.port}/|data:|blob:|about:)")

    def stop(route: Route) -> None:
        elsewhere.append(route.request.url)
        route.abort()

    context.route(lambda url: not local.match(url), stop)
    page.on("console", lambda m: complaints.append(f"{m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: complaints.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: complaints.append(f"failed: {r.url}"))
    return complaints, elsewhere


def test_the_api_documentation_opens_after_sign_in_and_loads_nothing_from_elsewhere(
        context: BrowserContext, service: Service) -> None:
    page = context.new_page()
    complaints, elsewhere = watch(page, context, service)

    page.goto(f"{service.url}/docs")
    assert page.url == f"{service.url}/sign-in?next=%2Fdocs"  # not signed in: sign in first
    page.get_by_label("User name").fill("demo-designer")  # any role may read the docs
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert page.url == f"{service.url}/docs"

    page.locator(".opblock").first.wait_for()
    document = json.loads(page.request.get(f"{service.url}/openapi.json").text())
    operations = sum(len(methods) for methods in document["paths"].values())
    shown = page.locator(".opblock").count()
    assert shown == operations >= 15
    assert page.locator(".opblock-summary-path", has_text="/api/calls/{call_id}/answer").count()

    policy = page.request.get(f"{service.url}/docs").headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe" not in policy and "http" not in policy
    assert complaints == []
    assert elsewhere == []


def test_try_it_out_on_the_docs_page_starts_a_call_with_the_browsers_session(
        context: BrowserContext, service: Service) -> None:
    # The page's requests carry the session cookie and come from the service's own page,
    # so the API's same-origin check for cookie-signed changes lets them through.
    page = context.new_page()
    complaints, elsewhere = watch(page, context, service)
    page.goto(f"{service.url}/sign-in?next=%2Fdocs")
    page.get_by_label("User name").fill("demo-handler")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()

    operation = page.locator("#operations-calls-start_call")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.locator("textarea.body-param__text").fill('{"pathway": "front-door"}')
    operation.get_by_role("button", name="Execute").click()
    status = operation.locator(".live-responses-table .response .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip() == "201"
    assert '"step_id": "caller_type"' in operation.locator(
        ".live-responses-table .response-col_description pre").first.inner_text()
    assert complaints == []
    assert elsewhere == []
