"""Import contact files: validate every row, match contacts already known, write the rest."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar

from circleback.adapters.store.repository import ConflictError, NotFoundError, Repository
from circleback.domain.model import Birthday, Contact, LifeEvent, Owner, Relationship, Tier, Touch
from circleback.domain.schedule import next_send_at
from circleback.formats.backup import BackupContact, ParsedBackup, parse_backup
from circleback.formats.csvfile import CONTACTS, EVENTS, TOUCHES, ParsedFile, RowError, RowNote, parse_csv
from circleback.formats.detect import FORMAT_NAMES, Format, detect_format, parse_contacts
from circleback.formats.rows import CONTACT_FIELDS, ContactRow, normalise_linkedin
from circleback.services.actions import WRITE_ATTEMPTS
from circleback.services.ids import content_id, event_id, new_id

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


class UnknownFormat(ValueError):
    """The file is in no format circleback reads, or the format asked for is not one."""


@dataclass(slots=True)
class ImportResult:
    """What `import_file` read the file as, and one report per kind of thing it holds."""

    format: Format
    reports: list[ImportReport]

    @property
    def rejected(self) -> int:
        return sum(report.rejected for report in self.reports)

    @property
    def written(self) -> bool:
        return all(report.written for report in self.reports)

    def summary(self) -> str:
        lines = [f"Read as {FORMAT_NAMES[self.format]}."]
        return "\n".join(lines + [report.summary() for report in self.reports])


def import_file(
    repo: Repository,
    owner_id: str,
    text: str,
    today: date,
    *,
    format: Format | str | None = None,
    filename: str | None = None,
    strict: bool = False,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> ImportResult:
    """Import any file circleback reads: its own contacts, touches or life events CSV, LinkedIn's
    Connections.csv, a Google Contacts CSV, vCards, or a circleback JSON backup. Without `format`, the content
    tells (else the `filename`'s extension); UnknownFormat when neither does.

    Contact files all take `import_contact_rows`: the same validation, matching and merge rule. A backup is
    restored (`restore_backup`); `now` schedules the digest of an owner it creates or whose settings it
    changes (default: the start of `today`, UTC, so a digest due today still goes out).
    `progress(done, total)` is called as rows are written; nothing is printed.
    """
    chosen = _format(format) if format is not None else detect_format(text, filename)
    if chosen is None:
        names = ", ".join(FORMAT_NAMES.values())
        raise UnknownFormat(f"cannot tell what kind of file this is; circleback reads {names}")
    if chosen is Format.JSON:
        moment = now or datetime.combine(today, time(), UTC)
        reports = restore_backup(repo, owner_id, text, today, now=moment, strict=strict, progress=progress)
        return ImportResult(chosen, reports)
    if chosen is Format.TOUCHES:
        return ImportResult(chosen, [import_touches(repo, owner_id, text, today, strict=strict)])
    if chosen is Format.EVENTS:
        return ImportResult(chosen, [import_events(repo, owner_id, text, today, strict=strict)])
    parsed = parse_contacts(text, chosen, today)
    return ImportResult(chosen, [import_contact_rows(repo, owner_id, parsed, today, strict=strict, progress=progress)])


def _format(name: Format | str) -> Format:
    try:
        return Format(name)
    except ValueError:
        raise UnknownFormat(f"unknown format {name!r}; the formats are {', '.join(Format)}") from None


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
    strict: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """The one path every contact file takes once read: match each row to a known contact, then write.

    A row matches a known contact by any of its emails, else its LinkedIn address, else its exact name
    (`ContactIndex.match_by`); a matched contact is updated by `merge`, never duplicated. Two rows of one file
    for one person, or a row that several known contacts match, are rejected with the reason.
    """
    report = ImportReport("contacts")
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
            before, merged, kept = update_contact(repo, owner_id, existing, row)
            report.kept.extend(RowNote(number, name, reason, unit) for name, reason in kept)
            if _visible(merged) != _visible(before):
                report.updated += 1
            else:
                report.unchanged += 1  # at most the import's own bookkeeping (`import_marks`) moved
        if progress is not None:
            progress(done, len(planned))
    return report


def update_contact(
    repo: Repository, owner_id: str, contact: Contact, row: ContactRow
) -> tuple[Contact, Contact, list[tuple[str, str]]]:
    """Merge the row over the contact and save it: the contact it was merged over, the result, what was kept.

    Optimistic: when the contact changed since it was read (a click logged a touch, another edit landed),
    it is read again and the row merged again, so neither change is lost.
    """
    for _ in range(WRITE_ATTEMPTS):
        merged, kept = merge(contact, row)
        if merged == contact:
            return contact, merged, kept
        try:
            repo.save_contact(owner_id, merged)
        except ConflictError:
            fresh = repo.get_contact(owner_id, contact.id)
            if fresh is None:
                raise NotFoundError(f"contact {contact.id} was deleted during the import") from None
            contact = fresh
            continue
        return contact, merged, kept
    raise ConflictError(f"contact {contact.id} kept changing; the row was not saved")


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
    for name in CONTACT_FIELDS:
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
    return _write_new(report, touches, lambda touch: repo.add_touch(owner_id, touch), strict)


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
        event = event_id(contact_id, row.date, row.kind, row.note, occurrences[content])
        events.append(LifeEvent(event, row.date, row.kind, contact_id, row.note))
    return _write_new(report, events, lambda event: repo.add_event(owner_id, event), strict)


def restore_backup(
    repo: Repository,
    owner_id: str,
    text: str,
    today: date,
    *,
    now: datetime,
    strict: bool = False,
    progress: Progress | None = None,
) -> list[ImportReport]:
    """Bring a JSON backup back: settings, contacts, touches and life events (one report each, in that order).

    Each backup contact replaces the table's contact with its id, else the one an import would match (by
    email, LinkedIn address or exact name), else is added under its own id; its touches and events follow
    it, keeping their ids, so restoring twice, or into the table the backup came from, writes nothing new.
    Contacts the table has and the backup does not are left alone. The owner's settings are written when
    they differ, and the digest is scheduled again from `now`.
    """
    parsed = parse_backup(text, today)
    settings, contacts, touches, events = (ImportReport(kind) for kind in ("settings", "contacts", "touches", "events"))
    reports = [settings, contacts, touches, events]
    by_unit = {"contact": contacts, "touch": touches, "event": events}
    for error in parsed.errors:
        by_unit.get(error.unit, settings).errors.append(error)
    planned, target = _plan_restore(repo.list_contacts(owner_id), parsed, contacts)
    restored_touches = [
        t.touch(target[t.contact_id]) for n, t in parsed.touches if _restored(n, t.contact_id, target, touches, "touch")
    ]
    restored_events = [
        e.event(target[e.contact_id] if e.contact_id else None)
        for n, e in parsed.events
        if e.contact_id is None or _restored(n, e.contact_id, target, events, "event")
    ]
    if _refused(reports, strict):
        return reports
    total = (parsed.owner is not None) + len(planned) + len(restored_touches) + len(restored_events)
    tick = _ticker(progress, total)
    if parsed.owner is not None:
        _restore_settings(repo, parsed.owner.settings(owner_id), now, settings)
        tick()
    for entry, existing in planned:
        if existing is None:
            repo.add_contact(owner_id, entry.contact(entry.id))
            contacts.imported += 1
        elif (restored := entry.contact(existing.id, existing.version)) != existing:
            repo.save_contact(owner_id, restored)
            contacts.updated += 1
        else:
            contacts.unchanged += 1
        tick()
    _write_new(touches, restored_touches, lambda touch: tick(repo.add_touch(owner_id, touch)), strict)
    _write_new(events, restored_events, lambda event: tick(repo.add_event(owner_id, event)), strict)
    return reports


def _plan_restore(
    table: list[Contact], parsed: ParsedBackup, report: ImportReport
) -> tuple[list[tuple[BackupContact, Contact | None]], dict[str, str]]:
    """Each backup contact with the table's contact it replaces (or None), and backup id -> table id."""
    by_id = {contact.id: contact for contact in table}
    claimed = {entry.id for _, entry in parsed.contacts if entry.id in by_id}
    index = ContactIndex([contact for contact in table if contact.id not in claimed])
    planned: list[tuple[BackupContact, Contact | None]] = []
    target: dict[str, str] = {}
    taken: dict[str, int] = {}
    for number, entry in parsed.contacts:
        existing = by_id.get(entry.id)
        if existing is None:
            key, matches = index.match_by(emails_of(entry), entry.linkedin_url, entry.name)
            if len(matches) > 1:
                report.errors.append(RowError(number, key, _ambiguous(key, len(matches), entry), "contact"))
                continue
            existing = matches[0] if matches else None
            if existing is not None and existing.id in taken:
                reason = f"the same contact as contact {taken[existing.id]}"
                report.errors.append(RowError(number, key, reason, "contact"))
                continue
        if existing is not None:
            taken[existing.id] = number
        target[entry.id] = existing.id if existing is not None else entry.id
        planned.append((entry, existing))
    return planned, target


