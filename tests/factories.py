"""Small builders for domain objects, so each test states only what it is about."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from circleback.adapters.store.repository import Repository
from circleback.domain.cadence import History, chronological, summarise
from circleback.domain.model import Channel, Contact, Direction, Owner, Tier, Touch

_ids = itertools.count(1)
TODAY = date(2026, 11, 22)


def contact(name: str = "Ana Souza", **fields: Any) -> Contact:
    fields.setdefault("id", f"c{next(_ids):04d}")
    fields.setdefault("created_on", date(2025, 1, 1))
    fields.setdefault("tier", Tier.A)
    return Contact(name=name, **fields)


def touch(
    contact_id: str, on: date, direction: Direction = Direction.OUTBOUND, note: str | None = None, **fields: Any
) -> Touch:
    fields.setdefault("id", f"t{next(_ids):06d}")
    fields.setdefault("channel", Channel.EMAIL)
    return Touch(contact_id=contact_id, date=on, direction=direction, note=note, **fields)


def owner(**fields: Any) -> Owner:
    fields.setdefault("id", "owner-1")
    fields.setdefault("country", "US")
    fields.setdefault("timezone", "America/New_York")
    return Owner(**fields)


def history_of(repo: Repository, owner_id: str, contact_id: str) -> History:
    """A contact's history as the digest works it out: from the contact and all of its stored touches."""
    stored, touches = repo.contact_with_touches(owner_id, contact_id)
    return summarise(stored.last_touch, chronological(touches))
