"""Contacts one at a time, as the command line changes them: find, add, edit, pause, snooze, remove, log a touch.

A contact typed by hand takes the same validation as a file's row (ContactRow), and is matched against the
known contacts the way an import matches it, so adding someone twice is refused rather than duplicated (a second
person of the same name is added when the caller says so). Each
change is a versioned write, read again and re-applied when a click or an import got there first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from circleback.adapters.store.repository import ConflictError, NotFoundError, Repository
from circleback.domain.cadence import chronological, first_due_dates, summarise
from circleback.domain.calendar import next_due_date
from circleback.domain.ids import content_id
from circleback.domain.matching import ContactIndex
from circleback.domain.merge import other_addresses
from circleback.domain.model import (
    Channel,
    Contact,
    Direction,
    FollowUp,
    LifeEvent,
    Relationship,
    Stint,
    Tier,
    Touch,
)
from circleback.domain.names import NameMatch, match_contact
from circleback.domain.sorting import SortItem, sorted_into, to_sort, work_history
from circleback.formats.csvfile import contact_cells
from circleback.formats.rows import CONTACT_FIELDS, ContactRow
from circleback.services.import_report import emails_of
from circleback.services.importing import new_contact
from circleback.services.places import located
from circleback.services.retries import retrying

# What an unset field of a row means for a contact (a row's None is "not given").
_DEFAULTS: dict[str, Any] = {"relationship": Relationship.OTHER, "tier": Tier.B, "paused": False, "tags": ()}


class AlreadyKnown(Exception):
    """The contact being added is someone already known: `field` is what they share (email, LinkedIn address)."""

    def __init__(self, contact: Contact, field: str, message: str | None = None) -> None:
        super().__init__(message or f"{contact.name} is already a contact (the same {field.replace('_', ' ')})")
        self.contact = contact
        self.field = field


class SameName(AlreadyKnown):
    """Someone already known has the name being added, as a person types it (case, accents, spacing and script
    aside: "Soren Kierkegaard" for "Søren Kierkegaard"), and no email or LinkedIn address tells them apart.

    Maybe the same person, maybe a second one of that name: only the person adding can say, and `add` with
    `allow_same_name=True` adds the second. `existing` are all of them, the exact spellings first; `contact` the
    first. An AlreadyKnown, so a caller that does not ask is refused rather than given a duplicate.
    """

    def __init__(self, existing: tuple[Contact, ...]) -> None:
        if len(existing) == 1:
            message = f"{existing[0].name} is already a contact (the same name)"
        else:
            names = " or ".join(dict.fromkeys(contact.name for contact in existing))
            message = f"{len(existing)} contacts are already called {names}"
        super().__init__(existing[0], "name", message)
        self.existing = existing


def find(repo: Repository, owner_id: str, wanted: str) -> NameMatch:
    """The contact a person means by `wanted`: forgiving about case, accents and a unique start of the name."""
    return match_contact(repo.list_contacts(owner_id), wanted)


def add(
    repo: Repository, owner_id: str, cells: Mapping[str, str], today: date, *, allow_same_name: bool = False
) -> Contact:
    """A new contact from cells as a contacts file names them; pydantic's ValidationError names a bad one.

    AlreadyKnown when a known contact has one of its emails or its LinkedIn address (always refused: that is
    the same person). SameName when known contacts have its name as a person types it and nothing tells them
    apart, unless `allow_same_name` (the person said it is someone else).
    """
    row = ContactRow.model_validate(dict(cells), context={"today": today})
    index = ContactIndex(repo.list_contacts(owner_id))
    emails = emails_of(row)
    field, matches = index.match_by(emails, row.linkedin_url, row.name)
    if matches and field != "name":
        raise AlreadyKnown(matches[0], field or "name")
    same = index.same_name(row.name, emails, row.linkedin_url)  # the exact name's matches, and other spellings
    if same and not allow_same_name:
        raise SameName(tuple(same))
    return repo.add_contact(owner_id, new_contact(row, today))


def edit(repo: Repository, owner_id: str, contact: Contact, changes: Mapping[str, str], today: date) -> Contact:
    """The contact with the changed cells (an empty one clears the field), validated as a file's row and saved.

    A hand edit leaves `import_marks` alone, so the changed value no longer matches what an import wrote and
    no later import overwrites it.
    """

    def change(current: Contact) -> Contact:
        row = ContactRow.model_validate({**contact_cells(current), **changes}, context={"today": today})
        edited = replace(current, **{name: _value(row, name) for name in CONTACT_FIELDS})
        # No cell of a contacts file holds the other addresses: they change only when named.
        others = other_addresses(row.email, row.other_emails) if "other_emails" in changes else current.other_emails
        return located(replace(edited, other_emails=other_addresses(edited.email, others)))

    return _saved(repo, owner_id, contact, change)


def sort(
    repo: Repository,
    owner_id: str,
    contact: Contact,
    tier: Tier | None,
    relationship: Relationship | None,
    today: date,
) -> Contact:
    """Sort the contact into a tier (None: not in rotation, paused), with a relationship if given: the rule the
    digest's Sort links follow too (domain/sorting.sorted_into)."""
    return _saved(repo, owner_id, contact, lambda current: sorted_into(current, tier, relationship, today))


