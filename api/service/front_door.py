"""The service layer put together: one object the REST API and the screen both use."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from api.service.access import CallAccess
from api.service.calls import Calls
from api.service.changes import PathwayChanges
from api.service.contacts import Contacts
from api.service.history import StoredContactHistory
from api.service.links import Links, LinkSender
from api.service.live import LiveVersions
from api.service.notices import Notices
from api.service.pathways import PathwayLibrary
from api.service.reviews import Audits, Reviews
from api.service.sign_in import Authenticator
from api.storage.port import Repository, ReviewStore
from triage.adapters.audit import audit_logger
from triage.calls import CallEngine
from triage.clock import Clock
from triage.matching.port import ClientIndex


@dataclass(frozen=True)
class FrontDoor:
    """Calls, contact records, links, pathways (their live versions, and comparing two),
    sign-in and notices, over one repository."""

    repository: Repository
    library: PathwayLibrary
    engine: CallEngine
    calls: Calls
    contacts: Contacts
    links: Links
    auth: Authenticator
    notices: Notices
    changes: PathwayChanges
    live: LiveVersions
    # The review queue and audits (issue 14): on a repository that keeps them.
    reviews: Reviews | None = None
    audits: Audits | None = None

    @classmethod
    def over(cls, repository: Repository, library: PathwayLibrary,
             clients: ClientIndex | None, sender: LinkSender,
             auth: Authenticator | None = None, clock: Clock | None = None,
             audit_form: Path | None = None) -> FrontDoor:
        """The service layer on ``repository``, guiding calls through ``library``'s
        pathways and searching ``clients`` (None: no client index), on ``clock`` (the
        system's when None); a confirmed person's earlier contacts are the contact records
        in ``repository``."""
        engine = CallEngine(library.catalogue, clients, events=audit_logger(), clock=clock,
                            history=StoredContactHistory(repository))
        access = CallAccess(repository)
        store = repository if isinstance(repository, ReviewStore) else None
        contacts = Contacts(repository, engine, access)
        form = audit_form or Path(__file__).resolve().parents[2] / "audits" / "form.yaml"
        return cls(repository=repository, library=library, engine=engine,
                   calls=Calls(repository, engine, access, refusals=store),
                   contacts=contacts,
                   links=Links(repository, engine, access, sender),
                   auth=auth or Authenticator(repository), notices=Notices(repository),
                   changes=PathwayChanges(library),
                   live=LiveVersions(repository, library),
                   reviews=Reviews(store, library, contacts) if store else None,
                   audits=Audits(store, library, contacts, form) if store else None)
