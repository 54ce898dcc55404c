"""The triage command as designers and handlers run it, in a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def triage(*args: str, stdin: str = "", cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "triage.cli", *args], input=stdin,
                          capture_output=True, text=True, cwd=cwd, timeout=120)


def test_validate_passes_on_the_shipped_pathways() -> None:
    result = triage("validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("OK: 14 pathway(s)")
    assert "warning" not in result.stdout  # no words to read address the handler


def test_validate_lists_every_problem_with_file_line_and_column() -> None:
    fixtures = ROOT / "tests" / "fixtures" / "pathways"
    case = fixtures / "invalid" / "check-other-references-unknown-script-team-service-and-fact"
    result = triage("validate", str(case), *(str(p) for p in (fixtures / "base").glob("*.yaml")))
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert len(lines) >= 2
    assert all(":" in line and "mini.yaml:" in line for line in lines)
    assert "Traceback" not in result.stdout + result.stderr
    assert "problem(s) in 1 file(s)" in result.stderr


def test_validate_reports_a_missing_folder_without_a_traceback() -> None:
    result = triage("validate", "no-such-folder")
    assert result.returncode == 1
    assert "no-such-folder:1:1: no such file or folder" in result.stdout
    assert "Traceback" not in result.stderr


def test_a_handler_is_guided_through_a_call_in_the_terminal() -> None:
    keys = "\n".join(["gp_community_health", "no", "no", "no", "back", "no", "not_known",
                      "agrees", "professional_referral", "quit"]) + "\n"
    result = triage("call", "front-door", "--handler", "Sam", stdin=keys)
    out = result.stdout
    assert "Social Care Direct" in out and "My name is Sam" in out
    assert "RED FLAG" not in out  # words, not diagram labels
    assert out.count("[front-door / mental_health_crisis]") == 2  # shown again after 'back'
    assert "[front-door / reason]" in out
    # The person check's instruction is shown apart, as guidance, never under "Read out".
    check = out[out.index("[front-door / find_person]"):out.index("[front-door / consent]")]
    read_out, guidance = check.split("For you, do not read out:", 1)
    assert "never read out details from a record" not in read_out
    assert "never read out details from a record" in guidance.replace("\n   * ", " ")


def test_a_terminal_call_at_a_fixed_time_is_routed_out_of_hours() -> None:
    keys = "\n".join(["family_friend", "no", "no", "no", "not_known", "agrees",
                      "safeguarding", "no", "neglect", "quit"]) + "\n"
    result = triage("call", "front-door", "--at", "2026-12-05 18:30", stdin=keys)
    out = result.stdout
    assert "Office closed: this call is routed out of hours (the office opens at 09:00 on " \
           "Monday 7 December 2026)." in out
    assert "== OUTCOME: urgent_escalation  (safeguarding:emergency_duty_team)" in out
    assert "due 2026-12-05T22:30+00:00" in out


def test_a_bad_time_for_a_terminal_call_is_explained() -> None:
    result = triage("call", "front-door", "--at", "Saturday evening")
    assert result.returncode == 2
    assert "--at takes a UK local time as YYYY-MM-DD HH:MM" in result.stderr
    assert "Traceback" not in result.stderr


def test_matrix_tabulates_the_front_door_and_marks_where_known_status_is_ignored() -> None:
    result = triage("matrix", "front-door", "--by", "caller_type,reason,known_status")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    row = next(line for line in lines if line.startswith("self ") and " needs_assessment " in line)
    assert row.split()[2:] == ["A", "B", "C", "D"]  # every known status its own route
    assert next(line for line in lines if line.startswith("  A ")).endswith(
        "existing-client:message_allocated_worker")
    complaint = next(line for line in lines if line.startswith("self ") and " complaint " in line)
    assert all(cell.endswith("=") for cell in complaint.split()[2:])
    assert "there the pathway ignores known_status." in result.stdout


def test_a_terminal_call_reaches_an_outcome_and_shows_the_route() -> None:
    keys = "\n".join(["self", "yes", "finish", "finish the caller would not say"]) + "\n"
    result = triage("call", "front-door", stdin=keys)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "== OUTCOME: emergency_services" in result.stdout
    assert "Route taken:" in result.stdout and "danger_to_life = yes (answered)" in result.stdout
    # After an escalation the wrap-up asks for the person check, or a reason to skip it.
    assert "! The call ended before the person check." in result.stdout
    assert "Call finished: 1 need(s) recorded." in result.stdout


def test_the_terminal_wrap_up_does_the_person_check_and_a_further_need() -> None:
    keys = "\n".join(["self", "yes", "search", "", "Edie", "Dummy", "09/09/1945", "", "",
                      "SYN0000205", "need", "complaint", "quit"]) + "\n"
    result = triage("call", "front-door", stdin=keys)
    out = result.stdout
    assert "Person check done: known status open, person id SYN0000205" in out, out
    assert "[front-door / reason]" in out.split("Person check done", 1)[1]
    assert "Call stopped before an outcome" in out


def test_an_invalid_terminal_answer_is_explained_and_asked_again() -> None:
    keys = "\n".join(["self", "perhaps", "yes"]) + "\n"
    result = triage("call", "front-door", stdin=keys)
    assert "! 'perhaps' is not one of the answers: yes, no, not_sure" in result.stdout
    assert "== OUTCOME: emergency_services" in result.stdout


def test_diagram_prints_mermaid() -> None:
    result = triage("diagram", "front-door")
    assert result.returncode == 0
    assert result.stdout.startswith("flowchart TD")
    assert "danger_to_life -->|danger_to_life == 'yes'| emergency_services_now" in result.stdout


def test_paths_lists_every_route_to_every_outcome() -> None:
    result = triage("paths", "front-door")
    assert result.returncode == 0
    assert "front-door:emergency_services_now" in result.stdout
    assert "route(s) to" in result.stdout


def test_an_unknown_pathway_is_named_with_the_choices() -> None:
    result = triage("paths", "front-dor")
    assert result.returncode == 1
    assert "Unknown pathway 'front-dor'; pathways are: applications" in result.stderr


def test_schema_is_json_describing_every_kind_of_file() -> None:
    result = triage("schema")
    schema = json.loads(result.stdout)
    assert len(schema["anyOf"]) == 5
    assert "Pathway" in schema["$defs"] and "QuestionStep" in schema["$defs"]
    assert "HazardsFile" in schema["$defs"] and "Control" in schema["$defs"]


def test_changing_an_earlier_answer_in_the_terminal_takes_its_number() -> None:
    keys = "\n".join(["self", "no", "change caller_type", "2", "quit"]) + "\n"
    result = triage("call", "front-door", stdin=keys)
    assert "New answer for caller_type" in result.stdout
    assert "caller type: family_friend" in result.stdout
    assert "!" not in result.stdout.split("New answer for caller_type")[1].split("==")[0]


def test_a_terminal_call_finds_and_confirms_a_person_in_a_client_index(tmp_path: Path) -> None:
    from triage_qa.people import generate_people

    db = tmp_path / "clients.sqlite3"
    made = triage("clients", "generate", "--people", "300", "--seed", "7", "--db", str(db))
    assert made.returncode == 0, made.stderr
    person = next(iter(generate_people(1, seed=7)))
    keys = "\n".join(["self", "no", "no", "no", "search", person.nhs_number or "", "", "", "",
                      "", person.system_id, "quit"]) + "\n"
    result = triage("call", "front-door", "--clients", str(db), stdin=keys)
    assert person.system_id in result.stdout and "[very likely the same person" in result.stdout
    assert "known status: open" in result.stdout
    assert f"allocated worker: {person.allocated_worker}" in result.stdout


def test_a_terminal_correction_of_the_person_check_searches_again(tmp_path: Path) -> None:
    from triage_qa.people import generate_people

    db = tmp_path / "clients.sqlite3"
    made = triage("clients", "generate", "--people", "300", "--seed", "7", "--db", str(db))
    assert made.returncode == 0, made.stderr
    first, other = [p for p in generate_people(300, seed=7) if p.nhs_number
                    and p.case_status.value == "open" and p.allocated_worker][:2]
    keys = "\n".join(["self", "no", "no", "no",
                      "search", first.nhs_number or "", "", "", "", "", first.system_id,
                      "change find_person", "search", other.nhs_number or "", "", "", "", "",
                      other.system_id, "quit"]) + "\n"
    result = triage("call", "front-door", "--clients", str(db), stdin=keys)
    after = result.stdout.split("New answer for find_person", 1)[1]
    assert other.system_id in after and "[very likely the same person" in after
    assert f"allocated worker: {other.allocated_worker}" in after
    assert f"allocated worker: {first.allocated_worker}" not in after
    assert "!" not in after
