"""vCards as real address books write them (tests/fixtures/vcard/, invented people): Apple's iPhone and macOS
Contacts, Google, Outlook 2003 and 2007, Android, BlackBerry, Lotus Notes, Evolution, Thunderbird, DAVx5, a
Radicale collection, khard and CardBook. Each file is read as bytes, so its line ends (the iPhone's CR CR LF)
reach the reader as the product wrote them.
"""

from __future__ import annotations

import binascii
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from circleback.domain.model import Birthday, Contact
from circleback.formats.csvfile import ParsedFile
from circleback.formats.rows import ContactRow
from circleback.formats.vcard import parse_vcards, write_vcards
from tests.format_files import cards

TODAY = date(2026, 11, 22)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "vcard"


def fixture(name: str) -> ParsedFile[ContactRow]:
    return parse_vcards((FIXTURES / name).read_bytes().decode("utf-8"), TODAY)


def notes_of(parsed: ParsedFile[ContactRow]) -> list[str]:
    return [str(note) for note in [*parsed.errors, *parsed.skipped, *parsed.warnings]]


def summary(parsed: ParsedFile[ContactRow]) -> dict[int, dict[str, Any]]:
    return {number: row.model_dump(exclude_defaults=True) for number, row in parsed.rows}


# --- every product's shape, read whole ----------------------------------------------------------------------

# What each file holds, as the product's user sees it: tests/fixtures/vcard/<file>.expected.json, checked by hand.
PRODUCTS = [
    "iphone",  # CR CR LF, item1. groups, \: in the URL, X-APPLE-OMIT-YEAR, a folded photo, LRE/PDF marks
    "gmail",  # FN's comma unescaped, \" in NOTE, Google's own categories, an email-only card
    "outlook_2003",  # 2.1: ORG "Company, The", a QP note with soft breaks, EMAIL;PREF, a company-only card
    "outlook_2007",  # 2.1: CHARSET=Windows-1252 quoted-printable, an indented photo ended by a blank line
    "android",  # 2.1: an email-only card, UTF-8 QP split mid-character by a soft break, TEL;CELL;PREF
    "blackberry",  # 2.1 with TYPE=, a one-line photo, a blank line and an empty NOTE
    "evolution",  # every comma escaped, folds mid-word, the country folded, no line end at the end
    "lotus_notes",  # PROFILE:VCard, NAME, SOURCE, GEO, CLASS; the country "U.S.A."
    "thunderbird",  # 4.0, PREF=1, VALUE=TEXT phone, the country "Sverige", a blank line after the card
]


@pytest.mark.parametrize("product", PRODUCTS)
def test_each_products_vcards_are_read_as_their_people_wrote_them(product: str) -> None:
    expected = json.loads((FIXTURES / f"{product}.expected.json").read_text(encoding="utf-8"))

    parsed = fixture(f"{product}.vcf")

    assert json.loads(json.dumps({str(number): row for number, row in summary(parsed).items()})) == expected["contacts"]
    assert notes_of(parsed) == expected["notes"]


def test_the_shapes_that_went_wrong_before_are_read_right() -> None:
    outlook, evolution, iphone = fixture("outlook_2003.vcf"), fixture("evolution.vcf"), fixture("iphone.vcf")

    assert summary(outlook)[1]["company"] == "Company, The"  # was ['Company', ' The']
    assert summary(outlook)[1]["notes"].startswith("Met at the Dublin fair, 2019.\n")  # was cut at its comma
    assert summary(evolution)[1]["name"] == "Mr. Diego Andrés, María Castellanos Jr."
    assert summary(iphone)[1]["phone"] == "+47 912 34 567"  # without its U+202A and U+202C


# --- 1. commas, in every version ---------------------------------------------------------------------------

RICHTER = "Mr. John Richter, James Doe Sr."


@pytest.mark.parametrize(
    ("version", "lines", "expected"),
    [
        # 2.1 escapes no comma: Outlook's "Company, The" and a note's commas are text.
        ("2.1", ["N:Doe;John;Richter,James;Mr.;Sr.", "ORG:The Company, Inc.;Sales"], ("John Richter,James Doe",)),
        # 3.0 and 4.0 escape commas, but Outlook and others often do not: an unescaped one is text too.
        ("3.0", ["FN:Mr. John Richter, James Doe Sr.", "ORG:The Company, Inc."], (RICHTER,)),
        (
            "3.0",
            ["FN:Mr. John Richter\\, James Doe Sr.", "ORG:The Company\\, Inc."],
            ("Mr. John Richter, James Doe Sr.",),
        ),
        (
            "4.0",
            ["FN:Mr. John Richter, James Doe Sr.", "ORG:The Company\\, Inc.;Sales"],
            ("Mr. John Richter, James Doe Sr.",),
        ),
        # N's parts hold several names in 3.0 and 4.0, separated by commas (the iPhone's FN joins them by a space).
        ("3.0", ["N:Doe;John;Richter,James;Mr.;Sr.", "ORG:The Company, Inc.;Sales"], ("John Richter James Doe",)),
    ],
)
def test_commas_in_names_companies_titles_and_notes_are_kept_as_written(
    version: str, lines: list[str], expected: tuple[str]
) -> None:
    card = [f"VERSION:{version}", *lines, "TITLE:Director, Sales, EMEA", "NOTE:Met in Lyon, 2019, then Oslo."]

    [(_, row)] = parse_vcards(cards(card), TODAY).rows

    assert (row.name,) == expected
    assert row.company == "The Company, Inc."
    assert (row.title, row.notes) == ("Director, Sales, EMEA", "Met in Lyon, 2019, then Oslo.")


