"""The ``triage clients`` commands: import, generate, search; clear messages, no tracebacks."""

from __future__ import annotations

import argparse
import json
import uuid
from pathlib import Path

import pytest

from triage.adapters.clients.postgres_index import PostgresClientIndex
from triage.adapters.clients.store import open_client_index
from triage.cli.clients import register

DATA = Path(__file__).resolve().parents[2] / "data"


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="triage")
    register(parser.add_subparsers())
    args = parser.parse_args(["clients", *argv])
    return int(args.func(args))


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRIAGE_CLIENTS_DB", raising=False)
    monkeypatch.delenv("TRIAGE_CLIENTS_AUDIT", raising=False)


def test_import_then_search_uses_var_clients_sqlite3_by_default(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("import", str(DATA / "demo-clients.csv"), "--mapping",
                str(DATA / "demo-mapping.yaml")) == 0
    assert Path("var/clients.sqlite3").exists()
    assert "Imported 208 people" in capsys.readouterr().out
    assert _run("search", "--given", "Peter", "--family", "Eldford", "--dob", "1938-04-10") == 0
    out = capsys.readouterr().out
    assert "SYN0000002" in out and "very likely the same person" in out and "score" not in out
    audit = Path("var/client-searches.jsonl").read_text().splitlines()
    assert "Eldford" not in audit[-1]
    assert json.loads(audit[-1])["candidates"][0]["person_id"] == "SYN0000002"


def test_the_database_can_be_chosen_by_environment_variable_or_option(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TRIAGE_CLIENTS_DB", str(tmp_path / "env.sqlite3"))
    assert _run("generate", "--people", "50") == 0
    assert (tmp_path / "env.sqlite3").exists()
    assert _run("generate", "--people", "20", "--db", str(tmp_path / "opt.sqlite3")) == 0
    assert open_client_index(str(tmp_path / "opt.sqlite3")).count() == 20


def test_a_postgresql_url_selects_the_postgresql_backend(
        postgres_url: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    schema = f"clients_test_{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("TRIAGE_CLIENTS_PG_SCHEMA", schema)
    try:
        assert _run("generate", "--people", "25", "--db", postgres_url) == 0
        assert "the index now holds 25" in capsys.readouterr().out
    finally:
        index = open_client_index(postgres_url)
        assert isinstance(index, PostgresClientIndex) and index.schema == schema
        index.drop()


def test_generate_writes_a_csv_that_imports_with_the_demo_mapping(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("generate", "--people", "30", "--csv", "people.csv") == 0
    assert _run("import", "people.csv", "--mapping", str(DATA / "demo-mapping.yaml")) == 0
    assert "Imported 30 people" in capsys.readouterr().out


def test_search_in_json_gives_bands_and_reasons(capsys: pytest.CaptureFixture[str]) -> None:
    _run("import", str(DATA / "demo-clients.csv"), "--mapping", str(DATA / "demo-mapping.yaml"))
    capsys.readouterr()
    assert _run("search", "--json", "--family", "Eldford", "--dob", "1938") == 0
    result = json.loads(capsys.readouterr().out)
    assert result["candidates"][0]["reasons"]["family_name"] == "agrees"
    first = result["candidates"][0]
    # A family name and a year of birth alone: worth checking, never more.
    assert first["band"] == "possible"
    assert first["words"] == "check carefully: may be the same person"


@pytest.mark.parametrize("argv,message", [
    (["search", "--family", "Smith"], "Not enough details to search"),
    (["search", "--nhs-number", "1234567890"], "Please ask the caller to read it again"),
    (["search", "--family", "Smith", "--dob", "31/02/1950"], "is not a real date"),
    (["generate", "--people", "0"], "Cannot generate 0 people; choose from 1 to 2,000,000."),
    (["import", "missing.csv", "--mapping", "missing.yaml"], "Cannot read the mapping file"),
])
def test_bad_input_prints_a_clear_message_and_returns_1_without_a_traceback(
        argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    _run("generate", "--people", "10")
    capsys.readouterr()
    assert _run(*argv) == 1
    captured = capsys.readouterr()
    assert message in captured.out + captured.err
    assert "Traceback" not in captured.out + captured.err


def test_searching_before_any_index_exists_says_how_to_make_one(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("search", "--family", "Smith", "--dob", "1950") == 1
    assert "There is no client index at 'var/clients.sqlite3'" in capsys.readouterr().err


def test_a_rejected_import_lists_each_problem_and_changes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _run("import", str(DATA / "demo-clients.csv"), "--mapping", str(DATA / "demo-mapping.yaml"))
    lines = (DATA / "demo-clients.csv").read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([lines[0], lines[1].replace("11/05/1963", "32/05/1963")]) + "\n")
    capsys.readouterr()
    assert _run("import", str(bad), "--mapping", str(DATA / "demo-mapping.yaml")) == 1
    err = capsys.readouterr().err
    assert f"{bad}:2: date_of_birth: '32/05/1963' is not a real date" in err
    assert "the client index is unchanged" in err
    assert open_client_index("var/clients.sqlite3").count() == 208


def test_a_database_file_that_is_not_an_index_is_reported_plainly(
        capsys: pytest.CaptureFixture[str]) -> None:
    Path("notes.txt").write_text("these are not the droids\n" * 100)
    assert _run("search", "--family", "Smith", "--dob", "1950", "--db", "notes.txt") == 1
    err = capsys.readouterr().err
    assert err.startswith("Cannot open the client index at 'notes.txt'")
    assert "Traceback" not in err


def test_import_with_quarantine_reports_incomplete_and_set_aside_rows(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = (DATA / "demo-clients.csv").read_text(encoding="utf-8").splitlines()
    header, first, second, third = lines[:4]
    export = tmp_path / "export.csv"
    export.write_text("\n".join([header, first, second.replace("10/04/1938", "31/04/1938"),
                                 third.replace(",Patricia,", ",Unknown,")]) + "\n",
                      encoding="utf-8")
    aside = tmp_path / "aside.csv"
    assert _run("import", str(export), "--mapping", str(DATA / "demo-mapping.yaml"),
                "--quarantine", str(aside)) == 0
    out = capsys.readouterr().out
    assert "Imported 2 people" in out
    assert "1 of them are incomplete records (no given name: 1; no family name: 0)" in out
    assert "1 rows with problems were not imported and are in" in out and str(aside) in out
    assert f"{export}:3" in aside.read_text(encoding="utf-8")
