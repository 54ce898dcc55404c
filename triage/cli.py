"""The ``triage`` command: validate, call, diagram, paths, schema (and clients).

Every command prints a clear message and exits non-zero for bad input. :func:`main` is
the one top level: whatever goes wrong in a sub-command (the project's own errors, a
file or folder that cannot be used, Ctrl-C), the user reads a sentence saying what to
do, never a Python traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from triage.audit import audit_logger, configure_logging
from triage.calls import CallEngine, CallSession, StepView
from triage.errors import CallError, ClientIndexError, PathwayProblems, TriageError
from triage.matching.port import ClientIndex, SearchDetails
from triage.pipeline import DEFAULT_PATHS, check_paths, load_catalogue
from triage.routing.catalogue import Catalogue, CompiledPathway
from triage.schema import file_schema
from triage.views import mermaid, route_table

AUDIT_ENV = "TRIAGE_AUDIT_LOG"


def _paths(args: argparse.Namespace) -> list[Path]:
    return [Path(p) for p in (args.paths or [])] or list(DEFAULT_PATHS)


def cmd_validate(args: argparse.Namespace) -> int:
    """Report every problem in the given files; exit 1 if there are any."""
    lib, ctx = check_paths(_paths(args))
    for problem in lib.problems:
        print(problem)
    if lib.problems:
        files = len({p.file for p in lib.problems})
        print(f"\n{len(lib.problems)} problem(s) in {files} file(s).", file=sys.stderr)
        return 1
    print(f"OK: {len(lib.pathways)} pathway(s), {len(lib.scripts)} script fragment(s), "
          f"{len(lib.facts)} fact(s) checked; no problems. Safety rule checked on "
          f"{sum(1 for p in lib.pathways.values() if p.value.pathway.usage == 'entry')} entry "
          "pathway(s).")
    return 0


def _catalogue(args: argparse.Namespace) -> Catalogue | None:
    try:
        return load_catalogue(_paths(args))
    except PathwayProblems as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"\nThe pathways have {len(exc.problems)} problem(s); run 'triage validate'.",
              file=sys.stderr)
        return None


def _pathway(args: argparse.Namespace, catalogue: Catalogue) -> str | None:
    if not catalogue.ids():
        where = " ".join(str(p) for p in _paths(args))
        print(f"There are no pathways in {where}; give the folders that hold the pathway "
              "files with --paths (the default is: pathways scripts).", file=sys.stderr)
        return None
    if args.pathway not in catalogue.ids():
        print(f"Unknown pathway '{args.pathway}'; pathways are: {', '.join(catalogue.ids())}",
              file=sys.stderr)
        return None
    return str(args.pathway)


def _print_view(args: argparse.Namespace, render: Callable[[CompiledPathway], str]) -> int:
    catalogue = _catalogue(args)
    if catalogue is None or _pathway(args, catalogue) is None:
        return 1
    print(render(catalogue.get(args.pathway)), end="")
    return 0


def cmd_diagram(args: argparse.Namespace) -> int:
    """Print a Mermaid diagram of a pathway."""
    return _print_view(args, mermaid)


def cmd_paths(args: argparse.Namespace) -> int:
    """Print every route through a pathway and the answers that lead to each outcome."""
    return _print_view(args, route_table)


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of the file format."""
    print(json.dumps(file_schema(), indent=2))
    return 0


# --- the interactive call --------------------------------------------------------------------

HELP = """Type the number or code of an answer, or:
  back            go back to the previous question
  change STEP     correct an earlier answer (the route is worked out again)
  search          (at the person check) search the client index
  answers         list the answers given so far
  quit            stop the call (nothing is sent anywhere)"""


class Terminal:
    """Reads and writes for the interactive call; EOF on input ends the call safely."""

    def __init__(self, stdin: TextIO, stdout: TextIO) -> None:
        self.stdin, self.stdout = stdin, stdout

    def say(self, text: str = "") -> None:
        print(text, file=self.stdout, flush=True)

    def ask(self, prompt: str) -> str | None:
        self.stdout.write(prompt)
        self.stdout.flush()
        line = self.stdin.readline()
        if line == "":  # end of input: what follows starts on a line of its own
            self.stdout.write("\n")
            return None
        return line.rstrip("\n")


def _wrap(text: str, indent: str = "  ") -> str:
    paragraphs = text.split("\n\n")
    return "\n\n".join(textwrap.fill(p, width=88, initial_indent=indent,
                                     subsequent_indent=indent) for p in paragraphs)


def _show_step(term: Terminal, view: StepView) -> None:
    term.say("")
    term.say(f"== {view.title or view.step_id}  [{view.pathway_id} / {view.step_id}]")
    if view.known:
        term.say("   Known so far: " + "; ".join(
            f"{k.replace('_', ' ')}: {_plain(v)}" for k, v in view.known.items()))
    if view.note:
        term.say(f"   Note: {view.note}")
    if view.words:
        term.say("   Read out:")
        term.say(_wrap(view.words, "   | "))
    if view.choices:
        for i, choice in enumerate(view.choices, start=1):
            term.say(f"   {i:>2}. {choice.label}  ({choice.code})")
    elif view.hint:
        term.say(f"   Answer: {view.hint}" + ("" if view.required else " (optional: Enter)"))


