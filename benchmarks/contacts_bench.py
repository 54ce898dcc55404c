"""Figures for issue 10 (every contact in context), each printed beside its baseline from
the same run:

1. A person's last 28 days of contacts at 1,000,000 stored contacts, through the service's
   own query (``contacts_about``), on SQLite and PostgreSQL, with its index and then the
   same query without it (target: p95 <= 5 ms with the index).
2. Answer -> next step with the repeat-contact rule on the shipped pathways, and on the
   same pathways with the rule's route taken out (compiled without the validator, which
   refuses it: a baseline only); target: no measurable difference.
3. ``triage contacts generate`` of 100,000 contacts into a fresh SQLite store (target:
   <= 60 s), beside the engine alone driving the same generator.

    python benchmarks/contacts_bench.py [--contacts 1000000] [--generate 100000]

The million rows are bulk-inserted (SQLite ``executemany``, PostgreSQL ``COPY``), not made
by the engine, with foreign-key checks off for the load (no call rows are made for them).
Machines here are shared and noisy: read the ratios to the baselines measured in the same
run. This is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from api.storage import SqlRepository, make_engine, migrate  # noqa: E402
from triage.adapters.audit import configure_logging  # noqa: E402
from triage.adapters.clients import demo_people  # noqa: E402
from triage.calls import CallEngine, ContactHistory, EarlierContact  # noqa: E402
from triage.pipeline import check_paths, compile_library, load_catalogue  # noqa: E402
from triage.routing.catalogue import Catalogue  # noqa: E402

PG_SERVER = os.environ.get("TRIAGE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
NOW = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
COLUMNS = ("call_id", "need", "pathway_id", "pathway_version", "handler", "started_at",
           "ended_at", "outcome_id", "outcome_kind", "reason", "person_id", "team",
           "timeframe", "record")
KINDS = ("signpost", "deflect_online", "referral", "duty_screening", "no_further_action")


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def rows(count: int, people: int) -> Iterator[tuple[Any, ...]]:
    """``count`` contacts about ``people`` people, spread over the year before NOW."""
    rng = random.Random(10)
    for n in range(count):
        started = NOW - dt.timedelta(seconds=rng.uniform(0, 365 * 86400))
        at = started.isoformat(timespec="milliseconds")
        yield (f"bench{n:09d}", 1, "front-door", 1, "handler-01", at, at,
               "front-door:signpost", rng.choice(KINDS), "information_advice",
               f"P{rng.randrange(people):07d}", "front-door-duty", "none", "{}")


# --- 1. the 28-day look-up -------------------------------------------------------------


@contextmanager
def sqlite_store(count: int, people: int) -> Iterator[tuple[str, Callable[[], None]]]:
    folder = Path(tempfile.mkdtemp(prefix="contacts-bench-"))
    url = f"sqlite:///{folder / 'triage.sqlite3'}"
    migrate(url)
    db = sqlite3.connect(folder / "triage.sqlite3")
    db.execute("PRAGMA foreign_keys=OFF")
    with db:
        db.executemany(f"INSERT INTO contacts ({', '.join(COLUMNS)}) VALUES "
                       f"({', '.join('?' * len(COLUMNS))})", rows(count, people))
    db.execute("ANALYZE")
    db.close()

    def drop_index() -> None:
        with sqlite3.connect(folder / "triage.sqlite3") as c:
            c.execute("DROP INDEX contacts_by_person")
            c.execute("ANALYZE")
    try:
        yield url, drop_index
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def postgres_store(count: int, people: int) -> Iterator[tuple[str, Callable[[], None]]]:
    name = f"contacts_bench_{os.getpid()}"
    with psycopg.connect(PG_SERVER, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    base = PG_SERVER.rsplit("/", 1)[0]
    url = f"postgresql+psycopg://{base.split('://', 1)[1]}/{name}"
    plain = f"{base}/{name}"
    migrate(url)
    with psycopg.connect(plain) as db:
        db.execute("SET session_replication_role = replica")  # no FK checks for the load
        with db.cursor().copy(f"COPY contacts ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows(count, people):
                copy.write_row(row)
    with psycopg.connect(plain, autocommit=True) as db:
        db.execute("VACUUM ANALYZE contacts")

    def drop_index() -> None:
        with psycopg.connect(plain, autocommit=True) as c:
            c.execute("DROP INDEX contacts_by_person")
            c.execute("ANALYZE contacts")
    try:
        yield url, drop_index
    finally:
        with psycopg.connect(PG_SERVER, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def lookups(url: str, people: int, count: int) -> list[float]:
    """Milliseconds per 28-day look-up of a random person, through the service's query."""
    repository = SqlRepository(make_engine(url))
    rng = random.Random(5)
    since = NOW - dt.timedelta(days=28)
    try:
        repository.contacts_about("P0000000", since)  # a connection in the pool
        samples = []
        for _ in range(count):
            person = f"P{rng.randrange(people):07d}"
            began = time.perf_counter()
            repository.contacts_about(person, since)
            samples.append((time.perf_counter() - began) * 1000)
        return samples
    finally:
        repository.engine.dispose()


