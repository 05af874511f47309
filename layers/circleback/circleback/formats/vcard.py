"""vCard files (2.1 with its quoted-printable and charsets, RFC 2426's 3.0, RFC 6350's 4.0): one or many cards a file.

Reading takes each card as the product wrote it (Apple, Google, Outlook, Android, BlackBerry, Lotus Notes,
Evolution, Thunderbird, CardDAV servers), on its own, so a broken card is reported ("card 3: ...") and the others
still count. Lines are unfolded here (CR CR LF line ends, blank lines, 2.1's quoted-printable soft breaks and
unindented base64 too); vobject reads each line's group, name and parameters; values are decoded here, because
their escapes differ by version: 2.1 escapes no comma, 3.0 and 4.0 escape it (though Outlook and others often do
not), so an unescaped comma is text, kept as written. N and ADR are split at their semicolons (3.0 and 4.0 N
parts at their commas too), ORG at its semicolons only; FN, NOTE, TITLE and the other text values are kept whole.
Invisible direction marks around values are dropped.

Properties: FN (else N), EMAIL, TEL, ORG's organisation, TITLE, NOTE, BDAY (with or without the year: --0415,
Apple's X-APPLE-OMIT-YEAR, the year 1604 Apple and CardBook write for "no year"), URL or X-SOCIALPROFILE (a
LinkedIn profile), CATEGORIES (tags; Google's and Android's own groups aside), the preferred ADR's country (a
code or a name such as "Deutschland"), and the X-CIRCLEBACK-* properties circleback writes for its own fields.
Like Google, a card keeps one email and one phone: the preferred (PREF=1, TYPE=pref, 2.1's bare PREF), else the
first. A group (KIND:group, Apple's X-ADDRESSBOOKSERVER-KIND:group) is skipped: it is no person.

What cannot be read costs only itself, with a warning (formats/foreign.py): a birthday "circa 1800", a photo
whose base64 does not decode, a country no code is known for; a quoted-printable byte that is not in the card's
charset is read as Windows-1252 (what such writers meant), and the warning says so.

Writing makes vCard 4.0: UTF-8, CRLF, lines folded at 75 octets without splitting a character.
"""

from __future__ import annotations

import binascii
import codecs
import quopri
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from circleback.domain.countries import country_code_of
from circleback.domain.matching import normalise_linkedin
from circleback.domain.model import Contact
from circleback.formats.csvfile import ParsedFile, RowError, RowNote, contact_cells
from circleback.formats.foreign import Warnings, add_record, leave_out
from circleback.formats.mapped import OWN_LABELS, CellError, joined, visible
from circleback.formats.rows import ContactRow

UNIT = "card"
# circleback's own fields, which no vCard property holds, as X-CIRCLEBACK-<FIELD> properties.
OWN_FIELDS = ("relationship", "tier", "cadence_days", "worked_together_until", "first_seen", "last_touch", "paused")
_DEFAULTS = {"relationship": "other", "tier": "B", "paused": "false"}  # not written: an unset field means them
_BEGIN, _END = "BEGIN:VCARD", "END:VCARD"
_DATE = re.compile(r"([0-9]{4})-?([0-9]{2})-?([0-9]{2})(?:T[0-9:.Z+-]*)?")  # 19880517, 1988-05-17, ...T00:00:00Z
_YEARLESS = re.compile(r"--([0-9]{2})-?([0-9]{2})")  # --0517, --05-17
_NO_YEAR = "1604"  # the year Apple and CardBook write when there is none (vCard 3.0 cannot leave it out)
# Not str.splitlines: U+2028 and the like are text in a vCard. CR CR LF is one line end (iPhone exports).
_LINE_BREAK = re.compile(r"\r*\n|\r")
_FOLD_AT = 75  # octets per line, the line break aside (RFC 6350 section 3.2)
_HEAD = re.compile(r"[^:]*")  # a line's group, name and parameters
_BASE64 = re.compile(r";\s*(?:ENCODING\s*=\s*)?(?:B|BASE64)\s*(?=[;:])", re.IGNORECASE)
_BASE64_LINE = re.compile(r"[A-Za-z0-9+/=]+\s*")  # 2.1's base64 may go on unindented, to a blank line
_STRAY_BYTES = re.compile("[\udc80-\udcff]")  # bytes a charset does not have, as surrogateescape keeps them
_BINARY = frozenset({"PHOTO", "LOGO", "SOUND", "KEY"})
_ENCODINGS = frozenset({"QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT"})
# Groups every contact of Google (myContacts, starred) or an Android phone (My Contacts) is in: no tags of a person.
_GROUP_KINDS = ("KIND", "X-ADDRESSBOOKSERVER-KIND")
# The backslash escapes each version has; any other backslash is text. Gmail escapes quotes, Apple colons.
_ESCAPED = {"2.1": re.compile(r"\\([\\;:,])"), "3.0": re.compile(r"\\([\\;:,\"nN])")}
# The canonical field a property feeds, to name it in a warning.
_FIELD_OF = {"FN": "name", "N": "name", "ORG": "company", "TITLE": "title", "NOTE": "notes", "EMAIL": "email"}
_FIELD_OF |= {"TEL": "phone", "BDAY": "birthday", "ADR": "country", "CATEGORIES": "tags", "URL": "linkedin_url"}


