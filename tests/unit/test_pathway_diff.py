"""Comparing two versions of a pathway (``triage diff``) and the cross-version safety check
(``triage validate --against``), on copies of the shipped files edited as a designer would."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from triage.pipeline import load_catalogue
from triage.routing.diff import compare, less_safe

ROOT = Path(__file__).resolve().parents[2]


def copy_of_shipped(folder: Path) -> Path:
    shutil.copytree(ROOT / "pathways", folder / "pathways")
    shutil.copytree(ROOT / "scripts", folder / "scripts")
    return folder


def edit(path: Path, *replacements: tuple[str, str]) -> None:
    text = path.read_text()
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text)


NEXT_VERSION = ("  version: 1\n", "  version: 2\n")
SWAP_COMPLAINTS = (("goto: to_complaints", "goto: SWAPPED"),
                   ("goto: to_information_advice\n        why: Information and advice",
                    "goto: to_complaints\n        why: Information and advice"),
                   ("goto: SWAPPED", "goto: to_information_advice"))
# A slip a designer could make: the urgent route now only fits someone with an open case,
# so an urgent need of anyone else falls through to the routes below it.
URGENT_NEED_NARROWED = ("      - when: \"urgent_need == 'yes'\"",
                        "      - when: \"urgent_need == 'yes' and known_status == 'open'\"")


@pytest.fixture
def live(tmp_path: Path) -> Path:
    return copy_of_shipped(tmp_path / "live")


@pytest.fixture
def candidate(tmp_path: Path) -> Path:
    return copy_of_shipped(tmp_path / "candidate")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "triage.cli", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def test_the_same_files_have_no_difference(live: Path) -> None:
    pathway = load_catalogue([live]).get("front-door")
    found = compare(pathway, pathway)
    assert found.changes == () and found.routes == ()
    assert "No route reaches a different outcome." in found.text()


def test_swapped_routes_are_named_by_condition_and_every_moved_answer_is_shown(
        live: Path, candidate: Path) -> None:
    edit(candidate / "pathways" / "front-door.yaml", NEXT_VERSION, *SWAP_COMPLAINTS)
    found = compare(load_catalogue([live]).get("front-door"),
                    load_catalogue([candidate]).get("front-door"))
    assert [str(c) for c in found.changes] == [
        "route changed: reason -> reason == 'information_advice': goes to to_complaints, "
        "was to_information_advice",
        "route changed: reason -> reason == 'complaint': goes to to_information_advice, "
        "was to_complaints"]
    moved = {(dict(r.answers)["reason"], r.old.state.split("/")[0], r.new.state.split("/")[0])
             for r in found.routes}
    assert moved == {(("information_advice",), "to_information_advice", "to_complaints"),
                     (("complaint",), "to_complaints", "to_information_advice")}
    # Only calls for those two reasons moved; the red-flag screen is "no" on every one.
    assert all(dict(r.answers)["danger_to_life"] == ("no",) for r in found.routes)
    directions = {r.direction for r in found.routes}
    assert directions == {"more urgent", "less urgent", "as urgent"}


def test_an_inserted_route_does_not_show_later_routes_as_changed(
        live: Path, candidate: Path) -> None:
    edit(candidate / "pathways" / "front-door.yaml", NEXT_VERSION,
         ("      - when: \"reason == 'complaint'\"",
          "      - when: \"reason == 'complaint' and caller_type == 'care_provider'\"\n"
          "        goto: to_care_provider\n"
          "        why: Providers' complaints go through the provider route\n"
          "      - when: \"reason == 'complaint'\""))
    found = compare(load_catalogue([live]).get("front-door"),
                    load_catalogue([candidate]).get("front-door"))
    assert [c.change for c in found.changes if c.area == "route"] == ["added"]
    assert found.changes[0].where == (
        "reason -> reason == 'complaint' and caller_type == 'care_provider'")


def test_words_changed_and_translation_left_stale(live: Path, candidate: Path) -> None:
    edit(candidate / "scripts" / "common.yaml",
         ("I'll ask you some questions", "I will ask you a few questions"))
    found = compare(load_catalogue([live]).get("front-door"),
                    load_catalogue([candidate]).get("front-door"))
    kinds = {(c.area, c.change, c.where) for c in found.changes}
    assert ("words", "changed", "script greeting") in kinds
    assert ("translation", "stale", "script greeting") in kinds
    assert found.routes == ()


def test_an_escalation_turned_into_a_deflection_is_less_safe(
        live: Path, candidate: Path) -> None:
    edit(candidate / "pathways" / "needs-assessment.yaml", NEXT_VERSION, URGENT_NEED_NARROWED)
    old = load_catalogue([live])
    new = load_catalogue([candidate])
    worse = less_safe(old.get("front-door"), new.get("front-door"), new.get("front-door").policy)
    assert worse, "the less-safe route was not found"
    assert {dict(r.answers)["urgent_need"] for r in worse} == {("yes",)}
    assert all("open" not in dict(r.answers).get("find_person", ()) for r in worse)
    assert {r.old.state.rsplit("/", 1)[-1] for r in worse} == {"urgent_duty"}
    assert all(r.direction == "less urgent" for r in worse)


def test_validate_against_refuses_a_less_safe_candidate(live: Path, candidate: Path) -> None:
    edit(candidate / "pathways" / "needs-assessment.yaml", NEXT_VERSION, URGENT_NEED_NARROWED)
    done = run("validate", str(candidate), "--against", str(live))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "front-door: less safe than version 1: " in done.stdout
    assert "urgent_need=yes" in done.stdout and "an early exit" in done.stdout
    assert "restore their escalation" in done.stderr
    assert "Traceback" not in done.stderr


def test_validate_against_passes_a_change_that_keeps_every_escalation(
        live: Path, candidate: Path) -> None:
    edit(candidate / "pathways" / "front-door.yaml", NEXT_VERSION, *SWAP_COMPLAINTS)
    done = run("validate", str(candidate), "--against", str(live))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No less safe than" in done.stdout


def test_diff_command_text_and_json(live: Path, candidate: Path) -> None:
    edit(candidate / "pathways" / "front-door.yaml", NEXT_VERSION, *SWAP_COMPLAINTS)
    text = run("diff", "front-door", str(live), str(candidate))
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith("front-door: version 1 -> 2\n")
    assert "Routes whose outcome changed (" in text.stdout
    data = json.loads(run("diff", "front-door", str(live), str(candidate), "--json").stdout)
    assert data["old_version"] == 1 and data["new_version"] == 2
    assert {r["direction"] for r in data["routes"]} >= {"more urgent", "less urgent"}
    assert all(set(r) == {"answers", "old", "new", "direction"} for r in data["routes"])


def test_diff_says_what_is_wrong_with_its_inputs(live: Path, candidate: Path,
                                                 tmp_path: Path) -> None:
    unknown = run("diff", "no-such-pathway", str(live), str(candidate))
    assert unknown.returncode == 1
    assert "The old files hold no pathway 'no-such-pathway'; they hold: applications" \
        in unknown.stderr
    edit(candidate / "pathways" / "front-door.yaml", ("goto: to_complaints", "goto: nowhere"))
    broken = run("diff", "front-door", str(live), str(candidate))
    assert broken.returncode == 1
    assert "front-door.yaml:" in broken.stderr and "unknown step 'nowhere'" in broken.stderr
    assert "The new version has" in broken.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    against = run("validate", str(live), "--against", str(empty))
    assert against.returncode == 1 and "Traceback" not in against.stderr
    for done in (unknown, broken, against):
        assert "Traceback" not in done.stderr


def test_release_note_gives_the_safety_verdict_the_moved_routes_and_the_hazards(
        live: Path, candidate: Path) -> None:
    assessment = candidate / "pathways" / "needs-assessment.yaml"
    edit(assessment, NEXT_VERSION, URGENT_NEED_NARROWED,
         ("  change_note: >-\n", "  change_note: >-\n    Urgent route only for open cases.\n"))
    (candidate / "pathways" / "hazards.yaml").write_text(
        (candidate / "pathways" / "hazards.yaml").read_text().replace(
            "      - step: front-door:find_person\n      - scenario: \"known_status/routing"
            ".feature: A possible match",
            "      - step: needs-assessment:urgent_need\n      - scenario: \"known_status/"
            "routing.feature: A possible match", 1))
    done = run("release-note", "needs-assessment", str(live), str(candidate))
    assert done.returncode == 0, done.stderr
    note = done.stdout
    assert note.startswith("# ") and ": version 1 to 2\n" in note.splitlines()[0] + "\n"
    assert "- **Change note (version 2):** Urgent route only for open cases." in note
    assert "**Less safe than version 1:** 2 answer combination(s) that reached an " \
        "escalation now end early." in note
    assert "| answers | before | after | urgency |" in note
    assert "- **HAZ-003**: step needs-assessment:urgent_need changed (route " \
        "removed: urgent_need -> " in note
    assert "- **HAZ-005**: some answers now reach a less urgent outcome" in note
    assert "Traceback" not in done.stderr
