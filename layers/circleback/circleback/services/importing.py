"""Import the canonical CSV files: validate every row, match contacts already known, write the rest."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, TypeVar

from circleback.domain.model import Contact, LifeEvent, Touch
from circleback.importer.csvfile import CONTACTS, EVENTS, TOUCHES, RowError, parse_csv
from circleback.importer.rows import ContactRow, normalise_linkedin
from circleback.services.actions import WRITE_ATTEMPTS
from circleback.services.ids import content_id, new_id
from circleback.services.touches import log_touch
from circleback.store.repository import ConflictError, NotFoundError, Repository

T = TypeVar("T")


@dataclass(slots=True)
class ImportReport:
    kind: str
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = True

    @property
    def rejected(self) -> int:
        return len(self.errors)

    def summary(self) -> str:
        text = (
            f"{self.kind}: {self.imported} imported, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.rejected} rejected"
        )
        return text if self.written else text + " (nothing written: --strict and some rows were rejected)"


class ContactIndex:
    """Finds the contact a row or a reference means: by email, else LinkedIn address, else exact name."""

    def __init__(self, contacts: list[Contact]) -> None:
        self.by_email: dict[str, list[Any]] = defaultdict(list)
        self.by_linkedin: dict[str, list[Any]] = defaultdict(list)
        self.by_name: dict[str, list[Any]] = defaultdict(list)
        self.identity: dict[int, tuple[str | None, str | None]] = {}
        for contact in contacts:
            self.add(contact, contact.email, contact.linkedin_url, contact.name)

    def add(self, ref: Any, email: str | None, linkedin_url: str | None, name: str) -> None:
        email_key = email.casefold() if email else None
        linkedin_key = normalise_linkedin(linkedin_url) if linkedin_url else None
        self.identity[id(ref)] = (email_key, linkedin_key)
        if email_key:
            self.by_email[email_key].append(ref)
        if linkedin_key:
            self.by_linkedin[linkedin_key].append(ref)
        self.by_name[name].append(ref)

    def match(self, email: str | None, linkedin_url: str | None, name: str) -> list[Any]:
        """Candidates by email, else LinkedIn address, else exact name (see `match_by`)."""
        return self.match_by(email, linkedin_url, name)[1]

    def match_by(self, email: str | None, linkedin_url: str | None, name: str) -> tuple[str | None, list[Any]]:
        """The field that matched and its candidates, by the first key that finds any.

        The email decides on its own (a person's LinkedIn address may change). A LinkedIn match whose
        email contradicts the row's, or a name match whose email or LinkedIn address does, is another
        person, never a match.
        """
        email_key = email.casefold() if email else None
        linkedin_key = normalise_linkedin(linkedin_url) if linkedin_url else None
        if email_key and (found := self.by_email.get(email_key, [])):
            return "email", list(found)
        if linkedin_key:
            found = [ref for ref in self.by_linkedin.get(linkedin_key, []) if self._compatible(ref, email_key, None)]
            if found:
                return "linkedin_url", found
        found = [ref for ref in self.by_name.get(name, []) if self._compatible(ref, email_key, linkedin_key)]
        return ("name", found) if found else (None, [])

    def resolve(self, reference: str) -> tuple[Any | None, str | None]:
        """A touch's or event's `contact` cell: an email or an exact name."""
        by_email = "@" in reference
        found = self.by_email.get(reference.casefold(), []) if by_email else self.by_name.get(reference, [])
        if not found:
            return None, f"no contact with the {'email' if by_email else 'name'} {reference!r}"
        if len(found) > 1:
            if by_email:
                return None, f"{len(found)} contacts have the email {reference!r}"
            return None, f"{len(found)} contacts are called {reference!r}; use the email instead"
        return found[0], None

    def _compatible(self, ref: Any, email_key: str | None, linkedin_key: str | None) -> bool:
        known_email, known_linkedin = self.identity[id(ref)]
        if email_key and known_email and email_key != known_email:
            return False
        return not (linkedin_key and known_linkedin and linkedin_key != known_linkedin)


def import_contacts(repo: Repository, owner_id: str, text: str, today: date, *, strict: bool = False) -> ImportReport:
    report = ImportReport("contacts")
    parsed = parse_csv(text, CONTACTS, today)
    report.errors.extend(parsed.errors)
    known = ContactIndex(repo.list_contacts(owner_id))
    earlier_rows = ContactIndex([])
    row_of_contact: dict[str, int] = {}  # a known contact's id -> the row that already updates it
    planned: list[tuple[ContactRow, Contact | None]] = []
    for number, row in parsed.rows:
        key, duplicate = earlier_rows.match_by(row.email, row.linkedin_url, row.name)
        if duplicate:
            report.errors.append(RowError(number, key, f"the same contact as row {duplicate[0]}"))
            continue
        earlier_rows.add(number, row.email, row.linkedin_url, row.name)
        key, matches = known.match_by(row.email, row.linkedin_url, row.name)
        if len(matches) > 1:
            report.errors.append(RowError(number, key, _ambiguous(key, len(matches), row)))
            continue
        existing: Contact | None = matches[0] if matches else None
        if existing is not None:
            if existing.id in row_of_contact:  # two rows, by different keys, for one known contact
                earlier = row_of_contact[existing.id]
                report.errors.append(RowError(number, key, f"the same contact as row {earlier}"))
                continue
            row_of_contact[existing.id] = number
        planned.append((row, existing))
    if _refused(report, strict):
        return report
    for row, existing in planned:
        if existing is None:
            repo.add_contact(owner_id, new_contact(row, today))
            report.imported += 1
        elif update_contact(repo, owner_id, existing, row):
            report.updated += 1
        else:
            report.unchanged += 1
    return report


def update_contact(repo: Repository, owner_id: str, contact: Contact, row: ContactRow) -> bool:
    """Save the row's fields over the contact; False when they change nothing.

    Optimistic: when the contact changed since it was read (a click logged a touch, another edit landed),
    it is read again and the row merged again, so neither change is lost.
    """
    for _ in range(WRITE_ATTEMPTS):
        merged = merge(contact, row)
        if merged == contact:
            return False
        try:
            repo.save_contact(owner_id, merged)
        except ConflictError:
            fresh = repo.get_contact(owner_id, contact.id)
            if fresh is None:
                raise NotFoundError(f"contact {contact.id} was deleted during the import") from None
            contact = fresh
            continue
        return True
    raise ConflictError(f"contact {contact.id} kept changing; the row was not saved")


def new_contact(row: ContactRow, today: date) -> Contact:
    return merge(Contact(id=new_id(), name=row.name, created_on=today), row)


def merge(contact: Contact, row: ContactRow) -> Contact:
    """The contact with every field the row fills in; an empty cell keeps what is known.

    An email or LinkedIn address that only differs in how it is written (case, http, a trailing slash)
    is the one already known: re-importing another export of the same people changes nothing.
    """
    given = {name: value for name in _CONTACT_FIELDS if (value := getattr(row, name)) is not None}
    if row.email and contact.email and row.email.casefold() == contact.email.casefold():
        del given["email"]
    if (
        row.linkedin_url
        and contact.linkedin_url
        and normalise_linkedin(row.linkedin_url) == normalise_linkedin(contact.linkedin_url)
    ):
        del given["linkedin_url"]
    return replace(contact, **given)


_CONTACT_FIELDS = frozenset(ContactRow.model_fields) & frozenset(Contact.__dataclass_fields__)


def _ambiguous(key: str | None, count: int, row: ContactRow) -> str:
    if key == "email":
        return f"{count} contacts have the email {row.email!r}"
    if key == "linkedin_url":
        return f"{count} contacts have the LinkedIn address {row.linkedin_url!r}"
    return f"{count} contacts are called {row.name!r}; add their email to tell them apart"


def import_touches(repo: Repository, owner_id: str, text: str, today: date, *, strict: bool = False) -> ImportReport:
    report = ImportReport("touches")
    parsed = parse_csv(text, TOUCHES, today)
    report.errors.extend(parsed.errors)
    index = ContactIndex(repo.list_contacts(owner_id))
    occurrences: Counter[tuple[Any, ...]] = Counter()
    touches: list[Touch] = []
    for number, row in parsed.rows:
        contact, problem = index.resolve(row.contact)
        if contact is None:
            report.errors.append(RowError(number, "contact", problem or "unknown contact"))
            continue
        content = (contact.id, row.date, row.direction, row.channel, row.note or "")
        occurrences[content] += 1  # two identical coffees on one day are two touches
        touch_id = content_id("touch", *content, occurrences[content])
        touches.append(Touch(touch_id, contact.id, row.date, row.direction, row.channel, row.note, source="import"))
    return _write_new(report, touches, lambda touch: log_touch(repo, owner_id, touch), strict)


def import_events(repo: Repository, owner_id: str, text: str, today: date, *, strict: bool = False) -> ImportReport:
    report = ImportReport("events")
    parsed = parse_csv(text, EVENTS, today)
    report.errors.extend(parsed.errors)
    index = ContactIndex(repo.list_contacts(owner_id))
    events: list[LifeEvent] = []
    occurrences: Counter[tuple[Any, ...]] = Counter()
    for number, row in parsed.rows:
        contact_id: str | None = None
        if row.contact is not None:
            contact, problem = index.resolve(row.contact)
            if contact is None:
                report.errors.append(RowError(number, "contact", problem or "unknown contact"))
                continue
            contact_id = contact.id
        content = (contact_id or "", row.date, row.kind, row.note or "")
        occurrences[content] += 1
        events.append(
            LifeEvent(content_id("event", *content, occurrences[content]), row.date, row.kind, contact_id, row.note)
        )
    return _write_new(report, events, lambda event: repo.add_event(owner_id, event), strict)


def _refused(report: ImportReport, strict: bool) -> bool:
    """Put the errors in row order; under --strict, any error means nothing is written."""
    report.errors.sort(key=lambda e: e.row)
    if strict and report.errors:
        report.written = False
    return not report.written


def _write_new(report: ImportReport, items: Sequence[T], write: Callable[[T], bool], strict: bool) -> ImportReport:
    """Write each item; `write` says False when the item was already there (a re-import)."""
    if _refused(report, strict):
        return report
    for item in items:
        if write(item):
            report.imported += 1
        else:
            report.unchanged += 1
    return report
