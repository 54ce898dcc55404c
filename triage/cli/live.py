"""``triage publish``, ``triage rollback`` and ``triage live``: the live version of a
pathway in the service's store, moved from the terminal with the same checks as the API.

The store is the service's: ``--database``, else ``TRIAGE_DATABASE_URL`` (PostgreSQL),
else the SQLite file in the service's home folder. The pathway files are the service's
(``TRIAGE_PATHS``) unless ``--paths`` is given; new versions in them are kept in the
store as the service keeps them, so every instance can load the version published. A
running service takes the change up on its next tick (``TRIAGE_RELOAD_SECONDS``).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from triage.cli.designer import add_paths_option

if TYPE_CHECKING:
    from api.service.live import LiveVersions


def _open(args: argparse.Namespace) -> tuple[LiveVersions, str] | None:
    """The store's live versions, with the pathways loaded as the service loads them."""
    import sqlalchemy as sa

    from api.service.live import LiveVersions
    from api.service.pathways import PathwayLibrary
    from api.settings import Settings
    from api.storage import SqlRepository, database_url, make_engine, migrate

    settings = Settings()
    url = database_url(args.database or settings.database_url, settings.home)
    where = "PostgreSQL" if url.startswith("postgresql") else f"SQLite ({url[10:]})"
    paths = [Path(p) for p in (args.paths or [])] or list(settings.paths)
    try:
        migrate(url)
        repository = SqlRepository(make_engine(url))
        library = PathwayLibrary(paths, archive=repository)
        library.remember_archived()
        library.reload()
        library.restore_archived()
        library.set_up_live()
    except (sa.exc.SQLAlchemyError, ImportError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        print(f"Cannot use the store ({where}): {reason[0] if reason else type(exc).__name__}. "
              "Check TRIAGE_DATABASE_URL or --database; nothing was changed.", file=sys.stderr)
        return None
    for problem in library.problems:
        print(f"note: {problem}", file=sys.stderr)
    return LiveVersions(repository, library), where


def _designer(args: argparse.Namespace) -> Any:
    from api.service.users import Role, User

    name = args.by or getpass.getuser()
    return User(name, name, Role.DESIGNER)


def _expected(live: LiveVersions, args: argparse.Namespace) -> int | None:
    if args.expected_live is not None:
        return int(args.expected_live)
    found: int | None = live.versions(args.pathway)["live_version"]
    return found


def cmd_publish(args: argparse.Namespace) -> int:
    """``triage publish PATHWAY VERSION --reason ...``."""
    opened = _open(args)
    if opened is None:
        return 1
    live, where = opened
    entry = live.publish(_designer(args), args.pathway, args.version, reason=args.reason,
                         expected_live=_expected(live, args), replay_report=args.replay_report)
    print(f"Published {entry.pathway_id} version {entry.version} in {where} (was "
          f"{entry.previous_version if entry.previous_version is not None else 'none'}), by "
          f"{entry.published_by}. New calls start on it once each instance has looked "
          "(within its reload interval).")
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    """``triage rollback PATHWAY VERSION --reason ...``."""
    opened = _open(args)
    if opened is None:
        return 1
    live, where = opened
    entry = live.rollback(_designer(args), args.pathway, args.version, reason=args.reason,
                          expected_live=_expected(live, args))
    print(f"Rolled {entry.pathway_id} back to version {entry.version} in {where} (was "
          f"{entry.previous_version}), by {entry.published_by}. New calls start on it once "
          "each instance has looked (within its reload interval).")
    return 0


def cmd_live(args: argparse.Namespace) -> int:
    """``triage live PATHWAY``: the versions, which is live, and the history."""
    opened = _open(args)
    if opened is None:
        return 1
    live, where = opened
    found = live.versions(args.pathway)
    print(f"{args.pathway} in {where}: live version "
          f"{found['live_version'] if found['live_version'] is not None else 'none'}")
    for row in found["versions"]:
        mark = " (live)" if row["live"] else ""
        status = row["status"] or f"does not validate: {'; '.join(row['problems'])}"
        print(f"  version {row['version']}: {status}{mark}")
    print("History, newest first:")
    for entry in found["history"]:
        print(f"  {entry['published_at']} {entry['action']} version {entry['version']} by "
              f"{entry['published_by']}: {entry['reason']}")
    return 0


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add ``triage publish``, ``triage rollback`` and ``triage live``."""
    for name, func, text in (
            ("publish", cmd_publish, "make a ready pathway version live in the service's "
             "store (refused for a draft, or if it is less safe than the live version "
             "without a signed waiver)"),
            ("rollback", cmd_rollback, "make an earlier validated version live again, "
             "with a reason")):
        p = sub.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        p.add_argument("pathway")
        p.add_argument("version", type=int)
        p.add_argument("--reason", required=True, help="why (kept in the history)")
        p.add_argument("--expected-live", type=int, help="the version you saw live; refused "
                       "if another is live now (default: whatever is live)")
        p.add_argument("--by", help="your user name for the history (default: your login)")
        if name == "publish":
            p.add_argument("--replay-report", help="the replay report looked at (its "
                           "reference or summary)")
        _store_options(p)
        p.set_defaults(func=func)
    p = sub.add_parser("live", help="a pathway's versions, which is live, and the history",
                       description="A pathway's versions in the service's store, which one "
                       "is live, and who made each live, when and why.")
    p.add_argument("pathway")
    _store_options(p)
    p.set_defaults(func=cmd_live)


def _store_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--database", help="the store: a postgresql:// URL or sqlite:/// URL "
                   "(default: $TRIAGE_DATABASE_URL, else the service's SQLite file)")
    add_paths_option(p)
