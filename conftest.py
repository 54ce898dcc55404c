"""Loads the generic Gherkin step library for every feature file under features/."""

from __future__ import annotations

import io

from triage.adapters.audit import configure_logging

pytest_plugins = ["triage_qa.bdd"]

# Audit lines are JSON, as in production; tests that read them configure their own sink.
configure_logging(io.StringIO(), cache=False)
