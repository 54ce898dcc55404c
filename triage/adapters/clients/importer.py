"""Import people from a case-management export (CSV) using a column-mapping file.

The pipeline, one function per stage: :func:`load_mapping` (YAML file -> checked
:class:`ColumnMapping`), :func:`read_export` (CSV -> people, collecting every problem
with its row, field and reason), and :func:`import_csv`, which writes the people in one
transaction only when there were no problems, so a failed import leaves the index
exactly as it was. A re-import updates people by system id.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from triage.adapters.clients.store import ImportSummary, StoredClientIndex
from triage.errors import ImportProblem, ImportRejected, MappingError, RequestError
from triage.matching.normalise import EARLIEST_BIRTH_YEAR, name_tokens
from triage.matching.records import CaseStatus, PersonRecord
from triage.vocabulary import (
    format_postcode,
    has_postcode_characters,
    is_full_postcode,
    nhs_number_problem,
    normalise_postcode,
)

FIELDS: dict[str, str] = {
    "system_id": "the person's id in the case-management system (required)",
    "nhs_number": "10-digit NHS number",
    "given_name": "given name(s) (required column; a cell may be blank or a placeholder)",
    "family_name": "family name (required column; a cell may be blank or a placeholder)",
    "previous_family_names": "previous family names, e.g. a maiden name (list)",
    "aliases": "other full names the person is known by, 'Given Family' (list)",
    "date_of_birth": "date of birth (required column; a cell may be blank)",
    "sex": "sex or gender as recorded",
    "address": "current address",
    "postcode": "current postcode",
    "previous_addresses": "previous addresses (list)",
    "previous_postcodes": "previous postcodes (list)",
    "case_status": "open or closed (required)",
    "case_opened": "date the case opened",
    "case_closed": "date the case closed",
    "allocated_worker": "allocated worker",
    "team": "allocated team",
    "alerts": "alerts such as safeguarding or risk_to_staff (list)",
    "preferred_language": "preferred language",
    "communication_needs": "communication needs",
}
REQUIRED_FIELDS = ("system_id", "given_name", "family_name", "date_of_birth", "case_status")
LIST_FIELDS = ("previous_family_names", "aliases", "previous_addresses", "previous_postcodes",
               "alerts")
MAX_CELL_LENGTH = 500
MAX_NAME_LENGTH = 100
_MAPPING_KEYS = ("version", "delimiter", "encoding", "list_separator", "date_formats",
                 "columns", "ignore_columns", "case_status_values", "alert_values",
                 "placeholder_names")
DEFAULT_PLACEHOLDERS = ("Unknown", "Not known", "Not recorded", "?", "-", "N/A")
# Columns a quarantine file adds after the export's own; an import ignores them, so a
# data officer can fix the rows in place and import the file again.
QUARANTINE_ROW = "Quarantine: row"
QUARANTINE_REASON = "Quarantine: problems"
QUARANTINE_COLUMNS = (QUARANTINE_ROW, QUARANTINE_REASON)


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """How the columns of one export map to client-index fields, and how to read them."""

    columns: dict[str, str]  # field -> column heading
    ignore_columns: tuple[str, ...] = ()
    delimiter: str = ","
    encoding: str = "utf-8-sig"
    list_separator: str = ";"
    date_formats: tuple[str, ...] = ("%d/%m/%Y", "%Y-%m-%d")
    case_status_values: dict[str, CaseStatus] = field(default_factory=lambda: {
        "open": CaseStatus.OPEN, "closed": CaseStatus.CLOSED})
    alert_values: dict[str, str] = field(default_factory=dict)  # export code -> alert
    # Names that mean "not known" (compared without case): such a name is missing.
    placeholder_names: tuple[str, ...] = DEFAULT_PLACEHOLDERS


# --------------------------------------------------------------------------- mapping file


def _problem(path: str, where: str, message: str) -> str:
    return f"{path}: {where}: {message}" if where else f"{path}: {message}"


def parse_mapping(raw: Any, *, path: str = "mapping") -> ColumnMapping:
    """Check a parsed mapping document; raise :class:`MappingError` listing every problem."""
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise MappingError(f"{path}: the mapping file must be a YAML mapping with a 'columns' "
                           f"section, not {type(raw).__name__}.", path=path)
    for key in raw:
        if key not in _MAPPING_KEYS:
            problems.append(_problem(path, str(key), "unknown setting; the settings are: "
                                     + ", ".join(_MAPPING_KEYS) + "."))
    columns_raw = raw.get("columns")
    columns: dict[str, str] = {}
    if not isinstance(columns_raw, dict):
        problems.append(_problem(path, "columns", "a 'columns' section mapping each field to "
                                 "a column heading is required."))
    else:
        for fld, heading in columns_raw.items():
            if fld not in FIELDS:
                problems.append(_problem(path, f"columns.{fld}", "unknown field; the fields "
                                         "are: " + ", ".join(FIELDS) + "."))
            elif not isinstance(heading, str) or not heading.strip():
                problems.append(_problem(path, f"columns.{fld}", f"the column heading must be "
                                         f"text, not {heading!r}."))
            else:
                columns[str(fld)] = heading.strip()
        for fld in REQUIRED_FIELDS:
            if fld not in columns_raw:
                problems.append(_problem(path, f"columns.{fld}", f"the field '{fld}' is "
                                         f"required ({FIELDS[fld]}) but is not mapped."))
        headings = list(columns.values())
        for heading in sorted({h for h in headings if headings.count(h) > 1}):
            problems.append(_problem(path, "columns", f"the column '{heading}' is mapped to "
                                     "more than one field."))

    def text_setting(name: str, default: str) -> str:
        value = raw.get(name, default)
        if not isinstance(value, str) or not value:
            problems.append(_problem(path, name, f"must be text, not {value!r}."))
            return default
        return value

    delimiter = text_setting("delimiter", ",")
    if len(delimiter) != 1:
        problems.append(_problem(path, "delimiter", f"must be one character, not {delimiter!r}."))
        delimiter = ","
    encoding = text_setting("encoding", "utf-8-sig")
    try:
        "".encode(encoding)
    except LookupError:
        problems.append(_problem(path, "encoding", f"'{encoding}' is not a known text "
                                 "encoding; use utf-8 or cp1252, for example."))
        encoding = "utf-8-sig"
    separator = text_setting("list_separator", ";")
    formats_raw = raw.get("date_formats", ["%d/%m/%Y", "%Y-%m-%d"])
    formats: list[str] = []
    if isinstance(formats_raw, str):
        formats_raw = [formats_raw]
    if not isinstance(formats_raw, list) or not formats_raw:
        problems.append(_problem(path, "date_formats", "must be a list of strptime formats "
                                 "such as '%d/%m/%Y'."))
    else:
        for fmt in formats_raw:
            if not isinstance(fmt, str) or "%Y" not in fmt:
                problems.append(_problem(path, "date_formats", f"the format {fmt!r} must "
                                         "contain %Y (a four-digit year)."))
            else:
                formats.append(fmt)
    ignore_raw = raw.get("ignore_columns", []) or []
    if not isinstance(ignore_raw, list) or not all(isinstance(c, str) for c in ignore_raw):
        problems.append(_problem(path, "ignore_columns", "must be a list of column headings."))
        ignore_raw = []
    status_values: dict[str, CaseStatus] = {}
    status_raw = raw.get("case_status_values", {"open": ["open"], "closed": ["closed"]})
    if not isinstance(status_raw, dict):
        problems.append(_problem(path, "case_status_values", "must map open and closed to "
                                 "lists of the values used in the export."))
    else:
        for status, values in status_raw.items():
            if status not in ("open", "closed"):
                problems.append(_problem(path, f"case_status_values.{status}", "unknown case "
                                         "status; use open or closed."))
                continue
            for value in values if isinstance(values, list) else [values]:
                status_values[str(value).strip().casefold()] = CaseStatus(status)
    alert_values: dict[str, str] = {}
    alerts_raw = raw.get("alert_values", {}) or {}
    if not isinstance(alerts_raw, dict):
        problems.append(_problem(path, "alert_values", "must map export alert codes to alert "
                                 "names such as safeguarding."))
    else:
        alert_values = {str(k).strip().casefold(): _alert_name(str(v))
                        for k, v in alerts_raw.items()}
    placeholders_raw = raw.get("placeholder_names", list(DEFAULT_PLACEHOLDERS))
    if not isinstance(placeholders_raw, list) or not all(
            isinstance(v, str) and v.strip() for v in placeholders_raw):
        problems.append(_problem(path, "placeholder_names", "must be a list of the names the "
                                 "export uses for 'not known', such as Unknown or '?'."))
        placeholders_raw = list(DEFAULT_PLACEHOLDERS)
    if problems:
        raise MappingError("The column mapping is not usable:\n" + "\n".join(problems),
                           path=path)
    return ColumnMapping(columns=columns, ignore_columns=tuple(ignore_raw), delimiter=delimiter,
                         encoding=encoding, list_separator=separator,
                         date_formats=tuple(formats), case_status_values=status_values,
                         alert_values=alert_values,
                         placeholder_names=tuple(v.strip() for v in placeholders_raw))


def load_mapping(path: Path | str) -> ColumnMapping:
    """Read and check a YAML column-mapping file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(f"Cannot read the mapping file '{path}': {exc}.",
                           path=str(path)) from exc
    try:
        raw = YAML(typ="safe").load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise MappingError(f"{path}{where}: the mapping file is not valid YAML: "
                           f"{getattr(exc, 'problem', None) or exc}.", path=str(path)) from exc
    return parse_mapping(raw, path=str(path))


