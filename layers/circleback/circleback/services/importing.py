"""Import contact files: validate every row, match contacts already known, write the rest."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from typing import Any

from circleback.adapters.store.repository import ConflictError, NotFoundError, Repository
from circleback.domain.ids import content_id, event_id
from circleback.domain.matching import ContactIndex
from circleback.domain.merge import merge as merge_row
from circleback.domain.model import Contact, LifeEvent, Owner, Touch
from circleback.domain.schedule import next_send_at
from circleback.formats.backup import BackupContact, ParsedBackup, parse_backup
from circleback.formats.csvfile import CONTACTS, EVENTS, TOUCHES, ParsedFile, RowError, RowNote, parse_csv
from circleback.formats.detect import (
    FORMAT_NAMES,
    Format,
    a_or_an,
    content_format,
    detect_format,
    parse_contacts,
    unknown_format_reason,
)
from circleback.formats.rows import CONTACT_FIELDS, ContactRow
from circleback.services.history import read_last_touches
from circleback.services.ids import new_id
from circleback.services.retries import retrying

Progress = Callable[[int, int], None]
"""Called with (rows done, rows to do) while an import writes, so a command line can draw a bar."""
NEW_CONTACTS_BATCH = 100  # new contacts go to the store this many at a time: one transaction (add_contacts)


@dataclass(slots=True)
class ImportReport:
    """What became of every record of one kind: imported, updated, unchanged, skipped (harmless, with why) or
    rejected (with why: the import exits 1); warnings are about records that were imported all the same.
    """

    kind: str
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = True
    kept: list[RowNote] = field(default_factory=list)  # fields left as edited by hand (see `merge`)
    skipped: list[RowNote] = field(default_factory=list)
    warnings: list[RowNote] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.errors)

    def summary(self) -> str:
        text = (
            f"{self.kind}: {self.imported} imported, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.skipped)} skipped, {self.rejected} rejected"
        )
        extras = [_counted(len(self.warnings), "warning")] if self.warnings else []
        if self.kept:
            extras.append(f"{_counted(len(self.kept), 'field')} kept as edited by hand")
        if extras:
            text += "; " + "; ".join(extras)
        return text if self.written else text + " (nothing written: --strict and some rows were rejected)"

    def notes(self) -> list[RowNote]:
        """Every line about a record, in the file's order: refusals, skips, warnings and fields kept."""
        return sorted([*self.errors, *self.skipped, *self.warnings, *self.kept], key=lambda note: (note.unit, note.row))


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def emails_of(row: ContactRow) -> list[str]:
    return [*([row.email] if row.email else []), *row.other_emails]


