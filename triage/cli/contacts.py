"""``triage contacts generate``: recorded contacts in the service's store, made by driving
the real engine on the shipped pathways (:class:`triage_qa.contacts.ContactGenerator`).

The store is the service's: ``TRIAGE_DATABASE_URL`` (PostgreSQL) or the SQLite file
under the service's home folder, brought up to date first, written through the storage
layer (:meth:`api.storage.port.Repository.record_finished_calls`). The people are the
demo client index's (the synthetic people ``TRIAGE_DEMO=1`` searches), so the service's
person check shows their earlier contacts.

The work is split into a fixed number of streams, each with its own seed, people and call
ids, so the same ``--seed`` and ``--start`` always give the same contacts however many
processes run them; the streams run side by side on the machine's cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import queue
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

from triage.cli.designer import add_paths_option, catalogue_of, paths_of
from triage.errors import StorageRefused
from triage.routing.catalogue import Catalogue

STREAMS = 4
"""How many independent streams the contacts are made in (fixed: the output must not
depend on how many processes there are)."""
BATCH = 500
"""Calls written per transaction."""
MAX_CONTACTS = 5_000_000
DAYS = 365.0


@dataclass(frozen=True)
class Job:
    """One stream's share of the work."""

    stream: int
    contacts: int
    seed: int
    start: dt.datetime
    url: str


