"""Mail in (docs/design.md, "Mail in"): one service for every door. Each message is read into its facts
(formats/messages.py), its meaning worked out (domain/inbound.py), and each touch it makes written once: a
touch's id is the message's Message-ID and the contact's, so the same message logs once whichever door it came
through and however often. No message body is stored; the subject only when the owner opts in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from circleback.adapters.store.repository import NotFoundError, Repository
from circleback.domain.ids import content_id
from circleback.domain.inbound import Mailboxes, Meaning, Verdicts, digest_ids, distrust, dkim_domains, meaning_of
from circleback.domain.mail_notices import address_book, is_address, new_person_key, owner_addresses, worth_offering
from circleback.domain.model import NOTE_LIMIT, NewPerson, Owner, Touch
from circleback.formats.messages import MAX_MESSAGE_BYTES, ReadMessage, addresses_in, read_message
from circleback.services.replies import RanReply, run_reply
from circleback.services.retries import retrying

if TYPE_CHECKING:
    from circleback.adapters.inbound import InboundStore
    from circleback.ses_events import SesRecord

MAIL_SOURCE = "mail"


@dataclass(frozen=True, slots=True)
class LoggedMail:
    contact: str
    email: str
    date: str
    direction: str
    channel: str
    message_id: str
    written: bool  # False: logged already (the same message before, through any door), or a dry run


@dataclass(slots=True)
class MailReport:
    """What a batch of messages did, as `mail --json` prints it."""

    logged: list[LoggedMail] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (message id or file, why)
    unknown: list[str] = field(default_factory=list)  # addresses the owner wrote to that are no contact's
    replies: list[RanReply] = field(default_factory=list)  # what each reply to the digest did
    messages: int = 0

    def as_json(self) -> dict[str, object]:
        return {
            "logged": [
                {"contact": m.contact, "email": m.email, "date": m.date, "direction": m.direction,
                 "channel": m.channel, "message_id": m.message_id}
                for m in self.logged
            ],
            "skipped": [{"message_id": message_id, "reason": reason} for message_id, reason in self.skipped],
            "unknown": sorted(self.unknown),
        }  # fmt: skip


def take_in(
    repo: Repository,
    owner: Owner,
    messages: Iterable[ReadMessage],
    now: datetime,
    *,
    logging_address: str | None = None,
    dry_run: bool = False,
    received_at: datetime | None = None,
) -> MailReport:
    """Read each message and write the touches it makes (none with `dry_run`). The owner's contacts are read
    once; the messages are read one at a time, so a mailbox of any size takes flat memory."""
    contacts = repo.list_contacts(owner.id)
    logging_address = logging_address or (owner.logging_address.lower() if owner.logging_address else None)
    boxes = Mailboxes(owner_addresses(owner), logging_address, address_book(contacts), digest_ids(owner.id))
    zone = ZoneInfo(owner.timezone)
    report = MailReport()
    unknown: dict[str, None] = {}
    recent: dict[str, NewPerson] = {}  # the unknown addresses to offer in the next digest, as last written to
    today = now.astimezone(zone).date()
    for read in messages:
        report.messages += 1
        if read.facts is None:
            report.skipped.append((read.source, read.problem or "not readable as mail"))
            continue
        meaning = meaning_of(read.facts, boxes, zone, received_at or now)
        if meaning.commands:
            facts = read.facts
            ran = run_reply(repo, owner, contacts, facts.message_id, facts.replying_to, meaning.commands,
                            facts.sent_at or now, now, dry_run=dry_run)  # fmt: skip
            if isinstance(ran, str):
                report.skipped.append((facts.message_id, ran))
            else:
                report.replies.append(ran)
        else:
            _record(repo, owner, read, meaning, now, report, dry_run=dry_run)
        unknown.update(dict.fromkeys(meaning.unknown))
        _gather_new_people(meaning, dict(read.facts.names), today, now, recent)
    report.unknown = list(unknown)
    if not dry_run:
        for person in recent.values():
            repo.note_new_person(owner.id, person)
    return report


def _gather_new_people(
    meaning: Meaning, names: dict[str, str], today: date, now: datetime, recent: dict[str, NewPerson]
) -> None:
    """The people a message was written to who are no contact and worth offering, each kept at their latest (and
    with the first name seen beside the address). An address a contact's could not hold is never kept."""
    on = meaning.written_on
    if on is None:
        return
    for address in meaning.unknown:
        known = recent.get(address)
        if not (worth_offering(address, on, today) and is_address(address)):
            continue
        if known is None or known.last_written < on:
            name = names.get(address) or (known.name if known else None)
            recent[address] = NewPerson(new_person_key(address), address, on, now, name)