def looks_like_vcard(text: str) -> bool:
    return text.lstrip("\ufeff \t\r\n")[: len(_BEGIN)].upper() == _BEGIN


def parse_vcards(text: str, today: date) -> ParsedFile[ContactRow]:
    parsed: ParsedFile[ContactRow] = ParsedFile(unit=UNIT)
    for found in _cards(text):
        if isinstance(found, RowError):
            parsed.errors.append(found)
            continue
        number, lines = found
        warnings: Warnings = []
        try:
            card = _read_card(lines, warnings)
            if group := card.group_kind():
                parsed.skipped.append(RowNote(number, None, f"skipped: a group ({group}), not a person", UNIT))
                continue
            values = _values(card)
        except CellError as error:
            parsed.errors.append(RowError(number, error.field, str(error), UNIT))
            continue
        add_record(parsed, number, values, today, warnings)
    if not parsed.rows and not parsed.errors and not parsed.skipped:
        parsed.errors.append(RowError(1, None, f"no card in the file: expected {_BEGIN} ... {_END}", "line"))
    return parsed


_Lines = list[tuple[int, str]]  # a card's lines between BEGIN and END, by their number in the file


def _cards(text: str) -> Iterator[tuple[int, _Lines] | RowError]:
    """Each card as (its number, its lines), or why it cannot be read; text outside the cards is reported by its
    line (once for each stretch of it) and counts as no card.
    """
    number = 0
    block: _Lines | None = None  # None: outside any card
    stray = False  # in stray text already reported
    for line_number, line in enumerate(_LINE_BREAK.split(text.removeprefix("\ufeff")), 1):
        folded = line[:1] in (" ", "\t")  # a continuation line is never BEGIN or END
        marker = "" if folded else line.strip().upper()
        if marker == _BEGIN:
            if block is not None:
                yield RowError(number, None, f"no {_END} before the next card (line {line_number})", UNIT)
            number, block, stray = number + 1, [], False
        elif block is not None:
            if marker == _END:
                yield number, block
                block = None
            else:
                block.append((line_number, line))
        elif line.strip() and not folded and not stray:
            yield RowError(line_number, None, f"outside any card ({_BEGIN} ... {_END})", "line")
            stray = True
    if block is not None:
        yield RowError(number, None, f"the file ends before {_END}", UNIT)


@dataclass(frozen=True, slots=True)
class _Property:
    name: str  # upper case, its group (Apple's item1.) aside
    params: dict[
        str, list[str]
    ]  # upper-case names; 2.1's bare words (CELL, PREF) as TYPE, QUOTED-PRINTABLE as ENCODING
    value: str  # as written: escaped, perhaps quoted-printable


