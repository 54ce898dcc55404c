"""One demo client index for everyone: data/demo-clients.csv imported once through the real
importer, searched with the real fuzzy matcher by the terminal, the service and the tests,
with the people the README lists."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from api.bootstrap import client_index
from api.settings import Settings
from tests.conftest import ROOT
from tests.integration.conftest import run_triage
from triage.adapters.clients import demo_index_file, open_demo_index
from triage.adapters.clients.demo import DEMO_EXPORT, DEMO_MAPPING
from triage.adapters.clients.sqlite_index import SqliteClientIndex
from triage.errors import ImportRejected
from triage.matching.port import KnownStatus, SearchDetails


def search_keys(*, given: str = "", family: str = "", dob: str = "", postcode: str = "",
                nhs: str = "") -> list[str]:
    """What a handler types at ``search`` in the terminal, in the order it asks."""
    return ["search", nhs, given, family, dob, postcode]


def to_person_check() -> list[str]:
    return ["self", "no", "no", "no"]


def test_the_terminal_finds_a_person_whose_surname_is_misspelt_by_one_letter(
        tmp_path: Path) -> None:
    keys = [*to_person_check(),
            *search_keys(given="Cleo", family="Exampel", dob="30/11/1938"),
            "SYN0000203", "quit"]
    result = run_triage("call", "front-door", stdin="\n".join(keys) + "\n",
                        env={"TRIAGE_HOME": str(tmp_path)})
    assert "Not found with these details" not in result.stdout
    assert "SYN0000203" in result.stdout and "family name partly agrees" in result.stdout
    assert "known status: open" in result.stdout
    assert "allocated worker: Sam Example" in result.stdout


def test_the_terminal_and_the_service_use_one_demo_index_file_built_once(
        tmp_path: Path) -> None:
    run_triage("call", "front-door", stdin="quit\n", env={"TRIAGE_HOME": str(tmp_path)})
    built = list(tmp_path.glob("demo-clients-*.sqlite3"))
    assert len(built) == 1
    first = built[0].stat()

    index = client_index(Settings(home=tmp_path, demo=True))
    try:
        assert isinstance(index, SqliteClientIndex)
        assert index.path == built[0]
        assert index.count() == 208
    finally:
        index.close()
    again = run_triage("call", "front-door", stdin="quit\n", env={"TRIAGE_HOME": str(tmp_path)})
    assert again.returncode == 1  # quit before an outcome
    assert list(tmp_path.glob("demo-clients-*.sqlite3")) == built
    later = built[0].stat()
    assert (later.st_ino, later.st_mtime_ns) == (first.st_ino, first.st_mtime_ns)


def test_a_changed_export_or_mapping_is_imported_afresh_and_the_old_index_removed(
        tmp_path: Path) -> None:
    export, mapping = tmp_path / "export.csv", tmp_path / "mapping.yaml"
    shutil.copy(DEMO_EXPORT, export)
    shutil.copy(DEMO_MAPPING, mapping)
    home = tmp_path / "home"
    first = demo_index_file(home, export=export, mapping=mapping)
    assert demo_index_file(home, export=export, mapping=mapping) == first

    with export.open("a", encoding="utf-8", newline="") as handle:
        handle.write("SYN0000999,,Nova,Added,,,01/01/1970,F,,UB8 1AA,,,Closed,,,,,,,\r\n")
    second = demo_index_file(home, export=export, mapping=mapping)
    assert second != first and not first.exists()
    index = SqliteClientIndex(second, create=False)
    try:
        assert index.count() == 209 and index.get("SYN0000999") is not None
    finally:
        index.close()

    mapping.write_text(mapping.read_text().replace("  RTS: risk_to_staff\n", ""))
    third = demo_index_file(home, export=export, mapping=mapping)
    assert third != second and [p.name for p in home.iterdir()] == [third.name]


def test_an_export_that_does_not_import_leaves_no_index_behind(tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    export.write_text(DEMO_EXPORT.read_text(encoding="utf-8").replace("11/05/1963",
                                                                      "31/02/1963"))
    home = tmp_path / "home"
    with pytest.raises(ImportRejected, match=r"export\.csv:2: date_of_birth"):
        demo_index_file(home, export=export)
    assert list(home.iterdir()) == []


def test_there_is_one_demo_data_set_and_no_exact_match_index() -> None:
    assert sorted(p.name for p in (ROOT / "data").iterdir()) == ["demo-clients.csv",
                                                                 "demo-mapping.yaml"]
    assert not (ROOT / "triage" / "clients" / "csv_index.py").exists()


# --- the README's table of who is on the demo index ------------------------------------------

def readme_people() -> list[dict[str, str]]:
    """The rows of the README's table of demo people, by column heading."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text[text.index("| to find "):].split("\n\n", 1)[0].splitlines()
    headings = [h.strip() for h in table[0].strip("|").split("|")]
    rows = []
    for line in table[2:]:
        cells = [c.strip().strip("`") for c in line.strip("|").split("|")]
        rows.append(dict(zip(headings, cells, strict=True)))
    return rows


