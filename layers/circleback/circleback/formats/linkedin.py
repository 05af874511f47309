"""LinkedIn's `Connections.csv` (Settings > Data privacy > Get a copy of your data), as LinkedIn writes it.

The file opens with a few lines of notes ("Notes:", a paragraph about missing emails, a blank line) before
its header: First Name, Last Name, URL, Email Address, Company, Position, Connected On. Most connections
share no email. "Connected On" is when you connected: it becomes the contact's first-seen date, never a
touch (connecting is not keeping in touch).
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Any

from circleback.formats.csvfile import ParsedFile
from circleback.formats.foreign import Warnings, leave_out
from circleback.formats.mapped import CellError, Cells, CsvLayout, joined, parse_mapped_csv
from circleback.formats.rows import ContactRow

_HEADER = {"first name", "last name", "connected on"}  # older exports have no URL column
_MONTHS = [name.lower() for name in calendar.month_name[1:]]  # English, whatever the machine's locale
_DAY_MONTH_YEAR = re.compile(r"([0-9]{1,2})[ -]([A-Za-z]{3,9})\.?[ -]([0-9]{4})")  # 15 Mar 2024
_US_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{2}|[0-9]{4})")  # 3/15/24, in older exports
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def is_linkedin_header(keys: set[str]) -> bool:
    return keys >= _HEADER


def parse_linkedin(text: str, today: date) -> ParsedFile[ContactRow]:
    return parse_mapped_csv(text, LINKEDIN, today)


def _values(cells: Cells, warnings: Warnings) -> dict[str, Any]:
    return {
        "name": joined(cells.get("first name"), cells.get("last name")),
        "email": cells.get("email address"),
        "linkedin_url": cells.get("url"),
        "company": cells.get("company"),
        "title": cells.get("position"),
        "first_seen": _first_seen(cells.get("connected on", ""), warnings),
    }


def _first_seen(text: str, warnings: Warnings) -> str | None:
    """Only first_seen depends on the date: one that cannot be read never costs the contact."""
    try:
        return connected_on(text)
    except CellError as error:
        leave_out(warnings, "first_seen", str(error))
        return None


def connected_on(text: str) -> str | None:
    """ "Connected On" as an ISO date (validated as one afterwards), None when blank."""
    text = text.strip()
    if not text:
        return None
    year = month = day = 0
    if found := _DAY_MONTH_YEAR.fullmatch(text):
        word = found.group(2).lower()
        month = next((i for i, name in enumerate(_MONTHS, 1) if name.startswith(word)), 0)  # Mar, March, Sept
        day, year = int(found.group(1)), int(found.group(3))
    elif found := _US_DATE.fullmatch(text):
        month, day, year = (int(part) for part in found.groups())
        year += 2000 if year < 100 else 0
    elif found := _ISO_DATE.fullmatch(text):
        year, month, day = (int(part) for part in found.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        raise CellError("first_seen", f"Connected On: expected a date such as 15 Mar 2024, got {text!r}") from None


LINKEDIN = CsvLayout(
    name="LinkedIn connections",
    is_header=is_linkedin_header,
    to_values=_values,
    expected="First Name, Last Name and Connected On",
    preamble=10,
)
