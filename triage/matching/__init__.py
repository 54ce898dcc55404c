"""Finding the person a call is about: the client-index port and pure person matching.

The engine depends only on :mod:`triage.matching.port`. The rest is matching with no
storage: normalising what a caller says (:mod:`~triage.matching.normalise`), the profile
of a stored person (:mod:`~triage.matching.profile`), checking a search
(:mod:`~triage.matching.query`), blocking keys (:mod:`~triage.matching.keys`), scoring
(:mod:`~triage.matching.scoring`), advice (:mod:`~triage.matching.advice`) and ranking
(:mod:`~triage.matching.ranking`). The indexes that store people and look up their keys
are adapters (:mod:`triage.adapters.clients`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from triage.lazy import lazy_surface

if TYPE_CHECKING:
    from triage.matching.keys import query_keys, record_keys
    from triage.matching.port import (
        Candidate,
        ClientIndex,
        ClientRecord,
        KnownStatus,
        MatchBand,
        SearchDetails,
        SearchResult,
    )
    from triage.matching.profile import MatchProfile, profile_of
    from triage.matching.query import Query, Refusal, prepare_query
    from triage.matching.ranking import rank_candidates
    from triage.matching.records import CaseStatus, PersonRecord

_HOMES = {
    "query_keys": "triage.matching.keys", "record_keys": "triage.matching.keys",
    "Candidate": "triage.matching.port", "ClientIndex": "triage.matching.port",
    "ClientRecord": "triage.matching.port", "KnownStatus": "triage.matching.port",
    "MatchBand": "triage.matching.port", "SearchDetails": "triage.matching.port",
    "SearchResult": "triage.matching.port",
    "MatchProfile": "triage.matching.profile", "profile_of": "triage.matching.profile",
    "Query": "triage.matching.query", "Refusal": "triage.matching.query",
    "prepare_query": "triage.matching.query",
    "rank_candidates": "triage.matching.ranking",
    "CaseStatus": "triage.matching.records", "PersonRecord": "triage.matching.records",
}

__all__ = [
    "Candidate",
    "CaseStatus",
    "ClientIndex",
    "ClientRecord",
    "KnownStatus",
    "MatchBand",
    "MatchProfile",
    "PersonRecord",
    "Query",
    "Refusal",
    "SearchDetails",
    "SearchResult",
    "prepare_query",
    "profile_of",
    "query_keys",
    "rank_candidates",
    "record_keys",
]


__getattr__, __dir__ = lazy_surface(__name__, _HOMES, globals())
