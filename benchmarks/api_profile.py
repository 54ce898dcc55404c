"""Where an answer's time goes inside the server: cProfile in every server thread.

    python benchmarks/api_profile.py                 # SQLite, 20 s of load from 4 handlers
    python benchmarks/api_profile.py --postgres      # on a fresh PostgreSQL database

It runs the service with uvicorn in this process, profiling the event-loop thread and
every threadpool thread (sync routes run there), while a separate process (the load
generator of ``api_bench.py``) answers calls over loopback. It then prints the functions
with the most time, per answer. Profiling slows everything down, so read the shares, not
the absolute figures. This measures; it is not a test.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import httpx
import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_bench import PASSWORD, free_port, fresh_postgres  # noqa: E402

from api.bootstrap import build_app  # noqa: E402
from api.settings import Settings  # noqa: E402
from triage.adapters.audit import configure_logging  # noqa: E402

LOADER = """
import asyncio, sys
sys.path.insert(0, {bench!r})
from api_bench import Server, load
f = asyncio.run(load(Server({url!r}, 0), "api", {handlers}, {seconds}, 2.0))
print(len(f.latencies_ms), f.error_count, round(f.median, 1), round(f.percentile(99), 1))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--handlers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args()

    configure_logging(io.StringIO(), cache=False)
    profiles: list[cProfile.Profile] = []
    lock = threading.Lock()

    def start_profiling(*_: object) -> None:
        profile = cProfile.Profile()
        with lock:
            profiles.append(profile)
        profile.enable()  # replaces this hook for the rest of the thread

    with ExitStack() as stack:
        home = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        url = stack.enter_context(fresh_postgres()) if args.postgres else None
        port = free_port()
        settings = Settings(home=home, database_url=url, demo=True, demo_password=PASSWORD,
                            reload_seconds=3600)
        server = uvicorn.Server(uvicorn.Config(build_app(settings), host="127.0.0.1",
                                               port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        threading.setprofile(start_profiling)
        thread.start()
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        # Only the load is profiled: throw away what start-up recorded.
        with lock:
            for profile in profiles:
                profile.clear()
        loader = LOADER.format(bench=str(Path(__file__).resolve().parent), url=base,
                               handlers=args.handlers, seconds=args.seconds)
        done = subprocess.run([sys.executable, "-c", loader], capture_output=True, text=True,
                              check=True, cwd=Path(__file__).resolve().parent.parent)
        answers, errors, median, p99 = done.stdout.split()
        threading.setprofile(None)  # type: ignore[arg-type]
        with lock:
            for profile in profiles:
                profile.disable()
        server.should_exit = True
        thread.join(timeout=30)

    print(f"{answers} answers ({errors} errors), median {median} ms, p99 {p99} ms while "
          f"profiled, {args.handlers} handlers, {'PostgreSQL' if args.postgres else 'SQLite'}")
    stats = pstats.Stats(profiles[0])
    for profile in profiles[1:]:
        stats.add(profile)
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]
    stats.sort_stats("tottime").print_stats(args.top)
    print(out.getvalue())


if __name__ == "__main__":
    main()
