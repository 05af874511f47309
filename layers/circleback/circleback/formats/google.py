"""Google Contacts' CSV export ("Google CSV"), in its current layout and the older one.

Current: First Name, Middle Name, Last Name, ..., Nickname, File As, Organization Name, Organization Title,
Birthday, Notes, Labels, then numbered groups: "E-mail 1 - Label", "E-mail 1 - Value", "Phone 1 - ...",
"Website 1 - ...". Older: Name, Given Name, Additional Name, Family Name, ..., Group Membership,
"E-mail 1 - Type", "Organization 1 - Name", "Organization 1 - Title". Google writes only as many numbered
groups as the busiest contact needs, and several values of one label in one cell, joined by " ::: ".

circleback keeps one email and one phone per contact: the primary one (Google marks its label with "*"),
else the first. The other addresses still find a contact already known by one of them. A website that is a
LinkedIn profile becomes the LinkedIn address; labels become tags (Google's own, "* myContacts", "* starred",
are left out); a country, written out ("Germany") or as its code, becomes its ISO code (one no code is known for
is left out with a warning). Google writes birthdays as 1988-05-17, or --05-17 without a year.

Google's other export, "Outlook CSV", is read as an Outlook file (formats/outlook.py).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from circleback.formats.csvfile import ParsedFile
from circleback.formats.foreign import Warnings
from circleback.formats.mapped import (
    Cells,
    CsvLayout,
    country_of,
    emails_of,
    first_of,
    joined,
    labels_as_tags,
    linkedin_among,
    parse_mapped_csv,
    split_values,
    written_birthday,
)
from circleback.formats.rows import ContactRow

_NUMBERED = re.compile(r"(e-mail|phone|website) ([0-9]+) - value")
_COUNTRIES = tuple(f"address {number} - country" for number in range(1, 4))  # the first address's, else the next
_CITIES = tuple(f"address {number} - city" for number in range(1, 4))


def is_google_header(keys: set[str]) -> bool:
    current = {"first name", "last name", "file as"} <= keys or {"first name", "labels"} <= keys
    older = {"given name", "family name"} <= keys or "group membership" in keys
    return (current or older) and "connected on" not in keys


def parse_google(text: str, today: date) -> ParsedFile[ContactRow]:
    return parse_mapped_csv(text, GOOGLE, today)


def _values(cells: Cells, warnings: Warnings) -> dict[str, Any]:
    phones = _ranked(cells, "phone")
    return {
        "name": _name(cells),
        **emails_of(_ranked(cells, "e-mail")),
        "phone": phones[0] if phones else None,
        "linkedin_url": linkedin_among(_ranked(cells, "website")),
        "company": cells.get("organization name") or cells.get("organization 1 - name"),
        "title": cells.get("organization title") or cells.get("organization 1 - title"),
        "country": country_of(cells, warnings, *_COUNTRIES),
        "city": first_of(cells, *_CITIES),
        "birthday": written_birthday(cells.get("birthday"), cells, warnings),
        "tags": labels_as_tags(cells.get("labels") or cells.get("group membership")),
        "notes": cells.get("notes"),
    }


def _name(cells: Cells) -> str | None:
    """The contact's name; None when every name column is empty (it is then named from what it has)."""
    return (
        cells.get("name")
        or joined(cells.get("first name"), cells.get("middle name"), cells.get("last name"))
        or joined(cells.get("given name"), cells.get("additional name"), cells.get("family name"))
        or cells.get("nickname")
        or cells.get("file as")
        or None
    )


def _ranked(cells: Cells, kind: str) -> list[str]:
    """Every value of a numbered group (e-mail, phone, website): the primary ones first, then in order."""
    found: list[tuple[bool, int, str]] = []
    for column, cell in cells.items():
        match = _NUMBERED.fullmatch(column)
        if match is None or match.group(1) != kind or not cell:
            continue
        number = int(match.group(2))
        label = cells.get(f"{kind} {number} - label") or cells.get(f"{kind} {number} - type") or ""
        found.extend((not label.startswith("*"), number, value) for value in split_values(cell))
    unique: dict[str, str] = {}
    for _, _, value in sorted(found, key=lambda item: item[:2]):
        unique.setdefault(value.casefold(), value)  # the same address under two labels is one
    return list(unique.values())


GOOGLE = CsvLayout(
    name="Google Contacts",
    is_header=is_google_header,
    to_values=_values,
    expected="First Name, Last Name and File As (or Name, Given Name and Family Name)",
)