def test_an_outlook_company_written_back_and_read_again_keeps_its_comma() -> None:
    [(_, row)] = parse_vcards(cards(["VERSION:2.1", "FN:Ana Souza", "ORG:Company, The;Sales"]), TODAY).rows
    exported = write_vcards([Contact(id="c1", name=row.name, created_on=TODAY, company=row.company)])

    assert "ORG:Company\\, The\r\n" in exported
    [(_, again)] = parse_vcards(exported, TODAY).rows
    assert again.company == "Company, The"


# --- 2. one bad optional field costs only itself --------------------------------------------------------------

LEFT = "card 1, birthday: left out, the contact kept:"
NO_YEAR = "card 1, birthday: year 1604 means no year (CardBook, Apple): kept as --04-15"


@pytest.mark.parametrize(
    ("bday", "birthday", "warnings"),
    [
        (
            "BDAY;VALUE=text:circa 1800",
            None,
            ["card 1, birthday: left out, the contact kept: 'circa 1800' is text, not a date"],
        ),
        (
            "BDAY:16040415",
            Birthday(4, 15),
            ["card 1, birthday: year 1604 means no year (CardBook, Apple): kept as --04-15"],
        ),
        (
            "BDAY:1604-04-15",
            Birthday(4, 15),
            ["card 1, birthday: year 1604 means no year (CardBook, Apple): kept as --04-15"],
        ),
        ("BDAY;X-APPLE-OMIT-YEAR=1604:1604-04-15", Birthday(4, 15), []),  # Apple says so itself: nothing mended
        ("BDAY;X-APPLE-OMIT-YEAR=1604;VALUE=date:1604-04-15", Birthday(4, 15), []),
        ("BDAY;X-APPLE-OMIT-YEAR=1604:1988-04-15", Birthday(4, 15, 1988), []),  # another year is a year
        ("BDAY:--0415", Birthday(4, 15), []),
        ("BDAY:--04-15", Birthday(4, 15), []),
        ("BDAY:1988-02-30", None, [f"{LEFT} not a real date: 1988-02-30"]),
    ],
)
def test_a_birthday_that_is_no_date_or_has_no_year_keeps_the_contact_and_says_what_became_of_it(
    bday: str, birthday: Birthday | None, warnings: list[str]
) -> None:
    parsed = parse_vcards(cards(["VERSION:3.0", "FN:Ana Souza", "EMAIL:ana@example.com", bday]), TODAY)

    [(_, row)] = parsed.rows
    assert (row.name, row.email, row.birthday) == ("Ana Souza", "ana@example.com", birthday)
    assert [str(warning) for warning in parsed.warnings] == warnings


def test_birthdays_of_khard_and_cardbook_are_left_out_or_mended_with_a_warning() -> None:
    khard, cardbook = fixture("khard.vcf"), fixture("cardbook.vcf")

    assert summary(khard)[1]["name"] == "Wilhelmina Ashby"
    assert "birthday" not in summary(khard)[1]
    assert notes_of(khard) == ["card 1, birthday: left out, the contact kept: 'circa 1800' is text, not a date"]
    assert summary(cardbook)[1]["birthday"] == {"month": 1, "day": 1}
    assert summary(cardbook)[1]["country"] == "IT"  # "Italia"
    assert notes_of(cardbook) == ["card 1, birthday: year 1604 means no year (CardBook, Apple): kept as --01-01"]


def test_a_broken_photo_a_stray_byte_and_an_unknown_country_cost_only_themselves() -> None:
    parsed = fixture("broken_fields.vcf")

    assert summary(parsed) == {
        1: {"name": "Oren Quist", "email": "oren@quist.example", "city": "Port Vale"},  # a city is kept as written
        2: {"name": "Lucía Baños", "phone": "+34 600 555 012", "notes": "Café con leche, siempre."},
    }
    assert notes_of(parsed) == [
        "card 1, photo: left out, the contact kept: its base64 data does not decode",
        "card 1, country: left out, the contact kept: 'Atlantis' is not a country circleback knows (an ISO code is)",
        "card 2, notes: mended: not UTF-8, read as Windows-1252: =E9 as 'é'",
    ]


