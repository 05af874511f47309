"""What a write would change on a contact or the settings, field by field, in words a person can check.

An import's merge names the fields it kept (domain/merge.py); a restore names the values it would put back
(services/restoring.py) so the person sees them before anything is written; both show values the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from circleback.domain.model import Birthday, Contact, Owner

# Bookkeeping, not what the person sees or set: a lock counter, import digests, the schedule worked out again.
NOT_SHOWN = frozenset({"id", "version", "import_marks", "next_send_at"})


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One value a write replaces: whose (a contact's name, or "settings"), which field, from what, to what."""

    subject: str
    field: str
    before: Any
    after: Any

    def __str__(self) -> str:
        return f"{self.subject}, {self.field}: {shown(self.before)} -> {shown(self.after)}"


def field_changes[T: (Contact, Owner)](subject: str, before: T, after: T) -> list[FieldChange]:
    """Every field the person can see that differs between `before` and `after`, in the model's order."""
    return [
        FieldChange(subject, f.name, getattr(before, f.name), getattr(after, f.name))
        for f in fields(before)
        if f.name not in NOT_SHOWN and getattr(before, f.name) != getattr(after, f.name)
    ]


def plain(value: Any) -> str:
    if isinstance(value, date | Birthday):
        return value.isoformat()
    if isinstance(value, tuple):
        return "\x1f".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def shown(value: Any) -> str:
    """A value as a person reads it: quoted, lists joined by "; ", nothing for unset, long text cut short."""
    if value is None or value == ():
        return "(none)"
    text = "; ".join(value) if isinstance(value, tuple) else plain(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")