@dataclass(slots=True)
class _Card:
    properties: dict[str, list[_Property]]
    warnings: Warnings
    _raw: dict[int, str] = field(default_factory=dict)  # each property's value, quoted-printable decoded (once)

    @property
    def version(self) -> str:
        """2.1 or 3.0: 4.0 escapes as 3.0 does."""
        return "2.1" if any(p.value.strip() == "2.1" for p in self.lines("VERSION")) else "3.0"

    def lines(self, name: str) -> list[_Property]:
        return self.properties.get(name, [])

    def raw(self, prop: _Property) -> str:
        """The value with its quoted-printable decoded, its escapes still in."""
        if id(prop) not in self._raw:
            self._raw[id(prop)] = _unquoted(prop, self.warnings) if _is_qp(prop) else prop.value
        return self._raw[id(prop)]

    def text(self, prop: _Property) -> str:
        return self.unescape(self.raw(prop)).strip()

    def texts(self, name: str) -> list[str]:
        return [text for prop in self.lines(name) if (text := self.text(prop))]

    def first(self, name: str) -> str | None:
        return next(iter(self.texts(name)), None)

    def parts(self, prop: _Property) -> list[str]:
        """A structured value's parts (split at unescaped semicolons), each unescaped; commas are kept."""
        return [self.unescape(part).strip() for part in _split(self.raw(prop), ";")]

    def unescape(self, text: str) -> str:
        """Escapes undone, line breaks as LF (quoted-printable's are CRLF), direction marks dropped."""
        return visible(_LINE_BREAK.sub("\n", _ESCAPED[self.version].sub(_unescaped, text)))

    def group_kind(self) -> str | None:
        """KIND:group (or Apple's X-ADDRESSBOOKSERVER-KIND:group) as written, when the card is a group."""
        for name in _GROUP_KINDS:
            for prop in self.lines(name):
                if prop.value.strip().lower() == "group":
                    return f"{name}:{prop.value.strip()}"
        return None


def _unescaped(found: re.Match[str]) -> str:
    return "\n" if found[1] in "nN" else found[1]


def _split(text: str, separator: str) -> list[str]:
    """Parts of a value at each separator no backslash escapes; the parts keep their escapes."""
    parts: list[str] = []
    start = index = 0
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] == separator:
            parts.append(text[start:index])
            start = index + 1
        index += 1
    parts.append(text[start:])
    return parts


def _read_card(lines: _Lines, warnings: Warnings) -> _Card:
    from vobject.base import ParseError, parseLine

    properties: dict[str, list[_Property]] = {}
    for number, line in _logical_lines(lines):
        try:
            name, params, value, _ = parseLine(line, number)
        except ParseError as error:
            message = str(error).split(": ", 1)[-1]
            raise CellError(None, f"not readable as a vCard (line {number}): {message}") from None
        prop = _Property(name.upper(), _params(params), value)
        if prop.name in _BINARY:
            _check_binary(prop, warnings)  # circleback keeps no photo: a broken one costs nothing else
            continue
        properties.setdefault(prop.name, []).append(prop)
    return _Card(properties, warnings)


def _logical_lines(lines: _Lines) -> Iterator[tuple[int, str]]:
    """Each property's whole line and its first line's number: folded lines unfolded, quoted-printable soft line
    breaks joined, 2.1's unindented base64 taken in; a blank line ends a property (2.1's base64 ends so).
    """
    current, start = "", 0
    for number, line in lines:
        if current and line.strip():
            head = _HEAD.match(current)
            if head and "QUOTED-PRINTABLE" in head[0].upper() and current.endswith("="):
                current = current[:-1] + line  # a soft line break: the text goes on
                continue
            if line[0] in " \t":
                current += line[1:]
                continue
            if head and _BASE64.search(head[0]) and _BASE64_LINE.fullmatch(line):
                current += line
                continue
        if current:
            yield start, current
        current, start = (line, number) if line.strip() else ("", number)
    if current:
        yield start, current


