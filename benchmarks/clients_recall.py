"""Blocking recall and accuracy, before and after, on two independent generators.

Run::

    git worktree add /tmp/matcher-before cb60476   # today's matcher, kept runnable
    python benchmarks/clients_recall.py --people 100000 --before /tmp/matcher-before

For each generator (the project's :mod:`triage_qa.people` and the independent
:mod:`triage_qa.other_people`) it writes the people and labelled queries to files once,
then runs the same measuring worker twice in fresh processes: once with the old tree
first on ``PYTHONPATH`` (the baseline) and once with this tree. So both rows come from
the same run, the same people and the same queries. Figures:

* blocking recall: the share of true pairs (query, the person it is about) that share
  at least one blocking key;
* recall within the cap: the share whose person is among the people scored in full
  (the capped candidate list);
* candidates: distinct people sharing at least one key with a search (mean and p95),
  before the cap;
* right first, in the top 5, absent shown as a match; search time median and p95; index
  build time and size.

With this tree it also prints each key family's share of true pairs and the pairs only
that family finds. This measures; it is not a test and has no pass mark.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIELDS = ("nhs_number", "given_name", "family_name", "date_of_birth", "postcode", "address")


# --------------------------------------------------------------------------- the worker

def _pct(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def worker(people_path: Path, queries_path: Path, indexed_count: int, workdir: Path
           ) -> dict[str, Any]:
    """Measure whichever ``triage`` is first on the path; return the figures."""
    from triage.adapters.clients import store
    from triage.adapters.clients.sqlite_index import SqliteClientIndex
    from triage.matching import keys as key_module
    from triage.matching.port import MatchBand, SearchDetails
    from triage.matching.profile import profile_of
    from triage.matching.query import Refusal, prepare_query
    from triage.matching.records import PersonRecord

    people = [PersonRecord.from_json(line) for line in
              people_path.read_text(encoding="utf-8").splitlines()]
    by_id = {p.system_id: p for p in people}
    queries = [json.loads(line) for line in queries_path.read_text(encoding="utf-8").splitlines()]
    families = getattr(key_module, "KEY_FAMILIES", None)
    db = workdir / f"recall-{os.getpid()}.sqlite3"
    index = SqliteClientIndex(db)
    start = time.perf_counter()
    index.bulk_load(people[:indexed_count])
    build_s = time.perf_counter() - start
    index._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))
    cap = store.CANDIDATES_SCORED
    present = refused = shared = in_cap = first = top5 = absent = absent_match = 0
    candidates: list[float] = []
    latencies: list[float] = []
    lost_kinds: Counter[str] = Counter()
    misses: list[dict[str, Any]] = []
    max_misses = int(os.environ.get("RECALL_MISSES", "40"))
    band_right: Counter[str] = Counter()
    band_all: Counter[str] = Counter()
    found_by: Counter[str] = Counter()
    only_by: Counter[str] = Counter()
    for q in queries:
        details = SearchDetails(**{f: q["details"].get(f) for f in FIELDS})
        start = time.perf_counter()
        result = index.search(details)
        latencies.append((time.perf_counter() - start) * 1000)
        ids = [c.person_id for c in result.candidates]
        pid = q["person_id"]
        for c in result.candidates:
            band_all[c.band.value] += 1
            band_right[c.band.value] += c.person_id == pid
        if pid is None:
            absent += 1
            absent_match += any(c.band is MatchBand.MATCH for c in result.candidates)
            continue
        present += 1
        first += ids[:1] == [pid]
        top5 += pid in ids[:5]
        if pid not in ids[:5] and len(misses) < max_misses:
            misses.append(_miss(index, details, q, by_id[pid], result))
        prepared = prepare_query(details)
        if isinstance(prepared, Refusal):
            refused += 1
            continue
        qkeys = key_module.query_keys(prepared)
        profile = profile_of(by_id[pid])
        if set(qkeys) & key_module.record_keys(profile):
            shared += 1
        else:
            lost_kinds["+".join(q["kinds"])] += 1
        with index._lock:
            marks = ",".join("?" for _ in qkeys)
            n = index._db.execute(f"SELECT COUNT(DISTINCT pid) FROM block_keys WHERE k IN "
                                  f"({marks})", list(qkeys)).fetchone()[0] if qkeys else 0
        candidates.append(float(n))
        capped = index._candidates(qkeys, max(cap, 20)) if qkeys else []
        in_cap += any(p.person_id == pid for p in capped)
        if families:
            qtext = key_module.query_key_texts(prepared)
            rtext = key_module.record_key_texts(profile)
            hits = {k.split("|", 1)[0] for k in set(qtext) & rtext}
            for fam in hits:
                found_by[fam] += 1
            if len(hits) == 1:
                only_by[next(iter(hits))] += 1
    index.close()
    for p in db.parent.glob(db.name + "*"):
        p.unlink()
    searched = present - refused
    import triage

    return {
        "triage": str(Path(triage.__file__).parent),
        "people": indexed_count, "present": present, "refused": refused,
        "blocking_recall": shared / searched if searched else float("nan"),
        "lost": searched - shared, "cap": cap,
        "recall_in_cap": in_cap / searched if searched else float("nan"),
        "candidates_mean": statistics.fmean(candidates) if candidates else 0.0,
        "candidates_p95": _pct(candidates, 95),
        "right_first": first / present, "top5": top5 / present,
        "absent_as_match": absent_match / absent if absent else float("nan"),
        "absent": absent, "absent_match": absent_match,
        "median_ms": statistics.median(latencies), "p95_ms": _pct(latencies, 95),
        "build_s": build_s, "size_mb": size / 1e6,
        "lost_kinds": lost_kinds.most_common(8),
        "misses": misses,
        "bands": {b: [band_right[b], band_all[b]] for b in ("match", "possible", "unlikely")},
        "families": {f.name: [found_by[f.name] / searched, only_by[f.name]]
                     for f in families} if families else {},
    }


def _miss(index: Any, details: Any, q: dict[str, Any], person: Any, result: Any
          ) -> dict[str, Any]:
    """What a search not finding its person in the top 5 was, for reading: the slips,
    what was said, the stored person, where the person came (in the 40 scored, or not
    scored at all) and the reasons beside those of the people ranked above."""
    wide = index.search(details, limit=40)
    wide_ids = [c.person_id for c in wide.candidates]
    rank = wide_ids.index(person.system_id) + 1 if person.system_id in wide_ids else None
    stored = {"given": person.given_name, "family": person.family_name,
              "previous": list(person.previous_family_names),
              "dob": person.date_of_birth.isoformat() if person.date_of_birth else None,
              "postcode": person.postcode, "previous_postcodes": list(person.previous_postcodes)}
    said = {f: v for f, v in q["details"].items() if v}
    above = [{"id": c.person_id, "band": c.band.value, "score": c.score,
              "reasons": {k: v for k, v in c.reasons.items() if v != "missing"}}
             for c in wide.candidates[:min(3, (rank or 4) - 1)]]
    own = next((c for c in wide.candidates if c.person_id == person.system_id), None)
    return {"kinds": q["kinds"], "said": said, "stored": stored, "rank": rank,
            "own": None if own is None else {
                "band": own.band.value, "score": own.score,
                "reasons": {k: v for k, v in own.reasons.items() if v != "missing"}},
            "above": above, "shown": len(result.candidates)}


# --------------------------------------------------------------------------- the driver

def _write_inputs(name: str, people: int, queries: int, seed: int, workdir: Path
                  ) -> tuple[Path, Path]:
    absent_count = max(500, queries // 4)
    if name == "project":
        from triage_qa.people import generate_people, phone_queries

        everyone = list(generate_people(people + absent_count, seed=seed))
        labelled: list[Any] = phone_queries(everyone[:people], everyone[people:], queries,
                                            seed=seed + 1)
    else:
        from triage_qa.other_people import messy_queries, other_people

        everyone = other_people(people + absent_count, seed=seed)
        labelled = messy_queries(everyone[:people], everyone[people:], queries, seed=seed + 1)
    people_path = workdir / f"{name}-people.jsonl"
    queries_path = workdir / f"{name}-queries.jsonl"
    people_path.write_text("\n".join(p.to_json() for p in everyone), encoding="utf-8")
    queries_path.write_text("\n".join(json.dumps({
        "details": {f: getattr(q.details, f) for f in FIELDS},
        "person_id": q.person_id, "kinds": list(q.kinds)}) for q in labelled),
        encoding="utf-8")
    return people_path, queries_path


def _run_worker(tree: Path, people_path: Path, queries_path: Path, count: int,
                workdir: Path) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(tree))
    out = subprocess.run(
        [sys.executable, "-c",
         "import json, sys; from pathlib import Path; "
         f"sys.path.insert(0, {str(tree)!r}); "
         f"sys.path.insert(1, {str(ROOT / 'benchmarks')!r}); "
         "import clients_recall as r; "
         "print(json.dumps(r.worker(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), "
         "Path(sys.argv[4]))))",
         str(people_path), str(queries_path), str(count), str(workdir)],
        env=env, capture_output=True, text=True, check=False, cwd=str(tree))
    if out.returncode:
        raise SystemExit(f"the worker for {tree} failed:\n{out.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


HEADER = ("| generator | matcher | people | blocking recall (lost) | recall within cap (cap) | "
          "candidates mean / p95 | right first | in top 5 | absent as match | "
          "median / p95 ms | build s | size MB |\n|---|---|---|---|---|---|---|---|---|---|---|"
          "---|")


def _row(gen: str, label: str, r: dict[str, Any]) -> str:
    return (f"| {gen} | {label} | {r['people']:,} | {r['blocking_recall']:.3%} ({r['lost']}) | "
            f"{r['recall_in_cap']:.3%} ({r['cap']}) | {r['candidates_mean']:.0f} / "
            f"{r['candidates_p95']:.0f} | {r['right_first']:.2%} | {r['top5']:.2%} | "
            f"{r['absent_as_match']:.2%} ({r['absent_match']}/{r['absent']}) | "
            f"{r['median_ms']:.2f} / {r['p95_ms']:.2f} | {r['build_s']:.1f} | "
            f"{r['size_mb']:.0f} |")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=4000)
    parser.add_argument("--before", type=Path,
                        help="a git worktree of the old commit: the baseline matcher")
    parser.add_argument("--generators", default="project,other")
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--misses", action="store_true",
                        help="print each search whose person was not in the top 5")
    args = parser.parse_args(argv)
    print(f"# Blocking recall: {args.people:,} people, {args.queries:,} queries a generator")
    rows = []
    notes = []
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        work = Path(tmp)
        for gen in [g.strip() for g in args.generators.split(",") if g.strip()]:
            people_path, queries_path = _write_inputs(gen, args.people, args.queries,
                                                      args.seed, work)
            if args.before:
                before = _run_worker(args.before.resolve(), people_path, queries_path,
                                     args.people, work)
                rows.append(_row(gen, "before (baseline)", before))
                notes.append(f"{gen}, before: pairs sharing no key, by slips: "
                             + "; ".join(f"{k} x{n}" for k, n in before["lost_kinds"]))
            after = _run_worker(ROOT, people_path, queries_path, args.people, work)
            rows.append(_row(gen, "after", after))
            if args.before and before["triage"] == after["triage"]:
                raise SystemExit("the baseline ran this tree's matcher, not the old one")
            notes.append(f"{gen}, after: pairs sharing no key, by slips: "
                         + ("; ".join(f"{k} x{n}" for k, n in after["lost_kinds"]) or "none"))
            notes.append(f"{gen}, after: how often a candidate shown in each band is the "
                         "right person: " + ", ".join(
                             f"{b} {r / n:.2%} ({r}/{n})" if n else f"{b} none"
                             for b, (r, n) in after["bands"].items()))
            notes.append(f"{gen}, after: key family: share of true pairs it finds / pairs "
                         "only it finds: " + ", ".join(
                             f"{name} {share:.1%}/{only}"
                             for name, (share, only) in after["families"].items()))
            if args.misses:
                notes.append(f"{gen}, after: searches whose person was not in the top 5 "
                             f"({len(after['misses'])} shown):")
                notes.extend("  " + json.dumps(m, ensure_ascii=False)
                             for m in after["misses"])
            sys.stdout.flush()
    print()
    print(HEADER)
    print("\n".join(rows))
    print()
    print("\n".join(notes))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
