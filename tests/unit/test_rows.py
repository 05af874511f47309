"""The canonical CSV files, row by row: every kind of bad row is named by its row, field and reason.

Rows are numbered as a spreadsheet shows them (the header is row 1). "Today" is fixed: no test reads the clock.
"""

from __future__ import annotations

import csv
from datetime import date
from typing import Any

import pytest

from circleback.domain.matching import normalise_linkedin
from circleback.domain.model import Birthday, Channel, Direction, EventKind, Relationship, Tier
from circleback.formats.csvfile import (
    CONTACT_COLUMNS,
    CONTACTS,
    EVENTS,
    MAX_CELL,
    TOUCHES,
    ParsedFile,
    RowError,
    parse_csv,
)
from circleback.formats.rows import MAX_SHORT, MAX_TEXT, ContactRow, EventRow, TouchRow

TODAY = date(2026, 11, 22)
CONTACT_HEADER = ",".join(CONTACT_COLUMNS)


def contact_line(**cells: str) -> str:
    """One data line of a contacts file in the canonical column order; unnamed cells are blank."""
    unknown = set(cells) - set(CONTACT_COLUMNS)
    assert not unknown, unknown
    return ",".join(_quote(cells.get(column, "")) for column in CONTACT_COLUMNS)


def _quote(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"' if any(ch in cell for ch in ',"\n\r') else cell


def contacts_file(*lines: str) -> str:
    return "\n".join([CONTACT_HEADER, *lines]) + "\n"


def parse_contacts(text: str) -> ParsedFile[ContactRow]:
    return parse_csv(text, CONTACTS, TODAY)


def parse_touches(text: str) -> ParsedFile[TouchRow]:
    return parse_csv(text, TOUCHES, TODAY)


def parse_events(text: str) -> ParsedFile[EventRow]:
    return parse_csv(text, EVENTS, TODAY)


def only_row(parsed: ParsedFile[ContactRow]) -> ContactRow:
    assert parsed.errors == []
    assert len(parsed.rows) == 1
    number, row = parsed.rows[0]
    assert number == 2
    return row


def only_error(parsed: ParsedFile[Any]) -> RowError:
    assert parsed.rows == []
    assert len(parsed.errors) == 1, parsed.errors
    return parsed.errors[0]


def assert_reason(error: RowError, keywords: tuple[str, ...]) -> None:
    reason = error.reason.lower()
    missing = [word for word in keywords if word.lower() not in reason]
    assert not missing, f"{error.reason!r} does not mention {missing}"
    assert "input should be a valid" not in reason  # pydantic's type talk is not a reason a person understands
    assert "value error" not in reason


# --- contacts: every kind of bad field --------------------------------------------------------------------

BAD_CONTACT_FIELDS = [
    pytest.param({"email": "ana@example.com"}, "name", ("required",), id="missing-name"),
    pytest.param({"name": "   ", "company": "Acme"}, "name", ("required",), id="blank-name"),
    pytest.param({"name": "Ana\x07Souza"}, "name", ("control character",), id="name-bell"),
    pytest.param({"name": "Ana\x00"}, "name", ("control character",), id="name-nul"),
    pytest.param({"name": "Ana\nSouza"}, "name", ("control character",), id="name-line-break"),
    pytest.param({"name": "Ana\x7fSouza"}, "name", ("control character",), id="name-delete"),
    pytest.param({"name": "Ana\x85Souza"}, "name", ("control character",), id="name-c1-control"),
    pytest.param({"name": "A" * (MAX_SHORT + 1)}, "name", ("too long", str(MAX_SHORT)), id="name-too-long"),
    pytest.param({"name": "Ana", "email": "ana"}, "email", ("'ana'", "not an email"), id="email-no-at"),
    pytest.param({"name": "Ana", "email": "ana@example"}, "email", ("not an email",), id="email-no-dot"),
    pytest.param({"name": "Ana", "email": "@example.com"}, "email", ("not an email",), id="email-no-local"),
    pytest.param({"name": "Ana", "email": "ana@@example.com"}, "email", ("not an email",), id="email-two-ats"),
    pytest.param({"name": "Ana", "email": "ana@example..com"}, "email", ("not an email",), id="email-empty-label"),
    pytest.param({"name": "Ana", "email": "ana@example.com."}, "email", ("not an email",), id="email-trailing-dot"),
    pytest.param({"name": "Ana", "email": "ana souza@example.com"}, "email", ("not an email",), id="email-space"),
    pytest.param(
        {"name": "Ana", "email": "Ana <ana@example.com>"}, "email", ("not an email",), id="email-display-name"
    ),
    pytest.param(
        {"name": "Ana", "email": "ana@example.com;bo@example.com"}, "email", ("not an email",), id="email-two"
    ),
    pytest.param(
        {"name": "Ana", "email": "a" * MAX_SHORT + "@example.com"}, "email", ("too long",), id="email-too-long"
    ),
    pytest.param(
        {"name": "Ana", "linkedin_url": "https://example.com/in/ana"},
        "linkedin_url",
        ("not a linkedin profile", "linkedin.com/in/"),
        id="linkedin-other-site",
    ),
    pytest.param(
        {"name": "Ana", "linkedin_url": "https://notlinkedin.com/in/ana"},
        "linkedin_url",
        ("not a linkedin profile",),
        id="linkedin-lookalike-host",
    ),
    pytest.param(
        {"name": "Ana", "linkedin_url": "https://linkedin.com.evil.example/in/ana"},
        "linkedin_url",
        ("not a linkedin profile",),
        id="linkedin-host-prefix",
    ),
    pytest.param(
        {"name": "Ana", "linkedin_url": "https://www.linkedin.com/"},
        "linkedin_url",
        ("not a linkedin profile",),
        id="linkedin-bare-site",
    ),
    pytest.param(
        {"name": "Ana", "linkedin_url": "https://www.linkedin.com/in/"},
        "linkedin_url",
        ("not a linkedin profile",),
        id="linkedin-no-profile-name",
    ),
    pytest.param(
        {"name": "Ana", "linkedin_url": "https://www.linkedin.com/company/acme"},
        "linkedin_url",
        ("not a linkedin profile",),
        id="linkedin-company-page",
    ),
    pytest.param(
        {"name": "Ana", "linkedin_url": "ana-souza"}, "linkedin_url", ("not a linkedin profile",), id="linkedin-slug"
    ),
    pytest.param(
        {"name": "Ana", "relationship": "buddy"},
        "relationship",
        ("boss", "mentor", "other", "'buddy'"),
        id="relationship-unknown",
    ),
    pytest.param({"name": "Ana", "tier": "D"}, "tier", ("'a'", "'b'", "'c'", "'d'"), id="tier-unknown"),
    pytest.param({"name": "Ana", "tier": "1"}, "tier", ("'a'", "'1'"), id="tier-number"),
    pytest.param({"name": "Ana", "cadence_days": "6"}, "cadence_days", ("7", "730", "'6'"), id="cadence-below-7"),
    pytest.param({"name": "Ana", "cadence_days": "0"}, "cadence_days", ("7", "730", "'0'"), id="cadence-zero"),
    pytest.param({"name": "Ana", "cadence_days": "-30"}, "cadence_days", ("7", "730"), id="cadence-negative"),
    pytest.param({"name": "Ana", "cadence_days": "731"}, "cadence_days", ("7", "730", "'731'"), id="cadence-above"),
    pytest.param(
        {"name": "Ana", "cadence_days": "monthly"},
        "cadence_days",
        ("whole number", "days", "'monthly'"),
        id="cadence-word",
    ),
    pytest.param(
        {"name": "Ana", "cadence_days": "30.5"}, "cadence_days", ("whole number", "'30.5'"), id="cadence-fraction"
    ),
    pytest.param({"name": "Ana", "cadence_days": "30 days"}, "cadence_days", ("whole number",), id="cadence-unit"),
    pytest.param({"name": "Ana", "country": "XX"}, "country", ("'xx'", "iso 3166"), id="country-unassigned"),
    pytest.param({"name": "Ana", "country": "usa"}, "country", ("'usa'", "two-letter"), id="country-alpha-3"),
    pytest.param({"name": "Ana", "country": "Brazil"}, "country", ("'brazil'", "country code"), id="country-name"),
    pytest.param({"name": "Ana", "country": "U"}, "country", ("country code",), id="country-one-letter"),
    pytest.param(
        {"name": "Ana", "birthday": "14/03/1971"},
        "birthday",
        ("yyyy-mm-dd", "--mm-dd", "'14/03/1971'"),
        id="birthday-day-first",
    ),
    pytest.param({"name": "Ana", "birthday": "March 14"}, "birthday", ("yyyy-mm-dd",), id="birthday-words"),
    pytest.param({"name": "Ana", "birthday": "19710314"}, "birthday", ("yyyy-mm-dd",), id="birthday-basic-iso"),
    pytest.param({"name": "Ana", "birthday": "1971-W11-7"}, "birthday", ("yyyy-mm-dd",), id="birthday-week-date"),
    pytest.param({"name": "Ana", "birthday": "--3-14"}, "birthday", ("--mm-dd",), id="birthday-short-month"),
    pytest.param({"name": "Ana", "birthday": "03-14"}, "birthday", ("--mm-dd",), id="birthday-no-dashes"),
    pytest.param({"name": "Ana", "birthday": "--02-30"}, "birthday", ("not a real date",), id="birthday-02-30"),
    pytest.param({"name": "Ana", "birthday": "--13-01"}, "birthday", ("not a real date",), id="birthday-month-13"),
    pytest.param({"name": "Ana", "birthday": "--04-31"}, "birthday", ("not a real date",), id="birthday-04-31"),
    pytest.param(
        {"name": "Ana", "birthday": "2023-02-29"}, "birthday", ("not a real date", "2023-02-29"), id="birthday-no-leap"
    ),
    pytest.param({"name": "Ana", "birthday": "1990-00-10"}, "birthday", ("not a real date",), id="birthday-month-0"),
    pytest.param(
        {"name": "Ana", "birthday": "2026-11-23"}, "birthday", ("future", "2026-11-23"), id="birthday-tomorrow"
    ),
    pytest.param({"name": "Ana", "birthday": "2040-01-01"}, "birthday", ("future",), id="birthday-far-future"),
    pytest.param(
        {"name": "Ana", "birthday": "1899-12-31"}, "birthday", ("before 1900", "leave the year out"), id="birthday-1899"
    ),
    pytest.param({"name": "Ana", "birthday": "0000-01-01"}, "birthday", ("before 1900",), id="birthday-year-0"),
    pytest.param(
        {"name": "Ana", "last_touch": "2026-11-23"},
        "last_touch",
        ("future", "2026-11-23", "2026-11-22"),
        id="last-touch-tomorrow",
    ),
    pytest.param(
        {"name": "Ana", "last_touch": "22/11/2026"},
        "last_touch",
        ("yyyy-mm-dd", "'22/11/2026'"),
        id="last-touch-day-first",
    ),
    pytest.param(
        {"name": "Ana", "last_touch": "2026-02-30"}, "last_touch", ("not a real date",), id="last-touch-02-30"
    ),
    pytest.param({"name": "Ana", "last_touch": "2026-W01-1"}, "last_touch", ("yyyy-mm-dd",), id="last-touch-week"),
    pytest.param(
        {"name": "Ana", "last_touch": "2026-11-22T09:00"}, "last_touch", ("yyyy-mm-dd",), id="last-touch-time"
    ),
    pytest.param(
        {"name": "Ana", "worked_together_until": "2027-01-31"},
        "worked_together_until",
        ("future",),
        id="worked-together-future",
    ),
    pytest.param(
        {"name": "Ana", "worked_together_until": "June 2023"},
        "worked_together_until",
        ("yyyy-mm-dd",),
        id="worked-together-words",
    ),
    pytest.param({"name": "Ana", "paused": "maybe"}, "paused", ("true or false", "'maybe'"), id="paused-maybe"),
    pytest.param({"name": "Ana", "paused": "2"}, "paused", ("true or false",), id="paused-number"),
    pytest.param({"name": "Ana", "phone": "1" * (MAX_SHORT + 1)}, "phone", ("too long",), id="phone-too-long"),
    pytest.param({"name": "Ana", "company": "C" * (MAX_SHORT + 1)}, "company", ("too long",), id="company-too-long"),
    pytest.param({"name": "Ana", "title": "T" * (MAX_SHORT + 1)}, "title", ("too long",), id="title-too-long"),
    pytest.param(
        {"name": "Ana", "notes": "n" * (MAX_TEXT + 1)},
        "notes",
        ("too long", str(MAX_TEXT), str(MAX_TEXT + 1)),
        id="notes-too-long",
    ),
    pytest.param(
        {"name": "Ana", "notes": "n" * (MAX_CELL + 1)}, "notes", ("longer than", str(MAX_CELL)), id="cell-too-long"
    ),
]


@pytest.mark.parametrize(("cells", "field", "keywords"), BAD_CONTACT_FIELDS)
def test_a_bad_contact_field_is_reported_with_its_row_field_and_reason(
    cells: dict[str, str], field: str, keywords: tuple[str, ...]
) -> None:
    good = contact_line(name="Margaret Okafor", email="margaret@example.com")
    parsed = parse_contacts(contacts_file(good, contact_line(**cells), good.replace("Margaret", "Rahul")))

    assert [number for number, _ in parsed.rows] == [2, 4]  # the good rows around it still count
    assert len(parsed.errors) == 1, parsed.errors
    error = parsed.errors[0]
    assert (error.row, error.field) == (3, field)
    assert_reason(error, keywords)
    assert str(error).startswith(f"row 3, {field}: ")


def test_only_the_name_is_required() -> None:
    row = only_row(parse_contacts(contacts_file(contact_line(name="  Ana Souza  "))))

    assert row.name == "Ana Souza"
    assert row.other_emails == ()  # an empty list, not None: a row's other addresses are gathered, never "unset"
    empty = dict.fromkeys(set(CONTACT_COLUMNS) - {"name", "other_emails"})
    assert row.model_dump(exclude={"name", "other_emails"}) == empty


def test_a_full_row_is_read_into_typed_values() -> None:
    line = contact_line(
        name="Margaret Okafor",
        email="Margaret.Okafor@Example.com",
        phone="+1 415 555 0142",
        linkedin_url="https://www.linkedin.com/in/margaret-okafor",
        company="Northwind",
        title="VP Engineering",
        relationship="boss",
        tier="A",
        cadence_days="45",
        country="US",
        birthday="1971-03-14",
        worked_together_until="2023-06-30",
        tags="reference;leadership",
        notes="Hired me in 2019, wrote my reference.",
        last_touch="2026-08-20",
        paused="false",
    )
    row = only_row(parse_contacts(contacts_file(line)))

    assert row.email == "Margaret.Okafor@Example.com"  # kept as written; matching ignores case
    assert row.relationship is Relationship.BOSS
    assert row.tier is Tier.A
    assert row.cadence_days == 45
    assert row.country == "US"
    assert row.birthday == Birthday(month=3, day=14, year=1971)
    assert row.worked_together_until == date(2023, 6, 30)
    assert row.tags == ("reference", "leadership")
    assert row.notes == "Hired me in 2019, wrote my reference."
    assert row.last_touch == date(2026, 8, 20)
    assert row.paused is False


@pytest.mark.parametrize(
    ("cells", "attribute", "expected"),
    [
        pytest.param({"tier": "a"}, "tier", Tier.A, id="tier-lower"),
        pytest.param({"tier": " c "}, "tier", Tier.C, id="tier-padded"),
        pytest.param({"relationship": "Mentor"}, "relationship", Relationship.MENTOR, id="relationship-title"),
        pytest.param({"relationship": " BOSS "}, "relationship", Relationship.BOSS, id="relationship-upper"),
        pytest.param({"country": "in"}, "country", "IN", id="country-lower"),
        pytest.param({"country": " gb "}, "country", "GB", id="country-padded"),
        pytest.param({"cadence_days": "7"}, "cadence_days", 7, id="cadence-7"),
        pytest.param({"cadence_days": "730"}, "cadence_days", 730, id="cadence-730"),
        pytest.param({"cadence_days": " 90 "}, "cadence_days", 90, id="cadence-padded"),
        pytest.param({"cadence_days": "30.0"}, "cadence_days", 30, id="cadence-spreadsheet-float"),
        pytest.param({"birthday": "--02-29"}, "birthday", Birthday(month=2, day=29), id="birthday-yearless-leap"),
        pytest.param({"birthday": "2000-02-29"}, "birthday", Birthday(2, 29, 2000), id="birthday-leap"),
        pytest.param({"birthday": "1900-01-01"}, "birthday", Birthday(1, 1, 1900), id="birthday-1900"),
        pytest.param({"birthday": "2026-11-22"}, "birthday", Birthday(11, 22, 2026), id="birthday-today"),
        pytest.param({"last_touch": "2026-11-22"}, "last_touch", TODAY, id="last-touch-today"),
        pytest.param({"worked_together_until": "2026-11-22"}, "worked_together_until", TODAY, id="worked-today"),
        pytest.param({"paused": "TRUE"}, "paused", True, id="paused-upper"),
        pytest.param({"paused": "yes"}, "paused", True, id="paused-yes"),
        pytest.param({"paused": "1"}, "paused", True, id="paused-1"),
        pytest.param({"paused": "False"}, "paused", False, id="paused-false"),
        pytest.param({"paused": "no"}, "paused", False, id="paused-no"),
        pytest.param({"paused": "0"}, "paused", False, id="paused-0"),
        pytest.param({"tags": "mentor; ex-acme;mentor;;  ex-acme "}, "tags", ("mentor", "ex-acme"), id="tags"),
        pytest.param({"tags": "solo"}, "tags", ("solo",), id="tags-one"),
        pytest.param({"email": "ana.souza+work@mail.example.co.uk"}, "email", None, id="email-plus-subdomain"),
        pytest.param({"linkedin_url": "linkedin.com/in/ana"}, "linkedin_url", None, id="linkedin-no-scheme"),
        pytest.param({"linkedin_url": "https://br.linkedin.com/in/ana/"}, "linkedin_url", None, id="linkedin-country"),
        pytest.param(
            {"linkedin_url": "http://www.linkedin.com/pub/ana/1/2/3"}, "linkedin_url", None, id="linkedin-pub"
        ),
    ],
)
def test_accepted_values_are_normalised(cells: dict[str, str], attribute: str, expected: object) -> None:
    row = only_row(parse_contacts(contacts_file(contact_line(name="Ana", **cells))))

    value = getattr(row, attribute)
    if expected is None:  # accepted and kept exactly as written
        assert value == cells[attribute]
    else:
        assert value == expected


def test_a_tags_cell_of_separators_only_names_no_tags() -> None:
    row = only_row(parse_contacts(contacts_file(contact_line(name="Ana", tags=" ; ;"))))

    assert row.tags is None  # like a blank cell: an import keeps the tags already known


# --- contacts: the shape of the file ----------------------------------------------------------------------


def test_blank_lines_are_skipped_but_keep_the_spreadsheet_numbering() -> None:
    text = contacts_file(
        contact_line(name="Ana"),
        "",
        ",,, ,",
        contact_line(name="Bo", tier="Z"),
        "",
        contact_line(name="Cy"),
    )
    parsed = parse_contacts(text)

    assert [(number, row.name) for number, row in parsed.rows] == [(2, "Ana"), (7, "Cy")]
    assert [(e.row, e.field) for e in parsed.errors] == [(5, "tier")]


def test_a_cell_spanning_lines_is_one_row() -> None:
    text = contacts_file(contact_line(name="Ana", notes="first line\nsecond line"), contact_line(name="Bo", tier="?"))
    parsed = parse_contacts(text)

    assert [(number, row.notes) for number, row in parsed.rows] == [(2, "first line\nsecond line")]
    assert [(e.row, e.field) for e in parsed.errors] == [(3, "tier")]


def test_windows_line_ends_and_a_byte_order_mark_are_read() -> None:
    text = "\ufeff" + CONTACT_HEADER + "\r\n" + contact_line(name="Ana", tier="A") + "\r\n"
    row = only_row(parse_contacts(text))

    assert (row.name, row.tier) == ("Ana", Tier.A)


def test_header_names_ignore_case_spaces_and_order() -> None:
    parsed = parse_contacts(" Email , NAME ,Tier\nana@example.com,Ana,b\n")

    row = only_row(parsed)
    assert (row.name, row.email, row.tier) == ("Ana", "ana@example.com", Tier.B)


def test_a_row_with_fewer_cells_than_the_header_leaves_the_rest_blank() -> None:
    row = only_row(parse_contacts(contacts_file("Ana,ana@example.com")))

    assert (row.name, row.email, row.tier) == ("Ana", "ana@example.com", None)


def test_a_row_with_more_cells_than_the_header_is_rejected() -> None:
    parsed = parse_contacts("name,email\nAna,ana@example.com,boss\nBo,,\n")

    assert [(number, row.name) for number, row in parsed.rows] == [(3, "Bo")]  # empty extra cells are harmless
    assert len(parsed.errors) == 1
    error = parsed.errors[0]
    assert (error.row, error.field) == (2, None)
    assert_reason(error, ("3 cells", "2 columns"))


def test_a_column_without_a_header_is_ignored_while_empty() -> None:
    parsed = parse_contacts("name,email,\nAna,ana@example.com,\nBo,,stray\n")

    assert [(number, row.name) for number, row in parsed.rows] == [(2, "Ana")]
    assert len(parsed.errors) == 1
    error = parsed.errors[0]
    assert (error.row, error.field) == (3, None)
    assert_reason(error, ("column 3", "no header"))


def test_a_huge_cell_is_one_bad_row_not_the_end_of_the_file() -> None:
    text = contacts_file(contact_line(name="Ana", notes="x" * 200_000), contact_line(name="Bo"))
    parsed = parse_contacts(text)

    assert [(number, row.name) for number, row in parsed.rows] == [(3, "Bo")]
    assert [(e.row, e.field) for e in parsed.errors] == [(2, "notes")]
    assert_reason(parsed.errors[0], ("longer than",))


def test_parsing_leaves_the_csv_modules_limit_as_it_was() -> None:
    before = csv.field_size_limit()
    parse_contacts(contacts_file(contact_line(name="Ana", notes="x" * 200_000)))

    assert csv.field_size_limit() == before


def test_a_row_with_several_bad_fields_is_one_error() -> None:
    parsed = parse_contacts(contacts_file(contact_line(name="Ana", email="nope", tier="Z", country="XX")))

    error = only_error(parsed)
    assert (error.row, error.field) == (2, "email")  # the first bad field, in the columns' order


@pytest.mark.parametrize(
    ("text", "field", "keywords"),
    [
        pytest.param("", None, ("empty", "header"), id="empty-file"),
        pytest.param("\n\n", None, ("empty",), id="only-blank-lines"),
        pytest.param("\ufeff", None, ("empty",), id="only-a-bom"),
        pytest.param("name,nickname\nAna,Annie\n", "nickname", ("unknown column", "name,email"), id="unknown-column"),
        pytest.param("name,Email,email\nAna,a@x.com,b@x.com\n", "email", ("twice",), id="repeated-column"),
        pytest.param("email,tier\nana@example.com,A\n", "name", ("required column", "missing"), id="no-name-column"),
        pytest.param("Ana Souza,ana@example.com\n", "ana souza", ("unknown column",), id="no-header-row"),
    ],
)
def test_a_bad_header_rejects_the_file_at_row_1(text: str, field: str | None, keywords: tuple[str, ...]) -> None:
    parsed = parse_contacts(text)

    error = only_error(parsed)
    assert (error.row, error.field) == (1, field)
    assert_reason(error, keywords)


def test_a_header_only_file_has_no_rows_and_no_errors() -> None:
    parsed = parse_contacts(CONTACT_HEADER + "\n")

    assert (parsed.rows, parsed.errors) == ([], [])


def test_every_bad_row_is_reported_in_order() -> None:
    text = contacts_file(
        contact_line(name="", company="Acme"),
        contact_line(name="Ana"),
        contact_line(name="Bo", cadence_days="3"),
        contact_line(name="Cy", birthday="--02-30"),
        contact_line(name="Di", country="usa"),
    )
    parsed = parse_contacts(text)

    assert [number for number, _ in parsed.rows] == [3]
    assert [(e.row, e.field) for e in parsed.errors] == [
        (2, "name"),
        (4, "cadence_days"),
        (5, "birthday"),
        (6, "country"),
    ]


# --- LinkedIn addresses, as matched -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://www.linkedin.com/in/ana-souza",
        "http://www.linkedin.com/in/ana-souza",
        "https://linkedin.com/in/ana-souza/",
        "www.linkedin.com/in/Ana-Souza",
        "https://br.linkedin.com/in/ana-souza?originalSubdomain=br",
        "https://www.linkedin.com/in/ana-souza/#experience",
        "https://www.linkedin.com/in/ana-souza/en",
        " https://www.linkedin.com/in/ana%2Dsouza ",
    ],
)
def test_spellings_of_one_linkedin_profile_normalise_alike(url: str) -> None:
    assert normalise_linkedin(url) == "in/ana-souza"


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/in/ana-souza",
        "https://linkedin.com.example.org/in/ana-souza",
        "https://www.linkedin.com/",
        "https://www.linkedin.com/company/acme",
        "https://www.linkedin.com/feed/update/urn:li:activity:1",
        "ftp://www.linkedin.com/in/ana-souza",
        "",
    ],
)
def test_addresses_that_are_not_a_linkedin_profile_normalise_to_none(url: str) -> None:
    assert normalise_linkedin(url) is None


