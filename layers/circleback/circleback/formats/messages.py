"""Mail as real clients write it, read into the few facts circleback keeps (domain/inbound.py Facts).

One message (RFC 5322 bytes, as SES stores it or an .eml file holds it), or an mbox of them (Gmail Takeout,
Thunderbird), streamed one message at a time so a backfill of 10,000 messages reads in flat memory.

Hostile mail never raises: a header that does not parse is left out, a date that does not parse is None, and
limits bound the work (MAX_MESSAGE_BYTES, MAX_PARTS, MAX_DEPTH). Nothing of the body leaves this module but the
reply lines of a reply to the digest (docs/design.md, "Mail in"), and nothing is stored here.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path
from typing import IO, Any

from circleback.domain.inbound import Facts, Forwarded, Invitation

MAX_MESSAGE_BYTES = 10 * 1024 * 1024  # SES's own receiving limit is 40 MB; a note between people is far less
MAX_PARTS = 200  # MIME parts read in one message; the rest are not looked at
MAX_DEPTH = 8  # nesting of multiparts and attached messages
MAX_TEXT_CHARS = 200_000  # of a text part, for the forwarded block and the reply lines
# A forward's subject, in the languages mail clients write it (Fwd, Fw; German WG, French TR, Spanish RV, Dutch
# Doorst.), possibly after replies' prefixes ("AW: WG: ...").
FORWARD_SUBJECT = re.compile(r"^\s*(?:(?:re|aw|sv|vs|antw|r|rif)\s*:\s*)*(?:fwd?|wg|tr|rv|doorst\.?|enc|i)\s*:", re.I)
_POLICY = email.policy.default.clone(max_line_length=None)
_MBOX_FROM = re.compile(rb"^From \S")


@dataclass(frozen=True, slots=True)
class ReadMessage:
    """One message's facts, or why it could not be read (`facts` None)."""

    facts: Facts | None
    problem: str | None = None
    source: str = ""  # the file (and the message's place in an mbox) it came from


def read_message(raw: bytes, source: str = "") -> ReadMessage:
    """The facts of one message; never raises."""
    if len(raw) > MAX_MESSAGE_BYTES:
        return ReadMessage(None, f"over {MAX_MESSAGE_BYTES // (1024 * 1024)} MB: not read", source)
    try:
        message = email.message_from_bytes(raw, policy=_POLICY)
    except Exception as error:  # the parser is lenient; this is its last resort
        return ReadMessage(None, f"not readable as mail ({type(error).__name__})", source)
    try:
        return ReadMessage(facts_of(message, raw), None, source)
    except Exception as error:  # a hostile message the stdlib trips on somewhere: never a stack trace
        return ReadMessage(None, f"not readable as mail ({type(error).__name__})", source)


def facts_of(message: Message, raw: bytes) -> Facts:
    subject = _header(message, "Subject")
    texts, attached, calendars = _walk(message)
    body = "\n".join(texts)
    return Facts(
        message_id=_message_id(message, raw),
        sender=_first_address(message, "From"),
        to=_addresses(message, "To"),
        cc=_addresses(message, "Cc"),
        bcc=_addresses(message, "Bcc"),
        names=names_in([*_raw_headers(message, "To"), *_raw_headers(message, "Cc")]),
        sent_at=_date(_header(message, "Date")),
        subject=subject,
        forwarded=_forwarded(subject, body, attached),
        invitation=_invitation(calendars),
        replying_to=tuple(_ids(_header(message, "In-Reply-To")) + _ids(_header(message, "References"))),
        reply_lines=tuple(_reply_lines(texts[0] if texts else "")),
        auto=_automatic(message),
    )


# --- mailboxes: .eml files, mbox files, folders ---------------------------------------------------------------


