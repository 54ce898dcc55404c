"""Pathway versions, their problems and reloads, for designers (``/api/pathways``)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Query

from api.routes.dependencies import AnyUser, Designer, Door
from api.routes.openapi import ErrorOut

router = APIRouter(prefix="/api/pathways", tags=["pathways"])


@router.get("")
def list_pathways(user: AnyUser, door: Door) -> list[dict[str, Any]]:
    """Loaded pathway versions with their status and Mermaid diagram."""
    library = door.library
    return [{**asdict(p), "diagram": library.diagram(p.id, p.version)}
            for p in library.listing()]


@router.get("/problems")
def pathway_problems(user: Designer, door: Door) -> dict[str, Any]:
    """Problems from the last reload (empty when the files on disk are in use)."""
    return {"problems": [str(p) for p in door.library.problems]}


@router.post("/reload", responses={503: {
    "model": ErrorOut, "description": "The new versions could not be stored; nothing was "
    "taken up."}})
def reload_pathways(user: Designer, door: Door) -> dict[str, Any]:
    """Validate the files on disk now; new versions are taken up only if all is well.

    Every problem in the files is in the answer (and then in ``/api/pathways/problems``).
    If the new versions cannot be stored, the answer is 503 and nothing changed.
    """
    problems = door.library.reload()
    return {"loaded": not problems, "problems": [str(p) for p in problems]}


@router.get("/{pathway_id}/diff", responses={422: {
    "model": ErrorOut, "description": "No such pathway, or no such version of it loaded."}})
def compare_versions(pathway_id: str, user: Designer, door: Door,
                     old: int = Query(ge=1, description="The version compared from."),
                     new: int = Query(ge=1, description="The version compared to."),
                     ) -> dict[str, Any]:
    """What changed from version ``old`` to version ``new``: the routes (answer combinations)
    whose outcome changed, those that became less safe (an escalation before, an early exit
    now), and the steps, outcomes and words changed. Pathway definitions only: no call or
    person is read."""
    return door.changes.compare(pathway_id, old, new, user=user.username).as_dict()
