"""A deterministic generator of obviously fake people for demo and benchmark indexes.

Names follow realistic UK distributions (a weighted head of common surnames and a long
tail built from English name parts); postcodes use real district codes with made-up
units, in made-up towns ("Testbury", "Mockford"); every NHS number is in the 999 range
that is valid but never issued. The same seed and count always give the same people.

:func:`phone_queries` turns people into what a caller might say on the phone (typos,
nicknames, maiden names, swapped names, date slips, old postcodes, missing fields), each
labelled with the person it is about, for tests and benchmarks.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from triage.errors import RequestError
from triage.matching.nicknames import NICKNAMES
from triage.matching.port import SearchDetails
from triage.matching.records import CaseStatus, PersonRecord
from triage.vocabulary import nhs_check_digit

MAX_PEOPLE = 2_000_000
TODAY = date(2026, 1, 1)  # fixed, so that output never depends on the day it is run

_HEAD_SURNAMES = (
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson "
    "Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson "
    "Wood Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan "
    "Allen James Scott Phillips Watson Davis Parker Price Bennett Young Griffiths Mitchell "
    "Kelly Cook Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox Richards Khan "
    "Marshall Anderson Simpson Ellis Adams Singh Begum Wilkinson Foster Chapman Powell Webb "
    "Rogers Gray Mason Ali Hunt Hussain Campbell Matthews Owen Palmer Holmes Mills Barnes "
    "Knight Lloyd Butler Russell Barker Fisher Stevens Jenkins Murray Dixon Harvey Graham "
    "Pearson Ahmed Fletcher Walsh Kaur Gibson Howard Andrews Stewart Elliott Reynolds Saunders "
    "Payne Fox Ford Pearce Day Brooks West Lawrence Cole Atkinson Bradley Spencer Gill Dawson "
    "Ball Burton O'Brien Watts Rose Booth Perry Ryan Grant Wells Armstrong Francis Rees Hayes "
    "Hart Hudson Newman Barrett Webster Hunter Gregory Carr Lowe Page Marsh Riley Dunn Woods "
    "Parsons Berry Stone Reid Holland Hawkins Harding Porter Robertson Newton Oliver Reed "
    "Kennedy Williamson Bird Gardner Shah Dean Lane Cooke Bates Henderson Parry Burgess Bishop "
    "Walton Burns Nicholson Shepherd Ross Cross Long Freeman Warren Nicholls Hamilton Byrne "
    "Sutton McDonald Yates Hodgson Robson Curtis Hopkins O'Connor Harper Coleman Watkins Moss "
    "McCarthy Chambers Griffin Sharp Hardy Wheeler Potter Osborne Johnston Gordon Doyle Wallace "
    "George Jordan Hutchinson Rowe Burke May Pritchard Gilbert Willis Higgins Read Miles "
    "Stevenson Stephenson Hammond Arnold Buckley Walters Hewitt Barber Nelson Slater Austin "
    "Sullivan Whitehead Mann Frost Lambert Stephens Blake Akhtar Lynch Goodwin Barton Woodward "
    "Thomson Cunningham Quinn Barnett Baxter Bibi Clayton Nash Greenwood Jennings Holt Kemp "
    "Poole Gallagher Bond Stokes Tucker Davidson Fowler Heath Norman Middleton Lawson Banks "
    "French Stanley Jarvis Gibbs Ferguson Hayward Carroll Douglas Nowak Kowalski Okafor Nguyen "
    "Mensah Chen Wong Begum Rahman Islam Mahmood Iqbal Mistry Chauhan Joshi Sharma Kumar Asante"
).split()

_TAIL_STARTS = (
    "Ash Brad Whit Hather Black Brom Ald Haw Mar Nor Sut Thorn Wal Wim Hal Thur Ing Chad "
    "Dart Ever Farn Glad Kel Lang Mid Pen Red Rush Sel Shel Stan Wes Wick Win Bur Crom Eld "
    "Ford Hart Holt Kirk Lin Mel Orm Pick Rad Sand Stoke Tal Til Ux Ven Wat Yar Bram Cal "
    "Dun Fen Gos Hep"
).split()
_TAIL_ENDS = (
    "worth ley field ton ham by well wood ford stone bridge combe hurst den wick dale gate "
    "more shaw land thorpe cott bury low well ridge brook croft grave leigh mer ington "
    "sworth borough stead son man ell er ey"
).split()

_GIVEN = {
    "F": (
        "Margaret Mary Patricia Susan Elizabeth Jean Sarah Linda Barbara Christine Helen "
        "Anne Janet Joan Dorothy Catherine Sandra Carol Pauline Julie Karen Jacqueline "
        "Deborah Angela Valerie Sheila Brenda Maureen Irene Doreen Eileen Joyce Kathleen "
        "Betty Shirley Sylvia Emma Laura Rebecca Claire Nicola Rachel Louise Victoria "
        "Hannah Amy Jessica Lucy Sophie Charlotte Emily Olivia Amelia Isla Grace Ava Chloe "
        "Ella Ruby Freya Alice Lily Evie Gladys Edna Ethel Florence Winifred Vera Hilda "
        "Elsie Marjorie Phyllis Rose Frances Gillian Lesley Wendy Alison Fiona Tracey "
        "Samantha Michelle Kelly Gemma Jennifer Amanda Ruth Judith Rosemary Eleanor Isabel "
        "Fatima Aisha Priya Agnieszka Siobhan"
    ).split(),
    "M": (
        "John David Michael Peter Robert James William Paul Richard Brian Stephen Anthony "
        "Thomas Christopher Kenneth George Alan Ronald Keith Ian Andrew Mark Colin Graham "
        "Raymond Derek Trevor Roger Malcolm Geoffrey Dennis Terence Leonard Frederick "
        "Arthur Albert Harold Ernest Walter Stanley Norman Frank Charles Edward Henry Daniel "
        "Matthew Simon Gary Neil Martin Kevin Jason Lee Darren Craig Wayne Stuart Adam "
        "Jonathan Benjamin Samuel Joseph Oliver Jack Harry Jacob Charlie Noah Leo Oscar "
        "Alfie Archie Alexander Philip Patrick Nicholas Timothy Gregory Douglas Bernard "
        "Gerald Lawrence Clifford Alfred Francis Mohammed Ahmed Rajesh Piotr Sean"
    ).split(),
}

_DISTRICTS = (
    "B23 B44 BS3 BS16 CF14 CV2 DE21 DN4 E17 EX4 G15 HU5 L4 LE3 LS8 M23 ME7 MK10 N9 NE6 NG5 "
    "NN3 NR3 OL9 PE1 PL5 PO4 RG2 S5 SE9 SK2 SN2 SO16 SR5 ST4 SW16 TS3 UB3 UB4 UB8 UB10 W7 "
    "WF2 WS2 WV10 YO24 HA4 HA5 TW6 TW7 CR0 IG1 RM3 DA1 BR1 EN3 KT1 SM1 NW10 N17 SE15 E6 "
    "BD3 HD2 BL1 WN5 PR1 BB1 CA2 LA1 DH1 TS1 SA1 NP20 LL11 AB10 DD1 EH11 KY1 BT5 CH1 CW1 "
    "WA5 TF3 HR1 WR5 GL1 BA1 TA1 TR1 TQ1 DT1 BH8 SP1 GU1 RH10 BN3 TN1 CT1 CO1 CM1 SS1 IP1 "
    "CB1 LU1 SG1 AL1 HP1 OX4 NN1 LN1 DL1 HG1 YO1"
).split()
_TOWNS = ("Testbury", "Mockford", "Sampleton", "Dummington", "Fictonbridge", "Synthby",
          "Placeholme", "Notreal-on-Sea", "Madeupton", "Pretendham")
_STREET_WORDS = ("Alder", "Beech", "Cedar", "Elm", "Hazel", "Larch", "Maple", "Oak", "Rowan",
                 "Willow", "Station", "Church", "Mill", "Park", "Victoria", "Queens", "Kings",
                 "Orchard", "Meadow", "Chapel", "School", "Manor", "Green", "Springfield")
_STREET_TYPES = ("Road", "Street", "Close", "Lane", "Avenue", "Way", "Drive", "Crescent",
                 "Gardens", "Court")
_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
_TEAMS = ("North Locality Team", "South Locality Team", "Hospital Discharge Team",
          "Learning Disability Team", "Mental Health Team", "Reablement Team",
          "Occupational Therapy Team", "Sensory Needs Team")
_LANGUAGES = (("English", 880), ("Polish", 20), ("Urdu", 18), ("Punjabi", 16),
              ("Bengali", 14), ("Gujarati", 10), ("Arabic", 10), ("Romanian", 8),
              ("Somali", 6), ("Tamil", 6), ("British Sign Language", 12))
_NEEDS = ("Needs an interpreter", "Hearing loss: speak clearly and slowly",
          "British Sign Language interpreter", "Large print letters", "Easy read information",
          "Speech difficulty: allow extra time")
_ALERTS = (("safeguarding", 0.06), ("risk_to_staff", 0.03), ("domestic_abuse", 0.02),
           ("fire_risk", 0.01))


def _zipf_weights(count: int, exponent: float = 1.0) -> list[float]:
    return [1.0 / (rank ** exponent) for rank in range(1, count + 1)]


@dataclass(frozen=True, slots=True)
class _Tables:
    head: list[str]
    head_cum: list[float]
    tail: list[str]
    tail_cum: list[float]
    given_cum: dict[str, tuple[list[str], list[float]]]
    districts: list[str]
    district_cum: list[float]


def _cumulative(weights: Sequence[float]) -> list[float]:
    total = 0.0
    out = []
    for w in weights:
        total += w
        out.append(total)
    return out


def _tables() -> _Tables:
    head = list(dict.fromkeys(_HEAD_SURNAMES))
    tail = [s + e.lower() for s in _TAIL_STARTS for e in _TAIL_ENDS]
    # A fixed shuffle of the tail so the Zipf ranks are not alphabetical.
    random.Random(7).shuffle(tail)
    given = {
        sex: (names, _cumulative(_zipf_weights(len(names), 0.9)))
        for sex, names in _GIVEN.items()
    }
    return _Tables(head, _cumulative(_zipf_weights(len(head), 0.75)), tail,
                   _cumulative(_zipf_weights(len(tail), 0.6)), given, list(_DISTRICTS),
                   _cumulative(_zipf_weights(len(_DISTRICTS), 0.3)))


def _valid_nhs_numbers(rng: random.Random, count: int) -> Iterator[str]:
    """Distinct valid NHS numbers in the never-issued 999 range, in a seeded order."""
    # An affine permutation of the million nine-digit prefixes 999000000..999999999:
    # a step coprime with 10**6 visits every prefix once, without a million-item shuffle.
    step = rng.randrange(1, 10**6 // 10) * 10 + rng.choice((1, 3, 7, 9))
    start = rng.randrange(10**6)
    found = 0
    for i in range(10**6):
        nine = f"999{(start + i * step) % 10**6:06d}"
        check = nhs_check_digit(nine)
        if check is not None:
            yield nine + str(check)
            found += 1
            if found == count:
                return


class PeopleGenerator:
    """Makes the same synthetic people for the same seed; use :func:`generate_people`."""

    def __init__(self, seed: int = 2026) -> None:
        self.seed = seed
        self._t = _tables()

    def _surname(self, rng: random.Random) -> str:
        t = self._t
        if rng.random() < 0.35:
            return rng.choices(t.head, cum_weights=t.head_cum)[0]
        return rng.choices(t.tail, cum_weights=t.tail_cum)[0]

    def _postcode(self, rng: random.Random, district: str | None = None) -> str:
        t = self._t
        district = district or rng.choices(t.districts, cum_weights=t.district_cum)[0]
        # A small pool of units per sector, so that neighbours share postcodes.
        sector = rng.randrange(10)
        unit = rng.randrange(60)
        letters = _UNIT_LETTERS[unit % 20] + _UNIT_LETTERS[(unit * 7 + sector) % 20]
        return f"{district} {sector}{letters}"

    def _address(self, rng: random.Random, postcode: str) -> str:
        district = postcode.split()[0]
        town = _TOWNS[sum(map(ord, district)) % len(_TOWNS)]
        street = f"{rng.choice(_STREET_WORDS)} {rng.choice(_STREET_TYPES)}"
        return f"{rng.randint(1, 180)} {street}, {town}"

    def people(self, count: int) -> Iterator[PersonRecord]:
        """Yield ``count`` people, the same ones every time for this seed."""
        if not 0 <= count <= MAX_PEOPLE:
            raise RequestError(f"Cannot generate {count} people; choose from 0 to "
                               f"{MAX_PEOPLE:,}.")
        rng = random.Random(self.seed)
        nhs_iter = _valid_nhs_numbers(random.Random(self.seed + 1), count)
        t = self._t
        for i in range(count):
            sex = "F" if rng.random() < 0.53 else "M"
            names, cum = t.given_cum[sex]
            given = rng.choices(names, cum_weights=cum)[0]
            if rng.random() < 0.12:
                second = rng.choices(names, cum_weights=cum)[0]
                if second != given:
                    given = f"{given} {second}"
            family = self._surname(rng)
            if rng.random() < 0.03:
                family = f"{family}-{self._surname(rng)}"
            age = min(104, 18 + int(rng.betavariate(3.2, 1.4) * 87))
            dob = TODAY - timedelta(days=age * 365 + rng.randrange(365))
            previous: list[str] = []
            if sex == "F" and age > 24 and rng.random() < 0.45:
                previous.append(self._surname(rng))
            elif rng.random() < 0.03:
                previous.append(self._surname(rng))
            aliases: list[str] = []
            first = given.split()[0].lower()
            if first in NICKNAMES and rng.random() < 0.15:
                aliases.append(f"{rng.choice(NICKNAMES[first]).title()} {family}")
            postcode = self._postcode(rng)
            address = self._address(rng, postcode)
            prev_pcs: list[str] = []
            prev_addrs: list[str] = []
            for _ in range(rng.choices((0, 1, 2), weights=(62, 30, 8))[0]):
                same = postcode.split()[0] if rng.random() < 0.6 else None
                old = self._postcode(rng, same)
                prev_pcs.append(old)
                prev_addrs.append(self._address(rng, old))
            is_open = rng.random() < 0.25
            opened = TODAY - timedelta(days=rng.randrange(30, 3650))
            closed = None if is_open else min(
                TODAY - timedelta(days=1), opened + timedelta(days=rng.randrange(14, 900)))
            worker = None
            team = None
            if is_open:
                wsex = rng.choice(("F", "M"))
                worker = f"{rng.choice(t.given_cum[wsex][0])} {self._surname(rng)}"
                team = rng.choice(_TEAMS)
            alerts = tuple(a for a, p in _ALERTS if rng.random() < p)
            language = rng.choices([x[0] for x in _LANGUAGES],
                                   weights=[x[1] for x in _LANGUAGES])[0]
            needs = rng.choice(_NEEDS) if (language != "English" or rng.random() < 0.05) \
                else None
            nhs = next(nhs_iter, None) if rng.random() < 0.9 else None
            yield PersonRecord(
                system_id=f"SYN{i + 1:07d}",
                nhs_number=nhs,
                given_name=given,
                family_name=family,
                previous_family_names=tuple(previous),
                aliases=tuple(aliases),
                date_of_birth=dob,
                sex=sex,
                address=address,
                postcode=postcode,
                previous_addresses=tuple(prev_addrs),
                previous_postcodes=tuple(prev_pcs),
                case_status=CaseStatus.OPEN if is_open else CaseStatus.CLOSED,
                case_opened=opened,
                case_closed=closed,
                allocated_worker=worker,
                team=team,
                alerts=alerts,
                preferred_language=language,
                communication_needs=needs,
            )


def generate_people(count: int, *, seed: int = 2026) -> Iterator[PersonRecord]:
    """Yield ``count`` obviously fake people; the same seed gives the same people."""
    return PeopleGenerator(seed).people(count)


# --------------------------------------------------------------------------- CSV export

CSV_COLUMNS: dict[str, str] = {
    # field -> column heading in the demo export (see data/demo-mapping.yaml)
    "system_id": "Person ID",
    "nhs_number": "NHS Number",
    "given_name": "Forenames",
    "family_name": "Surname",
    "previous_family_names": "Previous Surnames",
    "aliases": "Also Known As",
    "date_of_birth": "Date of Birth",
    "sex": "Gender",
    "address": "Address",
    "postcode": "Postcode",
    "previous_addresses": "Previous Addresses",
    "previous_postcodes": "Previous Postcodes",
    "case_status": "Case Status",
    "case_opened": "Case Start",
    "case_closed": "Case End",
    "allocated_worker": "Allocated Worker",
    "team": "Team",
    "alerts": "Alerts",
    "preferred_language": "Preferred Language",
    "communication_needs": "Communication Needs",
}


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, tuple):
        return "; ".join(str(v) for v in value)
    if isinstance(value, CaseStatus):
        return "Open" if value is CaseStatus.OPEN else "Closed"
    return str(value)


def write_csv(path: Path, people: Iterator[PersonRecord] | Sequence[PersonRecord]) -> int:
    """Write people as a case-management style export (dd/mm/yyyy, "; " lists)."""
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS.values())
        for person in people:
            writer.writerow(_cell(getattr(person, f)) for f in CSV_COLUMNS)
            count += 1
    return count


# --------------------------------------------------------------------------- phone queries


@dataclass(frozen=True, slots=True)
class LabelledQuery:
    """What a caller said, the person it is about (None if not on the index), and how."""

    details: SearchDetails
    person_id: str | None
    kinds: tuple[str, ...]


_KEYBOARD_NEAR = {c: n for c, n in zip("abcdefghijklmnopqrstuvwxyz",
                                        "sxvsrdfgujlkjbipwtawyczetx", strict=True)}


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:  # swap two letters
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind == 1:  # drop a letter
        return word[:i] + word[i + 1:]
    if kind == 2:  # double a letter
        return word[:i] + word[i] + word[i:]
    near = _KEYBOARD_NEAR.get(word[i].lower(), word[i])
    return word[:i] + near + word[i + 1:]


_PHONETIC = (("ph", "f"), ("ck", "k"), ("ie", "y"), ("ey", "y"), ("son", "sen"),
             ("th", "t"), ("ll", "l"), ("ou", "ow"), ("c", "k"), ("ee", "ea"), ("y", "i"))


def _phonetic(rng: random.Random, word: str) -> str:
    lowered = word.lower()
    options = [(a, b) for a, b in _PHONETIC if a in lowered[1:]]
    if not options:
        return _typo(rng, word)
    a, b = rng.choice(options)
    i = lowered.index(a, 1)
    return word[:i] + b + word[i + len(a):]


def _dob_slip(rng: random.Random, dob: date) -> tuple[str, str]:
    kind = rng.randrange(4)
    if kind == 0 and dob.day <= 12 and dob.day != dob.month:
        return f"{dob.month:02d}/{dob.day:02d}/{dob.year}", "dob_day_month_swapped"
    if kind == 1:
        return str(dob.year), "dob_year_only"
    text = dob.strftime("%Y%m%d")
    for _ in range(20):
        i = rng.choice((2, 3, 4, 5, 6, 7))
        candidate = text[:i] + str(rng.randrange(10)) + text[i + 1:]
        try:
            wrong = date(int(candidate[:4]), int(candidate[4:6]), int(candidate[6:]))
        except ValueError:
            continue
        if wrong != dob and wrong <= TODAY:
            return wrong.isoformat(), "dob_one_digit_wrong"
    return str(dob.year), "dob_year_only"


def _postcode_slip(rng: random.Random, postcode: str) -> str:
    out, inward = postcode.split()
    letters = list(inward)
    i = rng.choice((1, 2))
    letters[i] = rng.choice([c for c in _UNIT_LETTERS if c != letters[i]])
    return f"{out} {''.join(letters)}"


def phone_query(rng: random.Random, person: PersonRecord) -> LabelledQuery:
    """What a caller might say about ``person``: one to three slips and gaps."""
    kinds: list[str] = []
    first = person.given_name.split()[0]
    given: str | None = first
    family: str | None = person.family_name
    dob: str | None = person.date_of_birth.isoformat() if person.date_of_birth else None
    postcode: str | None = person.postcode
    address: str | None = None
    nhs: str | None = None
    if person.nhs_number and rng.random() < 0.1:
        nhs = person.nhs_number
        kinds.append("nhs_number")
    slips = rng.sample(range(9), k=rng.choice((1, 1, 2, 2, 3)))
    # Swapping given and family names comes last, so it swaps what the caller said.
    slips.sort(key=lambda slip: slip == 4)
    for slip in slips:
        if slip == 0 and given:
            given = _typo(rng, given)
            kinds.append("given_typo")
        elif slip == 1 and family:
            family = _typo(rng, family) if rng.random() < 0.5 else _phonetic(rng, family)
            kinds.append("family_typo")
        elif slip == 2 and first.lower() in NICKNAMES:
            given = rng.choice(NICKNAMES[first.lower()]).title()
            kinds.append("nickname")
        elif slip == 3 and person.previous_family_names:
            family = person.previous_family_names[0]
            kinds.append("previous_name")
        elif slip == 4 and given and family:
            given, family = family, given
            kinds.append("names_swapped")
        elif slip == 5 and person.date_of_birth:
            dob, kind = _dob_slip(rng, person.date_of_birth)
            kinds.append(kind)
        elif slip == 6 and dob and postcode:
            dob = None
            kinds.append("dob_missing")
        elif slip == 7 and person.previous_postcodes:
            postcode = person.previous_postcodes[0]
            kinds.append("old_postcode")
        elif slip == 8 and postcode:
            if rng.random() < 0.5:
                postcode = _postcode_slip(rng, postcode)
                kinds.append("postcode_one_character_wrong")
            elif dob:
                postcode = None
                kinds.append("postcode_missing")
    if rng.random() < 0.15 and person.address:
        address = person.address
        kinds.append("address")
    return LabelledQuery(
        SearchDetails(nhs_number=nhs, given_name=given, family_name=family,
                      date_of_birth=dob, postcode=postcode, address=address),
        person.system_id, tuple(kinds) or ("exact",))


def phone_queries(indexed: Sequence[PersonRecord], absent: Sequence[PersonRecord], count: int,
                  *, seed: int = 99, absent_share: float = 0.2) -> list[LabelledQuery]:
    """Labelled phone-style queries: about indexed people, and about people not indexed."""
    rng = random.Random(seed)
    out: list[LabelledQuery] = []
    for _ in range(count):
        if absent and rng.random() < absent_share:
            q = phone_query(rng, rng.choice(absent))
            out.append(replace(q, person_id=None))
        else:
            out.append(phone_query(rng, rng.choice(indexed)))
    return out
