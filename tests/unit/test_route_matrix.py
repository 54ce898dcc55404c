"""The route matrix: the outcomes for every combination of named facts, the rows where the
pathway ignores the column fact, and the sentences for facts that cannot be tabulated."""

from __future__ import annotations

import pytest

from tests.conftest import MakeLibrary
from triage.errors import MatrixRefused
from triage.pipeline import load_catalogue
from triage.routing.catalogue import Catalogue
from triage.routing.matrix import MAX_VALUES, matrix_text, route_matrix

EXEMPT = {"safeguarding", "information_advice", "complaint", "straightforward_application",
          "care_provider_query"}
"""Reasons that are the same for anyone, whatever is known of the person."""


def test_every_reason_but_the_exempt_ones_routes_on_known_status(
        shipped_catalogue: Catalogue) -> None:
    matrix = route_matrix(shipped_catalogue.get("front-door"),
                          ["caller_type", "reason", "known_status"])
    for caller, reason in matrix.rows():
        cells = dict(zip(matrix.values[-1], matrix.row_cells((caller, reason)), strict=True))
        if reason in EXEMPT or caller == "care_provider":
            continue
        assert "existing-client:message_allocated_worker" in cells["open"], (caller, reason)
        assert any(o.startswith("existing-client:rereferral") for o in
                   cells["previously_known"]), (caller, reason)
        assert cells["possible_match"] == {"existing-client:duty_urgent",
                                           "existing-client:settle_match"}, (caller, reason)
        # Nobody known before reaches a new-person route (an online self-assessment).
        assert not {o for o in cells["previously_known"] if "self_assessment" in o}


def test_rows_that_ignore_the_column_fact_are_marked(shipped_catalogue: Catalogue) -> None:
    matrix = route_matrix(shipped_catalogue.get("front-door"), ["reason", "known_status"])
    ignored = {row[0] for row in matrix.rows() if matrix.ignores(row)}
    assert ignored == EXEMPT
    text = matrix_text(matrix)
    complaint = next(line for line in text.splitlines() if line.startswith("complaint "))
    assert all(cell.endswith("=") for cell in complaint.split()[1:])
    assert f"= {len(EXEMPT)} row(s) where every value of known_status reaches the same " \
           "outcomes: there the pathway ignores known_status." in text


def test_the_clock_can_be_a_column_and_routes_urgent_work_out_of_hours(
        shipped_catalogue: Catalogue) -> None:
    matrix = route_matrix(shipped_catalogue.get("front-door"), ["reason", "out_of_hours"])
    by_clock = dict(zip(matrix.values[-1], matrix.row_cells(("safeguarding",)), strict=True))
    assert "safeguarding:mash_same_day" in by_clock[False]
    assert "safeguarding:mash_same_day" not in by_clock[True]
    assert "safeguarding:emergency_duty_team" in by_clock[True]


def test_an_unknown_fact_is_refused_with_the_facts_that_can_be_tabulated(
        shipped_catalogue: Catalogue) -> None:
    with pytest.raises(MatrixRefused) as refused:
        route_matrix(shipped_catalogue.get("front-door"), ["caller_type", "callr_type"])
    message = str(refused.value)
    assert message.startswith("'callr_type' is not a fact of pathway 'front-door'; facts "
                              "that can be tabulated are: ")
    assert "caller_type" in message and "known_status" in message and "out_of_hours" in message


def test_an_open_fact_is_refused_with_why(shipped_catalogue: Catalogue) -> None:
    with pytest.raises(MatrixRefused, match="'caller_name' cannot be tabulated: it is not a "
                                            "choice, so its values cannot be listed"):
        route_matrix(shipped_catalogue.get("front-door"), ["caller_name"])


def test_a_fact_with_too_many_values_is_refused_with_the_limit(
        make_library: MakeLibrary) -> None:
    options = "\n".join(f"        - {{code: v{i}, label: Value {i}}}"
                        for i in range(MAX_VALUES + 1))
    folder = make_library(('    answer: {type: yes_no_unsure, unsure_means: "yes"}',
                           '    answer: {type: yes_no_unsure, unsure_means: "yes"}'))
    facts = folder / "facts.yaml"
    facts.write_text(facts.read_text() + f"""  - name: district
    label: District
    answer:
      type: choice
      options:
{options}
""")
    compiled = load_catalogue([folder]).get("mini")
    with pytest.raises(MatrixRefused, match=f"'district' cannot be tabulated: it has "
                                            f"{MAX_VALUES + 1} values, more than the limit "
                                            f"of {MAX_VALUES}"):
        route_matrix(compiled, ["district"])


def test_too_many_combinations_are_refused_with_the_limit(
        shipped_catalogue: Catalogue) -> None:
    with pytest.raises(MatrixRefused, match="combinations, more than the limit of 5000; "
                                            "name fewer facts"):
        route_matrix(shipped_catalogue.get("front-door"),
                     ["caller_type", "reason", "known_status", "consent", "can_use_online"])
