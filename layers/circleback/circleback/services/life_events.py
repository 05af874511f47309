"""Life events entered one at a time (`circleback event add`): a contact's news, or the owner's own.

The contact comes already found (the command line matches names forgivingly). The same validation as an
events CSV row, and the same id: adding an event by hand and then importing a file that holds it too records
it once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from circleback.adapters.store.repository import Repository
from circleback.domain.ids import event_id
from circleback.domain.model import Contact, LifeEvent
from circleback.formats.rows import EventRow


@dataclass(frozen=True, slots=True)
class AddedEvent:
    event: LifeEvent
    contact: Contact | None
    created: bool  # False: the very same event was already recorded


def add_event(
    repo: Repository, owner_id: str, contact: Contact | None, on: date, kind: str, note: str | None, today: date
) -> AddedEvent:
    """Record one event of `contact` (None: the owner's own news); pydantic's ValidationError names a bad field."""
    reference = (contact.email or contact.name) if contact else None
    row = EventRow.model_validate(
        {"contact": reference, "date": on.isoformat(), "kind": kind, "note": note}, context={"today": today}
    )
    contact_id = contact.id if contact else None
    event = LifeEvent(event_id(contact_id, row.date, row.kind, row.note), row.date, row.kind, contact_id, row.note)
    return AddedEvent(event, contact, repo.add_event(owner_id, event))


def list_events(repo: Repository, owner_id: str) -> list[tuple[LifeEvent, Contact | None]]:
    """Every life event, newest first, with its contact (None for the owner's own news)."""
    contacts = {c.id: c for c in repo.list_contacts(owner_id)}
    events: Sequence[LifeEvent] = repo.list_events(owner_id)
    ordered = sorted(events, key=lambda e: (e.date, e.id), reverse=True)
    return [(e, contacts.get(e.contact_id) if e.contact_id else None) for e in ordered]
