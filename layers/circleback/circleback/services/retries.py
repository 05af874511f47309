"""Optimistic writes: read, decide, write on condition; when someone else wrote first, read again and retry.

Every service that changes an item someone else may change at the same moment (a click, a second command, a
digest moving the schedule) writes through `retrying`, so the number of attempts and what giving up says are
the same everywhere. The store's conditional writes say who was first (adapters/store/repository.py).
"""

from __future__ import annotations

from collections.abc import Callable

from circleback.adapters.store.repository import ConflictError

# Enough for a person's click racing a digest and a command at once; a fifth loss means something keeps writing.
WRITE_ATTEMPTS = 4


def retrying[T](attempt: Callable[[], T | None], gave_up: str = "it kept changing; nothing was recorded") -> T:
    """Run `attempt` until it returns a result. It returns None, or raises ConflictError, when another writer was
    first (it reads afresh on its next call); after WRITE_ATTEMPTS such losses, ConflictError(`gave_up`).
    """
    for _ in range(WRITE_ATTEMPTS):
        try:
            result = attempt()
        except ConflictError:
            continue
        if result is not None:
            return result
    raise ConflictError(gave_up)
