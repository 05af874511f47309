"""Other products' contact exports in CSV: find their header, map each record onto the canonical fields.

Each record then goes through the canonical row's checks as other products' records do (`foreign.add_record`):
every reason is the one the canonical file gets, but a value that cannot be read is left out with a warning
rather than costing the contact.

The header is found whatever wrote the file: the product itself (a comma, CRLF, perhaps a byte order mark) or
Excel re-saving it, which in locales whose decimal mark is a comma (most of Europe) writes semicolons; Outlook
can also write tab-separated values. Columns are found by name, so reordered or extra columns do not matter.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from itertools import islice
from typing import Any

from circleback.domain.countries import country_code_of
from circleback.domain.matching import normalise_linkedin
from circleback.formats.csvfile import ParsedFile, RowError, cell_problem, read_records
from circleback.formats.foreign import Warnings, add_record, leave_out
from circleback.formats.rows import ContactRow


class CellError(ValueError):
    """A cell that cannot become a canonical value (a date in no known form), named by the field it feeds."""

    def __init__(self, field: str | None, reason: str) -> None:
        super().__init__(reason)
        self.field = field


class Cells(dict[str, str]):
    """One record's cells by column name (as `column_key` writes the names), and how the whole file writes a date
    such as 3/5/2019: day first (True), month first (False) or it does not show (None).
    """

    day_first: bool | None = None


DELIMITERS = (",", ";", "\t")  # the product's own comma, Excel's semicolon (European locales), Outlook's tab
# Invisible marks of writing direction (LRM, RLM, the embeddings and isolates) that phones and address books
# put around numbers and names written in right-to-left scripts: they are no part of the value.
_DIRECTION_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# The groups Google and Android give every contact ("* myContacts", "starred", "My Contacts"): no tag of the person's.
OWN_LABELS = frozenset({"mycontacts", "starred", "my contacts"})
_LABEL_SEPARATORS = re.compile(r":::|;")  # Google joins several values with " ::: ", Outlook categories with ";"
# A date in numbers as a locale writes it: 5/17/1988 (US), 17/05/1988 (UK), 17.5.1988 (German), 17-5-1988.
_NUMERIC_DATE = re.compile(r"([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{2}|[0-9]{4})")
_MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True)
class CsvLayout:
    name: str  # "LinkedIn connections"
    is_header: Callable[[set[str]], bool]  # given the record's column keys
    # The canonical fields (or CellError); what the mapping noticed on the way goes into the list it is given.
    to_values: Callable[[Cells, Warnings], dict[str, Any]]
    expected: str  # the columns that make the header, for the error when there is none
    preamble: int = 0  # records that may come before the header (LinkedIn writes notes there)
    dated: tuple[str, ...] = ()  # columns of dates in numbers, which together show the file's order of day and month
    day_first: bool | None = None  # that order when they do not show it (None: a date such as 3/5 is left out)


def visible(text: str) -> str:
    """The text without direction marks (see _DIRECTION_MARKS)."""
    return text if text.isascii() else _DIRECTION_MARKS.sub("", text)  # most cells are ASCII: no work for them


def column_key(name: str) -> str:
    """A column name as the layouts look it up: case, runs of spaces and invisible marks aside."""
    return " ".join(visible(name).replace("\ufeff", "").split()).casefold()


def header_keys(cells: Sequence[str]) -> set[str]:
    return {key for key in map(column_key, cells) if key}


def find_header(text: str, layout: CsvLayout) -> tuple[str, int] | None:
    """The delimiter the file is written with and the number of its header record; None when it has none."""
    for delimiter in DELIMITERS:
        with closing(read_records(text, [], delimiter)) as records:
            for number, cells in islice(records, layout.preamble + 1):
                if layout.is_header(header_keys(cells)):
                    return delimiter, number
    return None


def parse_mapped_csv(text: str, layout: CsvLayout, today: date) -> ParsedFile[ContactRow]:
    """Validate every record after the header; records before it are the export's own notes."""
    parsed: ParsedFile[ContactRow] = ParsedFile()
    found = find_header(text, layout)
    if found is None:
        where = "row 1" if not layout.preamble else f"the first {layout.preamble + 1} rows"
        reason = f"not a {layout.name} file: no header with {layout.expected} in {where}"
        parsed.errors.append(RowError(1, None, reason))
        return parsed
    delimiter, header_at = found
    header: list[str] = []
    records: list[tuple[int, Cells]] = []
    with closing(read_records(text, parsed.errors, delimiter)) as reader:
        for number, record in reader:
            if number <= header_at:
                header = [column_key(cell) for cell in record]
            elif any(c.strip() for c in record):
                problem = cell_problem(number, header, record)
                if problem is None:
                    records.append((number, _by_column(header, record)))
                else:
                    parsed.errors.append(problem)
    day_first = _file_day_first([cells.get(column, "") for _, cells in records for column in layout.dated], layout)
    for number, cells in records:
        cells.day_first = day_first
        _add_mapped(parsed, layout, number, cells, today)
    parsed.errors.sort(key=lambda error: error.row)
    return parsed


