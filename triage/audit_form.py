"""The audit form: versioned sections of scored questions a supervisor answers about one
sampled contact (like Amazon Connect's evaluation forms), read from ``audits/form.yaml``.

Every question has a scoring: the answers allowed, each with its points (``null`` points:
the question does not apply and counts for neither score nor total). Unknown keys, and a
question without a scoring, are problems located as ``file:line:col``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from triage.definitions import REF_ID, STEP_ID, Strict

FormId = Annotated[str, Field(pattern=REF_ID, max_length=64)]
QuestionId = Annotated[str, Field(pattern=STEP_ID, max_length=64)]


class ScoredAnswer(Strict):
    """One answer a question allows, and what it scores."""

    code: QuestionId
    label: str = Field(min_length=1, max_length=200)
    points: int | None = Field(ge=0, le=100)


class Question(Strict):
    """One scored question of the form."""

    id: QuestionId
    text: str = Field(min_length=1, max_length=500)
    scoring: tuple[ScoredAnswer, ...]

    @model_validator(mode="after")
    def _codes_once(self) -> Question:
        if len(self.scoring) < 2:
            raise ValueError("a scoring needs at least two answers")
        codes = [a.code for a in self.scoring]
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            raise ValueError(f"answer codes used twice: {', '.join(twice)}")
        if all(a.points is None for a in self.scoring):
            raise ValueError("no answer scores any points; give at least one 'points'")
        return self

    def most(self) -> int:
        """The most points this question can score."""
        return max(a.points or 0 for a in self.scoring)


class Section(Strict):
    """A titled group of questions."""

    id: FormId
    title: str = Field(min_length=1, max_length=200)
    questions: tuple[Question, ...]

    @model_validator(mode="after")
    def _some_questions(self) -> Section:
        if not self.questions:
            raise ValueError("a section needs at least one question")
        return self


class AuditForm(Strict):
    """One version of the audit form."""

    id: FormId
    version: int = Field(ge=1)
    title: str = Field(min_length=1, max_length=200)
    change_note: str = ""
    sections: tuple[Section, ...]

    @model_validator(mode="after")
    def _questions_once(self) -> AuditForm:
        if not self.sections:
            raise ValueError("the form needs at least one section")
        ids = [q.id for s in self.sections for q in s.questions]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"question ids used twice: {', '.join(twice)}")
        return self

    def questions(self) -> dict[str, Question]:
        """Every question, by id."""
        return {q.id: q for s in self.sections for q in s.questions}

    def score(self, answers: dict[str, str]) -> tuple[int, int]:
        """The points ``answers`` score and the most they could (questions answered
        ``points: null`` count for neither); ValueError naming a question not answered,
        not on the form, or answered with a code it does not allow."""
        questions = self.questions()
        unknown = sorted(set(answers) - set(questions))
        if unknown:
            raise ValueError(f"'{unknown[0]}' is not a question of the form; questions are: "
                             f"{', '.join(questions)}")
        score = out_of = 0
        for qid, question in questions.items():
            if qid not in answers:
                raise ValueError(f"question '{qid}' is not answered")
            allowed = {a.code: a for a in question.scoring}
            chosen = allowed.get(answers[qid])
            if chosen is None:
                raise ValueError(f"'{answers[qid]}' is not an answer to '{qid}'; answers "
                                 f"are: {', '.join(allowed)}")
            if chosen.points is not None:
                score += chosen.points
                out_of += question.most()
        return score, out_of


class AuditFormFile(Strict):
    """The file: ``audit_form:`` and the form."""

    audit_form: AuditForm
