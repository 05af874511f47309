"""The calendar feed: the owner's year ahead as an RFC 5545 iCalendar file, for any calendar app to subscribe to.

A subscription URL carries a calendar token: signed like the digest's links, read-only, and long-lived (a
calendar app polls the same URL for years). `circleback calendar revoke` turns off every calendar link issued
so far; the next one it prints works.

The `icalendar` library writes it (content lines, 75-octet folding, CRLF, dates); it is imported on first use,
so the handlers that never serve a feed do not pay for it at a cold start. The output depends only on the
arguments: the same entries give the same bytes, whatever order they come in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

from circleback.adapters.store.repository import Repository
from circleback.auth.tokens import Action, Purpose, RevokedToken, TokenSigner
from circleback.domain.calendar import DEFAULT_DAYS, CalendarEntry, calendar_entries
from circleback.domain.model import DigestInput
from circleback.domain.schedule import local_send_date
from circleback.services.actions import LinkGone

if TYPE_CHECKING:
    from icalendar import vText

# Long enough that a subscription never needs renewing in practice; revocation is the way to end one.
CALENDAR_LINK_TTL = timedelta(days=5 * 365)
FEED_SUFFIX = ".ics"
REVOKED = "This calendar link was turned off. `circleback calendar url` prints a new one."
PRODID = "-//circleback//calendar feed//EN"
CALENDAR_NAME = "circleback"
REFRESH = timedelta(hours=12)  # dates move at most once a day; twice a day keeps a feed fresh enough
ONE_DAY = timedelta(days=1)
# RFC 5545 TEXT allows no control character but the tab (line breaks are escaped, so they survive).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class CalendarFeed:
    """The feed behind `GET /calendar/{token}.ics`: read-only, for the deployment's one owner."""

    repo: Repository
    signer: TokenSigner
    owner_id: str

    def read(self, token: str, now: datetime) -> bytes:
        claim = self.signer.verify(token, Purpose.CALENDAR, now, self.owner_id)
        revoked_at = self.repo.calendar_links_revoked_at(claim.owner_id)
        if revoked_at is not None and claim.issued_at <= revoked_at:
            raise RevokedToken(REVOKED)
        data = self.repo.load_digest_input(claim.owner_id)
        if data is None:
            raise LinkGone("This account no longer exists.")
        return owner_calendar(data, now)


def owner_calendar(data: DigestInput, now: datetime, start: date | None = None, days: int = DEFAULT_DAYS) -> bytes:
    """The owner's feed: `days` days from `start` (default: the owner's today), stamped `now`."""
    first_day = start or local_send_date(data.owner.timezone, now)
    return render_ics(calendar_entries(data, first_day, days), data.owner.name, now)


def calendar_link(signer: TokenSigner, base_url: str, owner_id: str, now: datetime, revoked_at: datetime | None) -> str:
    """A subscription URL. Issued after the last revocation, even within the same minute as it (a calendar
    link's issue time is kept to the minute, auth/tokens.py)."""
    issued = now if revoked_at is None else max(now, revoked_at + timedelta(minutes=1))
    token = signer.sign(owner_id, None, Action.CALENDAR, "", Purpose.CALENDAR, issued, ttl=CALENDAR_LINK_TTL)
    return f"{base_url.rstrip('/')}/calendar/{token}{FEED_SUFFIX}"


def render_ics(entries: Iterable[CalendarEntry], owner_name: str | None, generated_at: datetime) -> bytes:
    """A VCALENDAR of all-day, free-time events, sorted by date then uid; `generated_at` (aware) is DTSTAMP."""
    import icalendar  # here, not at the top: only the feed pays for the import

    if generated_at.tzinfo is None:
        raise ValueError("generated_at needs a time zone: DTSTAMP is written in UTC")
    text = _text_type()
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", CALENDAR_NAME)
    about = "Birthdays, holidays and who to reach out to"
    calendar.add("x-wr-caldesc", text(f"{about}, for {owner_name}" if owner_name else about))
    # RFC 7986's refresh hint, and the older one that Outlook and Apple Calendar read.
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", icalendar.vDuration(REFRESH))
    stamp = generated_at.astimezone(UTC)
    for entry in sorted(entries, key=lambda e: (e.date, e.uid)):
        event = icalendar.Event()
        event.add("uid", entry.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", entry.date)  # a date, not a datetime: an all-day event (VALUE=DATE)
        event.add("dtend", entry.date + ONE_DAY)  # DTEND is exclusive: the next day
        event.add("summary", text(entry.summary))
        event.add("description", text(entry.description))
        event.add("categories", [entry.kind])
        event.add("transp", "TRANSPARENT")  # a reminder, not a busy slot
        calendar.add_component(event)
    feed: bytes = calendar.to_ical()
    return feed


def escape_text(text: str) -> str:
    """RFC 5545 §3.3.11 TEXT: backslash, semicolon, comma and line breaks escaped; control characters dropped.

    The library's own escaper takes a backslash followed by "N" in the text for a line break (its documented
    shortcut), so a note such as "C:\\Notes" would come back as two lines. Names and notes are the user's
    words: this escaper keeps every backslash as written. A CR or CRLF becomes a line break (TEXT has no CR).
    """
    text = CONTROL_CHARACTERS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


@cache
def _text_type() -> type[vText]:
    """The library's TEXT value with `escape_text` as its escaper (built once, on first use)."""
    import icalendar

    class ExactText(icalendar.vText):
        __slots__ = ()

        def to_ical(self) -> bytes:
            return escape_text(str(self)).encode("utf-8")  # RFC 5545's charset

    return ExactText
