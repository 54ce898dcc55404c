"""Who may read or change a stored call, and from which version: a call belongs to the
handler who started it (or took it over), and a change names the version it was made
from."""

from __future__ import annotations

from api.service.state import CallStatus
from api.service.users import User
from api.storage.port import Repository, StoredCall
from triage.adapters.audit import audit_logger
from triage.errors import CallFinished, NotYourCall, StaleUpdate


class CallAccess:
    """Checks a stored call against the handler asking for it."""

    def __init__(self, repository: Repository) -> None:
        self.repository = repository
        self.log = audit_logger()

    def owner_name(self, username: str) -> str:
        """How a handler is named to other handlers (their user name if they are gone)."""
        owner = self.repository.user(username)
        return str(owner["display_name"]) if owner else username

    def owned(self, user: User, stored: StoredCall) -> StoredCall:
        """``stored`` if it belongs to ``user``; NotYourCall (and nothing read) if not."""
        if stored.handler != user.username:
            self.log.info("call_refused_not_owner", call_id=stored.call_id,
                          user=user.username, owner=stored.handler)
            raise NotYourCall(call_id=stored.call_id, owner=stored.handler,
                              owner_name=self.owner_name(stored.handler),
                              version=stored.row_version, updated_at=stored.updated_at,
                              finished=stored.status == CallStatus.FINISHED)
        return stored

    def own(self, user: User, call_id: str) -> StoredCall:
        """The stored call ``call_id``, if it belongs to ``user``."""
        return self.owned(user, self.repository.load_call(call_id))

    def changeable(self, user: User, stored: StoredCall, version: int,
                   finished: str) -> StoredCall:
        """``stored`` if ``user`` may change it from ``version``: their own call, still at
        that version and not finished (``finished`` says why if it is)."""
        self.owned(user, stored)
        if stored.row_version != version:
            raise StaleUpdate(current_version=stored.row_version)
        if stored.status == CallStatus.FINISHED:
            raise CallFinished(finished)
        return stored
