"""Other products' CSV files as they really are (tests/fixtures/csv/, invented people): LinkedIn's Connections.csv
from each era and as Excel re-saves it, Google Contacts (current and older), Outlook (Windows in English and
German, Outlook.com, Google's "Outlook CSV"), Thunderbird; and a file none of them wrote.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from circleback.adapters.store.repository import Repository
from circleback.domain.model import Birthday
from circleback.formats.csvfile import ParsedFile
from circleback.formats.detect import Format, detect_format, parse_contacts, unknown_format_reason
from circleback.formats.rows import ContactRow
from circleback.services.importing import UnknownFormat, import_file
from tests.format_files import (
    GOOGLE_HEADER,
    OUTLOOK_HEADER,
    THUNDERBIRD_HEADER,
    csv_file,
)

TODAY = date(2026, 11, 22)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "csv"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def parsed(name: str, format: Format) -> ParsedFile[ContactRow]:
    return parse_contacts(fixture(name), format, TODAY)


def notes_of(file: ParsedFile[ContactRow]) -> list[str]:
    return [str(note) for note in [*file.errors, *file.skipped, *file.warnings]]


def summary(row: ContactRow) -> dict[str, Any]:
    return row.model_dump(exclude_defaults=True)


# --- 1. LinkedIn, every era --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param(
            "linkedin_2017.csv",
            [
                (2, "Marta Quiroga", "marta.quiroga@example.com", None, "Helix Labs", "Data Scientist",
                 date(2018, 1, 8)),
                (3, "Tobias Lindgren", None, None, "Nordvik AB", "CTO", date(2017, 12, 23)),
            ],
            id="2017: no notes, no URL, 1/8/18, 6:14 PM",
        ),
        pytest.param(
            "linkedin_2019.csv",
            [
                (2, "Priya Raman", None, None, "Kestrel Systems", "Engineering Manager", date(2019, 9, 7)),
                (3, "Jonas Weber, PhD", "jonas@example.de", None, "Universität Nord", "Researcher", date(2019, 2, 28)),
            ],
            id="2019: no notes, no URL, 07 Sep 2019",
        ),
        pytest.param(
            "linkedin_2024.csv",
            [
                (5, "Aiko Tanabe", None, "https://www.linkedin.com/in/aiko-tanabe-4a1b2c", "Mirai Robotics",
                 "Head of Product", date(2023, 11, 14)),
                (7, "Lena Okoro", "lena.okoro@example.org", "https://www.linkedin.com/in/lenaokoro", "Brightwater",
                 "Designer", date(2024, 1, 3)),
                (8, "Aiko Tanabe", None, "https://www.linkedin.com/in/aiko-tanabe-4a1b2c", "Mirai Robotics",
                 "Head of Product", date(2023, 11, 14)),
            ],
            id="2024: notes, URL, 14 Nov 2023",
        ),
        pytest.param(
            "linkedin_excel_us.csv",
            [
                (5, "Rafael Mendes", None, "https://www.linkedin.com/in/rafamendes", "Solaris Energia", "Founder",
                 date(2021, 11, 23)),
                (6, "Ines Carvalho", "ines@example.pt", None, "Atlântico", "COO", date(2022, 3, 5)),
            ],
            id="US Excel: BOM, CRLF, 23-Nov-21, columns renamed, moved and added",
        ),
        pytest.param(
            "linkedin_excel_de.csv",
            [
                (5, "Jürgen Hoffmann", None, "https://www.linkedin.com/in/juergenhoffmann", "Rheinwerk GmbH",
                 "Vertriebsleiter; DACH", date(2023, 11, 14)),
                (6, "Clara Nguyen", "clara@example.de", None, "Stadtwerke Nord", "Ingenieurin", date(2021, 3, 2)),
            ],
            id="German Excel: semicolons, BOM, CRLF, 14.11.2023",
        ),
    ],
)  # fmt: skip
def test_every_era_of_linkedin_export_is_read_whole(name: str, expected: list[tuple[Any, ...]]) -> None:
    file = parsed(name, Format.LINKEDIN)

    assert [(n, r.name, r.email, r.linkedin_url, r.company, r.title, r.first_seen) for n, r in file.rows] == expected
    assert file.errors == [] and file.warnings == []
    assert detect_format(fixture(name), name) is Format.LINKEDIN


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1/8/18, 6:14 PM", date(2018, 1, 8)),
        ("12/23/17, 9:02 AM", date(2017, 12, 23)),
        ("23-Nov-21", date(2021, 11, 23)),
        ("14 Nov 2023", date(2023, 11, 14)),
        ("2023-11-14", date(2023, 11, 14)),
        ("2023-11-14 18:14:00", date(2023, 11, 14)),
        ("14.11.2023", date(2023, 11, 14)),
        ("Nov 14, 2023", date(2023, 11, 14)),
    ],
)
def test_connected_on_in_each_form_linkedin_or_a_spreadsheet_writes(cell: str, expected: date) -> None:
    text = csv_file(["First Name", "Last Name", "Connected On"], {"First Name": "Ana", "Connected On": cell})

    assert [(r.name, r.first_seen) for _, r in parse_contacts(text, Format.LINKEDIN, TODAY).rows] == [("Ana", expected)]


def test_a_date_such_as_3_5_is_read_in_the_order_the_files_other_dates_show() -> None:
    header = ["First Name", "Last Name", "Connected On"]
    ana, bo, cy = (
        {"First Name": "Ana", "Connected On": "3/5/2019"},
        {"First Name": "Bo", "Connected On": "25/12/2019"},
        {"First Name": "Cy", "Connected On": "12/25/2019"},
    )
    day_first, both = csv_file(header, ana, bo), csv_file(header, ana, bo, cy)

    assert [r.first_seen for _, r in parse_contacts(day_first, Format.LINKEDIN, TODAY).rows] == [
        date(2019, 5, 3),
        date(2019, 12, 25),
    ]
    mixed = parse_contacts(both, Format.LINKEDIN, TODAY)
    assert [r.first_seen for _, r in mixed.rows] == [None, date(2019, 12, 25), date(2019, 12, 25)]
    assert notes_of(mixed) == [
        "row 2, first_seen: left out, the contact kept: Connected On: '3/5/2019' could be 3 May or 5 Mar, "
        "and no other date says"
    ]


# --- 2. LinkedIn's nameless rows are skipped (the duplicate: tests/integration/test_cli_import_formats.py) ---------


def test_a_member_who_left_is_skipped_with_why_and_nothing_refused() -> None:
    file = parsed("linkedin_2024.csv", Format.LINKEDIN)

    assert notes_of(file) == ["row 6: skipped: no name, email, company or phone in it"]
    assert [n for n, _ in file.rows] == [5, 7, 8]  # row 8 repeats row 5: the import skips it (same as row 5)


# --- 3. Google, Outlook, Thunderbird ----------------------------------------------------------------------------


def test_google_contacts_current_layout_whole() -> None:
    file = parsed("google_current.csv", Format.GOOGLE)

    assert [summary(r) for _, r in file.rows] == [
        {
            "name": "Hana Mei Kowalczyk",
            "email": "hana@vistula.example",
            "other_emails": ("hana.k@example.pl", "hmk@example.pl"),
            "phone": "+48 12 555 0100",  # without the direction marks around it
            "linkedin_url": "https://www.linkedin.com/in/hanakowalczyk",
            "company": "Vistula Bio",
            "title": "Lab Lead",
            "country": "PL",  # written "Poland"
            "birthday": {"month": 5, "day": 17},
            "tags": ("Ex-colleagues",),
            "notes": "Met at the Kraków meetup, 2022.",
        },
        {"name": "Omar Haddad", "email": "omar@example.com", "birthday": {"month": 2, "day": 3, "year": 1979}},
    ]
    assert notes_of(file) == [
        "row 3, country: left out, the contact kept: 'Atlantis' is not a country circleback knows "
        "(write it as its ISO code)"
    ]


def test_google_contacts_older_layout_whole() -> None:
    file = parsed("google_older.csv", Format.GOOGLE)

    assert [summary(r) for _, r in file.rows] == [
        {
            "name": "Sven Aalto",
            "email": "sven@example.fi",
            "phone": "+358 40 555 0101",
            "company": "Koski Oy",
            "title": "Architect",
            "birthday": {"month": 10, "day": 30, "year": 1983},
            "tags": ("Climbing",),
        }
    ]
    assert notes_of(file) == []


HANA_FROM_GOOGLE = {
    "name": "Hana Mei Kowalczyk",
    "email": "hana@vistula.example",
    "other_emails": ("hana.k@example.pl",),
    "phone": "+48 12 555 0100",
    "linkedin_url": "https://www.linkedin.com/in/hanakowalczyk",
    "company": "Vistula Bio",
    "title": "Lab Lead",
    "country": "PL",
    "birthday": {"month": 5, "day": 17, "year": 1991},
    "tags": ("Ex-colleagues",),  # Google's own myContacts and starred are left out
    "notes": "Met at the Kraków meetup, 2022.",
}


@pytest.mark.parametrize(
    ("name", "expected", "warnings"),
    [
        pytest.param(
            "outlook_desktop.csv",
            [
                {
                    "name": "Grace A. Whitfield",  # "Title" is Dr., the form of address; the job is "Job Title"
                    "email": "grace@pemberton.example",
                    "other_emails": ("gwhitfield@example.com",),
                    "phone": "+1 917 555 0199",  # the mobile, its direction marks removed
                    "linkedin_url": "https://www.linkedin.com/in/gracewhitfield",
                    "company": "Pemberton & Co",
                    "title": "Partner",
                    "country": "US",
                    "birthday": {"month": 5, "day": 17, "year": 1988},
                    "tags": ("Clients", "Golf"),
                    "notes": "Prefers calls after 4pm.\nTwo kids.",
                },
                {"name": "Ravi Shankar", "email": "ravi@tandem.example", "company": "Tandem", "country": "US"},
            ],
            [],  # 0/0/00 is Outlook's "no birthday"
            id="Outlook for Windows, English",
        ),
        pytest.param(
            "outlook_german.csv",
            [
                {
                    "name": "Katrin Böhm",
                    "email": "katrin.boehm@elbtal.example",
                    "phone": "+49 171 5555 012",
                    "company": "Elbtal Logistik GmbH",
                    "title": "Geschäftsführerin",
                    "country": "DE",
                    "birthday": {"month": 5, "day": 17, "year": 1975},
                    "tags": ("Kunden",),
                    "notes": "Kennt Jürgen aus Köln.",
                },
                {
                    "name": "Felix Brandt",
                    "email": "felix@nordlicht.example",
                    "company": "Nordlicht AG",
                    "country": "AT",
                },
            ],
            [],
            id="Outlook for Windows, German",
        ),
        pytest.param(
            "outlook_com.csv",
            [
                {
                    "name": "Maya Goldberg",
                    "email": "maya@example.co.il",
                    "phone": "+972 52 555 0111",
                    "company": "Negev Tech",
                    "title": "VP Sales",
                    "country": "IL",
                    "notes": "Intro via Lena.",
                }
            ],
            ["row 2, birthday: left out, the contact kept: '3/5/1990' could be 3 May or 5 Mar, and no other date says"],
            id="Outlook.com",
        ),
        pytest.param("outlook_google.csv", [HANA_FROM_GOOGLE], [], id="Google's Outlook CSV"),
    ],
)
def test_outlook_csv_as_each_product_writes_it(name: str, expected: list[dict[str, Any]], warnings: list[str]) -> None:
    file = parsed(name, Format.OUTLOOK)

    assert [summary(r) for _, r in file.rows] == expected
    assert notes_of(file) == warnings


def test_thunderbird_address_book_whole() -> None:
    file = parsed("thunderbird.csv", Format.THUNDERBIRD)

    assert [summary(r) for _, r in file.rows] == [
        {
            "name": "Elif Demir",
            "email": "elif@example.com.tr",
            "other_emails": ("elif.demir@example.org",),
            "phone": "+90 532 555 0151",
            "linkedin_url": "https://www.linkedin.com/in/elifdemir",  # its second web page
            "company": "Bosphorus Lingua",
            "title": "Translator",
            "country": "TR",
            "birthday": {"month": 11, "day": 4, "year": 1986},
            "notes": "Speaks four languages.",
        },
        {"name": "Noor Bakker", "email": "noor@example.nl", "birthday": {"month": 2, "day": 29}},
        {"name": "Pieter Vos", "email": "pieter@example.nl"},
    ]
    assert notes_of(file) == [
        "row 4, birthday: left out, the contact kept: Birth Year/Month/Day: expected numbers for at least the "
        "month and day, got 1970/?/12"
    ]


def test_a_german_thunderbird_address_book_whole() -> None:
    file = parsed("thunderbird_german.csv", Format.THUNDERBIRD)

    assert [summary(r) for _, r in file.rows] == [
        {
            "name": "Lukas Schäfer",
            "email": "lukas@example.de",
            "phone": "+49 89 5555 0170",
            "company": "Isartal Werke",
            "title": "Einkaufsleiter",
            "country": "DE",
            "birthday": {"month": 7, "day": 21, "year": 1969},  # Geburtstag is the day, not the date
            "notes": "Radfahrer.",
        }
    ]
    assert notes_of(file) == []


@pytest.mark.parametrize(
    ("cells", "expected", "warning"),
    [
        (["5/17/1988"], Birthday(5, 17, 1988), None),
        (["0/0/00"], None, None),
        (["1988-05-17"], Birthday(5, 17, 1988), None),
        (["--05-17"], Birthday(5, 17), None),
        (["17.5.1988"], Birthday(5, 17, 1988), None),
        (["3/5/1990", "5/17/1988"], Birthday(3, 5, 1990), None),  # the other row says month first
        (["3/5/1990", "17/5/1988"], Birthday(5, 3, 1990), None),  # ... or day first
        (["5/17/88"], None, "'5/17/88' has a two-digit year, which could be 1988 or 2088"),
        (["circa 1980"], None, "expected YYYY-MM-DD or --MM-DD (when the year is unknown), got 'circa 1980'"),
    ],
)
def test_outlook_birthdays_become_canonical_or_are_left_out_saying_why(
    cells: list[str], expected: Birthday | None, warning: str | None
) -> None:
    rows = [{"First Name": f"P{i}", "Birthday": cell} for i, cell in enumerate(cells)]
    file = parse_contacts(csv_file(OUTLOOK_HEADER, *rows, quote_all=True), Format.OUTLOOK, TODAY)

    assert file.rows[0][1].birthday == expected
    reasons = [w.reason.removeprefix("left out, the contact kept: ") for w in file.warnings if w.row == 2]
    assert reasons == ([warning] if warning else [])


@pytest.mark.parametrize("delimiter", [",", ";", "\t"], ids=["comma", "semicolon (Excel, Europe)", "tab"])
def test_an_outlook_file_reads_the_same_whatever_separates_its_cells(delimiter: str) -> None:
    row = {"First Name": "Grace", "Last Name": "Whitfield", "E-mail Address": "grace@example.com", "Company": "P; Co"}
    text = csv_file(OUTLOOK_HEADER, row, delimiter=delimiter, bom=True)

    assert detect_format(text) is Format.OUTLOOK
    [(_, grace)] = parse_contacts(text, Format.OUTLOOK, TODAY).rows
    assert (grace.name, grace.email, grace.company) == ("Grace Whitfield", "grace@example.com", "P; Co")


def test_direction_marks_around_any_cell_are_removed() -> None:
    marks = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    row = {
        "First Name": f"{marks}Ana",
        "Last Name": "Souza\u200f",
        "Mobile Number": f"\u2066+55 11 5555 0100{marks}",
        "Display Name": "x",
        "Primary Email": "\u200eana@example.com\u200e",
        "Organization": "\u202bGlobex\u202c",
    }

    [(_, ana)] = parse_contacts(csv_file(THUNDERBIRD_HEADER, row), Format.THUNDERBIRD, TODAY).rows

    assert (ana.name, ana.phone, ana.email, ana.company) == (
        "Ana Souza",
        "+55 11 5555 0100",
        "ana@example.com",
        "Globex",
    )


# --- 4. telling them apart, and a file none of them wrote --------------------------------------------------------

DETECTED = {
    "linkedin_2017.csv": Format.LINKEDIN,
    "linkedin_2019.csv": Format.LINKEDIN,
    "linkedin_2024.csv": Format.LINKEDIN,
    "linkedin_excel_us.csv": Format.LINKEDIN,
    "linkedin_excel_de.csv": Format.LINKEDIN,
    "google_current.csv": Format.GOOGLE,
    "google_older.csv": Format.GOOGLE,
    "outlook_desktop.csv": Format.OUTLOOK,
    "outlook_german.csv": Format.OUTLOOK,
    "outlook_com.csv": Format.OUTLOOK,
    "outlook_google.csv": Format.OUTLOOK,
    "thunderbird.csv": Format.THUNDERBIRD,
    "thunderbird_german.csv": Format.THUNDERBIRD,
    "unknown.csv": None,
}


def test_every_fixture_is_covered() -> None:
    assert set(DETECTED) == {path.name for path in FIXTURES.glob("*.csv")}


@pytest.mark.parametrize(("name", "expected"), list(DETECTED.items()))
def test_each_file_is_told_by_its_header_whatever_its_name(name: str, expected: Format | None) -> None:
    assert detect_format(fixture(name), "contacts.csv") is expected
    assert detect_format(fixture(name)) is expected


def no_repo() -> Repository:
    return cast(Repository, None)  # the format is decided before anything is read or written


def test_an_unknown_csv_is_refused_with_its_first_row_not_read_as_circlebacks_own() -> None:
    with pytest.raises(UnknownFormat) as refused:
        import_file(no_repo(), "owner", fixture("unknown.csv"), TODAY, filename="unknown.csv")

    assert str(refused.value) == (
        "cannot tell what kind of file this is: no header of a known export: the first row is Name, Phone, Mobile, "
        "Street, City, Zip, …; circleback reads circleback contacts CSV, LinkedIn connections, Google Contacts CSV, "
        "Outlook CSV, Thunderbird address book CSV, vCard, circleback backup, circleback touches CSV, "
        "circleback life events CSV"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "First Name;Surname;E-mail Address\r\nAna;Souza;ana@example.com\r\n",
            "cannot tell what kind of file this is: it looks like an Outlook CSV, but its header lacks some of First "
            "Name, Last Name and E-mail Address (Vorname, Nachname and E-Mail-Adresse): the first row is First Name, "
            "Surname, E-mail Address",
        ),
        (
            "Name,Connected On\nAna Souza,14 Nov 2023\n",
            "cannot tell what kind of file this is: it looks like LinkedIn connections, but its header lacks some of "
            "First Name, Last Name and Connected On: the first row is Name, Connected On",
        ),
        ("\r\n\r\n", "cannot tell what kind of file this is: it is empty; circleback reads circleback contacts CSV, "),
        (
            "x" * 100 + ",y\n",
            "cannot tell what kind of file this is: no header of a known export: the first row is "
            + "x" * 39
            + "…, y; circleback reads",
        ),
    ],
)
def test_a_damaged_header_says_which_product_it_looks_like(text: str, message: str) -> None:
    assert unknown_format_reason(text).startswith(message)
    assert detect_format(text, "x.csv") is None or not text.strip()


@pytest.mark.parametrize(
    ("name", "asked", "message"),
    [
        (
            "outlook_google.csv",
            Format.GOOGLE,
            "asked to read a Google Contacts CSV (format google), but this looks like an Outlook CSV: leave the format "
            "out to read it as one",
        ),
        (
            "thunderbird.csv",
            Format.CSV,
            "asked to read a circleback contacts CSV (format csv), but this looks like a Thunderbird address book "
            "CSV: leave the format out to read it as one",
        ),
        (
            "google_current.csv",
            Format.LINKEDIN,
            "asked to read LinkedIn connections (format linkedin), but this looks like a Google Contacts CSV: leave "
            "the format out to read it as one",
        ),
    ],
)
def test_a_format_asked_for_that_the_content_contradicts_is_refused_naming_both(
    name: str, asked: Format, message: str
) -> None:
    with pytest.raises(UnknownFormat) as refused:
        import_file(no_repo(), "owner", fixture(name), TODAY, format=asked)

    assert str(refused.value) == message


# --- property: any text in the cells reads back as written -------------------------------------------------------

_INVISIBLE = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
TEXT = (
    st.text(st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp"), exclude_characters=_INVISIBLE), max_size=40)
    .map(str.strip)
    .filter(bool)
)
# Each mapped layout: its header, and the columns the name, company, title and notes are written in.
LAYOUT_CELLS: dict[Format, tuple[list[str], dict[str, str]]] = {
    Format.LINKEDIN: (
        ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"],
        {"name": "First Name", "company": "Company", "title": "Position"},
    ),
    Format.GOOGLE: (
        GOOGLE_HEADER,
        {"name": "First Name", "company": "Organization Name", "title": "Organization Title", "notes": "Notes"},
    ),
    Format.OUTLOOK: (
        OUTLOOK_HEADER,
        {"name": "First Name", "company": "Company", "title": "Job Title", "notes": "Notes"},
    ),
    Format.THUNDERBIRD: (
        THUNDERBIRD_HEADER,
        {"name": "First Name", "company": "Organization", "title": "Job Title", "notes": "Notes"},
    ),
}


@pytest.mark.parametrize("format", list(LAYOUT_CELLS))
@settings(max_examples=40, deadline=None)
@given(data=st.data(), bom=st.booleans(), newline=st.sampled_from(["\r\n", "\n"]))
def test_any_text_in_the_cells_reads_back_as_written(
    format: Format, data: st.DataObject, bom: bool, newline: str
) -> None:
    header, columns = LAYOUT_CELLS[format]
    values = {field: data.draw(TEXT, label=field) for field in columns}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(header)
    writer.writerow([next((values[f] for f, c in columns.items() if c == column), "") for column in header])
    text = ("\ufeff" if bom else "") + out.getvalue()

    file = parse_contacts(text, format, TODAY)

    assert file.errors == [] and file.warnings == []
    [(_, row)] = file.rows
    assert {field: getattr(row, field) for field in columns} == values