def test_an_unknown_charset_is_read_as_utf8_with_a_warning() -> None:
    card = ["VERSION:2.1", "FN;CHARSET=X-NOSUCH;ENCODING=QUOTED-PRINTABLE:Jos=C3=A9 Alves"]

    parsed = parse_vcards(cards(card), TODAY)

    assert [row.name for _, row in parsed.rows] == ["José Alves"]
    assert notes_of(parsed) == ["card 1, name: mended: charset 'X-NOSUCH' is unknown: read as UTF-8"]


# --- 3. line ends and legal lines ---------------------------------------------------------------------------


@pytest.mark.parametrize("newline", ["\r\r\n", "\r\n", "\n", "\r"])
def test_any_line_end_reads_the_same_folded_lines_and_all(newline: str) -> None:
    card = ["VERSION:3.0", "FN:Ana Souza", "NOTE:A long note\\, folded", "  across two lines.", "TEL:+1 415 555 0100"]

    parsed = parse_vcards(cards(card, card, newline=newline), TODAY)

    assert [(row.name, row.notes, row.phone) for _, row in parsed.rows] == [
        ("Ana Souza", "A long note, folded across two lines.", "+1 415 555 0100")
    ] * 2
    assert parsed.errors == []


def test_blank_lines_between_and_inside_cards_and_profile_vcard_are_legal() -> None:
    text = "\r\n\r\n" + cards(["VERSION:3.0", "PROFILE:VCard", "", "FN:Ana Souza", "", "TITLE:CFO"]) + "\r\n"

    parsed = parse_vcards(text + cards(["VERSION:3.0", "FN:Bo Lind"]), TODAY)

    assert [(n, row.name, row.title) for n, row in parsed.rows] == [(1, "Ana Souza", "CFO"), (2, "Bo Lind", None)]
    assert notes_of(parsed) == []


def test_groups_are_skipped_as_no_person() -> None:
    davx5, radicale = fixture("davx5.vcf"), fixture("radicale.vcf")

    assert notes_of(davx5) == ["card 1: skipped: a group (KIND:group), not a person"]
    assert notes_of(radicale) == ["card 1: skipped: a group (X-ADDRESSBOOKSERVER-KIND:group), not a person"]
    assert summary(radicale) == {
        2: {
            "name": "Kenji Nakamura",
            "email": "kenji@kaizen-robotics.example",
            "phone": "+81 90 1234 5678",
            "company": "Kaizen Robotics",
            "country": "JP",
            "city": "Chuo-ku",  # the address's locality (a Tokyo ward), as written
        }
    }


def test_a_file_of_groups_only_is_skipped_not_refused() -> None:
    parsed = parse_vcards(cards(["VERSION:4.0", "KIND:group", "FN:Team"]), TODAY)

    assert (parsed.rows, parsed.errors) == ([], [])
    assert notes_of(parsed) == ["card 1: skipped: a group (KIND:group), not a person"]


def test_direction_marks_around_names_and_numbers_are_dropped() -> None:
    parsed = fixture("davx5.vcf")

    assert summary(parsed)[2] == {
        "name": "ليلى حداد",
        "email": "layla@cedar-co.example",
        "phone": "+961 3 123 456",
        "company": "Cedar & Co, Beirut",
        "country": "LB",
        "city": "Beirut",
        "birthday": {"month": 4, "day": 15},
    }


@pytest.mark.parametrize("mark", ["\u200e", "\u200f", "\u202a", "\u202c", "\u202e", "\u2066", "\u2069"])
def test_every_direction_mark_is_dropped(mark: str) -> None:
    card = ["VERSION:3.0", f"FN:{mark}Ana Souza{mark}", f"TEL:{mark}+1 415 555 0100{mark}", f"ORG:{mark}Acme"]

    [(_, row)] = parse_vcards(cards(card), TODAY).rows

    assert (row.name, row.phone, row.company) == ("Ana Souza", "+1 415 555 0100", "Acme")


# --- 5. countries written as names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "code"),
    [("Germany", "DE"), ("Deutschland", "DE"), ("USA", "US"), ("United States of America", "US"), ("de", "DE")],
)
def test_an_address_country_written_as_a_name_becomes_its_code(country: str, code: str) -> None:
    [(_, row)] = parse_vcards(cards(["VERSION:3.0", "FN:Ana Souza", f"ADR:;;1 Main St;Town;;;{country}"]), TODAY).rows

    assert row.country == code


