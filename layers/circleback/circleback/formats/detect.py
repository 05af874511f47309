"""Which kind of file a text is, and reading any contact file into validated rows."""

from __future__ import annotations

from contextlib import closing
from datetime import date
from enum import StrEnum
from itertools import islice
from pathlib import PurePath

from circleback.formats.csvfile import CONTACTS, EVENTS, TOUCHES, ParsedFile, parse_csv, read_records
from circleback.formats.google import is_google_header, parse_google
from circleback.formats.linkedin import LINKEDIN, is_linkedin_header, parse_linkedin
from circleback.formats.mapped import header_keys
from circleback.formats.rows import ContactRow
from circleback.formats.vcard import looks_like_vcard, parse_vcards


class Format(StrEnum):
    CSV = "csv"  # circleback's own contacts file (CONTACT_COLUMNS)
    LINKEDIN = "linkedin"  # LinkedIn's Connections.csv
    GOOGLE = "google"  # Google Contacts' "Google CSV"
    VCARD = "vcard"  # .vcf, vCard 2.1, 3.0 or 4.0
    JSON = "json"  # a circleback backup (contacts, touches, life events, settings)
    TOUCHES = "touches"  # circleback's touches file (TOUCH_COLUMNS)
    EVENTS = "events"  # circleback's life events file (EVENT_COLUMNS)


FORMAT_NAMES = {
    Format.CSV: "circleback contacts CSV",
    Format.LINKEDIN: "LinkedIn connections",
    Format.GOOGLE: "Google Contacts CSV",
    Format.VCARD: "vCard",
    Format.JSON: "circleback backup",
    Format.TOUCHES: "circleback touches CSV",
    Format.EVENTS: "circleback life events CSV",
}
_EXTENSIONS = {".vcf": Format.VCARD, ".vcard": Format.VCARD, ".json": Format.JSON, ".csv": Format.CSV}


def detect_format(text: str, filename: str | None = None) -> Format | None:
    """The format the content shows; when it shows none, the one the file's extension names; else None.

    Content wins over the name: a LinkedIn export renamed to contacts.txt is still read as one.
    """
    start = text.lstrip("\ufeff \t\r\n")
    if start.startswith("{"):
        return Format.JSON
    if looks_like_vcard(start):
        return Format.VCARD
    found = _csv_format(text)
    if found is not None:
        return found
    return _EXTENSIONS.get(PurePath(filename).suffix.lower()) if filename else None


def _csv_format(text: str) -> Format | None:
    with closing(read_records(text, [])) as records:
        for number, cells in islice(records, LINKEDIN.preamble + 1):
            keys = header_keys(cells)
            if is_linkedin_header(keys):
                return Format.LINKEDIN
            if number == 1 and is_google_header(keys):
                return Format.GOOGLE
            if number == 1 and (canonical := _canonical_format(keys)) is not None:
                return canonical
    return None


def _canonical_format(keys: set[str]) -> Format | None:
    """Which of circleback's own files a header is: its required columns, and no column of another."""
    for kind, format in ((CONTACTS, Format.CSV), (TOUCHES, Format.TOUCHES), (EVENTS, Format.EVENTS)):
        if set(kind.required) <= keys <= set(kind.columns):
            return format
    return None


def parse_contacts(text: str, format: Format, today: date) -> ParsedFile[ContactRow]:
    """Any contact file (not a backup) as canonical rows with their numbers and every refusal's reason."""
    if format is Format.CSV:
        return parse_csv(text, CONTACTS, today)
    if format is Format.LINKEDIN:
        return parse_linkedin(text, today)
    if format is Format.GOOGLE:
        return parse_google(text, today)
    if format is Format.VCARD:
        return parse_vcards(text, today)
    raise ValueError(f"{format} is not a contacts format")
