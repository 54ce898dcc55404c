"""``triage audit sample --month 2026-11``: draw (or show) a month's audit sample in the
service's store, as a supervisor does on the screen.

A month is drawn once: the sample is recorded with its seed, and drawing again shows the
recorded one. The store is the service's (``TRIAGE_DATABASE_URL`` or the SQLite file in
its home folder), brought up to date first.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from triage.cli.designer import add_paths_option
from triage.errors import TriageError


def cmd_sample(args: argparse.Namespace) -> int:
    """``triage audit sample``."""
    import sqlalchemy as sa

    from api.notify import Notifier
    from api.service import FrontDoor, PathwayLibrary, Role, User
    from api.settings import Settings
    from api.storage import SqlRepository, database_url, make_engine, migrate

    settings = Settings()
    url = database_url(args.database or settings.database_url, settings.home)
    paths = [Path(p) for p in args.paths] if args.paths else list(settings.paths)
    try:
        migrate(url)
    except (sa.exc.SQLAlchemyError, ImportError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        print(f"Cannot use the store: {reason[0] if reason else type(exc).__name__}. Check "
              "TRIAGE_DATABASE_URL or --database; nothing was drawn.", file=sys.stderr)
        return 1
    repository = SqlRepository(make_engine(url))
    try:
        library = PathwayLibrary(paths)
        problems = library.reload()
        if problems:
            for problem in problems:
                print(problem, file=sys.stderr)
            print("The pathways have problems, so the early exits are not known; nothing "
                  "was drawn.", file=sys.stderr)
            return 1
        door = FrontDoor.over(repository, library, None, Notifier(None, None, None),
                              audit_form=settings.audit_form)
        assert door.audits is not None
        name = f"cli:{getpass.getuser()}"
        user = User(name, name, Role.SUPERVISOR)
        try:
            sample = door.audits.sample(user, args.month, args.seed)
        except TriageError as exc:
            print(str(exc), file=sys.stderr)
            return 2
    finally:
        repository.engine.dispose()
    show(sample)
    return 0


def show(sample: dict[str, Any]) -> None:
    """Print a sample: what it is, why each contact was drawn, and the contacts."""
    drawn = sample["contacts"]
    if sample["drawn_now"]:
        print(f"Drew the {sample['month']} audit sample: {len(drawn)} of "
              f"{sample['population']:,} contacts (seed {sample['seed']}).")
    else:
        print(f"The {sample['month']} audit sample was drawn already, on "
              f"{sample['drawn_at']} by {sample['drawn_by']} (seed {sample['seed']}); a "
              "month is drawn once, so this is that sample.")
        print(f"{len(drawn)} of {sample['population']:,} contacts.")
    reasons = Counter(c["reason"] for c in drawn)
    for reason in ("early_exit", "override", "repeat_caller", "third_party", "random"):
        print(f"  {reason.replace('_', ' ')}: {reasons.get(reason, 0)}")
    print("Contacts: " + " ".join(str(c["contact_id"]) for c in drawn))


def _needs_command(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    print("\nGive a command, such as 'triage audit sample --month 2026-11'.",
          file=sys.stderr)
    return 2


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add ``triage audit`` (with ``sample``) to the ``triage`` command."""
    audit = sub.add_parser("audit", help="monthly audit samples in the service's store",
                           description="Draw or show a month's risk-weighted audit sample.")
    commands = audit.add_subparsers(title="commands", metavar="COMMAND")
    audit.set_defaults(func=lambda _args: _needs_command(audit))
    sample = commands.add_parser(
        "sample", help="draw a month's audit sample (or show the one recorded)",
        description="Draw a month's audit sample: early exits first, then overrides, "
        "repeat callers and third-party callers, then at random; at least 2%% of the "
        "month's contacts and at least 30. It is recorded with its seed, and a month is "
        "drawn once: asking again shows the recorded sample.")
    sample.add_argument("--month", required=True, help="the month, YYYY-MM")
    sample.add_argument("--seed", help="the seed (default: a random one, recorded)")
    sample.add_argument("--database", help="the store: a postgresql:// or sqlite:/// URL "
                        "(default: $TRIAGE_DATABASE_URL, else the service's SQLite file)")
    add_paths_option(sample)
    sample.set_defaults(func=cmd_sample)
