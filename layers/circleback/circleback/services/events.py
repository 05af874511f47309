"""Life events entered one at a time (`circleback event add`): a contact's news, or the owner's own.

The same validation as an events CSV row, and the same id: adding an event by hand and then importing a
file that holds it too records it once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from circleback.domain.model import Contact, LifeEvent
from circleback.importer.rows import EventRow
from circleback.services.ids import event_id
from circleback.services.importing import ContactIndex
from circleback.store.repository import Repository


class UnknownContact(Exception):
    """The contact reference matches no one, or more than one person; the message says which."""


@dataclass(frozen=True, slots=True)
class AddedEvent:
    event: LifeEvent
    contact: Contact | None
    created: bool  # False: the very same event was already recorded


def add_event(
    repo: Repository, owner_id: str, contact: str | None, on: date, kind: str, note: str | None, today: date
) -> AddedEvent:
    """Record one event; pydantic's ValidationError names a bad field, UnknownContact a bad reference."""
    row = EventRow.model_validate(
        {"contact": contact, "date": on.isoformat(), "kind": kind, "note": note}, context={"today": today}
    )
    found: Contact | None = None
    if row.contact is not None:
        found, problem = ContactIndex(repo.list_contacts(owner_id)).resolve(row.contact)
        if found is None:
            raise UnknownContact(problem or f"no contact {row.contact!r}")
    event = LifeEvent(
        event_id(found.id if found else None, row.date, row.kind, row.note),
        row.date,
        row.kind,
        found.id if found else None,
        row.note,
    )
    return AddedEvent(event, found, repo.add_event(owner_id, event))


def list_events(repo: Repository, owner_id: str) -> list[tuple[LifeEvent, Contact | None]]:
    """Every life event, newest first, with its contact (None for the owner's own news)."""
    contacts = {c.id: c for c in repo.list_contacts(owner_id)}
    events: Sequence[LifeEvent] = repo.list_events(owner_id)
    ordered = sorted(events, key=lambda e: (e.date, e.id), reverse=True)
    return [(e, contacts.get(e.contact_id) if e.contact_id else None) for e in ordered]
