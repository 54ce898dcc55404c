"""The designers' commands: ``validate``, ``diagram``, ``paths`` and ``schema``, and the
loading that ``call`` shares with them."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from triage.errors import PathwayProblems
from triage.pipeline import DEFAULT_PATHS, check_paths, load_catalogue
from triage.routing.catalogue import Catalogue, CompiledPathway
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
    return 0


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
    p.set_defaults(func=cmd_validate)
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
    p = sub.add_parser("schema", help="print the JSON Schema of the file format")
    p.set_defaults(func=cmd_schema)
