"""A simple client index over a small CSV of synthetic people, for demos and tests.

Exact matching only: an NHS number, or family name with date of birth or postcode. The
SQLite/PostgreSQL index (``triage clients``) does real, fuzzy matching at scale.

Columns: person_id, nhs_number, given_name, family_name, date_of_birth, postcode,
case_status (open / closed), allocated_worker, team, alerts (separated by ``;``).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from triage.matching.port import (
    Candidate,
    ClientIndex,
    ClientRecord,
    KnownStatus,
    MatchBand,
    SearchDetails,
    SearchResult,
)

COLUMNS = ("person_id", "nhs_number", "given_name", "family_name", "date_of_birth", "postcode",
           "case_status", "allocated_worker", "team", "alerts")


class CsvFileError(ValueError):
    """The CSV file cannot be used; the message names the row and column."""


def _norm(value: str | None) -> str:
    return "".join((value or "").split()).casefold()


def _date(value: str | None) -> str:
    """A date as ISO text, whether given as 1948-03-21 or 21/03/1948 (or unchanged)."""
    text = (value or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d %m %Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return text


class CsvClientIndex(ClientIndex):
    """Finds people in a CSV file by exact NHS number, or family name with DOB or postcode."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows: dict[str, dict[str, str]] = {}
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise CsvFileError(f"{path}: missing column(s) {', '.join(missing)}")
            for number, row in enumerate(reader, start=2):
                pid = (row.get("person_id") or "").strip()
                if not pid:
                    raise CsvFileError(f"{path}:{number}: person_id is empty")
                if pid in self.rows:
                    raise CsvFileError(f"{path}:{number}: duplicate person_id '{pid}'")
                self.rows[pid] = {k: (v or "").strip() for k, v in row.items() if k}

    def search(self, details: SearchDetails, *, limit: int = 5) -> SearchResult:
        """Exact matches; says what is missing when the details are not enough."""
        given = set(details.given_fields())
        if "nhs_number" not in given and not (
            "family_name" in given and given & {"date_of_birth", "postcode"}
        ):
            return SearchResult(missing=("an NHS number, or a family name with a date of "
                                         "birth or postcode",))
        found = []
        for row in self.rows.values():
            reasons: dict[str, str] = {}
            if "nhs_number" in given:
                ok = _norm(row["nhs_number"]) == _norm(details.nhs_number)
                reasons["nhs_number"] = "agrees" if ok else "disagrees"
            else:
                ok = _norm(row["family_name"]) == _norm(details.family_name)
                reasons["family_name"] = "agrees" if ok else "disagrees"
                for key in ("date_of_birth", "postcode"):
                    if key in given:
                        mine, theirs = row[key], getattr(details, key)
                        if key == "date_of_birth":
                            mine, theirs = _date(mine), _date(theirs)
                        same = _norm(mine) == _norm(theirs)
                        reasons[key] = "agrees" if same else "disagrees"
                        ok = ok and same
            if ok:
                summary = {"name": f"{row['given_name'][:1]}. {row['family_name']}",
                           "born": row["date_of_birth"][:4],
                           "postcode district": row["postcode"].split(" ")[0]}
                found.append(Candidate(row["person_id"], 1.0, MatchBand.MATCH, summary, reasons))
        return SearchResult(candidates=tuple(found[:limit]),
                            advice=None if found else "Not found with these details.")

    def get(self, person_id: str) -> ClientRecord | None:
        """The routing record of a person."""
        row = self.rows.get(person_id)
        if row is None:
            return None
        status = (KnownStatus.OPEN if row["case_status"].casefold() == "open"
                  else KnownStatus.PREVIOUSLY_KNOWN)
        alerts = tuple(a.strip() for a in row["alerts"].split(";") if a.strip())
        return ClientRecord(person_id, status, row["allocated_worker"] or None,
                            row["team"] or None, alerts)
