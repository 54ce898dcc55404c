"""Reading the audit form file with the pathways' YAML reader, so that every problem in it
(unknown keys, a question with no scoring) is located as ``file:line:col``."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from triage.adapters.library import _validation_problems
from triage.adapters.yamlsource import read_yaml
from triage.audit_form import AuditForm, AuditFormFile
from triage.errors import AuditFormProblems


def load_audit_form(path: Path) -> AuditForm:
    """The audit form in ``path``; AuditFormProblems listing every problem if it cannot
    be used."""
    parsed = read_yaml(path)
    if isinstance(parsed, list):
        raise AuditFormProblems(parsed)
    if not isinstance(parsed.data, dict) or "audit_form" not in parsed.data:
        raise AuditFormProblems([parsed.problem((), "the file should start with "
                                                "'audit_form:'")])
    try:
        return AuditFormFile.model_validate(parsed.data).audit_form
    except ValidationError as exc:
        raise AuditFormProblems(_validation_problems(parsed, exc, AuditFormFile)) from exc