def _params(params: list[list[str]]) -> dict[str, list[str]]:
    """Parameters by upper-case name; 2.1's bare words are types (CELL, PREF) or encodings (QUOTED-PRINTABLE)."""
    by_name: dict[str, list[str]] = {}
    for name, *values in params:
        if not values:
            name, values = ("ENCODING" if name.upper() in _ENCODINGS else "TYPE"), [name]
        by_name.setdefault(name.upper(), []).extend(values)
    return by_name


def _is_qp(prop: _Property) -> bool:
    return any(value.upper() == "QUOTED-PRINTABLE" for value in prop.params.get("ENCODING", []))


def _unquoted(prop: _Property, warnings: Warnings) -> str:
    """A quoted-printable value in its charset (UTF-8 when none is given). Bytes the charset does not have are
    read as Windows-1252, which is what such writers meant, with a warning; so is an unknown charset.
    """
    data = quopri.decodestring(prop.value.encode())
    where = _FIELD_OF.get(prop.name, prop.name.lower())
    charset = next(iter(prop.params.get("CHARSET", [])), "UTF-8")
    try:
        codec = codecs.lookup(charset).name
    except LookupError:
        warnings.append((where, f"mended: charset {charset!r} is unknown: read as UTF-8"))
        codec = "utf-8"
    text = data.decode(codec, errors="surrogateescape")
    if not _STRAY_BYTES.search(text):
        return text
    mended = [f"={ord(b) - 0xDC00:02X} as {_as_windows_1252(b)!r}" for b in _STRAY_BYTES.findall(text)]
    warnings.append((where, f"mended: not {charset}, read as Windows-1252: {', '.join(mended)}"))
    return _STRAY_BYTES.sub(lambda found: _as_windows_1252(found[0]), text)


def _as_windows_1252(escaped: str) -> str:
    """A byte the charset did not have (as surrogateescape keeps it), read as Windows-1252."""
    return bytes([ord(escaped) - 0xDC00]).decode("cp1252", errors="replace")


def _check_binary(prop: _Property, warnings: Warnings) -> None:
    """Warn when an inline photo (logo, sound, key) does not decode: the contact keeps everything else."""
    inline = any(value.upper() in ("B", "BASE64") for value in prop.params.get("ENCODING", []))
    if not inline:
        return
    try:
        binascii.a2b_base64("".join(prop.value.split()), strict_mode=True)
    except binascii.Error:
        leave_out(warnings, prop.name.lower(), "its base64 data does not decode")


def _values(card: _Card) -> dict[str, Any]:
    emails = _ranked(card, "EMAIL", "mailto:")
    phones = _ranked(card, "TEL", "tel:")
    urls = card.texts("URL") + card.texts("X-SOCIALPROFILE")
    categories = [tag for prop in card.lines("CATEGORIES") for tag in _tags(card, prop)]
    values: dict[str, Any] = {
        "name": _name(card),
        "email": emails[0] if emails else None,
        "other_emails": tuple(emails[1:]),
        "phone": phones[0] if phones else None,
        "linkedin_url": next((url for url in urls if normalise_linkedin(url)), None),
        "company": next((parts[0] for prop in card.lines("ORG") if (parts := card.parts(prop))[0]), None),
        "title": card.first("TITLE"),
        "country": _country(card),
        "city": _city(card),
        "birthday": _birthday(card),
        "tags": tuple(dict.fromkeys(categories)) or None,
        "notes": "\n\n".join(card.texts("NOTE")) or None,
    }
    for own in OWN_FIELDS:
        values[own] = card.first(_own_property(own))
    return values


def _tags(card: _Card, prop: _Property) -> list[str]:
    """CATEGORIES' tags, split at unescaped commas; the address books' own groups are no tags."""
    tags = (card.unescape(part).strip() for part in _split(card.raw(prop), ","))
    return [tag for tag in tags if tag and tag.casefold() not in OWN_LABELS]


def _name(card: _Card) -> str | None:
    """FN, else N's parts; None when neither (the card is then named from what it has: formats/foreign.py)."""
    full = card.first("FN")
    if full:
        return full
    for prop in card.lines("N"):
        parts = [*_split(card.raw(prop), ";"), "", "", ""]
        family, given, additional = parts[:3]
        name = joined(*(_name_part(card, part) for part in (given, additional, family)))
        if name:
            return name
    return None


