"""Whatever is wrong with a file, reading it gives a located problem: never a traceback, a
hang or a crash. (Bad files that can live in git are fixtures in tests/fixtures/pathways;
these are the ones a test has to make: pipes, devices, permissions, races, huge files.)"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml_rs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from tests.conftest import ROOT, MakeLibrary, problems_in
from triage.adapters.library import read_file
from triage.adapters.yamlsource import LONG_LINE, MAX_FILE_BYTES, _needs_a_careful_look, list_files
from triage.pipeline import check_paths
from triage.problems import Problem
from triage.sources import Library

FAULT = "fault in the checker"


def triage(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "triage.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def messages(problems: list[Problem]) -> list[str]:
    return [f"{Path(p.file).name}:{p.line}:{p.column}: {p.message}" for p in problems]


# --- through `triage validate` ------------------------------------------------------------


def test_a_file_nested_100000_levels_deep_is_a_located_problem_not_a_crash(
        tmp_path: Path) -> None:
    # yaml-rs itself crashed the whole process (SIGSEGV) on this 200 KB file.
    (tmp_path / "deep.yaml").write_text("- " * 100_000 + "x\n")
    result = triage("validate", str(tmp_path / "deep.yaml"))
    assert result.returncode == 1, result.stderr[-2000:]
    assert "deep.yaml:1:129: [0][0][0][0][0]...: the file is nested more than 64 levels " \
           "deep here" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_a_mapping_nested_300_levels_deep_is_a_located_problem_in_triage_validate(
        tmp_path: Path) -> None:
    # The campaign's file: ruamel's position finder raised RecursionError on it.
    text = "pathway:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 300)) + "  " * 300 \
        + "x: 1\n"
    (tmp_path / "deep.yaml").write_text(text)
    result = triage("validate", str(tmp_path))
    assert result.returncode == 1
    assert "deep.yaml:65:129: pathway.k1.k2.k3.k4.k5...: the file is nested more than 64 " \
           "levels deep here" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_a_symlink_loop_is_a_located_problem_in_triage_validate(tmp_path: Path) -> None:
    (tmp_path / "loop.yaml").symlink_to("loop.yaml")
    result = triage("validate", str(tmp_path), str(tmp_path / "loop.yaml"))
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2 and all(line.endswith("loop.yaml:1:1: the file is a link that "
                                                 "leads round in a loop (to itself, or through "
                                                 "other links back to itself); point it at a "
                                                 "real file or remove it") for line in lines)
    assert "Traceback" not in result.stderr


# --- things that are not plain files --------------------------------------------------------


def read_in_a_thread(paths: list[Path]) -> list[Problem]:
    """check_paths, which must come back (a FIFO opened for reading waits for a writer)."""
    found: list[list[Problem]] = []
    worker = threading.Thread(target=lambda: found.append(check_paths(paths)[0].problems),
                              daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert found, "reading the folder did not come back: something blocked"
    return found[0]


def test_a_named_pipe_called_yaml_is_a_problem_and_does_not_block(
        make_library: MakeLibrary) -> None:
    folder = make_library()
    os.mkfifo(folder / "pipe.yaml")
    assert messages(read_in_a_thread([folder])) == [
        "pipe.yaml:1:1: this is a named pipe (FIFO), not a file; only plain files are read"]


def test_a_device_named_as_a_pathway_file_is_a_problem(make_library: MakeLibrary,
                                                        tmp_path: Path) -> None:
    device = tmp_path / "zero.yaml"
    device.symlink_to("/dev/zero")  # named on its own, so a link out is fine: not a device
    assert messages(read_in_a_thread([make_library(), device])) == [
        "zero.yaml:1:1: this is a character device, not a file; only plain files are read"]


def test_a_device_reached_by_a_link_from_the_folder_is_refused_as_leading_outside(
        make_library: MakeLibrary) -> None:
    folder = make_library()
    (folder / "zero.yaml").symlink_to("/dev/zero")
    assert messages(read_in_a_thread([folder])) == [
        "zero.yaml:1:1: the file is a link ('/dev/zero') to a file outside the folder being "
        "read; only files inside the folders given are read (copy the file in, or name it on "
        "its own)"]


def test_a_link_to_a_file_inside_the_folder_is_read(make_library: MakeLibrary) -> None:
    folder = make_library()
    (folder / "drafts").mkdir()
    (folder / "mini.yaml").rename(folder / "drafts" / "mini.yaml")
    (folder / "mini.yaml").symlink_to("drafts/mini.yaml")
    lib, _ = check_paths([folder])
    # Read twice (the link and its target): the second copy is a duplicate, as any copy is.
    assert [(Path(p.file).name, p.message) for p in lib.problems] == [
        ("mini.yaml", f"duplicate pathway id 'mini' (already defined in {folder}/drafts/"
         "mini.yaml)")]


def test_a_folder_named_like_a_yaml_file_is_looked_into_and_a_link_to_one_is_a_problem(
        make_library: MakeLibrary) -> None:
    folder = make_library()
    (folder / "old.yaml").mkdir()
    shutil.copy(folder / "scripts.yaml", folder / "old.yaml" / "more-scripts.yaml")
    (folder / "more.yaml").symlink_to("old.yaml")
    assert [m for m in messages(problems_in(folder)) if "duplicate" not in m] == [
        "more.yaml:1:1: this is a folder, not a file; only plain files are read"]
    assert any("duplicate script id 'hello'" in p.message for p in problems_in(folder))


def test_a_file_larger_than_a_mebibyte_is_refused_unread(make_library: MakeLibrary) -> None:
    folder = make_library()
    with (folder / "huge.yaml").open("w") as out:
        out.write("scripts:\n")
        while out.tell() <= MAX_FILE_BYTES:
            out.write("  - {id: filler, text: {en: " + "x" * 200 + "}}\n")
    assert messages(problems_in(folder)) == [
        "huge.yaml:1:1: the file is larger than 1,048,576 bytes (1 MiB), the most a pathway, "
        "script, facts or directory file may be; split it up"]


def test_a_file_that_vanishes_between_listing_and_reading_is_a_problem(
        make_library: MakeLibrary) -> None:
    folder = make_library()
    listing = list_files([folder])
    (folder / "mini.yaml").unlink()  # a designer's editor replacing it, say
    lib = Library()
    for path, root in listing.files:
        read_file(lib, path, root)
    assert messages(lib.problems) == [
        "mini.yaml:1:1: the file disappeared before it could be read (moved or deleted "
        "meanwhile); check again once the change is complete"]


@pytest.fixture
def unlockable(tmp_path: Path) -> Iterator[Path]:
    """A folder whose subfolders may be locked; they are unlocked again to be removed."""
    yield tmp_path
    for path in tmp_path.rglob("*"):
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)


def test_a_folder_that_cannot_be_read_is_a_problem_not_a_silent_gap(unlockable: Path) -> None:
    library = unlockable / "lib"
    shutil.copytree(ROOT / "tests" / "fixtures" / "mini", library)
    (library / "locked").mkdir()
    shutil.copy(library / "mini.yaml", library / "locked" / "other.yaml")
    (library / "locked").chmod(0)
    script = ("import json, sys; from pathlib import Path; from triage.pipeline import "
              "check_paths; lib, _ = check_paths([Path(a) for a in sys.argv[1:]]); "
              "print(json.dumps([[p.file, p.line, p.column, p.message] for p in lib.problems]))")
    command = [sys.executable, "-c", script, str(library), str(library / "locked" / "other.yaml")]
    if os.geteuid() == 0:
        # A real permission failure: root reads anything, so the check runs without the
        # two capabilities that let it (util-linux's setpriv, as on any Debian).
        setpriv = shutil.which("setpriv")
        assert setpriv, "running as root, this test needs setpriv (util-linux)"
        command = [setpriv, "--bounding-set=-dac_override,-dac_read_search", *command]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    problems = [p for p in json.loads(result.stdout) if "locked" in p[0]]
    assert problems == [
        [str(library / "locked"), 1, 1, "cannot list the folder (permission denied), so no "
         "file in it was read"],
        # Named on its own, it is there but out of reach (not "no such file").
        [str(library / "locked" / "other.yaml"), 1, 1, "cannot read the file (permission "
         "denied)"]]


# --- no input at all makes reading raise ----------------------------------------------------


def located_without_fault(problems: list[Problem]) -> None:
    for problem in problems:
        assert problem.file and problem.line >= 1 and problem.column >= 1, problem
        assert FAULT not in problem.message, problem


def check_text(text: str, name: str = "mini.yaml") -> list[Problem]:
    with tempfile.TemporaryDirectory() as folder:
        base = ROOT / "tests" / "fixtures" / "mini"
        for other in ("scripts.yaml",):
            shutil.copy(base / other, Path(folder) / other)
        shutil.copy(ROOT / "pathways" / "facts.yaml", Path(folder) / "facts.yaml")
        shutil.copy(ROOT / "pathways" / "directory.yaml", Path(folder) / "directory.yaml")
        (Path(folder) / name).write_text(text, encoding="utf-8")
        lib, _ = check_paths([Path(folder)])
        return lib.problems


YAMLISH = st.text(alphabet=st.sampled_from(list(" \n\t-:?,[]{}!&*|>'\"#%@`ab1.~") + ["\x00",
                                                                                    "é"]),
                  max_size=120)
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.one_of(st.text(max_size=200), YAMLISH,
                 YAMLISH.map(lambda t: "pathway:\n  id: mini\n  title: " + t)))
def test_no_text_makes_checking_raise_and_every_problem_is_located(text: str) -> None:
    located_without_fault(check_text(text))


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                    st.text(max_size=20), st.sampled_from(["say", "question", "outcome", "mini",
                                                           "hello", "en", "kind", "id"]))
KEYS = st.one_of(st.sampled_from(["pathway", "steps", "id", "kind", "title", "version", "text",
                                  "en", "routes", "goto", "when", "outcome", "answer", "type",
                                  "scripts", "facts", "directory", "name"]),
                 st.text(max_size=8))
NESTED = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(KEYS, inner, max_size=4), max_leaves=40)


def mini_with(data: Any) -> dict[str, Any]:
    """The mini pathway with ``data`` put in one of its places."""
    text = (ROOT / "tests" / "fixtures" / "mini" / "mini.yaml").read_text()
    parsed: dict[str, Any] = yaml_rs.loads(text)
    parsed["steps"][1] = data
    return parsed


@SETTINGS
@given(st.one_of(NESTED, st.dictionaries(KEYS, NESTED, max_size=4), NESTED.map(mini_with)),
       st.booleans())
def test_no_nested_data_makes_checking_raise_and_every_problem_is_located(
        data: Any, as_json: bool) -> None:
    text = json.dumps(data) if as_json else yaml_rs.dumps(data)
    located_without_fault(check_text(text))


@SETTINGS
@given(YAMLISH)
def test_the_quick_look_never_misses_a_tag(text: str) -> None:
    try:
        tags = [e.tag for e in YAML(typ="rt").parse(text) if getattr(e, "tag", None)]
    except Exception:
        return  # not YAML: yaml-rs refuses it too, and the events are read to say where
    if tags:
        assert _needs_a_careful_look(text)


def depth(data: Any) -> int:
    if isinstance(data, dict):
        return 1 + max((depth(v) for v in data.values()), default=0)
    if isinstance(data, list):
        return 1 + max((depth(v) for v in data), default=0)
    return 0


DEEP = st.recursive(st.just("x"), lambda inner: st.lists(inner, min_size=1, max_size=2)
                    | st.dictionaries(st.sampled_from(["a", "bb"]), inner, min_size=1,
                                      max_size=2), max_leaves=60)


@SETTINGS
@given(DEEP, st.booleans())
def test_short_lines_bound_the_nesting_yaml_rs_is_given(data: Any, compact: bool) -> None:
    # The quick look lets a file with no line over LONG_LINE through unmeasured, on the
    # grounds that block nesting needs a column per level (at most two levels per column).
    text = yaml_rs.dumps(data, compact=compact)
    longest = max(map(len, text.splitlines()))
    assert depth(yaml_rs.loads(text)) <= 2 * (longest + 1)
    assert longest <= LONG_LINE or _needs_a_careful_look(text)


def test_a_huge_wrong_value_is_quoted_short(make_library: MakeLibrary) -> None:
    folder = make_library(("  title: A small pathway for tests\n",
                           "  title: [" + ", ".join(["[[[[x]]]]"] * 20_000) + "]\n"))
    found = [p for p in problems_in(folder) if p.where == "pathway.title"]
    assert len(found) == 1 and len(found[0].message) < 300, found
    assert found[0].message.startswith("Input should be a valid string (got [[[[...]]], ")


def test_a_file_with_a_tag_and_an_exclamation_in_its_words_is_told_only_of_the_tag(
        make_library: MakeLibrary) -> None:
    folder = make_library(("  title: A small pathway for tests\n",
                           "  title: Hello! Is anyone there ! Yes!\n"),
                          ("  owner: QA\n", "  owner: !team QA\n"))
    assert [f"{p.line}:{p.column}: {p.where}" for p in problems_in(folder)] == [
        "5:10: pathway.owner"]
