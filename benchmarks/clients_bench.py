"""Client-index benchmark: latency, accuracy, build time and size, with a brute-force baseline.

Run small first, then at scale::

    python benchmarks/clients_bench.py --people 10000
    python benchmarks/clients_bench.py --people 100000 --backends sqlite,postgresql
    nohup python benchmarks/clients_bench.py --people 1000000 > reports/clients-1m.txt &

It generates synthetic people (plus people who are never indexed), builds the index on
each backend, warms it, then runs labelled phone-style queries (typos, nicknames,
maiden names, swapped names, date slips, old or mistyped postcodes, missing fields).
The baseline scores every record with rapidfuzz for a subset of the same queries.
This measures; it is not a test and has no pass mark.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rapidfuzz import fuzz, process

from triage.adapters.clients.sqlite_index import SqliteClientIndex
from triage.adapters.clients.store import StoredClientIndex
from triage.matching.port import MatchBand, SearchResult
from triage.matching.records import PersonRecord
from triage_qa.people import LabelledQuery, generate_people, phone_queries


@dataclass
class Outcome:
    """Figures for one searcher over one set of queries."""

    name: str
    latencies_ms: list[float]
    cpu_ms: list[float] | None = None
    present: int = 0
    right_first: int = 0
    in_top5: int = 0
    absent: int = 0
    absent_as_match: int = 0
    refused: int = 0
    misses: Counter[tuple[str, ...]] | None = None

    def percentile(self, p: float, values: list[float] | None = None) -> float:
        ordered = sorted(self.latencies_ms if values is None else values)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    def row(self) -> str:
        first = self.right_first / self.present if self.present else float("nan")
        top5 = self.in_top5 / self.present if self.present else float("nan")
        false = self.absent_as_match / self.absent if self.absent else float("nan")
        return (f"| {self.name} | {len(self.latencies_ms)} | "
                f"{statistics.median(self.latencies_ms):.2f} | {self.percentile(95):.2f} | "
                f"{self.percentile(99):.2f} | {first:.2%} | {top5:.2%} | "
                f"{false:.2%} ({self.absent_as_match}/{self.absent}) | "
                f"{self.percentile(50, self.cpu_ms):.2f} / {self.percentile(95, self.cpu_ms):.2f}"
                f" / {self.percentile(99, self.cpu_ms):.2f} |")


HEADER = ("| searcher | queries | median ms | p95 ms | p99 ms | right first | in top 5 | "
          "absent shown as match | client CPU ms p50 / p95 / p99 |\n"
          "|---|---|---|---|---|---|---|---|---|")


def run_queries(name: str, search: Callable[[LabelledQuery], SearchResult],
                queries: Sequence[LabelledQuery]) -> Outcome:
    out = Outcome(name, [], cpu_ms=[], misses=Counter())
    for q in queries:
        start = time.perf_counter()
        cpu = time.thread_time()
        result = search(q)
        out.latencies_ms.append((time.perf_counter() - start) * 1000)
        if out.cpu_ms is not None:
            out.cpu_ms.append((time.thread_time() - cpu) * 1000)
        if not result.searched:
            out.refused += 1
        ids = [c.person_id for c in result.candidates]
        if q.person_id is None:
            out.absent += 1
            if any(c.band is MatchBand.MATCH for c in result.candidates):
                out.absent_as_match += 1
        else:
            out.present += 1
            if ids[:1] == [q.person_id]:
                out.right_first += 1
            elif out.misses is not None:
                out.misses[q.kinds] += 1
            if q.person_id in ids[:5]:
                out.in_top5 += 1
    return out


class BruteForce:
    """The baseline: rapidfuzz WRatio of the whole description against every record."""

    def __init__(self, people: Sequence[PersonRecord]) -> None:
        self.ids = [p.system_id for p in people]
        self.choices = [self._describe(p.given_name.split()[0], p.family_name,
                                       p.date_of_birth.isoformat() if p.date_of_birth else "",
                                       p.postcode or "") for p in people]

    @staticmethod
    def _describe(given: str | None, family: str | None, dob: str | None,
                  postcode: str | None) -> str:
        return " ".join(x for x in ((given or "").lower(), (family or "").lower(),
                                    dob or "", (postcode or "").replace(" ", "").upper()) if x)

    def search(self, q: LabelledQuery) -> SearchResult:
        from triage.matching.normalise import parse_date_of_birth
        from triage.matching.port import Candidate

        d = q.details
        dob = d.date_of_birth
        if dob:
            try:
                parsed = parse_date_of_birth(dob)
                dob = parsed.full.isoformat() if parsed.full else str(parsed.year)
            except ValueError:
                pass
        text = self._describe(d.given_name, d.family_name, dob, d.postcode)
        best = process.extract(text, self.choices, scorer=fuzz.WRatio, limit=5,
                               processor=None)
        return SearchResult(candidates=tuple(
            Candidate(person_id=self.ids[i], score=s / 100,
                      band=MatchBand.MATCH if s >= 95 else MatchBand.POSSIBLE if s >= 80
                      else MatchBand.UNLIKELY)
            for _, s, i in best))


def index_searcher(index: StoredClientIndex) -> Callable[[LabelledQuery], SearchResult]:
    def search(q: LabelledQuery) -> SearchResult:
        return index.search(q.details)

    return search


def open_backend(backend: str, workdir: Path, url: str) -> StoredClientIndex:
    if backend == "sqlite":
        path = workdir / f"bench-{uuid.uuid4().hex[:8]}.sqlite3"
        return SqliteClientIndex(path)
    from triage.adapters.clients.postgres_index import PostgresClientIndex

    return PostgresClientIndex(url, schema=f"clients_bench_{uuid.uuid4().hex[:10]}")


def index_size(index: StoredClientIndex) -> int:
    if isinstance(index, SqliteClientIndex):
        index._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return sum(p.stat().st_size for p in index.path.parent.glob(index.path.name + "*"))
    size: Callable[[], int] = index.size_bytes  # type: ignore[attr-defined]
    return size()


def dispose(index: StoredClientIndex) -> None:
    if isinstance(index, SqliteClientIndex):
        path = index.path
        index.close()
        for p in path.parent.glob(path.name + "*"):
            p.unlink()
    else:
        index.drop()  # type: ignore[attr-defined]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=10_000, help="people on the index")
    parser.add_argument("--queries", type=int, default=4000, help="labelled queries")
    parser.add_argument("--absent-share", type=float, default=0.2,
                        help="share of queries about people not on the index")
    parser.add_argument("--baseline-queries", type=int, default=300,
                        help="queries for the brute-force baseline (it is slow at scale)")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default=os.environ.get(
        "TRIAGE_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    print(f"# Client index benchmark: {args.people:,} people")
    print(f"date {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {platform.platform()}; "
          f"python {platform.python_version()}; {os.cpu_count()} CPUs")
    absent_count = max(1000, args.queries)
    start = time.perf_counter()
    people = list(generate_people(args.people + absent_count, seed=args.seed))
    indexed, absent = people[:args.people], people[args.people:]
    print(f"generated {len(people):,} people in {time.perf_counter() - start:.1f} s "
          f"({absent_count:,} of them never indexed)")
    queries = phone_queries(indexed, absent, args.queries, seed=args.seed + 1,
                            absent_share=args.absent_share)
    warmup = phone_queries(indexed, absent, min(500, args.queries), seed=args.seed + 2)
    baseline_queries = queries[:args.baseline_queries]
    rows: list[Outcome] = []
    misses: dict[str, Counter[tuple[str, ...]]] = {}
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        index = open_backend(backend, args.workdir, args.postgres_url)
        try:
            start = time.perf_counter()
            index.bulk_load(indexed)
            build = time.perf_counter() - start
            size = index_size(index)
            print(f"{backend}: built in {build:.1f} s; size {size / 1e6:,.1f} MB "
                  f"({size / max(1, args.people):,.0f} bytes a person)")
            sys.stdout.flush()
            for q in warmup:
                index.search(q.details)
            search = index_searcher(index)
            outcome = run_queries(f"{backend} index", search, queries)
            rows.append(outcome)
            misses[backend] = outcome.misses or Counter()
            if baseline_queries:
                rows.append(run_queries(f"{backend} index (baseline subset)", search,
                                        baseline_queries))
        finally:
            dispose(index)
    if args.baseline_queries:
        start = time.perf_counter()
        brute = BruteForce(indexed)
        print(f"baseline prepared in {time.perf_counter() - start:.1f} s")
        rows.append(run_queries("brute-force rapidfuzz (baseline subset)", brute.search,
                                baseline_queries))
    print()
    print(HEADER)
    for row in rows:
        print(row.row())
    for backend, counter in misses.items():
        if counter:
            print(f"\n{backend}: kinds of query where the right person was not first: "
                  + "; ".join(f"{'+'.join(k)} x{n}" for k, n in counter.most_common(12)))
    kinds = Counter(k for q in queries for k in q.kinds)
    print("\nquery slips: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
