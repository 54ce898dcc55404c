"""Loading pathway files, stage by stage, in one place.

    read -> schema -> analyse -> check -> compose -> prove -> compile

- **read** parses each YAML file (:mod:`triage.adapters.yamlsource`), and **schema**
  validates it against the file models, registering its definitions (both in
  :func:`triage.adapters.library.read_library`);
- **analyse** works out each pathway's names and types and compiles its expressions;
- **check** runs the named checks (:mod:`triage.checks`);
- **compose** inlines sub-pathways into one graph per pathway, for those whose files have
  no structural problem;
- **prove** checks the safety rule on each composed entry pathway;
- **compile** builds the run-time form and a router for each composed pathway.

Every stage but the last collects problems into the library instead of raising, so a
designer sees every problem in every file at once, each as ``file:line:col``.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from triage.adapters.library import read_library
from triage.adapters.machine import MachineRouter
from triage.analysis import analyse as analyse_pathway
from triage.analysis import fact_rules, output_specs
from triage.checks import CHECKS, ROOT_CAUSES, STRUCTURAL, CheckContext, check_safety_rule
from triage.checks.context import unloaded_files
from triage.definitions import HandoverStep
from triage.errors import PathwayProblems
from triage.routing.build import places_of, policy_of
from triage.routing.catalogue import Catalogue, CompiledPathway, Waiver
from triage.routing.compose import compose as compose_pathway
from triage.routing.plan import ComposedGraph, Places, Policy
from triage.sources import Library

DEFAULT_PATHS = (Path("pathways"), Path("scripts"))


@dataclass
class Checked:
    """What checking gave besides the problems: each pathway's analysis and composed graph."""

    context: CheckContext
    composed: dict[str, ComposedGraph] = field(default_factory=dict)


def read(paths: Sequence[Path]) -> Library:
    """The read and schema stages: every file parsed and validated, problems collected."""
    return read_library(paths)


def analyse(lib: Library) -> CheckContext:
    """The analyse stage: names, types and compiled expressions of every pathway."""
    ctx = CheckContext(lib)
    ctx.unloaded, ctx.unreadable = unloaded_files(lib)
    outs = output_specs(lib)
    for pid, located in lib.pathways.items():
        ctx.analyses[pid] = analyse_pathway(lib, located, outs)
    return ctx


def check(ctx: CheckContext) -> None:
    """The check stage: every named check, in order."""
    for named_check in CHECKS:
        ctx.lib.problems.extend(named_check(ctx))


def compose(ctx: CheckContext) -> dict[str, ComposedGraph]:
    """The compose stage: each pathway whose files (and sub-pathways') can be composed."""
    broken = {p.file for p in ctx.lib.problems if p.check in STRUCTURAL}
    return {pid: compose_pathway(ctx.analyses, pid) for pid in ctx.lib.pathways
            if _composable(ctx, pid, broken, set())}


def prove(ctx: CheckContext, composed: dict[str, ComposedGraph]) -> None:
    """The prove stage: the safety rule on each composed entry pathway."""
    for pid, graph in composed.items():
        if ctx.lib.pathways[pid].value.pathway.usage == "entry":
            ctx.lib.problems.extend(check_safety_rule(ctx, graph))


def compile_library(lib: Library, composed: dict[str, ComposedGraph]) -> Catalogue:
    """The compile stage: the run-time form of every composed pathway, with its router."""
    catalogue = Catalogue()
    scripts = {sid: dict(loc.value.text) for sid, loc in lib.scripts.items()}
    guidance = {sid: dict(loc.value.guidance) for sid, loc in lib.scripts.items()
                if loc.value.guidance}
    facts = fact_rules(lib)
    places = places_of(lib.directory.value) if lib.directory else Places({}, {}, {})
    policy = policy_of(lib.directory.value) if lib.directory else Policy()
    for pid, graph in composed.items():
        meta = lib.pathways[pid].value.pathway
        catalogue.add(CompiledPathway(
            pid, meta.version, meta.title, meta.status, meta.usage, meta.owner, meta.change_note,
            graph, MachineRouter(graph), scripts, places, facts, policy, guidance,
            tuple(Waiver(w.route, w.signed_by, w.reason) for w in meta.waivers)))
    return catalogue


def check_paths(paths: Sequence[Path] = DEFAULT_PATHS) -> tuple[Library, Checked]:
    """Read and check files; ``lib.problems`` lists every problem (empty when all is well)."""
    with _bulk_build():
        lib = read(paths)
        ctx = analyse(lib)
        check(ctx)
        composed = compose(ctx)
        prove(ctx, composed)
    # A file that could not be loaded comes first: what follows may be its knock-on.
    lib.problems.sort(key=lambda p: (p.check not in ROOT_CAUSES, p))
    return lib, Checked(ctx, composed)


def load_catalogue(paths: Sequence[Path] = DEFAULT_PATHS) -> Catalogue:
    """Every stage; raises PathwayProblems listing every problem in every file."""
    lib, checked = check_paths(paths)
    if lib.problems:
        raise PathwayProblems(lib.problems)
    with _bulk_build():
        return compile_library(lib, checked.composed)


def _composable(ctx: CheckContext, pid: str, broken: set[str], trail: set[str]) -> bool:
    located = ctx.lib.pathways.get(pid)
    if located is None or located.source.display in broken or pid in trail:
        return False
    return all(_composable(ctx, s.pathway, broken, trail | {pid})
               for s in located.value.steps if isinstance(s, HandoverStep))


@contextmanager
def _bulk_build() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many long-lived objects.

    Loading creates millions of objects that all survive; without the pause the collector
    re-scans them again and again (about a third of the load time for 200 pathways).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def settle_memory() -> None:
    """After loading, collect once and move what survives out of later collections.

    A long-running process (the service, a benchmark standing in for it) calls this so
    the compiled pathways are not re-scanned by every collection during calls.
    """
    gc.collect()
    gc.freeze()
