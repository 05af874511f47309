"""Next steps from the command line and the digest's links: favours, reconnects and shares (docs/design.md,
"Next steps"). The rules of when a step is due are domain/loops.py's; this is what each change writes."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from urllib.parse import urlsplit

from circleback.adapters.store.repository import Repository, Write
from circleback.domain.ids import content_id
from circleback.domain.loops import (
    CHECK_IN_AFTER_DAYS,
    closing,
    interests,
    open_favour,
    outcome_day,
    queued,
)
from circleback.domain.model import (
    NOTE_LIMIT,
    Channel,
    Contact,
    Direction,
    Favour,
    Reconnect,
    Share,
    Tier,
    Touch,
    TouchPurpose,
)
from circleback.domain.wording import first_name
from circleback.services.retries import retrying

TITLE_LIMIT = 200  # characters in a shared item's title: it is a mailto's subject


class Move(StrEnum):
    """A step of the favour loop."""

    ASK = "ask"
    HELPED = "helped"
    THANKED = "thanked"
    TOLD = "told"


# The touch each move logs (helping is theirs: it logs none), and its note's start.
MOVE_TOUCHES: dict[Move, tuple[TouchPurpose, str]] = {
    Move.ASK: (TouchPurpose.ASK, "Asked"),
    Move.THANKED: (TouchPurpose.THANKS, "Thanked them for"),
    Move.TOLD: (TouchPurpose.OUTCOME, "Told them how it turned out"),
}


class StepRefused(ValueError):
    """The favour is not where this step can be taken (nothing asked, already thanked): says so, and why."""


@dataclass(frozen=True, slots=True)
class FavourChange:
    """What one move of the favour loop writes: the favour before (None: the ask starts it) and after, the touch it
    logs, and the tier the contact moves to when it closes the loop."""

    contact: Contact
    before: Favour | None
    after: Favour
    touch: Touch | None
    promoted_to: Tier | None


@dataclass(frozen=True, slots=True)
class MoveDetails:
    """What a move may carry: the favour (an ask), the check-in day, how it went, when to tell the outcome."""

    what: str | None = None
    by: date | None = None
    note: str | None = None
    outcome_on: date | None = None
    channel: Channel = Channel.EMAIL


def change_favour(
    move: Move,
    contact: Contact,
    favour: Favour | None,
    today: date,
    now: datetime,
    touch_id: str,
    details: MoveDetails = MoveDetails(),
) -> FavourChange:
    """The favour after `move` (StepRefused when it cannot be taken now, saying why)."""
    first = first_name(contact.name)
    if move is Move.ASK:
        if favour is not None:
            raise StepRefused(f"{contact.name} already has an open ask: {favour.what} (`ask done {first}` first)")
        what = " ".join((details.what or "").split())
        if not what:
            raise StepRefused('say what you are asking for, e.g. "a reference for the Acme role"')
        by = details.by or today + timedelta(days=CHECK_IN_AFTER_DAYS)
        if by <= today:
            raise StepRefused(f"--by is after today ({today.isoformat()})")
        fid = content_id("favour", contact.id, what, today.isoformat())[:16]
        after = Favour(fid, contact.id, what[:NOTE_LIMIT], today, by, outcome_on=details.outcome_on)
    elif favour is None:
        raise StepRefused(f'{contact.name} has no open ask: `ask {first} "..."` starts one')
    elif move is Move.HELPED:
        if favour.helped_on is not None:
            raise StepRefused(f"{contact.name}'s help with {favour.what} is already recorded")
        outcome_on = details.outcome_on or favour.outcome_on
        note = " ".join(details.note.split())[:NOTE_LIMIT] if details.note else favour.note
        after = replace(favour, helped_on=today, note=note, outcome_on=outcome_on, version=favour.version + 1)
    else:
        if favour.helped_on is None:
            raise StepRefused(f"first say how it went: `ask done {first}`")
        done = favour.thanked_on if move is Move.THANKED else favour.told_on
        if done is not None:
            raise StepRefused(f"already recorded on {done.isoformat()}")
        step = {"thanked_on": today} if move is Move.THANKED else {"told_on": today}
        after = replace(favour, **step, version=favour.version + 1)  # type: ignore[arg-type]
    after, promoted_to = closing(after, contact)
    return FavourChange(
        contact, favour, after, _move_touch(move, contact, after, today, now, touch_id, details), promoted_to
    )


def _move_touch(
    move: Move, contact: Contact, favour: Favour, today: date, now: datetime, touch_id: str, details: MoveDetails
) -> Touch | None:
    if move not in MOVE_TOUCHES:
        return None
    purpose, said = MOVE_TOUCHES[move]
    note = f"{said}: {favour.what}"[:NOTE_LIMIT]
    return Touch(touch_id, contact.id, today, Direction.OUTBOUND, details.channel, note, "cli", now, purpose=purpose)


def favour_writes(repo: Repository, owner_id: str, change: FavourChange) -> list[Write]:
    """The change's writes, each only while what it read still holds (the contact exists and is as read)."""
    writes = [repo.favour_put(owner_id, change.after, change.before)]
    if change.touch is not None:
        writes.append(repo.touch_put(owner_id, change.touch))
    if change.promoted_to is not None:
        writes.append(repo.contact_tier_write(owner_id, change.contact, change.promoted_to))
    elif change.touch is not None:
        writes.append(repo.contact_exists_check(owner_id, change.contact.id))
    return writes