def _record(
    repo: Repository,
    owner: Owner,
    read: ReadMessage,
    meaning: Meaning,
    now: datetime,
    report: MailReport,
    *,
    dry_run: bool,
) -> None:
    facts = read.facts
    assert facts is not None  # noqa: S101 - take_in passes only read messages
    if not meaning.logged:
        report.skipped.append((facts.message_id, meaning.skipped or "nothing to log"))
        return
    note = " ".join(facts.subject.split())[:NOTE_LIMIT] or None if owner.mail_subjects else None
    for item in meaning.logged:
        touch = Touch(
            id=content_id(MAIL_SOURCE, facts.message_id, item.contact.id),
            contact_id=item.contact.id,
            date=item.on,
            direction=item.direction,
            channel=item.channel,
            note=note,
            source=MAIL_SOURCE,
            recorded_at=now,
        )
        written = False
        if not dry_run:
            try:
                written = retrying(lambda: repo.add_touch_to_existing(owner.id, touch), "the table kept changing")  # noqa: B023
            except NotFoundError:  # removed since the contacts were read: nothing outlives a contact
                report.skipped.append((facts.message_id, f"{item.contact.name} was removed meanwhile"))
                continue
        report.logged.append(
            LoggedMail(
                item.contact.name, item.address, item.on.isoformat(), item.direction.value, item.channel.value,
                facts.message_id, written,
            )
        )  # fmt: skip


# --- the logging address: SES receiving, the message in S3 (functions/inbound) ------------------------------


class Received(StrEnum):
    """What became of one message the logging address received."""

    LOGGED = "logged"  # it made touches, or ran a digest reply's lines
    NOTHING = "nothing"  # the owner's, but it means nothing circleback logs (the reason is in the log)
    DROPPED = "dropped"  # not trusted: not the owner's, or not authenticated; never bounced, counted
    GONE = "gone"  # already read and deleted by an earlier delivery of the same event


@dataclass(frozen=True, slots=True)
class ReceivedMessage:
    outcome: Received
    reason: str | None = None
    report: MailReport | None = None


def receive(
    repo: Repository,
    store: InboundStore,
    record: SesRecord,
    owner: Owner,
    logging_address: str,
    now: datetime,
) -> ReceivedMessage:
    """One message SES received for the logging address: trusted only when it is the owner's and authenticated
    (domain/inbound.py distrust), read from S3, taken in like any other, then deleted; untrusted mail is deleted
    unread. Delivered again (Lambda retries an asynchronous invocation), it logs nothing twice: its touches exist
    already, or its object is gone."""
    key = store.key_of(record.message_id)
    sender = _sender(record.from_)
    v = record.verdicts
    verdicts = Verdicts(v["spf"], v["dkim"], v["dmarc"], v["spam"], v["virus"], dkim_domains(list(record.headers)))
    reason = distrust(sender, verdicts, owner_addresses(owner))
    if reason is not None:
        store.discard(key)
        return ReceivedMessage(Received.DROPPED, reason)
    raw = store.fetch(key, MAX_MESSAGE_BYTES)
    if raw is None:
        return ReceivedMessage(Received.GONE)
    read = read_message(raw, key)
    if read.facts is not None and read.facts.sender != sender:  # the stored message is not the one SES checked
        store.discard(key)
        return ReceivedMessage(Received.DROPPED, "its From differs from the one SES checked")
    report = take_in(repo, owner, [read], now, logging_address=logging_address.lower(), received_at=record.received_at)
    store.discard(key)
    outcome = Received.LOGGED if report.logged or report.replies else Received.NOTHING
    return ReceivedMessage(outcome, report.skipped[0][1] if report.skipped else None, report)


def _sender(values: tuple[str, ...]) -> str | None:
    found = addresses_in(values)
    return found[0] if len(found) == 1 else None  # several From addresses: no one sender to trust
