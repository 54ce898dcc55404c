"""Checks of the words handlers read: placeholders that something in the call fills,
and English text everywhere."""

from __future__ import annotations

import re
import string
from collections.abc import Iterable

from triage.checks.context import CheckContext
from triage.definitions import LookupStep, OutcomeStep, Pathway, QuestionStep, SayStep
from triage.errors import PlaceholderError
from triage.problems import Problem
from triage.sources import Loc, Located, Source

OUTCOME_PLACEHOLDERS = ("team", "team_phone", "service", "service_url", "timeframe", "due")
CALL_PLACEHOLDERS = ("handler_name",)

def _script_uses(ctx: CheckContext) -> Iterable[tuple[Located[Pathway], tuple[str | int, ...],
                                                      list[str], dict[str, str] | None, bool]]:
    for located in ctx.lib.pathways.values():
        for i, step in enumerate(located.value.steps):
            loc: tuple[str | int, ...]
            if isinstance(step, OutcomeStep):
                sc, text, loc, is_outcome = (step.outcome.script, step.outcome.text,
                                             ("steps", i, "outcome"), True)
            elif isinstance(step, (SayStep, QuestionStep, LookupStep)):
                sc, text, loc, is_outcome = step.script, step.text, ("steps", i), False
            else:
                continue
            ids = [sc] if isinstance(sc, str) else list(sc or [])
            yield located, loc, ids, text, is_outcome


def placeholders(text: str) -> list[str]:
    """The {names} in a script text; PlaceholderError for a malformed brace."""
    names = []
    for _, field_name, spec, conv in string.Formatter().parse(text):
        if field_name is None:
            continue
        if not field_name.isidentifier() or spec or conv:
            raise PlaceholderError(f"'{{{field_name}}}' is not a placeholder; write {{name}} "
                                   "with a plain name")
        names.append(field_name)
    return names


def check_placeholders(ctx: CheckContext) -> list[Problem]:
    """Placeholders that nothing in the call can fill, and malformed braces."""
    lib = ctx.lib
    problems = []
    constants = set(lib.directory.value.constants) if lib.directory else set()
    for script_id, located_script in lib.scripts.items():
        for lang, text in located_script.value.text.items():
            try:
                placeholders(text)
            except ValueError as exc:
                problems.append(located_script.source.problem(
                    (*located_script.loc, "text", lang), f"script '{script_id}': {exc}",
                    "placeholders"))
    for located, loc, ids, inline, is_outcome in _script_uses(ctx):
        analysis = ctx.analyses.get(located.value.pathway.id)
        names = set(analysis.types) if analysis else set()
        sources = names | constants | set(CALL_PLACEHOLDERS)
        if is_outcome:
            sources |= set(OUTCOME_PLACEHOLDERS)
        texts: list[tuple[tuple[str | int, ...], str, str]] = []
        for sid in ids:
            script = lib.scripts.get(sid)
            if script:
                for lang, t in script.value.text.items():
                    line, col = script.source.locate((*script.loc, "text", lang))
                    texts.append(((*loc, "script"), f"script '{sid}' (its {lang} text at "
                                  f"{script.source.display}:{line}:{col})", t))
        for lang, t in (inline or {}).items():
            texts.append(((*loc, "text", lang), "the text", t))
        for where, what, t in texts:
            try:
                used = placeholders(t)
            except ValueError:
                continue
            for name in used:
                if name not in sources:
                    extra = (" (outcome placeholders such as {team} only work in outcome words)"
                             if name in OUTCOME_PLACEHOLDERS else "")
                    extra += ctx.follows("constant", name)
                    problems.append(located.source.problem(
                        where, f"{what} uses {{{name}}}, which nothing in this call fills{extra}; "
                        f"placeholders can be answers, facts, calculations, directory constants "
                        f"({', '.join(sorted(constants))}) or {{handler_name}}", "placeholders"))
    return sorted(set(problems))


def check_english_text(ctx: CheckContext) -> list[Problem]:
    """Script fragments, inline text and option labels with no English ('en')."""
    problems = []
    for sid, script in ctx.lib.scripts.items():
        if "en" not in script.value.text:
            problems.append(script.source.problem((*script.loc, "text"),
                            f"script '{sid}' has no English text ('en'), which is required",
                            "english"))
    for located, loc, _ids, inline, _ in _script_uses(ctx):
        if inline is not None and "en" not in inline:
            problems.append(located.source.problem((*loc, "text"), "inline text needs English "
                            "('en')", "english"))
    for located in ctx.lib.pathways.values():
        for i, step in enumerate(located.value.steps):
            answer = getattr(step, "answer", None)
            for k, option in enumerate(getattr(answer, "options", None) or ()):
                if isinstance(option.label, dict) and "en" not in option.label:
                    problems.append(located.source.problem(
                        ("steps", i, "answer", "options", k, "label"),
                        f"option '{option.code}' has no English label ('en')", "english"))
    return problems


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in phrase.split()]
    start = r"\b" if phrase[:1].isalnum() else ""
    end = r"\b" if phrase[-1:].isalnum() else ""
    return re.compile(start + r"\s+".join(words) + end, re.IGNORECASE)


def _phrase_location(source: Source, loc: Loc, pattern: re.Pattern[str],
                     length: int) -> tuple[int, int]:
    """Where the phrase is written in the file: the node's place, then the phrase after it."""
    line, col = source.locate(loc)
    lines = source.text.splitlines(keepends=True)
    offset = sum(len(text) for text in lines[:line - 1]) + col - 1
    found = pattern.search(source.text, offset, offset + 4 * length + 400)
    if found is None:
        return line, col
    before = source.text[:found.start()]
    return before.count("\n") + 1, found.start() - (before.rfind("\n") + 1) + 1


def check_handler_words(ctx: CheckContext) -> list[Problem]:
    """Words to read that address the handler ("tell the caller", "check the record"...).

    The phrases are the directory's (``handler_words``); such words belong in
    ``guidance``, which is shown to the handler and never read out. A warning unless the
    directory makes it an error (``severity: error``).
    """
    lib = ctx.lib
    if lib.directory is None or not lib.directory.value.handler_words.phrases:
        return []
    policy = lib.directory.value.handler_words
    patterns = [(p, _phrase_pattern(p)) for p in dict.fromkeys(policy.phrases)]
    texts: list[tuple[Source, Loc, str, str]] = []
    for sid, script in lib.scripts.items():
        for lang, text in script.value.text.items():
            texts.append((script.source, (*script.loc, "text", lang), f"script '{sid}' says", text))
    for located, loc, _ids, inline, _ in _script_uses(ctx):
        for lang, text in (inline or {}).items():
            texts.append((located.source, (*loc, "text", lang), "the words to read say", text))
    found = []
    for source, loc, what, text in texts:
        hits = [(phrase, pattern) for phrase, pattern in patterns if pattern.search(text)]
        if not hits:
            continue
        line, col = _phrase_location(source, loc, hits[0][1], len(text))
        said = ", ".join(f"'{phrase}'" for phrase, _ in hits)
        found.append(Problem(
            source.display, line, col, source.describe(loc),
            f"{what} {said} to be read out, but that is an instruction to the "
            "handler: move it into 'guidance' (shown to the handler, never read out), or "
            "take the phrase out of the directory's handler_words", "handler_words",
            policy.severity))
    found = sorted(set(found))
    if policy.severity == "warning":
        lib.warnings.extend(found)
        return []
    return found
