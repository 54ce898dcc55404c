"""Whole calls taken at the handler's screen in a real browser, as a handler would take them.

Every page visited is checked with axe-core by the :class:`Handler` helper.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.e2e.conftest import Handler, Service
from triage.adapters.clients import demo_people

GP = "A GP or community health professional"
NOT_KNOWN = "Not known to adult social care"
AGREES = "They know about this contact and agree to it"


def red_flags_all_no(handler: Handler) -> None:
    handler.answer("Red flag: immediate danger to life", "No")
    handler.answer("Red flag: adult at risk of abuse or neglect", "No")
    handler.answer("Red flag: mental health crisis", "No")


def gp_referral_to_portal_question(handler: Handler) -> None:
    handler.sign_in()
    handler.start_call()
    handler.answer("Who is calling", GP)
    red_flags_all_no(handler)
    handler.answer("Is the person known to adult social care", NOT_KNOWN,
                   button="Confirm and continue")
    # Someone other than the person calls: does the person know and agree (asked once,
    # here; the referral's own consent question then has its answer).
    handler.answer("Does the person know and agree", AGREES)
    handler.answer("Reason for the call", "Referral from a professional")
    handler.answer("Urgent today", "No")
    assert handler.heading() == "Can the professional use the portal"


def test_gp_straightforward_referral_is_deflected_to_the_professional_portal(
        handler: Handler) -> None:
    handler.sign_in()
    handler.start_call()
    assert "My name is Demo handler" in handler.words()
    handler.answer("Who is calling", GP)
    assert handler.known() == {"Caller": GP}
    red_flags_all_no(handler)
    handler.answer("Is the person known to adult social care", NOT_KNOWN,
                   button="Confirm and continue")
    # Someone other than the person calls: does the person know and agree (asked once,
    # here; the referral's own consent question then has its answer).
    handler.answer("Does the person know and agree", AGREES)
    assert handler.known()["Known to adult social care"] == "Not known"
    handler.answer("Reason for the call", "Referral from a professional")
    handler.answer("Urgent today", "No")
    handler.answer("Can the professional use the portal", "Yes")

    page = handler.page
    assert handler.heading() == "Online service"
    assert "professionals' portal" in page.locator("#outcome-summary").inner_text()
    url = "https://portal.example.gov.uk/professional-referral"
    assert url in handler.words()
    expect(page.locator("#service-link")).to_have_attribute("href", url)
    assert handler.outcome_detail("Timeframe") == "2 working days"
    assert re.fullmatch(r"by 17:00 on \w+day \d{1,2} \w+ \d{4}", handler.outcome_detail("Due"))

    # With no GOV.UK Notify key nothing is sent, and the screen says so.
    page.get_by_label("Text message", exact=True).check()
    page.get_by_label("Mobile number or email address").fill("07700 900123")
    handler.click("Send the link")
    banner = page.locator(".govuk-notification-banner").inner_text()
    assert "Not sent: GOV.UK Notify is not configured" in banner
    assert "sent by" not in banner.lower()

    handler.click("Finish and record the contact")
    expect(page.locator(".govuk-panel")).to_contain_text("Contact recorded")
    expect(page.get_by_role("button", name="Finish and record the contact")).to_have_count(0)


def test_family_members_safeguarding_concern_is_escalated_at_the_red_flag_screen(
        context: BrowserContext, in_hours_service: Service) -> None:
    handler = Handler(context.new_page(), in_hours_service)
    handler.sign_in()
    handler.start_call()
    handler.answer("Who is calling", "Family member, friend or neighbour")

    # Continuing without an answer shows the GOV.UK error summary, linked to the question.
    handler.click("Continue")
    page = handler.page
    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select an answer")
    expect(summary.get_by_role("link", name="Select an answer")).to_have_attribute(
        "href", "#answer")
    handler.answer("Red flag: immediate danger to life", "No")
    handler.answer("Red flag: adult at risk of abuse or neglect", "Yes")

    # Straight to safeguarding: no person search, no reason, nothing that could end the call.
    assert handler.heading() == "Is the adult in danger now"
    assert "Known to adult social care" not in handler.known()
    handler.answer("Is the adult in danger now", "No")
    handler.answer("What kind of harm",
                   "Financial or material abuse (money or belongings taken)",
                   "Psychological or emotional abuse (threats, humiliation)")
    # The clock, not the handler, says the office is open: no question about it.
    handler.answer("Does the adult know about the concern", "They know, but don't agree")

    assert handler.heading() == "Urgent escalation to a team"
    assert handler.outcome_detail("Team") == "Multi-Agency Safeguarding Hub (MASH)"
    assert handler.outcome_detail("Team phone") == "01895 556006"
    assert handler.outcome_detail("Timeframe") == "same working day"
    expect(page.get_by_role("heading", name="Send the link")).to_have_count(0)

    handler.click("Check the answers", role="link")
    answers = page.locator("#answers").inner_text()
    assert "Financial or material abuse" in answers and "Psychological" in answers
    assert "Is the person known" not in answers
    handler.click("Continue to the outcome")
    # The escalation came before the person check: finishing without it needs a reason.
    handler.page.get_by_label("Why the person check was not done", exact=True).fill(
        "the caller would not say")
    handler.click("Finish without the person check")
    expect(page.locator(".govuk-panel")).to_contain_text("Contact recorded")


def test_known_person_is_routed_to_their_allocated_worker(handler: Handler) -> None:
    person = next(p for p in demo_people()
                  if p.case_status.value == "open" and p.allocated_worker and not p.alerts)
    assert person.date_of_birth is not None
    handler.sign_in()
    handler.start_call()
    handler.answer("Who is calling", "The person themselves")
    red_flags_all_no(handler)

    handler.search(given_name=person.given_name.split()[0], family_name=person.family_name,
                   day=str(person.date_of_birth.day), month=str(person.date_of_birth.month),
                   year=str(person.date_of_birth.year))
    page = handler.page
    candidate = page.locator(f"input[name=answer][value={person.system_id}]")
    expect(candidate).to_have_count(1)
    label = page.locator(f"label[for='{candidate.get_attribute('id')}']").inner_text()
    assert f"Year of birth: {person.date_of_birth.year}" in label
    hint = page.locator(f"#{candidate.get_attribute('id')}-item-hint").inner_text()
    assert hint.startswith("Very likely the same person: confirm with the caller.")
    assert "Last name agrees" in hint.replace("last", "Last") and "score" not in hint
    candidate.check()
    handler.click("Confirm and continue")

    known = handler.known()
    assert known["Known to adult social care"] == "Open case"
    assert known["Allocated worker"] == person.allocated_worker
    assert known["Allocated team"] == person.team
    assert known["Alerts"] == "None"

    handler.answer("Reason for the call",
                   "About someone already supported (speak to their worker)")
    handler.answer("Does this need action today", "No")
    handler.answer("Care or support ending in the next two days", "No")
    handler.answer("Is the allocated worker available", "Yes")

    assert handler.heading() == "Pass to the allocated worker"
    assert person.allocated_worker in handler.words()
    # The panel stays on screen at the outcome.
    assert handler.known()["Allocated worker"] == person.allocated_worker
    handler.click("Finish and record the contact")
    expect(page.locator(".govuk-panel")).to_contain_text("Contact recorded")


def test_correcting_an_earlier_answer_drops_answers_that_no_longer_apply(
        handler: Handler) -> None:
    gp_referral_to_portal_question(handler)
    page = handler.page

    # The back link shows the earlier question with the answer given.
    handler.click("Back", role="link")
    assert handler.heading() == "Urgent today"
    handler.click("Back", role="link")
    assert handler.heading() == "Reason for the call"
    expect(page.get_by_label("Referral from a professional")).to_be_checked()
    handler.answer("Reason for the call",
                   "Blue badge, financial assessment or another application",
                   button="Save and continue")
    banner = page.locator(".govuk-notification-banner").inner_text()
    assert "no longer apply" in banner
    assert "Urgent today" in banner
    assert handler.heading() == "Which application"

    handler.click("Check the answers so far", role="link")
    answers = page.locator("#answers").inner_text()
    assert "Blue badge, financial assessment or another application" in answers
    assert "Urgent today" not in answers

    # A change link on the check page; after the change the handler comes back to it.
    handler.click("Continue the call")
    handler.answer("Which application", *[page.locator(
        "#main-content .govuk-radios__label").first.inner_text().strip()])
    while handler.page.url.rsplit("/", 1)[-1] != "outcome":
        assert handler.heading() == "Can the caller go online"
        handler.answer("Can the caller go online", "Yes")
    online = handler.heading()
    handler.click("Check the answers", role="link")
    page.get_by_role("link", name="Change the answer to Who is calling").click()
    page.wait_for_load_state()
    handler.check_page()
    expect(page.get_by_label(GP)).to_be_checked()
    handler.answer("Who is calling", "The person themselves", button="Save and continue")
    assert handler.heading() == "Check your answers"
    assert "The person themselves" in page.locator("#answers").inner_text()
    handler.click("Continue to the outcome")
    assert handler.heading() == online


def test_a_call_resumes_after_the_server_restarts(context: BrowserContext,
                                                  own_service: Service) -> None:
    handler = Handler(context.new_page(), own_service)
    handler.sign_in()
    handler.start_call()
    handler.answer("Who is calling", GP)
    handler.answer("Red flag: immediate danger to life", "No")
    handler.answer("Red flag: adult at risk of abuse or neglect", "No")
    at = handler.page.url

    own_service.kill()
    own_service.start()

    handler.page.reload()
    handler.check_page()
    assert handler.page.url == at
    assert handler.heading() == "Red flag: mental health crisis"
    assert handler.known() == {"Caller": GP}
    handler.answer("Red flag: mental health crisis", "No")
    handler.answer("Is the person known to adult social care", NOT_KNOWN,
                   button="Confirm and continue")
    # Someone other than the person calls: does the person know and agree (asked once,
    # here; the referral's own consent question then has its answer).
    handler.answer("Does the person know and agree", AGREES)
    handler.answer("Reason for the call", "Referral from a professional")
    handler.answer("Urgent today", "No")
    handler.answer("Can the professional use the portal", "Yes")
    assert handler.heading() == "Online service"
    handler.click("Finish and record the contact")
    expect(handler.page.locator(".govuk-panel")).to_contain_text("Contact recorded")


def test_a_different_outcome_needs_a_reason(handler: Handler) -> None:
    handler.sign_in()
    handler.start_call()
    handler.answer("Who is calling", "The person themselves")
    handler.answer("Red flag: immediate danger to life", "No")
    handler.answer("Red flag: adult at risk of abuse or neglect", "No")
    handler.answer("Red flag: mental health crisis", "Yes")
    assert handler.heading() == "Urgent escalation to a team"
    assert handler.outcome_detail("Due") == "Now"

    page = handler.page
    page.get_by_text("Use a different outcome").click()
    page.get_by_label("Emergency services now").check()
    handler.click("Record with this outcome instead")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter why the suggested outcome is not right")
    expect(page.get_by_label("Emergency services now")).to_be_checked()
    page.get_by_label("Why the suggested outcome is not right").fill(
        "The caller has taken an overdose; ambulance called.")
    page.locator("#override_without_person_check").fill("the caller would not say")
    handler.click("Record with this outcome instead")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "with the outcome 'Emergency services now'")
    expect(page.locator(".govuk-panel")).to_contain_text("Contact recorded")


def test_an_answer_from_an_out_of_date_page_is_not_saved_and_the_call_is_shown_as_it_is(
        context: BrowserContext, service: Service) -> None:
    first = Handler(context.new_page(), service)
    first.sign_in()
    first.start_call()
    second = Handler(context.new_page(), service)
    second.goto(first.page.url.removeprefix(service.url))

    first.answer("Who is calling", GP)
    second.answer("Who is calling", "The person themselves")
    banner = second.page.locator(".govuk-notification-banner").inner_text()
    assert "The call had changed" in banner
    assert second.heading() == "Red flag: immediate danger to life"
    assert second.known() == {"Caller": GP}


def test_pages_need_a_signed_in_call_handler(context: BrowserContext,
                                            service: Service) -> None:
    handler = Handler(context.new_page(), service)
    page = handler.page
    handler.goto("/calls/" + "0" * 32)
    assert page.url.startswith(f"{service.url}/sign-in?next=")

    handler.page.get_by_label("User name").fill("demo-handler")
    handler.page.get_by_label("Password").fill("wrong password")
    handler.click("Sign in")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The user name or password is wrong")

    handler.sign_in(username="demo-designer")
    assert handler.heading() == "Pathways"  # a designer starts at the pathways
    handler.goto("/calls/" + "0" * 32)
    assert handler.heading() == "This screen is for call handlers"
    handler.click("Sign out")

    handler.sign_in()
    handler.goto("/calls/" + "0" * 32)
    assert handler.heading() == "There is no call with this reference"
    # A form posted without the session's CSRF token changes nothing.
    response = page.request.post(f"{service.url}/calls", form={"pathway": "front-door"},
                                 headers={"Origin": service.url}, max_redirects=0)
    assert response.status == 403
    response = page.request.post(f"{service.url}/calls", form={"pathway": "front-door"},
                                 headers={"Origin": "https://elsewhere.example"},
                                 max_redirects=0)
    assert response.status == 403


@pytest.mark.parametrize("path", ["/assets/govuk-frontend.min.css",
                                  "/assets/govuk-frontend.min.js",
                                  "/assets/fonts/bold-b542beb274-v2.woff2"])
def test_govuk_frontend_assets_are_served_without_sign_in(context: BrowserContext,
                                                          service: Service,
                                                          path: str) -> None:
    response = context.request.get(service.url + path)
    assert response.status == 200, path