def lookup_figures(count: int) -> None:
    people = max(count // 10, 1)
    print(f"\n1. A person's last 28 days of contacts, {count:,} stored contacts about "
          f"{people:,} people (ms)")
    print("   store        index      median     p95    p99   runs")
    for label, store in (("SQLite", sqlite_store), ("PostgreSQL", postgres_store)):
        began = time.perf_counter()
        with store(count, people) as (url, drop_index):
            built = time.perf_counter() - began
            indexed = lookups(url, people, 1000)
            drop_index()
            scanned = lookups(url, people, 20)
        for name, samples in (("with", indexed), ("without", scanned)):
            print(f"   {label:<12} {name:<8} {statistics.median(samples):8.2f} "
                  f"{pct(samples, 0.95):7.2f} {pct(samples, 0.99):6.2f} {len(samples):6}")
        print(f"   {label}: without the index the median is "
              f"{statistics.median(scanned) / statistics.median(indexed):,.0f}x; "
              f"{count:,} rows loaded in {built:.0f} s")
    print("   (target: p95 <= 5 ms with the index)")


# --- 2. the repeat-contact rule on answer -> next ----------------------------------------


class NoHistory(ContactHistory):
    """Two earlier contacts a fortnight ago: facts to work out, not a repeat contact."""

    def recent(self, person_id: str, *, since: dt.datetime) -> list[EarlierContact]:
        at = (NOW - dt.timedelta(days=14)).isoformat()
        return [EarlierContact("e1", at, "information_advice", "signpost"),
                EarlierContact("e2", at, "carer_support", "referral", "locality-north")]


def without_rule() -> Catalogue:
    """The shipped pathways with the repeat-contact route taken out of the front door,
    compiled without the validator (which says the rule is broken): a baseline only."""
    folder = Path(tempfile.mkdtemp(prefix="no-repeat-"))
    shutil.copytree(ROOT / "pathways", folder / "pathways")
    front = folder / "pathways" / "front-door.yaml"
    text = front.read_text()
    route = ('      - when: "repeat_contact"\n        goto: repeat_contact_duty\n'
             '        why: Repeat contact about the same person, screened by the duty social '
             'worker\n')
    assert route in text, "the front door's repeat-contact route has moved"
    front.write_text(text.replace(route, ""))
    lib, checked = check_paths([folder / "pathways", ROOT / "scripts"])
    catalogue = compile_library(lib, checked.composed)
    shutil.rmtree(folder, ignore_errors=True)
    return catalogue


def rule_figures(rounds: int) -> None:
    engines = {"with the rule": CallEngine(load_catalogue([ROOT / "pathways", ROOT / "scripts"]),
                                           None, history=NoHistory(), clock=lambda: NOW),
               "without (baseline)": CallEngine(without_rule(), None, history=NoHistory(),
                                                clock=lambda: NOW)}
    samples: dict[str, dict[str, list[float]]] = {k: {"person": [], "reason": []}
                                                  for k in engines}
    for _ in range(rounds):
        for name, engine in engines.items():  # interleaved: noise hits both alike
            call = engine.start("front-door", {"caller_type": "self"})
            for step in ("danger_to_life", "abuse_or_neglect", "mental_health_crisis"):
                engine.answer(call, step, "no")
            began = time.perf_counter()
            engine.answer(call, "find_person", "not_known")
            samples[name]["person"].append((time.perf_counter() - began) * 1e6)
            began = time.perf_counter()
            engine.answer(call, "reason", "information_advice")
            samples[name]["reason"].append((time.perf_counter() - began) * 1e6)
    print(f"\n2. Answer -> next step with and without the repeat-contact rule, {rounds:,} "
          "calls each (µs)")
    print("   step           pathways              median     p95   ratio to baseline")
    for step in ("person", "reason"):
        base = statistics.median(samples["without (baseline)"][step])
        for name in engines:
            got = samples[name][step]
            print(f"   {step + ' check' if step == 'person' else 'reason':<14} {name:<20} "
                  f"{statistics.median(got):7.1f} {pct(got, 0.95):7.1f} "
                  f"{statistics.median(got) / base:8.2f}")
    print("   (target: no measurable difference)")


# --- 3. generating contacts --------------------------------------------------------------


def generate_figures(count: int) -> None:
    from triage.cli.contacts import generate
    from triage_qa.contacts import ContactGenerator

    catalogue = load_catalogue([ROOT / "pathways", ROOT / "scripts"])
    folder = Path(tempfile.mkdtemp(prefix="contacts-gen-"))
    url = f"sqlite:///{folder / 'triage.sqlite3'}"
    migrate(url)
    start = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
    with open(os.devnull, "w") as quiet:
        written, calls, seconds = generate(catalogue, url, count, 2026, start,
                                           min(os.cpu_count() or 1, 4), quiet)
    shutil.rmtree(folder, ignore_errors=True)
    sample = min(count, 10_000)
    generator = ContactGenerator(catalogue, demo_people(), seed=2026, start=start)
    began = time.perf_counter()
    for _ in generator.calls(sample):
        pass
    engine_only = (time.perf_counter() - began) / sample * calls
    print(f"\n3. triage contacts generate --contacts {count:,} into a fresh SQLite store "
          f"({os.cpu_count()} cores)")
    print(f"   generate and write: {seconds:6.1f} s ({written:,} contacts on {calls:,} calls)")
    print(f"   baseline, the engine alone on one core for as many calls (from {sample:,}): "
          f"{engine_only:6.1f} s; ratio {seconds / engine_only:.2f}")
    print("   (target: <= 60 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3000)
    parser.add_argument("--generate", type=int, default=100_000)
    args = parser.parse_args()
    configure_logging(open(os.devnull, "w"))  # noqa: SIM115
    with open("/proc/loadavg") as load:
        print(f"Load average at the start: {load.read().split()[0]} on "
              f"{os.cpu_count()} cores")
    lookup_figures(args.contacts)
    rule_figures(args.rounds)
    generate_figures(args.generate)


if __name__ == "__main__":
    main()
