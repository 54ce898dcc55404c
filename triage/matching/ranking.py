"""Ranking: score the stored people a search found, keep the ones worth showing, band
them, and say what to ask next. Nothing is merged or chosen automatically."""

from __future__ import annotations

from collections.abc import Iterable

from triage.matching.advice import NHS_CONFLICT, nhs_conflict, summary_of, what_tells_apart
from triage.matching.port import Candidate, MatchBand, SearchResult
from triage.matching.profile import MatchProfile
from triage.matching.query import Query
from triage.matching.scoring import (
    AGREES,
    MATCH_GAP_POINTS,
    SHOWN_POINTS,
    band_of,
    score_of,
    score_profile,
)
from triage.matching.weights import MatchWeights


def rank_candidates(query: Query, profiles: Iterable[MatchProfile], *,
                    limit: int = 5, weights: MatchWeights | None = None) -> SearchResult:
    """Score, rank and band stored people for a search; say what to ask next."""
    scored = [score_profile(query, p, weights) for p in profiles]
    # A person whose NHS number agrees is always shown, however the rest disagrees.
    scored = [s for s in scored if s.points >= SHOWN_POINTS or s.reasons["nhs_number"] == AGREES]
    scored.sort(key=lambda s: (-s.points, s.profile.person_id))
    scored = scored[:limit]
    bands = [band_of(s) for s in scored]
    # Two people both matching closely is a reason to ask, not to pick one.
    if len(scored) >= 2 and bands[0] == MatchBand.MATCH and bands[1] == MatchBand.MATCH \
            and scored[0].points - scored[1].points < MATCH_GAP_POINTS:
        bands = [MatchBand.POSSIBLE if b == MatchBand.MATCH else b for b in bands]
    elif len(scored) >= 2 and bands[0] == MatchBand.MATCH:
        bands = [bands[0]] + [MatchBand.POSSIBLE if b == MatchBand.MATCH else b
                              for b in bands[1:]]
    conflict = [i for i, s in enumerate(scored) if nhs_conflict(s)]
    for i in conflict:
        bands[i] = MatchBand.POSSIBLE
    advice = NHS_CONFLICT if conflict else what_tells_apart(scored, bands)
    if query.notice:
        advice = f"{query.notice} {advice}" if advice else query.notice
    candidates = tuple(
        Candidate(person_id=s.profile.person_id, score=score_of(s.points), band=b,
                  summary=summary_of(s.profile), reasons=dict(s.reasons))
        for s, b in zip(scored, bands, strict=True)
    )
    return SearchResult(candidates=candidates, missing=(), advice=advice)