# --- touches ----------------------------------------------------------------------------------------------

TOUCH_HEADER = "contact,date,direction,channel,note"

BAD_TOUCHES = [
    pytest.param(",2026-11-01,outbound,email,", "contact", ("required",), id="missing-contact"),
    pytest.param("  ,2026-11-01,,,", "contact", ("required",), id="blank-contact"),
    pytest.param("Ana,,outbound,email,", "date", ("required",), id="missing-date"),
    pytest.param("Ana,01/11/2026,,,", "date", ("yyyy-mm-dd", "'01/11/2026'"), id="date-day-first"),
    pytest.param("Ana,yesterday,,,", "date", ("yyyy-mm-dd", "'yesterday'"), id="date-word"),
    pytest.param("Ana,2026-13-01,,,", "date", ("not a real date",), id="date-month-13"),
    pytest.param("Ana,2026-02-29,,,", "date", ("not a real date",), id="date-no-leap"),
    pytest.param("Ana,2026-11-23,,,", "date", ("future", "2026-11-23", "2026-11-22"), id="date-tomorrow"),
    pytest.param(
        "Ana,2026-11-01,sent,email,", "direction", ("outbound", "inbound", "mutual", "'sent'"), id="direction-unknown"
    ),
    pytest.param(
        "Ana,2026-11-01,outbound,fax,",
        "channel",
        ("email", "call", "meeting", "message", "social", "other", "'fax'"),
        id="channel-unknown",
    ),
    pytest.param("A" * (MAX_SHORT + 1) + ",2026-11-01,,,", "contact", ("too long",), id="contact-too-long"),
    pytest.param("Ana,2026-11-01,,," + "n" * (MAX_TEXT + 1), "note", ("too long",), id="note-too-long"),
    pytest.param("Ana,2026-11-01,,,,extra", None, ("6 cells", "5 columns"), id="too-many-cells"),
]


