"""The repository port kept in SQLite or PostgreSQL with SQLAlchemy Core: one class made of
the parts, each of which keeps one kind of thing."""

from __future__ import annotations

from api.storage.calls import SqlCalls
from api.storage.contacts import SqlContacts
from api.storage.live import SqlLiveVersions
from api.storage.messages import SqlMessages
from api.storage.pathways import SqlPathwaySources
from api.storage.port import Repository, ReviewStore
from api.storage.reviews import SqlReviews
from api.storage.sign_ins import SqlSignIns
from api.storage.users import SqlUsers


class SqlRepository(SqlCalls, SqlContacts, SqlMessages, SqlPathwaySources, SqlUsers,
                    SqlSignIns, SqlLiveVersions, SqlReviews, Repository, ReviewStore):
    """Calls, contact records, sent links, users and sessions, sign-in attempts, pathway
    sources, the live pointer, and the review queue and audits in one database
    (``SqlRepository(make_engine(url))``, after ``migrate(url)``)."""
