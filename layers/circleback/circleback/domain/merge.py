"""The import merge rule: what a file's row may change on a contact already known, and what it must leave alone.

Every door that writes a row over a contact (imports of every format, restored backups, `contacts add` of someone
known) goes through `merge`, so "a field you changed by hand is never overwritten by an import" holds everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from circleback.domain.changes import plain, shown
from circleback.domain.ids import content_id
from circleback.domain.matching import normalise_linkedin
from circleback.domain.model import Contact, Relationship, Tier


def merge(
    contact: Contact, offered: Mapping[str, Any], emails: Sequence[str] = ()
) -> tuple[Contact, list[tuple[str, str]]]:
    """The contact with what a file's row offers (field -> value, None for an empty cell), and the fields it kept
    against the row, each with the reason. `emails` are all the row's addresses (a Google or vCard row has several).

    The rule, field by field, for a row's non-empty cell (an empty cell never changes anything):

    - the same value, however written (an email's case, a LinkedIn address's http or trailing slash, or an
      address among the row's several), changes nothing, and the value is the import's from now on;
    - a different value replaces the known one when nobody changed that field by hand since an import wrote
      it: its value still matches the digest in `import_marks`, or it was never set (empty, or the default
      tier, relationship or pause);
    - otherwise the known value was typed or changed by hand, and it stays: no import, of this file or an
      older one, overwrites it. The caller reports it, so the user can change it by hand if the file is right;
    - the row's other addresses, and an email address the row replaces, join the contact's other addresses
      (`other_addresses`): mail from any of them is the person's.

    So re-importing a file changes nothing, a newer export updates what the last import wrote, and a hand
    edit (which never touches `import_marks`) wins over any import until the user edits the field again.
    """
    marks = dict(contact.import_marks)
    changes: dict[str, Any] = {}
    kept: list[tuple[str, str]] = []
    row_emails = {email.casefold() for email in emails}
    for name, value in offered.items():
        if value is None or name == "other_emails":  # addresses are gathered, never replaced: below
            continue
        current = getattr(contact, name)
        if name == "email" and current and current.casefold() in row_emails:
            same = True
        else:
            same = _comparable(name, current) == _comparable(name, value)
        if same:
            marks[name] = _mark(name, current)
        elif _imported_or_unset(name, current, marks):
            changes[name] = value
            marks[name] = _mark(name, value)
        else:
            kept.append((name, f"kept {shown(current)}, as set by hand; the file has {shown(value)}"))
    email = changes.get("email", contact.email)
    others = other_addresses(email, (*contact.other_emails, *([contact.email] if contact.email else []), *emails))
    if others != contact.other_emails:
        changes["other_emails"] = others
    return replace(contact, **changes, import_marks=tuple(sorted(marks.items()))), kept


MAX_OTHER_EMAILS = 20  # a person's other addresses: more is an address book's mistake, not a person


def other_addresses(email: str | None, addresses: Sequence[str]) -> tuple[str, ...]:
    """A contact's other addresses: every address known or offered but the main one, each once (case aside),
    in the order they came. An address is never dropped by an import: an old one still names them in old mail,
    and a newer export's address is added. Only the owner removes one (`contacts edit --other-emails`)."""
    seen = {email.casefold()} if email else set()
    kept: list[str] = []
    for address in addresses:
        if address.casefold() not in seen:
            seen.add(address.casefold())
            kept.append(address)
    return tuple(kept[:MAX_OTHER_EMAILS])


# A field at its default was never set: an import may fill it in whatever `import_marks` says.
_UNSET = {"relationship": (None, Relationship.OTHER), "tier": (None, Tier.B), "paused": (None, False)}


def _imported_or_unset(name: str, current: Any, marks: dict[str, str]) -> bool:
    """Whether an import may change the field: it still holds what an import wrote, or it was never set."""
    if name in marks:
        return marks[name] == _mark(name, current)
    return current in _UNSET.get(name, (None, ()))


def _comparable(name: str, value: Any) -> Any:
    if name == "email" and isinstance(value, str):
        return value.casefold()
    if name == "linkedin_url" and isinstance(value, str):
        return normalise_linkedin(value) or value
    return value


def as_last_imported(contact: Contact, name: str, value: Any) -> bool:
    """Whether `value` is what the last import wrote to the field (the file says nothing new about it)."""
    marks = dict(contact.import_marks)
    return name in marks and marks[name] == _mark(name, value)


def _mark(name: str, value: Any) -> str:
    """A short digest of the value an import wrote: enough to tell whether it changed, small to store."""
    return content_id(name, plain(_comparable(name, value)))[:12]
