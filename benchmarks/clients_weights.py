"""Learned match weights against the built-in ones, on the same index and queries.

Run::

    python benchmarks/clients_weights.py --people 20000

Builds an SQLite index of synthetic people, runs labelled phone-style queries with the
built-in points (the baseline), trains weights on the index (``train_weights``) and
runs the same queries again with them. Prints right first, in the top 5, absent shown
as a match, and the share of right-first answers in the "match" band, for both.
This measures; it is not a test and has no pass mark.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from triage.adapters.clients.sqlite_index import SqliteClientIndex
from triage.matching.port import MatchBand
from triage_qa.people import LabelledQuery, generate_people, phone_queries


def _run(index: SqliteClientIndex, queries: Sequence[LabelledQuery]) -> str:
    first = top5 = present = absent = absent_match = first_in_match = 0
    for q in queries:
        result = index.search(q.details)
        ids = [c.person_id for c in result.candidates]
        if q.person_id is None:
            absent += 1
            absent_match += any(c.band is MatchBand.MATCH for c in result.candidates)
            continue
        present += 1
        if ids[:1] == [q.person_id]:
            first += 1
            first_in_match += result.candidates[0].band is MatchBand.MATCH
        top5 += q.person_id in ids[:5]
    return (f"{first / present:.2%} | {top5 / present:.2%} | {absent_match}/{absent} | "
            f"{first_in_match / max(1, first):.1%}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args(argv)
    people = list(generate_people(args.people + 1000, seed=args.seed))
    queries = phone_queries(people[:args.people], people[args.people:], args.queries,
                            seed=args.seed + 1)
    with tempfile.TemporaryDirectory() as tmp:
        index = SqliteClientIndex(Path(tmp) / "w.sqlite3")
        index.bulk_load(people[:args.people])
        print(f"# Learned weights, {args.people:,} people, {args.queries:,} queries\n")
        print("| weights | right first | in top 5 | absent shown as match | right first in "
              "the match band |\n|---|---|---|---|---|")
        print(f"| built-in (baseline) | {_run(index, queries)} |")
        start = time.perf_counter()
        weights = index.train_weights(Path(tmp) / "w.json")
        took = time.perf_counter() - start
        index.use_weights(Path(tmp) / "w.json")
        print(f"| learned | {_run(index, queries)} |")
        print(f"\ntrained in {took:.1f} s on {weights.pairs:,} blocked pairs; points: " + "; ".join(
            f"{f} " + "/".join(f"{weights.points(f, lv) or 0:+.1f}"
                               for lv in ("agrees", "partly agrees", "disagrees"))
            for f in weights.m))
        index.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
