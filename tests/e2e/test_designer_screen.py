"""The designer's screen with the keyboard alone: from the pathways to the comparison of
two versions, each page axe-clean."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext

from tests.api.test_api_reload import edit
from tests.e2e.conftest import PASSWORD, ROOT, Handler, Service, _require_tools
from tests.unit.test_pathway_diff import NEXT_VERSION, SWAP_COMPLAINTS


def second_version(front_door: Path) -> None:
    """Give the front door a second version, with two routes swapped."""
    edit(front_door, NEXT_VERSION, *SWAP_COMPLAINTS)


@pytest.fixture
def own_pathways_service(tmp_path: Path) -> Iterator[Service]:
    """A service on a copy of the shipped pathways, which the test may change."""
    _require_tools()
    pathways = tmp_path / "pathways"
    shutil.copytree(ROOT / "pathways", pathways)
    home = tmp_path / "home"
    home.mkdir()
    running = Service(home, env={"TRIAGE_PATHS": json.dumps(
        [str(pathways), str(ROOT / "scripts")])})
    running.start()
    yield running
    running.stop()


def test_a_designer_compares_two_versions_with_the_keyboard_alone(
        context: BrowserContext, own_pathways_service: Service) -> None:
    handler = Handler(context.new_page(), own_pathways_service)
    page = handler.page
    handler.goto("/sign-in")
    handler.tab_to("#username")
    page.keyboard.type("demo-designer")
    handler.tab_to("#password")
    page.keyboard.type(PASSWORD)
    handler.tab_to("form[action='/sign-in'] button")
    handler.press_to_next_page()

    assert handler.heading() == "Pathways"
    second_version(Path(json.loads(own_pathways_service.env["TRIAGE_PATHS"])[0])
                   / "front-door.yaml")
    handler.tab_to("form[action='/designer/reload'] button")
    handler.press_to_next_page()
    assert "The files were checked" in page.content()
    handler.tab_to("a[href='/designer/pathways/front-door']")
    handler.press_to_next_page()

    assert "Compare two versions" in page.content()
    handler.tab_to("form[action$='/compare'] button")
    handler.press_to_next_page()

    assert handler.heading() == "Version 1 to version 2"
    rows = page.locator("#routes ~ table tbody tr")
    assert rows.count() > 0
    assert "to_complaints" in rows.first.inner_text()
