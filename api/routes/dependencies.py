"""What the REST routes are given: the signed-in user (with a role check) and the service.

The role checks and the service are async dependencies: they never block, and a sync
dependency costs a hop to the threadpool on every request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from api.browser import COOKIE
from api.routes.guards import USER_STATE
from api.service import FrontDoor, Role, User
from triage.errors import NotSignedIn, RoleNotAllowed

bearer = HTTPBearer(auto_error=False)
"""The bearer token, for the OpenAPI document's security scheme."""


async def current_user(request: Request,
                       creds: Annotated[HTTPAuthorizationCredentials | None,
                                        Depends(bearer)]) -> User:
    """The signed-in user (SignedInFirst has already found the user of every route that
    needs one)."""
    found: User | None = getattr(request.state, USER_STATE, None)
    if found is not None:
        return found
    token = creds.credentials if creds else request.cookies.get(COOKIE)
    auth = request.app.state.front_door.auth
    user: User | None = auth.cached_user(token)
    if user is None:  # ask the database, off the event loop
        user = await run_in_threadpool(auth.user_of, token)
    if user is None:
        raise NotSignedIn()
    return user


def needs(*roles: Role) -> Callable[[User], Awaitable[User]]:
    """A dependency giving the signed-in user, if they have one of ``roles``."""
    async def check(user: Annotated[User, Depends(current_user)]) -> User:
        if user.role not in roles:
            raise RoleNotAllowed(role=user.role.value, allowed=[r.value for r in roles])
        return user
    return check


async def front_door(request: Request) -> FrontDoor:
    """The service layer."""
    door: FrontDoor = request.app.state.front_door
    return door


Handler = Annotated[User, Depends(needs(Role.HANDLER))]
Designer = Annotated[User, Depends(needs(Role.DESIGNER))]
Supervisor = Annotated[User, Depends(needs(Role.SUPERVISOR))]
Manager = Annotated[User, Depends(needs(Role.MANAGER))]
Reporter = Annotated[User, Depends(needs(Role.MANAGER, Role.SUPERVISOR))]
"""Reports and aggregate figures: managers and supervisors (never handlers or designers)."""
AnyUser = Annotated[User, Depends(needs(*Role))]
Door = Annotated[FrontDoor, Depends(front_door)]
Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