def test_the_readme_lists_people_with_open_closed_and_no_cases() -> None:
    found = " ".join(row["on the index"] for row in readme_people())
    for kind in ("open case", "closed case", "not on the index"):
        assert kind in found


@pytest.mark.parametrize("row", readme_people(), ids=lambda row: row["to find"])
def test_each_person_in_the_readme_is_found_as_it_says(row: dict[str, str],
                                                       tmp_path: Path) -> None:
    index = open_demo_index(tmp_path)
    try:
        result = index.search(SearchDetails(
            nhs_number=row["NHS number"] or None, given_name=row["given name"] or None,
            family_name=row["family name"] or None, date_of_birth=row["date of birth"] or None,
            postcode=row["postcode"] or None))
        if row["finds"] == "nobody":
            assert result.searched and result.candidates == ()
            return
        assert result.candidates and result.candidates[0].person_id == row["finds"]
        record = index.get(row["finds"])
        assert record is not None
        if "open case" in row["on the index"]:
            assert record.known_status is KnownStatus.OPEN
            worker = re.search(r"worker (\w+ \w+)", row["on the index"])
            assert worker is None or record.allocated_worker == worker.group(1)
        else:
            assert record.known_status is KnownStatus.PREVIOUSLY_KNOWN
        for alert in ("safeguarding", "risk_to_staff"):
            assert (alert.replace("_", "-") in row["on the index"]) == (alert in record.alerts)
    finally:
        index.close()


def test_the_search_shown_in_the_handlers_guide_is_what_the_terminal_prints(
        tmp_path: Path) -> None:
    guide = (ROOT / "docs" / "handlers.md").read_text(encoding="utf-8")
    start = guide.index("```\n> search\n") + 4
    block = guide[start:guide.index("```", start)].splitlines()[1:]
    typed = [line.split("(Enter to skip):", 1)[1].strip() for line in block
             if "(Enter to skip):" in line]
    shown = [line for line in block if "(Enter to skip):" not in line]
    result = run_triage("call", "front-door", stdin="\n".join(
        [*to_person_check(), "search", *typed, "quit"]) + "\n",
        env={"TRIAGE_HOME": str(tmp_path)})
    for line in shown:
        assert line in result.stdout.splitlines() or line.strip() in result.stdout, line


def test_the_demo_index_example_in_the_clients_guide_runs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    guide = (ROOT / "docs" / "clients.md").read_text(encoding="utf-8")
    start = guide.index("```python\n", guide.index("## The demo index")) + len("```python\n")
    monkeypatch.setenv("TRIAGE_HOME", str(tmp_path))
    exec(compile(guide[start:guide.index("```", start)], "docs/clients.md", "exec"), {})
    assert capsys.readouterr().out.split() == ["SYN0000203", "208"]
    assert len(list(tmp_path.glob("demo-clients-*.sqlite3"))) == 1
