"""``triage call``: a handler guided through a call in the terminal."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from triage.adapters.audit import audit_logger
from triage.adapters.clients import open_client_index, open_demo_index
from triage.calls import CallEngine, CallSession, ContactHistory, StepView
from triage.cli.designer import add_paths_option, catalogue_of, pathway_of
from triage.clock import Clock, FixedClock, SystemClock
from triage.errors import CallError, ClientIndexError
from triage.matching.port import ClientIndex, SearchDetails
from triage.vocabulary import CONTACT_WINDOW_DAYS, CallPhase

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
    _show_earlier_contacts(term, view.earlier_contacts)
    if view.note:
        term.say(f"   Note: {view.note}")
    if view.words:
        term.say("   Read out:")
        term.say(_wrap(view.words, "   | "))
    _show_guidance(term, view.guidance)
    if view.choices:
        for i, choice in enumerate(view.choices, start=1):
            term.say(f"   {i:>2}. {choice.label}  ({choice.code})")
    elif view.hint:
        term.say(f"   Answer: {view.hint}" + ("" if view.required else " (optional: Enter)"))


def _show_guidance(term: Terminal, guidance: str) -> None:
    """Guidance for the handler, set apart from the words to read (never read out)."""
    if guidance:
        term.say("   For you, do not read out:")
        term.say(_wrap(guidance, "   * "))


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
        term.say(f"   {c.person_id}  [{c.words}]  {summary}  ({reasons})")
    if result.advice:
        term.say(f"   Tip: {result.advice}")
    term.say("   Type a person id to confirm, 'not_known' or 'possible_match'.")


STOPPED = "Call stopped before an outcome; nothing was recorded as finished."
STOPPED_IN_WRAP_UP = ("Call stopped in the wrap-up: the outcome was reached but the call was "
                      "not finished.")
WRAP_UP_HELP = """The outcome is fixed. In the wrap-up you can:
  search          (when the person check is still to do) search the client index, then
                  type a person id, 'not_known' or 'possible_match' to confirm
  need            record a further need of the caller's (a linked contact)
  change STEP     correct an earlier answer (a red flag after an escalation needs a reason)
  finish          finish the call (after an escalation with no person check:
                  'finish REASON', such as 'finish the caller would not say')
  quit            stop without finishing"""


def office_words(clock: Mapping[str, Any]) -> str:
    """The clock facts the call is routed on, as a handler reads them."""
    if not clock:
        return "(The time the call started is not known.)"
    if clock.get("in_hours"):
        return "Office open: this call is routed in hours."
    opens = dt.datetime.fromisoformat(str(clock["next_opening"]))
    when = opens.strftime("%H:%M on %A %d %B %Y").replace(" 0", " ")
    return f"Office closed: this call is routed out of hours (the office opens at {when})."


def run_call(engine: CallEngine, pathway: str, facts: dict[str, str], term: Terminal,
             language: str = "en", handler: str = "") -> int:
    """Guide a handler through a call in the terminal, to its outcome and its wrap-up."""
    try:
        session = engine.start(pathway, facts, language=language, handler=handler)
    except CallError as exc:
        term.say(f"Cannot start the call: {exc}")
        return 1
    term.say(f"Call {session.call_id[:8]} on '{pathway}' version {session.version}. "
             "Type 'help' for commands.")
    term.say("   " + office_words(session.clock))
    if engine.history is None:
        term.say("   (No contact history is available here, so earlier contacts about the "
                 "person cannot be shown.)")
    while True:
        while session.phase is CallPhase.ROUTING:
            if not _routing_turn(term, engine, session):
                term.say(STOPPED)
                return 1
        _show_outcome(term, engine, session)
        while session.phase is CallPhase.WRAP_UP and session.at_outcome:
            done = _wrap_up_turn(term, engine, session)
            if done is None:
                term.say(STOPPED_IN_WRAP_UP)
                return 1
        if session.phase is CallPhase.FINISHED:
            term.say(f"Call finished: {len(engine.needs(session))} need(s) recorded.")
            return 0


def _routing_turn(term: Terminal, engine: CallEngine, session: CallSession) -> bool:
    """One question of the call; False when the handler stops (or input ends)."""
    view = engine.current(session)
    _show_step(term, view)
    line = term.ask("> ")
    if line is None or line.strip() in ("quit", "q", "exit"):
        return False
    text = line.strip()
    try:
        if text in ("help", "?"):
            term.say(HELP)
        elif text == "back":
            engine.back(session)
        elif text.startswith("change "):
            return _change(term, engine, session, text.split(maxsplit=1)[1])
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
    return True


def _change(term: Terminal, engine: CallEngine, session: CallSession, step: str) -> bool:
    """Correct an earlier answer (searching again for the person check); False at EOF."""
    earlier = engine.view_of(session, step)
    while True:
        for i, choice in enumerate(earlier.choices, start=1):
            term.say(f"   {i:>2}. {choice.label}  ({choice.code})")
        hint = " (or 'search' to search again)" if earlier.kind == "lookup" else ""
        new = term.ask(f"   New answer for {step}{hint}: ")
        if new is None:
            return False
        if earlier.kind != "lookup" or new.strip() != "search":
            break
        # Correcting the person check: search again, then confirm from the people this
        # search found.
        _search(term, engine, session, step)
        earlier = engine.view_of(session, step)
    answer = _resolve(earlier, new.strip())
    try:
        result = engine.change(session, step, answer)
    except CallError as exc:
        term.say(f"   ! {exc}")
        if exc.field != "reason":
            return True
        reason = term.ask("   Why is it changed? ")
        if reason is None:
            return False
        try:
            result = engine.change(session, step, answer, reason=reason)
        except CallError as again:
            term.say(f"   ! {again}")
            return True
    if result.dropped:
        term.say("   No longer needed, dropped: " + ", ".join(result.dropped))
    return True


def _wrap_up_turn(term: Terminal, engine: CallEngine, session: CallSession) -> bool | None:
    """One command of the wrap-up; None when the handler stops (or input ends)."""
    if engine.person_check_needed(session):
        term.say("   The person check is still to do: 'search', then confirm who the person "
                 "is, or 'finish REASON' if it cannot be done.")
    line = term.ask("wrap-up> ")
    if line is None or line.strip() in ("quit", "q", "exit"):
        return None
    text = line.strip()
    command, _, rest = text.partition(" ")
    try:
        if text in ("help", "?"):
            term.say(WRAP_UP_HELP)
        elif text == "search" and engine.person_check_needed(session):
            _search(term, engine, session)
        elif text == "need":
            engine.add_need(session)
        elif command == "change" and rest:
            if not _change(term, engine, session, rest.strip()):
                return None
        elif command == "finish":
            engine.finish(session, without_person_check=rest.strip() or None)
        elif engine.person_check_needed(session) and text:
            wrap = engine.confirm_person(session, text)
            term.say(f"   Person check done: {_plain(wrap.person or {})}")
            _show_earlier_contacts(term, wrap.earlier_contacts)
        else:
            term.say(WRAP_UP_HELP)
    except CallError as exc:
        term.say(f"   ! {exc}")
    except ClientIndexError as exc:
        term.say(f"   ! The client index cannot be used just now: {exc} Try again, or "
                 "answer 'not_known' or 'possible_match'.")
    return True


def _show_earlier_contacts(term: Terminal, contacts: Sequence[Mapping[str, Any]]) -> None:
    if not contacts:
        return
    term.say(f"   {len(contacts)} earlier contact{'s' if len(contacts) != 1 else ''} about "
             f"this person in the last {CONTACT_WINDOW_DAYS} days:")
    for c in contacts:
        state = "open" if c.get("open") else "closed"
        term.say(f"     {str(c.get('started_at', ''))[:16].replace('T', ' ')}  "
                 f"{c.get('reason') or '-'}  -> {c.get('outcome_kind')}"
                 f"{' (' + str(c['team']) + ')' if c.get('team') else ''}  [{state}]")


def _show_outcome(term: Terminal, engine: CallEngine, session: CallSession) -> None:
    out = engine.outcome(session)
    term.say("")
    need = f" (need {out.need})" if out.need > 1 else ""
    term.say(f"== OUTCOME{need}: {out.kind}  ({out.outcome_id})")
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
    _show_guidance(term, out.guidance)
    term.say("   Route taken:")
    for taken in out.route:
        if taken.how in ("answered", "pre-answered", "carried"):
            why = f"  -> {taken.why}" if taken.why else ""
            term.say(f"     {taken.state} = {_plain(taken.answer)} ({taken.how}){why}")
    term.say("   (Wrap-up: 'finish' to finish the call, 'need' for a further need, "
             "'help' for more.)")


def _client_index(args: argparse.Namespace) -> ClientIndex:
    """``--clients``, else ``$TRIAGE_CLIENTS_DB``, else the demo index (built on first use)."""
    searcher = args.handler or "terminal"
    source = args.clients or os.environ.get("TRIAGE_CLIENTS_DB")
    if source:
        return open_client_index(source, searcher=searcher, create=False)
    return open_demo_index(searcher=searcher)


def cmd_call(args: argparse.Namespace) -> int:
    """Interactive guided call in the terminal."""
    catalogue = catalogue_of(args)
    if catalogue is None or pathway_of(args, catalogue) is None:
        return 1
    facts = {}
    for item in args.fact or []:
        if "=" not in item:
            print(f"--fact takes NAME=VALUE, such as caller_type=self; '{item}' has no '='.",
                  file=sys.stderr)
            return 2
        key, value = item.split("=", 1)
        facts[key.strip()] = value.strip()
    clock: Clock = SystemClock()
    if args.at:
        try:
            clock = FixedClock(dt.datetime.fromisoformat(args.at))
        except ValueError:
            print(f"--at takes a UK local time as YYYY-MM-DD HH:MM, such as "
                  f"'2026-12-05 18:30'; '{args.at}' is not one.", file=sys.stderr)
            return 2
    try:
        index = _client_index(args)
    except ClientIndexError as exc:
        print(f"Cannot open the client index: {exc}", file=sys.stderr)
        return 1
    try:
        history, where = contact_history()
        if history is not None:
            print(where, file=sys.stderr)
        engine = CallEngine(catalogue, index, events=audit_logger(), clock=clock,
                            history=history)
        return run_call(engine, args.pathway, facts, Terminal(sys.stdin, sys.stdout),
                        language=args.language, handler=args.handler)
    finally:
        close = getattr(index, "close", None)
        if close is not None:
            close()




def contact_history() -> tuple[ContactHistory | None, str]:
    """The service's store of contact records, if there is one here: TRIAGE_DATABASE_URL,
    or the SQLite file in the service's home folder if it exists; and a line saying which
    (or that there is none)."""
    from api.service.history import StoredContactHistory
    from api.settings import Settings
    from api.storage import SqlRepository, database_url, make_engine

    settings = Settings()
    if settings.database_url:
        url = database_url(settings.database_url, settings.home)
        where = "the service's PostgreSQL store (TRIAGE_DATABASE_URL)"
    else:
        path = settings.home / "triage.sqlite3"
        if not path.exists():
            return None, f"no contact store here ({path} does not exist)"
        url, where = f"sqlite:///{path}", f"the service's store {path}"
    return (StoredContactHistory(SqlRepository(make_engine(url))),
            f"Earlier contacts are read from {where}.")


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add ``triage call`` to the ``triage`` command."""
    p = sub.add_parser("call", help="guide a call through a pathway in the terminal")
    p.add_argument("pathway")
    p.add_argument("--fact", action="append", metavar="NAME=VALUE",
                   help="a fact already known, e.g. caller_type=gp_community_health")
    p.add_argument("--language", default="en", help="language code of the scripts (default en)")
    p.add_argument("--handler", default=os.environ.get("TRIAGE_HANDLER", ""),
                   help="the handler's name, for the greeting")
    p.add_argument("--clients", help="client index: an SQLite file or a postgresql:// URL "
                   "(default: $TRIAGE_CLIENTS_DB, else the demo index of data/demo-clients.csv)")
    p.add_argument("--at", metavar="'YYYY-MM-DD HH:MM'",
                   help="run the call as if it started at this UK local time (training, "
                   "replaying a call): in or out of hours and due times follow it")
    add_paths_option(p)
    p.set_defaults(func=cmd_call)
