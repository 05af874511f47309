"""Hostile contact files, end to end: generated rows through `import_file`, for every format it reads.

Whatever a row holds (any unicode, control characters, cells far over every limit, formulas a spreadsheet would
run, dates that are no dates), the import never raises: each bad row is refused with its number and, where one
field is to blame, that field's name, and every other row is imported. What a CSV export writes never runs as a
formula in a spreadsheet, and reads back through the import to the same text.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from circleback.adapters.store.repository import Repository
from circleback.domain.model import Contact
from circleback.formats.csvfile import CONTACT_COLUMNS, EVENT_COLUMNS, MAX_CELL, TOUCH_COLUMNS
from circleback.formats.detect import Format
from circleback.formats.rows import CONTACT_FIELDS
from circleback.services.exporting import export
from circleback.services.importing import ImportResult, import_file
from tests import factories
from tests.contact_strategies import contacts
from tests.format_files import GOOGLE_HEADER, LINKEDIN_HEADER, LINKEDIN_NOTES, cards, google_file

TODAY = date(2026, 11, 22)
_owners = itertools.count(1)

FORMULAS = [
    '=HYPERLINK("http://x","y")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1",
    "\r=1",
    "'=already quoted",
]
BAD_DATES = ["2026-02-30", "31/12/2026", "--13-45", "9999-99-99", "0000-00-00", "tomorrow", "2999-01-01", "-1"]
CONTROL = st.text(st.characters(min_codepoint=0, max_codepoint=0x1F) | st.sampled_from("\x7f\u202e\u2028\ufeff"))
# One cell of a hostile file.
CELLS = st.one_of(
    st.text(max_size=30),  # any unicode but lone surrogates, control characters included
    CONTROL,
    st.sampled_from(FORMULAS + BAD_DATES),
    st.just(""),
)
HUGE = st.sampled_from([201, 2_001, MAX_CELL + 1]).map(lambda n: "é" * n)  # over MAX_SHORT, MAX_TEXT, MAX_CELL
SETTINGS = settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def rows(columns: list[str]) -> st.SearchStrategy[list[dict[str, str]]]:
    """1 to 4 rows of hostile cells, one of them sometimes far too long."""
    records = st.lists(st.fixed_dictionaries(dict.fromkeys(columns, CELLS)), min_size=1, max_size=4)
    return st.tuples(records, st.none() | st.tuples(st.sampled_from(columns), HUGE)).map(
        lambda drawn: [{**drawn[0][0], **dict([drawn[1]])}, *drawn[0][1:]] if drawn[1] else drawn[0]
    )


def csv_text(header: list[str], records: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([[record.get(column, "") for column in header] for record in records])
    return out.getvalue()


LINKEDIN_COLUMNS = ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"]
GOOGLE_COLUMNS = ["First Name", "Last Name", "Birthday", "Notes", "E-mail 1 - Value", "Organization Name", "Labels"]
OUTLOOK_COLUMNS = [
    "First Name", "Last Name", "E-mail Address", "E-mail 2 Address", "Company", "Job Title", "Mobile Phone",
    "Birthday", "Notes", "Categories", "Home Country/Region", "Web Page",
]  # fmt: skip
THUNDERBIRD_COLUMNS = [
    "First Name", "Last Name", "Display Name", "Primary Email", "Organization", "Job Title", "Home Country",
    "Birth Year", "Birth Month", "Birth Day", "Notes",
]  # fmt: skip
VCARD_PROPERTIES = ["FN", "EMAIL", "BDAY", "ORG", "TITLE", "NOTE", "X-CIRCLEBACK-TIER"]


def linkedin(records: list[dict[str, str]]) -> str:
    return "\n".join(LINKEDIN_NOTES) + "\n" + csv_text(LINKEDIN_COLUMNS, records)  # its notes, then a CSV


def vcards(records: list[dict[str, str]]) -> str:
    # Each value as a raw line: a newline or "END:VCARD" inside one breaks the card, as a hostile file would.
    return cards(*[["VERSION:4.0", *(f"{name}:{value}" for name, value in r.items())] for r in records])


# Each format: its row columns, and how a file of such rows is written.
FORMATS: dict[Format, tuple[list[str], Callable[[list[dict[str, str]]], str]]] = {
    Format.CSV: (CONTACT_COLUMNS, lambda records: csv_text(CONTACT_COLUMNS, records)),
    Format.LINKEDIN: (LINKEDIN_COLUMNS, linkedin),
    Format.GOOGLE: (GOOGLE_COLUMNS, lambda records: google_file(*records, header=GOOGLE_HEADER)),
    Format.OUTLOOK: (OUTLOOK_COLUMNS, lambda records: csv_text(OUTLOOK_COLUMNS, records)),
    Format.THUNDERBIRD: (THUNDERBIRD_COLUMNS, lambda records: csv_text(THUNDERBIRD_COLUMNS, records)),
    Format.VCARD: (VCARD_PROPERTIES, vcards),
    Format.TOUCHES: (TOUCH_COLUMNS, lambda records: csv_text(TOUCH_COLUMNS, records)),
    Format.EVENTS: (EVENT_COLUMNS, lambda records: csv_text(EVENT_COLUMNS, records)),
}
assert set(FORMATS) == set(Format) - {Format.JSON}  # every format but the backup, which has its own tests
assert ",".join(LINKEDIN_COLUMNS) == LINKEDIN_HEADER


def fresh_owner(repo: Repository) -> str:
    owner_id = f"hostile-{next(_owners)}"
    repo.put_owner(factories.owner(id=owner_id))
    return owner_id


def assert_clean_or_refused_row_by_row(result: ImportResult, repo: Repository, owner_id: str, rows: int) -> None:
    (report,) = result.reports
    for error in [*report.errors, *report.skipped, *report.warnings]:
        assert error.reason.strip(), error
        assert error.row >= 0  # 0: the file as a whole (a broken header, text outside any card)
        assert error.field is None or error.field.strip(), error
        assert str(error).startswith(error.unit)  # "row 3, birthday: ..." names where
    written = report.imported + report.updated + report.unchanged
    # Row by row, each row counted once, good or refused (a card's lines can be broken into more or fewer cards).
    if not [e for e in report.errors if e.row == 0] and result.format is not Format.VCARD:
        assert written + len(report.skipped) + report.rejected == rows
    # What it says it wrote is what is there.
    if result.format is Format.TOUCHES:
        stored = len(repo.load_digest_input(owner_id).touches)  # type: ignore[union-attr]
    elif result.format is Format.EVENTS:
        stored = len(repo.list_events(owner_id))
    else:
        stored = len(repo.list_contacts(owner_id))
    assert stored == report.imported


def check_format(repo: Repository, format: Format, records: list[dict[str, str]]) -> None:
    owner_id = fresh_owner(repo)
    text = FORMATS[format][1](records)
    result = import_file(repo, owner_id, text, TODAY, format=format)
    assert result.format is format
    meant = [record for record in records if any(cell.strip() for cell in record.values())]  # blank rows skipped
    assert_clean_or_refused_row_by_row(result, repo, owner_id, len(meant))


@pytest.mark.parametrize("format", list(FORMATS))
@SETTINGS
@given(data=st.data())
def test_hostile_rows_are_refused_one_by_one_and_never_raise(
    repo: Repository, format: Format, data: st.DataObject
) -> None:
    check_format(repo, format, data.draw(rows(FORMATS[format][0]), label="rows"))


def test_a_bad_date_is_refused_naming_its_row_and_field(repo: Repository) -> None:
    owner_id = fresh_owner(repo)
    text = csv_text(["name", "birthday", "last_touch"], [{"name": "Ana", "birthday": "2026-02-30"}, {"name": "Bo"}])
    (report,) = import_file(repo, owner_id, text, TODAY, format=Format.CSV).reports
    assert [(e.row, e.field) for e in report.errors] == [(2, "birthday")]
    assert report.imported == 1


# --- exports: formulas neutralised, text kept --------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
RISKY = st.sampled_from(FORMULAS).map(str.strip).filter(bool)


@SETTINGS
@given(
    written=st.lists(contacts, min_size=1, max_size=4),
    names=st.lists(RISKY, min_size=1, max_size=4),
    notes=st.lists(RISKY | st.none(), min_size=1, max_size=4),
)
def test_a_csv_export_never_runs_as_a_formula_and_reads_back_to_the_same_text(
    repo: Repository, written: list[Contact], names: list[str], notes: list[str | None]
) -> None:
    owner_id, elsewhere = fresh_owner(repo), fresh_owner(repo)
    risky = [
        replace(
            contact,
            id=f"c{i}",
            name=f"{names[i % len(names)]} #{i}",
            notes=notes[i % len(notes)],
            # Distinct people: an address two rows share makes the second a duplicate (tested elsewhere).
            email=contact.email and f"p{i}.{contact.email}",
            linkedin_url=contact.linkedin_url and f"{contact.linkedin_url}-{i}",
        )
        for i, contact in enumerate(written)
    ]
    for contact in risky:
        repo.add_contact(owner_id, contact)

    text = export(repo, owner_id, "csv")

    cells = [cell for record in csv.reader(io.StringIO(text)) for cell in record]
    assert [cell for cell in cells if cell.startswith(FORMULA_STARTS)] == []  # a spreadsheet shows them as text
    for i, contact in enumerate(risky):  # each name behind the apostrophe a spreadsheet shows as text
        assert "'" + contact.name in cells, i
    (report,) = import_file(repo, elsewhere, text, TODAY, format=Format.CSV).reports
    assert report.errors == [] and report.imported == len(risky)
    back = {c.name: c for c in repo.list_contacts(elsewhere)}
    for contact in risky:
        assert {f: getattr(back[contact.name], f) for f in CONTACT_FIELDS} == {
            f: getattr(contact, f) for f in CONTACT_FIELDS
        }
