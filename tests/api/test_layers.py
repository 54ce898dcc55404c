"""The service's layers, seen from the imports alone: the handlers (api/service) import no
web framework and no database library; only the REST routes, the bootstrap, the screen
and the browser helpers import the web framework, and only storage imports SQLAlchemy or
Alembic. No module of api/ hides an import inside a function."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
API = ROOT / "api"

WEB = frozenset({"fastapi", "starlette", "uvicorn", "jinja2", "govuk_frontend_jinja"})
DATABASE = frozenset({"sqlalchemy", "alembic", "psycopg", "sqlite3"})
WEB_ALLOWED = ("api/routes/", "api/web/", "api/bootstrap.py", "api/browser.py",
               "api/server.py")
"""The entry points: the only places the web framework may be imported."""
DATABASE_ALLOWED = ("api/storage/", "api/reports/")  # reports are SQL aggregates
"""The SQL adapter: the only place a database library may be imported."""
HANDLERS = "api/service/"


def modules() -> list[Path]:
    return sorted(p for p in API.rglob("*.py") if "migrations" not in p.parts)


def imported(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", modules(), ids=relative)
def test_only_the_entry_points_import_the_web_framework_and_only_storage_the_database(
        path: Path) -> None:
    where = relative(path)
    tops = {name.split(".")[0] for name in imported(path)}
    if not where.startswith(WEB_ALLOWED):
        assert not tops & WEB, f"{where} imports {sorted(tops & WEB)}"
    if not where.startswith(DATABASE_ALLOWED):
        assert not tops & DATABASE, f"{where} imports {sorted(tops & DATABASE)}"


@pytest.mark.parametrize("path", sorted((API / "service").glob("*.py")), ids=relative)
def test_a_handler_module_imports_no_entry_point_and_no_storage_adapter(path: Path) -> None:
    wrong = sorted(name for name in imported(path)
                   if name.startswith(("api.routes", "api.web", "api.bootstrap", "api.browser",
                                       "api.server", "api.notify", "api.errors"))
                   or (name.startswith("api.storage") and name != "api.storage.port"))
    assert not wrong, f"{relative(path)} imports {', '.join(wrong)}"


@pytest.mark.parametrize("path", modules(), ids=relative)
def test_no_module_hides_an_import_inside_a_function(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    hidden = [f"{relative(path)}:{inner.lineno}"
              for node in ast.walk(tree)
              if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
              for inner in ast.walk(node) if isinstance(inner, ast.Import | ast.ImportFrom)]
    assert not hidden, f"imports inside a function: {', '.join(hidden)}"


def test_there_are_handler_modules_to_check() -> None:
    names = {relative(p) for p in (API / "service").glob("*.py")}
    assert {"api/service/calls.py", "api/service/contacts.py", "api/service/links.py",
            "api/service/pathways.py"} <= names


def test_the_service_layer_loads_no_web_framework_or_database_library() -> None:
    """In a fresh process: importing the handlers loads none of them."""
    forbidden = sorted(WEB | DATABASE)
    code = ("import sys, api.service\n"
            f"print(sorted(m for m in {forbidden!r} if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_no_class_in_the_service_derives_from_a_bare_exception() -> None:
    """The service's errors are in the one tree (triage/errors.py), not loose in api/."""
    loose = []
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = {ast.unparse(base) for base in node.bases}
                if bases & {"Exception", "BaseException", "KeyError", "ValueError",
                            "LookupError", "RuntimeError"}:
                    loose.append(f"{relative(path)}:{node.lineno} {node.name}")
    assert not loose, f"errors outside the tree: {', '.join(loose)}"
