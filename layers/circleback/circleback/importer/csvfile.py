"""Read a canonical CSV file into validated rows and per-row errors, never raising on bad data."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Generic, TypeVar

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from circleback.importer.rows import ContactRow, EventRow, Row, TouchRow

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
    "birthday",
    "worked_together_until",
    "tags",
    "notes",
    "last_touch",
    "paused",
]
TOUCH_COLUMNS = ["contact", "date", "direction", "channel", "note"]
EVENT_COLUMNS = ["contact", "date", "kind", "note"]
MAX_CELL = 32_768  # a spreadsheet's own limit per cell; anything longer is not a contact file

RowT = TypeVar("RowT", bound=Row)


@dataclass(frozen=True, slots=True)
class RowError:
    """Why one row was refused. Rows are numbered as a spreadsheet shows them: the header is row 1."""

    row: int
    field: str | None
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", {self.field}" if self.field else "")
        return f"{where}: {self.reason}"


@dataclass(slots=True)
class ParsedFile(Generic[RowT]):
    rows: list[tuple[int, RowT]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class FileKind(Generic[RowT]):
    name: str
    model: type[RowT]
    columns: Sequence[str]
    required: Sequence[str]


CONTACTS = FileKind("contacts", ContactRow, CONTACT_COLUMNS, ["name"])
TOUCHES = FileKind("touches", TouchRow, TOUCH_COLUMNS, ["contact", "date"])
EVENTS = FileKind("events", EventRow, EVENT_COLUMNS, ["date", "kind"])


def parse_csv(text: str, kind: FileKind[RowT], today: date) -> ParsedFile[RowT]:
    """Validate every row; a bad header rejects the file (row 1), a bad row only itself."""
    parsed: ParsedFile[RowT] = ParsedFile()
    # Cells are checked against MAX_CELL per row below; the reader's own limit would end the file there.
    previous_limit = csv.field_size_limit(max(len(text) + 1, MAX_CELL * 4))
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    number = 1  # rows as a spreadsheet numbers them: one per record, however many lines its cells span
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        header_error = _check_header(header, kind)
        if header_error:
            parsed.errors.append(header_error)
            return parsed
        for cells in reader:
            number += 1
            if not any(c.strip() for c in cells):
                continue  # blank lines are not rows anyone meant
            row, error = _validate(number, header, cells, kind, today)
            if error is not None:
                parsed.errors.append(error)
            elif row is not None:
                parsed.rows.append((number, row))
    except csv.Error as error:
        parsed.errors.append(RowError(number + 1, None, f"not readable as CSV: {error}"))
    finally:
        csv.field_size_limit(previous_limit)
    return parsed


def _check_header(header: list[str], kind: FileKind[RowT]) -> RowError | None:
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


def _validate(
    number: int, header: list[str], cells: list[str], kind: FileKind[RowT], today: date
) -> tuple[RowT | None, RowError | None]:
    if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
        return None, RowError(number, None, f"{len(cells)} cells but the header has {len(header)} columns")
    unnamed = next((i for i, (h, c) in enumerate(zip(header, cells, strict=False), 1) if not h and c.strip()), None)
    if unnamed is not None:
        return None, RowError(number, None, f"a value in column {unnamed}, which has no header")
    too_long = next((h for h, c in zip(header, cells, strict=False) if len(c) > MAX_CELL), None)
    if too_long is not None:
        return None, RowError(number, too_long, f"longer than {MAX_CELL} characters")
    values = {h: c for h, c in zip(header, cells, strict=False) if h}
    try:
        return kind.model.model_validate(values, context={"today": today}), None
    except ValidationError as error:
        first = error.errors()[0]
        field_name = ".".join(str(part) for part in first["loc"][:1]) or None
        return None, RowError(number, field_name, _reason(first, values.get(field_name or "")))


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
