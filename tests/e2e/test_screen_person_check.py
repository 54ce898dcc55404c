"""The person check and the sent link are kept with the call, not in the server's memory.

Every page visited is checked with axe-core by the :class:`Handler` helper.
"""

from __future__ import annotations

from playwright.sync_api import BrowserContext, expect

from tests.e2e.conftest import Handler, Service
from triage.adapters.clients import demo_people
from triage.matching.records import PersonRecord

PERSON_CHECK = "Is the person known to adult social care"
NOT_KNOWN = "Not known to adult social care"
CONSENT = "Does the person know and agree"
AGREES = "They know about this contact and agree to it"


def open_case(*, alert: str | None) -> PersonRecord:
    """Someone in the demo index with an open case and an allocated worker."""
    return next(p for p in demo_people()
                if p.case_status.value == "open" and p.allocated_worker and p.postcode
                and (alert in p.alerts if alert else not p.alerts))


def details(person: PersonRecord) -> dict[str, str]:
    assert person.date_of_birth is not None
    return {"given_name": person.given_name.split()[0], "family_name": person.family_name,
            "day": str(person.date_of_birth.day), "month": str(person.date_of_birth.month),
            "year": str(person.date_of_birth.year)}


def to_person_check(handler: Handler) -> None:
    handler.sign_in()
    handler.start_call()
    handler.answer("Who is calling", "Family member, friend or neighbour")
    handler.answer("Red flag: immediate danger to life", "No")
    handler.answer("Red flag: adult at risk of abuse or neglect", "No")
    handler.answer("Red flag: mental health crisis", "No")
    assert handler.heading() == PERSON_CHECK
    # What to check is guidance for the handler, set apart from the words to read.
    assert "never read out details from a record" in handler.guidance()
    assert "never read out details from a record" not in handler.words()


def candidate_label(handler: Handler, person: PersonRecord) -> str:
    """The words beside the radio that confirms ``person`` (it must be shown)."""
    radio = handler.page.locator(f"input[name=answer][value={person.system_id}]")
    expect(radio).to_have_count(1)
    return handler.page.locator(f"label[for='{radio.get_attribute('id')}']").inner_text()


def test_the_people_found_and_the_link_not_sent_are_still_shown_after_a_restart(
        context: BrowserContext, own_service: Service) -> None:
    person = open_case(alert=None)
    handler = Handler(context.new_page(), own_service)
    to_person_check(handler)
    handler.search(**details(person))
    born = f"Year of birth: {details(person)['year']}"
    assert born in candidate_label(handler, person)
    at = handler.page.url

    own_service.kill()
    own_service.start()
    handler.page.reload()
    handler.check_page()
    page = handler.page
    assert page.url == at
    # The people found and the details searched on come from the saved call.
    assert born in candidate_label(handler, person)
    expect(page.locator("#search-results")).to_contain_text("People found")
    expect(page.get_by_label("Last name", exact=True)).to_have_value(person.family_name)
    expect(page.get_by_label("Year", exact=True)).to_have_value(details(person)["year"])

    handler.answer(PERSON_CHECK, NOT_KNOWN, button="Confirm and continue")
    handler.answer(CONSENT, AGREES)
    handler.answer("Reason for the call", "Information and advice")
    handler.answer("What the caller wants to know about",
                   "Local groups, activities, lunch clubs, befriending or day opportunities")
    assert handler.heading() == "Signpost to community services"
    page.get_by_label("Text message", exact=True).check()
    page.get_by_label("Mobile number or email address").fill("07700 900123")
    handler.click("Send the link")
    sent = page.locator("#messages")
    expect(sent).to_contain_text("Not sent: GOV.UK Notify is not configured")
    expect(sent).to_contain_text("(text to ...123)")
    assert "Link sent" not in sent.inner_text()
    assert "900123" not in page.locator("#main-content").inner_text()

    # The list is the stored record of the attempt: it is there after another restart.
    own_service.kill()
    own_service.start()
    page.reload()
    handler.check_page()
    expect(page.locator(".govuk-notification-banner")).to_have_count(0)
    expect(page.locator("#messages li")).to_have_count(1)
    expect(page.locator("#messages")).to_contain_text("Not sent: GOV.UK Notify is not configured")


def test_the_person_can_be_changed_from_check_your_answers_and_the_call_follows(
        handler: Handler) -> None:
    flagged = open_case(alert="safeguarding")
    clear = open_case(alert=None)
    to_person_check(handler)
    handler.search(**details(flagged))
    page = handler.page
    page.locator(f"input[name=answer][value={flagged.system_id}]").check()
    handler.click("Confirm and continue")
    assert handler.known()["Alerts"] == "Safeguarding flag"
    handler.answer(CONSENT, AGREES)
    handler.answer("Reason for the call",
                   "About someone already supported (speak to their worker)")
    handler.answer("Does this need action today", "No")
    handler.answer("Care or support ending in the next two days", "No")
    alert_outcome = handler.heading()
    assert handler.known()["Allocated worker"] == flagged.allocated_worker

    handler.click("Check the answers", role="link")
    page.get_by_role("link", name=f"Change the answer to {PERSON_CHECK}").click()
    page.wait_for_load_state()
    handler.check_page()
    # The change page has the search, filled in from the last search, and its people.
    expect(page.get_by_label("Last name", exact=True)).to_have_value(flagged.family_name)
    expect(page.locator(f"input[name=answer][value={flagged.system_id}]")).to_be_checked()

    handler.search(**details(clear))
    assert "/change?" in page.url and "from=check" in page.url
    expect(page.get_by_label("Last name", exact=True)).to_have_value(clear.family_name)
    assert clear.family_name[0] in candidate_label(handler, clear)
    page.locator(f"input[name=answer][value={clear.system_id}]").check()
    handler.click("Save and continue")

    # Without the alert, an open case goes to the allocated worker: one more question.
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Answer changed")
    known = handler.known()
    assert known["Client index record"] == clear.system_id
    assert known["Allocated worker"] == clear.allocated_worker
    assert known["Allocated team"] == clear.team
    assert known["Alerts"] == "None"
    handler.answer("Is the allocated worker available", "Yes")
    assert handler.heading() == "Pass to the allocated worker" != alert_outcome
    assert str(clear.allocated_worker) in handler.words()
    handler.click("Finish and record the contact")
    expect(page.locator(".govuk-panel")).to_contain_text("Contact recorded")
