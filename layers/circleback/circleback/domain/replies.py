"""A reply to the digest, line by line (docs/design.md, "Mail in"): each line is a command in plain words,
about the digest's own people first, then anyone.

    done ana                          I reached out to Ana (an email, unless a channel word says otherwise)
    done ana call went well           ... by phone, noting "went well"
    ana coffee talked about the move  we met for coffee: a meeting, noting what follows
    they wrote carla                  Carla wrote to me (also: "carla wrote", "carla replied", "they called carla")
    snooze bob 2 weeks                not due until then (days, weeks or months; "until 2027-01-15"; 2 weeks alone)
    pause bob                         out of rotation

Pure: the lines, the people and the day come in as arguments; what the lines mean goes out. A line it cannot read
comes back with the reason, for the next digest to show; greetings and sign-offs are passed over.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from circleback.domain.model import (
    REPLY_KEEP_DAYS,
    Channel,
    Contact,
    Direction,
)
from circleback.domain.names import folded

# Everyday words for how you were in touch, as the channels the digest knows (the command line's --channel too).
CHANNEL_WORDS = {
    **{channel.value: channel for channel in Channel},
    **dict.fromkeys(("coffee", "lunch", "dinner", "breakfast", "drinks", "meetup", "visit", "video"), Channel.MEETING),
    **dict.fromkeys(("zoom", "teams", "meet", "in-person", "in person"), Channel.MEETING),
    **dict.fromkeys(("phone", "phone call", "voice"), Channel.CALL),
    **dict.fromkeys(("mail", "e-mail"), Channel.EMAIL),
    **dict.fromkeys(("text", "sms", "whatsapp", "signal", "slack", "dm", "chat", "imessage"), Channel.MESSAGE),
    **dict.fromkeys(("linkedin", "twitter", "comment"), Channel.SOCIAL),
}
SNOOZE_DAYS = 14  # "snooze bob" alone: as the digest's Snooze link
MAX_SNOOZE_DAYS = 365
MAX_NAME_WORDS = 4  # a name is at most this many words of a line
# Lines that are no command and no mistake: a greeting, thanks, a sign-off, a phone's signature.
_PASSED_OVER = re.compile(
    r"^(hi|hello|hey|thanks?|thank you|thx|cheers|best|regards|best regards|kind regards|ok|okay|"
    r"sent from my .+|von meinem .+ gesendet|envoyé de mon .+|enviado desde mi .+|get outlook for .+)[.!,]*$",
    re.I,
)
_PERIOD = re.compile(r"^(?:for\s+)?(\d{1,3})\s*(d|days?|w|wks?|weeks?|m|mo|months?)$")
_UNTIL = re.compile(r"^(?:until|till|to)\s+(\d{4}-\d{2}-\d{2})$")
_THEY_CHANNELS = {"wrote": Channel.EMAIL, "replied": Channel.EMAIL, "called": Channel.CALL,
                  "texted": Channel.MESSAGE, "messaged": Channel.MESSAGE}  # fmt: skip


Searched = tuple["People", ...]  # who a name may mean, in the order they are searched


class Verb(StrEnum):
    TOUCH = "touch"  # a note logged, either way
    SNOOZE = "snooze"
    PAUSE = "pause"


@dataclass(frozen=True, slots=True)
class Command:
    """One line read: what to do, to whom."""

    line: str
    verb: Verb
    contact: Contact
    direction: Direction = Direction.OUTBOUND
    channel: Channel = Channel.EMAIL
    note: str | None = None
    until: date | None = None  # a snooze's last day


@dataclass(frozen=True, slots=True)
class Unread:
    """A line that is no command, and why."""

    line: str
    reason: str


def read_reply(
    lines: Sequence[str], digest_people: Sequence[Contact], everyone: Sequence[Contact], today: date
) -> list[Command | Unread]:
    """What each line of a reply says, in order; lines that are only a greeting or a sign-off are left out."""
    people = (People(digest_people), People(everyone))
    read: list[Command | Unread] = []
    for line in lines:
        words = " ".join(word.strip(",;:") for word in line.split()).strip(" .!")
        if not words or _PASSED_OVER.match(words):
            continue
        read.append(_line(line, words, people, today))
    return read


def _line(line: str, words: str, people: Searched, today: date) -> Command | Unread:
    tokens = words.split()
    first = tokens[0].lower()
    if first in ("done", "reached") and len(tokens) > 1:
        skip = 2 if first == "reached" and tokens[1].lower() == "out" else 1
        skip += 1 if len(tokens) > skip + 1 and tokens[skip].lower() in ("to", "with") else 0
        return _touch(line, " ".join(tokens[skip:]), Direction.OUTBOUND, people)
    if first == "they" and len(tokens) > 2 and tokens[1].lower() in _THEY_CHANNELS:
        channel = _THEY_CHANNELS[tokens[1].lower()]
        return _touch(line, " ".join(tokens[2:]), Direction.INBOUND, people, channel)
    if first == "snooze" and len(tokens) > 1:
        return _snooze(line, " ".join(tokens[1:]), people, today)
    if first == "pause" and len(tokens) > 1:
        found = _person(" ".join(tokens[1:]), people, whole=True)
        return Unread(line, found.reason) if isinstance(found, Unread) else Command(line, Verb.PAUSE, found[0])
    return _named_first(line, words, people)


def _touch(
    line: str,
    text: str,
    direction: Direction,
    people: Searched,
    channel: Channel = Channel.EMAIL,
) -> Command | Unread:
    """A person, then optionally a channel word, then a note."""
    found = _person(text, people)
    if isinstance(found, Unread):
        return Unread(line, found.reason)
    contact, rest = found
    said, note = _channel(rest)
    if said is Channel.MEETING and direction is Direction.OUTBOUND:  # "done ana coffee": you met
        direction = Direction.MUTUAL
    return Command(line, Verb.TOUCH, contact, direction, said or channel, note)


def _named_first(line: str, words: str, people: Searched) -> Command | Unread:
    """ "ana coffee talked about the move", "carla wrote", "carla replied thanks": a name, then a channel word
    (we met, called...) or "wrote"/"replied" (they did)."""
    found = _person(words, people)
    if isinstance(found, Unread):
        return Unread(line, _unknown_command(found.reason))
    contact, rest = found
    verb, _, after = rest.partition(" ")
    if verb.lower() in _THEY_CHANNELS:
        return Command(line, Verb.TOUCH, contact, Direction.INBOUND, _THEY_CHANNELS[verb.lower()], after or None)
    said, note = _channel(rest)
    if said is None:
        return Unread(line, f"no way of being in touch named after {contact.name} (such as coffee, call, email)")
    direction = Direction.MUTUAL if said is Channel.MEETING else Direction.OUTBOUND
    return Command(line, Verb.TOUCH, contact, direction, said, note)


def _unknown_command(reason: str) -> str:
    return f"not a command (done, snooze, pause, they wrote, or a name and how you met); {reason}"


def _snooze(line: str, text: str, people: Searched, today: date) -> Command | Unread:
    found = _person(text, people)
    if isinstance(found, Unread):
        return Unread(line, found.reason)
    contact, rest = found
    until = _until(rest.lower(), today)
    if until is None:
        return Unread(line, "a snooze needs how long: 2 weeks, 10 days, 3 months or until YYYY-MM-DD")
    if not today <= until <= today + timedelta(days=MAX_SNOOZE_DAYS):
        return Unread(line, f"a snooze ends from today to {MAX_SNOOZE_DAYS} days from now")
    return Command(line, Verb.SNOOZE, contact, until=until)


def _until(text: str, today: date) -> date | None:
    """A snooze's last day from "2 weeks", "10 days", "3 months", "until 2027-01-15" (nothing: two weeks)."""
    if not text:
        return today + timedelta(days=SNOOZE_DAYS - 1)
    if (period := _PERIOD.match(text)) is not None:
        number, unit = int(period.group(1)), period.group(2)
        days = number * (30 if unit.startswith("m") else 7 if unit.startswith("w") else 1)
        return today + timedelta(days=days)
    if (until := _UNTIL.match(text)) is not None:
        try:
            return date.fromisoformat(until.group(1))
        except ValueError:
            return None
    return None


