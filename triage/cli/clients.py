"""The ``triage clients`` commands: import, generate and search (a thin terminal adapter).

The index location is ``--db``, else ``$TRIAGE_CLIENTS_DB``, else
``var/clients.sqlite3``; a ``postgresql://`` URL selects PostgreSQL. Bad input never
shows a traceback: the command prints what is wrong and returns 1 (and anything these
functions do not catch is turned into a sentence by ``triage.cli.main``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from triage.adapters.clients.audit import JsonLinesSearchRecorder
from triage.adapters.clients.importer import import_csv
from triage.adapters.clients.store import DB_ENV, open_client_index, weights_location
from triage.errors import ClientIndexError
from triage.matching.port import SearchDetails, SearchResult
from triage_qa.people import MAX_PEOPLE, generate_people, write_csv

AUDIT_ENV = "TRIAGE_CLIENTS_AUDIT"
DEFAULT_AUDIT = "var/client-searches.jsonl"


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add the ``clients`` command (with ``import``, ``generate``, ``search``)."""
    clients = subparsers.add_parser(
        "clients", help="the client index: is this person known to adult social care?",
        description="Import, generate and search the client index.")
    clients.set_defaults(func=_needs_subcommand(clients))
    commands = clients.add_subparsers(title="commands", metavar="COMMAND")
    db_help = (f"index location: an SQLite file or a postgresql:// URL (default: ${DB_ENV} "
               "or var/clients.sqlite3)")

    imp = commands.add_parser("import", help="import a case-management CSV export",
                              description="Import people from a CSV export. All rows or none: "
                              "any problem leaves the index unchanged, unless --quarantine "
                              "sets the rows with problems aside. Re-importing updates "
                              "people by system id.")
    imp.add_argument("csv", type=Path, help="the CSV export")
    imp.add_argument("--mapping", type=Path, required=True,
                     help="the YAML column-mapping file (see docs/clients.md)")
    imp.add_argument("--quarantine", type=Path, metavar="FILE",
                     help="import the good rows and write the rows with problems, with their "
                     "row and reason, to this CSV file (without it: all rows or none)")
    imp.add_argument("--db", help=db_help)
    imp.set_defaults(func=run_import)

    gen = commands.add_parser("generate", help="generate obviously fake people",
                              description="Generate synthetic people (NHS numbers in the "
                              "never-issued 999 range) into the index or a CSV file.")
    gen.add_argument("--people", type=int, default=1000, help="how many (default 1000)")
    gen.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    gen.add_argument("--csv", type=Path, help="write a CSV export here instead of indexing")
    gen.add_argument("--db", help=db_help)
    gen.set_defaults(func=run_generate)

    rebuild = commands.add_parser(
        "rebuild", help="remake the blocking keys after an upgrade",
        description="Remake every person's blocking keys with this version's key table, in "
        "one transaction (searches wait meanwhile). Run it once after an upgrade that "
        "changes the keys; 'triage clients search' says when it is needed.")
    rebuild.add_argument("--db", help=db_help)
    rebuild.set_defaults(func=run_rebuild)

    train = commands.add_parser(
        "train", help="learn match weights from the index itself",
        description="Learn Fellegi-Sunter match weights (m and u for each field and level "
        "of agreement) from the people on the index, and write them with the index's id. "
        "Searches use them when the file is present and the built-in weights when not.")
    train.add_argument("--out", type=Path, help="the weights file (default: "
                       "$TRIAGE_CLIENTS_WEIGHTS, or beside the SQLite file)")
    train.add_argument("--sample", type=int, default=3000,
                       help="people whose blocked pairs are learned from (default 3000)")
    train.add_argument("--db", help=db_help)
    train.set_defaults(func=run_train)

    search = commands.add_parser("search", help="search for a person",
                                 description="Search the index with what the caller gave.")
    search.add_argument("--nhs-number", help="NHS number (10 digits)")
    search.add_argument("--given", help="given name")
    search.add_argument("--family", help="family name")
    search.add_argument("--dob", help="date of birth: 1948-03-12, 12/03/1948, 1948-03 or 1948")
    search.add_argument("--postcode", help="postcode, or its first half")
    search.add_argument("--address", help="address")
    search.add_argument("--limit", type=int, default=5, help="most candidates to show")
    search.add_argument("--searcher", default=os.environ.get("USER", "unknown"),
                        help="who is searching, for the audit trail (a user id)")
    search.add_argument("--json", action="store_true", help="print the result as JSON")
    search.add_argument("--db", help=db_help)
    search.set_defaults(func=run_search)


def _needs_subcommand(parser: argparse.ArgumentParser) -> Any:
    def show_help(args: argparse.Namespace) -> int:
        parser.print_help(sys.stderr)
        print("\nGive a clients command: import, generate, rebuild, train or search.",
              file=sys.stderr)
        return 1

    return show_help


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1


