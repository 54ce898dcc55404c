"""Turning the codes in a saved call into the words a handler reads beside it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from api.web.forms import date_parts
from triage.calls import CallEngine, CallSession, KnownRow, StepView, known_so_far
from triage.vocabulary import KNOWN_STATUS_WORDS, AnswerType


class Presenter:
    """Turns codes in a call into the words a handler reads."""

    def __init__(self, engine: CallEngine) -> None:
        self.catalogue = engine.catalogue

    def known(self, session: CallSession) -> tuple[KnownRow, ...]:
        """What is known so far, for the panel beside every call page."""
        try:
            compiled = self.catalogue.get(session.pathway_id, session.version)
        except KeyError:
            return ()
        return known_so_far(compiled, session)

    def title_of(self, pathway_id: str) -> str:
        """A pathway's title."""
        try:
            return self.catalogue.get(pathway_id, None).title
        except KeyError:
            return pathway_id

    def answer_text(self, view: StepView, answer: Any) -> str:
        """An answer as the handler chose it, in words."""
        labels = {c.code: c.label for c in view.choices}
        if isinstance(answer, Mapping) and "person_id" in answer:
            status = KNOWN_STATUS_WORDS.get(str(answer.get("known_status")), "")
            return f"Confirmed: {answer['person_id']}" + (f" ({status})" if status else "")
        if isinstance(answer, list):
            return ", ".join(labels.get(str(a), str(a)) for a in answer) or "None"
        if answer is None or answer == "":
            return "Not answered"
        if view.answer_type == AnswerType.DATE:
            day, month, year = date_parts(answer)
            if year:
                return dt.date(int(year), int(month), int(day)).strftime("%d %B %Y").lstrip("0")
        return labels.get(str(answer), str(answer))

    def teams(self, session: CallSession) -> list[tuple[str, str]]:
        """(id, name) of the teams in the call's pathway directory."""
        try:
            compiled = self.catalogue.get(session.pathway_id, session.version)
        except KeyError:
            return []
        return [(t.id, t.name) for t in compiled.places.teams.values()]
