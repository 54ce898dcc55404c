"""Engine figures for issue 2, printed side by side with a bare ``transitions`` baseline.

    python benchmarks/engine_bench.py [--rounds 5] [--pathways 200] [--steps 50]

Prints medians and p99s; machines here are shared and noisy, so compare the ratio of the
engine to the baseline measured in the same run rather than absolute numbers. This is a
measurement, not a test: it never fails on a slow machine.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from transitions import Machine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from triage.adapters.audit import audit_logger, configure_logging  # noqa: E402
from triage.calls import CallEngine, CallSession  # noqa: E402
from triage.expressions import compile_expression  # noqa: E402
from triage.pipeline import load_catalogue, settle_memory  # noqa: E402

FACTS = (ROOT / "pathways" / "facts.yaml").read_text()
DIRECTORY = (ROOT / "pathways" / "directory.yaml").read_text()


def pathway_yaml(index: int, steps: int) -> str:
    """An entry pathway: a red-flag question, then a chain of questions with routes."""
    lines = [
        "pathway:",
        f"  id: gen-{index:04d}",
        f"  title: Generated pathway {index}",
        "  version: 1",
        "  owner: Benchmark",
        "  status: draft",
        "  change_note: Generated for the benchmark.",
        "start: danger",
        "red_flag_screen: [danger]",
        "steps:",
        "  - id: danger",
        "    kind: question",
        '    text: {en: "Is anyone in danger right now?"}',
        '    answer: {type: yes_no_unsure, unsure_means: "yes"}',
        "    routes:",
        "      - {when: \"danger == 'yes'\", goto: emergency}",
        "    default: q1",
    ]
    questions = steps - 4
    for i in range(1, questions + 1):
        nxt = f"q{i + 1}" if i < questions else "online"
        lines += [
            f"  - id: q{i}",
            "    kind: question",
            f'    text: {{en: "Question {i} for {{caller_type}}?"}}',
            "    answer: {type: yes_no}",
            "    routes:",
            f"      - {{when: \"q{i} == 'yes'\", goto: {nxt}}}",
            "    default: referral",
        ]
    lines += [
        "  - id: online",
        "    kind: outcome",
        "    outcome: {kind: deflect_online, summary: Online, service: self-assessment, "
        "timeframe: 5 working days, text: {en: \"Use {service_url}\"}, "
        "codes: {route_of_access: community, request_outcome: assessment}}",
        "  - id: referral",
        "    kind: outcome",
        "    outcome: {kind: team_referral, summary: Referral, team: locality-north, "
        "timeframe: 2 working days, text: {en: \"{team} will call.\"}, "
        "codes: {route_of_access: community, request_outcome: assessment}}",
        "  - id: emergency",
        "    kind: outcome",
        "    outcome: {kind: emergency_services, summary: '999', timeframe: immediate, "
        "text: {en: \"Call 999.\"}, codes: {cld_request: false}}",
    ]
    return "\n".join(lines) + "\n"


def write_library(folder: Path, pathways: int, steps: int) -> None:
    """Write facts, directory and ``pathways`` generated pathway files into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "facts.yaml").write_text(FACTS)
    (folder / "directory.yaml").write_text(DIRECTORY)
    for i in range(pathways):
        (folder / f"gen-{i:04d}.yaml").write_text(pathway_yaml(i, steps))


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class BareCall:
    """The bare baseline's model: a plain object with a state and one answer."""

    def __init__(self, state: str) -> None:
        self.state = state
        self.answer = "yes"


def bare_machine(questions: int) -> Machine:
    """A machine equivalent to the generated pathway: same states, one guarded route each."""
    states = ["danger"] + [f"q{i}" for i in range(1, questions + 1)] + [
        "online", "referral", "emergency"]
    transitions: list[dict[str, Any]] = []
    order = states[: questions + 1]
    for i, state in enumerate(order):
        nxt = order[i + 1] if i + 1 < len(order) else "online"
        transitions.append({"trigger": "advance", "source": state, "dest": nxt,
                            "conditions": [lambda ev: ev.model.answer == "yes"]})
        transitions.append({"trigger": "advance", "source": state, "dest": "referral"})
    return Machine(model=None, states=states, transitions=transitions, initial="danger",
                   auto_transitions=False, send_event=True)


