"""Match weights learned from the council's own index: ``triage clients train``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from triage.adapters.clients.sqlite_index import SqliteClientIndex
from triage.adapters.clients.store import StoredClientIndex, open_client_index
from triage.cli.clients import register
from triage.errors import RequestError, StorageError
from triage.matching.port import MatchBand
from triage.matching.records import PersonRecord
from triage_qa.people import generate_people, phone_queries


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="triage")
    register(parser.add_subparsers())
    args = parser.parse_args(["clients", *argv])
    return int(args.func(args))


@pytest.fixture(scope="module")
def people() -> list[PersonRecord]:
    return list(generate_people(2300, seed=41))


def test_training_learns_m_and_u_and_search_uses_them(
        empty_index: StoredClientIndex, people: list[PersonRecord], tmp_path: Path) -> None:
    empty_index.bulk_load(people[:2000])
    out = tmp_path / "weights.json"
    weights = empty_index.train_weights(out, sample=800)
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert saved["index_id"] == empty_index.index_id() and saved["people"] == 2000
    assert "nhs_number" not in saved["m"]  # never learned: built-in points stay
    for field in ("family_name", "date_of_birth"):
        assert saved["m"][field]["agrees"] > saved["u"][field]["agrees"]
        assert saved["u"][field]["disagrees"] > saved["m"][field]["disagrees"]
        assert saved["points"][field]["agrees"] > saved["points"][field]["disagrees"]
    assert empty_index.weights is None
    empty_index.use_weights(out)
    assert empty_index.weights == weights
    queries = phone_queries(people[:2000], people[2000:], 400, seed=42)
    right = sum(q.person_id is not None and
                [c.person_id for c in empty_index.search(q.details).candidates][:1]
                == [q.person_id] for q in queries)
    present = sum(q.person_id is not None for q in queries)
    assert right / present >= 0.99
    absent_as_match = sum(q.person_id is None and any(
        c.band is MatchBand.MATCH for c in empty_index.search(q.details).candidates)
        for q in queries)
    assert absent_as_match == 0


def test_training_on_fewer_than_1000_people_is_refused_and_nothing_is_written(
        empty_index: StoredClientIndex, people: list[PersonRecord], tmp_path: Path) -> None:
    empty_index.bulk_load(people[:999])
    out = tmp_path / "weights.json"
    with pytest.raises(RequestError, match="Training needs at least 1,000 people on the index "
                       "to estimate the weights; this index holds 999. The built-in weights "
                       "are kept."):
        empty_index.train_weights(out)
    assert not out.exists() and empty_index.weights is None


def test_a_weights_file_from_another_index_is_refused(
        people: list[PersonRecord], tmp_path: Path) -> None:
    one = SqliteClientIndex(tmp_path / "one.sqlite3")
    one.bulk_load(people[:1200])
    one.train_weights(tmp_path / "one.sqlite3.weights.json", sample=300)
    one.close()
    other = SqliteClientIndex(tmp_path / "other.sqlite3")
    other.bulk_load(people[:10])
    with pytest.raises(StorageError, match="was trained on another index"):
        other.use_weights(tmp_path / "one.sqlite3.weights.json")
    other.close()
    (tmp_path / "other.sqlite3.weights.json").write_bytes(
        (tmp_path / "one.sqlite3.weights.json").read_bytes())
    with pytest.raises(StorageError, match="run 'triage clients train' on this index or remove"):
        open_client_index(str(tmp_path / "other.sqlite3"))
    (tmp_path / "other.sqlite3.weights.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(StorageError, match="cannot be used"):
        open_client_index(str(tmp_path / "other.sqlite3"))


def test_the_train_command_writes_beside_the_index_and_search_picks_it_up(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRIAGE_CLIENTS_WEIGHTS", raising=False)
    db = tmp_path / "c.sqlite3"
    assert _run("generate", "--people", "1200", "--db", str(db)) == 0
    assert _run("train", "--db", str(db), "--sample", "300") == 0
    out = capsys.readouterr().out
    assert f"wrote them to {db}.weights.json" in out and "family name: agrees +" in out
    with open_client_index(str(db)) as index:
        assert index.weights is not None
    small = tmp_path / "small.sqlite3"
    assert _run("generate", "--people", "50", "--db", str(small)) == 0
    assert _run("train", "--db", str(small)) == 1
    assert "this index holds 50. The built-in weights are kept." in capsys.readouterr().err
    assert not Path(f"{small}.weights.json").exists()
