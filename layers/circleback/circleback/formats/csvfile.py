"""Read a canonical CSV file into validated rows and per-row errors, never raising on bad data."""

from __future__ import annotations

import csv
import io
from collections.abc import Generator, Iterable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from circleback.domain.model import Contact
from circleback.formats.rows import ContactRow, EventRow, Row, TouchRow

CONTACT_COLUMNS = [
    "name",
    "email",
    "phone",
    "linkedin_url",
    "company",
    "title",
    "relationship",
    "tier",
    "cadence_days",
    "country",
    "city",
    "birthday",
    "worked_together_until",
    "tags",
    "notes",
    "last_touch",
    "paused",
    "first_seen",
    "other_emails",  # a person's other addresses, separated by ";" (rows.py ContactRow)
]
TOUCH_COLUMNS = ["contact", "date", "direction", "channel", "note"]
EVENT_COLUMNS = ["contact", "date", "kind", "note"]
MAX_CELL = 32_768  # a spreadsheet's own limit per cell; anything longer is not a contact file


@dataclass(frozen=True, slots=True)
class RowError:
    """Why one row was refused. Rows are numbered as a spreadsheet shows them: the header is row 1.

    Other files count other things (`unit`: the cards of a vCard file, the contacts of a backup); number 0
    means the file or section as a whole ("owner: ...").
    """

    row: int
    field: str | None
    reason: str
    unit: str = "row"

    def __str__(self) -> str:
        where = (f"{self.unit} {self.row}" if self.row else self.unit) + (f", {self.field}" if self.field else "")
        return f"{where}: {self.reason}"


# The same shape says what an import chose not to do (a field kept as edited by hand).
RowNote = RowError


@dataclass(slots=True)
class ParsedFile[RowT: Row]:
    """What a file holds, as docs/imports.md sorts it: every record ends in exactly one of `rows` (to import,
    perhaps with `warnings` about it), `skipped` (harmless, left out on purpose, with why) or `errors` (refused,
    with why: the import exits 1).
    """

    rows: list[tuple[int, RowT]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    unit: str = "row"  # what the numbers count: rows of a CSV file, cards of a vCard file
    skipped: list[RowNote] = field(default_factory=list)
    warnings: list[RowNote] = field(default_factory=list)  # a field left out or mended; a contact named for you


@dataclass(frozen=True, slots=True)
class FileKind[RowT: Row]:
    name: str
    model: type[RowT]
    columns: Sequence[str]
    required: Sequence[str]


CONTACTS = FileKind("contacts", ContactRow, CONTACT_COLUMNS, ["name"])
TOUCHES = FileKind("touches", TouchRow, TOUCH_COLUMNS, ["contact", "date"])
EVENTS = FileKind("events", EventRow, EVENT_COLUMNS, ["date", "kind"])


def parse_csv[RowT: Row](text: str, kind: FileKind[RowT], today: date) -> ParsedFile[RowT]:
    """Validate every row; a bad header rejects the file (row 1), a bad row only itself."""
    parsed: ParsedFile[RowT] = ParsedFile()
    with closing(read_records(text, parsed.errors)) as records:
        _, first = next(records, (1, []))
        header = [h.strip().lower() for h in first]
        header_error = _check_header(header, kind)
        if header_error:
            parsed.errors.append(header_error)
            return parsed
        for number, cells in records:
            if not any(c.strip() for c in cells):
                continue  # blank lines are not rows anyone meant
            problem = cell_problem(number, header, cells)
            if problem is not None:
                parsed.errors.append(problem)
                continue
            values = {h: unguard(c) for h, c in zip(header, cells, strict=False) if h}
            row, error = validate_row(kind.model, number, values, today)
            if error is not None:
                parsed.errors.append(error)
            elif row is not None:
                parsed.rows.append((number, row))
    return parsed


def read_records(text: str, errors: list[RowError], delimiter: str = ",") -> Generator[tuple[int, list[str]]]:
    """Every record of a CSV text, blank ones included, numbered as a spreadsheet shows them: one per record,
    however many lines its cells span. A syntax error ends the file there, reported in `errors`. `delimiter`: a
    comma, or the semicolon Excel writes in locales whose decimal mark is a comma.

    Close the iterator (`contextlib.closing`) when leaving early: it restores the csv module's cell limit.
    """
    # Cells are checked against MAX_CELL per row by the callers; the reader's own limit would end the file there.
    previous_limit = csv.field_size_limit(max(len(text) + 1, MAX_CELL * 4))
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=delimiter)
    number = 0
    try:
        for cells in reader:
            number += 1
            yield number, cells
    except csv.Error as error:
        errors.append(RowError(number + 1, None, f"not readable as CSV: {error}"))
    finally:
        csv.field_size_limit(previous_limit)


def _check_header[RowT: Row](header: list[str], kind: FileKind[RowT]) -> RowError | None:
    if not any(header):
        return RowError(1, None, f"the file is empty; expected a header row: {','.join(kind.columns)}")
    named = [h for h in header if h]  # a column with no header (a trailing comma) is ignored when empty
    unknown = [h for h in named if h not in kind.columns]
    if unknown:
        return RowError(
            1, unknown[0], f"unknown column for a {kind.name} file; the columns are {','.join(kind.columns)}"
        )
    repeated = [h for h in named if named.count(h) > 1]
    if repeated:
        return RowError(1, repeated[0], "the column appears twice")
    missing = [c for c in kind.required if c not in named]
    if missing:
        return RowError(1, missing[0], "required column is missing")
    return None