def run_import(args: argparse.Namespace) -> int:
    """``triage clients import``."""
    try:
        with open_client_index(args.db) as index:
            report = import_csv(index, args.csv, args.mapping, quarantine=args.quarantine)
            total = index.count()
    except ClientIndexError as exc:
        return _fail(str(exc))
    print(f"Imported {report.total} people from {args.csv} ({report.added} added, "
          f"{report.updated} updated); the index now holds {total}.")
    if report.incomplete:
        print(f"{report.incomplete} of them are incomplete records (no given name: "
              f"{report.missing_given}; no family name: {report.missing_family}); they are "
              "flagged on the record and can be found by NHS number, date of birth or the "
              "name they have.")
    if report.quarantine_path is not None:
        print(f"{report.quarantined} rows with problems were not imported and are in "
              f"{report.quarantine_path} with their row and reason; fix them there and "
              "import that file again with the same mapping.")
    return 0


def run_generate(args: argparse.Namespace) -> int:
    """``triage clients generate``."""
    if not 1 <= args.people <= MAX_PEOPLE:
        return _fail(f"Cannot generate {args.people} people; choose from 1 to {MAX_PEOPLE:,}.")
    try:
        people = generate_people(args.people, seed=args.seed)
        if args.csv:
            count = write_csv(args.csv, people)
            print(f"Wrote {count} synthetic people to {args.csv}.")
            return 0
        with open_client_index(args.db) as index:
            count = index.bulk_load(people)
            total = index.count()
    except ClientIndexError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"Cannot write the synthetic people: {exc}.")
    print(f"Added {count} synthetic people; the index now holds {total}.")
    return 0


def run_rebuild(args: argparse.Namespace) -> int:
    """``triage clients rebuild``."""
    try:
        with open_client_index(args.db, create=False) as index:
            before = index.keys_version()
            count = index.rebuild_keys()
            after = index.keys_version()
    except ClientIndexError as exc:
        return _fail(str(exc))
    print(f"Remade the blocking keys of {count} people (key table version {before} -> "
          f"{after}).")
    return 0


def run_train(args: argparse.Namespace) -> int:
    """``triage clients train``."""
    if not 100 <= args.sample <= 100_000:
        return _fail(f"Cannot learn from a sample of {args.sample} people; choose from 100 "
                     "to 100,000.")
    out = args.out or weights_location(args.db)
    try:
        with open_client_index(args.db, create=False, weights=False) as index:
            weights = index.train_weights(out, sample=args.sample)
    except ClientIndexError as exc:
        return _fail(str(exc))
    print(f"Learned match weights from {weights.people:,} people ({weights.pairs:,} blocked "
          f"pairs) and wrote them to {out}, for index {weights.index_id}. Searches of this "
          "index now use them; remove the file to go back to the built-in weights.")
    for name in weights.m:
        print(f"  {name.replace('_', ' ')}: " + ", ".join(
            f"{level} {weights.points(name, level) or 0.0:+.1f} points"
            for level in ("agrees", "partly agrees", "disagrees")))
    print("  Other fields (the NHS number always) keep their built-in points.")
    return 0


def _render(result: SearchResult) -> str:
    if not result.searched:
        return f"Not searched. {result.advice}"
    lines = []
    if not result.candidates:
        return result.advice or "Not found with these details."
    noun = "candidate" if len(result.candidates) == 1 else "candidates"
    lines.append(f"{len(result.candidates)} {noun}, best first (nothing has been chosen):")
    for n, c in enumerate(result.candidates, 1):
        s = c.summary
        lines.append(f"{n:>2}. {c.person_id:<12} {s.get('initials', '')}, born "
                     f"{s.get('year_of_birth', '?')}, postcode district "
                     f"{s.get('postcode_district', '?')}: {c.words}")
        lines.append("    " + "; ".join(f"{k.replace('_', ' ')} {v}"
                                          for k, v in c.reasons.items()))
    if result.advice:
        lines.append(result.advice)
    return "\n".join(lines)


def run_search(args: argparse.Namespace) -> int:
    """``triage clients search``."""
    details = SearchDetails(nhs_number=args.nhs_number, given_name=args.given,
                            family_name=args.family, date_of_birth=args.dob,
                            postcode=args.postcode, address=args.address,
                            searcher=args.searcher)
    audit = JsonLinesSearchRecorder(Path(os.environ.get(AUDIT_ENV) or DEFAULT_AUDIT))
    try:
        with open_client_index(args.db, audit=audit, create=False) as index:
            stale = index.keys_out_of_date()
            result = index.search(details, limit=args.limit)
    except ClientIndexError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"Cannot write the search audit trail: {exc}.")
    if stale:
        print(stale, file=sys.stderr)
    if args.json:
        print(json.dumps({
            "searched": result.searched,
            "missing": list(result.missing),
            "advice": result.advice,
            "candidates": [{"person_id": c.person_id, "band": c.band.value, "words": c.words,
                            "score": c.score, "summary": c.summary, "reasons": c.reasons}
                           for c in result.candidates],
        }, indent=2))
    else:
        print(_render(result))
    return 0 if result.searched else 1