@pytest.mark.parametrize(("line", "field", "keywords"), BAD_TOUCHES)
def test_a_bad_touch_is_reported_with_its_row_field_and_reason(
    line: str, field: str | None, keywords: tuple[str, ...]
) -> None:
    parsed = parse_touches(f"{TOUCH_HEADER}\nAna,2026-11-01,,,\n\n{line}\n")

    assert [number for number, _ in parsed.rows] == [2]
    assert len(parsed.errors) == 1, parsed.errors
    error = parsed.errors[0]
    assert (error.row, error.field) == (4, field)
    assert_reason(error, keywords)


def test_a_touch_defaults_to_outbound_and_other() -> None:
    parsed = parse_touches("contact,date\nana@example.com,2026-11-22\n")

    assert parsed.errors == []
    [(number, row)] = parsed.rows
    assert number == 2
    assert row == TouchRow(
        contact="ana@example.com", date=TODAY, direction=Direction.OUTBOUND, channel=Channel.OTHER, note=None
    )


def test_blank_direction_and_channel_cells_take_the_defaults() -> None:
    parsed = parse_touches(f"{TOUCH_HEADER}\nAna,2026-11-01,,, \n")

    [(_, row)] = parsed.rows
    assert (row.direction, row.channel, row.note) == (Direction.OUTBOUND, Channel.OTHER, None)


