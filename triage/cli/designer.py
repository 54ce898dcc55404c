"""The designers' commands: ``validate`` (with ``--against``), ``diagram``, ``paths``,
``diff``, ``release-note``, ``hazards`` and ``schema``, and the loading that ``call``
shares with them."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from triage.errors import PathwayProblems
from triage.hazards import markdown, table
from triage.pipeline import DEFAULT_PATHS, check_paths, load_catalogue
from triage.release_note import release_note
from triage.routing.catalogue import Catalogue, CompiledPathway
from triage.routing.diff import compare, no_less_safe
from triage.routing.matrix import matrix_text, route_matrix
from triage.schema import file_schema
from triage.views import mermaid, route_table


def paths_of(args: argparse.Namespace) -> list[Path]:
    return [Path(p) for p in (args.paths or [])] or list(DEFAULT_PATHS)


def cmd_validate(args: argparse.Namespace) -> int:
    """Report every problem in the given files; exit 1 if there are any."""
    lib, ctx = check_paths(paths_of(args))
    for problem in lib.problems:
        print(problem)
    for warning in lib.warnings:
        print(warning)
    if lib.problems:
        files = len({p.file for p in lib.problems})
        print(f"\n{len(lib.problems)} problem(s) in {files} file(s).", file=sys.stderr)
        return 1
    print(f"OK: {len(lib.pathways)} pathway(s), {len(lib.scripts)} script fragment(s), "
          f"{len(lib.facts)} fact(s) checked; no problems. Safety rule checked on "
          f"{sum(1 for p in lib.pathways.values() if p.value.pathway.usage == 'entry')} entry "
          "pathway(s)." + (f" {len(lib.warnings)} warning(s) to look at." if lib.warnings else ""))
    if args.against:
        return _against(paths_of(args), Path(args.against))
    return 0


def _against(paths: list[Path], live_folder: Path) -> int:
    """The cross-version check: no answer combination that reached an escalation in the
    live files reaches an early exit in the candidate."""
    live = catalogue_of_paths(version_files(live_folder), "the live version (--against)")
    candidate = catalogue_of_paths(paths, "the candidate")
    if live is None or candidate is None:
        return 1
    shared = [pid for pid in candidate.ids() if pid in live.ids()]
    if not shared:
        print(f"The folder {live_folder} holds none of the candidate's pathways "
              f"({', '.join(candidate.ids())}); give the folder of the live version's files.",
              file=sys.stderr)
        return 1
    found = 0
    for pid in shared:
        new = candidate.get(pid)
        checked = no_less_safe(live.get(pid), new)
        for change in checked.refused:
            found += 1
            print(f"{pid}: less safe than version {live.get(pid).version}: "
                  f"{change.describe_answers()} reached {change.old.describe()} and now "
                  f"reaches {change.new.describe()}, an early exit")
        for change, waiver in checked.waived:
            print(f"{pid}: waived by {waiver.signed_by}: {change.describe_answers()} reached "
                  f"{change.old.describe()} and now reaches {change.new.describe()} "
                  f"({waiver.reason})")
    if found:
        print(f"\n{found} answer combination(s) that reached an escalation now end early; "
              "restore their escalation before this version goes live.", file=sys.stderr)
        return 1
    print(f"No less safe than {live_folder}: no answer combination that reached an escalation "
          f"ends early, in {len(shared)} pathway(s).")
    return 0


def version_files(folder: Path) -> list[Path]:
    """The files of one version: a checkout of the project (its ``pathways`` and
    ``scripts`` folders), or any folder that holds pathway files."""
    if (folder / "pathways").is_dir():
        return [folder / part for part in DEFAULT_PATHS if (folder / part).is_dir()]
    return [folder]


def catalogue_of_paths(paths: list[Path], what: str) -> Catalogue | None:
    """Load ``paths``, or say (for ``what``) why they cannot be loaded."""
    try:
        return load_catalogue(paths)
    except PathwayProblems as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"\n{what.capitalize()} has {len(exc.problems)} problem(s); run 'triage "
              f"validate {' '.join(str(p) for p in paths)}'.", file=sys.stderr)
        return None


def catalogue_of(args: argparse.Namespace) -> Catalogue | None:
    try:
        return load_catalogue(paths_of(args))
    except PathwayProblems as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"\nThe pathways have {len(exc.problems)} problem(s); run 'triage validate'.",
              file=sys.stderr)
        return None


def pathway_of(args: argparse.Namespace, catalogue: Catalogue) -> str | None:
    if not catalogue.ids():
        where = " ".join(str(p) for p in paths_of(args))
        print(f"There are no pathways in {where}; give the folders that hold the pathway "
              "files with --paths (the default is: pathways scripts).", file=sys.stderr)
        return None
    if args.pathway not in catalogue.ids():
        print(f"Unknown pathway '{args.pathway}'; pathways are: {', '.join(catalogue.ids())}",
              file=sys.stderr)
        return None
    return str(args.pathway)


def _print_view(args: argparse.Namespace, render: Callable[[CompiledPathway], str]) -> int:
    catalogue = catalogue_of(args)
    if catalogue is None or pathway_of(args, catalogue) is None:
        return 1
    print(render(catalogue.get(args.pathway)), end="")
    return 0


def cmd_diagram(args: argparse.Namespace) -> int:
    """Print a Mermaid diagram of a pathway."""
    return _print_view(args, mermaid)


def cmd_paths(args: argparse.Namespace) -> int:
    """Print every route through a pathway and the answers that lead to each outcome."""
    return _print_view(args, route_table)


def cmd_matrix(args: argparse.Namespace) -> int:
    """Print the outcome reached for every combination of the named facts."""
    facts = [f for f in str(args.by).split(",")]
    return _print_view(args, lambda compiled: matrix_text(route_matrix(compiled, facts)))


def _two_versions(args: argparse.Namespace
                  ) -> tuple[CompiledPathway, CompiledPathway] | None:
    """``args.pathway`` in the old and the new files, or None once it is said why not."""
    old = catalogue_of_paths(version_files(Path(args.old)), "the old version")
    new = catalogue_of_paths(version_files(Path(args.new)), "the new version")
    if old is None or new is None:
        return None
    for label, catalogue in (("old", old), ("new", new)):
        if args.pathway not in catalogue.ids():
            print(f"The {label} files hold no pathway '{args.pathway}'; they hold: "
                  f"{', '.join(catalogue.ids()) or 'none'}", file=sys.stderr)
            return None
    return old.get(args.pathway), new.get(args.pathway)


def cmd_diff(args: argparse.Namespace) -> int:
    """Compare a pathway in two sets of files: routes whose outcome changed, then steps,
    routes, outcomes and words."""
    versions = _two_versions(args)
    if versions is None:
        return 1
    found = compare(*versions)
    if args.json:
        print(json.dumps(found.as_dict(), indent=2, ensure_ascii=False))
    else:
        print(found.text(), end="")
    return 0


def cmd_release_note(args: argparse.Namespace) -> int:
    """Print a Markdown release note for a pathway's new version against its old one."""
    versions = _two_versions(args)
    if versions is None:
        return 1
    a, b = versions
    lib, _ = check_paths(version_files(Path(args.new)))  # the new version's hazard log
    hazards = lib.hazards.value.hazards if lib.hazards is not None else []
    print(release_note(a, b, compare(a, b), hazards), end="")
    return 0


