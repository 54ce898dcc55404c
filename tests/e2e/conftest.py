"""Browser tests of the handler's screen: a real uvicorn server and Debian's headless Chromium.

Fixtures start the service in a child process (``python -m api``) on a free port of
127.0.0.1 with its own ``TRIAGE_HOME``, and drive it with Playwright. Every page a test
visits through :class:`Handler` is checked with axe-core; any violation fails the test.
The browser and the npm packages are required: without them these tests fail, never skip.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("TRIAGE_CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
GOVUK_CSS = ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk" / "govuk-frontend.min.css"
PASSWORD = "e2e-demo-password"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing is listening on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


IN_HOURS_TIME = "2026-12-02 10:30"
"""When the calls of an in-hours service start (TRIAGE_CLOCK_AT): a Wednesday morning."""


@dataclass
class Service:
    """The service running as a child process, on one home folder; can be killed and restarted."""

    home: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    clock_at: str | None = None
    """TRIAGE_CLOCK_AT: a fixed UK local time the calls start at (None: the real time)."""
    env: dict[str, str] = field(default_factory=dict)
    """Further settings (TRIAGE_PATHS, say)."""
    module: str = "api"
    """The module ``python -m`` runs: the service (or a test's variant of it)."""

    @property
    def url(self) -> str:
        """The service's base address."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the service and wait until it answers /health."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGE_")}
        env.update(TRIAGE_HOME=str(self.home), TRIAGE_DEMO="1", TRIAGE_DEMO_PASSWORD=PASSWORD,
                   TRIAGE_DEMO_CONTACTS="0",
                   TRIAGE_HOST="127.0.0.1", TRIAGE_PORT=str(self.port), PYTHONUNBUFFERED="1")
        if self.clock_at:
            env["TRIAGE_CLOCK_AT"] = self.clock_at
        env.update(self.env)
        with (self.home / "service.log").open("ab") as log:
            self.process = subprocess.Popen([sys.executable, "-m", self.module], cwd=ROOT,
                                            env=env,
                                            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"The service stopped while starting:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"The service did not start within 60 s:\n{self.log()}")

    def kill(self) -> None:
        """Stop the service abruptly, as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        """Stop the service."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def log(self) -> str:
        """What the service printed."""
        path = self.home / "service.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""


def _require_tools() -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run 'apt-get update && apt-get "
                    "install -y chromium' (the browser tests need a real browser).")
    for path in (AXE, GOVUK_CSS):
        if not path.exists():
            pytest.fail(f"{path.relative_to(ROOT)} is missing: run 'npm ci' (or 'make setup').")


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """Playwright, started once."""
    _require_tools()
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium, headless."""
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                         headless=True)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """One service for the tests that do not restart it."""
    _require_tools()
    running = Service(tmp_path_factory.mktemp("triage-home"))
    running.start()
    yield running
    running.stop()


@pytest.fixture
def own_service(tmp_path: Path) -> Iterator[Service]:
    """A service of the test's own, on its own home folder (for restarts)."""
    _require_tools()
    home = tmp_path / "home"
    home.mkdir()
    running = Service(home)
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def report_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """The service serving hand-made reports (tests/e2e/report_service.py), for the tests
    of the report pages."""
    _require_tools()
    running = Service(tmp_path_factory.mktemp("triage-reports-home"),
                      module="tests.e2e.report_service")
    running.start()
    yield running
    running.stop()


@pytest.fixture
def in_hours_service(tmp_path: Path) -> Iterator[Service]:
    """A service whose calls start in office hours, whatever the time the tests run (in or
    out of hours comes from the clock)."""
    _require_tools()
    home = tmp_path / "home"
    home.mkdir()
    running = Service(home, clock_at=IN_HOURS_TIME)
    running.start()
    yield running
    running.stop()


def profile(browser: Browser) -> BrowserContext:
    """A fresh browser profile (no cookies) with axe-core loaded into every page."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    # An init script is injected by the browser itself, so the page's CSP does not block it.
    ctx.add_init_script(path=str(AXE))
    ctx.set_default_timeout(15_000)
    return ctx


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile for the test."""
    ctx = profile(browser)
    yield ctx
    ctx.close()


AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""


