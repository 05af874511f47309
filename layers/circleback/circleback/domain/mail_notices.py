"""What the digest says of mail in (docs/design.md, "Mail in"): the people the owner wrote to who are no
contacts, and what the owner's replies to the digest did. Apart from the rest of mail in's rules, because the
digest worker plans with these on every send, and its cold start pays for every module it imports.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta

from circleback.domain.ids import content_id
from circleback.domain.model import Contact, NewPerson, Owner, ReplyOutcome
from circleback.domain.schedule import digest_interval, send_instant


def address_book(contacts: Iterable[Contact]) -> dict[str, Contact]:
    """Each contact's email addresses, lower case, to the contact (the first contact keeps a shared address)."""
    book: dict[str, Contact] = {}
    for contact in contacts:
        for address in _addresses_of(contact):
            book.setdefault(address, contact)
    return book


def _addresses_of(contact: Contact) -> list[str]:
    """Every address a contact has: the main one and the others, any of which may hold several ("a@x; b@y", as
    a hand-made file may write them)."""
    parts = (part for raw in contact.emails for part in raw.replace(",", ";").split(";"))
    return [part.strip().strip("<>").lower() for part in parts if "@" in part]


# --- new people you wrote to: offered in the next digest with an "Add" link ------------------------------------

NEW_PERSON_DAYS = 14  # someone written to this many days ago or less is kept to offer; earlier mail only counts
MAX_NEW_PEOPLE = 5  # offered in one digest, those written to last first
# Addresses that are a system's, not a person's: never offered.
_AUTOMATED = re.compile(
    r"^((no|do[-_.]?not)[-_.]?reply|notifications?|calendar-notification|mailer-daemon|postmaster|bounces?)"
    r"([+._-].*)?@|^reply\+|-request@",
    re.IGNORECASE,
)


def is_address(value: str) -> bool:
    """An address a contact can hold: one address, no display name (the check of every file's email cell too)."""
    local, at, domain = value.partition("@")
    labels = domain.split(".")
    return not (
        not at
        or not local
        or "@" in domain
        or len(labels) < 2  # a name and a top-level domain at least
        or not all(labels)
        or any(ch.isspace() or ch in '<>,;()[]\\"' or unicodedata.category(ch) == "Cc" for ch in value)
    )


def new_person_key(address: str) -> str:
    """What an "Add" link names: 40 bits of a digest of the address (auth/tokens.py packs them)."""
    return content_id("new-person", address.lower())[:10]


def worth_offering(address: str, written_on: date, today: date) -> bool:
    """Whether someone written to is kept to offer: a person's address, written to in the last NEW_PERSON_DAYS."""
    return not _AUTOMATED.match(address) and today - timedelta(days=NEW_PERSON_DAYS) <= written_on <= today


def new_people(people: Iterable[NewPerson], book: Mapping[str, Contact], as_of: date, owner: Owner) -> list[NewPerson]:
    """Those the digest of `as_of` offers: learned of since the digest before it (as a reply is shown:
    `since_last_digest`), whether written to yesterday or found by a backfill of the last two weeks, and neither a
    contact by any address since nor one of the owner's own; the latest written to first."""
    since, send_at = since_last_digest(as_of, owner)
    own = own_addresses(owner)
    offered = [
        person
        for person in people
        if since <= person.noted_at < send_at and person.address not in book and person.address not in own
    ]
    offered.sort(key=lambda p: (-p.last_written.toordinal(), p.name or p.address, p.address))
    return offered[:MAX_NEW_PEOPLE]


def owner_addresses(owner: Owner) -> frozenset[str]:
    """The owner's addresses: the profile's email and every alias, lower case (the senders trusted as the owner)."""
    return frozenset(a.strip().lower() for a in (owner.email, *owner.aliases) if a and "@" in a)


def own_addresses(owner: Owner) -> frozenset[str]:
    """The owner's addresses and the logging address: none of them is a person to offer."""
    logging = owner.logging_address.strip().lower() if owner.logging_address else None
    return owner_addresses(owner) | ({logging} if logging else set())


def since_last_digest(as_of: date, owner: Owner) -> tuple[datetime, datetime]:
    """The time since the digest before the one of `as_of` (a day before, a week for a weekly owner) up to its
    send time. A digest reads its input after its send time, so what happened before that time is in it, and what
    happened after is in the next: each thing is said once, by the first digest after it."""
    before = as_of - digest_interval(owner)
    return send_instant(owner.timezone, before, owner.send_hour), send_instant(owner.timezone, as_of, owner.send_hour)


# --- replies to the digest ---------------------------------------------------------------------------------


def replies_shown(replies: Sequence[ReplyOutcome], as_of: date, owner: Owner) -> list[ReplyOutcome]:
    """The replies the digest of `as_of` opens with: those run since the digest before it (`since_last_digest`)."""
    since, send_at = since_last_digest(as_of, owner)
    return sorted((r for r in replies if since <= r.ran_at < send_at), key=lambda r: (r.ran_at, r.id))
