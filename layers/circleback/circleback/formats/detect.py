"""Which kind of file a text is, and reading any contact file into validated rows."""

from __future__ import annotations

from contextlib import closing
from datetime import date
from enum import StrEnum
from itertools import islice
from pathlib import PurePath

from circleback.formats.csvfile import CONTACTS, EVENTS, TOUCHES, ParsedFile, parse_csv, read_records
from circleback.formats.google import GOOGLE, is_google_header
from circleback.formats.linkedin import LINKEDIN, is_linkedin_header
from circleback.formats.mapped import DELIMITERS, CsvLayout, header_keys, parse_mapped_csv
from circleback.formats.outlook import OUTLOOK, is_outlook_header
from circleback.formats.rows import ContactRow
from circleback.formats.thunderbird import THUNDERBIRD, is_thunderbird_header
from circleback.formats.vcard import looks_like_vcard, parse_vcards


class Format(StrEnum):
    CSV = "csv"  # circleback's own contacts file (CONTACT_COLUMNS)
    LINKEDIN = "linkedin"  # LinkedIn's Connections.csv
    GOOGLE = "google"  # Google Contacts' "Google CSV"
    OUTLOOK = "outlook"  # Outlook's CSV (Outlook, Outlook.com, Google's "Outlook CSV"), English or German
    THUNDERBIRD = "thunderbird"  # Thunderbird's address book as CSV
    VCARD = "vcard"  # .vcf, vCard 2.1, 3.0 or 4.0
    JSON = "json"  # a circleback backup (contacts, touches, life events, settings)
    TOUCHES = "touches"  # circleback's touches file (TOUCH_COLUMNS)
    EVENTS = "events"  # circleback's life events file (EVENT_COLUMNS)


FORMAT_NAMES = {
    Format.CSV: "circleback contacts CSV",
    Format.LINKEDIN: "LinkedIn connections",
    Format.GOOGLE: "Google Contacts CSV",
    Format.OUTLOOK: "Outlook CSV",
    Format.THUNDERBIRD: "Thunderbird address book CSV",
    Format.VCARD: "vCard",
    Format.JSON: "circleback backup",
    Format.TOUCHES: "circleback touches CSV",
    Format.EVENTS: "circleback life events CSV",
}
# Other products' CSV files whose header is their first row, each told by columns no other writes.
_FIRST_ROW_HEADERS = (
    (Format.THUNDERBIRD, is_thunderbird_header),
    (Format.OUTLOOK, is_outlook_header),
    (Format.GOOGLE, is_google_header),
)
LAYOUTS: dict[Format, CsvLayout] = {
    Format.LINKEDIN: LINKEDIN,
    Format.GOOGLE: GOOGLE,
    Format.OUTLOOK: OUTLOOK,
    Format.THUNDERBIRD: THUNDERBIRD,
}
# A column only one product writes: a first row with it but not the whole header is that product's, damaged.
_TELLING_COLUMNS = {
    "connected on": Format.LINKEDIN,
    "e-mail address": Format.OUTLOOK,
    "e-mail-adresse": Format.OUTLOOK,
    "e-mail 1 - value": Format.GOOGLE,
    "file as": Format.GOOGLE,
    "group membership": Format.GOOGLE,
    "primary email": Format.THUNDERBIRD,
    "primäre e-mail-adresse": Format.THUNDERBIRD,
}
_SHOWN_CELLS, _SHOWN_CHARACTERS = 6, 40  # of a first row quoted in a message
_EXTENSIONS = {".vcf": Format.VCARD, ".vcard": Format.VCARD, ".json": Format.JSON, ".csv": Format.CSV}


def detect_format(text: str, filename: str | None = None) -> Format | None:
    """The format the content shows; when the file is empty or shows none, the one the file's extension names
    (but a CSV file with a header of no known export is none); else None.

    Content wins over the name: a LinkedIn export renamed to contacts.txt is still read as one.
    """
    found = content_format(text)
    if found is not None:
        return found
    extension = _EXTENSIONS.get(PurePath(filename).suffix.lower()) if filename else None
    if extension is Format.CSV and first_row(text):
        return None  # a header nobody wrote for circleback: `unknown_format_reason` says what it is
    return extension


