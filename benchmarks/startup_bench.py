"""Fresh-process figures for issue 9: importing the engine and starting a call.

    python benchmarks/startup_bench.py --tree /path/to/old/checkout --runs 15

For this checkout and, with ``--tree``, another one (an older commit in a git worktree),
it starts a fresh Python process again and again, alternating between the trees, and
prints the median of:

- **import the run time**: ``import triage.calls`` (``triage.session`` before issue 9);
- **import, load and start**: import the engine, load the shipped pathways and start a
  call on the front door.

It also lists the libraries the first of those loads. Machines here are shared and
noisy: compare the trees in the same run, not with figures from another day. This
measures; it is not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
WATCHED = ("yaml_rs", "ruamel", "transitions", "sqlite3", "psycopg", "sqlalchemy",
           "rapidfuzz", "jellyfish", "structlog", "pydantic", "simpleeval")

# Which layout a tree has is read from its files: asking the import system would find this
# checkout's modules through the editable install when the other tree lacks them.
IMPORT_RUN_TIME = """
import json, sys, time
start = time.perf_counter()
if NEW_LAYOUT:
    import triage.calls
else:
    import triage.session
took = time.perf_counter() - start
print(json.dumps({"seconds": took, "loaded": [m for m in WATCHED if m in sys.modules]}))
"""

LOAD_AND_START = """
import json, time
start = time.perf_counter()
if NEW_LAYOUT:
    from triage.calls import CallEngine
    from triage.pipeline import load_catalogue
else:
    from triage.compiler import load_catalogue
    from triage.session import CallEngine
engine = CallEngine(load_catalogue())
call = engine.start("front-door", {"caller_type": "self"})
print(json.dumps({"seconds": time.perf_counter() - start}))
"""


def run(tree: Path, code: str) -> dict[str, object]:
    """One fresh process in ``tree`` (its own code first on the path)."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    new_layout = (tree / "triage" / "calls").is_dir()
    script = f"WATCHED = {WATCHED!r}\nNEW_LAYOUT = {new_layout}\n{code}"
    wall = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", script], cwd=tree, env=env,
                          capture_output=True, text=True, check=True)
    out: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    out["process"] = time.perf_counter() - wall
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", type=Path, help="another checkout to compare with")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    trees = {"this checkout": HERE}
    if args.tree:
        trees["other (--tree)"] = args.tree.resolve()
    figures: dict[str, dict[str, list[float]]] = {
        name: {"import": [], "import process": [], "start": [], "start process": []}
        for name in trees}
    loaded: dict[str, object] = {}
    for _ in range(args.runs):
        for name, tree in trees.items():
            first = run(tree, IMPORT_RUN_TIME)
            loaded[name] = first["loaded"]
            figures[name]["import"].append(float(first["seconds"]))  # type: ignore[arg-type]
            figures[name]["import process"].append(float(first["process"]))  # type: ignore[arg-type]
            second = run(tree, LOAD_AND_START)
            figures[name]["start"].append(float(second["seconds"]))  # type: ignore[arg-type]
            figures[name]["start process"].append(float(second["process"]))  # type: ignore[arg-type]
    print(f"Fresh processes, median of {args.runs} runs each, alternating trees "
          f"(Python {sys.version.split()[0]})")
    print(f"{'':18}{'import run time':>18}{'whole process':>15}{'import+load+start':>20}"
          f"{'whole process':>15}")
    for name, f in figures.items():
        print(f"{name:18}{statistics.median(f['import']) * 1000:>15.1f} ms"
              f"{statistics.median(f['import process']) * 1000:>12.1f} ms"
              f"{statistics.median(f['start']) * 1000:>17.1f} ms"
              f"{statistics.median(f['start process']) * 1000:>12.1f} ms")
    for name, libraries in loaded.items():
        print(f"{name}: importing the run time loads {', '.join(libraries) or 'none'} "  # type: ignore[arg-type]
              f"of {', '.join(WATCHED)}")


if __name__ == "__main__":
    main()
