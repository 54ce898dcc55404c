"""Read-only views of a compiled pathway for designers: Mermaid diagrams and route tables."""

from __future__ import annotations

import re

from triage.routing.catalogue import CompiledPathway
from triage.routing.explore import Route, explore
from triage.vocabulary import DEFLECTIONS, EMERGENCIES

_SHAPES = {
    "say": ('["', '"]'),
    "question": ('{{"', '"}}'),
    "lookup": ('[("', '")]'),
    "handover": ('[["', '"]]'),
    "return": ('(["', '"])'),
    "outcome": ('(["', '"])'),
}


def _id(state: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", state)


def _label(text: str) -> str:
    return text.replace('"', "'").replace("\n", " ")


def mermaid(compiled: CompiledPathway) -> str:
    """A Mermaid flowchart of the composed pathway, conditions on the arrows."""
    lines = ["flowchart TD",
             f"  %% {compiled.id} version {compiled.version} ({compiled.status})"]
    for node in compiled.graph.nodes.values():
        open_, close = _SHAPES.get(node.kind, ('["', '"]'))
        text = node.title or node.local_id
        if node.outcome is not None:
            text = f"{node.outcome.kind.value}: {node.outcome.summary}"
        if node.red_flag:
            text = f"RED FLAG: {text}"
        lines.append(f"  {_id(node.state)}{open_}{_label(text)}{close}")
    for node in compiled.graph.nodes.values():
        for edge in node.edges:
            label = edge.label if edge.condition is not None or edge.label == "default" else ""
            arrow = f" -->|{_label(label)}| " if label else " --> "
            lines.append(f"  {_id(node.state)}{arrow}{_id(edge.target)}")
    classes = {
        "escalation": [n.state for n in compiled.graph.nodes.values() if n.outcome and
                       n.outcome.kind in EMERGENCIES],
        "deflection": [n.state for n in compiled.graph.nodes.values() if n.outcome and
                       n.outcome.kind in DEFLECTIONS],
        "redflag": [n.state for n in compiled.graph.nodes.values() if n.red_flag],
    }
    styles = {"escalation": "fill:#f8d7da,stroke:#d4351c", "deflection": "fill:#d2e7f9",
              "redflag": "fill:#fff2cc,stroke:#f47738"}
    for name, states in classes.items():
        if states:
            lines.append(f"  classDef {name} {styles[name]}")
            lines.append(f"  class {','.join(_id(s) for s in states)} {name}")
    return "\n".join(lines) + "\n"


def route_rows(compiled: CompiledPathway) -> list[tuple[str, str, str, str]]:
    """(outcome, kind, timeframe, answers that lead there) for every route."""
    rows = []
    for route in explore(compiled.graph):
        rows.append(_row(compiled, route))
    return rows


def _row(compiled: CompiledPathway, route: Route) -> tuple[str, str, str, str]:
    node = compiled.node(route.end)
    parts = []
    for step in route.steps:
        if step.var is None or step.values is None:
            if step.via in ("handover",):
                parts.append(f"-> {compiled.node(step.state).local_id}")
            continue
        full = None
        n = compiled.node(step.state)
        if n.answer is not None and n.answer.options:
            full = {o.code for o in n.answer.options}
        values = sorted(map(str, step.values))
        shown = "any" if full is not None and set(values) == full else " | ".join(values)
        parts.append(f"{n.local_id}={shown}")
    if not route.complete:
        return ("(loop)", "", "", "; ".join(parts))
    if node.outcome is None:
        return (node.state, "", "", "; ".join(parts))
    return (f"{node.pathway_id}:{node.local_id}", node.outcome.kind.value,
            node.outcome.timeframe, "; ".join(parts))


def route_table(compiled: CompiledPathway) -> str:
    """Every route as a plain-text table."""
    rows = route_rows(compiled)
    header = ("outcome", "kind", "timeframe", "answers")
    widths = [max(len(header[i]), *(len(r[i]) for r in rows)) if rows else len(header[i])
              for i in range(3)]
    out = [f"{header[0]:<{widths[0]}}  {header[1]:<{widths[1]}}  {header[2]:<{widths[2]}}  "
           f"{header[3]}"]
    out.append("  ".join("-" * w for w in widths) + "  " + "-" * 7)
    for r in rows:
        out.append(f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}")
    out.append(f"\n{len(rows)} route(s) to {len({r[0] for r in rows})} outcome(s).")
    return "\n".join(out) + "\n"