def _plain(value: object) -> str:
    """An answer as a handler would write it (lists and lookups without Python syntax)."""
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "none"
    if isinstance(value, dict):
        return ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in value.items())
    return str(value)


def _resolve(view: StepView, text: str) -> str:
    if text.isdigit() and view.choices and 1 <= int(text) <= len(view.choices):
        return view.choices[int(text) - 1].code
    return text


def _search(term: Terminal, engine: CallEngine, session: CallSession,
            step: str | None = None) -> None:
    fields = {}
    for key, label in (("nhs_number", "NHS number"), ("given_name", "Given name"),
                       ("family_name", "Family name"), ("date_of_birth", "Date of birth"),
                       ("postcode", "Postcode")):
        value = term.ask(f"   {label}{' (e.g. 21/03/1948)' if key == 'date_of_birth' else ''}"
                         " (Enter to skip): ")
        if value is None:
            return
        fields[key] = value.strip() or None
    result = engine.search(session, SearchDetails(**fields), step)
    if result.missing:
        term.say("   Not enough to search: ask for " + "; ".join(result.missing))
        return
    if not result.candidates:
        term.say(f"   {result.advice or 'Not found with these details.'}")
        return
    for c in result.candidates:
        summary = ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in c.summary.items())
        reasons = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in c.reasons.items())
        term.say(f"   {c.person_id}  [{c.band.value}, {c.score:.2f}]  {summary}  ({reasons})")
    if result.advice:
        term.say(f"   Tip: {result.advice}")
    term.say("   Type a person id to confirm, 'not_known' or 'possible_match'.")


STOPPED = "Call stopped before an outcome; nothing was recorded as finished."


def run_call(engine: CallEngine, pathway: str, facts: dict[str, str], term: Terminal,
             language: str = "en", handler: str = "") -> int:
    """Guide a handler through a call in the terminal."""
    try:
        session = engine.start(pathway, facts, language=language, handler=handler)
    except CallError as exc:
        term.say(f"Cannot start the call: {exc}")
        return 1
    term.say(f"Call {session.call_id[:8]} on '{pathway}' version {session.version}. "
             "Type 'help' for commands.")
    while not session.finished:
        view = engine.current(session)
        _show_step(term, view)
        line = term.ask("> ")
        if line is None or line.strip() in ("quit", "q", "exit"):
            term.say(STOPPED)
            return 1
        text = line.strip()
        try:
            if text in ("help", "?"):
                term.say(HELP)
            elif text == "back":
                engine.back(session)
            elif text.startswith("change "):
                step = text.split(maxsplit=1)[1]
                earlier = engine.view_of(session, step)
                while True:
                    for i, choice in enumerate(earlier.choices, start=1):
                        term.say(f"   {i:>2}. {choice.label}  ({choice.code})")
                    hint = " (or 'search' to search again)" if earlier.kind == "lookup" else ""
                    new = term.ask(f"   New answer for {step}{hint}: ")
                    if new is None:
                        term.say(STOPPED)
                        return 1
                    if earlier.kind != "lookup" or new.strip() != "search":
                        break
                    # Correcting the person check: search again, then confirm from the
                    # people this search found.
                    _search(term, engine, session, step)
                    earlier = engine.view_of(session, step)
                result = engine.change(session, step, _resolve(earlier, new.strip()))
                if result.dropped:
                    term.say("   No longer needed, dropped: " + ", ".join(result.dropped))
            elif text == "answers":
                for h in session.answered():
                    term.say(f"   {h.state}: {h.answer}")
            elif text == "search" and view.kind == "lookup":
                _search(term, engine, session)
            else:
                engine.answer(session, view.state, _resolve(view, text))
        except CallError as exc:
            term.say(f"   ! {exc}")
        except ClientIndexError as exc:
            term.say(f"   ! The client index cannot be used just now: {exc} The call is "
                     "unchanged: try again, or answer 'not_known' or 'possible_match'.")
    out = engine.outcome(session)
    term.say("")
    term.say(f"== OUTCOME: {out.kind}  ({out.outcome_id})")
    term.say(f"   {out.summary}")
    if out.team:
        term.say(f"   Team: {out.team['name']}" +
                 (f", {out.team['phone']}" if out.team.get("phone") else ""))
    if out.service:
        term.say(f"   Online: {out.service['name']}: {out.service['url']}")
    term.say(f"   Timeframe: {out.timeframe} (due {out.due})")
    if out.codes.get("cld_request"):
        term.say(f"   Client Level Data: request; route of access {out.codes['route_of_access']}, "
                 f"outcome {out.codes['request_outcome']}")
    else:
        term.say("   Client Level Data: not a request")
    if out.note:
        term.say(f"   Note: {out.note}")
    term.say("   Tell the caller:")
    term.say(_wrap(out.words, "   | "))
    term.say("   Route taken:")
    for taken in out.route:
        if taken.how in ("answered", "pre-answered"):
            why = f"  -> {taken.why}" if taken.why else ""
            term.say(f"     {taken.state} = {_plain(taken.answer)} ({taken.how}){why}")
    return 0


