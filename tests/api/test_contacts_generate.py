"""``triage contacts generate`` as a user runs it: the real command in its own process,
writing to the service's store (SQLite under the home folder, or PostgreSQL), with a
progress bar, the same contacts for the same seed, and a sentence instead of a traceback
when it cannot write."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from api.storage import database_url, make_engine
from api.storage.schema import calls, contacts
from tests.api.conftest import ROOT, Databases


def generate(home: Path, *args: str, url: str | None = None
             ) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGE_")}
    env["TRIAGE_HOME"] = str(home)
    if url:
        env["TRIAGE_DATABASE_URL"] = url
    return subprocess.run([sys.executable, "-m", "triage.cli", "contacts", "generate", *args],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)


def stored(url: str) -> list[dict[str, Any]]:
    engine = make_engine(url)
    try:
        with engine.connect() as c:
            rows = c.execute(sa.select(contacts).order_by(contacts.c.call_id,
                                                          contacts.c.need)).mappings().all()
            assert c.execute(sa.select(sa.func.count()).select_from(calls)).scalar() == len(
                {r["call_id"] for r in rows})
        return [dict(r) for r in rows]
    finally:
        engine.dispose()


def test_generate_writes_a_realistic_mix_to_the_default_store_with_a_progress_bar(
        tmp_path: Path) -> None:
    done = generate(tmp_path, "--contacts", "600", "--seed", "5", "--start", "2026-01-05")
    assert done.returncode == 0, done.stderr
    assert "Wrote 600 contacts on" in done.stdout
    assert "600/600 contacts" in done.stderr and "[#####" in done.stderr
    assert "Traceback" not in done.stderr
    rows = stored(database_url(None, tmp_path))
    assert len(rows) == 600
    assert len({r["caller_type"] for r in rows}) >= 6
    assert len({r["reason"] for r in rows}) >= 8
    assert {"open", "not_known"} <= {r["known_status"] for r in rows}
    repeats = Counter(r["person_id"] for r in rows if r["person_id"])
    assert repeats.most_common(1)[0][1] >= 3  # repeat callers
    seconds = [r for r in rows if r["need"] == 2]
    assert seconds and all(r["first_contact_id"] is not None for r in seconds)
    records = [json.loads(r["record"]) for r in rows]
    assert any(r["override"] for r in records)
    assert any(t["kind"] == "corrected" for r in records for t in r["trail"])
    assert all(r["person"]["person_id"] is None or r["person"]["person_id"].startswith(
        ("SYN", "DEMO", "P")) or r["person"]["person_id"] for r in records)
    assert min(r["started_at"] for r in rows) >= "2026-01-05"


def test_the_same_seed_gives_the_same_contacts_and_a_second_run_is_refused_plainly(
        tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    for home in (first, second):
        done = generate(home, "--contacts", "200", "--seed", "9", "--start", "2026-03-01")
        assert done.returncode == 0, done.stderr

    def key(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return [(r["call_id"], r["need"], r["outcome_id"], r["person_id"], r["reason"],
                 r["started_at"]) for r in rows]

    rows = stored(database_url(None, first))
    assert key(rows) == key(stored(database_url(None, second)))

    again = generate(first, "--contacts", "200", "--seed", "9", "--start", "2026-03-01")
    assert again.returncode == 1
    assert "use another --seed or --start, or a fresh store" in again.stderr
    assert "Traceback" not in again.stderr
    assert len(stored(database_url(None, first))) == 200  # nothing half-written


def test_generate_writes_to_postgresql_when_triage_database_url_is_set(
        tmp_path: Path, databases: Databases) -> None:
    url = databases.fresh()
    done = generate(tmp_path, "--contacts", "150", "--seed", "2", url=url)
    assert done.returncode == 0, done.stderr
    assert "PostgreSQL" in done.stderr
    rows = stored(database_url(url, tmp_path))
    assert len(rows) == 150
    assert not (tmp_path / "triage.sqlite3").exists()


def test_a_bad_count_or_start_is_a_sentence(tmp_path: Path) -> None:
    refused = generate(tmp_path, "--contacts", "0")
    assert refused.returncode == 2
    assert "--contacts takes a number from 1 to" in refused.stderr
    refused = generate(tmp_path, "--contacts", "10", "--start", "last tuesday")
    assert refused.returncode == 2
    assert "--start takes a date such as 2026-01-05" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_the_terminal_shows_earlier_contacts_from_the_service_store(tmp_path: Path) -> None:
    from triage.adapters.clients import demo_people

    done = generate(tmp_path, "--contacts", "800", "--seed", "4")
    assert done.returncode == 0, done.stderr
    now = dt.datetime.now(dt.UTC)
    rows = stored(database_url(None, tmp_path))
    # Someone with contacts in the last 28 days and none near its edge (27 to 29 days
    # ago), so the count cannot depend on the second the call is made.
    edge = {r["person_id"] for r in rows
            if (now - dt.timedelta(days=29)).isoformat() <= r["started_at"]
            <= (now - dt.timedelta(days=27)).isoformat()}
    recent = Counter(r["person_id"] for r in rows
                     if r["person_id"] and r["person_id"] not in edge
                     and r["started_at"] >= (now - dt.timedelta(days=28)).isoformat())
    person_id, count = recent.most_common(1)[0]
    person = next(p for p in demo_people() if p.system_id == person_id)
    keys = "\n".join(["self", "no", "no", "no", "search", person.nhs_number or "", "", "", "",
                      "", person.system_id, "quit"]) + "\n"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGE_")}
    result = subprocess.run([sys.executable, "-m", "triage.cli", "call", "front-door"],
                            input=keys, capture_output=True, text=True, cwd=ROOT, timeout=120,
                            env=env | {"TRIAGE_HOME": str(tmp_path)})
    assert f"Earlier contacts are read from the service's store {tmp_path}" in result.stderr
    assert "Traceback" not in result.stderr
    assert f"{count} earlier contact" in result.stdout, result.stdout[-3000:]

    empty = subprocess.run([sys.executable, "-m", "triage.cli", "call", "front-door"],
                           input="quit\n", capture_output=True, text=True, cwd=ROOT,
                           timeout=120, env=env | {"TRIAGE_HOME": str(tmp_path / "none")})
    assert "No contact history is available here" in empty.stdout
