"""New identifiers: random and time-ordered (those derived from content are the domain's: domain/ids.py)."""

from __future__ import annotations

import secrets
import time


def new_id() -> str:
    """A time-ordered opaque id (milliseconds, then randomness): items sort in the order they were made."""
    return f"{time.time_ns() // 1_000_000:011x}{secrets.token_hex(5)}"
