"""Every sub-command of ``triage``, run as a real process with broken inputs and a broken
environment, ends with a sentence saying what is wrong and a non-zero exit, never a Python
traceback: missing and unreadable files and folders, an unwritable audit log, a client
index that is not a database or fails in the middle of a call, bad arguments, end of input
and Ctrl-C.

The tests run as root in CI, and root may read any file; so each child process drops
that right first (the capability bounding set), and a file made unreadable is unreadable
to it, as it would be to a handler.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

from tests.conftest import ROOT
from triage.cli.main import build_parser

POSTGRES_URL = os.environ.get("TRIAGE_TEST_POSTGRES_URL",
                              "postgresql://postgres@127.0.0.1:5432/test")
NOWHERE_PG = "postgresql://postgres@127.0.0.1:1/test"
EXPORT = "data/demo-clients.csv"
MAPPING = "data/demo-mapping.yaml"
SEARCH = ("clients", "search", "--family", "Smith", "--dob", "1950")
PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2


def _as_an_ordinary_user() -> None:
    """In the child, before it starts: give up root's right to read and write any file."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0)  # refused (harmlessly) if not root


def start(args: tuple[str, ...], env: dict[str, str], *, stdout: int | None = None
          ) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "triage.cli", *args], cwd=ROOT, text=True,
        env={**os.environ, **env}, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE if stdout is None else stdout, stderr=subprocess.PIPE,
        preexec_fn=_as_an_ordinary_user)


def says_what_is_wrong(out: str, err: str, returncode: int, expected: str) -> None:
    """The user's view: no traceback, a non-zero exit, and a sentence with ``expected``."""
    text = out + err
    assert "Traceback" not in text and "Exception ignored" not in text, text
    assert returncode != 0, text
    lines = [re.sub(r"^(triage[\w ]*: |! )", "", line.strip()) for line in text.splitlines()]
    sentences = [line for line in lines
                 if re.match(r"^[A-Z0-9'-]", line) and len(line.split()) >= 4]
    assert any(expected in line for line in sentences), (
        f"No sentence says {expected!r}; the output was:\n{text}")


@dataclass(frozen=True)
class Case:
    """One command with one thing broken, and what the user must be told."""

    command: str
    args: tuple[str, ...]
    expected: str
    env: dict[str, str] = field(default_factory=dict)
    stdin: str = ""
    to_full_disk: bool = False

    @property
    def id(self) -> str:
        return " ".join((*(f"{k}={v}" for k, v in self.env.items()), *self.args))


