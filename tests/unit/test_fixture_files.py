"""Every kind of bad pathway input is a fixture file with its exact expected problems.

See tests/fixtures/pathways/README.md for the layout.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from triage.adapters.yamlsource import display_path
from triage.pipeline import check_paths, load_catalogue
from triage.problems import Problem

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pathways"
BASE = FIXTURES / "base"


def case_paths(case: Path) -> list[Path]:
    """The case's own files and the base files it does not replace or leave out."""
    omit: set[str] = set()
    if (case / "no-base").exists():
        omit = {line.strip() for line in (case / "no-base").read_text().splitlines()
                if line.strip()}
    own = {p.name for p in case.iterdir()}
    base = [p for p in sorted(BASE.glob("*.yaml"))
            if p.name not in own and p.name not in omit and "*" not in omit]
    return [case, *base]


def rendered(problem: Problem, case: Path) -> str:
    """A problem as ``triage validate`` prints it, with the file named from the case."""
    path = Path(problem.file)
    if not path.is_absolute():
        path = Path.cwd() / path
    # The file itself is not followed: a link (even one in a loop) is named where it lies.
    real = Path(os.path.realpath(path.parent)) / path.name
    for root, prefix in ((case, ""), (BASE, "base/")):
        try:
            name = prefix + str(real.relative_to(os.path.realpath(root)))
            break
        except ValueError:
            continue
    else:
        name = problem.file
    message = problem.message
    for root, prefix in ((case, ""), (BASE, "base/")):
        message = message.replace(display_path(root) + "/", prefix)
    return str(Problem(name, problem.line, problem.column, problem.where, message,
                       problem.check))


def cases(kind: str) -> list[Path]:
    return sorted(p for p in (FIXTURES / kind).iterdir() if p.is_dir())


@pytest.mark.parametrize("case", cases("valid"), ids=lambda p: p.name)
def test_a_valid_fixture_has_no_problems_and_compiles(case: Path) -> None:
    lib, _ = check_paths(case_paths(case))
    assert [str(p) for p in lib.problems] == []
    assert load_catalogue(case_paths(case)).ids()


@pytest.mark.parametrize("case", cases("invalid"), ids=lambda p: p.name)
def test_an_invalid_fixture_reports_exactly_its_expected_problems(case: Path) -> None:
    lib, _ = check_paths(case_paths(case))
    found = [rendered(p, case) for p in lib.problems]
    expected_file = case / "expected.txt"
    if os.environ.get("FIXTURES_WRITE") and not expected_file.exists():
        expected_file.write_text("".join(f"{line}\n" for line in found), encoding="utf-8")
    assert expected_file.exists(), f"{case.name} has no expected.txt"
    expected = [line for line in expected_file.read_text(encoding="utf-8").splitlines()
                if line.strip()]
    assert found == expected


def test_the_problems_pathways_md_quotes_are_what_the_fixtures_report() -> None:
    docs = (FIXTURES.parents[2] / "docs" / "pathways.md").read_text(encoding="utf-8")
    section = docs.split("### What YAML a file may use", 1)[1].split("### Every check", 1)[0]
    quoted = section.split("```\n", 2)[1].splitlines()
    reported = {line for case in cases("invalid")
                for line in (case / "expected.txt").read_text(encoding="utf-8").splitlines()}
    assert quoted and all(line in reported for line in quoted), set(quoted) - reported
