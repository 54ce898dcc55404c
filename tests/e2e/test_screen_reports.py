"""The report pages in Chromium: a manager signs in and goes through a report with the
keyboard alone (every page axe-clean), downloads a table as CSV, and cannot reach a
call's pages. The service serves hand-made reports (tests/e2e/report_service.py)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from tests.e2e.conftest import PASSWORD, Handler, Service, profile


@pytest.fixture
def browser_context_pair(browser: Browser, report_service: Service
                         ) -> Iterator[tuple[Handler, Handler]]:
    """A handler and a manager, each at a browser profile of their own."""
    first, second = profile(browser), profile(browser)
    yield (Handler(first.new_page(), report_service),
           Handler(second.new_page(), report_service))
    first.close()
    second.close()


def sign_in_by_keyboard(user: Handler, username: str) -> None:
    page = user.page
    user.goto("/sign-in")
    user.tab_to("#username")
    page.keyboard.type(username)
    user.tab_to("#password")
    page.keyboard.type(PASSWORD)
    user.tab_to("form[action='/sign-in'] button")
    user.press_to_next_page()


def test_a_manager_goes_through_a_report_with_the_keyboard_alone(
        context: BrowserContext, report_service: Service, tmp_path: Path) -> None:
    manager = Handler(context.new_page(), report_service)
    page = manager.page
    sign_in_by_keyboard(manager, "demo-manager")
    # A manager lands on the reports, not on the call screen.
    assert page.url == f"{report_service.url}/reports"
    assert manager.heading() == "Reports"

    manager.tab_to("a[href='/reports/contacts']")
    manager.press_to_next_page()
    assert manager.heading() == "Who calls and why"
    expect(page.locator("#as-of")).to_contain_text("Figures as of 09:42")
    # Every chart is an image with its own name, and a text label on every bar.
    chart = page.get_by_role("img", name="Contacts by caller type")
    expect(chart).to_be_visible()
    expect(chart.locator("text", has_text="GP or community health")).to_have_count(1)

    # The period form with the keyboard: a start date, by month, then show the report.
    manager.tab_to("#start-day")
    page.keyboard.press("Control+A")
    page.keyboard.type("1")
    manager.tab_to("#start-month")
    page.keyboard.press("Control+A")
    page.keyboard.type("10")
    manager.tab_to("#start-year")
    page.keyboard.press("Control+A")
    page.keyboard.type("2026")
    manager.tab_to("#end-day")
    page.keyboard.press("Control+A")
    page.keyboard.type("31")
    manager.tab_to("#end-month")
    page.keyboard.press("Control+A")
    page.keyboard.type("12")
    manager.tab_to("#end-year")
    page.keyboard.press("Control+A")
    page.keyboard.type("2026")
    manager.tab_to("input[name=by]")
    page.keyboard.press("ArrowRight")  # By month
    manager.tab_to("#period-form button")
    manager.press_to_next_page()
    expect(page.locator("#report-period")).to_contain_text(
        "1 October 2026 to 31 December 2026, by month")
    expect(page.locator("input[name=by][value=month]")).to_be_checked()

    # The table is one key press away from its chart.
    table = page.locator("#table-caller-type")
    expect(table).to_be_hidden()
    manager.tab_to("#details-caller-type summary")
    page.keyboard.press("Enter")
    expect(table).to_be_visible()
    expect(table.locator("tr", has_text="GP or community health")).to_contain_text("90")

    # The CSV link downloads the table, from the keyboard too.
    manager.tab_to("#csv-caller-type")
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    download = download_info.value
    assert download.suggested_filename == "contacts-caller-type-2026-10-01-to-2026-12-31.csv"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8"))))
    assert rows[0] == ["Caller type", "Contacts", "Share (%)"]
    assert rows[2] == ["GP or community health", "90", "30.0"]
    manager.check_page()  # still axe-clean with the table open

    # Back to the list, by the back link.
    manager.tab_to("a.govuk-back-link")
    manager.press_to_next_page()
    assert manager.heading() == "Reports"


def test_the_period_forms_problems_are_summarised_and_axe_clean(
        context: BrowserContext, report_service: Service) -> None:
    manager = Handler(context.new_page(), report_service)
    manager.sign_in("demo-manager")
    manager.goto("/reports/contacts?start-day=1&start-month=10&start-year=2026"
                 "&end-day=1&end-month=9&end-year=2026&by=week")
    page = manager.page
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("End date must be the same as or after the start date")
    expect(summary).to_be_focused()  # GOV.UK Frontend moves the focus to the summary
    page.get_by_role("link", name="End date must be the same as or after the start date").click()
    expect(page.locator("#end-day")).to_be_focused()


def test_equity_figures_call_out_flagged_groups_in_words(
        context: BrowserContext, report_service: Service) -> None:
    supervisor = Handler(context.new_page(), report_service)
    supervisor.sign_in("demo-supervisor")
    assert supervisor.heading() == "Reports"
    supervisor.click("Equity and escalations", role="link")
    page = supervisor.page
    expect(page.locator("#flagged-deflection-by-language")).to_have_text(
        "Called out: Polish differs from the whole by more than 10 points.")
    expect(page.locator("#notes-deflection-by-language")).to_contain_text(
        "312 older contacts lack a preferred language")
    expect(page.locator("#table-escalation-times")).to_be_visible()  # a table-only figure


def test_a_manager_cannot_reach_a_call_page(browser_context_pair: tuple[Handler, Handler]
                                            ) -> None:
    handler, manager = browser_context_pair
    handler.sign_in()
    handler.start_call()
    call_path = handler.page.url.removeprefix(handler.service.url)
    assert call_path.startswith("/calls/")

    manager.sign_in("demo-manager")
    for path in (call_path, f"{call_path}/check", f"{call_path}/outcome", "/"):
        manager.goto(path)
        if path == "/":
            assert manager.heading() == "Reports"
            continue
        assert manager.heading() == "This screen is for call handlers"
        expect(manager.page.locator("main")).not_to_contain_text("Who is calling")


def test_a_handler_who_opens_the_reports_gets_the_403_page(
        context: BrowserContext, report_service: Service) -> None:
    handler = Handler(context.new_page(), report_service)
    handler.sign_in()
    handler.goto("/reports/contacts")
    assert handler.heading() == "Reports are for managers and supervisors"
    expect(handler.page.locator("main")).not_to_contain_text("GP or community health")
