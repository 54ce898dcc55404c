"""The report pages on the screen, for managers and supervisors: the list of reports, a
report over a period with each figure as a chart and its table, CSV downloads, the
period form's problems named by field, who may see them, and the page that says reports
are unavailable while calls go on."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
from collections.abc import Iterator
from html import unescape

import httpx
import pytest
from structlog.testing import capture_logs

from api.web.report_pages import MAX_DAYS, csv_text
from tests.api.conftest import PASSWORD, Service, sign_in_form_token
from tests.api.report_fixtures import CALLER_TYPES, FixedReports

PERIOD = {"start-day": "1", "start-month": "10", "start-year": "2026",
          "end-day": "31", "end-month": "12", "end-year": "2026", "by": "week"}


@pytest.fixture
def reports(service: Service) -> Iterator[FixedReports]:
    """The shared service, serving hand-made reports for the test."""
    source = FixedReports(as_of=dt.datetime(2026, 12, 2, 9, 42, tzinfo=dt.UTC))
    service.app.state.reports = source
    yield source
    service.app.state.reports = None


def screen(service: Service, role: str, path: str, **params: str) -> httpx.Response:
    """A screen page as the browser gets it, signed in as the demo user of ``role``."""
    return service.client.get(path, params=params, follow_redirects=False,
                              headers={"Accept": "text/html",
                                       "Cookie": f"triage_session={service.token(role)}"})


def words(page: str) -> str:
    """The page's text, tags removed and spaces collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", page)))


def error_summary(page: str) -> list[tuple[str, str]]:
    """The error summary's links: (target, message)."""
    summary = page.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    return [(href, re.sub(r"\s+", " ", unescape(text)).strip())
            for href, text in re.findall(r'<a href="([^"]+)">(.*?)</a>', summary, re.S)]


@pytest.mark.parametrize("role", ["manager", "supervisor"])
def test_managers_and_supervisors_land_on_the_reports_and_see_the_list(
        service: Service, reports: FixedReports, role: str) -> None:
    home = screen(service, role, "/")
    assert home.status_code == 303 and home.headers["location"] == "/reports"
    listing = screen(service, role, "/reports")
    assert listing.status_code == 200
    text = words(listing.text)
    assert "Who calls and why" in text and "Equity and escalations" in text
    assert 'href="/reports/contacts"' in listing.text


def test_a_report_shows_each_figure_as_a_chart_with_its_table_and_csv_link(
        service: Service, reports: FixedReports) -> None:
    page = screen(service, "manager", "/reports/contacts", **PERIOD)
    assert page.status_code == 200, page.text
    html = page.text
    text = words(html)
    assert "1 October 2026 to 31 December 2026, by week" in text
    assert "All teams, all pathway versions" in text
    assert "Figures as of 09:42" in text
    for key, title in (("caller-type", "Contacts by caller type"),
                       ("outcome-mix", "Outcome mix by week"),
                       ("deflection-rate", "Deflection rate by week")):
        section = html.split(f'id="figure-{key}"', 1)[1].split("</section>", 1)[0]
        assert '<svg xmlns="http://www.w3.org/2000/svg"' in section
        assert 'role="img"' in section
        assert "<details" in section and f"Show the table: {title}" in words(section)
        assert f'href="/reports/contacts/{key}.csv?start-day=1&amp;start-month=10' in section
    caller = html.split('id="table-caller-type"', 1)[1].split("</table>", 1)[0]
    assert "Family, friend or neighbour" in caller and "120" in caller and "40%" in caller
    # The empty figure says so, in the chart and instead of a table.
    empty = html.split('id="figure-repeat-contacts"', 1)[1].split("</section>", 1)[0]
    assert "No contacts in this period" in words(empty)
    assert "<table" not in empty
    # What the report source was asked for: the form's end day included.
    key, period, filters = reports.asked[-1]
    assert (key, period.start, period.end, period.by, filters) == (
        "contacts", dt.date(2026, 10, 1), dt.date(2027, 1, 1), "week", {})


