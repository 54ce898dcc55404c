"""A second, independent generator of synthetic people and messy queries, for measuring
matching on data the index was not tuned on.

It shares no code and no lists with :mod:`triage_qa.people`: names come from the
``faker`` ``en_GB`` provider (its own given-name and surname lists), postcodes use real
UK outward codes from a list kept here with made-up inward codes, addresses are
``faker`` street addresses, NHS numbers are in the never-issued 999 range with the check
digit worked out here, and the corruption model of queries is its own:

* 5% of records have no given name (known only by a surname);
* every query has one slip, and 20% have two (``TWO_SLIP_SHARE``);
* the slips: a typo anywhere in a name, including its first letter; an adjacent
  transposition; given and family names swapped; a short form of the given name; a
  missing date of birth; a missing or wrongly heard postcode; day and month swapped;
  a wrong year digit; a previous surname.

Do not tune the matcher against this generator's output: it is there to report on.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from faker import Faker

from triage.matching.port import SearchDetails
from triage.matching.records import CaseStatus, PersonRecord

TWO_SLIP_SHARE = 0.2
NO_GIVEN_SHARE = 0.05
_FIXED_TODAY = date(2026, 1, 1)

# Real UK outward codes (postcode districts) from across the country.
OUTWARD_CODES = (
    "AB10 AB24 AL1 AL5 B1 B15 B23 B29 B44 B90 BA1 BA2 BB1 BB9 BD1 BD7 BH1 BH23 BL1 BN1 BN3 "
    "BN21 BR1 BR6 BS1 BS7 BS16 CA1 CB1 CB4 CF10 CF24 CH1 CH41 CM1 CM2 CO1 CR0 CT1 CV1 CV32 "
    "CW1 DA1 DE1 DE22 DH1 DL1 DN1 DT1 DY1 E1 E3 E17 EC1A EH1 EH6 EN1 EX1 EX4 FY1 G1 G12 "
    "GL1 GL50 GU1 GU14 HA0 HD1 HG1 HP1 HR1 HU1 HU5 IG1 IP1 IP4 KT1 L1 L8 L15 LA1 LE1 LE5 "
    "LL11 LN1 LS1 LS6 LS11 LU1 M1 M14 M20 ME1 MK9 N1 N7 N17 NE1 NE6 NG1 NG7 NN1 NP20 NR1 "
    "NW1 NW10 OL1 OX1 OX4 PE1 PL1 PL4 PO1 PR1 RG1 RH1 RM1 S1 S10 SE1 SE15 SG1 SK1 SL1 SM1 "
    "SN1 SO14 SP1 SR1 SS1 ST1 SW1A SW11 SY1 TA1 TN1 TQ1 TR1 TS1 TW1 UB1 W1A W12 WA1 WC1A "
    "WD17 WF1 WN1 WR1 WS1 WV1 YO1 YO10"
).split()
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters used in inward codes

# Short forms a caller may use; kept separate from the matcher's own nickname table.
SHORT_FORMS = {
    "elizabeth": "Liz", "margaret": "Peggy", "catherine": "Cathy", "katherine": "Kate",
    "jennifer": "Jen", "patricia": "Trish", "rebecca": "Becky", "victoria": "Vicky",
    "deborah": "Debbie", "samantha": "Sam", "alexandra": "Alex", "christine": "Chris",
    "susan": "Sue", "william": "Bill", "robert": "Bob", "richard": "Dick", "edward": "Ted",
    "michael": "Mike", "anthony": "Tony", "christopher": "Kit", "james": "Jim",
    "thomas": "Tom", "joseph": "Joe", "daniel": "Dan", "matthew": "Matt", "nicholas": "Nick",
    "stephen": "Steve", "benjamin": "Ben", "jonathan": "Jon", "frederick": "Fred",
    "kenneth": "Ken", "lawrence": "Larry", "gerald": "Gerry", "timothy": "Tim",
    "andrew": "Andy", "david": "Dave", "peter": "Pete", "charles": "Chuck",
}


def _nhs_check(nine: str) -> int | None:
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


@dataclass(frozen=True, slots=True)
class MessyQuery:
    """What a caller said, the person it is about (None when not on the index), and how."""

    details: SearchDetails
    person_id: str | None
    kinds: tuple[str, ...]


class OtherPeople:
    """Synthetic people from ``faker``; the same seed and count give the same people."""

    def __init__(self, seed: int = 7) -> None:
        self.seed = seed
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed)
        self.rng = random.Random(seed)

    def _postcode(self) -> str:
        rng = self.rng
        inward = (str(rng.randrange(10)) + rng.choice(_INWARD_LETTERS)
                  + rng.choice(_INWARD_LETTERS))
        return f"{rng.choice(OUTWARD_CODES)} {inward}"

    def _nhs(self) -> str:
        while True:
            nine = "999" + "".join(str(self.rng.randrange(10)) for _ in range(6))
            check = _nhs_check(nine)
            if check is not None:
                return nine + str(check)

    def people(self, count: int) -> Iterator[PersonRecord]:
        """Yield ``count`` people."""
        rng, fake = self.rng, self.fake
        seen_nhs: set[str] = set()
        for i in range(count):
            female = rng.random() < 0.52
            given = fake.first_name_female() if female else fake.first_name_male()
            if rng.random() < NO_GIVEN_SHARE:
                given = ""
            family = fake.last_name()
            previous = (fake.last_name(),) if female and rng.random() < 0.4 else ()
            dob = _FIXED_TODAY - timedelta(days=rng.randrange(18 * 365, 100 * 365))
            if rng.random() < 0.02:
                dob_or_none: date | None = None
            else:
                dob_or_none = dob
            postcode = self._postcode()
            address = fake.street_address().replace("\n", ", ")
            nhs = None
            if rng.random() < 0.85:
                nhs = self._nhs()
                while nhs in seen_nhs:
                    nhs = self._nhs()
                seen_nhs.add(nhs)
            old = (self._postcode(),) if rng.random() < 0.3 else ()
            yield PersonRecord(
                system_id=f"OTH{i + 1:07d}", given_name=given, family_name=family,
                nhs_number=nhs, previous_family_names=previous, date_of_birth=dob_or_none,
                sex="F" if female else "M", address=address, postcode=postcode,
                previous_postcodes=old,
                case_status=CaseStatus.OPEN if rng.random() < 0.3 else CaseStatus.CLOSED)


def other_people(count: int, *, seed: int = 7) -> list[PersonRecord]:
    """``count`` people from the independent generator."""
    return list(OtherPeople(seed).people(count))


# --------------------------------------------------------------------------- corruption

_ALPHABET = "abcdefghijklmnopqrstuvwxyz"


def _misspell(rng: random.Random, word: str) -> str:
    """One typo anywhere in the word, the first letter included."""
    if len(word) < 2:
        return word
    i = rng.randrange(len(word))
    kind = rng.randrange(3)
    if kind == 0 and len(word) > 3:
        out = word[:i] + word[i + 1:]
    elif kind == 1:
        out = word[:i] + rng.choice(_ALPHABET) + word[i:]
    else:
        out = word[:i] + rng.choice(_ALPHABET.replace(word[i].lower(), "")) + word[i + 1:]
    return out[:1].upper() + out[1:]


def _transpose(rng: random.Random, word: str) -> str:
    if len(word) < 3:
        return word
    i = rng.randrange(len(word) - 1)
    out = word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return out[:1].upper() + out[1:].lower()


_SLIPS = ("given_typo", "family_typo", "family_transposed", "given_transposed",
          "names_swapped", "short_form", "dob_missing", "postcode_missing",
          "postcode_misheard", "dob_day_month_swapped", "dob_year_digit", "previous_surname")


def messy_query(rng: random.Random, person: PersonRecord) -> MessyQuery:
    """One or two slips in what a caller says about ``person``."""
    given = person.given_name or None
    family: str | None = person.family_name
    dob = person.date_of_birth
    dob_text: str | None = dob.isoformat() if dob else None
    postcode: str | None = person.postcode
    slips = rng.sample(_SLIPS, 2 if rng.random() < TWO_SLIP_SHARE else 1)
    done: list[str] = []
    for slip in slips:
        if slip == "given_typo" and given:
            given = _misspell(rng, given)
        elif slip == "family_typo" and family:
            family = _misspell(rng, family)
        elif slip == "family_transposed" and family:
            family = _transpose(rng, family)
        elif slip == "given_transposed" and given:
            given = _transpose(rng, given)
        elif slip == "names_swapped" and given and family:
            given, family = family, given
        elif slip == "short_form" and given and given.lower() in SHORT_FORMS:
            given = SHORT_FORMS[given.lower()]
        elif slip == "dob_missing" and dob_text and (postcode or given):
            dob_text = None
        elif slip == "postcode_missing" and postcode and dob_text:
            postcode = None
        elif slip == "postcode_misheard" and postcode:
            out, inward = postcode.split()
            i = rng.choice((1, 2))
            letters = list(inward)
            letters[i] = rng.choice(_INWARD_LETTERS.replace(letters[i], ""))
            postcode = f"{out} {''.join(letters)}"
        elif slip == "dob_day_month_swapped" and dob and dob.day <= 12 and dob.day != dob.month:
            dob_text = f"{dob.year}-{dob.day:02d}-{dob.month:02d}"
        elif slip == "dob_year_digit" and dob:
            year = dob.year + rng.choice((-10, -1, 1, 10))
            if year < _FIXED_TODAY.year - 1:
                try:
                    dob_text = dob.replace(year=year).isoformat()
                except ValueError:
                    continue
        elif slip == "previous_surname" and person.previous_family_names:
            family = person.previous_family_names[0]
        else:
            continue
        done.append(slip)
    return MessyQuery(SearchDetails(given_name=given, family_name=family,
                                    date_of_birth=dob_text, postcode=postcode),
                      person.system_id, tuple(done) or ("exact",))


def messy_queries(indexed: Sequence[PersonRecord], absent: Sequence[PersonRecord], count: int,
                  *, seed: int = 8, absent_share: float = 0.2) -> list[MessyQuery]:
    """Labelled messy queries about indexed people and about people never indexed."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        if absent and rng.random() < absent_share:
            q = messy_query(rng, rng.choice(absent))
            out.append(MessyQuery(q.details, None, q.kinds))
        else:
            out.append(messy_query(rng, rng.choice(indexed)))
    return out