# --------------------------------------------------------------------------- reading rows


def _alert_name(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.strip().casefold()).strip("_")


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" for ch in text)


class _RowReader:
    """Turns one CSV row into a person, noting each problem against the row and field."""

    def __init__(self, mapping: ColumnMapping, cells: dict[str, str], row: int,
                 problems: list[ImportProblem]) -> None:
        self.m = mapping
        self.cells = cells
        self.row = row
        self.problems = problems

    def fail(self, fld: str, reason: str) -> None:
        self.problems.append(ImportProblem(self.row, fld, reason))

    def text(self, fld: str, *, required: bool = False, limit: int = MAX_CELL_LENGTH) -> str:
        value = self.cells.get(fld, "").strip()
        if required and not value:
            self.fail(fld, f"the {fld.replace('_', ' ')} is required but the cell "
                      f"'{self.m.columns[fld]}' is empty.")
        if len(value) > limit:
            self.fail(fld, f"the value is {len(value)} characters long; the longest accepted "
                      f"is {limit}.")
            return ""
        if _has_control(value):
            self.fail(fld, "the value contains control characters.")
            return ""
        return value

    def items(self, fld: str) -> tuple[str, ...]:
        value = self.text(fld)
        if not value:
            return ()
        return tuple(p.strip() for p in value.split(self.m.list_separator) if p.strip())

    def name(self, fld: str, *, required: bool = False) -> str:
        value = self.text(fld, required=required, limit=MAX_NAME_LENGTH)
        if value.casefold() in {p.casefold() for p in self.m.placeholder_names}:
            return ""
        if value and not name_tokens(value):
            self.fail(fld, f"the name '{value}' has no letters in it; if the export uses it "
                      "for 'not known', add it to placeholder_names in the mapping.")
        return value

    def when(self, fld: str, *, birth: bool = False) -> date | None:
        value = self.text(fld)
        if not value:
            return None
        for fmt in self.m.date_formats:
            try:
                parsed = datetime.strptime(value, fmt).date()
            except ValueError:
                continue
            if parsed > date.today():
                self.fail(fld, f"the date '{value}' is in the future.")
                return None
            if birth and parsed.year < EARLIEST_BIRTH_YEAR:
                self.fail(fld, f"the date of birth '{value}' is before {EARLIEST_BIRTH_YEAR}.")
                return None
            return parsed
        self.fail(fld, f"'{value}' is not a real date in the formats "
                  f"{', '.join(self.m.date_formats)}.")
        return None

    def postcode(self, value: str, fld: str) -> str | None:
        if re.search(r"[^A-Za-z0-9 ]", value.strip()):
            self.fail(fld, f"'{value}' has characters a postcode does not have (only the "
                      "letters A to Z, digits and one space, such as SW1A 1AA); it was not "
                      "rewritten into a postcode.")
            return None
        pc = normalise_postcode(value)
        if not (has_postcode_characters(value) and is_full_postcode(pc)):
            self.fail(fld, f"'{value}' is not a full UK postcode (such as SW1A 1AA).")
            return None
        return format_postcode(pc)

    def person(self) -> PersonRecord | None:
        before = len(self.problems)
        system_id = self.text("system_id", required=True, limit=64)
        nhs = self.text("nhs_number")
        if nhs:
            problem = nhs_number_problem(nhs)
            if problem:
                self.fail("nhs_number", problem.split(" Please ask")[0])
            nhs = re.sub(r"[\s\-]", "", nhs)
        given = self.name("given_name")
        family = self.name("family_name")
        previous = self.items("previous_family_names")
        for p in previous:
            if not name_tokens(p):
                self.fail("previous_family_names", f"the name '{p}' has no letters in it.")
        aliases = self.items("aliases")
        dob = self.when("date_of_birth", birth=True)
        postcode_text = self.text("postcode")
        postcode = self.postcode(postcode_text, "postcode") if postcode_text else None
        prev_pcs = tuple(pc for pc in (self.postcode(p, "previous_postcodes")
                                       for p in self.items("previous_postcodes")) if pc)
        status_text = self.text("case_status", required=True)
        status = self.m.case_status_values.get(status_text.casefold())
        if status_text and status is None:
            allowed = ", ".join(sorted(self.m.case_status_values))
            self.fail("case_status", f"'{status_text}' is not a case status in the mapping; "
                      f"the values are: {allowed}.")
        opened = self.when("case_opened")
        closed = self.when("case_closed")
        if opened and closed and closed < opened:
            self.fail("case_closed", f"the case closed ({closed.isoformat()}) before it "
                      f"opened ({opened.isoformat()}).")
        alerts = tuple(dict.fromkeys(
            self.m.alert_values.get(a.casefold(), _alert_name(a)) for a in self.items("alerts")))
        if len(self.problems) == before and not nhs and dob is None and not (given and family):
            have = "only a family name" if family else "only a given name" if given else \
                "no name"
            self.fail("given_name" if family else "family_name",
                      f"the row has {have} and no NHS number or date of birth, so the person "
                      "could not be found again; a person needs a full name, an NHS number "
                      "or a date of birth.")
        if len(self.problems) > before:
            return None
        missing = tuple(f for f, v in (("given_name", given), ("family_name", family)) if not v)
        return PersonRecord(
            missing_details=missing,
            system_id=system_id,
            nhs_number=nhs or None,
            given_name=given,
            family_name=family,
            previous_family_names=previous,
            aliases=aliases,
            date_of_birth=dob,
            sex=self.text("sex") or None,
            address=self.text("address") or None,
            postcode=postcode,
            previous_addresses=self.items("previous_addresses"),
            previous_postcodes=prev_pcs,
            case_status=status or CaseStatus.CLOSED,
            case_opened=opened,
            case_closed=closed,
            allocated_worker=self.text("allocated_worker") or None,
            team=self.text("team") or None,
            alerts=tuple(a for a in alerts if a),
            preferred_language=self.text("preferred_language") or None,
            communication_needs=self.text("communication_needs") or None,
        )


