"""The layers, seen from the imports alone: the core imports no adapter library.

The core (the pathway model, expressions, answers, routing, checks, calls, matching and
the vocabulary) imports no YAML parser, no ``transitions``, no database driver, no web
framework, no logging library and no pytest. Each core package may use only the libraries
pinned for it here; adapters and entry points are the only places the others appear.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TRIAGE = ROOT / "triage"

NOT_CORE = ("triage/adapters/", "triage/cli/", "triage/pipeline.py")
"""Adapters, the command and the loading pipeline that puts the adapters to work: the only
places in the engine other libraries may be imported."""
SURFACE = "triage/__init__.py"
"""The public surface names every layer, lazily (checked by the fresh-process test)."""

ALLOWED: dict[str, frozenset[str]] = {
    "triage/definitions.py": frozenset({"pydantic"}),
    "triage/schema.py": frozenset({"pydantic"}),
    "triage/hazards.py": frozenset({"pydantic"}),  # the hazard log is a file format
    "triage/audit_form.py": frozenset({"pydantic"}),  # the audit form is a file format
    "triage/sources.py": frozenset(),
    "triage/expressions.py": frozenset(),
    "triage/answers.py": frozenset({"phonenumbers", "email_validator"}),
    "triage/timeframes.py": frozenset({"holidays"}),
    "triage/matching/": frozenset({"rapidfuzz", "jellyfish"}),
}
"""Libraries each core module (or package, by its folder) may import; the rest none."""


def core_modules() -> list[Path]:
    return sorted(p for p in TRIAGE.rglob("*.py")
                  if not str(p.relative_to(ROOT)).startswith(NOT_CORE)
                  and str(p.relative_to(ROOT)) != SURFACE)


def is_outside_the_core(module: str) -> bool:
    """True for a first-party module that is an adapter or entry point."""
    path = module.replace(".", "/")
    return any((path + ".py").startswith(p) or (path + "/").startswith(p) for p in NOT_CORE)


def imported(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def allowed_for(relative: str) -> frozenset[str]:
    for prefix, libraries in ALLOWED.items():
        if relative == prefix or (prefix.endswith("/") and relative.startswith(prefix)):
            return libraries
    return frozenset()


@pytest.mark.parametrize("path", core_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_a_core_module_imports_only_the_standard_library_the_core_and_its_pinned_libraries(
        path: Path) -> None:
    relative = str(path.relative_to(ROOT))
    allowed = allowed_for(relative)
    wrong = []
    for name in sorted(imported(path)):
        top = name.split(".")[0]
        if top in sys.stdlib_module_names or top == "__future__":
            continue
        if top == "triage":
            if is_outside_the_core(name):
                wrong.append(f"{name} (an adapter or entry point)")
            continue
        if top not in allowed:
            wrong.append(name)
    assert not wrong, f"{relative} imports {', '.join(wrong)}"


def test_the_core_has_modules_to_check() -> None:
    names = {str(p.relative_to(ROOT)) for p in core_modules()}
    assert {"triage/calls/engine.py", "triage/routing/plan.py", "triage/checks/safety.py",
            "triage/matching/scoring.py", "triage/vocabulary.py"} <= names


def test_starting_a_call_loads_no_loader_machine_library_database_or_web_framework() -> None:
    """The run time in a fresh process: importing the calls package loads none of them,
    nor the file models (pydantic): the run time reads only the plain run-time form."""
    forbidden = ["yaml_rs", "ruamel", "transitions", "sqlite3", "psycopg", "sqlalchemy",
                 "fastapi", "starlette", "structlog", "pytest", "rapidfuzz", "jellyfish",
                 "pydantic"]
    code = ("import sys, triage.calls\n"
            f"print(sorted(m for m in {forbidden!r} if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
