"""When each contact was last in touch, as the digest counts it: the imported `last_touch` or a later logged
touch (`domain/cadence.py summarise`, the one rule). The CSV and vCard exports write it, and an import of such a
file moves a contact's last touch only forward, so exporting and importing back changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from circleback.adapters.store.repository import Repository
from circleback.domain.cadence import chronological, summarise
from circleback.domain.model import Contact, Owner, Touch


def last_touches(contacts: Sequence[Contact], touches: Sequence[Touch]) -> dict[str, date | None]:
    """Each contact's id -> the day they were last in touch (None: never)."""
    by_contact: defaultdict[str, list[Touch]] = defaultdict(list)
    for touch in chronological(touches):
        by_contact[touch.contact_id].append(touch)
    return {contact.id: summarise(contact.last_touch, by_contact[contact.id]).last_touch for contact in contacts}


def read_last_touches(repo: Repository, owner_id: str) -> tuple[list[Contact], dict[str, date | None]]:
    """The owner's contacts and when each was last in touch: one Query of the partition."""
    # An account without settings may have contacts and touches (imported, or logged at the command line):
    # its partition is read the same way, keyed by its id.
    partition = repo.load_digest_input(owner_id) or repo.digest_input(Owner(id=owner_id))
    return list(partition.contacts), last_touches(partition.contacts, partition.touches)
