"""Identifiers derived from content, where a retry or a second import must land on the same item."""

from __future__ import annotations

import hashlib
from datetime import date


def content_id(*parts: object) -> str:
    """The same id for the same content, so importing a file twice writes each item once."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()
    return digest[:21]


def event_id(contact_id: str | None, on: date, kind: str, note: str | None, occurrence: int = 1) -> str:
    """A life event's id from its content; `occurrence` counts identical events (two awards on one day).

    Shared by the events import and `circleback event add`, so the same event entered both ways is one.
    """
    return content_id("event", contact_id or "", on, kind, note or "", occurrence)