def _channel(text: str) -> tuple[Channel | None, str | None]:
    """A leading channel word ("coffee", "phone call") and the note after it."""
    lowered = text.lower()
    for size in (2, 1):
        head = " ".join(lowered.split()[:size])
        if head in CHANNEL_WORDS and len(lowered.split()) >= size:
            note = " ".join(text.split()[size:])
            return CHANNEL_WORDS[head], note or None
    return None, text or None


def _person(text: str, people: Searched, *, whole: bool = False) -> tuple[Contact, str] | Unread:
    """The person the line's first words name, and the words after: the longest run of words (up to
    MAX_NAME_WORDS) that is a whole name or whole words of one ("ana", "souza", "ana souza" for Ana Souza; never
    the start of a word: "to" is not Tom), among the digest's people first, then everyone. `whole`: all of it."""
    words = text.split()
    if not words:
        return Unread(text, "no one named")
    sizes = [len(words)] if whole else range(min(len(words), MAX_NAME_WORDS), 0, -1)
    ambiguous: list[Contact] = []
    for size in sizes:  # the most words first: "bob lee" is Bob Lee, though the digest named Bobby Tran
        key = folded(" ".join(words[:size]))
        for group in people:
            found = group.named(key)
            if len(found) == 1:
                return found[0], " ".join(words[size:])
            ambiguous = ambiguous or found
    if ambiguous:
        names = " or ".join(c.name for c in sorted(ambiguous, key=lambda c: (folded(c.name), c.id))[:3])
        return Unread(text, f"{words[0]!r} could be {names}: write more of the name")
    return Unread(text, f"no contact named {folded(words[0])!r}")


