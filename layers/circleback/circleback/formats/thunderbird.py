"""Thunderbird's address book export as CSV (Address Book > Export, "Comma Separated"), in English and German.

Thunderbird writes the same header from its 2000s releases to the current ones: First Name,Last Name,Display
Name,Nickname,Primary Email,Secondary Email,Screen Name,Work Phone,Home Phone,Fax Number,Pager Number,Mobile
Number,Home Address,Home Address 2,Home City,Home State,Home ZipCode,Home Country,Work Address,Work Address 2,
Work City,Work State,Work ZipCode,Work Country,Job Title,Department,Organization,Web Page 1,Web Page 2,Birth Year,
Birth Month,Birth Day,Custom 1,Custom 2,Custom 3,Custom 4,Notes, and a comma after the last cell of every line.
A German Thunderbird translates it: Vorname,Nachname,Anzeigename,Spitzname,Primäre E-Mail-Adresse,Sekundäre
E-Mail-Adresse,...,Tel. dienstlich,Tel. privat,...,Mobil-Tel.-Nr.,...,Privat: Land,...,Dienstlich: Land,Arbeitstitel,
Abteilung,Organisation,Webseite 1,Webseite 2,Geburtsjahr,Geburtsmonat,Geburtstag (the day of the month),...,Notizen.
Contacts collected from mail often have only a display name and an address.

The birthday is three columns: year, month and day become YYYY-MM-DD, or --MM-DD without a year; a month or day
missing, or one that is no number, is left out with a warning (a date that is no date, with the canonical reason).
"""

from __future__ import annotations

import re
from typing import Any

from circleback.formats.foreign import Warnings, leave_out
from circleback.formats.mapped import (
    Cells,
    CsvLayout,
    all_of,
    country_of,
    emails_of,
    first_of,
    joined,
    linkedin_among,
)

# The columns that make a header, in each language.
_HEADERS = (
    {"first name", "last name", "display name", "primary email"},
    {"vorname", "nachname", "anzeigename", "primäre e-mail-adresse"},
)
# Each canonical column's names: English, then German (Thunderbird's own translation).
_FIRST, _LAST = ("first name", "vorname"), ("last name", "nachname")
_DISPLAY_NAMES = ("display name", "nickname", "anzeigename", "spitzname")
_EMAILS = ("primary email", "secondary email", "primäre e-mail-adresse", "sekundäre e-mail-adresse")
_PHONES = ("mobile number", "work phone", "home phone", "mobil-tel.-nr.", "tel. dienstlich", "tel. privat")
_WEB_PAGES = ("web page 1", "web page 2", "webseite 1", "webseite 2")
_COMPANY, _JOB_TITLE = ("organization", "organisation"), ("job title", "arbeitstitel")
_COUNTRIES = ("home country", "work country", "privat: land", "dienstlich: land")
_NOTES = ("notes", "notizen")
_BIRTH = (("birth year", "geburtsjahr"), ("birth month", "geburtsmonat"), ("birth day", "geburtstag"))
_NUMBER = re.compile(r"[0-9]{1,4}")


def is_thunderbird_header(keys: set[str]) -> bool:
    return any(keys >= header for header in _HEADERS)


def _values(cells: Cells, warnings: Warnings) -> dict[str, Any]:
    phones = all_of(cells, *_PHONES)
    return {
        "name": joined(first_of(cells, *_FIRST), first_of(cells, *_LAST)) or first_of(cells, *_DISPLAY_NAMES),
        **emails_of(all_of(cells, *_EMAILS)),
        "phone": phones[0] if phones else None,
        "linkedin_url": linkedin_among(all_of(cells, *_WEB_PAGES)),
        "company": first_of(cells, *_COMPANY),
        "title": first_of(cells, *_JOB_TITLE),
        "country": country_of(cells, warnings, *_COUNTRIES),
        "birthday": _birthday(cells, warnings),
        "notes": first_of(cells, *_NOTES),
    }


def _birthday(cells: Cells, warnings: Warnings) -> str | None:
    """The three birthday columns as one canonical date (checked as one afterwards)."""
    year, month, day = (first_of(cells, *names) or "" for names in _BIRTH)
    if not (year or month or day):
        return None
    if not all(_NUMBER.fullmatch(part) for part in ((year or "0"), month, day)):
        written = "/".join(part or "?" for part in (year, month, day))
        reason = f"Birth Year/Month/Day: expected numbers for at least the month and day, got {written}"
        leave_out(warnings, "birthday", reason)
        return None
    return f"{int(year):04d}-{int(month):02d}-{int(day):02d}" if year else f"--{int(month):02d}-{int(day):02d}"


THUNDERBIRD = CsvLayout(
    name="Thunderbird address book",
    is_header=is_thunderbird_header,
    to_values=_values,
    expected="First Name, Last Name, Display Name and Primary Email (or their German names)",
)
