"""Outlook's contacts CSV ("Comma Separated Values"), as three products write it, in English and in German.

- Outlook for Windows (File > Open & Export > Import/Export > Export to a file): "Title","First Name","Middle
  Name","Last Name","Suffix","Company","Department","Job Title","Business Street",...,"Business Country/Region",
  ...,"Home Country/Region",...,"Business Phone",...,"Mobile Phone",...,"Birthday","Categories",...,"E-mail
  Address","E-mail Type","E-mail Display Name","E-mail 2 Address",...,"Notes",...,"Web Page", every cell quoted.
  Birthdays in the machine's short date form: 5/17/1988 (US), "0/0/00" for none.
- Outlook.com and Google Contacts' "Outlook CSV" export: First Name,Middle Name,Last Name,Title,Suffix,Nickname,
  ...,E-mail Address,E-mail 2 Address,E-mail 3 Address,...,Mobile Phone,...,Job Title,Department,Company,...,
  Business Country/Region (Google: Business Country),...,Web Page,Birthday,Anniversary,Notes(,Categories).
- A German Outlook writes the same columns in German: "Anrede","Vorname","Weitere Vornamen","Nachname","Suffix",
  "Firma","Abteilung","Position",...,"Land/Region geschäftlich",...,"Mobiltelefon",...,"E-Mail-Adresse",
  "E-Mail 2: Adresse",...,"Geburtstag","Kategorien",...,"Notizen",...,"Webseite"; birthdays as 17.5.1988 and
  "0.0.00" for none (semicolons between cells when Excel re-saves it).

"Title" is Outlook's form of address (Mr., Dr.): the job is "Job Title". circleback keeps one email (the first
address) and one phone (the primary, else the mobile, else the first other); the other addresses still find a
contact already known by one of them. A web page that is a LinkedIn profile becomes the LinkedIn address;
categories become tags; a country becomes its ISO code.
"""

from __future__ import annotations

from typing import Any

from circleback.formats.foreign import Warnings
from circleback.formats.mapped import (
    Cells,
    CsvLayout,
    all_of,
    country_of,
    emails_of,
    first_of,
    joined,
    labels_as_tags,
    linkedin_among,
    written_birthday,
)

# Each canonical column's names: English, then German (Outlook's own translation).
_FIRST = ("first name", "vorname")
_MIDDLE = ("middle name", "weitere vornamen")
_LAST = ("last name", "nachname")
_NICKNAME = ("nickname", "spitzname")
_EMAILS = (
    "e-mail address",
    "e-mail 2 address",
    "e-mail 3 address",
    "e-mail-adresse",
    "e-mail 2: adresse",
    "e-mail 3: adresse",
)
_PHONES = (
    "primary phone",
    "mobile phone",
    "business phone",
    "home phone",
    "business phone 2",
    "home phone 2",
    "other phone",
    "company main phone",
    "car phone",
    "haupttelefon",
    "mobiltelefon",
    "telefon geschäftlich",
    "telefon privat",
    "telefon (privat)",
    "telefon geschäftlich 2",
    "telefon privat 2",
    "telefon (privat 2)",
    "weiteres telefon",
    "telefon firma",
    "autotelefon",
)
_COMPANY = ("company", "firma")
_JOB_TITLE = ("job title", "position")
_COUNTRIES = (
    "home country/region",
    "home country",
    "business country/region",
    "business country",
    "other country/region",
    "other country",
    "land/region privat",
    "land/region geschäftlich",
    "weiteres/e land/region",
)
# Where they live first, then where they work (English and German Outlook).
_CITIES = ("home city", "business city", "other city", "ort privat", "ort geschäftlich", "weiterer ort")
_BIRTHDAY = ("birthday", "geburtstag")
_NOTES = ("notes", "notizen")
_CATEGORIES = ("categories", "kategorien")
_WEB_PAGES = ("web page", "personal web page", "webseite")
_NO_BIRTHDAY = ("0/0/00", "0.0.00", "00.00.00", "1/1/4501")  # Outlook's empty date

# The columns that make an Outlook header, in each language: no other product writes an "E-mail Address".
_HEADERS = ({"first name", "last name", "e-mail address"}, {"vorname", "nachname", "e-mail-adresse"})


def is_outlook_header(keys: set[str]) -> bool:
    return any(keys >= header for header in _HEADERS)


def _values(cells: Cells, warnings: Warnings) -> dict[str, Any]:
    phones = all_of(cells, *_PHONES)
    return {
        "name": _name(cells),
        **emails_of(all_of(cells, *_EMAILS)),
        "phone": phones[0] if phones else None,
        "linkedin_url": linkedin_among(all_of(cells, *_WEB_PAGES)),
        "company": first_of(cells, *_COMPANY),
        "title": first_of(cells, *_JOB_TITLE),
        "country": country_of(cells, warnings, *_COUNTRIES),
        "city": first_of(cells, *_CITIES),
        "birthday": written_birthday(first_of(cells, *_BIRTHDAY), cells, warnings, none=_NO_BIRTHDAY),
        "tags": labels_as_tags(first_of(cells, *_CATEGORIES)),
        "notes": first_of(cells, *_NOTES),
    }


def _name(cells: Cells) -> str | None:
    """First, middle and last name; else the nickname; None when none (the contact is then named from what it has)."""
    parts = (first_of(cells, *_FIRST), first_of(cells, *_MIDDLE), first_of(cells, *_LAST))
    return joined(*parts) or first_of(cells, *_NICKNAME)


OUTLOOK = CsvLayout(
    name="Outlook CSV",
    is_header=is_outlook_header,
    to_values=_values,
    expected="First Name, Last Name and E-mail Address (Vorname, Nachname and E-Mail-Adresse)",
    dated=_BIRTHDAY,
)