def shares(total: int, streams: int = STREAMS) -> list[int]:
    """``total`` contacts split between the streams (the first ones take any remainder)."""
    return [total // streams + (1 if n < total % streams else 0) for n in range(streams)]


_CATALOGUE: Catalogue | None = None


def _run_stream(job: Job, report: Callable[[int], None]) -> tuple[int, int]:
    """Generate and write one stream's contacts; (contacts, calls) written."""
    from api.service.contacts import records_of
    from api.service.state import Override
    from api.storage import SqlRepository
    from api.storage.port import FinishedCall
    from triage.adapters.clients import demo_people
    from triage_qa.contacts import ContactGenerator

    assert _CATALOGUE is not None
    people = [p for n, p in enumerate(demo_people()) if n % STREAMS == job.stream]
    generator = ContactGenerator(_CATALOGUE, people, seed=job.seed * 1000 + job.stream,
                                 start=job.start, days=DAYS,
                                 call_prefix=f"gen-s{job.seed}-{job.stream}-")
    writer = _Writer(SqlRepository(_bulk_engine(job.url)), report)
    written = calls = 0
    batch: list[FinishedCall] = []
    try:
        for call in generator.calls(job.contacts):
            if written >= job.contacts:
                break
            override = (Override(call.override.kind, call.override.team, call.override.reason)
                        if call.override else None)
            rows = [row for _record, row in records_of(generator.engine, call.session,
                                                        call.handler, override)]
            if written + len(rows) > job.contacts:
                continue  # a call with more needs than are left: the next one fits
            batch.append(FinishedCall(call.session.to_dict(), call.handler, rows))
            written += len(rows)
            calls += 1
            if len(batch) >= BATCH:
                writer.write(batch)
                batch = []
        writer.write(batch)
    finally:
        writer.close()
    return written, calls


def _bulk_engine(url: str) -> Any:
    """The store's engine, set for a bulk load on SQLite: a commit waits for the disk
    only at a checkpoint (``synchronous=NORMAL``: in WAL mode the file cannot be corrupted
    by a crash; the last batches may be lost, and a run is started again anyway), and
    64 MB of page cache so the indexes of a growing file stay in memory."""
    import sqlalchemy as sa

    from api.storage import make_engine

    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        @sa.event.listens_for(engine, "connect")
        def _bulk(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA synchronous=NORMAL")
            dbapi_connection.execute("PRAGMA cache_size=-65536")
    return engine


class _Writer:
    """Writes a stream's batches on a thread of its own, so the next batch is generated
    while the last is written (the database releases the interpreter while it waits on
    the disk or on the other streams' writes). At most two batches wait; a refusal stops
    the stream at its next batch and is raised from :meth:`close`."""

    def __init__(self, repository: Any, report: Callable[[int], None]) -> None:
        self.repository, self.report = repository, report
        self.waiting: queue.Queue[list[Any] | None] = queue.Queue(maxsize=2)
        self.failed: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="contacts-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (batch := self.waiting.get()) is not None:
            if self.failed is not None:
                continue  # drain: nothing more is written after a refusal
            try:
                self.repository.record_finished_calls(batch)
                self.report(sum(len(f.contacts) for f in batch))
            except BaseException as exc:  # raised again on the stream's own thread
                self.failed = exc

    def write(self, batch: list[Any]) -> None:
        if self.failed is not None:
            self.close()
        if batch:
            self.waiting.put(batch)

    def close(self) -> None:
        """Wait for every batch to be written; raise what refused one."""
        if self.thread.is_alive():
            self.waiting.put(None)
            self.thread.join()
        self.repository.engine.dispose()
        if self.failed is not None:
            raise self.failed


def _worker(job: Job, progress: Any) -> tuple[int, int, str | None]:
    """One stream in a worker process; a refusal comes back as its sentence (the error
    itself may not survive the trip between processes)."""
    try:
        return (*_run_stream(job, progress.put), None)
    except StorageRefused as exc:
        return 0, 0, exc.reason


class Progress:
    """A progress bar on ``stream``: redrawn in place on a terminal, a line every tenth
    otherwise."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total, self.stream, self.done = total, stream, 0
        self.began = time.perf_counter()
        self.tty = stream.isatty()
        self.shown_tenth = -1

    def add(self, count: int) -> None:
        self.done += count
        tenth = self.done * 10 // max(self.total, 1)
        if not self.tty and tenth == self.shown_tenth:
            return
        self.shown_tenth = tenth
        width = 30
        filled = width * self.done // max(self.total, 1)
        seconds = time.perf_counter() - self.began
        line = (f"[{'#' * filled}{'.' * (width - filled)}] {self.done:,}/{self.total:,} "
                f"contacts, {seconds:.0f} s")
        self.stream.write(("\r" + line) if self.tty else line + "\n")
        self.stream.flush()

    def end(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def generate(catalogue: Catalogue, url: str, contacts: int, seed: int,
             start: dt.datetime, processes: int, out: TextIO) -> tuple[int, int, float]:
    """Write ``contacts`` generated contacts to the store at ``url``; (contacts, calls,
    seconds)."""
    global _CATALOGUE
    _CATALOGUE = catalogue
    jobs = [Job(n, share, seed, start, url) for n, share in enumerate(shares(contacts))
            if share]
    bar = Progress(contacts, out)
    began = time.perf_counter()
    results: list[tuple[int, int, str | None]]
    if processes <= 1 or len(jobs) == 1:
        results = [(*_run_stream(job, bar.add), None) for job in jobs]
    else:
        context = multiprocessing.get_context("fork")  # the workers share the catalogue
        with context.Manager() as manager:
            queue = manager.Queue()
            with context.Pool(min(processes, len(jobs))) as pool:
                pending = pool.starmap_async(_worker, [(job, queue) for job in jobs])
                while not pending.ready() or not queue.empty():
                    try:
                        bar.add(queue.get(timeout=0.2))
                    except Exception:  # queue.Empty, from the manager's own module
                        continue
                results = pending.get()
    bar.end()
    refused = next((r[2] for r in results if r[2] is not None), None)
    if refused is not None:
        raise StorageRefused(reason=refused)
    return (sum(r[0] for r in results), sum(r[1] for r in results),
            time.perf_counter() - began)


def _start_of(text: str | None) -> dt.datetime:
    """The first day of the period: ``--start``, or a year before today (UTC)."""
    if text is None:
        today = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        return today - dt.timedelta(days=DAYS)
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--start takes a date such as 2026-01-05; '{text}' is not one") from None
    return dt.datetime(day.year, day.month, day.day, 9, tzinfo=dt.UTC)


def cmd_generate(args: argparse.Namespace) -> int:
    """``triage contacts generate``."""
    if not 1 <= args.contacts <= MAX_CONTACTS:
        print(f"--contacts takes a number from 1 to {MAX_CONTACTS:,}; {args.contacts} is not "
              "one.", file=sys.stderr)
        return 2
    try:
        start = _start_of(args.start)
    except argparse.ArgumentTypeError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    from api.settings import Settings
    from api.storage import database_url, migrate

    settings = Settings()
    url = database_url(args.database or settings.database_url, settings.home)
    if args.paths is None:
        args.paths = [str(p) for p in settings.paths]
    catalogue = catalogue_of(args)
    if catalogue is None:
        return 1
    if "front-door" not in catalogue.ids():
        where = " ".join(str(p) for p in paths_of(args))
        print(f"There is no 'front-door' pathway in {where}; the generator starts every call "
              "there.", file=sys.stderr)
        return 1
    where = "PostgreSQL" if url.startswith("postgresql") else f"SQLite ({url[10:]})"
    import sqlalchemy as sa

    try:
        migrate(url)
    except (sa.exc.SQLAlchemyError, ImportError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        print(f"Cannot use the store ({where}): {reason[0] if reason else type(exc).__name__}. "
              "Check TRIAGE_DATABASE_URL or --database; nothing was written.", file=sys.stderr)
        return 1
    print(f"Generating {args.contacts:,} contacts (seed {args.seed}, from "
          f"{start.date().isoformat()}) into the service's store: {where}.",
          file=sys.stderr, flush=True)
    try:
        written, calls, seconds = generate(catalogue, url, args.contacts, args.seed, start,
                                           args.processes, sys.stderr)
    except StorageRefused as exc:
        print(f"{exc} Generated calls with seed {args.seed} may be there already: use "
              "another --seed or --start, or a fresh store.", file=sys.stderr)
        return 1
    print(f"Wrote {written:,} contacts on {calls:,} calls in {seconds:.1f} s.")
    return 0


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add ``triage contacts`` (with ``generate``) to the ``triage`` command."""
    contacts = sub.add_parser("contacts", help="recorded contacts in the service's store",
                              description="Generate recorded contacts into the service's "
                              "store.")
    commands = contacts.add_subparsers(title="commands", metavar="COMMAND")
    contacts.set_defaults(func=lambda _args: _needs_command(contacts))
    gen = commands.add_parser(
        "generate", help="generate recorded contacts by driving the real engine",
        description="Generate realistic, deterministic contacts (callers, reasons, known "
        "status, repeat callers, several needs, corrections, overrides) on the shipped "
        "pathways and write them to the service's store: TRIAGE_DATABASE_URL, or the "
        "SQLite file in the service's home folder.")
    gen.add_argument("--contacts", type=int, required=True, help="how many contact records")
    gen.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    gen.add_argument("--start", help="first day of the year of calls, YYYY-MM-DD (default: "
                     "a year before today)")
    gen.add_argument("--database", help="the store: a postgresql:// URL or sqlite:/// URL "
                     "(default: $TRIAGE_DATABASE_URL, else the service's SQLite file)")
    gen.add_argument("--processes", type=int, default=min(os.cpu_count() or 1, STREAMS),
                     help=f"processes to run the {STREAMS} streams on (default: the cores)")
    add_paths_option(gen)
    gen.set_defaults(func=cmd_generate)


def _needs_command(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    print("\nGive a command, such as 'triage contacts generate --contacts 1000'.",
          file=sys.stderr)
    return 2

