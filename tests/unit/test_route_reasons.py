"""The reason recorded for each step of a call is the reason of the route that fired.

Several routes may lead to the same step (the front door's reason question has more than
one route to the needs-assessment pathway), so the route is the one whose condition let
the call through, first match first, never merely one with the same target.
"""

from __future__ import annotations

import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from triage.calls import CallEngine, CallSession, StepView
from triage.routing.catalogue import Catalogue
from triage.routing.plan import Edge, Node

ROUTED = ("answered", "pre-answered", "passed")
KNOWN = ("open", "previously_known", "not_known", "possible_match")
CALLERS = ("self", "family_friend", "unpaid_carer", "care_provider", "gp_community_health",
           "hospital", "council_housing", "police_probation", "other_professional")


def first_route(node: Node, values: dict[str, Any]) -> Edge:
    """The oracle: the first edge whose condition holds, or the unconditioned one."""
    return next(e for e in node.edges if e.condition is None or e.condition.holds(values))


def an_answer(view: StepView, rng: random.Random) -> Any:
    if view.kind == "lookup":
        return rng.choice(("not_known", "possible_match"))
    if view.choices:
        codes = [c.code for c in view.choices]
        if view.answer_type == "multi_choice":
            return rng.sample(codes, rng.randint(1, len(codes)))
        return rng.choice(codes)
    return {"text": "Synthetic words", "number": rng.choice(("1", "3", "8")),
            "date": rng.choice(("1940-05-01", "2012-05-01", "2026-11-30")),
            "nhs_number": "9990000018", "postcode": "UB8 1UW", "phone": "01895 250111",
            "email": "synthetic@example.org"}.get(view.answer_type or "text", "Synthetic")


def check_new_entries(engine: CallEngine, call: CallSession, since: int) -> int:
    """Every route recorded since history entry ``since`` is the one the oracle picks."""
    compiled = engine.catalogue.get(call.pathway_id, call.version)
    entries = [h for h in call.history[since:] if h.kind in ROUTED]
    for entry in entries:
        node = compiled.node(entry.state)
        expected = first_route(node, call.values)
        assert (entry.route, entry.why) == (expected.label, expected.why), (
            f"at {entry.state} the call recorded the route '{entry.route}' ({entry.why!r}) "
            f"but the route that fits is '{expected.label}' ({expected.why!r})")
    return len(entries)


@settings(max_examples=300, deadline=None)
@given(rng=st.randoms(use_true_random=False), known=st.sampled_from(KNOWN),
       caller=st.sampled_from(CALLERS))
def test_every_recorded_reason_belongs_to_the_route_the_call_took(
        shipped_catalogue: Catalogue, rng: random.Random, known: str, caller: str) -> None:
    engine = CallEngine(shipped_catalogue)
    call = engine.start("front-door", {"caller_type": caller, "known_status": known})
    checked = check_new_entries(engine, call, 0)
    while not call.at_outcome:
        view = engine.current(call)
        since = len(call.history)
        engine.answer(call, view.state, an_answer(view, rng))
        checked += check_new_entries(engine, call, since)
    assert checked >= 3
    routes = [h for h in call.history if h.kind in ROUTED]
    assert all(h.route for h in routes)


def test_a_known_person_asking_for_an_assessment_is_not_recorded_as_not_found(
        shipped_catalogue: Catalogue) -> None:
    engine = CallEngine(shipped_catalogue)
    call = engine.start("front-door", {"caller_type": "self", "known_status": "open"})
    for step, answer in (("danger_to_life", "no"), ("abuse_or_neglect", "no"),
                         ("mental_health_crisis", "no"), ("reason", "needs_assessment")):
        engine.answer(call, step, answer)
    reason = next(h for h in call.history if h.state == "reason")
    # Whatever the reason, an open case goes to the allocated worker or team.
    assert reason.why == "The person has an open case, so their allocated worker or team takes this"
    assert reason.route.startswith("known_status == 'open' and reason not in")
    assert "No record found" not in " ".join(h.why for h in call.history)