class UnknownFormat(ValueError):
    """The file is in no format circleback reads, the format asked for is not one, or the content shows another
    format than the one asked for; the message says what was recognised."""


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
    Connections.csv, a Google Contacts, Outlook or Thunderbird CSV, vCards, or a circleback JSON backup. Without
    `format`, the content tells (else the `filename`'s extension); UnknownFormat when neither does, or when the
    content shows another format than the `format` asked for.

    Contact files all take `import_contact_rows`: the same validation, matching and merge rule. A backup is
    restored (`restore_backup`); `now` schedules the digest of an owner it creates or whose settings it
    changes (default: the start of `today`, UTC, so a digest due today still goes out).
    `progress(done, total)` is called as rows are written; nothing is printed.
    """
    chosen = _chosen_format(text, format, filename)
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


def _chosen_format(text: str, format: Format | str | None, filename: str | None) -> Format:
    """The format asked for, unless the content shows another; else the one the content (or extension) shows."""
    if format is None:
        found = detect_format(text, filename)
        if found is None:
            raise UnknownFormat(unknown_format_reason(text))
        return found
    asked = _format(format)
    shown = content_format(text)
    if shown is not None and shown is not asked:
        raise UnknownFormat(
            f"asked to read {a_or_an(FORMAT_NAMES[asked])} (format {asked.value}), but this looks like "
            f"{a_or_an(FORMAT_NAMES[shown])}: leave the format out to read it as one"
        )
    return asked


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

    Each update is its own versioned write; new contacts are written NEW_CONTACTS_BATCH at a time
    (`Repository.add_contacts`), and `progress` hears of each of a batch's rows as the batch lands.
    """
    report = ImportReport("contacts")
    report.errors.extend(parsed.errors)
    report.skipped.extend(parsed.skipped)
    report.warnings.extend(parsed.warnings)
    unit = parsed.unit
    rows_by_number = dict(parsed.rows)
    if any(row.last_touch for _, row in parsed.rows):  # an export's rows: their last touch moves only forward
        contacts, last_touched = read_last_touches(repo, owner_id)
    else:
        contacts, last_touched = repo.list_contacts(owner_id), {}
    known = ContactIndex(contacts)
    earlier_rows = ContactIndex([])
    row_of_contact: dict[str, int] = {}  # a known contact's id -> the row that already updates it
    planned: list[tuple[int, ContactRow, Contact | None]] = []
    for number, row in parsed.rows:
        emails = emails_of(row)
        key, duplicate = earlier_rows.match_by(emails, row.linkedin_url, row.name)
        if duplicate:
            if rows_by_number[duplicate[0]] == row:  # the same record twice: nothing is lost by reading it once
                report.skipped.append(RowNote(number, None, f"skipped: the same as {unit} {duplicate[0]}", unit))
            else:
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
            row = _not_before(row, last_touched.get(existing.id))
        planned.append((number, row, existing))
    if _refused(report, strict):
        return report
    written = _Written(report, progress, len(planned))
    pending: list[Contact] = []  # new contacts: they go to the store a batch at a time (Repository.add_contacts)
    for number, row, existing in planned:
        if existing is None:
            pending.append(new_contact(row, today))
            if len(pending) == NEW_CONTACTS_BATCH:
                repo.add_contacts(owner_id, pending, written.imported)
                pending.clear()
            continue
        before, merged, kept = update_contact(repo, owner_id, existing, row)
        report.kept.extend(RowNote(number, name, reason, unit) for name, reason in kept)
        if _visible(merged) != _visible(before):
            report.updated += 1
        else:
            report.unchanged += 1  # at most the import's own bookkeeping (`import_marks`) moved
        written.rows(1)
    if pending:
        repo.add_contacts(owner_id, pending, written.imported)
    return report


@dataclass(slots=True)
class _Written:
    """Counts the rows whose writes landed, for the report and for `progress`, which hears of every row (those of a
    batch as soon as it lands), so a bar moves as before and ends at the total."""

    report: ImportReport
    progress: Progress | None
    total: int
    done: int = 0

    def imported(self, count: int) -> None:
        self.report.imported += count
        self.rows(count)

    def rows(self, count: int) -> None:
        for _ in range(count):
            self.done += 1
            if self.progress is not None:
                self.progress(self.done, self.total)


def _not_before(row: ContactRow, last_touched: date | None) -> ContactRow:
    """The row without a `last_touch` that is not after the contact's own (services/history.py): an export
    imported back changes nothing, and an older file never undoes a touch logged since.
    """
    if row.last_touch is None or last_touched is None or row.last_touch > last_touched:
        return row
    return row.model_copy(update={"last_touch": None})


def update_contact(
    repo: Repository, owner_id: str, contact: Contact, row: ContactRow
) -> tuple[Contact, Contact, list[tuple[str, str]]]:
    """Merge the row over the contact and save it: the contact it was merged over, the result, what was kept.

    Optimistic: when the contact changed since it was read (a click logged a touch, another edit landed),
    it is read again and the row merged again, so neither change is lost.
    """
    current = contact

    def attempt() -> tuple[Contact, Contact, list[tuple[str, str]]] | None:
        nonlocal current
        merged, kept = merge(current, row)
        if merged == current:
            return current, merged, kept
        try:
            repo.save_contact(owner_id, merged)
        except ConflictError:
            fresh = repo.get_contact(owner_id, contact.id)
            if fresh is None:
                raise NotFoundError(f"contact {contact.id} was deleted during the import") from None
            current = fresh
            return None
        return current, merged, kept

    return retrying(attempt, f"contact {contact.id} kept changing; the row was not saved")


def new_contact(row: ContactRow, today: date) -> Contact:
    contact, _ = merge(Contact(id=new_id(), name=row.name, created_on=today), row)
    return contact


def merge(contact: Contact, row: ContactRow) -> tuple[Contact, list[tuple[str, str]]]:
    """The row merged over the contact by the domain's one merge rule (domain/merge.py)."""
    return merge_row(contact, {name: getattr(row, name) for name in CONTACT_FIELDS}, emails_of(row))


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

    def landed(count: int) -> None:
        contacts.imported += count
        for _ in range(count):
            tick()

    pending: list[Contact] = []  # new contacts go a batch at a time, as a contacts file's do
    for entry, existing in planned:
        if existing is None:
            pending.append(entry.contact(entry.id))
            if len(pending) == NEW_CONTACTS_BATCH:
                repo.add_contacts(owner_id, pending, landed)
                pending.clear()
            continue
        if (restored := entry.contact(existing.id, existing.version)) != existing:
            repo.save_contact(owner_id, restored)
            contacts.updated += 1
        else:
            contacts.unchanged += 1
        tick()
    if pending:
        repo.add_contacts(owner_id, pending, landed)
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


def _write_new[T](report: ImportReport, items: Sequence[T], write: Callable[[T], bool], strict: bool) -> ImportReport:
    """Write each item; `write` says False when the item was already there (a re-import)."""
    if _refused(report, strict):
        return report
    for item in items:
        if write(item):
            report.imported += 1
        else:
            report.unchanged += 1
    return report
