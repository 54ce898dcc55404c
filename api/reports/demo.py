"""Demo figures: with ``TRIAGE_DEMO=1``, an empty store is given a small synthetic year
of contacts from the contact generator (:mod:`triage_qa.contacts`, the same calls as
``triage contacts generate``), so the reports have something to show on the first run.

The calls are made by driving the real engine, about a thousand a minute on one core, so
they are loaded in the background: the service answers at once and the reports fill up
over the first minute or so. A store that already holds contacts is left alone, so this
happens once. ``TRIAGE_DEMO_CONTACTS`` says how many (0 for none).
"""

from __future__ import annotations

import datetime as dt
import io
import threading

import sqlalchemy as sa

from api.storage.schema import contacts
from triage.adapters.audit import audit_logger
from triage.cli.contacts import DAYS, generate
from triage.routing.catalogue import Catalogue

DEMO_SEED = 13


def store_is_empty(engine: sa.Engine) -> bool:
    """Whether the store holds no contact records at all."""
    with engine.connect() as conn:
        return conn.execute(sa.select(contacts.c.contact_id).limit(1)).first() is None


def load_demo_contacts(catalogue: Catalogue, url: str, engine: sa.Engine, count: int,
                       now: dt.datetime, *, background: bool = True) -> threading.Thread | None:
    """Generate ``count`` contacts over the year before ``now`` into the store at ``url``
    if it holds none (in a background thread unless ``background`` is False); the thread,
    or None when nothing was to be done."""
    if count <= 0 or "front-door" not in catalogue.ids() or not store_is_empty(engine):
        return None
    start = (now - dt.timedelta(days=DAYS)).replace(hour=9, minute=0, second=0,
                                                    microsecond=0)
    log = audit_logger()

    def run() -> None:
        try:
            written, calls, seconds = generate(catalogue, url, count, DEMO_SEED, start, 1,
                                               io.StringIO())
        except Exception as exc:  # a demo nicety: the service goes on without it
            log.error("demo_contacts_failed", error=type(exc).__name__)
            return
        log.info("demo_contacts_loaded", contacts=written, calls=calls,
                 seconds=round(seconds, 1))

    if not background:
        run()
        return None
    thread = threading.Thread(target=run, name="demo-contacts", daemon=True)
    thread.start()
    return thread
