"""The hazard log beside the pathways: checked with them, printed by ``triage hazards``."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from triage.pipeline import check_paths

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A copy of the shipped pathways, scripts and scenarios, laid out as in a checkout."""
    for part in ("pathways", "scripts"):
        shutil.copytree(ROOT / part, tmp_path / part)
    shutil.copytree(ROOT / "features", tmp_path / "features",
                    ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return tmp_path


def problems(folder: Path) -> list[str]:
    lib, _ = check_paths([folder / "pathways", folder / "scripts"])
    return [str(p) for p in lib.problems]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_the_shipped_log_is_checked_and_covers_every_safety_rule(checkout: Path) -> None:
    assert problems(checkout) == []
    lib, _ = check_paths([checkout / "pathways", checkout / "scripts"])
    assert lib.hazards is not None
    rules = {c.rule for h in lib.hazards.value.hazards for c in h.controls if c.rule}
    assert rules >= {"red_flag_screen", "repeat_contacts"}
    assert lib.scenarios is not None and len(lib.scenarios) > 50


def test_controls_that_name_nothing_are_located(checkout: Path) -> None:
    log = checkout / "pathways" / "hazards.yaml"
    edit(log, "- check: dead_ends", "- check: dead_end")
    edit(log, "- step: front-door:danger_to_life", "- step: front-door:danger_to_lif")
    edit(log, "- step: front-door:find_person", "- step: front-dor:find_person")
    edit(log, "Deflection is only offered after the red-flag screen",
         "Deflection is offered after the red-flag screen")
    found = problems(checkout)
    assert len(found) == 4, found
    assert any(f":{line_of(log, 'check: dead_end')}:" in p and "no check is named 'dead_end'; "
               "checks are: conditions, dead_ends" in p for p in found), found
    assert any("pathway 'front-door' has no step 'danger_to_lif'" in p for p in found)
    assert any("no pathway 'front-dor'; pathways are: applications" in p for p in found)
    assert any("no scenario 'deflection/online.feature: Deflection is offered after the "
               "red-flag screen'; scenarios in deflection/online.feature are: " in p
               and "Deflection is only offered after the red-flag screen" in p for p in found)
    assert all(p.split(":")[0].endswith("pathways/hazards.yaml") for p in found)


def test_a_safety_rule_with_no_hazard_is_refused(checkout: Path) -> None:
    log = checkout / "pathways" / "hazards.yaml"
    log.write_text(log.read_text().replace("      - rule: repeat_contacts\n", ""))
    found = problems(checkout)
    assert len(found) == 1, found
    assert "the safety rule 'repeat_contacts' is in use but no hazard names it as a " \
        "control; add the hazard it controls, with `- rule: repeat_contacts`" in found[0]


def test_a_residual_risk_above_the_initial_risk_is_refused(checkout: Path) -> None:
    log = checkout / "pathways" / "hazards.yaml"
    edit(log, "    initial: {severity: 3, likelihood: 3}\n    residual: {severity: 3, "
         "likelihood: 1}", "    initial: {severity: 3, likelihood: 1}\n    residual: "
         "{severity: 3, likelihood: 4}")
    found = problems(checkout)
    assert len(found) == 1, found
    assert "HAZ-008: the residual risk (3) is above the initial risk (2)" in found[0]


def test_a_wrong_key_or_grade_is_located_with_the_valid_keys(checkout: Path) -> None:
    log = checkout / "pathways" / "hazards.yaml"
    edit(log, "    harm: Unmet need for care and support.", "    harms: Unmet need.")
    edit(log, "  - id: HAZ-009\n", "  - id: HAZ-9\n")
    edit(log, "    initial: {severity: 5, likelihood: 3}", "    initial: {severity: 6, "
         "likelihood: 3}")
    found = problems(checkout)
    line = line_of(log, "harms: Unmet need.")
    assert any(f"hazards.yaml:{line}:5: " in p and "unknown key 'harms'" in p and
               "valid keys here:" in p for p in found), found
    assert any("missing required key 'harm'" in p for p in found)
    assert any("hazards.HAZ-9.id: 'HAZ-9' must be HAZ- and three digits, such as HAZ-010"
               in p for p in found), found
    assert any(f"hazards.yaml:{line_of(log, 'severity: 6')}:" in p for p in found), found


def test_a_control_naming_two_things_is_refused(checkout: Path) -> None:
    log = checkout / "pathways" / "hazards.yaml"
    edit(log, "      - check: unreachable_steps", "      - {check: unreachable_steps, "
         "rule: cross_version}")
    found = problems(checkout)
    assert any("a control names exactly one of check, step, scenario or rule (this one names "
               "check, rule)" in p for p in found), found


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "triage.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


def test_triage_hazards_prints_the_table_and_the_safety_case(checkout: Path) -> None:
    text = run("hazards", cwd=checkout)
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith("HAZ-001  A call ends before the red-flag screen\n")
    assert "  risk: initial 4 (catastrophic x medium), residual 3 (catastrophic x very low)" \
        in text.stdout
    assert text.stdout.rstrip().endswith("9 hazard(s); highest residual risk 3 (undesirable: "
                                         "reduce where reasonably practicable).")
    md = run("hazards", "--markdown", cwd=checkout)
    assert md.stdout.startswith("## Hazard log\n")
    assert "| HAZ-006 | Repeated contacts about one person are not escalated |" in md.stdout
    assert "&lt;caller_type&gt;" in md.stdout and "<caller_type>" not in md.stdout
    assert "### HAZ-005: An edit to a live pathway takes away an escalation" in md.stdout


def test_triage_hazards_without_a_log_or_with_problems(checkout: Path) -> None:
    (checkout / "pathways" / "hazards.yaml").unlink()
    missing = run("hazards", cwd=checkout)
    assert missing.returncode == 1
    assert "There is no hazard log in pathways scripts; write hazards.yaml" in missing.stderr
    (checkout / "pathways" / "hazards.yaml").write_text("hazards:\n  - id: nope\n")
    broken = run("hazards", cwd=checkout)
    assert broken.returncode == 1 and "hazards.yaml:2:" in broken.stderr
    for done in (missing, broken):
        assert "Traceback" not in done.stderr
