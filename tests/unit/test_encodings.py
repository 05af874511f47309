"""Files in the encodings real software writes them in: each reads back to the text that was written, and the
person is told which encoding was used when it is not UTF-8.
"""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from circleback.cli.encodings import NotText, decoded

EXCEL_CSV = (
    "Vorname,Nachname,Firma,Notizen\r\nJürgen,Müller,Café Crème GmbH,„Größe“ – 5 €\r\nJosé,Núñez,Señor Søren AG,\r\n"
)
POLISH = (
    "Imię,Nazwisko,Firma,Notatki\r\nŁukasz,Żółkiewski,Wiśniewska i Synowie,spotkanie w Łodzi\r\n"
    "Agnieszka,Wiśniewska,Pięść,źródło\r\n"
)
RUSSIAN = "Имя,Фамилия,Организация\r\nОльга,Иванова,Рога и копыта\r\n"


@pytest.mark.parametrize(
    ("text", "encoding", "shown"),
    [
        (EXCEL_CSV, "cp1252", "Windows-1252"),  # Excel's "CSV (Comma delimited)" on Western Windows
        ("First Name,Last Name\r\nJosé,Núñez\r\n", "cp1252", "Windows-1252"),  # short: 1250 fits as well
        (POLISH, "cp1250", "Windows-1250"),  # the same bytes' other reading: Ł is £ in Windows-1252
        (RUSSIAN, "cp1251", "Windows-1251"),
    ],
)
def test_a_legacy_code_page_reads_back_to_the_text_and_is_named(text: str, encoding: str, shown: str) -> None:
    assert decoded(text.encode(encoding)) == (text, shown)


@pytest.mark.parametrize(
    ("data", "shown"),
    [
        (codecs.BOM_UTF8 + EXCEL_CSV.encode(), None),  # Excel's "CSV UTF-8": the BOM is not text
        (EXCEL_CSV.encode(), None),
        (EXCEL_CSV.encode("utf-16"), "UTF-16"),  # Outlook's and Windows' "Unicode": a BOM, little-endian
        (codecs.BOM_UTF16_BE + EXCEL_CSV.encode("utf-16-be"), "UTF-16"),
        (EXCEL_CSV.encode("utf-32"), "UTF-32"),
    ],
)
def test_unicode_files_are_read_by_their_byte_order_mark_or_as_utf8(data: bytes, shown: str | None) -> None:
    assert decoded(data) == (EXCEL_CSV, shown)


def test_an_encoding_given_by_the_person_wins_and_a_wrong_one_says_which_byte() -> None:
    polish = POLISH.encode("cp1250")
    assert decoded(polish, "cp1250") == (POLISH, "Windows-1250")
    assert decoded(EXCEL_CSV.encode("cp1252"), "cp1252")[0] == EXCEL_CSV
    with pytest.raises(NotText, match="not UTF-8 text: the byte at offset 10 cannot"):
        decoded("Vorname: Jürgen".encode("cp1252"), "utf-8")
    with pytest.raises(NotText, match="'klingon' is not an encoding"):
        decoded(b"abc", "klingon")


def test_a_workbook_is_not_taken_for_text() -> None:
    with pytest.raises(NotText, match="a workbook or other zip file, not text: save it as CSV"):
        decoded(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xff\xfe\x80\x81")


@given(st.text(st.characters(codec="utf-8")))
def test_any_utf8_text_reads_back_unchanged_and_unnamed(text: str) -> None:
    assert decoded(text.encode()) == (text.removeprefix("\ufeff"), None)
