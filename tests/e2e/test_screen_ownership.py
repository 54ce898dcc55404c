"""A handler's calls in progress on the start page, and another handler's call at the screen:
whose it is, and taking it over. Every page visited is checked with axe-core."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from api.service import hash_password
from api.storage import SqlRepository, database_url, make_engine
from tests.e2e.conftest import PASSWORD, Handler, Service, profile

GP = "A GP or community health professional"


def add_handler(service: Service, display_name: str) -> str:
    """A new call handler in the running service's database; returns the user name."""
    username = f"handler-{uuid.uuid4().hex[:8]}"
    store = SqlRepository(make_engine(database_url(None, service.home)))
    try:
        store.put_user(username, display_name, "handler", hash_password(PASSWORD))
    finally:
        store.engine.dispose()
    return username


@pytest.fixture
def second_context(browser: Browser) -> Iterator[BrowserContext]:
    """Another browser profile, for a second handler signed in at the same time."""
    ctx = profile(browser)
    yield ctx
    ctx.close()


def calls_in_progress(handler: Handler) -> list[list[str]]:
    """The rows of 'Your calls in progress': started, where, last changed, link."""
    rows: list[list[str]] = handler.page.eval_on_selector_all(
        "#my-calls tbody tr",
        "rows => rows.map(r => [...r.querySelectorAll('td, th')].map(c => c.innerText.trim()))")
    return rows


def test_a_handler_goes_back_to_a_call_in_progress_from_the_start_page(
        handler: Handler, service: Service) -> None:
    username = add_handler(service, "Alex Newstart")
    handler.sign_in(username)
    page = handler.page
    expect(page.get_by_role("heading", name="Your calls in progress")).to_be_visible()
    expect(page.locator("#no-calls")).to_contain_text("You have no calls in progress")

    handler.start_call()
    first = page.url
    handler.answer("Who is calling", GP)
    handler.goto("/")
    handler.start_call()
    second = page.url
    handler.goto("/")

    rows = calls_in_progress(handler)
    assert [row[1] for row in rows] == ["Who is calling", "Red flag: immediate danger to life"]
    assert all(row[0].startswith("Today at ") and row[3].startswith("Continue") for row in rows)
    links = page.locator("#my-calls a").evaluate_all("links => links.map(a => a.href)")
    assert links == [second, first]  # newest first
    expect(page.locator("#no-calls")).to_have_count(0)

    with page.expect_navigation():
        page.locator(f"#my-calls a[href='{first.removeprefix(service.url)}']").click()
    handler.check_page()
    assert page.url == first
    assert handler.heading() == "Red flag: immediate danger to life"
    assert handler.known() == {"Caller": GP}
    handler.answer("Red flag: immediate danger to life", "Yes")
    assert handler.heading() == "Emergency services now"
    handler.page.get_by_label("Why the person check was not done", exact=True).fill(
        "the caller would not say")
    handler.click("Finish without the person check")
    handler.goto("/")
    assert [row[1] for row in calls_in_progress(handler)] == ["Who is calling"]


def test_another_handler_sees_whose_call_it_is_and_can_take_it_over_with_a_reason(
        handler: Handler, second_context: BrowserContext, service: Service) -> None:
    handler.sign_in()
    handler.start_call()
    handler.answer("Who is calling", GP)
    call_url = handler.page.url
    call_path = call_url.removeprefix(service.url)

    other = Handler(second_context.new_page(), service)
    other.sign_in(add_handler(service, "Robin Other"))
    other.goto(call_path)
    page = other.page
    assert other.heading() == "This call belongs to Demo handler"
    assert "last changed today at" in page.locator("#owner").inner_text()
    # Nothing about the call or the caller is shown to another handler.
    expect(page.locator("#known-person")).to_have_count(0)
    expect(page.get_by_text(GP)).to_have_count(0)

    other.click("Take over this call")
    assert page.title().startswith("Error: ")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter why you are taking over this call")
    expect(page.locator(".govuk-error-summary a")).to_have_attribute("href", "#reason")

    page.get_by_label("Why you are taking over this call").fill(
        "Demo handler has gone off shift and the caller rang back.")
    other.click("Take over this call")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "You have taken over this call")
    assert page.url == call_url
    assert other.heading() == "Red flag: immediate danger to life"
    assert other.known() == {"Caller": GP}
    other.goto("/")
    assert [row[1] for row in calls_in_progress(other)] == ["Red flag: immediate danger to life"]

    # The first handler's page is now out of date: their answer is not saved, and they
    # are told who has the call.
    handler.answer("Red flag: immediate danger to life", "No")
    assert handler.heading() == "This call belongs to Robin Other"
    expect(handler.page.locator(".govuk-inset-text")).to_contain_text("was not saved")
    handler.goto("/")
    assert call_path not in handler.page.locator("#main-content").inner_html()

    other.goto(call_path)
    other.answer("Red flag: immediate danger to life", "Yes")
    other.page.get_by_label("Why the person check was not done", exact=True).fill(
        "the caller would not say")
    other.click("Finish without the person check")
    # A finished call cannot be taken over, so the page offers no form.
    handler.goto(call_path)
    assert handler.heading() == "This call belongs to Robin Other"
    expect(handler.page.locator("#finished")).to_contain_text("cannot be taken over")
    expect(handler.page.get_by_role("button", name="Take over this call")).to_have_count(0)