def time_each(action: Callable[[], object], count: int) -> list[float]:
    samples = []
    clock = time.perf_counter_ns
    for _ in range(count):
        t0 = clock()
        action()
        samples.append((clock() - t0) / 1000)
    return samples


def answer_figures(engine: CallEngine, steps: int, rounds: int) -> dict[str, list[float]]:
    questions = steps - 4
    event = bare_machine(questions).events["advance"]
    result: dict[str, list[float]] = {"engine": [], "engine+view": [], "bare": []}

    def fresh_call() -> tuple[CallSession, Iterator[str]]:
        call = engine.start("gen-0000")
        engine.answer(call, "danger", "no")
        return call, iter([f"q{i}" for i in range(1, questions)])

    def answer_only(call: CallSession, names: Iterator[str]) -> Callable[[], object]:
        return lambda: engine.answer(call, next(names), "yes")

    def answer_and_view(call: CallSession, names: Iterator[str]) -> Callable[[], object]:
        def act() -> object:
            engine.answer(call, next(names), "yes")
            return engine.current(call)
        return act

    for _ in range(rounds):
        # Interleave engine and baseline so machine noise hits both alike.
        result["engine"] += time_each(answer_only(*fresh_call()), questions - 1)
        result["engine+view"] += time_each(answer_and_view(*fresh_call()), questions - 1)
        model = BareCall("q1")
        result["bare"] += time_each(partial(event.trigger, model), questions - 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--pathways", type=int, default=200)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--calls", type=int, default=10_000)
    args = parser.parse_args()
    configure_logging(open(os.devnull, "w"))  # audit lines cost time, not memory
    tmp = Path(tempfile.mkdtemp(prefix="triage-bench-"))
    try:
        print(f"Python {sys.version.split()[0]}; {args.pathways} pathways x {args.steps} steps")
        write_library(tmp / "lib", args.pathways, args.steps)
        loads, cpu = [], []
        for _ in range(5):
            compile_expression.cache_clear()  # measure a cold load every time
            gc.collect()
            t0, c0 = time.perf_counter(), time.process_time()
            catalogue = load_catalogue([tmp / "lib"])
            loads.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        print(f"\nValidate + compile {args.pathways} x {args.steps}: median "
              f"{statistics.median(loads):.2f} s wall, {statistics.median(cpu):.2f} s CPU "
              f"(fastest {min(loads):.2f} s; target < 2 s)")

        settle_memory()  # as the service does once its pathways are loaded
        # As the service and the terminal run it: each start writes its audit line.
        engine = CallEngine(catalogue, events=audit_logger())
        figures = answer_figures(engine, args.steps, args.rounds)
        bare_med = statistics.median(figures["bare"])
        print("\nAnswer -> next step (µs)      median     p99   ratio to bare (median)")
        for name, samples in figures.items():
            med = statistics.median(samples)
            print(f"  {name:<26} {med:8.1f} {pct(samples, 0.99):7.1f}   {med / bare_med:5.2f}x")
        print("  (target: engine median < 50 µs and <= 2x the bare trigger)")

        starts = time_each(lambda: engine.start("gen-0000"), 5000)
        print(f"\nStart a call: median {statistics.median(starts):.1f} µs, "
              f"p99 {pct(starts, 0.99):.1f} µs (target median < 100 µs)")

        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        held = []
        for _ in range(args.calls):
            call = engine.start("gen-0000")
            engine.answer(call, "danger", "no")
            engine.answer(call, "q1", "yes")
            held.append(call)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        print(f"\n{args.calls:,} calls held at once (each answered twice): memory growth "
              f"{grown / 1e6:.1f} MB ({grown / args.calls / 1000:.1f} KB a call; "
              "target < 50 MB)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