def _check_header(header: Sequence[str], mapping: ColumnMapping) -> list[ImportProblem]:
    problems = []
    seen: set[str] = set()
    for heading in header:
        if heading in seen:
            problems.append(ImportProblem(1, None, f"the column '{heading}' appears more than "
                                          "once in the header."))
        seen.add(heading)
    mapped = set(mapping.columns.values())
    for fld, heading in mapping.columns.items():
        if heading not in seen:
            problems.append(ImportProblem(1, fld, f"the mapped column '{heading}' is missing "
                                          "from the file; its columns are: "
                                          + ", ".join(header) + "."))
    for heading in header:
        if heading not in mapped and heading not in mapping.ignore_columns \
                and heading not in QUARANTINE_COLUMNS:
            problems.append(ImportProblem(1, None, f"the column '{heading}' is not in the "
                                          "mapping; map it to a field or list it under "
                                          "ignore_columns."))
    return problems


@dataclass(frozen=True, slots=True)
class RejectedRow:
    """A row of an export that could not be imported, with its cells and problems."""

    row: int
    cells: tuple[str, ...]
    problems: tuple[ImportProblem, ...]


@dataclass(frozen=True, slots=True)
class ExportRows:
    """What an export holds: the people that can be imported and the rows that cannot."""

    header: tuple[str, ...]
    people: tuple[PersonRecord, ...]
    rejected: tuple[RejectedRow, ...] = ()


