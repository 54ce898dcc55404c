"""The ``triage`` command run as a real process. The runs keep their files in a folder of
their own (``TRIAGE_HOME``, ``TRIAGE_CLIENTS_AUDIT``), so the demo index they build and
the search audit trail they write never land in the project's ``var/``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.fixture(autouse=True)
def _own_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """One home folder for every run in the session (the demo index is built once in it)."""
    home = tmp_path_factory.getbasetemp() / "integration-home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("TRIAGE_HOME", str(home))
    monkeypatch.setenv("TRIAGE_CLIENTS_AUDIT", str(home / "client-searches.jsonl"))
    for name in ("TRIAGE_CLIENTS_DB", "TRIAGE_AUDIT_LOG", "TRIAGE_CLIENTS_PG_SCHEMA"):
        monkeypatch.delenv(name, raising=False)
    return home


def run_triage(*args: str, stdin: str = "", cwd: Path = ROOT,
               env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``triage ARGS`` in a child process, with ``env`` added to this one's environment."""
    return subprocess.run([sys.executable, "-m", "triage.cli", *args], input=stdin,
                          capture_output=True, text=True, cwd=cwd, timeout=120,
                          env={**os.environ, **(env or {})})
