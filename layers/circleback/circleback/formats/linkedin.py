"""LinkedIn's `Connections.csv` (Settings > Data privacy > Get a copy of your data), in every era LinkedIn wrote it.

- Since about 2020 the file opens with a few lines of notes ("Notes:", a quoted paragraph about missing emails,
  a blank line) before its header; since about 2022 the header has a URL column: First Name, Last Name, URL,
  Email Address, Company, Position, Connected On, dates as "14 Nov 2023".
- Older exports (2016 to about 2019) have no notes and no URL: First Name, Last Name, Email Address, Company,
  Position, Connected On, with dates such as "1/8/18, 6:14 PM" (month first) or "07 Sep 2019".
- Excel re-saves them: columns renamed ("E-mail Address", "Title"), reordered or added, semicolons for commas in
  European locales, a byte order mark, CRLF line ends, and dates in the locale's form: "23-Nov-21", "14.11.2023",
  "14/11/2023", "2023-11-14 18:14".

Most connections share no email. "Connected On" is when you connected: it becomes the contact's first-seen date,
never a touch (connecting is not keeping in touch). It is the only value that depends on the date being read:
one in no known form is left out with a warning and never costs the contact. A date such as 3/5/19 is read in
the order the file's other dates show (3/25/19 in the same file says month first), else month first, as LinkedIn
itself wrote them.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Any

from circleback.formats.csvfile import ParsedFile
from circleback.formats.foreign import Warnings, leave_out
from circleback.formats.mapped import CellError, Cells, CsvLayout, first_of, joined, numeric_date, parse_mapped_csv
from circleback.formats.rows import ContactRow

_HEADER = {"first name", "last name", "connected on"}  # older exports have no URL column
_EMAIL = ("email address", "e-mail address", "email", "e-mail")
_URL = ("url", "profile url", "linkedin url")
_TITLE = ("position", "title", "job title")
_CONNECTED_ON = "connected on"
_MONTHS = [name.lower() for name in calendar.month_name[1:]]  # English, whatever the machine's locale
_DAY_MONTH_YEAR = re.compile(r"([0-9]{1,2})[ -]([A-Za-z]{3,9})\.?,?[ -]([0-9]{4}|[0-9]{2})")  # 15 Mar 2024, 23-Nov-21
_MONTH_DAY_YEAR = re.compile(r"([A-Za-z]{3,9})\.? ([0-9]{1,2}),? ([0-9]{4})")  # Mar 15, 2024
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
# A time after the date (1/8/18, 6:14 PM; 2023-11-14 18:14:00; 2023-11-14T18:14): when in the day is not kept.
_TIME = re.compile(r"(?:,? +|T)[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?(?: ?[AaPp]\.?[Mm]\.?)?\Z")


def is_linkedin_header(keys: set[str]) -> bool:
    return keys >= _HEADER


def parse_linkedin(text: str, today: date) -> ParsedFile[ContactRow]:
    return parse_mapped_csv(text, LINKEDIN, today)


def _values(cells: Cells, warnings: Warnings) -> dict[str, Any]:
    return {
        "name": joined(cells.get("first name"), cells.get("last name")),
        "email": first_of(cells, *_EMAIL),
        "linkedin_url": first_of(cells, *_URL),
        "company": cells.get("company"),
        "title": first_of(cells, *_TITLE),
        "first_seen": _first_seen(cells, warnings),
    }


def _first_seen(cells: Cells, warnings: Warnings) -> str | None:
    """Only first_seen depends on the date: one that cannot be read never costs the contact."""
    try:
        return connected_on(cells.get(_CONNECTED_ON, ""), cells.day_first)
    except CellError as error:
        leave_out(warnings, "first_seen", str(error))
        return None


def connected_on(text: str, day_first: bool | None = False) -> str | None:
    """ "Connected On" as an ISO date (validated as one afterwards), None when blank. LinkedIn has existed since
    2003, so a two-digit year is 20xx.
    """
    text = _TIME.sub("", text.strip())
    if not text:
        return None
    try:
        year, month, day = _date_parts(text, day_first)
        return date(year, month, day).isoformat()
    except CellError as error:
        raise CellError("first_seen", f"Connected On: {error}") from None
    except ValueError:
        pass
    raise CellError("first_seen", f"Connected On: expected a date such as 15 Mar 2024, got {text!r}")


def _date_parts(text: str, day_first: bool | None) -> tuple[int, int, int]:
    """Year, month and day of a date in any form LinkedIn or a spreadsheet writes it; (0, 0, 0) when none."""
    if found := _DAY_MONTH_YEAR.fullmatch(text):
        return _century(found[3]), _month(found[2]), int(found[1])
    if found := _MONTH_DAY_YEAR.fullmatch(text):
        return int(found[3]), _month(found[1]), int(found[2])
    if found := _ISO_DATE.fullmatch(text):
        return int(found[1]), int(found[2]), int(found[3])
    if numbers := numeric_date(text, day_first):
        year, month, day = numbers
        return _century(year), month, day
    return 0, 0, 0


def _month(word: str) -> int:
    """Mar, March, Sept -> 3, 3, 9; 0 when no month."""
    word = word.lower()
    return next((i for i, name in enumerate(_MONTHS, 1) if name.startswith(word)), 0) if len(word) >= 3 else 0


def _century(year: str) -> int:
    return int(year) + (2000 if len(year) == 2 else 0)


LINKEDIN = CsvLayout(
    name="LinkedIn connections",
    is_header=is_linkedin_header,
    to_values=_values,
    expected="First Name, Last Name and Connected On",
    preamble=10,
    dated=(_CONNECTED_ON,),
    day_first=False,  # LinkedIn's own 1/8/18
)
