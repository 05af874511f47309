"""Who lives where: cities compared by the keys the command line stored with them (adapters/gazetteer.py), never
by their spelling. Its own small module, so the link pages ask it without loading the planner."""

from __future__ import annotations

from circleback.domain.model import Contact, Owner


def lives_in(contact: Contact, city_key: str | None) -> bool:
    return city_key is not None and contact.city_key == city_key


def at_home(contact: Contact, owner: Owner) -> bool:
    """Whether the contact lives in the owner's home city: a coffee beats a message."""
    return lives_in(contact, owner.city_key)
