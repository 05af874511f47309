"""A reply to the digest, run (docs/design.md, "Mail in"): its lines read as commands (domain/replies.py), each
done as the command line would do it, and what they did kept for the next digest to open with. No confirmation
is mailed: the next digest is the answer.

Run once: the outcome's id is the reply's Message-ID, and a reply whose outcome is kept is not run again. A reply
older than REPLY_KEEP_DAYS is not run at all (a mailbox backfill holds old replies: what they said happened since).
A reply cut off halfway and delivered again runs again, and that is safe: each touch's id is the reply's and the
line's, so it lands once, and a snooze or a pause sets the same thing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from circleback.adapters.store.repository import ConflictError, NotFoundError, Repository
from circleback.domain.ids import content_id
from circleback.domain.inbound import digest_ids
from circleback.domain.model import NOTE_LIMIT, Contact, Owner, ReplyOutcome, Touch
from circleback.domain.replies import Command, Unread, Verb, read_reply, said, stale
from circleback.services.retries import retrying

REPLY_SOURCE = "reply"
UNREAD_LINE_LIMIT = 200  # characters of a line it could not read, kept to show it


def run_reply(
    repo: Repository,
    owner: Owner,
    contacts: Sequence[Contact],
    message_id: str,
    replying_to: Sequence[str],
    lines: Sequence[str],
    received_at: datetime,
    now: datetime,
    *,
    dry_run: bool = False,
) -> RanReply | str:
    """Run the reply's lines: what they did (kept from the first run, when it was run before), or why nothing
    was run."""
    written_at = min(received_at, now)  # a Date in the future is a clock's mistake: now, then
    if stale(written_at, now):
        return "a reply to an old digest: what it said was done since"
    reply_id = content_id(REPLY_SOURCE, message_id)
    if (before := repo.get_reply(owner.id, reply_id)) is not None:
        return RanReply(before, ran_now=False)
    today = written_at.astimezone(ZoneInfo(owner.timezone)).date()
    read = read_reply(lines, _digest_people(repo, owner, contacts, replying_to), contacts, today)
    done: list[str] = []
    unread: list[tuple[str, str]] = []
    for index, line in enumerate(read):
        if isinstance(line, Unread):
            unread.append((line.line[:UNREAD_LINE_LIMIT], line.reason))
            continue
        problem = None if dry_run else _run(repo, owner, line, message_id, index, today, now)
        if problem is None:
            done.append(said(line))
        else:
            unread.append((line.line[:UNREAD_LINE_LIMIT], problem))
    outcome = ReplyOutcome(reply_id, now, tuple(done), tuple(unread))
    if not dry_run:
        repo.add_reply(owner.id, outcome)  # False: a concurrent delivery kept the same outcome first
    return RanReply(outcome, ran_now=not dry_run)


@dataclass(frozen=True, slots=True)
class RanReply:
    outcome: ReplyOutcome
    ran_now: bool  # False: run before (the same reply again), or a dry run


def digest_date(replying_to: Sequence[str], owner_id: str) -> date | None:
    """The date of the digest a reply answers: its Message-ID is `digest-<owner>-<date>@...` (services/digest.py)."""
    prefix = digest_ids(owner_id)
    for found in replying_to:
        local = found.partition("@")[0]
        if local.startswith(prefix):
            try:
                return date.fromisoformat(local[len(prefix) :])
            except ValueError:
                continue
    return None


def _digest_people(
    repo: Repository, owner: Owner, contacts: Sequence[Contact], replying_to: Sequence[str]
) -> list[Contact]:
    """The contacts the answered digest named (its run keeps them), whom a line's name means first."""
    day = digest_date(replying_to, owner.id)
    run = repo.get_run(owner.id, day) if day is not None else None
    named = set(run.people) if run is not None else set()
    return [contact for contact in contacts if contact.id in named]


def _run(
    repo: Repository, owner: Owner, command: Command, message_id: str, index: int, today: date, now: datetime
) -> str | None:
    """Do one command; None when done, else why not."""
    # Imported here: services/contacts reads a contacts file's rows with pydantic, which the inbound function's
    # cold start does without unless a reply snoozes or pauses someone (docs/design.md, "Cold starts").
    from circleback.services import contacts as contact_changes

    contact = command.contact
    try:
        if command.verb is Verb.SNOOZE:
            contact_changes.snooze(repo, owner.id, contact, command.until)
        elif command.verb is Verb.PAUSE:
            contact_changes.pause(repo, owner.id, contact)
        else:
            touch = Touch(
                id=content_id(REPLY_SOURCE, message_id, index),
                contact_id=contact.id,
                date=today,
                direction=command.direction,
                channel=command.channel,
                note=command.note[:NOTE_LIMIT] if command.note else None,
                source=REPLY_SOURCE,
                recorded_at=now,
            )
            retrying(lambda: repo.add_touch_to_existing(owner.id, touch), "the table kept changing")
    except NotFoundError:
        return f"{contact.name} was removed meanwhile"
    except ConflictError:
        return f"{contact.name} kept changing meanwhile; nothing was done"
    return None