def test_flagged_rows_and_notes_are_said_in_words_and_a_table_only_figure_is_a_table(
        service: Service, reports: FixedReports) -> None:
    page = screen(service, "supervisor", "/reports/equity", **PERIOD)
    assert page.status_code == 200, page.text
    html = page.text
    flagged = html.split('id="flagged-deflection-by-language">', 1)[1].split("</div>", 1)[0]
    assert words(flagged).strip() == ("Called out: Polish differs from the whole by more "
                                      "than 10 points.")
    table = html.split('id="table-deflection-by-language"', 1)[1].split("</table>", 1)[0]
    polish = table.split("Polish", 1)[1].split("</tr>", 1)[0]
    assert "Flagged" in polish
    assert "Flagged" not in table.split("English", 1)[1].split("</tr>", 1)[0]
    assert "312 older contacts lack a preferred language" in words(html)
    times = html.split('id="figure-escalation-times"', 1)[1].split("</section>", 1)[0]
    assert "report-chart" not in times and "<details" not in times
    assert "90th percentile" in times and "6 minutes" in times


def test_a_report_opened_without_a_period_covers_the_last_twelve_weeks(
        service: Service, reports: FixedReports) -> None:
    page = screen(service, "manager", "/reports/contacts")
    assert page.status_code == 200, page.text
    _, period, _ = reports.asked[-1]
    assert period.end - period.start == dt.timedelta(weeks=12)
    assert period.by == "week"


def test_a_report_can_be_filtered_by_team_and_pathway_version(
        service: Service, reports: FixedReports) -> None:
    page = screen(service, "manager", "/reports/contacts")
    team = re.search(r'<select class="govuk-select" id="team" name="team">.*?'
                     r'<option value="([a-z0-9-]+)">([^<]+)</option>', page.text, re.S)
    version = re.search(r'id="pathway_version".*?<option value="(\d+)">([^<]+)<',
                        page.text, re.S)
    assert team is not None and version is not None
    page = screen(service, "manager", "/reports/contacts", **{
        **PERIOD, "by": "month", "team": team.group(1), "pathway_version": version.group(1)})
    assert page.status_code == 200, page.text
    _, period, filters = reports.asked[-1]
    assert period.by == "month"
    assert filters == {"team": team.group(1), "pathway_version": version.group(1)}
    assert f"{unescape(team.group(2))}, {unescape(version.group(2))}" in words(page.text)
    assert f'<option value="{team.group(1)}" selected>' in page.text


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"end-year": "2025"}, "end", "End date must be the same as or after the start date"),
    ({"start-year": "2020", "end-year": "2026"}, "end",
     f"End date must be within 3 years of the start date: a report covers at most "
     f"{MAX_DAYS:,} days"),
    ({"start-day": "31", "start-month": "2"}, "start",
     "Start date must be a real date, for example 1 10 2026"),
    ({"start-month": "Oct"}, "start", "Start date must be a real date, for example 1 10 2026"),
    ({"end-day": "", "end-month": ""}, "end", "End date must include a day and a month"),
    ({"start-day": "", "start-month": "", "start-year": ""}, "start", "Enter the start date"),
    ({"by": "fortnight"}, "by", "Select by week or by month"),
    ({"team": "no-such-team"}, "team", "Select a team from the list, or all of them"),
    ({"pathway_version": "999"}, "pathway_version",
     "Select a pathway version from the list, or all of them"),
])
def test_a_wrong_period_or_filter_is_a_422_naming_the_field(
        service: Service, reports: FixedReports, change: dict[str, str], field: str,
        message: str) -> None:
    asked = len(reports.asked)
    page = screen(service, "manager", "/reports/contacts", **{**PERIOD, **change})
    assert page.status_code == 422, page.text
    anchor = {"start": "start-day", "end": "end-day"}.get(field, field)
    assert error_summary(page.text) == [(f"#{anchor}", message)]
    assert "<title>Error: " in page.text
    assert f'id="{field}-error"' in page.text  # the message by the field itself
    assert len(reports.asked) == asked  # no report was asked for
    assert "report-chart" not in page.text
    # What was entered is shown again, to correct.
    for name, value in change.items():
        if name not in ("by", "team", "pathway_version") and value:
            assert f'value="{value}"' in page.text


def test_the_csv_download_is_the_figures_table(service: Service,
                                               reports: FixedReports) -> None:
    reply = screen(service, "manager", "/reports/contacts/caller-type.csv", **PERIOD)
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"] == "text/csv; charset=utf-8"
    assert reply.headers["content-disposition"] == (
        'attachment; filename="contacts-caller-type-2026-10-01-to-2026-12-31.csv"')
    rows = list(csv.reader(io.StringIO(reply.text)))
    assert rows == [["Caller type", "Contacts", "Share (%)"],
                    ["Family, friend or neighbour", "120", "40.0"],
                    ["GP or community health", "90", "30.0"],
                    ["The person themselves", "60", "20.0"],
                    ["Police, probation or court", "30", "10.0"]]
    missing = screen(service, "manager", "/reports/contacts/no-such-table.csv", **PERIOD)
    assert missing.status_code == 404
    assert "There is no such table" in missing.text