class Handler:
    """A call handler at the screen: signs in, answers, searches, and checks every page."""

    def __init__(self, page: Page, service: Service) -> None:
        self.page = page
        self.service = service
        self.pages_checked: list[str] = []
        self.console_errors: list[str] = []
        # Error pages answer 4xx on purpose; the browser logs those as console errors too.
        page.on("console", lambda m: self.console_errors.append(m.text)
                if m.type == "error" and not m.text.startswith("Failed to load resource")
                else None)
        page.on("response", lambda r: self.console_errors.append(f"{r.status} {r.url}")
                if r.status >= 400 and r.request.resource_type != "document" else None)

    # --- checking pages ----------------------------------------------------------------

    def check_page(self) -> None:
        """Assert the page has no axe-core violations and no server error."""
        page = self.page
        page.wait_for_load_state("load")
        title = page.title()
        assert "Sorry, something went wrong" not in title, page.content()[:2000]
        # GOV.UK Frontend's JavaScript ran (so the CSP let it), and nothing failed.
        assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
        assert self.console_errors == [], self.console_errors
        violations: list[dict[str, Any]] = page.evaluate(AXE_RUN)
        assert violations == [], f"axe-core violations on {page.url} ({title}): {violations}"
        self.pages_checked.append(title)

    def goto(self, path: str) -> None:
        """Open a page of the service."""
        self.page.goto(self.service.url + path)
        self.check_page()

    def click(self, name: str, role: str = "button") -> None:
        """Press a button (or follow a link) that loads a new page, then check that page."""
        locator = self.page.get_by_role(role, name=name, exact=True)  # type: ignore[arg-type]
        with self.page.expect_navigation():
            locator.first.click()
        self.check_page()

    # --- the keyboard alone --------------------------------------------------------------

    def tab_to(self, selector: str, limit: int = 80) -> None:
        """Press Tab until the element matching ``selector`` has the focus."""
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            if self.page.evaluate("s => !!document.activeElement && "
                                  "document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector} on {self.page.url}")

    def press_to_next_page(self, key: str = "Enter") -> None:
        """Press a key on the focused button or link and check the page it loads."""
        with self.page.expect_navigation():
            self.page.keyboard.press(key)
        self.check_page()

    def choose_by_keyboard(self, downs: int) -> None:
        """Tab into the answer's radios and pick the option ``downs`` places below the first.

        A radio group is one Tab stop; the arrow keys move within it (and select).
        """
        self.tab_to("input[name=answer]")
        if downs == 0:
            self.page.keyboard.press("Space")
        for _ in range(downs):
            self.page.keyboard.press("ArrowDown")

    def continue_by_keyboard(self) -> None:
        """Tab to the question's Continue button and press Enter."""
        self.tab_to("form[action$='/answer'] button")
        self.press_to_next_page()

    # --- doing things ------------------------------------------------------------------

    def sign_in(self, username: str = "demo-handler", password: str = PASSWORD) -> None:
        """Sign in from the sign-in page."""
        self.goto("/")
        assert self.page.url.startswith(f"{self.service.url}/sign-in")
        self.page.get_by_label("User name").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.click("Sign in")

    def start_call(self) -> None:
        """Start a call on the front door."""
        assert self.heading() == "Start a call"
        self.click("Start the call")

    def heading(self) -> str:
        """The page's main heading."""
        return self.page.locator("h1").first.inner_text().strip()

    def words(self) -> str:
        """The words to read (or tell) the caller."""
        return self.page.locator("#words").inner_text()

    def guidance(self) -> str:
        """The guidance for the handler, shown apart and never read out ('' if none)."""
        found = self.page.locator("#guidance")
        return found.inner_text() if found.count() else ""

    def summary_list(self, selector: str) -> dict[str, str]:
        """A GOV.UK summary list as key -> value."""
        rows: list[list[str]] = self.page.eval_on_selector_all(
            f"{selector} .govuk-summary-list__row",
            "rows => rows.map(r => [r.querySelector('dt').innerText.trim(),"
            " r.querySelector('dd').innerText.trim()])")
        return {key: value for key, value in rows}

    def known(self) -> dict[str, str]:
        """The 'About this call' panel as label -> value."""
        rows: list[list[str]] = self.page.eval_on_selector_all(
            "#known-person > div",
            "rows => rows.map(r => [r.querySelector('dt').innerText.trim(),"
            " r.querySelector('dd').innerText.trim()])")
        return {key: value for key, value in rows}

    def answer(self, heading: str, *choices: str, button: str = "Continue") -> None:
        """On the question headed ``heading``, choose or type the answer and continue."""
        assert self.heading() == heading, f"expected question {heading!r}, at {self.heading()!r}"
        for choice in choices:
            field = self.page.get_by_label(choice, exact=True)
            if field.get_attribute("type") in ("radio", "checkbox"):
                field.check()
            else:
                field.fill(choice)
        self.click(button)

    def search(self, **details: str) -> None:
        """Search for the person at the person check."""
        labels = {"nhs_number": "NHS number", "given_name": "First name",
                  "family_name": "Last name", "postcode": "Postcode", "day": "Day",
                  "month": "Month", "year": "Year"}
        for name, value in details.items():
            self.page.get_by_label(labels[name], exact=True).fill(value)
        self.click("Search")

    def outcome_detail(self, key: str) -> str:
        """A row of the outcome's details."""
        return self.summary_list("#outcome-details")[key]


@pytest.fixture
def handler(context: BrowserContext, service: Service) -> Handler:
    """A signed-out handler at a fresh browser, on the shared service."""
    return Handler(context.new_page(), service)