def _by_column(header: list[str], cells: list[str]) -> Cells:
    by_column = Cells()
    for column, cell in zip(header, cells, strict=False):
        if column and not by_column.get(column):  # a column twice (Excel re-saves): its first non-empty cell
            by_column[column] = visible(cell).strip()
    return by_column


def _file_day_first(dates: list[str], layout: CsvLayout) -> bool | None:
    """Whether the file writes the day first: a date such as 17/5 says so, one such as 5/17 says not; when none
    says, the layout's own order; when both do, the file does not show it.
    """
    shown: set[bool] = set()
    for text in dates:
        found = _NUMERIC_DATE.fullmatch(text)
        if found and found[2] != ".":
            first, second = int(found[1]), int(found[3])
            if first > 12 >= second or second > 12 >= first:
                shown.add(first > 12)
    if not shown:
        return layout.day_first
    return shown.pop() if len(shown) == 1 else None


def _add_mapped(parsed: ParsedFile[ContactRow], layout: CsvLayout, number: int, cells: Cells, today: date) -> None:
    warnings: Warnings = []
    try:
        values = layout.to_values(cells, warnings)
    except CellError as error:
        parsed.errors.append(RowError(number, error.field, str(error)))
        return
    add_record(parsed, number, values, today, warnings)


def joined(*parts: str | None) -> str:
    """Name parts with one space between the ones that are there."""
    return " ".join(part.strip() for part in parts if part and part.strip())


def first_of(cells: Cells, *columns: str) -> str | None:
    """The first of these columns' cells that holds something (columns as `column_key` writes them)."""
    for column in columns:
        if value := cells.get(column):
            return value
    return None


def all_of(cells: Cells, *columns: str) -> list[str]:
    """Every value in these columns, in order, each once (case aside): a person's addresses or phones."""
    unique: dict[str, str] = {}
    for column in columns:
        for value in split_values(cells.get(column) or ""):
            unique.setdefault(value.casefold(), value)
    return list(unique.values())


def split_values(cell: str) -> list[str]:
    """Several values in one cell, as Google (" ::: ") and Outlook (";") join them."""
    return [part.strip() for part in _LABEL_SEPARATORS.split(cell) if part.strip()]


def emails_of(addresses: Sequence[str]) -> dict[str, Any]:
    """The canonical email (the first address) and the other addresses."""
    return {"email": addresses[0] if addresses else None, "other_emails": tuple(addresses[1:])}


def linkedin_among(urls: Iterable[str]) -> str | None:
    """The first web address that is a LinkedIn profile: it becomes the contact's LinkedIn address."""
    return next((url for url in urls if normalise_linkedin(url)), None)


def country_of(cells: Cells, warnings: Warnings, *columns: str) -> str | None:
    """The first country given, as its ISO code ("Germany", "USA", "de" -> DE); one no code is known for is left
    out with a warning.
    """
    text = first_of(cells, *columns)
    if text is None:
        return None
    code = country_code_of(text)
    if code is None:
        leave_out(warnings, "country", f"{text!r} is not a country circleback knows (write it as its ISO code)")
    return code


def numeric_date(text: str, day_first: bool | None) -> tuple[str, int, int] | None:
    """(the year as written, month, day) of a date written in numbers, None when it is not one. A dotted date
    (17.5.1988) is day first; a date such as 3/5/2019 is read in the file's order, a CellError when it has none.
    """
    found = _NUMERIC_DATE.fullmatch(text)
    if found is None:
        return None
    first, second, year = int(found[1]), int(found[3]), found[4]
    if found[2] == "." or first > 12:
        day_first = True
    elif second > 12 or first == second:
        day_first = False
    elif day_first is None:
        reason = f"{text!r} could be {first} {_MONTHS[second]} or {second} {_MONTHS[first]}, and no other date says"
        raise CellError(None, reason)
    day, month = (first, second) if day_first else (second, first)
    return year, month, day


def written_birthday(text: str | None, cells: Cells, warnings: Warnings, *, none: Sequence[str] = ()) -> str | None:
    """A birthday as an address book writes it, as the canonical YYYY-MM-DD or --MM-DD: the canonical forms
    themselves, or in numbers as the locale writes them (5/17/1988 in English Outlooks, 17.5.1988 in German ones).
    `none` are the product's ways of writing "no birthday". A two-digit year, which could be either century, and a
    date that could be either of two days are left out with a warning; anything else is passed on, to be left out
    with the canonical reason.
    """
    if not text or text in none:
        return None
    try:
        found = numeric_date(text, cells.day_first)
    except CellError as error:
        leave_out(warnings, "birthday", str(error))
        return None
    if found is None:
        return text
    year, month, day = found
    if len(year) == 2:
        leave_out(warnings, "birthday", f"{text!r} has a two-digit year, which could be 19{year} or 20{year}")
        return None
    return f"{int(year):04d}-{month:02d}-{day:02d}"


def labels_as_tags(cell: str | None) -> tuple[str, ...] | None:
    """Labels or categories as tags; Google's own ("* myContacts", "* starred", or in its Outlook CSV "myContacts",
    "starred") are left out.
    """
    tags = tuple(label for label in split_values(cell or "") if not _is_google_own(label))
    return tags or None


def _is_google_own(label: str) -> bool:
    return label.startswith("*") or label.casefold() in OWN_LABELS