def to_sort_queue(repo: Repository, owner_id: str, today: date) -> tuple[list[SortItem], list[Stint]]:
    """Every unsorted contact in the order the digest asks about them, and the owner's work history."""
    data = repo.load_digest_input(owner_id)
    if data is None:
        return [], []
    history = work_history(data.owner.work_history, data.events)
    return to_sort(data.contacts, history, today, len(data.contacts)), history


def snooze(repo: Repository, owner_id: str, contact: Contact, until: date | None) -> Contact:
    """Keep the contact out of the due list until `until` (inclusive); None ends a snooze."""
    return _saved(repo, owner_id, contact, lambda current: replace(current, snoozed_until=until))


def pause(repo: Repository, owner_id: str, contact: Contact) -> Contact:
    """Take the contact out of rotation (a reply's "pause bob"): nothing else of them is checked or changed."""
    return _saved(repo, owner_id, contact, lambda current: replace(current, paused=True))


def remove(repo: Repository, owner_id: str, contact: Contact) -> tuple[int, int]:
    """Delete the contact with its touches and life events: how many of each went with it."""
    current: Contact | None = contact

    def attempt() -> tuple[int, int] | None:
        nonlocal current
        if current is None:  # removed meanwhile by someone else: nothing left to remove
            return 0, 0
        try:
            return repo.remove_contact(owner_id, current)
        except ConflictError:
            current = repo.get_contact(owner_id, contact.id)
            return None

    return retrying(attempt, f"{contact.name} kept changing; nothing more was removed. Run the command again")


@dataclass(frozen=True, slots=True)
class LoggedTouch:
    touch: Touch
    created: bool  # False: the very same touch was already recorded (the command was run twice)


def log(
    repo: Repository,
    owner_id: str,
    contact: Contact,
    on: date,
    direction: Direction,
    channel: Channel,
    note: str | None,
    now: datetime,
    follow_up: FollowUp | None = None,
) -> LoggedTouch:
    """Record a touch typed at the command line. Its id comes from what it says, so running the same command
    twice (a retry after a timeout) records it once.
    """
    said: tuple[str, ...] = (on.isoformat(), direction.value, channel.value, note or "")
    if follow_up is not None:
        said += (follow_up.on.isoformat(), follow_up.about or "")
    touch_id = content_id("cli-touch", contact.id, *said)
    touch = Touch(
        touch_id, contact.id, on, direction, channel, note, source="cli", recorded_at=now, follow_up=follow_up
    )
    # Only while the contact exists (NotFoundError if it was removed meanwhile): no touch outlives its contact.
    created = retrying(lambda: repo.add_touch_to_existing(owner_id, touch), f"{contact.name} kept changing")
    return LoggedTouch(touch, created)


@dataclass(frozen=True, slots=True)
class ContactStatus:
    contact: Contact
    last_touch: date | None
    next_due: date | None  # the first day from today the digest lists them; None when paused


def statuses(repo: Repository, owner_id: str, today: date) -> list[ContactStatus]:
    """Every contact with their last touch and when the digest lists them next, by name."""
    data = repo.load_digest_input(owner_id)
    if data is None:
        return []
    touches: dict[str, list[Touch]] = {}
    for touch in chronological(t for t in data.touches if t.date <= today):
        touches.setdefault(touch.contact_id, []).append(touch)
    first_due = first_due_dates(data.contacts)
    found = []
    for contact in data.contacts:
        history = summarise(contact.last_touch, touches.get(contact.id, []))
        due = next_due_date(contact, history, first_due.get(contact.id), today)
        found.append(ContactStatus(contact, history.last_touch, due))
    return sorted(found, key=lambda s: (s.contact.name.casefold(), s.contact.id))


def details(repo: Repository, owner_id: str, contact: Contact) -> tuple[Contact, list[Touch], list[LifeEvent]]:
    """The contact as stored now, with their touches (newest first) and life events (newest first)."""
    current, touches = repo.contact_with_touches(owner_id, contact.id)
    events = [e for e in repo.list_events(owner_id) if e.contact_id == contact.id]
    newest_first = list(reversed(chronological(touches)))
    return current, newest_first, sorted(events, key=lambda e: (e.date, e.id), reverse=True)


def _value(row: ContactRow, name: str) -> Any:
    value = getattr(row, name)
    return _DEFAULTS.get(name) if value is None else value


def _saved(repo: Repository, owner_id: str, contact: Contact, change: Callable[[Contact], Contact]) -> Contact:
    """Apply `change` and save, reading the contact again whenever someone else saved it first."""
    current = contact

    def attempt() -> Contact | None:
        nonlocal current
        changed = change(current)
        if changed == current:
            return current
        try:
            return repo.save_contact(owner_id, changed)
        except ConflictError:
            fresh = repo.get_contact(owner_id, contact.id)
            if fresh is None:
                raise NotFoundError(f"{contact.name} was removed meanwhile") from None
            current = fresh
            return None

    return retrying(attempt, f"{contact.name} kept changing; nothing was saved. Run the command again")