def parse_export(text: str, mapping: ColumnMapping, *, source: str = "",
                 quarantine: bool = False) -> ExportRows:
    """Read the text of an export.

    Without ``quarantine`` any problem raises :class:`ImportRejected` listing every
    problem. With it, rows with problems are returned as rejected rows instead; problems
    with the whole file (its header, a row that breaks the CSV, a repeated system id)
    still reject it whole.
    """
    fatal: list[ImportProblem] = []
    rejected: list[RejectedRow] = []
    people: list[PersonRecord] = []
    first_row: dict[str, int] = {}
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=mapping.delimiter,
                        strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ImportRejected([ImportProblem(None, None, "the file is empty: there is no header "
                                            "row.")], source=source) from None
    except csv.Error as exc:
        raise ImportRejected([ImportProblem(1, None, f"the header row cannot be read: {exc}.")],
                             source=source) from exc
    fatal += _check_header(header, mapping)
    if fatal:
        raise ImportRejected(fatal, source=source)
    position = {h: i for i, h in enumerate(header)}
    line = reader.line_num
    while True:
        start = line + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            fatal.append(ImportProblem(start, None, f"the row cannot be read as CSV: {exc}."))
            break
        line = reader.line_num
        if not cells or all(not c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            rejected.append(RejectedRow(start, tuple(cells), (ImportProblem(
                start, None, f"the row has {len(cells)} cells but the header has "
                f"{len(header)} columns."),)))
            continue
        values = {fld: cells[position[h]] for fld, h in mapping.columns.items()}
        row_problems: list[ImportProblem] = []
        person = _RowReader(mapping, values, start, row_problems).person()
        if person is None or row_problems:
            rejected.append(RejectedRow(start, tuple(cells), tuple(row_problems)))
            continue
        if person.system_id in first_row:
            fatal.append(ImportProblem(start, "system_id", f"the system id "
                                       f"'{person.system_id}' is already used on row "
                                       f"{first_row[person.system_id]}."))
            continue
        first_row[person.system_id] = start
        people.append(person)
    row_problems_all = [p for r in rejected for p in r.problems]
    if fatal or (rejected and not quarantine):
        problems = sorted(fatal + row_problems_all, key=lambda p: p.row or 0)
        raise ImportRejected(problems, source=source)
    return ExportRows(tuple(header), tuple(people), tuple(rejected))


def _read_text(path: Path, mapping: ColumnMapping) -> str:
    try:
        return path.read_bytes().decode(mapping.encoding)
    except OSError as exc:
        raise ImportRejected([ImportProblem(None, None, f"the file cannot be read: {exc}.")],
                             source=str(path)) from exc
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise ImportRejected([ImportProblem(line, None, f"the file is not valid "
                                            f"{mapping.encoding} text ({exc.reason}); set "
                                            "'encoding' in the mapping.")],
                             source=str(path)) from exc


def read_export(path: Path | str, mapping: ColumnMapping) -> list[PersonRecord]:
    """Read an export file; raise :class:`ImportRejected` listing every problem."""
    path = Path(path)
    return list(parse_export(_read_text(path, mapping), mapping, source=str(path)).people)


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did: people written, incomplete records, rows set aside."""

    added: int
    updated: int
    incomplete: int = 0
    missing_given: int = 0
    missing_family: int = 0
    quarantined: int = 0
    quarantine_path: str | None = None

    @property
    def total(self) -> int:
        """People written."""
        return self.added + self.updated


def _check_quarantine(path: Path) -> bool:
    """Refuse, before anything is imported, a quarantine file that cannot be written;
    return whether it existed already (it is not emptied until the rows are known)."""
    existed = path.exists()
    try:
        if path.is_dir():
            raise IsADirectoryError(21, "it is a folder")
        with path.open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise RequestError(f"The quarantine file '{path}' cannot be written ({reason}); "
                           "nothing was imported. Choose a path in a folder you can write "
                           "to.") from None


    return existed


def _write_quarantine(path: Path, rows: ExportRows, source: str, delimiter: str) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        _write_rows(csv.writer(handle, delimiter=delimiter), rows, source)


def _write_rows(writer: Any, rows: ExportRows, source: str) -> None:
    writer.writerow([*rows.header, *QUARANTINE_COLUMNS])
    for bad in rows.rejected:
        cells = list(bad.cells[:len(rows.header)])
        cells += [""] * (len(rows.header) - len(cells))
        writer.writerow([*cells, f"{source}:{bad.row}",
                         " | ".join(p.render() for p in bad.problems)])


def import_csv(index: StoredClientIndex, csv_path: Path | str,
               mapping: ColumnMapping | Path | str, *,
               quarantine: Path | str | None = None) -> ImportReport:
    """Import an export into the index; re-import updates by system id.

    All rows or none, unless ``quarantine`` names a file: then rows with problems are
    written there (the export's columns, then the row they came from and the problems)
    and the good rows are imported. A quarantine file that cannot be written refuses the
    import before anything is read; problems with the whole file still refuse it whole.
    """
    if not isinstance(mapping, ColumnMapping):
        mapping = load_mapping(mapping)
    csv_path = Path(csv_path)
    aside = Path(quarantine) if quarantine is not None else None
    existed = _check_quarantine(aside) if aside is not None else True
    try:
        rows = parse_export(_read_text(csv_path, mapping), mapping, source=str(csv_path),
                            quarantine=aside is not None)
    except ImportRejected:
        if aside is not None and not existed:
            aside.unlink(missing_ok=True)
        raise
    if aside is not None:
        _write_quarantine(aside, rows, str(csv_path), mapping.delimiter)
    people = list(rows.people)
    if index.count() == 0:
        # A first import of a whole export: the fast path, still one transaction.
        summary = ImportSummary(added=index.bulk_load(people), updated=0)
    else:
        summary = index.add_people(people)
    return ImportReport(
        added=summary.added, updated=summary.updated,
        incomplete=sum(p.incomplete for p in people),
        missing_given=sum("given_name" in p.missing_details for p in people),
        missing_family=sum("family_name" in p.missing_details for p in people),
        quarantined=len(rows.rejected),
        quarantine_path=str(quarantine) if quarantine is not None else None)
