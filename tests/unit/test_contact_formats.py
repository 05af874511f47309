"""Other products' contact files, read as they write them, and the files circleback writes.

Every fixture is written here, in the shape the product writes: LinkedIn's notes before the header, Google's
column names (current and older layouts), vCard 3.0 and 4.0 with folded lines, escapes and UTF-8 names.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from circleback.domain.model import Birthday, Contact, Relationship, Tier
from circleback.formats.backup import parse_backup
from circleback.formats.csvfile import CONTACTS, ParsedFile, RowError, parse_csv, write_contacts_csv
from circleback.formats.detect import Format, detect_format, parse_contacts
from circleback.formats.google import parse_google
from circleback.formats.linkedin import parse_linkedin
from circleback.formats.rows import CONTACT_FIELDS, ContactRow
from circleback.formats.vcard import parse_vcards, write_vcards
from tests.contact_strategies import contacts
from tests.format_files import (
    GOOGLE_OLDER_HEADER,
    LINKEDIN_HEADER,
    cards,
    google_file,
    linkedin_file,
)

TODAY = date(2026, 11, 22)


def rows_of(parsed: ParsedFile[ContactRow]) -> dict[int, ContactRow]:
    return dict(parsed.rows)


def where(parsed: ParsedFile[Any]) -> list[tuple[int, str | None]]:
    return [(error.row, error.field) for error in parsed.errors]


# --- LinkedIn ---------------------------------------------------------------------------------------------------


def test_linkedin_export_is_read_after_its_notes_and_numbered_as_a_spreadsheet_shows_it() -> None:
    text = linkedin_file(
        "Ana,Souza,https://www.linkedin.com/in/anasouza,,Globex,Head of Platform,15 Mar 2024",
        "Rahul,Mehta,https://www.linkedin.com/in/rahulmehta,rahul@example.in,"
        '"Infosys, Bangalore",Architect,07 Sep 2019',
        "Zoë,Ñúñez-Østergaard,https://www.linkedin.com/in/zoe-nunez,,Søstrene,Designer,1 Feb 2021",
    )

    parsed = parse_linkedin(text, TODAY)

    assert parsed.errors == []
    rows = rows_of(parsed)
    assert sorted(rows) == [5, 6, 7]  # three lines of notes and the header come first
    ana, rahul, zoe = rows[5], rows[6], rows[7]
    assert (ana.name, ana.email, ana.linkedin_url, ana.company, ana.title) == (
        "Ana Souza",
        None,  # most connections share no email
        "https://www.linkedin.com/in/anasouza",
        "Globex",
        "Head of Platform",
    )
    assert ana.first_seen == date(2024, 3, 15)
    assert ana.last_touch is None  # connecting is not a touch
    assert (rahul.email, rahul.company, rahul.first_seen) == (
        "rahul@example.in",
        "Infosys, Bangalore",
        date(2019, 9, 7),
    )
    assert zoe.name == "Zoë Ñúñez-Østergaard"


def test_linkedin_export_with_a_byte_order_mark_and_windows_line_ends_reads_the_same() -> None:
    lines = ("Ana,Souza,https://www.linkedin.com/in/anasouza,,Globex,CTO,15 Mar 2024",)
    plain = parse_linkedin(linkedin_file(*lines), TODAY)
    windows = parse_linkedin("\ufeff" + linkedin_file(*lines, newline="\r\n"), TODAY)

    assert windows.rows == plain.rows
    assert windows.errors == []


def test_an_older_linkedin_export_without_url_or_notes_is_read() -> None:
    text = (
        "First Name,Last Name,Email Address,Company,Position,Connected On\n"
        "Ana,Souza,ana@example.com,Globex,CTO,3/15/24\n"
    )

    parsed = parse_linkedin(text, TODAY)

    assert [(n, r.name, r.email, r.first_seen) for n, r in parsed.rows] == [
        (2, "Ana Souza", "ana@example.com", date(2024, 3, 15))
    ]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("15 Mar 2024", date(2024, 3, 15)),
        ("5 Sep 2023", date(2023, 9, 5)),
        ("05 Sept 2023", date(2023, 9, 5)),
        ("15 March 2024", date(2024, 3, 15)),
        ("29 Feb 2024", date(2024, 2, 29)),
        ("2024-03-15", date(2024, 3, 15)),
        ("3/15/2024", date(2024, 3, 15)),
        ("", None),
    ],
)
def test_connected_on_becomes_the_first_seen_date(cell: str, expected: date | None) -> None:
    parsed = parse_linkedin(linkedin_file(f"Ana,Souza,,,,,{cell}"), TODAY)

    assert parsed.errors == []
    assert rows_of(parsed)[5].first_seen == expected


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        ("yesterday", ("connected on", "15 mar 2024", "'yesterday'")),
        ("31 Feb 2024", ("connected on",)),
        ("15 Foo 2024", ("connected on",)),
        ("13/45/2024", ("connected on",)),
        ("15 Mar 2027", ("in the future",)),
    ],
)
def test_a_connected_on_that_is_no_date_costs_only_the_date_and_says_why(cell: str, words: tuple[str, ...]) -> None:
    parsed = parse_linkedin(linkedin_file("Ana,Souza,,,,,15 Mar 2024", f"Bo,Li,,,,,{cell}"), TODAY)

    assert list(rows_of(parsed)) == [5, 6]
    assert dict(parsed.rows)[6].first_seen is None
    assert parsed.errors == []
    assert [(w.row, w.field) for w in parsed.warnings] == [(6, "first_seen")]
    reason = parsed.warnings[0].reason.lower()
    assert all(word in reason for word in words), reason


def test_bad_linkedin_values_are_left_out_one_by_one_with_their_reasons() -> None:
    text = linkedin_file(
        ",,https://www.linkedin.com/in/nobody,,Acme,CTO,15 Mar 2024",
        "Ana,Souza,https://www.linkedin.com/company/globex,,Globex,CTO,15 Mar 2024",
        "Bo,Li,,not-an-address,,,15 Mar 2024",
        "Rahul,Mehta,https://www.linkedin.com/in/rahulmehta,,Infosys,Architect,07 Sep 2019",
    )

    parsed = parse_linkedin(text, TODAY)

    # Every row keeps its contact: the nameless one is named from its company, the unreadable values are left out.
    assert [(n, r.name, r.linkedin_url, r.email) for n, r in parsed.rows] == [
        (5, "Acme", "https://www.linkedin.com/in/nobody", None),
        (6, "Ana Souza", None, None),
        (7, "Bo Li", None, None),
        (8, "Rahul Mehta", "https://www.linkedin.com/in/rahulmehta", None),
    ]
    assert parsed.errors == []
    assert [str(warning).split(": ", 1)[0] for warning in parsed.warnings] == [
        "row 5, name",
        "row 6, linkedin_url",
        "row 7, email",
    ]
    assert "named 'Acme' from the company" in parsed.warnings[0].reason
    assert "not a LinkedIn profile" in parsed.warnings[1].reason
    assert "'not-an-address' is not an email address" in parsed.warnings[2].reason


def test_a_file_without_linkedins_header_is_refused_as_a_whole() -> None:
    parsed = parse_linkedin("Name,Email\nAna,ana@example.com\n", TODAY)

    assert parsed.rows == []
    assert where(parsed) == [(1, None)]
    assert "not a LinkedIn connections file" in parsed.errors[0].reason
    assert "Connected On" in parsed.errors[0].reason


# --- Google Contacts --------------------------------------------------------------------------------------------

ANA_GOOGLE = {
    "First Name": "Ana",
    "Middle Name": "Maria",
    "Last Name": "Souza",
    "Organization Name": "Globex",
    "Organization Title": "CTO",
    "Birthday": "1988-05-17",
    "Notes": "Met at QCon.\nLoves long essays, and coffee.",
    "Labels": "* myContacts ::: Ex-Globex ::: * starred ::: Mentors",
    "E-mail 1 - Label": "Work",
    "E-mail 1 - Value": "ana@globex.example",
    "E-mail 2 - Label": "* Home",
    "E-mail 2 - Value": "ana.souza@example.com ::: ana@old.example",
    "Phone 1 - Label": "Work",
    "Phone 1 - Value": "+55 11 5555 0101",
    "Phone 2 - Label": "* Mobile",
    "Phone 2 - Value": "+55 11 5555 0100",
    "Address 1 - Country": "BR",
    "Website 1 - Label": "Profile",
    "Website 1 - Value": "https://www.linkedin.com/in/anasouza",
}


def test_a_google_contacts_export_is_read_with_its_column_names() -> None:
    parsed = parse_google(google_file(ANA_GOOGLE), TODAY)

    assert parsed.errors == []
    ana = rows_of(parsed)[2]
    assert ana.name == "Ana Maria Souza"
    assert ana.email == "ana.souza@example.com"  # the primary ("* Home") address
    assert ana.other_emails == ("ana@old.example", "ana@globex.example")  # they still find a known contact
    assert ana.phone == "+55 11 5555 0100"  # the primary phone
    assert (ana.company, ana.title, ana.country) == ("Globex", "CTO", "BR")
    assert ana.birthday == Birthday(month=5, day=17, year=1988)
    assert ana.linkedin_url == "https://www.linkedin.com/in/anasouza"
    assert ana.tags == ("Ex-Globex", "Mentors")  # Google's own labels are left out
    assert ana.notes == "Met at QCon.\nLoves long essays, and coffee."


def test_google_without_a_primary_takes_the_first_and_one_address_listed_twice_is_one() -> None:
    row = {
        "First Name": "Bo",
        "E-mail 1 - Label": "Work",
        "E-mail 1 - Value": "bo@work.example ::: BO@home.example",
        "E-mail 2 - Label": "Home",
        "E-mail 2 - Value": "bo@home.example",
    }

    bo = rows_of(parse_google(google_file(row), TODAY))[2]

    assert (bo.email, bo.other_emails) == ("bo@work.example", ("BO@home.example",))


@pytest.mark.parametrize(("cell", "expected"), [("--03-14", Birthday(3, 14)), (" --02-29", Birthday(2, 29))])
def test_a_google_birthday_without_a_year_is_kept_without_one(cell: str, expected: Birthday) -> None:
    row = rows_of(parse_google(google_file({"First Name": "Grace", "Birthday": cell}), TODAY))[2]

    assert row.birthday == expected


def test_a_google_country_written_out_becomes_its_code() -> None:
    row = rows_of(parse_google(google_file({"First Name": "Ana", "Address 1 - Country": "Brazil"}), TODAY))[2]

    assert row.country == "BR"


def test_the_older_google_layout_is_read_too() -> None:
    row = {
        "Name": "Rahul Mehta",
        "Given Name": "Rahul",
        "Family Name": "Mehta",
        "Birthday": "1975-11-02",
        "Group Membership": "* My Contacts ::: Mentors",
        "E-mail 1 - Type": "* Work",
        "E-mail 1 - Value": "rahul@example.in",
        "Phone 1 - Type": "Mobile",
        "Phone 1 - Value": "+91 98450 55501",
        "Organization 1 - Name": "Infosys",
        "Organization 1 - Title": "Principal Architect",
        "Website 1 - Type": "Profile",
        "Website 1 - Value": "http://in.linkedin.com/in/rahulmehta",
    }

    parsed = parse_google(google_file(row, header=GOOGLE_OLDER_HEADER), TODAY)

    assert parsed.errors == []
    rahul = rows_of(parsed)[2]
    assert (rahul.name, rahul.email, rahul.phone, rahul.company, rahul.title, rahul.tags) == (
        "Rahul Mehta",
        "rahul@example.in",
        "+91 98450 55501",
        "Infosys",
        "Principal Architect",
        ("Mentors",),
    )
    assert rahul.linkedin_url == "http://in.linkedin.com/in/rahulmehta"


def test_google_rows_without_a_name_or_with_a_bad_address_keep_their_contact_and_say_why() -> None:
    text = google_file(
        {"E-mail 1 - Value": "only@example.com"},  # Google keeps such "contacts"; a person has a name
        {"Nickname": "Bo", "E-mail 1 - Value": "bo@example.com"},
        {"First Name": "Cy", "E-mail 1 - Value": "cy@example.com", "E-mail 2 - Value": "cy at home"},
        {"First Name": "Di", "Birthday": "May 17"},
    )

    parsed = parse_google(text, TODAY)

    assert [(n, r.name, r.email, r.other_emails, r.birthday) for n, r in parsed.rows] == [
        (2, "Only", "only@example.com", (), None),
        (3, "Bo", "bo@example.com", (), None),
        (4, "Cy", "cy@example.com", (), None),
        (5, "Di", None, (), None),
    ]
    assert parsed.errors == []
    assert [(w.row, w.field) for w in parsed.warnings] == [(2, "name"), (4, "email"), (5, "birthday")]
    assert "named 'Only' from the email" in parsed.warnings[0].reason
    assert "'cy at home' is not an email address" in parsed.warnings[1].reason
    assert "expected YYYY-MM-DD or --MM-DD" in parsed.warnings[2].reason


# --- vCard ------------------------------------------------------------------------------------------------------

MARGARET_V3 = [
    "VERSION:3.0",
    "PRODID:-//Apple Inc.//iPhone OS 17.0//EN",
    "N:Okafor;Margaret;;;",
    "FN:Margaret Okafor",
    "ORG:Northwind Analytics;Engineering",
    "TITLE:VP Engineering",
    "EMAIL;type=INTERNET;type=HOME:m.okafor@home.example",
    "EMAIL;type=INTERNET;type=WORK;type=pref:margaret.okafor@example.com",
    "TEL;type=CELL;type=VOICE;type=pref:+1 415 555 0142",
    "item1.URL;type=pref:https://www.linkedin.com/in/margaret-okafor",
    "item1.X-ABLabel:_$!<HomePage>!$_",
    "BDAY;X-APPLE-OMIT-YEAR=1604:1604-03-14",
    "ADR;type=WORK:;;1 Market St;San Francisco;CA;94105;US",
    "CATEGORIES:reference,leadership",
    # A long note, folded as vCard writers do: CRLF, then one space, then the rest.
    "NOTE:Hired me in 2019\\; wrote my last reference\\, twice.\\nLoves long-form",
    "  essays on org design and team topologies.",
]
ZOE_V4 = [
    "VERSION:4.0",
    "FN:Zoë Łukasiewicz-Ōtani",
    "N:Łukasiewicz-Ōtani;Zoë;;;",
    "EMAIL;TYPE=home;PREF=2:zoe@home.example",
    "EMAIL;TYPE=work;PREF=1:zoe@acme.example",
    "TEL;VALUE=uri;TYPE=cell:tel:+48-600-100-200",
    "BDAY:--0229",
    "X-SOCIALPROFILE;TYPE=linkedin:https://www.linkedin.com/in/zoe-otani",
    "NOTE:Prefers Signal. 日本語も話せる。",
]
WANG_V4 = ["VERSION:4.0", "FN:王小明", "BDAY:19880517", "ORG:字节跳动", "TITLE:工程经理"]


def test_a_vcard_3_from_a_phone_is_read_with_its_folded_lines_escapes_and_preferences() -> None:
    parsed = parse_vcards(cards(MARGARET_V3), TODAY)

    assert parsed.errors == []
    margaret = rows_of(parsed)[1]
    assert margaret.name == "Margaret Okafor"
    assert (margaret.email, margaret.other_emails) == ("margaret.okafor@example.com", ("m.okafor@home.example",))
    assert margaret.phone == "+1 415 555 0142"
    assert (margaret.company, margaret.title, margaret.country) == ("Northwind Analytics", "VP Engineering", "US")
    assert margaret.linkedin_url == "https://www.linkedin.com/in/margaret-okafor"
    assert margaret.birthday == Birthday(month=3, day=14)  # Apple's "no year" year
    assert margaret.tags == ("reference", "leadership")
    assert margaret.notes == (
        "Hired me in 2019; wrote my last reference, twice.\nLoves long-form essays on org design and team topologies."
    )


def test_vcard_4_cards_with_utf8_names_are_read_many_to_a_file_and_numbered() -> None:
    parsed = parse_vcards(cards(ZOE_V4, WANG_V4, newline="\n"), TODAY)

    assert parsed.errors == []
    zoe, wang = rows_of(parsed)[1], rows_of(parsed)[2]
    assert zoe.name == "Zoë Łukasiewicz-Ōtani"
    assert (zoe.email, zoe.other_emails) == ("zoe@acme.example", ("zoe@home.example",))  # PREF=1 first
    assert zoe.phone == "+48-600-100-200"
    assert zoe.birthday == Birthday(month=2, day=29)
    assert zoe.linkedin_url == "https://www.linkedin.com/in/zoe-otani"
    assert zoe.notes == "Prefers Signal. 日本語も話せる。"
    assert (wang.name, wang.company, wang.title, wang.birthday) == (
        "王小明",
        "字节跳动",
        "工程经理",
        Birthday(month=5, day=17, year=1988),
    )


@pytest.mark.parametrize(
    ("bday", "expected"),
    [
        ("19880517", Birthday(5, 17, 1988)),
        ("1988-05-17", Birthday(5, 17, 1988)),
        ("1988-05-17T00:00:00Z", Birthday(5, 17, 1988)),
        ("--0517", Birthday(5, 17)),
        ("--05-17", Birthday(5, 17)),
    ],
)
def test_vcard_birthdays_with_and_without_a_year(bday: str, expected: Birthday) -> None:
    parsed = parse_vcards(cards(["VERSION:4.0", "FN:Ana Souza", f"BDAY:{bday}"]), TODAY)

    assert rows_of(parsed)[1].birthday == expected


def test_a_card_without_fn_takes_its_name_from_n() -> None:
    parsed = parse_vcards(cards(["VERSION:3.0", "N:Doe;John;Quincy;Dr.;Jr."]), TODAY)

    assert rows_of(parsed)[1].name == "John Quincy Doe"


def test_a_vcard_2_1_card_in_quoted_printable_is_read() -> None:
    card = [
        "VERSION:2.1",
        "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Mart=C3=ADnez;Luc=C3=ADa;;;",
        "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Luc=C3=ADa Mart=C3=ADnez",
        "TEL;CELL:+34 600 000 000",
    ]

    row = rows_of(parse_vcards(cards(card), TODAY))[1]

    assert (row.name, row.phone) == ("Lucía Martínez", "+34 600 000 000")


def test_broken_cards_are_refused_by_number_and_bad_fields_cost_only_themselves() -> None:
    text = cards(
        ["VERSION:4.0", "FN:Ana Souza", "EMAIL:ana@example.com"],
        ["VERSION:4.0", "FN:Broken", "this line is no property"],
        ["VERSION:4.0", "N:;;;;"],
        ["VERSION:4.0", "FN:Circa", "BDAY;VALUE=text:circa 1980"],
        ["VERSION:4.0", "FN:Bad Day", "BDAY:1988"],
        ["VERSION:4.0", "FN:Bad Mail", "EMAIL:bad mail"],
        ["VERSION:3.0", "FN:Rahul Mehta"],
    )

    parsed = parse_vcards(text + "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Cut Short\r\n", TODAY)

    # A card with a field that cannot be read keeps its contact without it, and says so (formats/foreign.py).
    assert [(n, r.name) for n, r in parsed.rows] == [
        (1, "Ana Souza"),
        (4, "Circa"),
        (5, "Bad Day"),
        (6, "Bad Mail"),
        (7, "Rahul Mehta"),
    ]
    assert all(row.birthday is None and row.email is None for n, row in parsed.rows if n in (4, 5, 6))
    assert where(parsed) == [(2, None), (8, None)]
    messages = [str(error) for error in parsed.errors]
    assert messages[0].startswith("card 2: not readable as a vCard (line 9)")  # the file's line
    assert "this line is no property" in messages[0]
    assert messages[1] == "card 8: the file ends before END:VCARD"
    assert [str(skip) for skip in parsed.skipped] == ["card 3: skipped: no name, email, company or phone in it"]
    warnings = [str(warning) for warning in parsed.warnings]
    assert warnings[0] == "card 4, birthday: left out, the contact kept: 'circa 1980' is text, not a date"
    assert warnings[1].startswith("card 5, birthday: left out, the contact kept: expected a date such as 19880517")
    assert warnings[2] == "card 6, email: left out, the contact kept: 'bad mail' is not an email address"


def test_text_outside_the_cards_and_a_file_without_any_are_reported() -> None:
    stray = parse_vcards("hello\r\nthere\r\n" + cards(["VERSION:4.0", "FN:Ana Souza"]), TODAY)
    empty = parse_vcards("\r\n", TODAY)

    assert [(n, r.name) for n, r in stray.rows] == [(1, "Ana Souza")]
    assert [str(error) for error in stray.errors] == ["line 1: outside any card (BEGIN:VCARD ... END:VCARD)"]
    assert [str(error) for error in empty.errors] == ["line 1: no card in the file: expected BEGIN:VCARD ... END:VCARD"]


# --- writing vCard 4.0 and the canonical CSV ----------------------------------------------------------------

FULL = Contact(
    id="c0001",
    name="Zoë Łukasiewicz-Ōtani; PhD, MBA",
    created_on=date(2025, 1, 1),
    email="zoe@acme.example",
    phone="+48 600 100 200",
    linkedin_url="https://www.linkedin.com/in/zoe-otani",
    company="Acme; Sp. z o.o., Kraków",
    title="Head of Platform",
    relationship=Relationship.MENTOR,
    tier=Tier.A,
    cadence_days=45,
    country="PL",
    birthday=Birthday(month=2, day=29),
    worked_together_until=date(2023, 6, 30),
    first_seen=date(2016, 4, 1),
    tags=("ex-acme", "reference"),
    notes="Line one, with a comma; and a semicolon.\nA back\\slash." + " Długi tekst ąęśćźżółń 日本語" * 8,
    last_touch=date(2026, 9, 1),
    paused=True,
)


def test_vcard_4_output_is_crlf_folded_at_75_octets_and_reads_back_to_the_same_fields() -> None:
    text = write_vcards([FULL])

    lines = text.split("\r\n")
    assert lines[:2] == ["BEGIN:VCARD", "VERSION:4.0"]
    assert lines[-2:] == ["END:VCARD", ""]
    assert all(len(line.encode()) <= 75 for line in lines)
    assert any(line.startswith(" ") for line in lines)  # the long note was folded
    assert "BDAY:--0229" in lines
    assert "X-CIRCLEBACK-TIER:A" in lines
    assert fields(only(parse_vcards(text, TODAY))) == fields(FULL)


def test_the_canonical_csv_reads_back_to_the_same_fields_and_guards_formula_cells() -> None:
    risky = replace(FULL, name='=HYPERLINK("https://evil.example","Ana")', tags=("ex-acme",), phone="+1 415 555")
    text = write_contacts_csv([risky])

    lines = text.splitlines()
    assert lines[0] == ",".join(CONTACTS.columns)
    assert lines[1].startswith("\"'=HYPERLINK(")  # a spreadsheet shows it as text, never runs it
    assert "'+1 415 555" in lines[1]
    assert fields(only(parse_csv(text, CONTACTS, TODAY))) == fields(risky)


def only(parsed: ParsedFile[ContactRow]) -> ContactRow:
    assert parsed.errors == []
    [(_, row)] = parsed.rows
    return row


def fields(value: Contact | ContactRow) -> dict[str, Any]:
    """The contact fields a file carries, with a row's unset fields as the contact's defaults."""
    defaults = Contact(id="", name="", created_on=TODAY)
    return {
        name: getattr(value, name) if getattr(value, name) is not None else getattr(defaults, name)
        for name in CONTACT_FIELDS
    }


@given(st.lists(contacts, min_size=1, max_size=4))
def test_any_contacts_written_as_vcards_read_back_the_same(written: list[Contact]) -> None:
    parsed = parse_vcards(write_vcards(written), TODAY)

    assert parsed.errors == []
    assert [fields(row) for _, row in parsed.rows] == [fields(contact) for contact in written]


@given(st.lists(contacts, min_size=1, max_size=4))
def test_any_contacts_written_as_the_canonical_csv_read_back_the_same(written: list[Contact]) -> None:
    parsed = parse_csv(write_contacts_csv(written), CONTACTS, TODAY)

    assert parsed.errors == []
    assert [fields(row) for _, row in parsed.rows] == [fields(contact) for contact in written]


@given(st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=300))
def test_folding_never_splits_a_character_and_unfolding_gives_the_line_back(note: str) -> None:
    text = write_vcards([Contact(id="c1", name="Ana", created_on=TODAY, notes=note or None)])

    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))  # and each is whole UTF-8
    assert only(parse_vcards(text, TODAY)).notes == (note.strip() or None)


# --- telling the formats apart --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "filename", "expected"),
    [
        (linkedin_file("Ana,Souza,,,,,15 Mar 2024"), None, Format.LINKEDIN),
        (LINKEDIN_HEADER + "\nAna,Souza,,,,,15 Mar 2024\n", "export.txt", Format.LINKEDIN),
        (google_file(ANA_GOOGLE), None, Format.GOOGLE),
        (google_file({"Name": "Rahul"}, header=GOOGLE_OLDER_HEADER), None, Format.GOOGLE),
        ("\ufeff" + cards(ZOE_V4), None, Format.VCARD),
        ("begin:vcard\nversion:3.0\nfn:Ana\nend:vcard\n", None, Format.VCARD),
        ("name,email,tier\nAna,ana@example.com,A\n", None, Format.CSV),
        ("Name,Email\nAna,ana@example.com\n", None, Format.CSV),
        ('{"format": "circleback-backup", "version": 1}', None, Format.JSON),
        ("", "contacts.vcf", Format.VCARD),
        ("nickname\nAnnie\n", "contacts.csv", None),  # a header of no known export: unknown_format_reason says so
        ("nickname\nAnnie\n", None, None),
        ("", None, None),
    ],
)
def test_the_format_is_told_by_the_content_else_by_the_extension(
    text: str, filename: str | None, expected: Format | None
) -> None:
    assert detect_format(text, filename) == expected


def test_every_contact_format_reads_through_the_one_entry_point() -> None:
    assert only(parse_contacts(cards(WANG_V4), Format.VCARD, TODAY)).name == "王小明"
    with pytest.raises(ValueError, match="not a contacts format"):
        parse_contacts("{}", Format.JSON, TODAY)


# --- the JSON backup's own checks -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"format": "circleback-backup",\n "version": 1,,}', "line 2: not readable as JSON"),
        ('{"contacts": []}', 'file: not a circleback backup: expected a JSON object with "format"'),
        ('{"format": "circleback-backup", "version": 2}', "file: backup format version 2; this circleback reads"),
        ('{"format": "circleback-backup", "version": 1, "contacts": {}}', 'file: "contacts" must be a list'),
    ],
)
def test_a_file_that_is_no_backup_is_refused_as_a_whole(text: str, message: str) -> None:
    parsed = parse_backup(text, TODAY)

    assert (parsed.owner, parsed.contacts, parsed.touches, parsed.events) == (None, [], [], [])
    assert len(parsed.errors) == 1
    assert str(parsed.errors[0]).startswith(message)


def test_each_bad_part_of_a_backup_is_refused_by_its_kind_and_place() -> None:
    text = """{"format": "circleback-backup", "version": 1,
      "owner": {"timezone": "Mars/Olympus", "send_hour": 7},
      "contacts": [
        {"id": "a", "created_on": "2025-01-01", "name": "Ana Souza", "email": "ana@example.com"},
        {"id": "b", "created_on": "2025-01-01", "name": "Bo", "email": "nope"},
        {"id": "a", "created_on": "2025-01-01", "name": "Ana Again"},
        "not an object"
      ],
      "touches": [
        {"id": "t1", "contact_id": "a", "date": "2026-11-01", "direction": "inbound", "channel": "call"},
        {"id": "t2", "contact_id": "b", "date": "2026-11-01"},
        {"id": "t3", "contact_id": "a", "date": "2027-01-01"},
        {"id": "t4", "contact_id": "gone", "date": "2026-11-02", "note": "left behind by a removal"}
      ],
      "events": [
        {"id": "e1", "date": "2026-11-10", "kind": "promotion", "contact_id": "a"},
        {"id": "e2", "date": "2026-11-10", "kind": "knighted"},
        {"id": "e3", "date": "2026-11-10", "kind": "moved", "contact_id": "gone"}
      ],
      "trips": [
        {"id": "r1", "city": "Berlin", "city_key": "geonames:2950159", "start": "2027-03-03", "end": "2027-03-05"},
        {"id": "r2", "city": "", "city_key": "name:", "start": "2027-03-03", "end": "2027-03-05"},
        {"id": "r3", "city": "Lisboa", "city_key": "geonames:2267057", "start": "in March", "end": "2027-03-05"}
      ],
      "lunches": [
        {"team": "northwind analytics", "on": "2026-11-02", "met": true},
        {"team": "northwind analytics", "on": "2026-11-20", "met": false},
        {"team": "globex", "on": "2026-11-02", "met": "perhaps"}
      ]}"""

    parsed = parse_backup(text, TODAY)

    assert parsed.owner is None
    assert [(n, c.id) for n, c in parsed.contacts] == [(1, "a")]
    assert [(n, t.id) for n, t in parsed.touches] == [(1, "t1")]
    assert [(n, e.id) for n, e in parsed.events] == [(1, "e1")]
    assert [(n, t.trip().city) for n, t in parsed.trips] == [(1, "Berlin")]
    assert [(n, lunch.lunch().met) for n, lunch in parsed.lunches] == [(1, True)]
    assert [str(error).split(": ", 1)[0] for error in parsed.errors] == [
        "owner, timezone",
        "contact 2, email",
        "contact 3, id",
        "contact 4",
        "touch 2, contact_id",
        "touch 3, date",
        "event 2, kind",
        "trip 2, city",
        "trip 3, start",
        "lunch 2, team",
        "lunch 3, met",
    ]
    assert "'Mars/Olympus' is not an IANA time zone" in parsed.errors[0].reason
    assert "the same id as contact 1" in parsed.errors[2].reason
    assert "its contact 'b' was refused" in parsed.errors[4].reason
    assert "in the future" in parsed.errors[5].reason
    # A contact the backup does not hold at all was removed before it was taken: its rows are skipped, not refused.
    assert [str(note) for note in parsed.skipped] == [
        "touch 4, contact_id: skipped: its contact 'gone' is not in this backup",
        "event 3, contact_id: skipped: its contact 'gone' is not in this backup",
    ]


def test_row_errors_read_as_their_unit_place_and_field() -> None:
    assert str(RowError(3, "email", "bad", "card")) == "card 3, email: bad"
    assert str(RowError(0, "timezone", "bad", "owner")) == "owner, timezone: bad"
    assert str(RowError(7, None, "bad")) == "row 7: bad"


def test_vobject_is_imported_only_when_a_vcard_is_read() -> None:
    code = (
        "import sys, circleback.services.importing, circleback.services.exporting, circleback.formats.vcard\n"
        "print('vobject' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)  # noqa: S603 - our own interpreter
    assert result.stdout.strip() == "False"


def test_a_backup_keeps_a_touch_s_purpose_and_follow_up() -> None:
    """Issue 19: a restore brings back the follow-up (dismissed or not) and what a touch was for."""
    from circleback.domain.model import FollowUp, Owner, Touch, TouchPurpose
    from circleback.formats.backup import dump_backup

    ana = Contact(id="c1", name="Ana Souza", created_on=date(2026, 1, 5))
    touches = [
        Touch("t1", "c1", date(2026, 3, 1), note="x", follow_up=FollowUp(date(2026, 3, 15), "the interview")),
        Touch("t2", "c1", date(2026, 3, 2), purpose=TouchPurpose.SHARE,
              follow_up=FollowUp(date(2026, 3, 9), done_on=date(2026, 3, 10))),
    ]  # fmt: skip
    parsed = parse_backup(dump_backup(Owner("o"), [ana], touches, []), date(2026, 4, 1))

    assert not parsed.errors
    assert [entry.touch("c1") for _, entry in parsed.touches] == [replace(t, source="cli") for t in touches]
