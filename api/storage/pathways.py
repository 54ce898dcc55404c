"""The files each pathway version in use was compiled from, kept so that a call can finish
on its version after a restart even when the files on disk have moved on."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import sqlalchemy as sa

from api.storage.database import SqlTables, first_line
from api.storage.port import utc_now
from api.storage.schema import pathway_sources
from triage.errors import StorageRefused


class SqlPathwaySources(SqlTables):
    """Kept pathway sources (the pathway part of the repository port)."""

    def keep_pathway_versions(self, versions: Sequence[tuple[str, int]],
                              files: Mapping[str, str]) -> None:
        """Keep the files these pathway versions were compiled from, all in one transaction:
        every version is kept, or (StorageRefused, with the database's reason) none is. A
        version kept already keeps its first copy.
        """
        text = json.dumps(files, sort_keys=True)
        for attempt in range(2):
            try:
                with self.transaction() as c:
                    for pathway_id, version in sorted(versions):
                        exists = c.execute(sa.select(pathway_sources.c.version).where(
                            pathway_sources.c.pathway_id == pathway_id,
                            pathway_sources.c.version == version)).first()
                        if exists is None:
                            c.execute(pathway_sources.insert().values(
                                pathway_id=pathway_id, version=version, files=text,
                                stored_at=utc_now()))
                return
            except sa.exc.IntegrityError as exc:
                # Another instance may have kept one of them at the same moment: once more,
                # and its copies are then found and kept. A second failure is no race.
                if attempt:
                    raise StorageRefused(reason=first_line(exc)) from exc
            except sa.exc.SQLAlchemyError as exc:
                raise StorageRefused(reason=first_line(exc)) from exc

    def pathway_sources(self) -> list[tuple[str, int, str]]:
        """Every kept pathway version: (id, version, files as JSON)."""
        with self.engine.connect() as c:
            rows = c.execute(sa.select(pathway_sources.c.pathway_id, pathway_sources.c.version,
                                       pathway_sources.c.files)).all()
        return [(r.pathway_id, int(r.version), str(r.files)) for r in rows]
