"""A whole call taken with the keyboard alone: Tab, Enter, Space, and the
arrow keys inside a group of radios (a radio group is a single Tab stop in every browser).
"""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, Handler


def test_a_gp_referral_can_be_taken_with_the_keyboard_alone(handler: Handler) -> None:
    page = handler.page
    handler.goto("/sign-in")
    handler.tab_to("#username")
    page.keyboard.type("demo-handler")
    handler.tab_to("#password")
    page.keyboard.type(PASSWORD)
    handler.tab_to("form[action='/sign-in'] button")
    handler.press_to_next_page()

    assert handler.heading() == "Start a call"
    handler.tab_to("form[action='/calls'] button")
    handler.press_to_next_page()

    # The first Tab on a page reaches the skip link, which moves the focus to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"

    assert handler.heading() == "Who is calling"
    handler.choose_by_keyboard(6)  # A GP or community health professional
    handler.continue_by_keyboard()
    for heading in ("Red flag: immediate danger to life",
                    "Red flag: adult at risk of abuse or neglect",
                    "Red flag: mental health crisis"):
        assert handler.heading() == heading
        handler.choose_by_keyboard(1)  # No
        handler.continue_by_keyboard()

    assert handler.heading() == "Is the person known to adult social care"
    handler.tab_to("input[name=answer][value=not_known]")
    page.keyboard.press("Space")
    handler.continue_by_keyboard()

    # Someone else is calling: does the person know and agree (asked once, here).
    assert handler.heading() == "Does the person know and agree"
    handler.choose_by_keyboard(0)  # They know about this contact and agree to it
    handler.continue_by_keyboard()

    assert handler.heading() == "Reason for the call"
    handler.choose_by_keyboard(7)  # Referral from a professional
    handler.continue_by_keyboard()
    assert handler.heading() == "Urgent today"
    handler.choose_by_keyboard(1)  # No
    handler.continue_by_keyboard()

    # Back with the keyboard: the earlier answer is shown, and Enter keeps it.
    handler.tab_to("a.govuk-back-link")
    handler.press_to_next_page()
    assert handler.heading() == "Urgent today"
    expect(page.locator("input[name=answer][value=no]")).to_be_checked()
    handler.tab_to("form[action$='/change'] button")
    handler.press_to_next_page()

    assert handler.heading() == "Can the professional use the portal"
    handler.choose_by_keyboard(0)  # Yes
    handler.continue_by_keyboard()

    assert handler.heading() == "Online service"
    handler.tab_to("form[action$='/finish'] button")
    handler.press_to_next_page("Space")
    expect(page.locator(".govuk-panel")).to_contain_text("Contact recorded")
