"""Logging a touch: the touch and the contact's summary land together, once."""

from __future__ import annotations

from circleback.domain.cadence import chronological, summarise
from circleback.domain.model import Touch
from circleback.store.repository import ConflictError, Repository

WRITE_ATTEMPTS = 4


def log_touch(repo: Repository, owner_id: str, touch: Touch) -> bool:
    """Record `touch`; False when a touch with its id is already recorded (a retry or a double click).

    The contact's summary is recomputed from all its touches, so a back-dated touch is placed right;
    a concurrent writer makes the version check fail, and the whole read-decide-write is retried.
    """
    for _ in range(WRITE_ATTEMPTS):
        contact, touches = repo.contact_with_touches(owner_id, touch.contact_id)
        if any(t.id == touch.id for t in touches):
            return False
        history = summarise(contact.last_touch, chronological([*touches, touch]))
        try:
            return repo.write_touch(owner_id, touch, contact, history)
        except ConflictError:
            continue
    raise ConflictError(f"contact {touch.contact_id} kept changing; the touch was not recorded")