def cmd_hazards(args: argparse.Namespace) -> int:
    """Print the hazard log (checked with the pathways) as a table or as Markdown."""
    lib, _ = check_paths(paths_of(args))
    if lib.problems:
        for problem in lib.problems:
            print(problem, file=sys.stderr)
        print(f"\nThe files have {len(lib.problems)} problem(s); run 'triage validate'.",
              file=sys.stderr)
        return 1
    if lib.hazards is None:
        where = " ".join(str(p) for p in paths_of(args))
        print(f"There is no hazard log in {where}; write hazards.yaml beside the pathways "
              "(see docs/pathways.md, 'The hazard log').", file=sys.stderr)
        return 1
    hazards = lib.hazards.value.hazards
    print(markdown(hazards) if args.markdown else table(hazards), end="")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of the file format."""
    print(json.dumps(file_schema(), indent=2))
    return 0




def add_paths_option(parser: argparse.ArgumentParser) -> None:
    """``--paths``: the pathway and script files or folders a command reads."""
    parser.add_argument("--paths", nargs="+", metavar="PATH",
                        help="pathway and script files or folders (default: pathways scripts)")


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add the designers' commands to the ``triage`` command."""
    p = sub.add_parser("validate", help="check pathway and script files; exit 1 on problems")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="files or folders (default: pathways scripts)")
    p.add_argument("--against", metavar="LIVE",
                   help="also check that no answer combination that reached an escalation "
                        "in LIVE (a checkout or folder of the live version) now ends early")
    p.set_defaults(func=cmd_validate)
    p = sub.add_parser("diff", help="compare a pathway in two sets of files")
    p.add_argument("pathway")
    p.add_argument("old", metavar="OLD", help="the old version: a checkout of the project "
                   "(its pathways and scripts folders are read) or a folder of pathway files")
    p.add_argument("new", metavar="NEW", help="the new version, the same way")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_diff)
    p = sub.add_parser("diagram", help="print a Mermaid diagram of a pathway")
    p.add_argument("pathway")
    add_paths_option(p)
    p.set_defaults(func=cmd_diagram)
    p = sub.add_parser("paths", help="list every route through a pathway and its outcome")
    p.add_argument("pathway")
    add_paths_option(p)
    p.set_defaults(func=cmd_paths)
    p = sub.add_parser("matrix", help="tabulate the outcome reached for every combination "
                       "of the named facts (designers' review)")
    p.add_argument("pathway")
    p.add_argument("--by", required=True, metavar="FACT,FACT[,FACT]",
                   help="the facts to tabulate, the last as columns, such as "
                   "caller_type,reason,known_status")
    add_paths_option(p)
    p.set_defaults(func=cmd_matrix)
    p = sub.add_parser("release-note", help="print a Markdown release note for a new version")
    p.add_argument("pathway")
    p.add_argument("old", metavar="OLD", help="the old version: a checkout of the project or "
                   "a folder of pathway files")
    p.add_argument("new", metavar="NEW", help="the new version, the same way")
    p.set_defaults(func=cmd_release_note)
    p = sub.add_parser("hazards", help="print the hazard log as a table or as Markdown")
    p.add_argument("--markdown", action="store_true",
                   help="print it as a safety-case section in Markdown")
    add_paths_option(p)
    p.set_defaults(func=cmd_hazards)
    p = sub.add_parser("schema", help="print the JSON Schema of the file format")
    p.set_defaults(func=cmd_schema)