def messages_in(paths: Iterable[Path]) -> Iterator[ReadMessage]:
    """Every message of the files and folders given, in order: a folder's files by name, an mbox's messages in
    the file's order, each read as it comes."""
    for path in paths:
        if path.is_dir():
            yield from messages_in(sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")))
            continue
        with path.open("rb") as handle:
            first = handle.readline()
            handle.seek(0)
            if _MBOX_FROM.match(first):
                yield from _mbox(handle, str(path))
            else:
                yield read_message(handle.read(MAX_MESSAGE_BYTES + 1), str(path))


def _mbox(handle: IO[bytes], source: str) -> Iterator[ReadMessage]:
    """An mbox (mboxrd or mboxo, as Gmail Takeout and Thunderbird write them): one message at a time, each
    after its "From " line, a body's ">From " unquoted; past MAX_MESSAGE_BYTES, a message's lines are not kept."""
    lines: list[bytes] = []
    size = number = 0
    for line in handle:
        if _MBOX_FROM.match(line):
            if lines:
                number += 1
                yield _from_mbox(lines, size, f"{source} #{number}")
            lines, size = [], 0
            continue
        if size <= MAX_MESSAGE_BYTES:
            lines.append(line[1:] if line.startswith(b">") and line.lstrip(b">").startswith(b"From ") else line)
        size += len(line)
    if lines:
        yield _from_mbox(lines, size, f"{source} #{number + 1}")


def _from_mbox(lines: list[bytes], size: int, source: str) -> ReadMessage:
    if size > MAX_MESSAGE_BYTES:
        return ReadMessage(None, f"over {MAX_MESSAGE_BYTES // (1024 * 1024)} MB: not read", source)
    return read_message(b"".join(lines), source)


# --- headers ------------------------------------------------------------------------------------------------


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # an encoded word or a structure the policy cannot parse
        value = message.get_all(name, failobj=[None])[0] if hasattr(message, "get_all") else None
    return " ".join(str(value).split()) if value is not None else ""


def _raw_headers(message: Message, name: str) -> list[str]:
    """The header's values as written (encoded words decoded when they can be), for address parsing that never
    raises: the default policy's structured parse refuses some real-world headers outright."""
    values = []
    for key, value in message.raw_items() if hasattr(message, "raw_items") else message.items():
        if key.lower() == name.lower():
            values.append(_decoded(str(value)))
    return values


def _decoded(value: str) -> str:
    try:
        return str(email.header.make_header(email.header.decode_header(value)))
    except Exception:
        return value


def _addresses(message: Message, name: str) -> tuple[str, ...]:
    return addresses_in(_raw_headers(message, name))


def addresses_in(values: Iterable[str]) -> tuple[str, ...]:
    """The email addresses in header values ("Ana <ana@x>, bo@y"), lower case, each once."""
    return tuple(dict.fromkeys(address for _, address in _named(values)))


def names_in(values: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """Each address in header values with the name written beside it ("Pat Lee" <pat@x>), where there is one."""
    named: dict[str, str] = {}
    for name, address in _named(values):
        printable = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf"))
        cleaned = " ".join(printable.strip().strip("'\"").split())
        if cleaned and "@" not in cleaned and address not in named:
            named[address] = cleaned[:MAX_NAME]
    return tuple(named.items())


MAX_NAME = 100  # characters of a name written beside an address


def _named(values: Iterable[str]) -> Iterator[tuple[str, str]]:
    for name, address in getaddresses(list(values)):
        cleaned = address.strip().strip("<>").lower()
        if "@" in cleaned and " " not in cleaned:
            yield name, cleaned


def _first_address(message: Message, name: str) -> str | None:
    found = _addresses(message, name)
    return found[0] if found else None


def _message_id(message: Message, raw: bytes) -> str:
    """The Message-ID without its brackets; without one, a stable id from the message's bytes."""
    ids = _ids(_header(message, "Message-ID"))
    return ids[0] if ids else "sha256:" + hashlib.sha256(raw).hexdigest()[:32]


def _ids(value: str) -> list[str]:
    return [found.strip() for found in re.findall(r"<([^<>\s]+)>", value)] or (
        [value.strip()] if value.strip() and "<" not in value and " " not in value.strip() else []
    )


def _date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed if parsed.tzinfo is not None else None


def _automatic(message: Message) -> bool:
    """Mail no person wrote: an auto-reply, a bounce, a list."""
    submitted = _header(message, "Auto-Submitted").lower()
    return (
        (bool(submitted) and submitted != "no")
        or bool(_header(message, "List-Id"))
        or _header(message, "Precedence").lower() in ("bulk", "list", "junk")
        or (
            "report" in _header(message, "Content-Type").lower()
            and "delivery-status" in _header(message, "Content-Type").lower()
        )
    )


# --- the parts --------------------------------------------------------------------------------------------


def _walk(message: Message) -> tuple[list[str], list[Message], list[str]]:
    """The text parts (plain first, else HTML as text), attached messages and calendar parts, within the limits."""
    texts: list[str] = []
    html: list[str] = []
    attached: list[Message] = []
    calendars: list[str] = []
    budget = [MAX_PARTS]

    def visit(part: Message, depth: int) -> None:
        if budget[0] <= 0 or depth > MAX_DEPTH:
            return
        budget[0] -= 1
        kind = part.get_content_type()
        if kind == "message/rfc822":  # checked first: its payload is a list too
            inner = part.get_payload()
            inner_message = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner_message, Message):
                attached.append(inner_message)
            return
        if part.is_multipart():
            payload = part.get_payload()
            for child in payload if isinstance(payload, list) else []:
                if isinstance(child, Message):
                    visit(child, depth + 1)
            return
        if kind == "text/calendar" or (part.get_filename() or "").lower().endswith(".ics"):
            calendars.append(_text(part))
        elif kind == "text/plain" and part.get_content_disposition() != "attachment":
            texts.append(_text(part))
        elif kind == "text/html" and part.get_content_disposition() != "attachment":
            html.append(_as_text(_text(part)))

    visit(message, 0)
    return (texts or html), attached, calendars


def _text(part: Message) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        return ""
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        text = payload.decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know
        text = payload.decode("utf-8", errors="replace")
    return text[:MAX_TEXT_CHARS]


def _as_text(html: str) -> str:
    """HTML as the lines a person reads: enough for a forwarded block's "From:" and "Date:" lines."""
    text = re.sub(r"(?is)<(script|style)\b.*?</\1>", "", html)
    text = re.sub(r"(?i)<br\s*/?>|</(p|div|tr|li|h\d|blockquote)>", "\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    import html as entities

    return entities.unescape(text)


# --- forwards -----------------------------------------------------------------------------------------------


def _forwarded(subject: str, body: str, attached: list[Message]) -> Forwarded | None:
    """The original's sender and date: an attached message's headers first, else the inline block as
    email-forward-parser reads it (every major client, in many languages)."""
    for inner in attached:
        sender = _first_address(inner, "From")
        if sender:
            return Forwarded(sender, _date(_header(inner, "Date")), _header(inner, "Subject"))
    if not FORWARD_SUBJECT.match(subject) and not _has_forward_block(body):
        return None
    from emailforwardparser.forward_parser import get_forwarded_metadata

    try:
        found = get_forwarded_metadata(body, subject)
    except Exception:
        return None
    address = found.email.from_.address.strip().strip("<>").lower()
    if not found.forwarded or "@" not in address:
        return None
    return Forwarded(address, forwarded_date(found.email.date), found.email.subject)


def _has_forward_block(body: str) -> bool:
    from emailforwardparser.forward_parser import parse_body

    try:
        return bool(parse_body(body, False).email)
    except Exception:
        return False


# Month and day names as forwarded blocks write them, for dateutil (English is its own).
_MONTHS = {
    "jan": 1, "januar": 1, "janvier": 1, "enero": 1, "gennaio": 1, "januari": 1, "janeiro": 1,
    "feb": 2, "februar": 2, "février": 2, "fevrier": 2, "febrero": 2, "febbraio": 2, "februari": 2, "fevereiro": 2,
    "mär": 3, "märz": 3, "maerz": 3, "mars": 3, "marzo": 3, "maart": 3, "março": 3, "marco": 3,
    "apr": 4, "avril": 4, "abril": 4, "aprile": 4,
    "mai": 5, "mayo": 5, "maggio": 5, "mei": 5, "maio": 5,
    "juni": 6, "juin": 6, "junio": 6, "giugno": 6, "junho": 6,
    "juli": 7, "juillet": 7, "julio": 7, "luglio": 7, "julho": 7,
    "aug": 8, "august": 8, "août": 8, "aout": 8, "agosto": 8, "augustus": 8,
    "sept": 9, "september": 9, "septembre": 9, "septiembre": 9, "settembre": 9, "setembro": 9,
    "okt": 10, "oktober": 10, "octobre": 10, "octubre": 10, "ottobre": 10, "outubro": 10,
    "nov": 11, "november": 11, "novembre": 11, "noviembre": 11, "novembro": 11,
    "dez": 12, "dezember": 12, "déc": 12, "décembre": 12, "decembre": 12, "diciembre": 12, "dicembre": 12,
    "december": 12, "dezembro": 12,
}  # fmt: skip


def forwarded_date(text: str) -> datetime | date | None:
    """A forwarded block's date, as clients write it ("Mon, Nov 30, 2026 at 9:12 AM", "Mo., 30. Nov. 2026 um
    09:12 Uhr", "lundi 30 novembre 2026 09:12"): an RFC 5322 date first, else the day, month and year found in
    it (a date without its time: which day is what a touch needs)."""
    if not text:
        return None
    exact = _date(text)
    if exact is not None:
        return exact
    words = re.findall(r"[^\W\d_]+\.?|\d+", text.lower())
    numbers = [int(w) for w in words if w.isdigit()]
    month = next((_MONTHS.get(w.rstrip(".")) or _MONTHS.get(w.rstrip(".")[:3]) for w in words if not w.isdigit()
                  and (_MONTHS.get(w.rstrip(".")) or _MONTHS.get(w.rstrip(".")[:3]))), None)  # fmt: skip
    year = next((n for n in numbers if 1990 <= n <= 2200), None)
    if year is not None and month is not None:
        day = next((n for n in numbers if 1 <= n <= 31), None)
        return _day(year, month, day)
    return _numeric_date(text)


def _numeric_date(text: str) -> date | None:
    """ "30.11.2026", "30/11/2026" (day first, as Europe writes it), "2026-11-30"."""
    iso = re.search(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if iso:
        return _day(int(iso[1]), int(iso[2]), int(iso[3]))
    european = re.search(r"(\d{1,2})[./](\d{1,2})[./](\d{4})", text)
    if european:
        return _day(int(european[3]), int(european[2]), int(european[1]))
    return None


def _day(year: int, month: int, day: int | None) -> date | None:
    try:
        return date(year, month, day or 1) if day else None
    except ValueError:
        return None


# --- invitations ----------------------------------------------------------------------------------------------


def _invitation(calendars: list[str]) -> Invitation | None:
    """A calendar invitation (METHOD:REQUEST, or an event with attendees): its attendees and when it starts."""
    for text in calendars:
        found = _read_invitation(text)
        if found is not None:
            return found
    return None


def _read_invitation(text: str) -> Invitation | None:
    try:
        from icalendar import Calendar

        calendar: Any = Calendar.from_ical(text)
    except Exception:
        return None
    method = str(calendar.get("METHOD", "REQUEST")).upper()
    if method not in ("REQUEST", "PUBLISH"):
        return None  # a reply or a cancellation is no meeting to log
    for event in calendar.walk("VEVENT"):
        start = event.get("DTSTART")
        attendees = event.get("ATTENDEE")
        values = attendees if isinstance(attendees, list) else [attendees] if attendees is not None else []
        addresses = tuple(dict.fromkeys(str(a).split(":", 1)[-1].strip().lower() for a in values if "@" in str(a)))
        organizer = event.get("ORGANIZER")
        if start is not None and addresses:
            return Invitation(
                start=start.dt,
                attendees=addresses,
                organizer=str(organizer).split(":", 1)[-1].strip().lower() if organizer else None,
            )
    return None


# --- replies to the digest ----------------------------------------------------------------------------------

_QUOTE_START = re.compile(
    r"^(on .+ wrote:|am .+ schrieb .+:|le .+ a écrit :?|el .+ escribió:|-----original message-----|"
    r"-----ursprüngliche nachricht-----|from: .+|von: .+|de : .+|_{5,}|>).*$",
    re.I,
)


def _reply_lines(text: str) -> list[str]:
    """The new lines of a reply: above the quoted digest and the signature, blank lines left out."""
    lines = []
    for line in text.replace("\r\n", "\n").split("\n"):
        stripped = line.strip()
        if _QUOTE_START.match(stripped) or stripped in ("--", "-- "):
            break
        if stripped:
            lines.append(stripped[:500])
        if len(lines) >= 50:
            break
    return lines