def test_a_csv_cell_a_spreadsheet_would_run_as_a_formula_is_written_as_text() -> None:
    hostile = dataclasses.replace(CALLER_TYPES, rows=[["=HYPERLINK(\"x\")", 1, None]])
    assert csv_text(hostile).splitlines()[1] == "\"'=HYPERLINK(\"\"x\"\")\",1,"


@pytest.mark.parametrize("role", ["handler", "designer"])
def test_handlers_and_designers_get_the_screens_403_page(
        service: Service, reports: FixedReports, role: str) -> None:
    for path in ("/reports", "/reports/contacts", "/reports/contacts/caller-type.csv"):
        page = screen(service, role, path, **PERIOD)
        assert page.status_code == 403, (path, page.text)
        assert "Reports are for managers and supervisors" in page.text
        assert "120" not in page.text
    assert reports.asked == []


def test_a_manager_cannot_reach_a_call_or_contact_page(service: Service,
                                                       reports: FixedReports) -> None:
    call = service.start()
    for path in (f"/calls/{call['call_id']}", f"/calls/{call['call_id']}/outcome",
                 f"/calls/{call['call_id']}/check"):
        page = screen(service, "manager", path)
        assert page.status_code == 403, (path, page.text)
        assert "This screen is for call handlers" in page.text
    api = service.get(f"/api/calls/{call['call_id']}", role="manager")
    assert api.status_code == 403


def test_reports_unavailable_is_a_clear_page_while_calls_go_on(
        service: Service, reports: FixedReports) -> None:
    reports.unreachable = True
    with capture_logs() as logs:
        for path in ("/reports", "/reports/contacts", "/reports/contacts/caller-type.csv"):
            page = screen(service, "manager", path, **PERIOD)
            assert page.status_code == 503, page.text
            assert "Reports are unavailable" in page.text
            assert "Calls carry on as normal" in page.text
    assert [e["event"] for e in logs].count("reports_unavailable") == 3
    # A call still starts and is answered.
    call = service.start()
    assert service.answer(call, "family_friend").status_code == 200


def test_an_unknown_report_is_a_404_naming_the_reports(service: Service,
                                                       reports: FixedReports) -> None:
    page = screen(service, "manager", "/reports/no-such-report")
    assert page.status_code == 404
    assert "There is no report &#39;no-such-report&#39;; reports are: contacts, equity." \
        in page.text


def test_without_a_report_source_the_pages_say_reports_are_unavailable(
        service: Service) -> None:
    page = screen(service, "manager", "/reports")
    assert page.status_code == 503
    assert "Reports are unavailable" in page.text


def test_every_report_page_is_audited_without_personal_details(
        service: Service, reports: FixedReports) -> None:
    with capture_logs() as logs:
        screen(service, "manager", "/reports", **PERIOD)
        screen(service, "manager", "/reports/contacts", **PERIOD)
        screen(service, "manager", "/reports/contacts/caller-type.csv", **PERIOD)
        screen(service, "handler", "/reports")
    events = {e["event"]: e for e in logs}
    assert events["reports_listed"]["user"] == "demo-manager"
    viewed = events["report_viewed"]
    assert (viewed["report"], viewed["start"], viewed["end"], viewed["by"]) == (
        "contacts", "2026-10-01", "2027-01-01", "week")
    assert events["report_csv_downloaded"]["figure"] == "caller-type"
    assert events["reports_refused"]["role"] == "handler"


def test_signing_in_as_a_manager_lands_on_the_reports(service: Service,
                                                      reports: FixedReports) -> None:
    client = service.client
    client.cookies.clear()
    form = client.get("/sign-in", headers={"Accept": "text/html"})
    token = sign_in_form_token(form.text)
    reply = client.post("/sign-in", data={"username": "demo-manager", "password": PASSWORD,
                                          "csrf": token, "next": "/"},
                        headers={"Origin": "http://testserver"}, follow_redirects=True)
    client.cookies.clear()
    assert reply.status_code == 200, reply.text
    assert str(reply.url).endswith("/reports")
    assert "<h1 class=\"govuk-heading-l\">Reports</h1>" in reply.text