class People:
    """Contacts as a reply names them: by whole words of the name (case, accents and script aside) or an address.
    Each name is folded once, and indexed by its words, so a line costs the same among 30,000 people as among 30."""

    def __init__(self, contacts: Sequence[Contact]) -> None:
        self._by_word: dict[str, list[tuple[Contact, str]]] = {}
        self._by_email: dict[str, list[Contact]] = {}
        for contact in contacts:
            name = folded(contact.name)
            for word in dict.fromkeys(name.split()):
                self._by_word.setdefault(word, []).append((contact, name))
            for address in contact.emails:
                self._by_email.setdefault(address.casefold(), []).append(contact)

    def named(self, key: str) -> list[Contact]:
        """Everyone `key` names: the whole name first, else whole words of it."""
        if "@" in key:
            return list(self._by_email.get(key, ()))
        if not key:
            return []
        candidates = self._by_word.get(key.split()[0], [])
        exact = [contact for contact, name in candidates if name == key]
        return exact or [contact for contact, name in candidates if f" {key} " in f" {name} "]


def said(command: Command) -> str:
    """What a command did, as the next digest says it."""
    name = command.contact.name
    if command.verb is Verb.SNOOZE and command.until is not None:
        return f"Snoozed {name} through {command.until.isoformat()}."
    if command.verb is Verb.PAUSE:
        return f"Paused {name}: out of rotation until you resume them."
    how = command.channel.value
    done = {
        Direction.OUTBOUND: f"Logged that you reached out to {name} ({how})",
        Direction.INBOUND: f"Logged that {name} reached out to you ({how})",
        Direction.MUTUAL: f"Logged that you and {name} were in touch ({how})",
    }[command.direction]
    return f"{done}: {command.note}." if command.note else f"{done}."


def stale(received_at: datetime, now: datetime) -> bool:
    """A reply older than this is not run (a mailbox backfill holds old ones: what they said was done since)."""
    return now - received_at > timedelta(days=REPLY_KEEP_DAYS)
