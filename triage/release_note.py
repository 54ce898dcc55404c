"""A release note for a new pathway version, in Markdown: what changed and why (the change
notes), which routes now end elsewhere, whether it is less safe, and the hazards it touches.
"""

from __future__ import annotations

from collections import Counter

from triage.hazards import Hazard
from triage.routing.catalogue import CompiledPathway
from triage.routing.diff import PathwayDiff, less_safe_of


def touched_hazards(found: PathwayDiff, new: CompiledPathway, old: CompiledPathway,
                    hazards: list[Hazard]) -> dict[str, list[str]]:
    """Hazard id -> why the change touches it: a step it names as a control changed, a
    red-flag step changed (red_flag_screen), or a route became less urgent (cross_version)."""
    steps: dict[str, str] = {}
    red_flag_changed = False
    for change in found.changes:
        state = change.where.split(" -> ", 1)[0]
        node = new.graph.nodes.get(state) or old.graph.nodes.get(state)
        if node is None:
            continue
        steps[f"{node.pathway_id}:{node.local_id}"] = str(change)
        red_flag_changed = red_flag_changed or node.red_flag
    less_urgent = any(r.direction == "less urgent" for r in found.routes)
    touched: dict[str, list[str]] = {}
    for hazard in hazards:
        why = []
        for control in hazard.controls:
            if control.step and control.step in steps:
                why.append(f"step {control.step} changed ({steps[control.step]})")
            if control.rule == "red_flag_screen" and red_flag_changed:
                why.append("a red-flag question changed")
            if control.rule == "cross_version" and less_urgent:
                why.append("some answers now reach a less urgent outcome")
        if why:
            touched[hazard.id] = why
    return touched


def release_note(old: CompiledPathway, new: CompiledPathway, found: PathwayDiff,
                 hazards: list[Hazard]) -> str:
    """The note, in Markdown."""
    worse = less_safe_of(found.routes, new.policy)
    directions = Counter(r.direction for r in found.routes)
    out = [f"# {new.title}: version {old.version} to {new.version}", "",
           f"- **Pathway:** `{new.id}`, owner {new.owner}, status {new.status}",
           f"- **Change note (version {new.version}):** {new.change_note.strip()}",
           f"- **Previous change note (version {old.version}):** {old.change_note.strip()}",
           "", "## Safety", ""]
    if worse:
        out.append(f"**Less safe than version {old.version}:** {len(worse)} answer "
                   "combination(s) that reached an escalation now end early. This version "
                   "must not go live as it is.")
        out += ["", *[f"- {r}" for r in worse]]
    else:
        out.append(f"No answer combination that reached an escalation in version "
                   f"{old.version} ends early in version {new.version}.")
    out += ["", "## Routes whose outcome changed", ""]
    if found.routes:
        out.append(", ".join(f"{directions[d]} {d}" for d in
                             ("more urgent", "less urgent", "as urgent", "cannot compare")
                             if directions[d]) + ".")
        out += ["", "| answers | before | after | urgency |", "|---|---|---|---|"]
        out += [f"| {_cell(r.describe_answers())} | {_cell(r.old.describe())} | "
                f"{_cell(r.new.describe())} | {r.direction} |" for r in found.routes]
    else:
        out.append("None: every call ends where it did before.")
    out += ["", "## Changes to the definition", ""]
    out += [f"- {c}" for c in found.changes] or ["None."]
    touched = touched_hazards(found, new, old, hazards)
    out += ["", "## Hazards touched", ""]
    out += [f"- **{hid}**: {'; '.join(why)}" for hid, why in touched.items()] or [
        "None of the hazard log's controls is touched by this change."]
    out += ["", "## Replay", "",
            "Replaying past contacts on this version is not available yet; review the routes "
            "above with the scenarios (`pytest features`).", ""]
    return "\n".join(out)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
