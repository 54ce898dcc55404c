"""One-off notices for the next page a signed-in session sees ("The call had changed...").

They are kept with the session in the repository, not in one server's memory, so with
several instances the next page shows them whichever instance serves it, and a restart in
between loses none.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from api.service.users import token_hash
from api.storage.port import Repository


class Notices:
    """Notices kept for a session's next page."""

    def __init__(self, repository: Repository) -> None:
        self.repository = repository

    def keep(self, token: str, notice: Mapping[str, Any]) -> None:
        """Show ``notice`` on the next page the session of ``token`` sees."""
        self.repository.add_notice(token_hash(token), notice)

    def take(self, token: str) -> list[dict[str, Any]]:
        """The notices for this page of the session of ``token``, which are then forgotten."""
        return self.repository.take_notices(token_hash(token))