def move_favour(
    repo: Repository, owner_id: str, contact: Contact, move: Move, today: date, now: datetime, details: MoveDetails
) -> FavourChange:
    """Take one step of the contact's favour loop from the command line: its writes in one transaction."""
    touch_id = content_id("cli-favour", contact.id, move.value, today.isoformat())

    def attempt() -> FavourChange | None:
        current = repo.get_contact(owner_id, contact.id) or contact
        favours = repo.list_favours(owner_id)
        change = change_favour(move, current, open_favour(favours, contact.id), today, now, touch_id, details)
        first, *rest = favour_writes(repo, owner_id, change)
        if move is Move.ASK:
            rest += _asked_reconnect_writes(repo, owner_id, contact.id, today)
        return change if repo.apply(first, rest) else None

    return retrying(attempt, f"{contact.name} kept changing; nothing was recorded. Run the command again")


def _asked_reconnect_writes(repo: Repository, owner_id: str, contact_id: str, today: date) -> list[Write]:
    """Asking a favour answers a reconnect's reminder to ask: mark it asked."""
    for reconnect in repo.list_reconnects(owner_id):
        if reconnect.contact_id == contact_id and reconnect.need and reconnect.asked_on is None:
            return [repo.reconnect_put(owner_id, replace(reconnect, asked_on=today), reconnect)]
    return []


@dataclass(frozen=True, slots=True)
class AskEntry:
    favour: Favour
    contact: Contact | None  # None: the contact was removed since

    @property
    def state(self) -> str:
        """Where the favour is: open, helped (thank them), thanked, told, closed."""
        f = self.favour
        if f.helped_on is None:
            return "open"
        if f.thanked_on is not None and f.told_on is not None:
            return "closed"
        if f.thanked_on is not None:
            return "thanked"
        return "told" if f.told_on is not None else "helped"

    @property
    def outcome_on(self) -> date | None:
        return outcome_day(self.favour) if self.favour.helped_on is not None else None


def list_asks(repo: Repository, owner_id: str) -> list[AskEntry]:
    """Every favour asked, open ones first, newest first."""
    contacts = {c.id: c for c in repo.list_contacts(owner_id)}
    entries = [AskEntry(f, contacts.get(f.contact_id)) for f in repo.list_favours(owner_id)]
    return sorted(entries, key=lambda e: (e.state == "closed", -e.favour.asked_on.toordinal(), e.favour.id))


# --- reconnecting -----------------------------------------------------------------------------------------


def reconnect(repo: Repository, owner_id: str, contact: Contact, need: str | None, today: date) -> Reconnect:
    """First in the next digest until a touch; with a need, a reminder to ask a week later (or on their reply).
    Asking again replaces the one before."""
    written = " ".join(need.split())[:NOTE_LIMIT] if need else None
    planned = Reconnect(contact.id, today, written or None)
    first, *rest = [repo.reconnect_put(owner_id, planned), repo.contact_exists_check(owner_id, contact.id)]
    repo.apply(first, rest)
    return planned


# --- sharing ----------------------------------------------------------------------------------------------


def queue_share(repo: Repository, owner_id: str, url: str, title: str, tags: list[str], today: date) -> Share:
    """Queue an item for a fortnight (ValueError naming the field). The same link twice a day is one item."""
    address = url.strip()
    parts = urlsplit(address)
    if parts.scheme not in ("https", "http") or not parts.netloc or any(c.isspace() for c in address):
        raise ValueError(f"URL: {url!r} is not a web address (https://...)")
    written = " ".join(title.split())
    if not written:
        raise ValueError("--title: say what it is; the title starts the note to each person")
    if len(written) > TITLE_LIMIT:
        raise ValueError(f"--title: at most {TITLE_LIMIT} characters")
    wanted = interests(tag for text in tags for tag in text.split(","))
    if not wanted:
        raise ValueError("--tags: at least one interest (a contact's tag), e.g. --tags ai,security")
    share = Share(content_id("share", address, today.isoformat())[:12], address, written, wanted, today)
    repo.add_share(owner_id, share)  # False: queued already today, which is what was asked
    return share


def current_shares(repo: Repository, owner_id: str, today: date) -> list[Share]:
    """The items still queued, newest first."""
    shares = [s for s in repo.list_shares(owner_id) if queued(s, today)]
    return sorted(shares, key=lambda s: (s.queued_on, s.id), reverse=True)


def remove_share(repo: Repository, owner_id: str, share_id: str) -> Share | None:
    found = [s for s in repo.list_shares(owner_id) if s.id == share_id]
    return found[0] if found and repo.remove_share(owner_id, found[0]) else None