def _restored(number: int, contact_id: str, target: dict[str, str], report: ImportReport, unit: str) -> bool:
    """Whether a touch's or event's contact is being restored; if not, the entry is refused with it."""
    if contact_id in target:
        return True
    reason = f"its contact {contact_id!r} was refused (see the contacts)"
    report.errors.append(RowError(number, "contact_id", reason, unit))
    return False


def _restore_settings(repo: Repository, desired: Owner, now: datetime, report: ImportReport) -> None:
    scheduled = replace(desired, next_send_at=next_send_at(desired, now))
    existing = repo.get_owner(desired.id)
    if existing is None:
        repo.create_owner_if_absent(scheduled)
        report.imported += 1
    elif replace(existing, next_send_at=None) == desired:
        report.unchanged += 1
    else:
        repo.put_owner(scheduled)
        report.updated += 1


def _ticker(progress: Progress | None, total: int) -> Callable[..., Any]:
    """A function to call once per item written: it reports progress and returns what it is given."""
    done = 0

    def tick(result: Any = None) -> Any:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)
        return result

    return tick


def _refused(reports: ImportReport | Sequence[ImportReport], strict: bool) -> bool:
    """Put each report's errors in row order; under --strict, any error in any of them means nothing is written."""
    reports = [reports] if isinstance(reports, ImportReport) else reports
    for report in reports:
        report.errors.sort(key=lambda e: (e.unit, e.row))  # cards apart from stray lines, each in order
    if strict and any(report.errors for report in reports):
        for report in reports:
            report.written = False
    return not all(report.written for report in reports)


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