def _client_index(args: argparse.Namespace) -> ClientIndex:
    """``--clients``, else ``$TRIAGE_CLIENTS_DB``, else the demo index (built on first use)."""
    from triage.clients import open_client_index, open_demo_index

    searcher = args.handler or "terminal"
    source = args.clients or os.environ.get("TRIAGE_CLIENTS_DB")
    if source:
        return open_client_index(source, searcher=searcher, create=False)
    return open_demo_index(searcher=searcher)


def cmd_call(args: argparse.Namespace) -> int:
    """Interactive guided call in the terminal."""
    catalogue = _catalogue(args)
    if catalogue is None or _pathway(args, catalogue) is None:
        return 1
    facts = {}
    for item in args.fact or []:
        if "=" not in item:
            print(f"--fact takes NAME=VALUE, such as caller_type=self; '{item}' has no '='.",
                  file=sys.stderr)
            return 2
        key, value = item.split("=", 1)
        facts[key.strip()] = value.strip()
    try:
        index = _client_index(args)
    except ClientIndexError as exc:
        print(f"Cannot open the client index: {exc}", file=sys.stderr)
        return 1
    try:
        engine = CallEngine(catalogue, index, events=audit_logger())
        return run_call(engine, args.pathway, facts, Terminal(sys.stdin, sys.stdout),
                        language=args.language, handler=args.handler)
    finally:
        close = getattr(index, "close", None)
        if close is not None:
            close()


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

    def with_paths(p: argparse.ArgumentParser) -> None:
        p.add_argument("--paths", nargs="+", metavar="PATH",
                       help="pathway and script files or folders (default: pathways scripts)")

    p = sub.add_parser("validate", help="check pathway and script files; exit 1 on problems")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="files or folders (default: pathways scripts)")
    p.set_defaults(func=cmd_validate)
    p = sub.add_parser("call", help="guide a call through a pathway in the terminal")
    p.add_argument("pathway")
    p.add_argument("--fact", action="append", metavar="NAME=VALUE",
                   help="a fact already known, e.g. caller_type=gp_community_health")
    p.add_argument("--language", default="en", help="language code of the scripts (default en)")
    p.add_argument("--handler", default=os.environ.get("TRIAGE_HANDLER", ""),
                   help="the handler's name, for the greeting")
    p.add_argument("--clients", help="client index: an SQLite file or a postgresql:// URL "
                   "(default: $TRIAGE_CLIENTS_DB, else the demo index of data/demo-clients.csv)")
    with_paths(p)
    p.set_defaults(func=cmd_call)
    p = sub.add_parser("diagram", help="print a Mermaid diagram of a pathway")
    p.add_argument("pathway")
    with_paths(p)
    p.set_defaults(func=cmd_diagram)
    p = sub.add_parser("paths", help="list every route through a pathway and its outcome")
    p.add_argument("pathway")
    with_paths(p)
    p.set_defaults(func=cmd_paths)
    p = sub.add_parser("schema", help="print the JSON Schema of the file format")
    p.set_defaults(func=cmd_schema)
    try:
        from triage.clients.cli import register
    except ImportError:  # the client index is optional for the engine
        pass
    else:
        register(sub)
    return parser


class AuditLogUnusable(Exception):
    """The audit log named by ``$TRIAGE_AUDIT_LOG`` cannot be opened or written."""

    def __init__(self, path: str, exc: OSError) -> None:
        super().__init__(
            f"Cannot write the audit log '{path}' ({AUDIT_ENV}): {exc.strerror or exc}. "
            f"Set {AUDIT_ENV} to a file in a folder that exists and that you can write to, "
            "or unset it. The command was stopped, because what it does must be audited.")


class AuditLog:
    """The audit log file: a failed open or write says which file and what to do."""

    def __init__(self, path: str) -> None:
        self.path = path
        try:
            self._file = open(path, "a", encoding="utf-8")  # noqa: SIM115 (closed by main)
        except OSError as exc:
            raise AuditLogUnusable(path, exc) from exc

    def write(self, text: str) -> int:
        try:
            return self._file.write(text)
        except OSError as exc:
            raise AuditLogUnusable(self.path, exc) from exc

    def flush(self) -> None:
        try:
            self._file.flush()
        except OSError as exc:
            raise AuditLogUnusable(self.path, exc) from exc

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
    except (TriageError, ClientIndexError, AuditLogUnusable) as exc:
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