CASES = [
    # validate
    Case("validate", ("validate", "{tmp}/missing"), "1 problem(s) in 1 file(s)"),
    Case("validate", ("validate", "{tmp}/unreadable.yaml"), "1 problem(s) in 1 file(s)"),
    Case("validate", ("validate", "{tmp}/closed"), "1 problem(s) in 1 file(s)"),
    Case("validate", ("validate", "{tmp}/binary.yaml"), "1 problem(s) in 1 file(s)"),
    Case("validate", ("validate",), "Cannot write the audit log '{tmp}/afile/audit.log'",
         env={"TRIAGE_AUDIT_LOG": "{tmp}/afile/audit.log"}),
    Case("validate", ("validate",), "Cannot write the audit log '{tmp}/empty'",
         env={"TRIAGE_AUDIT_LOG": "{tmp}/empty"}),
    Case("validate", ("validate",), "Permission denied. Set TRIAGE_AUDIT_LOG to a file",
         env={"TRIAGE_AUDIT_LOG": "{tmp}/readonly/audit.log"}),
    Case("validate", ("validate", "--strict"), "Unrecognized arguments: --strict"),
    Case("validate", ("validate", "--against", "{tmp}/missing"),
         "The live version (--against) has 1 problem(s)"),
    Case("validate", ("validate", "--against", "scripts"),
         "The folder scripts holds none of the candidate's pathways"),
    # diff
    Case("diff", ("diff", "front-door", "{tmp}/missing", "{tmp}/shipped"),
         "The old version has 1 problem(s)"),
    Case("diff", ("diff", "front-door", "{tmp}/shipped", "{tmp}/closed"),
         "Cannot use '{tmp}/closed/pathways': Permission denied"),
    Case("diff", ("diff", "front-door", "{tmp}/shipped", "{tmp}/empty"),
         "The new files hold no pathway 'front-door'"),
    Case("diff", ("diff", "front-dor", "{tmp}/shipped", "{tmp}/shipped"),
         "The old files hold no pathway 'front-dor'"),
    Case("diff", ("diff", "front-door"), "The following arguments are required: OLD, NEW"),
    # diagram and paths
    Case("diagram", ("diagram", "front-door", "--paths", "scripts"),
         "There are no pathways in scripts"),
    Case("diagram", ("diagram", "front-dor"), "Unknown pathway 'front-dor'"),
    Case("diagram", ("diagram",), "The following arguments are required: pathway"),
    Case("paths", ("paths", "front-door", "--paths", "scripts"),
         "There are no pathways in scripts"),
    Case("paths", ("paths", "front-door", "--paths", "{tmp}/closed"),
         "The pathways have 1 problem(s); run 'triage validate'"),
    Case("paths", ("paths", "front-door"), "Cannot write the audit log '{tmp}/afile/x.log'",
         env={"TRIAGE_AUDIT_LOG": "{tmp}/afile/x.log"}),
    # matrix: an unknown fact, a fact with too many values, no --by
    Case("matrix", ("matrix", "front-door", "--by", "caller_type,postcode"),
         "'postcode' is not a fact of pathway 'front-door'; facts that can be tabulated are:"),
    Case("matrix", ("matrix", "front-door", "--by", "caller_name"),
         "'caller_name' cannot be tabulated: it is not a choice, so its values cannot be "
         "listed"),
    Case("matrix", ("matrix", "front-door"), "The following arguments are required: --by"),
    Case("matrix", ("matrix", "front-dor", "--by", "reason"), "Unknown pathway 'front-dor'"),
    # release-note
    Case("release-note", ("release-note", "front-door", "{tmp}/missing", "{tmp}/shipped"),
         "The old version has 1 problem(s)"),
    Case("release-note", ("release-note", "front-dor", "{tmp}/shipped", "{tmp}/shipped"),
         "The old files hold no pathway 'front-dor'"),
    # hazards
    Case("hazards", ("hazards", "--paths", "scripts"), "There is no hazard log in scripts"),
    Case("hazards", ("hazards", "--paths", "{tmp}/closed"),
         "The files have 1 problem(s); run 'triage validate'"),
    Case("hazards", ("hazards",), "Cannot write the output: No space left on device",
         to_full_disk=True),
    # schema
    Case("schema", ("schema",), "Cannot write the output: No space left on device",
         to_full_disk=True),
    Case("schema", ("schema", "extra"), "Unrecognized arguments: extra"),
    # call: before the call starts
    Case("call", ("call", "front-dor"), "Unknown pathway 'front-dor'"),
    Case("call", ("call", "front-door", "--paths", "scripts"),
         "There are no pathways in scripts"),
    Case("call", ("call", "front-door", "--paths", "{tmp}/missing"),
         "The pathways have 1 problem(s)"),
    Case("call", ("call", "front-door", "--fact", "caller_type"),
         "--fact takes NAME=VALUE"),
    Case("call", ("call", "front-door", "--fact", "caller_type=martian"),
         "Cannot start the call: fact 'caller_type': 'martian' is not one of the answers"),
    Case("call", ("call", "front-door", "--clients", "{tmp}/notdb.sqlite3"),
         "file is not a database"),
    Case("call", ("call", "front-door", "--clients", "{tmp}/missing.sqlite3"),
         "There is no client index at '{tmp}/missing.sqlite3'"),
    Case("call", ("call", "front-door", "--clients", "{tmp}/unreadable.sqlite3"),
         "Cannot open the client index at '{tmp}/unreadable.sqlite3'"),
    Case("call", ("call", "front-door", "--clients", "{tmp}/empty"),
         "Cannot open the client index at '{tmp}/empty'"),
    Case("call", ("call", "front-door", "--clients", NOWHERE_PG),
         "Cannot connect to the PostgreSQL client index"),
    Case("call", ("call", "front-door"), "Cannot build the demo client index in "
         "'{tmp}/readonly'", env={"TRIAGE_HOME": "{tmp}/readonly"}),
    Case("call", ("call", "front-door"), "Cannot make the folder '{tmp}/afile'",
         env={"TRIAGE_HOME": "{tmp}/afile"}),
    Case("call", ("call", "front-door"), "Cannot write the audit log '/dev/full'",
         env={"TRIAGE_AUDIT_LOG": "/dev/full"}),
    Case("call", ("call", "front-door", "--handler"), "Argument --handler: expected one"),
    # call: end of input at each kind of prompt
    Case("call", ("call", "front-door"), "Call stopped before an outcome"),
    Case("call", ("call", "front-door"), "Call stopped before an outcome",
         stdin="self\nno\nno\nno\nsearch\n\nCleo\n"),
    Case("call", ("call", "front-door"), "Call stopped before an outcome",
         stdin="self\nno\nchange caller_type\n"),
    # clients
    Case("clients", ("clients",),
         "Give a clients command: import, generate, rebuild, train or search"),
    Case("clients", ("clients", "export"), "Argument COMMAND: invalid choice: 'export'"),
    Case("clients import", ("clients", "import", "{tmp}/missing.csv", "--mapping", MAPPING,
                            "--db", "{tmp}/new.sqlite3"),
         "missing.csv was rejected with 1 problem; the client index is unchanged"),
    Case("clients import", ("clients", "import", "{tmp}/unreadable.csv", "--mapping",
                            MAPPING, "--db", "{tmp}/new.sqlite3"),
         "unreadable.csv was rejected with 1 problem; the client index is unchanged"),
    Case("clients import", ("clients", "import", "{tmp}/empty", "--mapping", MAPPING,
                            "--db", "{tmp}/new.sqlite3"),
         "empty was rejected with 1 problem; the client index is unchanged"),
    Case("clients import", ("clients", "import", EXPORT, "--mapping", "{tmp}/unreadable.yaml",
                            "--db", "{tmp}/new.sqlite3"), "Cannot read the mapping file"),
    Case("clients import", ("clients", "import", EXPORT, "--mapping", "{tmp}/binary.yaml",
                            "--db", "{tmp}/new.sqlite3"), "Cannot read the mapping file"),
    Case("clients import", ("clients", "import", "{tmp}/bad.csv", "--mapping", MAPPING,
                            "--db", "{tmp}/new.sqlite3"), "the client index is unchanged"),
    Case("clients import", ("clients", "import", EXPORT, "--mapping", MAPPING, "--db",
                            "{tmp}/notdb.sqlite3"), "file is not a database"),
    Case("clients import", ("clients", "import", EXPORT, "--mapping", MAPPING, "--db",
                            "{tmp}/afile/x.sqlite3"), "Cannot open the client index"),
    Case("clients import", ("clients", "import", EXPORT, "--mapping", MAPPING, "--db",
                            "{tmp}/readonly/x.sqlite3"), "Cannot open the client index"),
    Case("clients import", ("clients", "import", EXPORT),
         "The following arguments are required: --mapping"),
    Case("clients import", ("clients", "import", EXPORT, "--mapping", MAPPING, "--quarantine",
                            "{tmp}/no-such-folder/aside.csv", "--db", "{tmp}/new.sqlite3"),
         "cannot be written (No such file or directory); nothing was imported"),
    Case("clients rebuild", ("clients", "rebuild", "--db", "{tmp}/none.sqlite3"),
         "There is no client index at"),
    Case("clients train", ("clients", "train", "--db", "{tmp}/none.sqlite3"),
         "There is no client index at"),
    Case("clients generate", ("clients", "generate", "--people", "0"),
         "Cannot generate 0 people"),
    Case("clients generate", ("clients", "generate", "--people", "lots"),
         "Argument --people: invalid int value: 'lots'"),
    Case("clients generate", ("clients", "generate", "--people", "5", "--csv",
                              "{tmp}/afile/people.csv"), "Cannot write the synthetic people"),
    Case("clients generate", ("clients", "generate", "--people", "5", "--csv",
                              "{tmp}/readonly/people.csv"), "Cannot write the synthetic people"),
    Case("clients generate", ("clients", "generate", "--people", "5", "--db",
                              "{tmp}/notdb.sqlite3"), "file is not a database"),
    Case("clients search", (*SEARCH, "--db", "{tmp}/notdb.sqlite3"), "file is not a database"),
    Case("clients search", (*SEARCH, "--db", "{tmp}/missing.sqlite3"),
         "There is no client index at '{tmp}/missing.sqlite3'"),
    Case("clients search", (*SEARCH, "--db", "{tmp}/unreadable.sqlite3"),
         "Cannot open the client index"),
    Case("clients search", (*SEARCH, "--db", "{tmp}/index.sqlite3"),
         "Cannot write the search audit trail",
         env={"TRIAGE_CLIENTS_AUDIT": "{tmp}/afile/searches.jsonl"}),
    Case("clients search", (*SEARCH, "--db", "{tmp}/index.sqlite3"),
         "Cannot write the search audit trail",
         env={"TRIAGE_CLIENTS_AUDIT": "{tmp}/readonly/searches.jsonl"}),
    Case("clients search", (*SEARCH, "--db", "{tmp}/index.sqlite3", "--limit", "0"),
         "The search limit 0 is out of range"),
    Case("clients search", ("clients", "search", "--db", "{tmp}/index.sqlite3"),
         "Not searched. Not enough details to search"),
    Case("clients search", (*SEARCH, "--db", NOWHERE_PG),
         "Cannot connect to the PostgreSQL client index"),
    Case("clients search", (*SEARCH, "--db", POSTGRES_URL), "The schema name 'Bad-Name' is "
         "not allowed", env={"TRIAGE_CLIENTS_PG_SCHEMA": "Bad-Name"}),
    Case("clients search", (*SEARCH, "--db", "{tmp}/index.sqlite3"),
         "Cannot write the audit log '{tmp}/empty'", env={"TRIAGE_AUDIT_LOG": "{tmp}/empty"}),
    # contacts
    Case("audit", ("audit",), "Give a command, such as 'triage audit sample --month 2026-11'"),
    Case("audit sample", ("audit", "sample"), "The following arguments are required: --month"),
    Case("audit sample", ("audit", "sample", "--month", "2026-13"),
         "'2026-13' is not a month; give it as YYYY-MM"),
    Case("publish", ("publish",),
         "The following arguments are required: pathway, version, --reason"),
    Case("publish", ("publish", "front-door", "x", "--reason", "r"),
         "Argument version: invalid int value: 'x'"),
    Case("rollback", ("rollback", "front-door"),
         "The following arguments are required: version, --reason"),
    Case("live", ("live",), "The following arguments are required: pathway"),
    Case("contacts", ("contacts",),
         "Give a command, such as 'triage contacts generate --contacts 1000'"),
    Case("contacts generate", ("contacts", "generate"),
         "The following arguments are required: --contacts"),
    Case("contacts generate", ("contacts", "generate", "--contacts", "0"),
         "--contacts takes a number from 1 to 5,000,000"),
    Case("contacts generate", ("contacts", "generate", "--contacts", "lots"),
         "Argument --contacts: invalid int value: 'lots'"),
    Case("contacts generate", ("contacts", "generate", "--contacts", "5", "--start", "soon"),
         "--start takes a date such as 2026-01-05"),
    Case("contacts generate", ("contacts", "generate", "--contacts", "5", "--database",
                               "sqlite:///{tmp}/notdb.sqlite3"), "Cannot use the store"),
    Case("contacts generate", ("contacts", "generate", "--contacts", "5", "--database",
                               NOWHERE_PG), "Cannot use the store (PostgreSQL)"),
    # no command at all, or one that does not exist
    Case("", (), "Give a command, such as 'triage validate'"),
    Case("", ("check",), "Argument COMMAND: invalid choice: 'check'"),
]


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder of broken things: files that are not what they claim, files and folders
    nobody may read, a folder nobody may write, and one good client index."""
    tmp = tmp_path_factory.mktemp("broken")
    (tmp / "notdb.sqlite3").write_text("these are not the records you are looking for\n" * 50)
    (tmp / "afile").write_text("a file where a folder is expected\n")
    (tmp / "binary.yaml").write_bytes(bytes(range(256)) * 4)
    (tmp / "empty").mkdir()
    (tmp / "closed").mkdir()
    shutil.copy(ROOT / "pathways" / "facts.yaml", tmp / "closed" / "facts.yaml")
    (tmp / "readonly").mkdir()
    for folder in ("pathways", "scripts"):  # the shipped files, as one folder
        shutil.copytree(ROOT / folder, tmp / "shipped" / folder)
    shutil.copy(ROOT / EXPORT, tmp / "unreadable.csv")
    shutil.copy(ROOT / MAPPING, tmp / "unreadable.yaml")  # a mapping, or a pathway file
    lines = (ROOT / EXPORT).read_text(encoding="utf-8").splitlines()
    (tmp / "bad.csv").write_text("\n".join([lines[0], lines[1].replace("11/05/1963",
                                                                       "32/05/1963")]) + "\n")
    made = subprocess.run([sys.executable, "-m", "triage.cli", "clients", "import",
                           EXPORT, "--mapping", MAPPING, "--db", str(tmp / "index.sqlite3")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    shutil.copy(tmp / "index.sqlite3", tmp / "unreadable.sqlite3")
    locked = [tmp / "unreadable.csv", tmp / "unreadable.yaml", tmp / "unreadable.sqlite3",
              tmp / "closed"]
    for path in locked:
        path.chmod(0)
    (tmp / "readonly").chmod(0o555)
    yield tmp
    for path in [*locked, tmp / "readonly"]:
        path.chmod(0o755)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_a_broken_input_is_a_sentence_and_a_non_zero_exit_never_a_traceback(
        case: Case, broken: Path) -> None:
    def fill(text: str) -> str:
        return text.replace("{tmp}", str(broken))

    env = {k: fill(v) for k, v in case.env.items()}
    args = tuple(fill(a) for a in case.args)
    if case.to_full_disk:
        with open("/dev/full", "w") as full:
            process = start(args, env, stdout=full.fileno())
            out, err = process.communicate(case.stdin, timeout=120)
        out = out or ""
    else:
        process = start(args, env)
        out, err = process.communicate(case.stdin, timeout=120)
    says_what_is_wrong(out, err, process.returncode, fill(case.expected))


def sub_commands(parser: argparse.ArgumentParser, prefix: str = "") -> set[str]:
    """Every command and sub-command the parser takes, such as ``clients import``."""
    found = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found |= {prefix + name, *sub_commands(sub, f"{prefix}{name} ")}
    return found


def test_every_sub_command_is_tried_with_broken_input() -> None:
    assert {"", *sub_commands(build_parser())} == {case.command for case in CASES}


# --- things that go wrong in the middle of a call ------------------------------------------

def read_until(process: subprocess.Popen[str], prompt: str) -> str:
    """What the process has printed, up to and including ``prompt``."""
    assert process.stdout is not None
    seen = ""
    deadline = time.monotonic() + 60
    while not seen.endswith(prompt):
        assert time.monotonic() < deadline, f"No {prompt!r} within 60 s:\n{seen}"
        char = process.stdout.read(1)
        assert char, f"The process ended before {prompt!r}:\n{seen}"
        seen += char
    return seen


def send(process: subprocess.Popen[str], keys: str) -> None:
    assert process.stdin is not None
    process.stdin.write(keys)
    process.stdin.flush()


def at_the_person_check(args: tuple[str, ...], env: dict[str, str] | None = None
                        ) -> subprocess.Popen[str]:
    process = start(("call", "front-door", *args), env or {})
    read_until(process, "> ")
    send(process, "self\nno\nno\nno\n")
    for _ in range(4):
        read_until(process, "> ")
    return process


def search_for_ada_and_quit(process: subprocess.Popen[str]) -> tuple[str, str]:
    send(process, "search\n9991000003\n\n\n\n\nSYN0000201\nquit\n")
    return process.communicate(timeout=120)


def test_a_client_index_damaged_during_a_call_is_explained_and_the_call_goes_on(
        tmp_path: Path) -> None:
    db = tmp_path / "clients.sqlite3"
    made = subprocess.run([sys.executable, "-m", "triage.cli", "clients", "import", EXPORT,
                           "--mapping", MAPPING, "--db", str(db)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    process = at_the_person_check(("--clients", str(db)))
    with db.open("r+b") as handle:
        handle.write(b"scribbled over by a failing disk " * 400)
    out, err = search_for_ada_and_quit(process)
    says_what_is_wrong(out, err, process.returncode,
                       f"The client index cannot be used just now: Searching the client "
                       f"index at '{db}' failed")
    assert "The call is unchanged: try again, or answer 'not_known' or 'possible_match'" in out
    assert "Call stopped before an outcome" in out  # the call carried on until 'quit'


def test_a_client_index_locked_by_another_program_is_explained(tmp_path: Path) -> None:
    db = tmp_path / "clients.sqlite3"
    made = subprocess.run([sys.executable, "-m", "triage.cli", "clients", "import", EXPORT,
                           "--mapping", MAPPING, "--db", str(db)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    other = sqlite3.connect(db, isolation_level=None)
    try:
        other.execute("PRAGMA locking_mode=EXCLUSIVE")
        other.execute("BEGIN EXCLUSIVE")
        process = start(("call", "front-door", "--clients", str(db)), {})
        out, err = process.communicate("self\n", timeout=120)
    finally:
        other.close()
    says_what_is_wrong(out, err, process.returncode,
                       f"Cannot open the client index at '{db}': database is locked")


@pytest.mark.postgres
def test_a_postgresql_index_that_goes_away_during_a_call_is_explained(tmp_path: Path) -> None:
    schema = f"clients_gone_{uuid.uuid4().hex[:10]}"
    env = {"TRIAGE_CLIENTS_PG_SCHEMA": schema}
    process: subprocess.Popen[str] | None = None
    try:
        made = start(("clients", "import", EXPORT, "--mapping", MAPPING, "--db",
                      POSTGRES_URL), env)
        out, err = made.communicate(timeout=120)
        assert made.returncode == 0, err
        process = at_the_person_check(("--clients", POSTGRES_URL), env)
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")
        out, err = search_for_ada_and_quit(process)
        says_what_is_wrong(out, err, process.returncode, "The client index cannot be used "
                           f"just now: Searching the client index in PostgreSQL schema "
                           f"'{schema}' failed")
    finally:
        if process is not None and process.poll() is None:
            process.kill()
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def test_ctrl_c_during_a_call_stops_it_with_a_sentence(tmp_path: Path) -> None:
    process = start(("call", "front-door"), {"TRIAGE_HOME": str(tmp_path)})
    read_until(process, "> ")
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    says_what_is_wrong(out, err, process.returncode, "Stopped by Ctrl-C; nothing more was done")
    assert process.returncode == 130


def test_ctrl_c_while_typing_search_details_stops_it_with_a_sentence(tmp_path: Path) -> None:
    process = at_the_person_check((), {"TRIAGE_HOME": str(tmp_path)})
    send(process, "search\n")
    read_until(process, "NHS number (Enter to skip): ")
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    says_what_is_wrong(out, err, process.returncode, "Stopped by Ctrl-C; nothing more was done")
