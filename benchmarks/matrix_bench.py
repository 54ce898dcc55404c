"""Figures for issue 11: ``triage matrix`` on the front door and on a generated library,
each printed beside a baseline measured in the same run.

    python benchmarks/matrix_bench.py [--rounds 5] [--pathways 200] [--steps 50]

- The front door by caller_type x known_status x reason (624 combinations), against one
  full route exploration of the same composed graph (what ``triage paths`` walks).
- Every pathway of the generated 200 x 50 library of ``benchmarks/engine_bench.py`` by
  caller_type x known_status, against one route exploration of each.

Medians of ``--rounds`` runs; the machines here are shared, so read the ratio to the
baseline. A measurement, never a test: it does not fail on a slow machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from engine_bench import write_library  # noqa: E402

from triage.adapters.audit import configure_logging  # noqa: E402
from triage.pipeline import load_catalogue, settle_memory  # noqa: E402
from triage.routing.catalogue import Catalogue  # noqa: E402
from triage.routing.explore import explore  # noqa: E402
from triage.routing.matrix import route_matrix  # noqa: E402

FRONT_DOOR_BY = ("caller_type", "known_status", "reason")
GENERATED_BY = ("caller_type", "known_status")


def median_seconds(action: Callable[[], object], rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def explore_all(catalogue: Catalogue) -> int:
    return sum(sum(1 for _ in explore(c.graph)) for c in catalogue.newest.values())


def matrix_all(catalogue: Catalogue) -> int:
    return sum(len(route_matrix(c, GENERATED_BY).cells) for c in catalogue.newest.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pathways", type=int, default=200)
    parser.add_argument("--steps", type=int, default=50)
    args = parser.parse_args()
    configure_logging(open("/dev/null", "w"))  # noqa: SIM115

    shipped = load_catalogue([ROOT / "pathways", ROOT / "scripts"])
    settle_memory()
    front = shipped.get("front-door")
    cells = len(route_matrix(front, FRONT_DOOR_BY).cells)
    base = median_seconds(lambda: list(explore(front.graph)), args.rounds)
    figure = median_seconds(lambda: route_matrix(front, FRONT_DOOR_BY), args.rounds)
    print(f"Python {sys.version.split()[0]}; medians of {args.rounds} runs\n")
    print(f"triage matrix front-door --by {','.join(FRONT_DOOR_BY)} ({cells} cells)")
    print(f"  baseline: one route exploration of front-door   {base * 1000:9.1f} ms")
    print(f"  matrix                                          {figure * 1000:9.1f} ms   "
          f"{figure / base:6.1f}x the baseline   (target <= 2 s)")

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_library(folder, args.pathways, args.steps)
        generated = load_catalogue([folder])
    settle_memory()
    count = len(generated.newest)
    base = median_seconds(lambda: explore_all(generated), args.rounds)
    figure = median_seconds(lambda: matrix_all(generated), args.rounds)
    print(f"\ntriage matrix PATHWAY --by {','.join(GENERATED_BY)} on each of {count} generated "
          f"pathways x {args.steps} steps")
    print(f"  baseline: one route exploration of each         {base * 1000:9.1f} ms")
    print(f"  matrix of each                                  {figure * 1000:9.1f} ms   "
          f"{figure / base:6.1f}x the baseline   (target <= 10 s)")


if __name__ == "__main__":
    main()
