"""Other products' contact exports in CSV: find their header, map each record onto the canonical fields.

Each record then goes through the canonical row's checks as other products' records do (`foreign.add_record`):
every reason is the one the canonical file gets, but a value that cannot be read is left out with a warning
rather than costing the contact.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from typing import Any

from circleback.formats.csvfile import ParsedFile, RowError, cell_problem, read_records
from circleback.formats.foreign import Warnings, add_record
from circleback.formats.rows import ContactRow


class CellError(ValueError):
    """A cell that cannot become a canonical value (a date in no known form), named by the field it feeds."""

    def __init__(self, field: str | None, reason: str) -> None:
        super().__init__(reason)
        self.field = field


Cells = Mapping[str, str]  # one record's cells by column name, as `column_key` writes the names


@dataclass(frozen=True, slots=True)
class CsvLayout:
    name: str  # "LinkedIn connections"
    is_header: Callable[[set[str]], bool]  # given the record's column keys
    # The canonical fields (or CellError); what the mapping noticed on the way goes into the list it is given.
    to_values: Callable[[Cells, Warnings], dict[str, Any]]
    expected: str  # the columns that make the header, for the error when there is none
    preamble: int = 0  # records that may come before the header (LinkedIn writes notes there)


def column_key(name: str) -> str:
    """A column name as the layouts look it up: case and runs of spaces aside."""
    return " ".join(name.split()).casefold()


def header_keys(cells: Sequence[str]) -> set[str]:
    return {column_key(cell) for cell in cells if cell.strip()}


def parse_mapped_csv(text: str, layout: CsvLayout, today: date) -> ParsedFile[ContactRow]:
    """Validate every record after the header; records before it are the export's own notes."""
    parsed: ParsedFile[ContactRow] = ParsedFile()
    header: list[str] | None = None
    with closing(read_records(text, parsed.errors)) as records:
        for number, cells in records:
            if header is None:
                if layout.is_header(header_keys(cells)):
                    header = [column_key(cell) for cell in cells]
                elif number > layout.preamble:
                    break
                continue
            if not any(c.strip() for c in cells):
                continue
            problem = cell_problem(number, header, cells)
            if problem is not None:
                parsed.errors.append(problem)
                continue
            by_column = {h: c.strip() for h, c in zip(header, cells, strict=False) if h}
            warnings: Warnings = []
            try:
                values = layout.to_values(by_column, warnings)
            except CellError as error:
                parsed.errors.append(RowError(number, error.field, str(error)))
                continue
            add_record(parsed, number, values, today, warnings)
    if header is None and not parsed.errors:
        where = "row 1" if not layout.preamble else f"the first {layout.preamble + 1} rows"
        reason = f"not a {layout.name} file: no header with {layout.expected} in {where}"
        parsed.errors.append(RowError(1, None, reason))
    return parsed


def joined(*parts: str | None) -> str:
    """Name parts with one space between the ones that are there."""
    return " ".join(part.strip() for part in parts if part and part.strip())
