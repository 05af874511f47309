"""What a received message means (docs/design.md, "Mail in"): who the owner wrote to, who wrote to them, whose
message they forwarded, whom they invited; or nothing, with the reason.

Pure: the message comes in as the few facts formats/messages.py reads from it, the owner's addresses and
contacts as arguments. No message body is kept: only who, when, direction and channel.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from circleback.domain.model import Channel, Contact, Direction

DIGEST_ID_PREFIX = "digest-"  # the digest's own Message-ID (mail/mime.py): a reply to it carries it


def digest_ids(owner_id: str) -> str:
    """How the Message-ID of each of the owner's digests starts, its date after (services/digest.py)."""
    return f"{DIGEST_ID_PREFIX}{owner_id}-"


@dataclass(frozen=True, slots=True)
class Forwarded:
    """The original message of a forward: its sender and when it was sent (a day, when only that is known)."""

    sender: str
    sent: datetime | date | None
    subject: str = ""


@dataclass(frozen=True, slots=True)
class Invitation:
    """A calendar invitation: who is invited, and when it starts."""

    start: datetime | date
    attendees: tuple[str, ...]
    organizer: str | None = None


@dataclass(frozen=True, slots=True)
class Facts:
    """What circleback reads of one message. Addresses are lower case."""

    message_id: str
    sender: str | None
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()
    sent_at: datetime | None = None
    subject: str = ""
    forwarded: Forwarded | None = None
    invitation: Invitation | None = None
    names: tuple[tuple[str, str], ...] = ()  # (address, the name beside it) in To and Cc
    replying_to: tuple[str, ...] = ()  # In-Reply-To and References
    reply_lines: tuple[str, ...] = ()  # a reply's own lines, above the quote
    auto: bool = False  # an auto-reply, a bounce, a mailing list

    @property
    def recipients(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.to, *self.cc, *self.bcc)))


@dataclass(frozen=True, slots=True)
class Logged:
    """One touch a message makes."""

    contact: Contact
    address: str
    on: date
    direction: Direction
    channel: Channel


@dataclass(frozen=True, slots=True)
class Meaning:
    """What a message means: touches, or the reason for none; addresses written to that are no contact's; and,
    for a reply to the digest, its lines (each a command: domain/replies.py)."""

    logged: tuple[Logged, ...] = ()
    skipped: str | None = None
    unknown: tuple[str, ...] = ()
    written_on: date | None = None  # the day of the owner's message to `unknown`
    commands: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Mailboxes:
    """Whose addresses are whose: the owner's (their profile's and every alias), the logging address, and each
    contact's addresses (lower case)."""

    owner: frozenset[str]
    logging: str | None
    contacts: Mapping[str, Contact]
    digests: str = DIGEST_ID_PREFIX  # how this owner's digests' Message-IDs start: `digest-<owner>-`


def meaning_of(facts: Facts, boxes: Mailboxes, zone: tzinfo, received_at: datetime | None = None) -> Meaning:
    """The message's touches (or why none), in the rules' order: automatic mail is nothing; from the owner, a
    reply to the digest, an invitation, a forward, else a note to its recipients; to the owner from a contact,
    a note from them."""
    if facts.auto:
        return Meaning(skipped="sent automatically (an auto-reply, a bounce or a mailing list)")
    sender = facts.sender
    if sender is None:
        return Meaning(skipped="no sender")
    if sender in boxes.owner:
        return _from_owner(facts, boxes, zone, received_at)
    contact = boxes.contacts.get(sender)
    if contact is not None and boxes.owner & set(facts.recipients):
        on = _day(facts.sent_at, zone) or _day(received_at, zone)
        if on is None:
            return Meaning(skipped="no date to log it on")
        return Meaning(logged=(Logged(contact, sender, on, Direction.INBOUND, Channel.EMAIL),))
    if contact is not None:
        return Meaning(skipped=f"from {sender}, but not to you")
    return Meaning(skipped=f"from {sender}, who is neither you nor a contact")


