"""Import contact files: validate every row, match contacts already known, write the rest."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, TypeVar

from circleback.domain.model import Birthday, Contact, LifeEvent, Relationship, Tier, Touch
from circleback.importer.csvfile import CONTACTS, EVENTS, TOUCHES, ParsedFile, RowError, RowNote, parse_csv
from circleback.importer.rows import ContactRow, normalise_linkedin
from circleback.services.ids import content_id, new_id
from circleback.services.touches import log_touch
from circleback.store.repository import Repository

T = TypeVar("T")


Progress = Callable[[int, int], None]
"""Called with (rows done, rows to do) while an import writes, so a command line can draw a bar."""


@dataclass(slots=True)
class ImportReport:
    kind: str
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = True
    kept: list[RowNote] = field(default_factory=list)  # fields left as edited by hand (see `merge`)

    @property
    def rejected(self) -> int:
        return len(self.errors)

    def summary(self) -> str:
        text = (
            f"{self.kind}: {self.imported} imported, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.rejected} rejected"
        )
        if self.kept:
            text += f"; {len(self.kept)} {'field' if len(self.kept) == 1 else 'fields'} kept as edited by hand"
        return text if self.written else text + " (nothing written: --strict and some rows were rejected)"


class ContactIndex:
    """Finds the contact a row or a reference means: by email, else LinkedIn address, else exact name.

    A row may carry several addresses (a Google or vCard contact): any of them finds the contact.
    """

    def __init__(self, contacts: list[Contact]) -> None:
        self.by_email: dict[str, list[Any]] = defaultdict(list)
        self.by_linkedin: dict[str, list[Any]] = defaultdict(list)
        self.by_name: dict[str, list[Any]] = defaultdict(list)
        self.identity: dict[int, tuple[frozenset[str], str | None]] = {}
        for contact in contacts:
            self.add(contact, [contact.email] if contact.email else [], contact.linkedin_url, contact.name)

    def add(self, ref: Any, emails: Sequence[str], linkedin_url: str | None, name: str) -> None:
        email_keys = _email_keys(emails)
        linkedin_key = normalise_linkedin(linkedin_url) if linkedin_url else None
        self.identity[id(ref)] = (frozenset(email_keys), linkedin_key)
        for key in email_keys:
            self.by_email[key].append(ref)
        if linkedin_key:
            self.by_linkedin[linkedin_key].append(ref)
        self.by_name[name].append(ref)

    def match_by(self, emails: Sequence[str], linkedin_url: str | None, name: str) -> tuple[str | None, list[Any]]:
        """The field that matched and its candidates, by the first key that finds any.

        The email decides on its own (a person's LinkedIn address may change). A LinkedIn match whose
        email contradicts the row's, or a name match whose email or LinkedIn address does, is another
        person, never a match.
        """
        email_keys = _email_keys(emails)
        linkedin_key = normalise_linkedin(linkedin_url) if linkedin_url else None
        by_email = list({id(ref): ref for key in email_keys for ref in self.by_email.get(key, [])}.values())
        if by_email:
            return "email", by_email
        if linkedin_key:
            found = [ref for ref in self.by_linkedin.get(linkedin_key, []) if self._compatible(ref, email_keys, None)]
            if found:
                return "linkedin_url", found
        found = [ref for ref in self.by_name.get(name, []) if self._compatible(ref, email_keys, linkedin_key)]
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

    def _compatible(self, ref: Any, email_keys: Sequence[str], linkedin_key: str | None) -> bool:
        known_emails, known_linkedin = self.identity[id(ref)]
        if email_keys and known_emails and known_emails.isdisjoint(email_keys):
            return False
        return not (linkedin_key and known_linkedin and linkedin_key != known_linkedin)


def _email_keys(emails: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(email.casefold() for email in emails if email))


def emails_of(row: ContactRow) -> list[str]:
    return [*([row.email] if row.email else []), *row.other_emails]


def import_contacts(
    repo: Repository, owner_id: str, text: str, today: date, *, strict: bool = False, progress: Progress | None = None
) -> ImportReport:
    """Import the canonical contacts CSV (CONTACT_COLUMNS)."""
    return import_contact_rows(
        repo, owner_id, parse_csv(text, CONTACTS, today), today, strict=strict, progress=progress
    )


def import_contact_rows(
    repo: Repository,
    owner_id: str,
    parsed: ParsedFile[ContactRow],
    today: date,
    *,
    kind: str = "contacts",
    strict: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """The one path every contact file takes once read: match each row to a known contact, then write.

    A row matches a known contact by any of its emails, else its LinkedIn address, else its exact name
    (`ContactIndex.match_by`); a matched contact is updated by `merge`, never duplicated. Two rows of one file
    for one person, or a row that several known contacts match, are rejected with the reason.
    """
    report = ImportReport(kind)
    report.errors.extend(parsed.errors)
    unit = parsed.unit
    known = ContactIndex(repo.list_contacts(owner_id))
    earlier_rows = ContactIndex([])
    row_of_contact: dict[str, int] = {}  # a known contact's id -> the row that already updates it
    planned: list[tuple[int, ContactRow, Contact | None]] = []
    for number, row in parsed.rows:
        emails = emails_of(row)
        key, duplicate = earlier_rows.match_by(emails, row.linkedin_url, row.name)
        if duplicate:
            report.errors.append(RowError(number, key, f"the same contact as {unit} {duplicate[0]}", unit))
            continue
        earlier_rows.add(number, emails, row.linkedin_url, row.name)
        key, matches = known.match_by(emails, row.linkedin_url, row.name)
        if len(matches) > 1:
            report.errors.append(RowError(number, key, _ambiguous(key, len(matches), row), unit))
            continue
        existing: Contact | None = matches[0] if matches else None
        if existing is not None:
            if existing.id in row_of_contact:  # two rows, by different keys, for one known contact
                earlier = row_of_contact[existing.id]
                report.errors.append(RowError(number, key, f"the same contact as {unit} {earlier}", unit))
                continue
            row_of_contact[existing.id] = number
        planned.append((number, row, existing))
    if _refused(report, strict):
        return report
    for done, (number, row, existing) in enumerate(planned, 1):
        if existing is None:
            repo.add_contact(owner_id, new_contact(row, today))
            report.imported += 1
        else:
            merged, kept = merge(existing, row)
            report.kept.extend(RowNote(number, name, reason, unit) for name, reason in kept)
            if merged != existing:
                repo.save_contact(owner_id, merged)
            if _visible(merged) != _visible(existing):
                report.updated += 1
            else:
                report.unchanged += 1  # at most the import's own bookkeeping (`import_marks`) moved
        if progress is not None:
            progress(done, len(planned))
    return report


def new_contact(row: ContactRow, today: date) -> Contact:
    contact, _ = merge(Contact(id=new_id(), name=row.name, created_on=today), row)
    return contact


def merge(contact: Contact, row: ContactRow) -> tuple[Contact, list[tuple[str, str]]]:
    """The contact with what the row says, and the fields it kept against the row, each with the reason.

    The rule, field by field, for a row's non-empty cell (an empty cell never changes anything):

    - the same value, however written (an email's case, a LinkedIn address's http or trailing slash, or an
      address among the row's several), changes nothing, and the value is the import's from now on;
    - a different value replaces the known one when nobody changed that field by hand since an import wrote
      it: its value still matches the digest in `import_marks`, or it was never set (empty, or the default
      tier, relationship or pause);
    - otherwise the known value was typed or changed by hand, and it stays: no import, of this file or an
      older one, overwrites it. The caller reports it, so the user can change it by hand if the file is right.

    So re-importing a file changes nothing, a newer export updates what the last import wrote, and a hand
    edit (which never touches `import_marks`) wins over any import until the user edits the field again.
    """
    marks = dict(contact.import_marks)
    changes: dict[str, Any] = {}
    kept: list[tuple[str, str]] = []
    row_emails = {email.casefold() for email in emails_of(row)}
    for name in _CONTACT_FIELDS:
        offered = getattr(row, name)
        if offered is None:
            continue
        current = getattr(contact, name)
        if name == "email" and current and current.casefold() in row_emails:
            same = True
        else:
            same = _comparable(name, current) == _comparable(name, offered)
        if same:
            marks[name] = _mark(name, current)
        elif _imported_or_unset(name, current, marks):
            changes[name] = offered
            marks[name] = _mark(name, offered)
        else:
            kept.append((name, f"kept {_shown(current)}, as set by hand; the file has {_shown(offered)}"))
    return replace(contact, **changes, import_marks=tuple(sorted(marks.items()))), kept


_CONTACT_FIELDS = tuple(name for name in ContactRow.model_fields if name in Contact.__dataclass_fields__)
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


def _plain(value: Any) -> str:
    if isinstance(value, date | Birthday):
        return value.isoformat()
    if isinstance(value, tuple):
        return "\x1f".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _mark(name: str, value: Any) -> str:
    """A short digest of the value an import wrote: enough to tell whether it changed, small to store."""
    return content_id(name, _plain(_comparable(name, value)))[:12]


def _shown(value: Any) -> str:
    text = "; ".join(value) if isinstance(value, tuple) else _plain(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _visible(contact: Contact) -> Contact:
    return replace(contact, import_marks=())


def _ambiguous(key: str | None, count: int, row: ContactRow) -> str:
    if key == "email":
        emails = emails_of(row)
        if len(emails) > 1:
            return f"{count} contacts have one of the emails {', '.join(map(repr, emails))}"
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