def test_the_preferred_address_gives_the_country() -> None:
    card = ["VERSION:3.0", "FN:Ana Souza", "ADR;TYPE=home:;;;;;;Portugal", "ADR;TYPE=work,pref:;;;;;;Brazil"]

    [(_, row)] = parse_vcards(cards(card), TODAY).rows

    assert row.country == "BR"


# --- 6. charsets and quoted-printable in 2.1 ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "encoded"),
    [
        ("CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE", "Ren=C3=A9e Fa=C3=9Fbender"),
        ("CHARSET=Windows-1252;ENCODING=QUOTED-PRINTABLE", "Ren=E9e Fa=DFbender"),
        ("CHARSET=ISO-8859-1;QUOTED-PRINTABLE", "Ren=E9e Fa=DFbender"),  # the bare 2.1 parameter
        ("ENCODING=QUOTED-PRINTABLE;CHARSET=utf-8", "Ren=C3=A9e =\r\nFa=C3=9Fbender"),  # a soft line break
    ],
)
def test_quoted_printable_in_its_charset_is_decoded(params: str, encoded: str) -> None:
    parsed = parse_vcards(cards(["VERSION:2.1", f"FN;{params}:{encoded}"]), TODAY)

    assert [row.name for _, row in parsed.rows] == ["Renée Faßbender"]
    assert parsed.warnings == []


# --- property tests: vobject's own cards, and circleback's --------------------------------------------------

DIRECTION_MARKS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"  # dropped on reading
_WORDS = st.text(
    st.characters(
        blacklist_categories=("Cs", "Cc", "Zl", "Zp"),
        blacklist_characters="\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    )
    | st.sampled_from(",;\\:\"'= é日"),
    min_size=1,
    max_size=60,
)
_LINE = _WORDS.map(lambda text: " ".join(text.split())).filter(bool)  # one line, as a name is
_NOTE = st.lists(_LINE, min_size=1, max_size=3).map("\n".join)


@given(name=_LINE, company=_LINE, title=_LINE, note=_NOTE, family=_LINE)
def test_any_vcard_vobject_writes_reads_back_to_the_same_text(
    name: str, company: str, title: str, note: str, family: str
) -> None:
    import vobject

    card = vobject.vCard()
    card.add("n").value = vobject.vcard.Name(family=family, given="Ana")
    card.add("fn").value = name
    card.add("org").value = [company, "Department, Unit"]
    card.add("title").value = title
    card.add("note").value = note

    [(_, row)] = parse_vcards(card.serialize(), TODAY).rows

    assert (row.name, row.company, row.title, row.notes) == (name, company, title, note)


@given(family=_LINE, company=_LINE)
def test_n_alone_reads_back_as_vobject_wrote_it(family: str, company: str) -> None:
    import vobject

    card = vobject.vCard()
    card.add("n").value = vobject.vcard.Name(family=family.replace(",", ""), given="Ana", additional=["Maria", "Luisa"])
    card.add("fn").value = ""
    card.add("org").value = [company]

    [(_, row)] = parse_vcards(card.serialize(), TODAY).rows

    assert row.name == f"Ana Maria Luisa {family.replace(',', '')}".strip()


def as_2_1(text: str) -> str:
    """A 2.1 value as Android and Outlook write one: backslash and semicolon escaped, commas not, then UTF-8
    quoted-printable with its soft line breaks (vobject writes no 2.1).
    """
    escaped = text.replace("\\", "\\\\").replace(";", "\\;").encode()
    return binascii.b2a_qp(escaped, quotetabs=True, istext=False).decode().replace("\n", "\r\n")


@given(name=_LINE, company=_LINE, title=_LINE, note=_NOTE)
def test_any_text_in_a_2_1_card_reads_back_to_the_same_text(name: str, company: str, title: str, note: str) -> None:
    qp = ";CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:"
    lines = [f"FN{qp}{as_2_1(name)}", f"ORG{qp}{as_2_1(company)};Sales", f"TITLE{qp}{as_2_1(title)}"]

    [(_, row)] = parse_vcards(cards(["VERSION:2.1", *lines, f"NOTE{qp}{as_2_1(note)}"]), TODAY).rows

    assert (row.name, row.company, row.title, row.notes) == (name, company, title, note)


def test_cards_with_only_an_email_or_a_company_are_named_from_it() -> None:
    android, outlook = fixture("android.vcf"), fixture("outlook_2003.vcf")

    assert summary(android)[1] == {"name": "Priya Raman", "email": "priya.raman@mail.example"}
    assert summary(outlook)[2] == {
        "name": "Northwind Traders, Ltd.",
        "phone": "+44 20 7946 0000",
        "company": "Northwind Traders, Ltd.",
    }
    assert notes_of(android) == ["card 1, name: none given: named 'Priya Raman' from the email"]
    assert notes_of(outlook) == ["card 2, name: none given: named 'Northwind Traders, Ltd.' from the company"]
