"""Export an owner's data: a JSON backup of everything, or the contacts as canonical CSV or vCard 4.0.

Every export reads back through `import_file` to the same state: the backup restores settings, contacts,
touches and life events with their ids; the CSV and the vCards bring back every contact field they hold
(the vCards keep circleback's own fields in X-CIRCLEBACK-* properties).

The CSV and the vCards have no touches: their `last_touch` is the contact's last touch as the digest counts it
(cadence.summarise: the latest of the imported date and every logged touch), so a store rebuilt from them falls
due on the same days. What they cannot carry is the run of unanswered notes that stretches a cadence (a rebuilt
contact starts with none) and when a never-touched contact was added; the JSON backup keeps everything.
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum

from circleback.adapters.store.repository import NotFoundError, Repository
from circleback.domain.model import Contact
from circleback.formats.backup import dump_backup
from circleback.formats.csvfile import contact_order, write_contacts_csv
from circleback.formats.vcard import write_vcards
from circleback.services.history import read_last_touches


class ExportFormat(StrEnum):
    JSON = "json"  # a full backup
    CSV = "csv"  # the contacts, canonical columns
    VCARD = "vcard"  # the contacts, vCard 4.0


def export(repo: Repository, owner_id: str, format: ExportFormat | str) -> str:
    """The owner's data in `format` as text.

    Write it as UTF-8; the CSV with a byte order mark (utf-8-sig), so that Excel shows accents right (every
    reader here skips the mark).
    """
    chosen = ExportFormat(format)
    if chosen is ExportFormat.JSON:
        return export_backup(repo, owner_id)
    contacts = sorted(contacts_as_last_touched(repo, owner_id), key=contact_order)
    return write_contacts_csv(contacts) if chosen is ExportFormat.CSV else write_vcards(contacts)


def contacts_as_last_touched(repo: Repository, owner_id: str) -> list[Contact]:
    """The owner's contacts, each with `last_touch` the last time they were in touch by the digest's rule
    (the imported date or a later logged touch): one Query of the partition.
    """
    contacts, last = read_last_touches(repo, owner_id)
    return [replace(contact, last_touch=last[contact.id]) for contact in contacts]


def export_backup(repo: Repository, owner_id: str) -> str:
    """Settings, contacts, touches and life events: one Query of the owner's partition, as JSON.

    NotFoundError when the owner has no profile (nothing has been set up to back up).
    """
    partition = repo.load_digest_input(owner_id)
    if partition is None:
        raise NotFoundError(f"no account {owner_id!r} in this table: nothing to back up")
    return dump_backup(
        partition.owner,
        partition.contacts,
        partition.touches,
        partition.events,
        partition.trips,
        partition.lunches,
        partition.favours,
        partition.reconnects,
        partition.shares,
    )
