"""The baseline for ``api_bench.py``: a bare FastAPI endpoint doing one durable SQLite insert.

Same framework, server, threadpool and SQLite settings as the service (WAL,
``synchronous=FULL``, one transaction per request), but no sign-in, no engine and no
saved call: what one committed write costs here before any of the service's own work.

    TRIAGE_BARE_DB=/tmp/bare.sqlite3 python -m uvicorn --app-dir benchmarks api_bare:app
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from typing import Any

from fastapi import FastAPI

PATH = os.environ.get("TRIAGE_BARE_DB", "bare.sqlite3")
_local = threading.local()


def connection() -> sqlite3.Connection:
    """One connection per worker thread, set up like the service's."""
    db: sqlite3.Connection | None = getattr(_local, "db", None)
    if db is None:
        db = sqlite3.connect(PATH, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("CREATE TABLE IF NOT EXISTS answers (id INTEGER PRIMARY KEY, at REAL, "
                   "body TEXT)")
        _local.db = db
    return db


app = FastAPI()


@app.post("/bare")
def bare(body: dict[str, Any]) -> dict[str, Any]:
    """Insert the body as one row and commit."""
    db = connection()
    db.execute("BEGIN IMMEDIATE")
    cursor = db.execute("INSERT INTO answers (at, body) VALUES (?, ?)",
                        (time.time(), json.dumps(body)))
    db.execute("COMMIT")
    return {"id": cursor.lastrowid}


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
