"""The ``triage`` command: validate, call, diagram, paths, schema (and clients).

Every command prints a clear message and exits non-zero for bad input; none prints a
Python traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from triage.audit import audit_logger, configure_logging
from triage.calls import CallEngine, CallSession, StepView
from triage.clients.csv_index import CsvClientIndex, CsvFileError
from triage.errors import CallError, ClientIndexError, PathwayProblems, TriageError
from triage.matching.port import ClientIndex, SearchDetails
from triage.pipeline import DEFAULT_PATHS, check_paths, load_catalogue
from triage.routing.catalogue import Catalogue, CompiledPathway
from triage.schema import file_schema
from triage.views import mermaid, route_table

DEMO_PEOPLE = Path("data/synthetic-people.csv")


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
        return None if line == "" else line.rstrip("\n")


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
        summary = ", ".join(f"{k}: {v}" for k, v in c.summary.items())
        reasons = ", ".join(f"{k} {v}" for k, v in c.reasons.items())
        term.say(f"   {c.person_id}  [{c.band.value}, {c.score:.2f}]  {summary}  ({reasons})")
    if result.advice:
        term.say(f"   Tip: {result.advice}")
    term.say("   Type a person id to confirm, 'not_known' or 'possible_match'.")


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
            term.say("Call stopped before an outcome; nothing was recorded as finished.")
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


def _client_index(args: argparse.Namespace) -> ClientIndex | None:
    source = args.clients or os.environ.get("TRIAGE_CLIENTS_DB")
    if source:
        from triage.clients import open_client_index

        return open_client_index(source, searcher=args.handler or "terminal", create=False)
    if DEMO_PEOPLE.exists():
        return CsvClientIndex(DEMO_PEOPLE)
    return None


def cmd_call(args: argparse.Namespace) -> int:
    """Interactive guided call in the terminal."""
    catalogue = _catalogue(args)
    if catalogue is None or _pathway(args, catalogue) is None:
        return 1
    facts = {}
    for item in args.fact or []:
        if "=" not in item:
            print(f"--fact takes NAME=VALUE, not '{item}'", file=sys.stderr)
            return 2
        key, value = item.split("=", 1)
        facts[key.strip()] = value.strip()
    try:
        index = _client_index(args)
    except (CsvFileError, TriageError, ClientIndexError, OSError) as exc:
        print(f"Cannot open the client index: {exc}", file=sys.stderr)
        return 1
    engine = CallEngine(catalogue, index, events=audit_logger())
    return run_call(engine, args.pathway, facts, Terminal(sys.stdin, sys.stdout),
                    language=args.language, handler=args.handler)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every sub-command."""
    parser = argparse.ArgumentParser(prog="triage", description=(
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
    p.add_argument("--clients", help="client index database (default: the demo CSV)")
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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``triage`` console script."""
    configure_logging(open(os.devnull, "w") if not os.environ.get("TRIAGE_AUDIT_LOG")  # noqa: SIM115
                      else open(os.environ["TRIAGE_AUDIT_LOG"], "a"))
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
    except TriageError as exc:
        print(f"triage: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopped.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