def test_touch_direction_and_channel_ignore_case() -> None:
    parsed = parse_touches(f"{TOUCH_HEADER}\nAna,2026-11-01, Inbound ,MEETING,Lunch\n")

    [(_, row)] = parsed.rows
    assert (row.direction, row.channel, row.note) == (Direction.INBOUND, Channel.MEETING, "Lunch")


@pytest.mark.parametrize(
    ("text", "field"),
    [
        pytest.param("contact,direction\nAna,outbound\n", "date", id="no-date-column"),
        pytest.param("date,direction\n2026-11-01,outbound\n", "contact", id="no-contact-column"),
        pytest.param("contact,date,mood\nAna,2026-11-01,good\n", "mood", id="unknown-column"),
    ],
)
def test_a_bad_touches_header_is_reported_at_row_1(text: str, field: str) -> None:
    error = only_error(parse_touches(text))

    assert (error.row, error.field) == (1, field)


# --- life events ------------------------------------------------------------------------------------------

EVENT_HEADER = "contact,date,kind,note"

BAD_EVENTS = [
    pytest.param("Ana,2026-11-01,wedding,", "kind", ("new_job", "married", "'wedding'"), id="kind-unknown"),
    pytest.param("Ana,2026-11-01,,", "kind", ("required",), id="kind-missing"),
    pytest.param("Ana,,promotion,", "date", ("required",), id="date-missing"),
    pytest.param("Ana,Nov 1,promotion,", "date", ("yyyy-mm-dd",), id="date-words"),
    pytest.param("Ana,2026-04-31,promotion,", "date", ("not a real date",), id="date-04-31"),
    pytest.param(",2026-11-01,knighted,", "kind", ("new_job", "married", "other"), id="no-such-kind"),
    pytest.param("Ana,2026-11-01,award," + "n" * (MAX_TEXT + 1), "note", ("too long",), id="note-too-long"),
]


