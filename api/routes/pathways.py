"""Pathway versions, their problems and reloads, for designers (``/api/pathways``)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter

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