def content_format(text: str) -> Format | None:
    """The format the content alone shows, or None."""
    start = text.lstrip("\ufeff \t\r\n")
    if start.startswith("{"):
        return Format.JSON
    if looks_like_vcard(start):
        return Format.VCARD
    return _csv_format(text)


def _csv_format(text: str) -> Format | None:
    for delimiter in DELIMITERS:
        with closing(read_records(text, [], delimiter)) as records:
            for number, cells in islice(records, LINKEDIN.preamble + 1):
                keys = header_keys(cells)
                if is_linkedin_header(keys):
                    return Format.LINKEDIN
                if number == 1 and (found := _first_row_format(keys, delimiter)) is not None:
                    return found
    return None


def _first_row_format(keys: set[str], delimiter: str) -> Format | None:
    found = next((format for format, is_header in _FIRST_ROW_HEADERS if is_header(keys)), None)
    if found is None and delimiter == ",":  # circleback writes its own files with commas
        return _canonical_format(keys)
    return found


def _canonical_format(keys: set[str]) -> Format | None:
    """Which of circleback's own files a header is: its required columns, and no column of another."""
    for kind, format in ((CONTACTS, Format.CSV), (TOUCHES, Format.TOUCHES), (EVENTS, Format.EVENTS)):
        if set(kind.required) <= keys <= set(kind.columns):
            return format
    return None


def first_row(text: str) -> list[str]:
    """The file's first row with something in it, split by whichever delimiter splits it most; [] when none."""
    rows: list[list[str]] = []
    for delimiter in DELIMITERS:
        with closing(read_records(text, [], delimiter)) as records:
            rows.append(next((cells for _, cells in records if any(c.strip() for c in cells)), []))
    return [cell.strip() for cell in max(rows, key=len)]


def unknown_format_reason(text: str) -> str:
    """Why a file is in no format circleback reads, saying what was recognised of it."""
    names = ", ".join(FORMAT_NAMES.values())
    cells = first_row(text)
    if not cells:
        return f"cannot tell what kind of file this is: it is empty; circleback reads {names}"
    shown = ", ".join(_shortened(cell) for cell in cells[:_SHOWN_CELLS]) + (", …" if len(cells) > _SHOWN_CELLS else "")
    keys = header_keys(cells)
    like = next((format for column, format in _TELLING_COLUMNS.items() if column in keys), None)
    if like is not None:
        layout = LAYOUTS[like]
        return (
            f"cannot tell what kind of file this is: it looks like {a_or_an(FORMAT_NAMES[like])}, but its header "
            f"lacks some of {layout.expected}: the first row is {shown}"
        )
    return (
        f"cannot tell what kind of file this is: no header of a known export: the first row is {shown}; "
        f"circleback reads {names}"
    )


def _shortened(cell: str) -> str:
    return cell if len(cell) <= _SHOWN_CHARACTERS else cell[: _SHOWN_CHARACTERS - 1] + "…"


def a_or_an(name: str) -> str:
    """ "an Outlook CSV", "a vCard", "LinkedIn connections" (a plural takes none)."""
    if name.endswith("s"):
        return name
    return ("an " if name[0].lower() in "aeiou" else "a ") + name


def parse_contacts(text: str, format: Format, today: date) -> ParsedFile[ContactRow]:
    """Any contact file (not a backup) as canonical rows with their numbers and every refusal's reason."""
    if format is Format.CSV:
        return parse_csv(text, CONTACTS, today)
    if format in LAYOUTS:  # other products' CSV files
        return parse_mapped_csv(text, LAYOUTS[format], today)
    if format is Format.VCARD:
        return parse_vcards(text, today)
    raise ValueError(f"{format} is not a contacts format")
