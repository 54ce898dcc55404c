"""Every error the engine raises on purpose, in one hierarchy.

    TriageError
    ├── PathwayProblems          a pathway, script or settings file cannot be used
    ├── CallError                a call-session request was refused; the call is unchanged
    │   ├── InvalidAnswer        the answer does not fit the question
    │   ├── StepNotCurrent       the answer is for a step the call is not at
    │   ├── CannotGoBack         there is no earlier answer to go back to
    │   ├── CallFinished         the call has already reached an outcome
    │   ├── NoRouteMatched       no route fits the answers (a gap the validator missed)
    │   └── LookupRefused        a person search or confirmation cannot be made
    └── RestoreError             a saved call cannot be restored (the saved data is kept)
        └── PathwayVersionNotLoaded

Messages are full sentences that a handler, designer or tester can act on.
"""

from __future__ import annotations

from collections.abc import Sequence

from triage.problems import Problem


class TriageError(Exception):
    """Base class for every error the engine raises on purpose."""


class PathwayProblems(TriageError):
    """One or more pathway, script or settings files have problems."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in pathway files:\n{lines}")


class CallError(TriageError):
    """A request on a call was refused and the call was left exactly as it was."""

    def __init__(self, message: str, *, step: str | None = None, field: str = "answer") -> None:
        self.step = step
        self.field = field
        self.reason = message
        super().__init__(message)


class InvalidAnswer(CallError):
    """The answer does not fit the question's type, options or range."""


class StepNotCurrent(CallError):
    """The answer was given for a step the call is not at."""


class CannotGoBack(CallError):
    """There is no earlier answer to go back to."""


class CallFinished(CallError):
    """The call has reached an outcome and takes no more answers."""


class NoRouteMatched(CallError):
    """No route fits the answers given."""


class LookupRefused(CallError):
    """A person search or confirmation cannot be made as asked."""


class RestoreError(TriageError):
    """A saved call cannot be restored; the saved data is untouched."""


class PathwayVersionNotLoaded(RestoreError):
    """The pathway version a saved call started on is not loaded."""

    def __init__(self, pathway_id: str, version: int, loaded: Sequence[int]) -> None:
        self.pathway_id = pathway_id
        self.version = version
        self.loaded = tuple(loaded)
        have = ", ".join(str(v) for v in self.loaded) or "none"
        super().__init__(
            f"This call was started on pathway '{pathway_id}' version {version}, which is not "
            f"loaded (loaded versions: {have}). Load that version to continue the call; "
            "the saved call has been kept as it was."
        )
