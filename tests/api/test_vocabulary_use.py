"""The service and the screen spell no kind code themselves: step kinds, outcome kinds,
known statuses and trail kinds come from triage.vocabulary (so a renamed code cannot
leave a comparison in api/ or a template silently never true)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from triage.vocabulary import AnswerType, KnownStatus, OutcomeKind, StepKind, TrailKind

ROOT = Path(__file__).resolve().parents[2]
API = ROOT / "api"
CODES = frozenset({*StepKind, *OutcomeKind, *KnownStatus, *TrailKind,
                   AnswerType.MULTI_CHOICE, AnswerType.YES_NO, AnswerType.YES_NO_UNSURE}
                  # Words that are something else too: the call fact "allocated_worker",
                  # and "open" (a details element, opened).
                  - {"allocated_worker", "open"})


def python_files() -> list[Path]:
    return sorted(p for p in API.rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("path", python_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_of_the_service_spells_a_kind_code(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    spelled = [f"{node.lineno}: {node.value!r}" for node in ast.walk(tree)
               if isinstance(node, ast.Constant) and node.value in CODES]
    assert not spelled, f"{path.relative_to(ROOT)} spells {', '.join(spelled)}"


@pytest.mark.parametrize("path", sorted((API / "templates").glob("*.html")),
                         ids=lambda p: p.name)
def test_no_template_spells_a_kind_code(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    spelled = sorted({m.group(1) for m in re.finditer(r"""['"]([a-z_-]+)['"]""", text)
                      if m.group(1) in CODES})
    assert not spelled, f"{path.name} spells {', '.join(spelled)}"
