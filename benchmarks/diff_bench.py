"""Comparing two versions (``triage diff``) and the cross-version safety check, beside
today's manual method (``triage paths`` on both versions), in the same run.

    python benchmarks/diff_bench.py [--runs 5] [--pathways 200] [--steps 50]

Two sets: the shipped pathways against a copy with two routes of the front door swapped,
and the generated set of ``engine_bench.py`` (200 x 50) against a copy where one default
in every pathway moved. Each figure loads both versions from files (as the command does),
then compares every pathway and runs the safety check on it; the baseline loads both and
prints every route of every pathway on both (``triage paths``). Medians of ``--runs``.
Machines here are shared and noisy: read the ratio. This measures; it is not a test.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "benchmarks"))

from engine_bench import write_library  # noqa: E402

from triage.expressions import compile_expression  # noqa: E402
from triage.pipeline import load_catalogue  # noqa: E402
from triage.routing.diff import compare, less_safe_of  # noqa: E402
from triage.views import route_table  # noqa: E402


def shipped_pair(folder: Path) -> tuple[list[Path], list[Path]]:
    new = folder / "shipped-new"
    for part in ("pathways", "scripts"):
        shutil.copytree(HERE / part, new / part)
    front = new / "pathways" / "front-door.yaml"
    text = front.read_text().replace("  version: 1\n", "  version: 2\n", 1)
    text = text.replace("goto: to_complaints", "goto: SWAP", 1)
    text = text.replace("goto: to_information_advice\n        why: Information and advice",
                        "goto: to_complaints\n        why: Information and advice", 1)
    front.write_text(text.replace("goto: SWAP", "goto: to_information_advice", 1))
    return [HERE / "pathways", HERE / "scripts"], [new]


def generated_pair(folder: Path, pathways: int, steps: int) -> tuple[list[Path], list[Path]]:
    old, new = folder / "gen-old", folder / "gen-new"
    write_library(old, pathways, steps)
    write_library(new, pathways, steps)
    for path in new.glob("gen-*.yaml"):
        text = path.read_text().replace("  version: 1\n", "  version: 2\n", 1)
        # q5's "no" now goes online instead of to a referral: a moved route in every pathway.
        marker = "  - id: q5\n"
        head, tail = text.split(marker, 1)
        tail = tail.replace("    default: referral", "    default: online", 1)
        path.write_text(head + marker + tail)
    return [old], [new]


def timed(action: Callable[[], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        compile_expression.cache_clear()
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return samples


def compare_all(old_paths: list[Path], new_paths: list[Path]) -> tuple[int, int]:
    old, new = load_catalogue(old_paths), load_catalogue(new_paths)
    moved = worse = 0
    for pid in new.ids():
        a, b = old.get(pid), new.get(pid)
        found = compare(a, b)
        moved += len(found.routes)
        worse += len(less_safe_of(found.routes, b.policy))
    return moved, worse


def paths_both(old_paths: list[Path], new_paths: list[Path]) -> int:
    old, new = load_catalogue(old_paths), load_catalogue(new_paths)
    return sum(len(route_table(c.get(pid))) for c in (old, new) for pid in c.ids())


def load_both(old_paths: list[Path], new_paths: list[Path]) -> int:
    return len(load_catalogue(old_paths).ids()) + len(load_catalogue(new_paths).ids())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pathways", type=int, default=200)
    parser.add_argument("--steps", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sets = {"shipped set": shipped_pair(Path(tmp)),
                f"generated {args.pathways} x {args.steps}":
                    generated_pair(Path(tmp), args.pathways, args.steps)}
        targets = {"shipped set": 1.0}
        print(f"Medians of {args.runs} runs; both versions loaded from files each time.\n")
        print(f"{'set':<24}{'diff + safety check':>22}{'triage paths x2':>18}{'ratio':>8}"
              f"{'of it, loading':>16}{'routes moved':>14}{'less safe':>11}")
        for name, (old, new) in sets.items():
            moved, worse = compare_all(old, new)
            diff = statistics.median(timed(lambda o=old, n=new: compare_all(o, n), args.runs))
            base = statistics.median(timed(lambda o=old, n=new: paths_both(o, n), args.runs))
            load = statistics.median(timed(lambda o=old, n=new: load_both(o, n), args.runs))
            target = targets.get(name, 5.0)
            print(f"{name:<24}{diff:>20.2f} s{base:>16.2f} s{diff / base:>7.2f}x"
                  f"{load:>14.2f} s{moved:>14}{worse:>11}   (target <= {target:g} s)")


if __name__ == "__main__":
    main()
