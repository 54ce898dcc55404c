"""Pathway versions, their problems and reloads, and publishing and rolling back, for
designers (``/api/pathways``)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Query

from api.routes.bodies import MoveLive, Publish
from api.routes.dependencies import AnyUser, Designer, Door
from api.routes.openapi import ErrorOut, error_doc

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


MOVE_DOC: dict[int | str, dict[str, Any]] = {
    404: error_doc("The version is not stored and loaded in the service (or there is no "
                   "such pathway); the live version is unchanged."),
    409: error_doc("The live version is no longer `expected_live`: another designer moved "
                   "it first (the reason says who, and `current_version` is the version "
                   "live now). Nothing was changed."),
    422: error_doc("Refused, the live version unchanged: a draft, a version that does not "
                   "validate, one less safe than the live version without a signed "
                   "waiver (each route named), a roll back to a version that is not "
                   "earlier, or no reason.")}


@router.get("/{pathway_id}/versions", responses={404: MOVE_DOC[404]})
def pathway_versions(pathway_id: str, user: Designer, door: Door) -> dict[str, Any]:
    """A pathway's versions with their status, which one is live, and the history of the
    live version (who made each live, when, why, and the replay report looked at)."""
    return door.live.versions(pathway_id)


@router.post("/{pathway_id}/publish", responses=MOVE_DOC)
def publish_pathway(pathway_id: str, body: Publish, user: Designer,
                    door: Door) -> dict[str, Any]:
    """Make a ready version live: new calls start on it (on every instance within a
    tick), calls in progress finish on their own version. Refused unless it is no less
    safe than the live version, or its change note records a signed waiver for exactly
    each route that now ends early."""
    entry = door.live.publish(user, pathway_id, body.version, reason=body.reason,
                              expected_live=body.expected_live,
                              replay_report=body.replay_report)
    return entry.as_dict()


@router.post("/{pathway_id}/rollback", responses=MOVE_DOC)
def rollback_pathway(pathway_id: str, body: MoveLive, user: Designer,
                     door: Door) -> dict[str, Any]:
    """Make an earlier validated version live again, with a reason (no cross-version
    check: it is the way back from a bad publish)."""
    entry = door.live.rollback(user, pathway_id, body.version, reason=body.reason,
                               expected_live=body.expected_live)
    return entry.as_dict()
