"""The README's test command works on a fresh machine by itself: ``make test`` first gets
the machine ready (tools/test-machine starts PostgreSQL and installs Chromium, or says
exactly what to run), and CI runs that same command and nothing else."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from tests.conftest import ROOT

MACHINE = ROOT / "tools" / "test-machine"


def machine(env: dict[str, str], path_first: Path | None = None
            ) -> subprocess.CompletedProcess[str]:
    """Run tools/test-machine, with ``path_first`` (stand-in commands) ahead on PATH."""
    full = {**os.environ, **env}
    if path_first is not None:
        full["PATH"] = f"{path_first}:{full['PATH']}"
    return subprocess.run([str(MACHINE)], capture_output=True, text=True, env=full,
                          timeout=300, cwd=ROOT)


def stand_ins(folder: Path, **scripts: str) -> Path:
    """Executable stand-ins for system commands (``id``, ``sudo``, ...) in ``folder``."""
    folder.mkdir()
    for name, body in scripts.items():
        path = folder / name
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(0o755)
    return folder


def test_make_test_gets_the_machine_ready_before_anything_else() -> None:
    # Without the variables of a make that may be running these tests (make test does).
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    planned = subprocess.run(["make", "--no-print-directory", "-n", "test"], env=env,
                             capture_output=True, text=True, cwd=ROOT, timeout=60,
                             check=True).stdout.splitlines()
    assert planned[0] == "tools/test-machine"
    assert any(line.endswith("pytest --cucumberjson=reports/cucumber.json") for line in planned)


def test_ci_runs_the_readme_test_command_and_nothing_else() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line for line in script.splitlines()
                if line.strip() and not line.startswith("#")
                and not line.startswith(("set ", "cd "))]
    assert commands == ["make test"]
    assert re.search(r"^make test\b", (ROOT / "README.md").read_text(encoding="utf-8"),
                     re.MULTILINE)


def test_on_a_ready_machine_it_says_so_and_changes_nothing() -> None:
    result = machine({})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Ready: PostgreSQL at 127.0.0.1:5432 (database test), Chromium at" in result.stdout


def test_a_chromium_that_is_not_there_is_named_with_what_to_do(tmp_path: Path) -> None:
    missing = tmp_path / "chromium"
    result = machine({"TRIAGE_CHROMIUM": str(missing)})
    assert result.returncode == 1
    assert (f"There is no Chromium at {missing} (TRIAGE_CHROMIUM). Point TRIAGE_CHROMIUM at "
            "a Chromium you have, or unset it") in result.stderr
    assert "not ready for the tests yet" in result.stderr


def test_a_postgresql_server_that_is_not_there_is_named_with_what_to_do() -> None:
    result = machine({"TRIAGE_TEST_POSTGRES_URL": "postgresql://postgres@127.0.0.1:1/test"})
    assert result.returncode == 1
    assert ("PostgreSQL does not answer at 127.0.0.1:1 and no local cluster is set up on "
            "port 1. Install it (sudo apt-get install -y postgresql)") in result.stderr


def test_without_root_a_stopped_cluster_is_left_alone_and_the_command_to_start_it_given(
        tmp_path: Path) -> None:
    fakes = stand_ins(tmp_path / "bin",
                      id="echo 1000",                       # not root ...
                      sudo="exit 1",                        # ... and no sudo
                      pg_isready="exit 2",                  # nothing answers ...
                      pg_lsclusters="echo '15 main 5432 down postgres /var/lib/x /var/log/x'",
                      pg_ctlcluster=f"touch {tmp_path}/started; exit 0")
    result = machine({}, path_first=fakes)
    assert result.returncode == 1
    assert ("PostgreSQL 15/main on port 5432 is stopped, and starting it needs root. Run: "
            "sudo pg_ctlcluster --skip-systemctl-redirect 15 main start") in result.stderr
    assert not (tmp_path / "started").exists()


def test_as_root_a_stopped_cluster_is_started(tmp_path: Path) -> None:
    started = tmp_path / "started"
    fakes = stand_ins(tmp_path / "bin",
                      id="echo 0",
                      pg_isready=f"test -e {started}",
                      pg_lsclusters="echo '15 main 5432 down postgres /var/lib/x /var/log/x'",
                      pg_ctlcluster=f'echo "$@" > {started}')
    result = machine({}, path_first=fakes)
    assert result.returncode == 0, result.stdout + result.stderr
    assert started.read_text() == "--skip-systemctl-redirect 15 main start\n"
    assert "PostgreSQL 15/main was stopped; started it." in result.stdout
