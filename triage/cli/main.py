"""The ``triage`` command: validate, call, diagram, paths, schema, clients, contacts, and
publish, rollback and live.

Every command prints a clear message and exits non-zero for bad input. :func:`main` is
the one top level: whatever goes wrong in a sub-command (the project's own errors, a
file or folder that cannot be used, Ctrl-C), the user reads a sentence saying what to
do, never a Python traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from triage.adapters.audit import configure_logging
from triage.cli import audits, clients, contacts, designer, live, terminal
from triage.errors import AuditLogUnusable, TriageError

AUDIT_ENV = "TRIAGE_AUDIT_LOG"


class CommandLine(argparse.ArgumentParser):
    """The argument parser: a refused argument is a sentence that says where to look."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        text = message[:1].upper() + message[1:].rstrip(".")
        self.exit(2, f"{self.prog}: {text}. Run '{self.prog} --help' to see what it takes.\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every sub-command."""
    parser = CommandLine(prog="triage", description=(
        "Front-door contact triage: check pathway files, guide calls, draw and list routes."))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    designer.register(sub)
    terminal.register(sub)
    clients.register(sub)
    contacts.register(sub)
    live.register(sub)
    audits.register(sub)
    return parser


class AuditLog:
    """The audit log file: a failed open or write says which file and what to do."""

    def __init__(self, path: str) -> None:
        self.path = path
        try:
            self._file = open(path, "a", encoding="utf-8")  # noqa: SIM115 (closed by main)
        except OSError as exc:
            raise AuditLogUnusable(path, AUDIT_ENV, exc) from exc

    def write(self, text: str) -> int:
        try:
            return self._file.write(text)
        except OSError as exc:
            raise AuditLogUnusable(self.path, AUDIT_ENV, exc) from exc

    def flush(self) -> None:
        try:
            self._file.flush()
        except OSError as exc:
            raise AuditLogUnusable(self.path, AUDIT_ENV, exc) from exc

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._file.close()


def _cannot_use(exc: OSError) -> str:
    """A sentence for a file, folder or stream that failed."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    if exc.filename is None:
        return f"Cannot write the output: {reason}. Nothing more was done."
    names = f"'{exc.filename}'" + (f" or '{exc.filename2}'" if exc.filename2 else "")
    return (f"Cannot use {names}: {reason}. Check that the path is right and that you may "
            "read or write it, then try again.")


def _silence_stdout() -> None:
    """After the output has failed (a closed pipe, a full disk), stop Python from trying
    to flush it again at exit, which would print an 'Exception ignored' report."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``triage`` console script: the one place errors become sentences."""
    audit: AuditLog | None = None
    try:
        path = os.environ.get(AUDIT_ENV)
        if path:
            audit = AuditLog(path)
            configure_logging(audit)  # type: ignore[arg-type]  # write() and flush() suffice
        else:
            configure_logging(open(os.devnull, "w"))  # noqa: SIM115
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            print("\nGive a command, such as 'triage validate'.", file=sys.stderr)
            return 2
        status = int(args.func(args))
        sys.stdout.flush()  # a failing output is reported here, not at exit
        return status
    except KeyboardInterrupt:
        print("\nStopped by Ctrl-C; nothing more was done.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        _silence_stdout()  # whoever read the output stopped reading: nothing to say
        return 1
    except TriageError as exc:
        print(f"triage: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        if exc.filename is None:
            _silence_stdout()
        print(f"triage: {_cannot_use(exc)}", file=sys.stderr)
        return 1
    finally:
        if audit is not None:
            audit.close()


if __name__ == "__main__":
    raise SystemExit(main())
