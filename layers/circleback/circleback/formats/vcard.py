"""vCard files (RFC 2426's 3.0 and RFC 6350's 4.0; 2.1's quoted-printable too): one or many cards a file.

Reading uses vobject (folded lines, escapes, charsets), imported only here and only when a vCard is read.
Each card is parsed on its own, so a broken card is reported ("card 3: ...") and the others still count.
Properties: FN (else N), EMAIL, TEL, ORG, TITLE, NOTE, BDAY (with or without the year, Apple's
X-APPLE-OMIT-YEAR too), URL or X-SOCIALPROFILE (a LinkedIn profile), CATEGORIES (tags), ADR's country
(when written as its ISO code), and the X-CIRCLEBACK-* properties circleback writes for its own fields.
Like Google, a card keeps one email and one phone: the preferred (PREF=1, TYPE=pref), else the first.

Writing makes vCard 4.0: UTF-8, CRLF, lines folded at 75 octets without splitting a character.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from circleback.domain.countries import is_country_code
from circleback.domain.matching import normalise_linkedin
from circleback.domain.model import Contact
from circleback.formats.csvfile import ParsedFile, RowError, contact_cells
from circleback.formats.foreign import Warnings, add_record, leave_out
from circleback.formats.mapped import CellError, joined
from circleback.formats.rows import ContactRow

if TYPE_CHECKING:
    from vobject.base import Component, ContentLine

UNIT = "card"
# circleback's own fields, which no vCard property holds, as X-CIRCLEBACK-<FIELD> properties.
OWN_FIELDS = ("relationship", "tier", "cadence_days", "worked_together_until", "first_seen", "last_touch", "paused")
_DEFAULTS = {"relationship": "other", "tier": "B", "paused": "false"}  # not written: an unset field means them
_BEGIN, _END = "BEGIN:VCARD", "END:VCARD"
_DATE = re.compile(r"([0-9]{4})-?([0-9]{2})-?([0-9]{2})(?:T[0-9:.Z+-]*)?")  # 19880517, 1988-05-17, ...T00:00:00Z
_YEARLESS = re.compile(r"--([0-9]{2})-?([0-9]{2})")  # --0517, --05-17
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # not str.splitlines: U+2028 and the like are text in a vCard
_FOLD_AT = 75  # octets per line, the line break aside (RFC 6350 section 3.2)


def looks_like_vcard(text: str) -> bool:
    return text.lstrip("\ufeff \t\r\n")[: len(_BEGIN)].upper() == _BEGIN


def parse_vcards(text: str, today: date) -> ParsedFile[ContactRow]:
    parsed: ParsedFile[ContactRow] = ParsedFile(unit=UNIT)
    for card in _cards(text):
        if isinstance(card, RowError):
            parsed.errors.append(card)
            continue
        number, first_line, block = card
        warnings: Warnings = []
        try:
            values = _values(_read_card(block, first_line), warnings)
        except CellError as error:
            parsed.errors.append(RowError(number, error.field, str(error), UNIT))
            continue
        add_record(parsed, number, values, today, warnings)
    if not parsed.rows and not parsed.errors:
        parsed.errors.append(RowError(1, None, f"no card in the file: expected {_BEGIN} ... {_END}", "line"))
    return parsed


def _cards(text: str) -> Iterator[tuple[int, int, str] | RowError]:
    """Each card as (its number, its first line's number, its text), or why it cannot be read; text outside
    the cards is reported by its line (once for each stretch of it) and counts as no card.
    """
    number = 0
    start = 0
    block: list[str] | None = None  # None: outside any card; []: in stray text already reported
    for line_number, line in enumerate(_LINE_BREAK.split(text.removeprefix("\ufeff")), 1):
        folded = line[:1] in (" ", "\t")  # a continuation line is never BEGIN or END
        marker = "" if folded else line.strip().upper()
        if marker == _BEGIN:
            if block:
                yield RowError(number, None, f"no {_END} before the next card (line {line_number})", UNIT)
            number, start, block = number + 1, line_number, [line]
        elif block is None:
            if line.strip() and not folded:
                yield RowError(line_number, None, f"outside any card ({_BEGIN} ... {_END})", "line")
                block = []
        elif not block:
            continue
        elif marker == _END:
            block.append(line)
            yield number, start, "\n".join(block) + "\n"  # joined by LF: vobject numbers CRLF lines twice
            block = None
        else:
            block.append(line)
    if block:
        yield RowError(number, None, f"the file ends before {_END}", UNIT)


def _read_card(block: str, first_line: int) -> Component:
    import vobject

    try:
        return vobject.readOne(block, allowQP=True)
    except Exception as error:  # a third-party parser on arbitrary text: one card, one reason, whatever it raises
        line = getattr(error, "lineNumber", None)
        where = f" (line {first_line + int(line) - 1})" if isinstance(line, int) else ""
        message = str(error).split(": ", 1)[-1] if line else str(error)
        raise CellError(None, f"not readable as a vCard{where}: {message}") from None


def _values(card: Component, warnings: Warnings) -> dict[str, Any]:
    emails = _ranked(card, "email", "mailto:")
    phones = _ranked(card, "tel", "tel:")
    urls = [str(line.value).strip() for name in ("url", "x-socialprofile") for line in _lines(card, name)]
    categories = [str(tag).strip() for line in _lines(card, "categories") for tag in _listed(line.value)]
    notes = [str(line.value).strip() for line in _lines(card, "note") if str(line.value).strip()]
    values: dict[str, Any] = {
        "name": _name(card),
        "email": emails[0] if emails else None,
        "other_emails": tuple(emails[1:]),
        "phone": phones[0] if phones else None,
        "linkedin_url": next((url for url in urls if normalise_linkedin(url)), None),
        "company": _first(card, "org"),
        "title": _first(card, "title"),
        "country": _country(card),
        "birthday": _readable_birthday(card, warnings),
        "tags": tuple(dict.fromkeys(tag for tag in categories if tag)) or None,
        "notes": "\n\n".join(notes) or None,
    }
    for field in OWN_FIELDS:
        values[field] = _first(card, _own_property(field).lower())
    return values


def _lines(card: Component, name: str) -> list[ContentLine]:
    lines: list[ContentLine] = card.contents.get(name, [])
    return lines


def _listed(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _first(card: Component, name: str) -> str | None:
    """The first non-empty value (of a structured one, such as ORG, the first part)."""
    for line in _lines(card, name):
        text = joined(*(str(part) for part in _listed(line.value)[:1]))
        if text:
            return text
    return None


def _name(card: Component) -> str | None:
    """FN, else N's parts; None when neither (the card is then named from what it has: formats/foreign.py)."""
    full = _first(card, "fn")
    if full:
        return full
    for line in _lines(card, "n"):
        parts = line.value
        name = joined(*(joined(*_listed(getattr(parts, p, ""))) for p in ("given", "additional", "family")))
        if name:
            return name
    return None


def _ranked(card: Component, name: str, scheme: str) -> list[str]:
    """Every value of a property, preferred first (PREF=1 before PREF=2, TYPE=pref, then the rest in order)."""
    found: list[tuple[int, int, str]] = []
    for index, line in enumerate(_lines(card, name)):
        value = str(line.value).strip()
        if value.lower().startswith(scheme):
            value = value[len(scheme) :].strip()
        if value:
            found.append((_preference(line.params), index, value))
    unique: dict[str, str] = {}
    for _, _, value in sorted(found):
        unique.setdefault(value.casefold(), value)
    return list(unique.values())


def _preference(params: dict[str, list[str]]) -> int:
    pref = next((p for p in params.get("PREF", []) if p.strip().isdigit()), None)
    if pref is not None:
        return int(pref)
    types = {t.strip().lower() for value in params.get("TYPE", []) for t in value.split(",")}
    return 1 if "pref" in types else 101  # RFC 6350's PREF runs from 1 (most preferred) to 100


def _country(card: Component) -> str | None:
    for line in _lines(card, "adr"):
        code = joined(*_listed(getattr(line.value, "country", ""))).upper()
        if is_country_code(code):
            return code
    return None


def _readable_birthday(card: Component, warnings: Warnings) -> str | None:
    try:
        return _birthday(card)
    except CellError as error:
        leave_out(warnings, "birthday", str(error))
        return None


def _birthday(card: Component) -> str | None:
    """BDAY as the canonical YYYY-MM-DD or --MM-DD, for the canonical row's checks."""
    for line in _lines(card, "bday"):
        text = str(line.value).strip()
        if not text:
            continue
        if any(v.lower() == "text" for v in line.params.get("VALUE", [])):
            raise CellError("birthday", f"{text!r} is text, not a date")
        if found := _YEARLESS.fullmatch(text):
            return f"--{found.group(1)}-{found.group(2)}"
        if found := _DATE.fullmatch(text):
            year, month, day = found.groups()
            if year in line.params.get("X-APPLE-OMIT-YEAR", []):  # Apple's way of saying "no year"
                return f"--{month}-{day}"
            return f"{year}-{month}-{day}"
        raise CellError("birthday", f"expected a date such as 19880517, 1988-05-17 or --0517 (no year), got {text!r}")
    return None


def _own_property(field: str) -> str:
    return "X-CIRCLEBACK-" + field.upper().replace("_", "-")


# --- writing vCard 4.0 ---------------------------------------------------------------------------------------


def write_vcards(contacts: Iterable[Contact]) -> str:
    """Every contact as a vCard 4.0 card, in one file; what `parse_vcards` reads back into the same fields."""
    return "".join(_card(contact) for contact in contacts)


def _card(contact: Contact) -> str:
    cells = contact_cells(contact)
    lines = [
        _BEGIN,
        "VERSION:4.0",
        f"UID:urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'circleback:contact:' + contact.id)}",
        "FN:" + _escape(contact.name),
    ]
    if contact.email:
        lines.append("EMAIL;PREF=1:" + _escape(contact.email))
    if contact.phone:
        lines.append("TEL;VALUE=text:" + _escape(contact.phone))
    if contact.company:
        lines.append("ORG:" + _escape(contact.company))
    if contact.title:
        lines.append("TITLE:" + _escape(contact.title))
    if contact.linkedin_url:
        lines.append("URL;TYPE=linkedin:" + contact.linkedin_url)  # a URI: not escaped
    if contact.birthday:
        lines.append("BDAY:" + birthday_value(contact.birthday.isoformat()))
    if contact.country:
        lines.append("ADR:;;;;;;" + contact.country)
    if contact.tags:
        lines.append("CATEGORIES:" + ",".join(_escape(tag) for tag in contact.tags))
    if contact.notes:
        lines.append("NOTE:" + _escape(contact.notes))
    own = [field for field in OWN_FIELDS if cells[field] and cells[field] != _DEFAULTS.get(field)]
    lines.extend(f"{_own_property(field)}:{_escape(cells[field])}" for field in own)
    lines.append(_END)
    return "".join(_fold(line) + "\r\n" for line in lines)


def _escape(text: str) -> str:
    """A text value: backslash, comma and semicolon escaped, line breaks as \\n (RFC 6350 section 3.4)."""
    text = text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Break a line into chunks of at most 75 octets, each continuation starting with a space."""
    chunks: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode())
        if size + width > _FOLD_AT:
            chunks.append(current)
            current, size = " ", 1
        current += char
        size += width
    chunks.append(current)
    return "\r\n".join(chunks)


def birthday_value(text: str) -> str:
    """A canonical birthday (YYYY-MM-DD or --MM-DD) as vCard 4.0 writes it (19880517 or --0517)."""
    return "--" + text[2:].replace("-", "") if text.startswith("--") else text.replace("-", "")
