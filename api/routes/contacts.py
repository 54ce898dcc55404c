"""Contact records for supervisors (``/api/contacts``); every read is recorded."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi import Path as PathParam

from api.routes.dependencies import Door, Supervisor
from api.routes.openapi import error_doc

router = APIRouter(prefix="/api/contacts", tags=["contacts"])


@router.get("", responses={200: {
    "description": "Contact records (summary fields), newest first.",
    "links": {"contact": {"operationId": "contact", "description": "The newest record.",
                          "parameters": {"contact_id": "$response.body#/0/contact_id"}}}}})
def contacts(user: Supervisor, door: Door,
             limit: Annotated[int, Query(ge=1, le=500, description=(
                 "How many records, 1 to 500."))] = 50,
             offset: Annotated[int, Query(ge=0, le=2**31 - 1, description=(
                 "How many of the newest records to skip."))] = 0
             ) -> list[dict[str, Any]]:
    """Contact records, newest first."""
    return door.contacts.listing(limit, offset)


# Bounded to the id column's range (32-bit on PostgreSQL): a larger id was a 500.
@router.get("/{contact_id}", responses={
    404: error_doc("There is no contact record with this id.")})
def contact(contact_id: Annotated[int, PathParam(ge=1, le=2**31 - 1)], user: Supervisor,
            door: Door) -> dict[str, Any]:
    """One contact record (every read is recorded)."""
    return door.contacts.read(user, contact_id)
