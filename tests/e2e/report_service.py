"""The service, serving the hand-made reports of :mod:`tests.api.report_fixtures`, for the
browser tests of the report pages: ``python -m tests.e2e.report_service`` (settings from
the same ``TRIAGE_*`` variables as ``python -m api``).

Everything but the report source is the real service: sign-in, roles, the screen, the
audit log and the database. The hand-made reports have numbers known in advance, so the
tests can say what a manager sees."""

from __future__ import annotations

import datetime as dt
import os

from api.bootstrap import build_app
from api.server import serve
from tests.api.report_fixtures import FixedReports

AS_OF = dt.datetime(2026, 12, 2, 9, 42, tzinfo=dt.UTC)


def main() -> None:
    """Start the service with the hand-made reports."""
    app = build_app()
    app.state.reports = FixedReports(as_of=AS_OF)
    serve(app, os.environ.get("TRIAGE_HOST", "127.0.0.1"),
          int(os.environ.get("TRIAGE_PORT", "8000")))


if __name__ == "__main__":
    main()
