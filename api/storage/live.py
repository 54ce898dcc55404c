"""The live pointer: which stored version of each pathway new calls start on, moved by
publishing, rolling back and the first start's set-up, with every move kept."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from api.storage.database import SqlTables, as_utc, first_line
from api.storage.port import SET_UP, LiveAction, LiveEntry, utc_now
from api.storage.schema import live_now, live_versions
from triage.errors import LiveConflict, StorageRefused

_CURRENT = sa.select(live_versions).join(
    live_now, live_now.c.entry_id == live_versions.c.entry_id)


def _entry(row: Any) -> LiveEntry:
    published_at = as_utc(row.published_at)
    assert published_at is not None
    return LiveEntry(entry_id=int(row.entry_id), pathway_id=str(row.pathway_id),
                     version=int(row.version), action=str(row.action),
                     previous_version=(None if row.previous_version is None
                                       else int(row.previous_version)),
                     published_by=str(row.published_by), published_at=published_at,
                     reason=str(row.reason), replay_report=row.replay_report)


class SqlLiveVersions(SqlTables):
    """The live pointer and its history (the live part of the repository port)."""

    def live_now(self) -> dict[str, LiveEntry]:
        """The live version of each pathway that has one."""
        with self.engine.connect() as c:
            return {e.pathway_id: e for e in map(_entry, c.execute(_CURRENT).all())}

    def set_up_live(self, versions: Mapping[str, int], reason: str) -> list[LiveEntry]:
        """Set-up for each pathway with no live version, one transaction per pathway (one
        that another instance set up at the same moment keeps that instance's version)."""
        made = []
        for pathway_id, version in sorted(versions.items()):
            try:
                made.append(self.move_live(pathway_id, version, expected=None,
                                           action=LiveAction.SETUP, published_by=SET_UP,
                                           reason=reason))
            except LiveConflict:
                continue
        return made

    def move_live(self, pathway_id: str, version: int, *, expected: int | None,
                  action: LiveAction, published_by: str, reason: str,
                  replay_report: str | None = None) -> LiveEntry:
        """Make ``version`` live if ``expected`` still is; LiveConflict if not."""
        try:
            with self.engine.connect() as c, c.begin() as transaction:
                # The history row first: its insert takes SQLite's write lock, and on
                # PostgreSQL the update below waits for a rival's commit, then finds the
                # live version moved and changes nothing.
                entry_id = c.execute(live_versions.insert().values(
                    pathway_id=pathway_id, version=version, action=action.value,
                    previous_version=expected, published_by=published_by,
                    published_at=utc_now(), reason=reason, replay_report=replay_report,
                ).returning(live_versions.c.entry_id)).scalar_one()
                if self._moved(c, pathway_id, version, expected, entry_id):
                    row = c.execute(sa.select(live_versions).where(
                        live_versions.c.entry_id == entry_id)).one()
                    return _entry(row)
                transaction.rollback()  # the history entry goes with it
        except sa.exc.IntegrityError:
            pass  # another instance made the first live row at the same moment
        except sa.exc.SQLAlchemyError as exc:
            raise StorageRefused(reason=first_line(exc)) from exc
        raise self._conflict(pathway_id, expected)

    @staticmethod
    def _moved(c: Connection, pathway_id: str, version: int, expected: int | None,
               entry_id: int) -> bool:
        """Point ``live_now`` at the new entry if ``expected`` is still live."""
        if expected is None:
            if c.execute(sa.select(live_now.c.pathway_id).where(
                    live_now.c.pathway_id == pathway_id)).first() is not None:
                return False
            c.execute(live_now.insert().values(pathway_id=pathway_id, version=version,
                                               entry_id=entry_id, row_version=1))
            return True
        moved = c.execute(live_now.update().where(
            live_now.c.pathway_id == pathway_id, live_now.c.version == expected,
        ).values(version=version, entry_id=entry_id, row_version=live_now.c.row_version + 1))
        return moved.rowcount == 1

    def _conflict(self, pathway_id: str, expected: int | None) -> LiveConflict:
        with self.engine.connect() as c:
            current = self._current(c, pathway_id)
        return LiveConflict(pathway_id=pathway_id, expected=expected,
                            live_version=current.version if current else None,
                            published_by=current.published_by if current else None,
                            published_at=current.published_at if current else None)

    @staticmethod
    def _current(c: Connection, pathway_id: str) -> LiveEntry | None:
        row = c.execute(_CURRENT.where(live_now.c.pathway_id == pathway_id)).first()
        return None if row is None else _entry(row)

    def live_history(self, pathway_id: str) -> list[LiveEntry]:
        """Every move of a pathway's live pointer, the newest first."""
        with self.engine.connect() as c:
            rows = c.execute(sa.select(live_versions).where(
                live_versions.c.pathway_id == pathway_id).order_by(
                live_versions.c.entry_id.desc())).all()
        return [_entry(r) for r in rows]

