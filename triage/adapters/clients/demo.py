"""The demo client index: the synthetic people of ``data/demo-clients.csv``, imported once.

Everything that needs a client index and was not given one (``triage call``, the service,
the docs' examples, the tests) uses this index, so a person found in one place is found
in every other. :func:`demo_index_file` owns it: the first caller imports the export
through the real importer, with its column mapping (``data/demo-mapping.yaml``), into an
SQLite file under the home folder (``var/`` by default); later callers open that file.

The file's name carries a fingerprint of the export, the mapping and the code that
writes an index (reading rows, names, blocking keys), so a change to any of them is
imported afresh on the next use, and an unchanged index is never rebuilt. A new file is
built under a temporary name and linked into place, so two processes starting at once
never see half an index.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import uuid
from pathlib import Path

from triage import vocabulary
from triage.adapters.clients import importer, sqlite_index
from triage.adapters.clients.audit import SearchRecorder
from triage.adapters.clients.importer import import_csv, load_mapping, read_export
from triage.adapters.clients.sqlite_index import SqliteClientIndex
from triage.errors import StorageError
from triage.matching import keys, nicknames, normalise, profile, records
from triage.matching.records import PersonRecord

ROOT = Path(__file__).resolve().parents[3]
DEMO_EXPORT = ROOT / "data" / "demo-clients.csv"
DEMO_MAPPING = ROOT / "data" / "demo-mapping.yaml"
HOME_ENV = "TRIAGE_HOME"
_PREFIX = "demo-clients-"
# What decides the contents of an index file besides the export and the mapping.
_WRITERS = (importer, vocabulary, normalise, nicknames, profile, keys, records, sqlite_index)


def default_home() -> Path:
    """Where the demo index is kept: ``$TRIAGE_HOME``, else ``var/`` in the project."""
    return Path(os.environ.get(HOME_ENV) or ROOT / "var")


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise StorageError(f"Cannot read '{path}', which the demo client index is built "
                           f"from: {exc.strerror or exc}. Restore it from the project "
                           "(git checkout data/), or give a client index of your own "
                           "(--clients, or TRIAGE_CLIENTS_DB).") from exc


def fingerprint(export: Path = DEMO_EXPORT, mapping: Path = DEMO_MAPPING) -> str:
    """A short digest of the export, its mapping and the code that writes the index."""
    digest = hashlib.sha256()
    for path in (export, mapping):
        digest.update(_read(path))
    for module in _WRITERS:
        digest.update(_read(Path(str(module.__file__))))
    return digest.hexdigest()[:12]


def demo_index_file(home: Path | None = None, *, export: Path = DEMO_EXPORT,
                    mapping: Path = DEMO_MAPPING) -> Path:
    """The demo index for the current export and mapping, imported first if there is none.

    Raises :class:`StorageError` when the home folder cannot be written or the export
    cannot be read, and :class:`~triage.errors.ImportRejected` (every problem,
    with its row) when the export does not import; either way no index file is left.
    (``export`` and ``mapping`` are for tests; everything else uses the shipped files.)
    """
    home = home or default_home()
    target = home / f"{_PREFIX}{fingerprint(export, mapping)}.sqlite3"
    if target.exists():
        return target
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"Cannot make the folder '{home}' for the demo client index: "
                           f"{exc.strerror or exc}. Set {HOME_ENV} to a folder you can "
                           "write to.") from exc
    building = home / f".{target.name}.{uuid.uuid4().hex[:8]}.building"
    try:
        index = SqliteClientIndex(building)
        try:
            import_csv(index, export, mapping)
        finally:
            index.close()
        _put_in_place(building, target)
    except StorageError as exc:
        raise StorageError(f"Cannot build the demo client index in '{home}'. {exc} Set "
                           f"{HOME_ENV} to a folder you can write to.") from exc
    except OSError as exc:
        raise StorageError(f"Cannot write the demo client index in '{home}': "
                           f"{exc.strerror or exc}. Set {HOME_ENV} to a folder you can "
                           "write to.") from exc
    finally:
        for leftover in (building, *(building.with_name(building.name + end)
                                     for end in ("-wal", "-shm", "-journal"))):
            leftover.unlink(missing_ok=True)
    _remove_older(home, keep=target)
    return target


def _put_in_place(building: Path, target: Path) -> None:
    """Give the built file its name. A hard link never replaces a file: if another process
    finished first, its index (which may already be open) is kept and this one is dropped."""
    try:
        os.link(building, target)
    except FileExistsError:
        pass
    except OSError:  # a file system without hard links
        os.replace(building, target)


def _remove_older(home: Path, keep: Path) -> None:
    """Remove demo indexes built from an earlier export (best effort)."""
    for old in home.glob(f"{_PREFIX}*.sqlite3*"):
        if not old.name.startswith(keep.name):
            with contextlib.suppress(OSError):  # already gone, or not ours: no harm
                old.unlink()


def open_demo_index(home: Path | None = None, *, audit: SearchRecorder | None = None,
                    searcher: str = "unknown") -> SqliteClientIndex:
    """Open the demo client index (built on first use); see :func:`demo_index_file`."""
    return SqliteClientIndex(demo_index_file(home), audit=audit, searcher=searcher,
                             create=False)


def demo_people() -> list[PersonRecord]:
    """Everyone on the demo index, as the importer reads them from the export."""
    return read_export(DEMO_EXPORT, load_mapping(DEMO_MAPPING))
