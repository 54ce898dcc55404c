"""What a single pathway means: its answer names and types, and its compiled expressions.

Built once per pathway while checking, and reused when composing and compiling, so each
condition is parsed exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from triage.answers import allowed_codes
from triage.definitions import (
    HandoverStep,
    LookupStep,
    Pathway,
    QuestionStep,
)
from triage.errors import ExpressionError
from triage.expressions import Expression, VarType, compile_expression
from triage.routing.build import answer_rule
from triage.routing.plan import AnswerRule
from triage.sources import Library, Loc, Located
from triage.vocabulary import (
    CONTACTS_IN_WINDOW,
    IN_HOURS,
    LAST_OUTCOME_KIND,
    NEXT_OPENING,
    OPEN_REFERRAL_TEAM,
    OUT_OF_HOURS,
    REPEAT_CONTACT,
    AnswerType,
    OutcomeKind,
)

CONTACT_FACT_TYPES: dict[str, VarType] = {
    REPEAT_CONTACT: VarType("boolean"),
    CONTACTS_IN_WINDOW: VarType("number"),
    LAST_OUTCOME_KIND: VarType("text", frozenset(OutcomeKind)),
    OPEN_REFERRAL_TEAM: VarType("text"),
}
"""What the person's earlier contacts give every call (set at the person check)."""
CLOCK_FACT_TYPES: dict[str, VarType] = {
    IN_HOURS: VarType("boolean"),
    OUT_OF_HOURS: VarType("boolean"),
    NEXT_OPENING: VarType("text"),
}
"""What the clock gives every call when it starts (:func:`triage.clock.clock_facts`)."""


def var_type(spec: AnswerRule) -> VarType:
    """The type conditions see for an answer to ``spec``."""
    codes = allowed_codes(spec)
    if spec.type is AnswerType.YES_NO_UNSURE and spec.unsure_means is not None:
        codes = ("yes", "no")
    match spec.type:
        case AnswerType.MULTI_CHOICE:
            return VarType("list", frozenset(codes))
        case AnswerType.NUMBER:
            return VarType("number")
        case AnswerType.DATE:
            return VarType("date")
        case AnswerType.CHOICE | AnswerType.YES_NO | AnswerType.YES_NO_UNSURE:
            return VarType("text", frozenset(codes))
    return VarType("text")


@dataclass
class PathwayAnalysis:
    """A pathway's names, their types, compiled conditions and calculations."""

    located: Located[Pathway]
    local_names: set[str] = field(default_factory=set)
    types: dict[str, VarType] = field(default_factory=dict)
    answer_specs: dict[str, AnswerRule] = field(default_factory=dict)
    step_var: dict[str, str] = field(default_factory=dict)
    conditions: dict[tuple[str, int], Expression] = field(default_factory=dict)
    calculations: dict[str, Expression] = field(default_factory=dict)
    expression_errors: list[tuple[Loc, str]] = field(default_factory=list)

    @property
    def pathway(self) -> Pathway:
        """The pathway definition."""
        return self.located.value


def analyse(lib: Library, located: Located[Pathway],
            sub_outputs: dict[str, dict[str, AnswerRule]]) -> PathwayAnalysis:
    """Work out names and types and compile every expression of one pathway.

    ``sub_outputs`` gives, for each pathway id, the answer specs of its declared outputs,
    so that names a handover brings back have a type.
    """
    result = PathwayAnalysis(located)
    pathway = located.value
    facts = fact_rules(lib)
    result.types.update(CONTACT_FACT_TYPES)
    result.types.update(CLOCK_FACT_TYPES)
    for name, spec in facts.items():
        result.types[name] = var_type(spec)
        result.answer_specs[name] = spec
    for spec_in in pathway.inputs:
        result.local_names.add(spec_in.name)
        rule = answer_rule(spec_in.answer)
        result.types[spec_in.name] = var_type(rule)
        result.answer_specs[spec_in.name] = rule
    for step in pathway.steps:
        if isinstance(step, QuestionStep):
            name = step.fact or step.id
            step_spec = (answer_rule(step.answer) if step.answer else
                         facts.get(step.fact) if step.fact else None)
            result.step_var[step.id] = name
            if step.fact is None:
                result.local_names.add(name)
            if step_spec is not None:
                result.types[name] = var_type(step_spec)
                result.answer_specs[name] = step_spec
        elif isinstance(step, LookupStep):
            result.step_var[step.id] = "known_status"
        elif isinstance(step, HandoverStep):
            outs = sub_outputs.get(step.pathway, {})
            for parent_name, sub_name in step.outputs.items():
                result.local_names.add(parent_name)
                if sub_name in outs:
                    result.types[parent_name] = var_type(outs[sub_name])
                    result.answer_specs[parent_name] = outs[sub_name]
    type_of_calc = {"number": "number", "text": "text", "boolean": "boolean", "date": "date"}
    for i, calc in enumerate(pathway.calculations):
        result.local_names.add(calc.name)
        result.types[calc.name] = VarType(type_of_calc[calc.type])  # type: ignore[arg-type]
        try:
            result.calculations[calc.name] = compile_expression(calc.expr)
        except ExpressionError as exc:
            result.expression_errors.append((("calculations", i, "expr"), str(exc)))
    for i, step in enumerate(pathway.steps):
        for j, route in enumerate(getattr(step, "routes", None) or ()):
            try:
                result.conditions[(step.id, j)] = compile_expression(route.when)
            except ExpressionError as exc:
                result.expression_errors.append((("steps", i, "routes", j, "when"), str(exc)))
    return result


def fact_rules(lib: Library) -> dict[str, AnswerRule]:
    """The answer rule of every call fact."""
    return {name: answer_rule(f.value.answer) for name, f in lib.facts.items()}


def output_specs(lib: Library) -> dict[str, dict[str, AnswerRule]]:
    """For each pathway, the answer rules of the names it declares as outputs."""
    facts = fact_rules(lib)
    result: dict[str, dict[str, AnswerRule]] = {}
    for pid, located in lib.pathways.items():
        specs: dict[str, AnswerRule] = {}
        by_var: dict[str, AnswerRule] = {}
        for step in located.value.steps:
            if isinstance(step, QuestionStep):
                spec = (answer_rule(step.answer) if step.answer else
                        facts.get(step.fact) if step.fact else None)
                if spec is not None:
                    by_var[step.fact or step.id] = spec
        for name in located.value.outputs:
            if name in by_var:
                specs[name] = by_var[name]
        result[pid] = specs
    return result
