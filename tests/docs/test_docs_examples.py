"""The examples in docs/ run: the worked pathway, its YAML blocks and the Gherkin scenario."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from triage.adapters.yamlsource import read_yaml
from triage.calls import CallEngine
from triage.pipeline import check_paths, load_catalogue
from triage.routing.catalogue import Catalogue

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
EXAMPLES = DOCS / "examples"
SHARED = [ROOT / "pathways" / "facts.yaml", ROOT / "pathways" / "directory.yaml"]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
FILE_LINE = re.compile(r"^# file: (\S+\.yaml)\n")


def code_blocks(doc: str, language: str) -> list[str]:
    """The bodies of the fenced code blocks of one language in a Markdown file."""
    text = (DOCS / doc).read_text(encoding="utf-8")
    return [body for lang, body in FENCE.findall(text) if lang == language]


def example_blocks() -> dict[str, str]:
    """YAML blocks in pathways.md that name their file: file name -> file text."""
    found = {}
    for body in code_blocks("pathways.md", "yaml"):
        match = FILE_LINE.match(body)
        if match:
            found[match.group(1)] = body[match.end():]
    return found


@pytest.fixture(scope="module")
def example_catalogue() -> Catalogue:
    return load_catalogue([EXAMPLES, *SHARED])


@pytest.fixture
def engine(example_catalogue: Catalogue) -> CallEngine:
    return CallEngine(example_catalogue)


def test_the_worked_example_files_load_with_the_shared_facts_and_directory_without_problems(
) -> None:
    lib, _ = check_paths([EXAMPLES, *SHARED])
    assert [str(p) for p in lib.problems] == []
    assert set(lib.pathways) == {"blue-badge-line", "send-link"}


def test_pathways_md_shows_three_complete_example_files() -> None:
    assert sorted(example_blocks()) == [
        "pathways/blue-badge-line.yaml", "pathways/send-link.yaml",
        "scripts/blue-badge-line.yaml",
    ]


@pytest.mark.parametrize("name", sorted(example_blocks()))
def test_each_example_block_in_pathways_md_is_the_file_in_docs_examples(name: str) -> None:
    assert example_blocks()[name] == (EXAMPLES / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(example_blocks()))
def test_each_example_block_in_pathways_md_loads_through_the_production_loader(
        name: str, tmp_path: Path) -> None:
    """Written out as its file beside the other examples, the block is read, checked and
    compiled by the same pipeline as the shipped pathways, with no problem."""
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    (tmp_path / "examples" / name).write_text(example_blocks()[name], encoding="utf-8")
    lib, _ = check_paths([tmp_path / "examples", *SHARED])
    assert [str(p) for p in lib.problems] == []
    assert load_catalogue([tmp_path / "examples", *SHARED]).ids()


def all_yaml_blocks() -> list[tuple[str, int, str]]:
    """Every YAML block in the docs: (document, its number there, its text)."""
    return [(doc.name, n, body) for doc in sorted(DOCS.glob("*.md"))
            for n, body in enumerate(code_blocks(doc.name, "yaml"))]


@pytest.mark.parametrize(("doc", "number", "body"), all_yaml_blocks(),
                         ids=lambda v: str(v)[:24])
def test_every_yaml_block_in_the_docs_is_yaml_the_production_parser_accepts(
        doc: str, number: int, body: str, tmp_path: Path) -> None:
    path = tmp_path / f"block-{number}.yaml"
    path.write_text(body, encoding="utf-8")
    read = read_yaml(path)
    assert not isinstance(read, list), f"{doc} YAML block {number}: {[str(p) for p in read]}"


def test_pathways_md_quotes_the_validate_output_for_the_worked_example(
        example_catalogue: Catalogue) -> None:
    text = (DOCS / "pathways.md").read_text(encoding="utf-8")
    assert ("OK: 2 pathway(s), 7 script fragment(s), 12 fact(s) checked; no problems. "
            "Safety rule checked on 1 entry pathway(s).") in text
    assert example_catalogue.get("blue-badge-line").version == 1


def test_a_yes_or_not_sure_to_the_red_flag_goes_to_the_emergency_services(
        engine: CallEngine) -> None:
    for answer in ("yes", "not sure"):
        call = engine.start("blue-badge-line", handler="Sam")
        assert engine.current(call).step_id == "danger_now"
        assert "My name is Sam" in engine.current(call).words
        engine.answer(call, "danger_now", answer)
        out = engine.outcome(call)
        assert (out.outcome_id, out.kind) == ("blue-badge-line:emergency", "emergency_services")
        assert "call 999" in out.words


def test_a_caller_who_can_go_online_is_sent_the_link_the_way_they_choose(
        engine: CallEngine) -> None:
    call = engine.start("blue-badge-line", handler="Sam")
    engine.answer(call, "danger_now", "no")
    engine.answer(call, "caller_name", "Alex Example")
    engine.answer(call, "can_use_online", "yes")
    view = engine.current(call)
    assert (view.pathway_id, view.state) == ("send-link", "send_link/send_by")
    assert "Thank you, Alex Example." in view.words
    engine.answer(call, "send_by", "email")
    engine.answer(call, "email_address", "alex@example.org")
    out = engine.outcome(call)
    assert (out.outcome_id, out.kind) == ("blue-badge-line:apply_online", "deflect_online")
    assert out.service is not None and out.service["id"] == "blue-badge"
    assert "(Email): https://portal.example.gov.uk/blue-badge" in out.words
    assert "we will look at it by 17:00 on " in out.words
    assert call.values["send_link/send_by"] == "email"
    assert "send_by" not in call.values  # an output is the scoped answer, not a copy


def test_a_caller_who_cannot_go_online_has_the_form_filled_in_on_the_call(
        engine: CallEngine) -> None:
    call = engine.start("blue-badge-line", handler="Sam")
    engine.answer(call, "danger_now", "no")
    engine.answer(call, "caller_name", "Alex Example")
    engine.answer(call, "can_use_online", "no")
    out = engine.outcome(call)
    assert (out.outcome_id, out.kind) == ("blue-badge-line:apply_assisted",
                                          "deflect_online_assisted")
    assert "I'll fill in the Blue badge application with you now" in out.words
    assert out.codes["cld_request"] is False


def test_a_known_fact_skips_its_question_in_the_worked_example(engine: CallEngine) -> None:
    call = engine.start("blue-badge-line", {"can_use_online": "no"}, handler="Sam")
    engine.answer(call, "danger_now", "no")
    engine.answer(call, "caller_name", "Alex Example")
    assert engine.outcome(call).outcome_id == "blue-badge-line:apply_assisted"


def test_the_welsh_greeting_of_the_worked_example_falls_back_to_english_where_needed(
        engine: CallEngine) -> None:
    call = engine.start("blue-badge-line", language="cy", handler="Sam")
    view = engine.current(call)
    assert "Helo, dyma linell y bathodyn glas" in view.words
    assert view.note == "No Welsh (cy) words for 'example-danger-now'; showing English."


def complete_scenarios() -> list[str]:
    """Gherkin blocks in testing.md that are whole feature files."""
    return [b for b in code_blocks("testing.md", "gherkin") if b.lstrip().startswith(("@",
                                                                                        "Feature"))]


def test_testing_md_has_one_complete_scenario_for_the_front_door() -> None:
    blocks = complete_scenarios()
    assert len(blocks) == 1
    assert 'Given a call on the "front-door" pathway' in blocks[0]


def test_the_complete_scenario_in_testing_md_passes_on_the_shipped_pathways(
        tmp_path: Path) -> None:
    (tmp_path / "from_docs.feature").write_text(complete_scenarios()[0], encoding="utf-8")
    (tmp_path / "test_from_docs.py").write_text(
        "from pathlib import Path\n\nfrom pytest_bdd import scenarios\n\n"
        "scenarios(str(Path(__file__).parent))\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", str(tmp_path), "-c", str(ROOT / "pyproject.toml"),
         "--rootdir", str(ROOT), "-p", "triage_qa.bdd", "-p", "no:cacheprovider", "-q"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout
