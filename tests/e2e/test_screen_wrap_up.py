"""The wrap-up on the screen, in a real browser: an escalation at the red-flag screen,
then the person check with the person's earlier contacts, a further need, and finishing
with a record for each need. Every page visited is checked with axe-core by the
:class:`Handler` helper."""

from __future__ import annotations

from playwright.sync_api import BrowserContext, expect

from tests.e2e.conftest import Handler, Service
from tests.e2e.test_screen_person_check import (
    AGREES,
    CONSENT,
    NOT_KNOWN,
    PERSON_CHECK,
    open_case,
    to_person_check,
)
from triage.matching.records import PersonRecord

INFORMATION = "Information and advice"
LOCAL_GROUPS = "Local groups, activities, lunch clubs, befriending or day opportunities"


def earlier_call_about(handler: Handler, person: PersonRecord) -> None:
    """A finished call about ``person``: their earlier contact."""
    to_person_check(handler)
    handler.search(nhs_number=person.nhs_number or "")
    handler.page.locator(f"input[name=answer][value={person.system_id}]").check()
    handler.click("Confirm and continue")
    handler.answer(CONSENT, AGREES)  # a family member calls about the person
    handler.answer("Reason for the call", INFORMATION)
    handler.answer("What the caller wants to know about", LOCAL_GROUPS)
    handler.click("Finish and record the contact")
    expect(handler.page.locator(".govuk-panel")).to_contain_text("Contact recorded")


def test_an_escalation_is_wrapped_up_with_the_person_check_and_a_further_need(
        context: BrowserContext, own_service: Service) -> None:
    person = open_case(alert=None)
    handler = Handler(context.new_page(), own_service)
    earlier_call_about(handler, person)
    page = handler.page

    handler.goto("/")
    handler.start_call()
    handler.answer("Who is calling", "Family member, friend or neighbour")
    handler.answer("Red flag: immediate danger to life", "Yes")
    # The outcome is shown at once; the call is not finished: the wrap-up follows.
    expect(page.locator("#outcome-summary")).to_be_visible()
    expect(page.locator(".govuk-panel")).to_have_count(0)
    expect(page.locator("#person-check")).to_be_visible()

    # Finishing without the person check needs a reason.
    handler.click("Finish without the person check")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Do the person check above, or enter why it cannot be done")
    handler.check_page()

    handler.search(nhs_number=person.nhs_number or "")
    found = page.locator(f"input[name=answer][value={person.system_id}]")
    hint = page.locator(f"#{found.get_attribute('id')}-item-hint").inner_text()
    assert hint.startswith("Very likely the same person: confirm with the caller.")
    assert "NHS number agrees" in hint and "score" not in hint
    found.check()
    handler.click("Confirm the person check")
    expect(page.locator("#person-check")).to_have_count(0)
    table = page.locator("#earlier-contacts-table")
    expect(table).to_contain_text("Information and advice")
    expect(table).to_contain_text("Signpost")
    assert handler.known()["Allocated worker"] == person.allocated_worker
    expect(page.locator("#outcome-summary")).to_be_visible()  # the outcome stayed

    handler.click("Record a further need")
    # The call escalated before the consent question: the further need asks it first.
    handler.answer(CONSENT, AGREES)
    handler.answer("Reason for the call", INFORMATION)
    handler.answer("What the caller wants to know about", LOCAL_GROUPS)
    needs = page.locator("#needs")
    expect(needs.locator("tbody tr")).to_have_count(2)
    handler.click("Finish and record the contacts")
    expect(page.locator(".govuk-panel")).to_contain_text("Contact recorded")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The 2 contact records (one for each need) were written.")
    handler.check_page()


def test_finishing_without_the_person_check_records_why(
        context: BrowserContext, own_service: Service) -> None:
    handler = Handler(context.new_page(), own_service)
    handler.sign_in()
    handler.start_call()
    handler.answer("Who is calling", "Family member, friend or neighbour")
    handler.answer("Red flag: immediate danger to life", "Yes")
    handler.page.get_by_label("Why the person check was not done", exact=True).fill(
        "the caller would not say")
    handler.click("Finish without the person check")
    expect(handler.page.locator(".govuk-panel")).to_contain_text("Contact recorded")
    assert PERSON_CHECK and NOT_KNOWN  # the person check page's words are shared
