"""Export an owner's data: a JSON backup of everything, or the contacts as canonical CSV or vCard 4.0.

Every export reads back through `import_file` to the same state: the backup restores settings, contacts,
touches and life events with their ids; the CSV and the vCards bring back every contact field they hold
(the vCards keep circleback's own fields in X-CIRCLEBACK-* properties).
"""

from __future__ import annotations

from enum import StrEnum

from circleback.adapters.store.repository import NotFoundError, Repository
from circleback.formats.backup import dump_backup
from circleback.formats.csvfile import contact_order, write_contacts_csv
from circleback.formats.vcard import write_vcards


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
    contacts = sorted(repo.list_contacts(owner_id), key=contact_order)
    return write_contacts_csv(contacts) if chosen is ExportFormat.CSV else write_vcards(contacts)


def export_backup(repo: Repository, owner_id: str) -> str:
    """Settings, contacts, touches and life events: one Query of the owner's partition, as JSON.

    NotFoundError when the owner has no profile (nothing has been set up to back up).
    """
    partition = repo.load_digest_input(owner_id)
    if partition is None:
        raise NotFoundError(f"no account {owner_id!r} in this table: nothing to back up")
    return dump_backup(partition.owner, partition.contacts, partition.touches, partition.events)
