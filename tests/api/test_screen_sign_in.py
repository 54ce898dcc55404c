"""The screen's sign-in form: a pre-session CSRF token stops another site signing a
browser in ("login CSRF"), a refused sign-in sets no cookie, and too many failures are
told plainly with the GOV.UK error summary."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import PASSWORD, MakeService, Service, sign_in_form_token

FORM = {"username": "demo-handler", "password": PASSWORD, "next": "/"}


def fresh_browser(service: Service) -> TestClient:
    """A browser with no cookies, on the shared service."""
    return TestClient(service.app)


def sign_in_page(browser: TestClient) -> str:
    """Open the sign-in page; the token its form carries."""
    page = browser.get("/sign-in")
    assert page.status_code == 200
    return sign_in_form_token(page.text)


def refused_without_a_cookie(reply: httpx.Response) -> None:
    assert reply.status_code == 403, reply.text
    assert "This form could not be accepted" in reply.text
    assert "set-cookie" not in reply.headers


def test_the_sign_in_page_gives_its_form_a_token_kept_in_a_strict_cookie(
        service: Service) -> None:
    browser = fresh_browser(service)
    token = sign_in_page(browser)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    cookie = browser.get("/sign-in").headers["set-cookie"]
    assert cookie.startswith(f"triage_sign_in={token};")  # the same token, kept
    assert {"httponly", "samesite=strict", "path=/sign-in"} <= {
        part.strip().lower() for part in cookie.split(";")}
    signed_in = browser.post("/sign-in", data={**FORM, "csrf": token},
                             follow_redirects=False)
    assert signed_in.status_code == 303
    cookies = signed_in.headers.get_list("set-cookie")
    assert any(c.startswith("triage_session=") for c in cookies)
    assert any(c.startswith('triage_sign_in=""') for c in cookies)  # no longer needed


def test_a_cross_site_sign_in_with_no_origin_and_no_referer_is_refused_and_sets_no_cookie(
        service: Service) -> None:
    # What another site's auto-submitting form does: the browser sends no cookie of ours
    # (SameSite), the attacker cannot know a token, and may suppress Origin and Referer.
    refused_without_a_cookie(fresh_browser(service).post(
        "/sign-in", data=FORM, follow_redirects=False))
    token = sign_in_page(fresh_browser(service))  # a token of the attacker's own
    refused_without_a_cookie(fresh_browser(service).post(
        "/sign-in", data={**FORM, "csrf": token}, follow_redirects=False))


@pytest.mark.parametrize("tamper", ["another token", "no token", "other site"])
def test_a_sign_in_form_that_does_not_match_its_cookie_is_refused(
        service: Service, tamper: str) -> None:
    browser = fresh_browser(service)
    token = sign_in_page(browser)
    data, headers = {**FORM, "csrf": token}, {}
    if tamper == "another token":
        data["csrf"] = sign_in_page(fresh_browser(service))
    elif tamper == "no token":
        del data["csrf"]
    else:
        headers = {"Origin": "https://elsewhere.example"}
    refused_without_a_cookie(browser.post("/sign-in", data=data, headers=headers,
                                          follow_redirects=False))


def test_a_wrong_password_on_the_screen_sets_no_cookie_and_keeps_the_form_usable(
        service: Service) -> None:
    browser = fresh_browser(service)
    token = sign_in_page(browser)
    wrong = browser.post("/sign-in", data={**FORM, "csrf": token, "password": "nope"},
                         follow_redirects=False)
    assert wrong.status_code == 401
    assert "set-cookie" not in wrong.headers
    assert sign_in_form_token(wrong.text) == token
    right = browser.post("/sign-in", data={**FORM, "csrf": token}, follow_redirects=False)
    assert right.status_code == 303


def test_too_many_failures_on_the_screen_say_how_long_to_wait_in_the_error_summary(
        make_service: MakeService) -> None:
    service = make_service("sqlite")
    browser = TestClient(service.app)
    token = sign_in_page(browser)
    for _ in range(5):
        reply = browser.post("/sign-in", data={**FORM, "csrf": token, "password": "nope"})
        assert reply.status_code == 401
    refused = browser.post("/sign-in", data={**FORM, "csrf": token}, follow_redirects=False)
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "120"
    assert "set-cookie" not in refused.headers
    summary = re.search(r'<div class="govuk-error-summary".*?</div>\s*</div>', refused.text,
                        re.DOTALL)
    assert summary is not None
    assert "There is a problem" in summary.group(0)
    assert re.search(r'<a href="#username">\s*Too many attempts. Wait 2 minutes, then try '
                     r'again.\s*</a>', summary.group(0))
    assert "<title>Error: Sign in" in refused.text
    assert 'id="username-error"' in refused.text  # the message by the field, too
