"""Shared helpers: a small valid pathway library that each test can break in one place, and
the demo client index."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from triage.adapters.clients.demo import open_demo_index
from triage.adapters.clients.sqlite_index import SqliteClientIndex
from triage.pipeline import check_paths, load_catalogue
from triage.problems import Problem
from triage.routing.catalogue import Catalogue

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini"

MakeLibrary = Callable[..., Path]


@pytest.fixture
def make_library(tmp_path: Path) -> MakeLibrary:
    """Copy the mini library into a folder, applying (old, new) text replacements to mini.yaml.

    Extra files can be given as name=text keyword arguments.
    """

    def make(*edits: tuple[str, str], **extra: str) -> Path:
        folder = tmp_path / "lib"
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir()
        shutil.copy(ROOT / "pathways" / "facts.yaml", folder / "facts.yaml")
        shutil.copy(ROOT / "pathways" / "directory.yaml", folder / "directory.yaml")
        shutil.copy(MINI / "scripts.yaml", folder / "scripts.yaml")
        text = (MINI / "mini.yaml").read_text()
        for old, new in edits:
            assert old in text, f"fixture edit does not apply: {old!r}"
            text = text.replace(old, new, 1)
        (folder / "mini.yaml").write_text(text)
        for name, content in extra.items():
            (folder / name.replace("_yaml", ".yaml").replace("_", "-")).write_text(content)
        return folder

    return make


def problems_in(folder: Path) -> list[Problem]:
    """Every problem found in a library folder."""
    lib, _ = check_paths([folder])
    return lib.problems


@pytest.fixture
def mini_catalogue(make_library: MakeLibrary) -> Catalogue:
    """The mini pathway, compiled."""
    return load_catalogue([make_library()])


@pytest.fixture(scope="session")
def shipped_catalogue() -> Catalogue:
    """The shipped Hillingdon-style pathways, compiled."""
    return load_catalogue([ROOT / "pathways", ROOT / "scripts"])


@pytest.fixture(scope="session")
def demo_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteClientIndex]:
    """The demo client index: data/demo-clients.csv imported through the real importer, as
    ``triage call`` and the service use it (see the README for who is on it)."""
    index = open_demo_index(tmp_path_factory.mktemp("demo-index"))
    yield index
    index.close()
