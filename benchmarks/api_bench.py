"""API benchmark: one answer round trip with a durable commit, against a bare endpoint.

    python benchmarks/api_bench.py                      # the full run, about 10 minutes
    python benchmarks/api_bench.py --seconds 5 --sustained 20 --levels 1,10   # a quick look

It starts real server processes on loopback ports (``python -m api`` on SQLite,
``python -m api`` on a fresh PostgreSQL database, and ``benchmarks/api_bare.py``: a bare
FastAPI endpoint doing one SQLite insert with the same durability settings) and drives
them from this process with httpx's async client. Each simulated handler runs its own
calls on the front door (a relative calling for information: seven answers, then the
next call) and only the answer requests are timed. Every loop is bounded by time, the
servers are stopped at the end and the PostgreSQL database is dropped.

Then a sustained run: requests per second over ``--sustained`` seconds (2 minutes by
default) with the error count, and an in-process breakdown of where one answer's time
goes. This measures; it is not a test and has no pass mark (target: p99 <= 25 ms at 50
concurrent handlers).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password"
POSTGRES_URL = os.environ.get("TRIAGE_TEST_POSTGRES_URL",
                              "postgresql://postgres@127.0.0.1:5432/test")
ANSWERS = {"caller_type": "family_friend", "danger_to_life": "no", "abuse_or_neglect": "no",
           "mental_health_crisis": "no", "find_person": "not_known",
           "reason": "information_advice", "advice_topic": "community_support"}


@dataclass
class Figures:
    """Latencies and errors of one load run."""

    target: str
    concurrency: int
    seconds: float
    think: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    requests: int = 0  # every request in the measured window (answers and call starts)
    server_cpu_s: float = float("nan")  # the server process's CPU time in that window

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    @property
    def median(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")

    @property
    def rate(self) -> float:
        return len(self.latencies_ms) / self.seconds

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def cpu_ms_per_request(self) -> float:
        """Server CPU per request: what one request costs, whatever else the machine does."""
        return self.server_cpu_s * 1000 / self.requests if self.requests else float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by process ``pid`` (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- servers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    """A running server: where it listens and its process id (for its CPU time)."""

    url: str
    pid: int


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(command: list[str], env: dict[str, str], log: Path) -> Iterator[Server]:
    """A server process on a free loopback port; yields its base URL and process id."""
    port = free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("TRIAGE_")}, **env,
           "TRIAGE_HOST": "127.0.0.1", "TRIAGE_PORT": str(port)}
    command = [a.replace("{port}", str(port)) for a in command]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise SystemExit(f"{command} exited:\n{log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"{command} did not start:\n{log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield Server(url, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def fresh_postgres() -> Iterator[str]:
    """A new PostgreSQL database, dropped afterwards."""
    name = f"triage_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_URL.rpartition('/')[0]}/{name}"
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def api_server(home: Path, database_url: str | None = None) -> Any:
    env = {"TRIAGE_HOME": str(home), "TRIAGE_DEMO": "1", "TRIAGE_DEMO_PASSWORD": PASSWORD,
           "TRIAGE_RELOAD_SECONDS": "3600"}
    if database_url:
        env["TRIAGE_DATABASE_URL"] = database_url
    return server([sys.executable, "-m", "api"], env, home / "server.log")


def bare_server(home: Path) -> Any:
    return server([sys.executable, "-m", "uvicorn", "--app-dir", str(ROOT / "benchmarks"),
                   "api_bare:app", "--host", "127.0.0.1", "--port", "{port}",
                   "--log-level", "warning"],
                  {"TRIAGE_BARE_DB": str(home / "bare.sqlite3")}, home / "bare.log")


# --- load ---------------------------------------------------------------------------------


async def api_handler(client: httpx.AsyncClient, headers: dict[str, str], stop: float,
                      record: Callable[[float | None, str | None], None],
                      think: float = 0.0) -> None:
    """One handler: runs calls one after another; only the answers are timed.

    With ``think`` > 0 the handler waits 0.5 to 1.5 times ``think`` seconds before each
    answer, as a person listening to the caller would (paced, open-ish load).
    """
    state: dict[str, Any] | None = None
    while time.perf_counter() < stop:
        if think:
            await asyncio.sleep(think * random.uniform(0.5, 1.5))
        if state is None or state["outcome"] is not None:
            reply = await client.post("/api/calls", json={"pathway": "front-door"},
                                      headers=headers)
            if reply.status_code != 201:
                record(None, f"start {reply.status_code}")
                state = None
                continue
            state = reply.json()
        step = state["step"]["step_id"]
        body = {"version": state["version"], "step": step, "answer": ANSWERS[step]}
        started = time.perf_counter()
        try:
            reply = await client.post(f"/api/calls/{state['call_id']}/answer", json=body,
                                      headers=headers)
        except httpx.HTTPError as exc:
            record(None, type(exc).__name__)
            state = None
            continue
        elapsed = (time.perf_counter() - started) * 1000
        if reply.status_code == 200:
            record(elapsed, None)
            state = reply.json()
        else:
            record(None, f"answer {reply.status_code}")
            state = None


async def bare_handler(client: httpx.AsyncClient, headers: dict[str, str], stop: float,
                       record: Callable[[float | None, str | None], None],
                       think: float = 0.0) -> None:
    """One client of the bare endpoint, sending an answer-sized body."""
    call_id = uuid.uuid4().hex
    n = 0
    while time.perf_counter() < stop:
        if think:
            await asyncio.sleep(think * random.uniform(0.5, 1.5))
        n += 1
        body = {"version": n, "step": "caller_type", "answer": "family_friend",
                "call_id": call_id}
        started = time.perf_counter()
        try:
            reply = await client.post("/bare", json=body)
        except httpx.HTTPError as exc:
            record(None, type(exc).__name__)
            continue
        if reply.status_code == 200:
            record((time.perf_counter() - started) * 1000, None)
        else:
            record(None, f"bare {reply.status_code}")


async def load(server: Server, target: str, concurrency: int, seconds: float,
               warmup: float, think: float = 0.0) -> Figures:
    """Run ``concurrency`` handlers for ``warmup`` + ``seconds``; time the last part.

    Besides latencies, it counts every response in the measured part and reads the server
    process's CPU time at its start and end: CPU per request barely moves when other jobs
    share the machine, where latencies do.
    """
    counted: list[int] = [0]
    window: list[float] = []

    async def count(_response: httpx.Response) -> None:
        if window and time.perf_counter() < window[0]:
            counted[0] += 1

    # Idle connections are dropped before uvicorn's 5 s keep-alive timeout closes them, or a
    # request sent on a connection the server is closing fails with ReadError (client race).
    limits = httpx.Limits(max_connections=concurrency + 4,
                          max_keepalive_connections=concurrency + 4, keepalive_expiry=3.0)
    async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=60,
                                 event_hooks={"response": [count]}) as client:
        headers: dict[str, str] = {}
        run = bare_handler
        if target != "bare":
            reply = await client.post("/api/session", json={"username": "demo-handler",
                                                            "password": PASSWORD})
            headers = {"Authorization": f"Bearer {reply.json()['token']}"}
            run = api_handler
        figures = Figures(target, concurrency, seconds, think)
        measuring = time.perf_counter() + warmup
        stop = measuring + seconds

        def record(elapsed: float | None, error: str | None) -> None:
            if time.perf_counter() < measuring:
                return
            if error is not None:
                figures.errors[error] = figures.errors.get(error, 0) + 1
            elif elapsed is not None:
                figures.latencies_ms.append(elapsed)

        async def meter() -> None:
            await asyncio.sleep(max(0.0, measuring - time.perf_counter()))
            counted[0] = 0
            window.append(stop)
            before = cpu_seconds(server.pid)
            await asyncio.sleep(max(0.0, stop - time.perf_counter()))
            figures.server_cpu_s = cpu_seconds(server.pid) - before
            figures.requests = counted[0]

        await asyncio.gather(meter(), *(run(client, headers, stop, record, think)
                                        for _ in range(concurrency)))
        return figures


# --- where the time goes ------------------------------------------------------------------


def breakdown(database_url: str | None, home: Path, rounds: int = 200) -> dict[str, float]:
    """Median ms of each part of one answer, in process (no HTTP)."""
    from api.bootstrap import client_index
    from api.notify import Notifier
    from api.routes.calls import state_out
    from api.service import Authenticator, FrontDoor, PathwayLibrary, Role, User, hash_password
    from api.service.state import state_of
    from api.settings import Settings
    from api.storage import SqlRepository, make_engine, migrate
    from api.storage import database_url as url_of
    from triage.adapters.audit import configure_logging

    configure_logging(io.StringIO(), cache=False)
    url = url_of(database_url, home)
    migrate(url)
    store = SqlRepository(make_engine(url))
    library = PathwayLibrary([ROOT / "pathways", ROOT / "scripts"])
    library.reload()
    settings = Settings(home=home, demo=True)
    door = FrontDoor.over(store, library, client_index(settings), Notifier(None, None, None))
    user = User("bench", "Bench", Role.HANDLER)
    store.put_user("bench", "Bench", "handler", hash_password(PASSWORD))
    auth = Authenticator(store)
    signed = auth.sign_in("bench", PASSWORD)
    assert signed is not None
    token = signed[0]
    parts: dict[str, list[float]] = {k: [] for k in (
        "sign_in_check", "load_call", "restore", "engine_answer", "to_json", "save_commit",
        "state_view", "response_json", "whole_answer")}
    size: list[int] = []
    import json

    for _ in range(rounds):
        state = door.calls.start(user, "front-door", {})
        while state.step is not None:
            step = state.step.step_id
            t = time.perf_counter()
            assert auth.user_of(token) is not None
            t0 = time.perf_counter()
            stored = store.load_call(state.call_id)
            t1 = time.perf_counter()
            session = door.engine.restore(stored.data)
            t2 = time.perf_counter()
            door.engine.answer(session, step, ANSWERS[step])
            t3 = time.perf_counter()
            text = json.dumps(session.to_dict())
            t4 = time.perf_counter()
            version = store.save_call(session.to_dict(), stored.row_version)
            t5 = time.perf_counter()
            state = state_of(door.engine, version, session)
            t6 = time.perf_counter()
            json.dumps(state_out(state)).encode()
            t7 = time.perf_counter()
            size.append(len(text))
            for name, value in zip(parts, (t0 - t, t1 - t0, t2 - t1, t3 - t2, t4 - t3,
                                           t5 - t4, t6 - t5, t7 - t6, t7 - t), strict=True):
                parts[name].append(value * 1000)
    store.engine.dispose()
    out = {k: statistics.median(v) for k, v in parts.items()}
    out["saved_call_kb"] = statistics.median(size) / 1024
    out["response_kb"] = len(json.dumps(state_out(door.calls.start(user, "front-door", {})))
                             ) / 1024
    return out


# --- the run ------------------------------------------------------------------------------


def describe_machine() -> str:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return (f"{platform.node()}: {platform.system()} {platform.release()}, "
            f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


def table(rows: list[Figures], bare: dict[tuple[int, float], Figures]) -> str:
    lines = ["| target | handlers | think s | answers | median ms | p99 ms | req/s | errors | "
             "median / bare | p99 / bare | server CPU ms/request |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for f in rows:
        b = bare.get((f.concurrency, f.think))
        ratio_m = f"{f.median / b.median:.1f}x" if b and b.latencies_ms else "-"
        ratio_p = f"{f.percentile(99) / b.percentile(99):.1f}x" if b and b.latencies_ms \
            else "-"
        lines.append(f"| {f.target} | {f.concurrency} | {f.think:g} | {len(f.latencies_ms)} | "
                     f"{f.median:.1f} | {f.percentile(99):.1f} | {f.rate:.0f} | "
                     f"{f.error_count} | {ratio_m} | {ratio_p} | "
                     f"{f.cpu_ms_per_request:.2f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", default="1,10,50", help="concurrent handlers to try")
    parser.add_argument("--seconds", type=float, default=15.0, help="measured seconds a level")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds first")
    parser.add_argument("--paced", default="10,50",
                        help="handlers to try again with think time between answers")
    parser.add_argument("--think", type=float, default=1.0,
                        help="mean seconds a paced handler waits before each answer")
    parser.add_argument("--sustained", type=float, default=120.0,
                        help="seconds of the sustained run (0 to skip)")
    parser.add_argument("--sustained-handlers", type=int, default=10)
    parser.add_argument("--targets", default="bare,sqlite,postgresql")
    parser.add_argument("--no-breakdown", action="store_true")
    args = parser.parse_args()
    runs = [(int(x), 0.0) for x in args.levels.split(",") if x]
    runs += [(int(x), args.think) for x in args.paced.split(",") if x]
    targets = args.targets.split(",")

    print(f"# API benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(describe_machine(), flush=True)
    home = Path(tempfile.mkdtemp(prefix="triage-bench-"))
    rows: list[Figures] = []
    sustained: list[Figures] = []
    try:
        for target in targets:
            where = home / target
            where.mkdir()
            with contextmanager_for(target, where) as running:
                for level, think in runs:
                    figures = asyncio.run(load(running, target, level, args.seconds,
                                               args.warmup, think))
                    rows.append(figures)
                    print(f"{target:>10} x{level:<3} think {think:g} s  "
                          f"median {figures.median:7.1f} ms  "
                          f"p99 {figures.percentile(99):7.1f} ms  {figures.rate:6.0f} req/s  "
                          f"errors {figures.errors or 0}  "
                          f"CPU {figures.cpu_ms_per_request:.2f} ms/req", flush=True)
                if args.sustained and target != "bare":
                    figures = asyncio.run(load(running, target, args.sustained_handlers,
                                               args.sustained, args.warmup))
                    sustained.append(figures)
                    print(f"{target:>10} sustained {args.sustained:.0f} s x"
                          f"{args.sustained_handlers}: {figures.rate:.0f} req/s, "
                          f"{len(figures.latencies_ms)} answers, errors "
                          f"{figures.errors or 0}, median {figures.median:.1f} ms, "
                          f"p99 {figures.percentile(99):.1f} ms", flush=True)
        bare = {(f.concurrency, f.think): f for f in rows if f.target == "bare"}
        print()
        print(table(rows, bare))
        if sustained:
            print()
            print("| sustained | handlers | seconds | answers | req/s | errors | median ms | "
                  "p99 ms |\n|---|---|---|---|---|---|---|---|")
            for f in sustained:
                print(f"| {f.target} | {f.concurrency} | {f.seconds:.0f} | "
                      f"{len(f.latencies_ms)} | {f.rate:.0f} | {f.error_count} | "
                      f"{f.median:.1f} | {f.percentile(99):.1f} |")
        if not args.no_breakdown:
            print("\nWhere one answer's time goes (in process, median ms of 200 calls x 7 "
                  "answers):")
            for target in ("sqlite", "postgresql"):
                if target not in targets:
                    continue
                where = home / f"breakdown-{target}"
                where.mkdir()
                if target == "sqlite":
                    parts = breakdown(None, where)
                else:
                    with fresh_postgres() as url:
                        parts = breakdown(url, where)
                print(f"  {target}: " + ", ".join(f"{k} {v:.2f}" for k, v in parts.items()))
        print("\n" + describe_machine())
    finally:
        shutil.rmtree(home, ignore_errors=True)


@contextmanager
def contextmanager_for(target: str, where: Path) -> Iterator[Server]:
    if target == "bare":
        with bare_server(where) as running:
            yield running
    elif target == "sqlite":
        with api_server(where) as running:
            yield running
    else:
        with fresh_postgres() as database, api_server(where, database) as running:
            yield running


if __name__ == "__main__":
    main()
