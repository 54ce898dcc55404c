"""Reading a saved call back: the saved form is checked against the pathway version it
was started on, and a damaged or unknown one is refused with the saved data untouched."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from triage.calls.model import SAVE_FORMAT, CallSession, HistoryEntry, SavedSearch
from triage.errors import PathwayVersionNotLoaded, RestoreError
from triage.routing.catalogue import Catalogue, CompiledPathway


def compiled_for(catalogue: Catalogue, pathway_id: str, version: int) -> CompiledPathway:
    """The pathway version a call runs on; PathwayVersionNotLoaded if it is not loaded."""
    try:
        return catalogue.get(pathway_id, version)
    except KeyError as exc:
        raise PathwayVersionNotLoaded(pathway_id, version,
                                      catalogue.versions(pathway_id)) from exc


def restore(data: Mapping[str, Any], catalogue: Catalogue) -> CallSession:
    """Rebuild a saved call on the same pathway version; the saved data is not changed."""
    try:
        pathway_id, version = str(data["pathway_id"]), int(data["version"])
        state = str(data["state"])
    except (KeyError, TypeError, ValueError) as exc:
        raise RestoreError(f"The saved call is missing or has a bad '{exc}' field; it has "
                           "been kept as it was.") from exc
    saved_format = data.get("format", SAVE_FORMAT)
    if saved_format not in (1, SAVE_FORMAT):
        raise RestoreError(f"The saved call uses save format {saved_format}; this engine "
                           f"reads formats 1 and {SAVE_FORMAT}.")
    compiled = compiled_for(catalogue, pathway_id, version)
    if state not in compiled.graph.nodes:
        raise RestoreError(f"The saved call is at step '{state}', which pathway "
                           f"'{pathway_id}' version {version} does not have.")
    try:
        return CallSession(
            call_id=str(data["call_id"]), pathway_id=pathway_id, version=version,
            state=state, language=str(data.get("language", "en")),
            handler=str(data.get("handler", "")), started_at=str(data["started_at"]),
            # Format 1 knew no wrap-up: its finished_at was when the outcome was reached.
            outcome_at=data.get("finished_at") if saved_format == 1 else data.get("outcome_at"),
            finished_at=None if saved_format == 1 else data.get("finished_at"),
            facts=dict(data.get("facts", {})),
            values=dict(data.get("values", {})),
            history=[HistoryEntry(**h) for h in data.get("history", [])],
            words_from=list(data.get("words_from", [])),
            candidates=list(data.get("candidates", [])),
            # Calls saved before searches were kept on the call have no last search.
            last_search=(SavedSearch.from_dict(data["last_search"])
                         if data.get("last_search") else None),
            need=int(data.get("need", 1)),
            earlier_needs=[dict(n) for n in data.get("earlier_needs", [])],
            person=dict(data["person"]) if data.get("person") else None,
            earlier_contacts=[dict(c) for c in data.get("earlier_contacts", [])],
            flags=[dict(f) for f in data.get("flags", [])],
            clock=dict(data.get("clock") or {}),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise RestoreError(f"The saved call cannot be read ({exc}); it has been kept as it "
                           "was.") from exc
