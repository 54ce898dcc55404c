"""Match weights learned from a council's own index (Fellegi–Sunter), pure and storage-free.

For each field and level of agreement (``agrees``, ``partly agrees``, ``disagrees``):

* ``u`` is how often two *different* people compare at that level, counted on random
  pairs of people on the index (almost all random pairs are different people);
* ``m`` is how often the *same* person compares at that level, estimated by
  expectation–maximisation on the pairs blocking brings together (``u`` held fixed);
* the weight is ``log2(m / u)``: how many times more likely (in powers of two) that level
  is between records of the same person than between different people.

Search adds a field's points for the level it compared at. The learned log2 weights are
scaled so that a full agreement on name, date of birth and postcode scores what it
scores with the built-in weights, so the band thresholds keep their meaning; the scale
is stored with the weights.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from triage.errors import RequestError, StorageError

# The NHS number is not learned: a deduplicated index holds no two records of one person
# with the same number, so its m cannot be estimated there; its built-in points stay.
FIELDS = ("given_name", "family_name", "date_of_birth", "postcode", "address")
LEVELS = ("agrees", "partly agrees", "disagrees")
MIN_PEOPLE = 1000
FORMAT = "triage-match-weights/1"
# The built-in points for full agreement on the fields a caller usually gives: the learned
# weights are scaled to the same total.
_ANCHOR_FIELDS = ("given_name", "family_name", "date_of_birth", "postcode")
_ANCHOR_POINTS = 3.0 + 4.0 + 6.0 + 4.0

Comparison = dict[str, str]  # field -> level, or "missing"


@dataclass(frozen=True, slots=True)
class MatchWeights:
    """Learned m and u probabilities and the points search uses, for one index."""

    index_id: str
    people: int
    pairs: int
    prior: float  # the estimated share of blocked pairs that are the same person
    scale: float
    m: dict[str, dict[str, float]]
    u: dict[str, dict[str, float]]
    trained_at: str = ""

    def points(self, field: str, level: str) -> float | None:
        """The points for a field compared at a level (None when not learned)."""
        if level not in LEVELS or field not in self.m:
            return None
        return self.scale * math.log2(self.m[field][level] / self.u[field][level])

    def to_json(self) -> str:
        """The weights as a JSON document."""
        return json.dumps({
            "format": FORMAT, "index_id": self.index_id, "people": self.people,
            "pairs": self.pairs, "prior": self.prior, "scale": self.scale,
            "trained_at": self.trained_at, "m": self.m, "u": self.u,
            "points": {f: {lv: round(self.points(f, lv) or 0.0, 3) for lv in LEVELS}
                       for f in self.m},
        }, indent=2)

    @classmethod
    def read(cls, path: Path, *, index_id: str) -> MatchWeights:
        """Read a weights file, refusing one that is unreadable or from another index."""
        try:
            raw: Any = json.loads(path.read_text(encoding="utf-8"))
            if raw.get("format") != FORMAT:
                raise ValueError(f"it is not a {FORMAT} file")
            weights = cls(str(raw["index_id"]), int(raw["people"]), int(raw["pairs"]),
                          float(raw["prior"]), float(raw["scale"]),
                          {f: {lv: float(v[lv]) for lv in LEVELS} for f, v in raw["m"].items()},
                          {f: {lv: float(v[lv]) for lv in LEVELS} for f, v in raw["u"].items()},
                          str(raw.get("trained_at", "")))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise StorageError(f"The match weights file '{path}' cannot be used ({exc}); "
                               "run 'triage clients train' again or remove the file.") from None
        if weights.index_id != index_id:
            raise StorageError(f"The match weights file '{path}' was trained on another index "
                               f"(id {weights.index_id}, this index is {index_id}); run "
                               "'triage clients train' on this index or remove the file.")
        return weights


def _frequencies(comparisons: Sequence[Comparison], field: str) -> dict[str, float]:
    counts = {lv: 1.0 for lv in LEVELS}  # add-one smoothing: no level is impossible
    for c in comparisons:
        if c.get(field) in counts:
            counts[c[field]] += 1
    total = sum(counts.values())
    return {lv: n / total for lv, n in counts.items()}


def estimate(random_pairs: Sequence[Comparison], blocked_pairs: Sequence[Comparison], *,
             index_id: str, people: int, iterations: int = 40) -> MatchWeights:
    """u from random pairs; m and the prior by EM on blocked pairs (u held fixed)."""
    if people < MIN_PEOPLE:
        raise RequestError(f"Training needs at least {MIN_PEOPLE:,} people on the index to "
                           f"estimate the weights; this index holds {people:,}. The built-in "
                           "weights are kept.")
    if not random_pairs or not blocked_pairs:
        raise RequestError("Training found no pairs to learn from; the built-in weights are "
                           "kept.")
    u = {f: _frequencies(random_pairs, f) for f in FIELDS}
    m = {f: {"agrees": 0.9, "partly agrees": 0.07, "disagrees": 0.03} for f in FIELDS}
    prior = 0.05
    for _ in range(iterations):
        posts = []
        for c in blocked_pairs:
            log_m = math.log(prior)
            log_u = math.log(1 - prior)
            for f in FIELDS:
                level = c.get(f)
                if level in LEVELS:
                    log_m += math.log(m[f][level])
                    log_u += math.log(u[f][level])
            top = max(log_m, log_u)
            pm = math.exp(log_m - top)
            posts.append(pm / (pm + math.exp(log_u - top)))
        prior = min(0.999, max(1e-6, sum(posts) / len(posts)))
        for f in FIELDS:
            sums = {lv: 0.1 for lv in LEVELS}
            for c, p in zip(blocked_pairs, posts, strict=True):
                if c.get(f) in sums:
                    sums[c[f]] += p
            total = sum(sums.values())
            m[f] = {lv: s / total for lv, s in sums.items()}
    # A field whose learned agreement is not evidence for a match was not learnable here;
    # it keeps its built-in points (it is left out of the file).
    learned = [f for f in FIELDS if m[f]["agrees"] > u[f]["agrees"]]
    anchor = sum(math.log2(m[f]["agrees"] / u[f]["agrees"]) for f in _ANCHOR_FIELDS
                 if f in learned)
    scale = _ANCHOR_POINTS / anchor if anchor > 0 else 1.0
    return MatchWeights(index_id, people, len(blocked_pairs), prior, scale,
                        {f: m[f] for f in learned}, {f: u[f] for f in learned},
                        datetime.now(UTC).isoformat(timespec="seconds"))
