"""Importing a case-management export: the mapping file, per-row problems, all or nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from triage.adapters.clients.importer import import_csv, load_mapping, parse_mapping
from triage.adapters.clients.store import StoredClientIndex
from triage.errors import ImportRejected, MappingError, RequestError
from triage.matching.port import KnownStatus, SearchDetails

DATA = Path(__file__).resolve().parents[2] / "data"
DEMO_CSV = DATA / "demo-clients.csv"
DEMO_MAPPING = DATA / "demo-mapping.yaml"
HEADER = DEMO_CSV.read_text(encoding="utf-8").splitlines()[0]
GOOD_ROW = ("R1,9990000018,Margaret,Quarmby,Ostrowski,Peggy Quarmby,12/03/1948,F,"
            "\"3 Alder Close, Testbury\",UB8 1QA,,,Open,01/02/2024,,Sam Worker,"
            "North Locality Team,SG; risk to staff,Polish,Needs an interpreter")


def _csv(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "export.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _row(**cells: str) -> str:
    """GOOD_ROW with some cells replaced, by column heading."""
    import csv
    import io

    headings = next(csv.reader([HEADER]))
    values = next(csv.reader([GOOD_ROW]))
    for heading, value in cells.items():
        values[headings.index(heading.replace("_", " "))] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(values)
    return out.getvalue()


def _rejected(index: StoredClientIndex, path: Path) -> ImportRejected:
    before = index.count()
    with pytest.raises(ImportRejected) as caught:
        import_csv(index, path, DEMO_MAPPING)
    assert index.count() == before
    return caught.value


def test_the_demo_export_imports_with_its_mapping(empty_index: StoredClientIndex) -> None:
    summary = import_csv(empty_index, DEMO_CSV, DEMO_MAPPING)
    assert (summary.added, summary.updated) == (208, 0)
    statuses = {empty_index.get(f"SYN{i:07d}").known_status  # type: ignore[union-attr]
                for i in range(1, 209)}
    assert statuses == {KnownStatus.OPEN, KnownStatus.PREVIOUSLY_KNOWN}


def test_a_row_is_read_into_every_field(empty_index: StoredClientIndex, tmp_path: Path) -> None:
    import_csv(empty_index, _csv(tmp_path, GOOD_ROW), DEMO_MAPPING)
    person = empty_index.person("R1")
    assert person is not None
    assert person.previous_family_names == ("Ostrowski",)
    assert person.aliases == ("Peggy Quarmby",)
    assert person.alerts == ("safeguarding", "risk_to_staff")
    assert person.postcode == "UB8 1QA"
    record = empty_index.get("R1")
    assert record is not None and record.known_status is KnownStatus.OPEN
    assert record.allocated_worker == "Sam Worker"


def test_re_importing_updates_people_by_system_id(empty_index: StoredClientIndex,
                                                  tmp_path: Path) -> None:
    import_csv(empty_index, _csv(tmp_path, GOOD_ROW), DEMO_MAPPING)
    summary = import_csv(empty_index, _csv(tmp_path, _row(Surname="Sallow", Case_Status="Closed",
                                                          Case_End="01/03/2025")), DEMO_MAPPING)
    assert (summary.added, summary.updated) == (0, 1)
    assert empty_index.count() == 1
    record = empty_index.get("R1")
    assert record is not None and record.known_status is KnownStatus.PREVIOUSLY_KNOWN
    result = empty_index.search(SearchDetails(family_name="Sallow", date_of_birth="1948-03-12"))
    assert result.candidates[0].person_id == "R1"


def test_a_failed_import_leaves_the_index_exactly_as_it_was(empty_index: StoredClientIndex,
                                                            tmp_path: Path) -> None:
    import_csv(empty_index, _csv(tmp_path, GOOD_ROW), DEMO_MAPPING)
    before = empty_index.person("R1")
    bad = _csv(tmp_path, _row(Surname="Changed"), _row(Person_ID="R2", NHS_Number="123"))
    _rejected(empty_index, bad)
    assert empty_index.person("R1") == before
    assert empty_index.person("R2") is None


@pytest.mark.parametrize("cells,row_field,reason", [
    ({"NHS_Number": "9990000019"}, "nhs_number",
     "The NHS number '9990000019' is not valid: its check digit does not match, so a digit "
     "was probably misheard."),
    ({"Date_of_Birth": "30/02/1948"}, "date_of_birth",
     "'30/02/1948' is not a real date in the formats %d/%m/%Y, %Y-%m-%d."),
    ({"Date_of_Birth": "01/01/2999"}, "date_of_birth", "the date '01/01/2999' is in the future."),
    ({"Surname": "", "Forenames": "Unknown", "NHS_Number": "", "Date_of_Birth": ""},
     "family_name", "the row has no name and no NHS number or date of birth, so the person "
     "could not be found again; a person needs a full name, an NHS number or a date of "
     "birth."),
    ({"Surname": "Quarmby", "Forenames": "", "NHS_Number": "", "Date_of_Birth": ""},
     "given_name", "the row has only a family name and no NHS number or date of birth, so "
     "the person could not be found again; a person needs a full name, an NHS number or a "
     "date of birth."),
    ({"Surname": "x" * 300}, "family_name",
     "the value is 300 characters long; the longest accepted is 100."),
    ({"Address": "y" * 600}, "address",
     "the value is 600 characters long; the longest accepted is 500."),
    ({"Case_Status": "Pending"}, "case_status",
     "'Pending' is not a case status in the mapping; the values are: active, closed, ended, "
     "open."),
    ({"Postcode": "NOT A POSTCODE"}, "postcode",
     "'NOT A POSTCODE' is not a full UK postcode (such as SW1A 1AA)."),
    # Punctuation and other scripts are refused, not tidied into a postcode.
    ({"Postcode": "UB8-1QA"}, "postcode",
     "'UB8-1QA' has characters a postcode does not have (only the letters A to Z, digits "
     "and one space, such as SW1A 1AA); it was not rewritten into a postcode."),
    ({"Postcode": "U.B.8 1QA"}, "postcode",
     "'U.B.8 1QA' has characters a postcode does not have (only the letters A to Z, "
     "digits and one space, such as SW1A 1AA); it was not rewritten into a postcode."),
    ({"Postcode": "' OR 1=1 --"}, "postcode",
     "'' OR 1=1 --' has characters a postcode does not have (only the letters A to Z, "
     "digits and one space, such as SW1A 1AA); it was not rewritten into a postcode."),
    ({"Postcode": "UB8 1Q\u0410"}, "postcode",
     "'UB8 1Q\u0410' has characters a postcode does not have (only the letters A to Z, "
     "digits and one space, such as SW1A 1AA); it was not rewritten into a postcode."),
    ({"Previous_Postcodes": "UB8 1QB; UB8/1QC"}, "previous_postcodes",
     "'UB8/1QC' has characters a postcode does not have (only the letters A to Z, digits "
     "and one space, such as SW1A 1AA); it was not rewritten into a postcode."),
    ({"Case_Start": "01/02/2024", "Case_End": "01/01/2024"}, "case_closed",
     "the case closed (2024-01-01) before it opened (2024-02-01)."),
])
def test_a_bad_cell_is_reported_with_its_row_field_and_reason(
        empty_index: StoredClientIndex, tmp_path: Path, cells: dict[str, str], row_field: str,
        reason: str) -> None:
    rejected = _rejected(empty_index, _csv(tmp_path, GOOD_ROW.replace("R1", "R0"),
                                           _row(**cells)))
    assert [(p.row, p.field, p.reason) for p in rejected.problems] == [(3, row_field, reason)]


def test_the_rejection_message_names_the_file_row_field_and_reason(
        empty_index: StoredClientIndex, tmp_path: Path) -> None:
    path = _csv(tmp_path, _row(Date_of_Birth="31/04/1950"))
    message = str(_rejected(empty_index, path))
    assert message == (
        f"The import of {path} was rejected with 1 problem; the client index is unchanged.\n"
        f"{path}:2: date_of_birth: '31/04/1950' is not a real date in the formats "
        "%d/%m/%Y, %Y-%m-%d.")


def test_every_problem_in_the_file_is_reported_not_just_the_first(
        empty_index: StoredClientIndex, tmp_path: Path) -> None:
    rejected = _rejected(empty_index, _csv(tmp_path, _row(NHS_Number="1"),
                                           _row(Person_ID="R2", Date_of_Birth="x"),
                                           _row(Person_ID="R3")))
    assert [(p.row, p.field) for p in rejected.problems] == [(2, "nhs_number"),
                                                             (3, "date_of_birth")]


def test_duplicate_system_ids_are_rejected_naming_both_rows(empty_index: StoredClientIndex,
                                                            tmp_path: Path) -> None:
    rejected = _rejected(empty_index, _csv(tmp_path, GOOD_ROW, _row(Surname="Other")))
    assert [(p.row, p.field, p.reason) for p in rejected.problems] == [
        (3, "system_id", "the system id 'R1' is already used on row 2.")]


def test_a_row_with_the_wrong_number_of_cells_is_rejected(empty_index: StoredClientIndex,
                                                          tmp_path: Path) -> None:
    rejected = _rejected(empty_index, _csv(tmp_path, GOOD_ROW, "R2,9990000018,Ann"))
    assert [(p.row, p.reason) for p in rejected.problems] == [
        (3, "the row has 3 cells but the header has 20 columns.")]


def test_an_unclosed_quote_is_rejected_as_malformed_csv(empty_index: StoredClientIndex,
                                                        tmp_path: Path) -> None:
    rejected = _rejected(empty_index, _csv(tmp_path, GOOD_ROW, 'R2,"unclosed,Ann'))
    assert rejected.problems[0].row == 3
    assert "cannot be read as CSV" in rejected.problems[0].reason


def test_a_column_missing_from_the_file_is_rejected(empty_index: StoredClientIndex,
                                                    tmp_path: Path) -> None:
    header = HEADER.replace("Date of Birth", "DOB")
    rejected = _rejected(empty_index, _csv(tmp_path, GOOD_ROW, header=header))
    reasons = [(p.row, p.field, p.reason.split(";")[0]) for p in rejected.problems]
    assert (1, "date_of_birth", "the mapped column 'Date of Birth' is missing from the file") \
        in reasons
    assert (1, None, "the column 'DOB' is not in the mapping") in reasons


def test_an_unknown_column_is_rejected_unless_the_mapping_ignores_it(
        empty_index: StoredClientIndex, tmp_path: Path) -> None:
    path = _csv(tmp_path, GOOD_ROW + ",x", header=HEADER + ",Religion")
    rejected = _rejected(empty_index, path)
    assert rejected.problems[0].reason == ("the column 'Religion' is not in the mapping; map it "
                                           "to a field or list it under ignore_columns.")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(DEMO_MAPPING.read_text().replace("ignore_columns: []",
                                                        "ignore_columns: [Religion]"))
    assert import_csv(empty_index, path, mapping).added == 1


def test_an_empty_file_is_rejected(empty_index: StoredClientIndex, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("")
    rejected = _rejected(empty_index, path)
    assert rejected.problems[0].reason == "the file is empty: there is no header row."


def test_a_file_that_is_not_utf8_is_rejected_with_its_line(empty_index: StoredClientIndex,
                                                           tmp_path: Path) -> None:
    path = _csv(tmp_path, GOOD_ROW)
    path.write_bytes(path.read_bytes() + b"R2,\xff\xfe\n")
    rejected = _rejected(empty_index, path)
    assert rejected.problems[0].row == 3
    assert "not valid utf-8-sig text" in rejected.problems[0].reason


def test_sql_metacharacters_and_non_latin_names_import_as_plain_text(
        empty_index: StoredClientIndex, tmp_path: Path) -> None:
    path = _csv(tmp_path, _row(Person_ID="R1'); DROP TABLE people;--",
                               Surname="O'Brien\"; DELETE FROM block_keys; --"),
                _row(Person_ID="R2", Forenames="Владимир", Surname="Ковалёв", NHS_Number=""))
    assert import_csv(empty_index, path, DEMO_MAPPING).added == 2
    assert empty_index.get("R1'); DROP TABLE people;--") is not None
    found = empty_index.search(SearchDetails(given_name="Владимир", family_name="Ковалёв",
                                             date_of_birth="1948-03-12"))
    assert found.candidates[0].person_id == "R2"


def test_the_mapping_file_names_unknown_fields_and_lists_the_valid_ones(tmp_path: Path) -> None:
    with pytest.raises(MappingError) as caught:
        parse_mapping({"columns": {"system_id": "ID", "given_name": "G", "family_name": "F",
                                   "date_of_birth": "D", "case_status": "S",
                                   "shoe_size": "Shoes"}}, path="m.yaml")
    assert "m.yaml: columns.shoe_size: unknown field; the fields are: system_id, nhs_number" \
        in str(caught.value)


def test_the_mapping_file_must_map_the_required_fields(tmp_path: Path) -> None:
    with pytest.raises(MappingError) as caught:
        parse_mapping({"columns": {"system_id": "ID"}}, path="m.yaml")
    message = str(caught.value)
    for required in ("given_name", "family_name", "date_of_birth", "case_status"):
        assert f"m.yaml: columns.{required}: the field '{required}' is required" in message


def test_a_mapping_file_that_is_not_yaml_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("columns:\n  system_id: [unclosed\n")
    with pytest.raises(MappingError, match=r"bad\.yaml:\d+:\d+: the mapping file is not valid"):
        load_mapping(path)


def test_the_demo_mapping_example_in_the_docs_is_the_shipped_file(tmp_path: Path) -> None:
    docs = (DATA.parent / "docs" / "clients.md").read_text(encoding="utf-8")
    assert "triage clients import data/demo-clients.csv --mapping data/demo-mapping.yaml" in docs
    shutil.copy(DEMO_MAPPING, tmp_path / "m.yaml")
    assert load_mapping(tmp_path / "m.yaml").columns["system_id"] == "Person ID"


def _code_block(docs: str, language: str, after: str) -> str:
    start = docs.index(f"```{language}\n", docs.index(after)) + len(language) + 4
    return docs[start:docs.index("```", start)]


def test_the_mapping_shown_in_the_docs_reads_the_same_as_the_shipped_file(
        tmp_path: Path) -> None:
    docs = (DATA.parent / "docs" / "clients.md").read_text(encoding="utf-8")
    shown = tmp_path / "shown.yaml"
    shown.write_text(_code_block(docs, "yaml", "### The mapping file"), encoding="utf-8")
    assert load_mapping(shown) == load_mapping(DEMO_MAPPING)


def test_the_code_example_in_the_docs_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    docs = (DATA.parent / "docs" / "clients.md").read_text(encoding="utf-8")
    shutil.copytree(DATA, tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    exec(compile(_code_block(docs, "python", "## Using it from code"), "docs/clients.md", "exec"),
         {})
    out = capsys.readouterr().out
    assert "SYN0000002" in out


# --------------------------------------------------------------------------- incomplete rows


@pytest.mark.parametrize("cells,missing", [
    ({"Forenames": ""}, ("given_name",)),
    ({"Forenames": "Unknown"}, ("given_name",)),
    ({"Forenames": "not KNOWN"}, ("given_name",)),
    ({"Forenames": "?"}, ("given_name",)),
    ({"Surname": "-", "NHS_Number": ""}, ("family_name",)),
    ({"Forenames": "", "Surname": "", "Date_of_Birth": ""}, ("given_name", "family_name")),
])
def test_a_person_with_a_missing_or_placeholder_name_is_imported_as_incomplete(
        empty_index: StoredClientIndex, tmp_path: Path, cells: dict[str, str],
        missing: tuple[str, ...]) -> None:
    report = import_csv(empty_index, _csv(tmp_path, GOOD_ROW.replace("R1", "R0"),
                                          _row(**cells)), DEMO_MAPPING)
    assert (report.added, report.incomplete) == (2, 1)
    person = empty_index.person("R1")
    assert person is not None and person.missing_details == missing and person.incomplete
    assert "Unknown" not in (person.given_name, person.family_name)
    complete = empty_index.person("R0")
    assert complete is not None and not complete.incomplete


def test_a_surname_only_person_is_found_by_surname_and_date_of_birth(
        empty_index: StoredClientIndex, tmp_path: Path) -> None:
    import_csv(empty_index, _csv(tmp_path, _row(Forenames="Unknown")), DEMO_MAPPING)
    found = empty_index.search(SearchDetails(family_name="Quarmby", date_of_birth="1948-03-12"))
    assert [c.person_id for c in found.candidates] == ["R1"]
    by_nhs = empty_index.search(SearchDetails(nhs_number="999 000 0018"))
    assert [c.person_id for c in by_nhs.candidates] == ["R1"]


def test_the_placeholder_names_live_in_the_mapping_file(empty_index: StoredClientIndex,
                                                        tmp_path: Path) -> None:
    text = DEMO_MAPPING.read_text(encoding="utf-8")
    assert "placeholder_names:" in text
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(text.replace("placeholder_names: [", "placeholder_names: [ZZ, "),
                       encoding="utf-8")
    report = import_csv(empty_index, _csv(tmp_path, _row(Forenames="zz")), mapping)
    assert report.incomplete == 1
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("placeholder_names: [", "placeholder_names: [3, "),
                   encoding="utf-8")
    with pytest.raises(MappingError, match="placeholder_names: must be a list of the names"):
        load_mapping(bad)


# --------------------------------------------------------------------------- quarantine


def test_without_quarantine_one_bad_row_refuses_the_whole_file(empty_index: StoredClientIndex,
                                                               tmp_path: Path) -> None:
    path = _csv(tmp_path, GOOD_ROW, _row(Person_ID="R2", Date_of_Birth="31/04/1950"))
    _rejected(empty_index, path)
    assert empty_index.count() == 0


def test_quarantine_imports_the_good_rows_and_sets_the_bad_ones_aside(
        empty_index: StoredClientIndex, tmp_path: Path) -> None:
    import csv

    path = _csv(tmp_path, GOOD_ROW, _row(Person_ID="R2", Date_of_Birth="31/04/1950"),
                _row(Person_ID="R3", NHS_Number="123"), _row(Person_ID="R4", Surname="Ames"))
    aside = tmp_path / "aside.csv"
    report = import_csv(empty_index, path, DEMO_MAPPING, quarantine=aside)
    assert (report.added, report.quarantined) == (2, 2)
    assert empty_index.person("R1") is not None and empty_index.person("R4") is not None
    with aside.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["Person ID"], r["Quarantine: row"]) for r in rows] == [
        ("R2", f"{path}:3"), ("R3", f"{path}:4")]
    assert "date_of_birth: '31/04/1950' is not a real date" in rows[0]["Quarantine: problems"]
    assert "nhs_number: The NHS number '123' is not valid" in rows[1]["Quarantine: problems"]
    # The data officer fixes the rows in the quarantine file and imports it again.
    fixed = aside.read_text(encoding="utf-8").replace("31/04/1950", "30/04/1950").replace(
        ",123,", ",9990000026,")
    aside.write_text(fixed, encoding="utf-8")
    again = import_csv(empty_index, aside, DEMO_MAPPING, quarantine=tmp_path / "aside2.csv")
    assert (again.added, again.quarantined) == (2, 0)
    assert empty_index.count() == 4


def test_quarantine_keeps_duplicate_system_ids_all_or_nothing(empty_index: StoredClientIndex,
                                                              tmp_path: Path) -> None:
    aside = tmp_path / "aside.csv"
    with pytest.raises(ImportRejected, match="the system id 'R1' is already used on row 2"):
        import_csv(empty_index, _csv(tmp_path, GOOD_ROW, _row(Surname="Other")), DEMO_MAPPING,
                   quarantine=aside)
    assert empty_index.count() == 0
    assert not aside.exists()


def test_a_quarantine_file_that_cannot_be_written_is_refused_before_importing(
        empty_index: StoredClientIndex, tmp_path: Path) -> None:
    path = _csv(tmp_path, GOOD_ROW)
    for target in (tmp_path / "no-such-folder" / "aside.csv", tmp_path):
        with pytest.raises(RequestError, match="The quarantine file .* cannot be written"):
            import_csv(empty_index, path, DEMO_MAPPING, quarantine=target)
        assert empty_index.count() == 0


@pytest.mark.parametrize("postcode", ["UB8-1QA", "' OR 1=1 --", "\u0405W1A 1AA", "UB8 1QA."])
def test_people_added_from_python_with_a_punctuated_postcode_are_refused_not_tidied(
        empty_index: StoredClientIndex, postcode: str) -> None:
    from dataclasses import replace

    from triage.errors import ImportRejected
    from triage.matching.records import CaseStatus, PersonRecord

    good = PersonRecord(system_id="P1", given_name="Ada", family_name="Quarmby",
                        case_status=CaseStatus.OPEN, postcode="UB8 1QA")
    with pytest.raises(ImportRejected) as refused:
        empty_index.add_people([good, replace(good, system_id="P2", postcode=postcode)])
    assert [(p.row, p.field) for p in refused.value.problems] == [(2, "postcode")]
    assert f"'{postcode}' is not a full UK postcode" in refused.value.problems[0].reason
    assert empty_index.count() == 0