def _name_part(card: _Card, part: str) -> str:
    """One part of N: in 3.0 and 4.0 several names (two given names) are split at unescaped commas."""
    if card.version == "2.1":
        return card.unescape(part)
    return joined(*(card.unescape(name) for name in _split(part, ",")))


def _ranked(card: _Card, name: str, scheme: str) -> list[str]:
    """Every value of a property, preferred first (PREF=1 before PREF=2, TYPE=pref, then the rest in order)."""
    found: list[tuple[int, int, str]] = []
    for index, prop in enumerate(card.lines(name)):
        value = card.text(prop)
        if value.lower().startswith(scheme):
            value = value[len(scheme) :].strip()
        if value:
            found.append((_preference(prop.params), index, value))
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


def _country(card: _Card) -> str | None:
    """The country of the preferred address (else the first that has one), as its ISO code; one no code is known
    for is left out with a warning.
    """
    addresses = sorted(enumerate(card.lines("ADR")), key=lambda found: (_preference(found[1].params), found[0]))
    for _, prop in addresses:
        text = [*card.parts(prop), "", "", "", "", "", "", ""][6]
        if text:
            code = country_code_of(text)
            if code is None:
                leave_out(card.warnings, "country", f"{text!r} is not a country circleback knows (an ISO code is)")
            return code
    return None


def _city(card: _Card) -> str | None:
    """The locality (ADR's fourth part) of the preferred address, else of the first that has one."""
    addresses = sorted(enumerate(card.lines("ADR")), key=lambda found: (_preference(found[1].params), found[0]))
    return next((city for _, prop in addresses if (city := [*card.parts(prop), "", "", ""][3].strip())), None)


def _birthday(card: _Card) -> str | None:
    """BDAY as the canonical YYYY-MM-DD or --MM-DD, for the canonical row's checks; one that is no date is left
    out with a warning, and the year 1604 (no year) is dropped with one.
    """
    for prop in card.lines("BDAY"):
        text = card.text(prop)
        if not text:
            continue
        if any(value.lower() == "text" for value in prop.params.get("VALUE", [])):
            leave_out(card.warnings, "birthday", f"{text!r} is text, not a date")
            return None
        if found := _YEARLESS.fullmatch(text):
            return f"--{found[1]}-{found[2]}"
        if found := _DATE.fullmatch(text):
            year, month, day = found.groups()
            if year in prop.params.get("X-APPLE-OMIT-YEAR", []):  # Apple's way of saying "no year"
                return f"--{month}-{day}"
            if year == _NO_YEAR:
                reason = f"year {_NO_YEAR} means no year (CardBook, Apple): kept as --{month}-{day}"
                card.warnings.append(("birthday", reason))
                return f"--{month}-{day}"
            return f"{year}-{month}-{day}"
        reason = f"expected a date such as 19880517, 1988-05-17 or --0517 (no year), got {text!r}"
        leave_out(card.warnings, "birthday", reason)
        return None
    return None


def _own_property(own: str) -> str:
    return "X-CIRCLEBACK-" + own.upper().replace("_", "-")


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
    lines.extend("EMAIL:" + _escape(address) for address in contact.other_emails)
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
    if contact.country or contact.city:
        lines.append(f"ADR:;;;{_escape(contact.city or '')};;;{contact.country or ''}")
    if contact.tags:
        lines.append("CATEGORIES:" + ",".join(_escape(tag) for tag in contact.tags))
    if contact.notes:
        lines.append("NOTE:" + _escape(contact.notes))
    # The tier is written even at its default, so a sorted contact comes back sorted (a card without one is
    # another product's, whose people come in unsorted: docs/design.md, "Sorting the network").
    own = [
        field
        for field in OWN_FIELDS
        if cells[field] and (cells[field] != _DEFAULTS.get(field) or (field == "tier" and not contact.unsorted))
    ]
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