def cell_problem(number: int, header: Sequence[str], cells: Sequence[str]) -> RowError | None:
    """What makes a record unreadable before its values are looked at: cells beyond the header, a value under
    no header, a cell longer than any contact file has.
    """
    if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
        return RowError(number, None, f"{len(cells)} cells but the header has {len(header)} columns")
    unnamed = next((i for i, (h, c) in enumerate(zip(header, cells, strict=False), 1) if not h and c.strip()), None)
    if unnamed is not None:
        return RowError(number, None, f"a value in column {unnamed}, which has no header")
    too_long = next((h for h, c in zip(header, cells, strict=False) if len(c) > MAX_CELL), None)
    if too_long is not None:
        return RowError(number, too_long, f"longer than {MAX_CELL} characters")
    return None


def validate_row[RowT: Row](
    model: type[RowT], number: int, values: Mapping[str, Any], today: date, unit: str = "row"
) -> tuple[RowT | None, RowError | None]:
    """The row, or the first reason it is refused, named by its field. Every format validates here."""
    row, problem = first_problem(model, values, today)
    if problem is None:
        return row, None
    return None, problem.error(number, unit)


@dataclass(frozen=True, slots=True)
class Problem:
    """The first thing wrong with a record's values: where (pydantic's loc) and why, in words."""

    loc: tuple[int | str, ...]
    reason: str
    kind: str  # pydantic's error type: "value_error", "string_too_long", ...

    @property
    def field(self) -> str | None:
        return str(self.loc[0]) if self.loc else None

    def error(self, number: int, unit: str = "row") -> RowError:
        field_name = self.field
        return RowError(number, _SHOWN_AS.get(field_name or "", field_name), self.reason, unit)


def first_problem[RowT: Row](
    model: type[RowT], values: Mapping[str, Any], today: date
) -> tuple[RowT | None, Problem | None]:
    try:
        return model.model_validate(values, context={"today": today}), None
    except ValidationError as error:
        first = error.errors()[0]
        return None, Problem(tuple(first["loc"]), _reason(first, _value_at(values, first["loc"])), first["type"])


# Fields a person knows by another name: another address of a contact is an email like the first.
_SHOWN_AS = {"other_emails": "email"}


def _value_at(values: Mapping[str, Any], loc: tuple[int | str, ...]) -> str | None:
    value: Any = values
    for part in loc:
        if isinstance(value, Mapping):
            value = value.get(part)
        elif isinstance(value, Sequence) and not isinstance(value, str) and isinstance(part, int):
            value = value[part] if 0 <= part < len(value) else None
        else:
            return None
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Sequence):
        return "; ".join(str(v) for v in value)
    return str(value)


def _reason(error: ErrorDetails, value: str | None) -> str:
    if not (value or "").strip() and error["type"] != "value_error":
        return "is required"  # a blank cell or no such column, for a field that must have a value
    if error["type"] in ("string_too_long", "too_long"):
        limit = (error.get("ctx") or {}).get("max_length")
        return f"is too long: at most {limit} characters, this has {len((value or '').strip())}"
    message = error["msg"].removeprefix("Value error, ")
    if message.startswith("Input should be") and value:
        return f"{message} (got {value.strip()!r})"
    return message


# --- writing the canonical contacts file --------------------------------------------------------------------

# A cell a spreadsheet would run as a formula (a name of "=HYPERLINK(...)" taken from someone's profile) is
# written behind an apostrophe, as spreadsheets themselves do; reading the canonical file removes it again.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def guard(cell: str) -> str:
    """One more apostrophe before a formula, or before apostrophes that come before one ('=x stays '=x)."""
    return "'" + cell if cell.lstrip("'").startswith(_FORMULA_STARTS) else cell


def unguard(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell.lstrip("'").startswith(_FORMULA_STARTS) else cell


def contact_cells(contact: Contact) -> dict[str, str]:
    """The contact as the canonical file's cells: what `parse_csv` reads back into the same fields."""
    birthday = contact.birthday.isoformat() if contact.birthday else ""
    return {
        "name": contact.name,
        "email": contact.email or "",
        "other_emails": "; ".join(contact.other_emails),
        "phone": contact.phone or "",
        "linkedin_url": contact.linkedin_url or "",
        "company": contact.company or "",
        "title": contact.title or "",
        "relationship": contact.relationship.value,
        "tier": contact.tier.value,
        "cadence_days": str(contact.cadence_days) if contact.cadence_days is not None else "",
        "country": contact.country or "",
        "city": contact.city or "",
        "birthday": birthday,
        "worked_together_until": _iso(contact.worked_together_until),
        "tags": ";".join(contact.tags),
        "notes": contact.notes or "",
        "last_touch": _iso(contact.last_touch),
        "paused": "true" if contact.paused else "false",
        "first_seen": _iso(contact.first_seen),
    }


def contact_order(contact: Contact) -> tuple[str, str]:
    """How exports list contacts: by name (case aside), the same way every time."""
    return contact.name.casefold(), contact.id


def write_contacts_csv(contacts: Iterable[Contact]) -> str:
    """The canonical contacts file (CONTACT_COLUMNS), one row per contact, as `parse_csv` reads it."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CONTACT_COLUMNS)
    for contact in contacts:
        cells = contact_cells(contact)
        writer.writerow([guard(cells[column]) for column in CONTACT_COLUMNS])
    return out.getvalue()


def _iso(value: date | None) -> str:
    return value.isoformat() if value is not None else ""