def _from_owner(facts: Facts, boxes: Mailboxes, zone: tzinfo, received_at: datetime | None) -> Meaning:
    if any(found.startswith(boxes.digests) for found in facts.replying_to):
        if not facts.reply_lines:
            return Meaning(skipped="a reply to your digest with nothing in it")
        return Meaning(commands=facts.reply_lines)
    if facts.invitation is not None:
        return _invited(facts.invitation, boxes, zone)
    if facts.forwarded is not None:
        return _forwarded(facts.forwarded, facts, boxes, zone, received_at)
    on = _day(facts.sent_at, zone) or _day(received_at, zone)
    if on is None:
        return Meaning(skipped="no date to log it on")
    logged: list[Logged] = []
    unknown: list[str] = []
    for address in facts.recipients:
        if address in boxes.owner or address == boxes.logging:
            continue
        contact = boxes.contacts.get(address)
        if contact is None:
            unknown.append(address)
        elif all(item.contact.id != contact.id for item in logged):
            logged.append(Logged(contact, address, on, Direction.OUTBOUND, Channel.EMAIL))
    if not logged:
        reason = "to nobody who is a contact" if unknown else "to nobody but you"
        return Meaning(skipped=reason, unknown=tuple(unknown), written_on=on)
    return Meaning(logged=tuple(logged), unknown=tuple(unknown), written_on=on)


def _invited(invitation: Invitation, boxes: Mailboxes, zone: tzinfo) -> Meaning:
    """A meeting with each invited contact, on the day it starts (in the future, it counts from that day on)."""
    on = _day(invitation.start, zone)
    if on is None:
        return Meaning(skipped="an invitation without a start")
    logged: list[Logged] = []
    for address in invitation.attendees:
        contact = boxes.contacts.get(address)
        if contact is not None and address not in boxes.owner and all(i.contact.id != contact.id for i in logged):
            logged.append(Logged(contact, address, on, Direction.MUTUAL, Channel.MEETING))
    if not logged:
        return Meaning(skipped="an invitation to nobody who is a contact")
    return Meaning(logged=tuple(logged))


def _forwarded(
    original: Forwarded, facts: Facts, boxes: Mailboxes, zone: tzinfo, received_at: datetime | None
) -> Meaning:
    """The owner forwarding a contact's message: a note from them, on the day they sent it."""
    contact = boxes.contacts.get(original.sender)
    if contact is None:
        if original.sender in boxes.owner:
            return Meaning(skipped="a forward of your own message")
        return Meaning(skipped=f"a forward of mail from {original.sender}, who is not a contact")
    on = _day(original.sent, zone) or _day(facts.sent_at, zone) or _day(received_at, zone)
    if on is None:
        return Meaning(skipped="no date to log it on")
    return Meaning(logged=(Logged(contact, original.sender, on, Direction.INBOUND, Channel.EMAIL),))


def _day(value: datetime | date | None, zone: tzinfo) -> date | None:
    """The day, in the owner's time zone, of a time (a day stays as it is)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(zone).date() if value.tzinfo is not None else value.date()
    return value


# --- trust: the logging address acts only on the owner's own, authenticated mail ----------------------------

PASS = "PASS"  # noqa: S105 - a verdict, not a password


@dataclass(frozen=True, slots=True)
class Verdicts:
    """SES's checks of a received message (receipt.*Verdict.status), and the domains of its DKIM signatures."""

    spf: str
    dkim: str
    dmarc: str
    spam: str
    virus: str
    dkim_domains: tuple[str, ...] = ()  # each DKIM-Signature's d=, lower case


def distrust(sender: str | None, verdicts: Verdicts, owner: frozenset[str]) -> str | None:
    """Why a received message is not acted on, or None when it is trusted: from one of the owner's addresses,
    neither spam nor a virus, and DMARC passing (or a passing DKIM signature of the From address's domain)."""
    if verdicts.virus == "FAIL" or verdicts.spam == "FAIL":
        return "spam or a virus"
    if sender is None or sender not in owner:
        return "not from you"
    if verdicts.dmarc == PASS:
        return None
    domain = sender.rpartition("@")[2]
    aligned = any(domain == signer or domain.endswith("." + signer) for signer in verdicts.dkim_domains)
    if verdicts.dkim == PASS and aligned:
        return None
    return "not authenticated as you (DMARC did not pass, nor DKIM for your domain)"


def dkim_domains(headers: list[tuple[str, str]]) -> tuple[str, ...]:
    """The d= domain of each DKIM-Signature header."""
    found = []
    for name, value in headers:
        if name.lower() != "dkim-signature":
            continue
        for tag in value.split(";"):
            key, _, tag_value = tag.strip().partition("=")
            if key.strip().lower() == "d" and tag_value.strip():
                found.append(tag_value.strip().lower())
    return tuple(found)