@pytest.mark.parametrize(("line", "field", "keywords"), BAD_EVENTS)
def test_a_bad_event_is_reported_with_its_row_field_and_reason(
    line: str, field: str, keywords: tuple[str, ...]
) -> None:
    parsed = parse_events(f"{EVENT_HEADER}\n\n{line}\nAna,2026-11-01,promotion,\n")

    assert [number for number, _ in parsed.rows] == [4]
    assert len(parsed.errors) == 1, parsed.errors
    error = parsed.errors[0]
    assert (error.row, error.field) == (3, field)
    assert_reason(error, keywords)


@pytest.mark.parametrize("kind", ["new_job", "promotion", "moved", "award", "married", "baby", "other", "New_Job"])
def test_own_news_without_a_contact_is_any_kind_of_news(kind: str) -> None:
    parsed = parse_events(f"{EVENT_HEADER}\n,2026-11-01,{kind},Joined Contoso\n")

    assert parsed.errors == []
    [(number, row)] = parsed.rows
    assert number == 2
    assert (row.contact, row.kind, row.note) == (None, EventKind(kind.lower()), "Joined Contoso")


def test_own_news_in_a_file_without_a_contact_column_is_any_kind_but_a_kind() -> None:
    parsed = parse_events("date,kind\n2026-11-01,promotion\n2026-11-02,married\n2026-11-03,knighted\n")

    assert [(number, row.kind) for number, row in parsed.rows] == [(2, EventKind.PROMOTION), (3, EventKind.MARRIED)]
    assert [(e.row, e.field) for e in parsed.errors] == [(4, "kind")]


@pytest.mark.parametrize("kind", [k.value for k in EventKind])
def test_a_contacts_event_may_be_of_any_kind(kind: str) -> None:
    parsed = parse_events(f"{EVENT_HEADER}\nana@example.com,2026-11-01,{kind.upper()},\n")

    assert parsed.errors == []
    [(_, row)] = parsed.rows
    assert (row.contact, row.kind) == ("ana@example.com", EventKind(kind))


def test_an_events_file_needs_date_and_kind_columns() -> None:
    error = only_error(parse_events("contact,date\nAna,2026-11-01\n"))

    assert (error.row, error.field) == (1, "kind")
    assert_reason(error, ("required column",))
