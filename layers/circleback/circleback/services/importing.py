"""Import contact files: validate every row, match contacts already known, write the rest."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from typing import Any

from circleback.adapters.store.repository import ConflictError, NotFoundError, Repository
from circleback.domain.changes import FieldChange, field_changes
from circleback.domain.ids import content_id, event_id
from circleback.domain.matching import ContactIndex
from circleback.domain.merge import as_last_imported
from circleback.domain.merge import merge as merge_row
from circleback.domain.model import Contact, EventKind, LifeEvent, Owner, Tier, Touch
from circleback.domain.sorting import job_news
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
from circleback.services.import_report import (
    NEW_CONTACTS_BATCH,
    ImportReport,
    Progress,
    ambiguous,
    emails_of,
    refused,
    write_new,
)
from circleback.services.places import located
from circleback.services.restoring import Confirm, restore_backup
from circleback.services.retries import retrying


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

    @property
    def changes(self) -> list[FieldChange]:
        return [change for report in self.reports for change in report.changes]

    def summary(self) -> str:
        read = f"Read as {FORMAT_NAMES[self.format]}."
        if any(report.dry_run for report in self.reports):
            read += " A dry run: nothing was written."
        return "\n".join([read] + [report.summary() for report in self.reports])


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
    dry_run: bool = False,
    confirm: Confirm | None = None,
    tier: Tier | None = None,
) -> ImportResult:
    """Import any file circleback reads: its own contacts, touches or life events CSV, LinkedIn's
    Connections.csv, a Google Contacts, Outlook or Thunderbird CSV, vCards, or a circleback JSON backup. Without
    `format`, the content tells (else the `filename`'s extension); UnknownFormat when neither does, or when the
    content shows another format than the `format` asked for.

    Contact files all take `import_contact_rows`: the same validation, matching and merge rule. A backup is
    restored (`restore_backup`); `now` schedules the digest of an owner it creates or whose settings it
    changes (default: the start of `today`, UTC, so a digest due today still goes out); a restore that would
    put back values the table has asks `confirm` first.
    Other products' contacts come in unsorted unless `tier` sorts them (`Sorting`).
    `progress(done, total)` is called as rows are written; nothing is printed. With `dry_run`, nothing is
    written, and the reports count what would be and name every value an update would change.
    """
    chosen = _chosen_format(text, format, filename)
    if chosen is Format.JSON:
        moment = now or datetime.combine(today, time(), UTC)
        reports = restore_backup(
            repo, owner_id, text, today, now=moment, strict=strict, progress=progress, dry_run=dry_run, confirm=confirm
        )
        return ImportResult(chosen, reports)
    if chosen is Format.TOUCHES:
        return ImportResult(chosen, [import_touches(repo, owner_id, text, today, strict=strict, dry_run=dry_run)])
    if chosen is Format.EVENTS:
        return ImportResult(chosen, [import_events(repo, owner_id, text, today, strict=strict, dry_run=dry_run)])
    parsed = parse_contacts(text, chosen, today)
    sorting = Sorting(tier, unsorted=chosen is not Format.CSV, today=today)  # circleback's own rows are sorted
    report = import_contact_rows(
        repo, owner_id, parsed, today, strict=strict, progress=progress, dry_run=dry_run, sorting=sorting
    )
    return ImportResult(chosen, [report])


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
    dry_run: bool = False,
    sorting: Sorting | None = None,
) -> ImportReport:
    """The one path every contact file takes once read: match each row to a known contact, then write.

    A row matches a known contact by any of its emails, else its LinkedIn address, else its exact name
    (`ContactIndex.match_by`); a matched contact is updated by `merge`, never duplicated. Two rows of one file
    for one person, or a row that several known contacts match, are rejected with the reason.

    Each update is its own versioned write; new contacts are written NEW_CONTACTS_BATCH at a time
    (`Repository.add_contacts`), and `progress` hears of each of a batch's rows as the batch lands. A dry run
    merges each row as the import would and writes nothing.

    `sorting` says whether new contacts come in unsorted, or sorted into a tier (docs/design.md, "Sorting the
    network"). A known contact's new company or title is recorded as their news (`job_news`), once, even when
    the field itself is kept as edited by hand.
    """
    sorting = sorting or Sorting()
    report = ImportReport("contacts", dry_run=dry_run)
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
            report.errors.append(RowError(number, key, ambiguous(key, len(matches), row), unit))
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
    news = _JobNews(repo, owner_id, today, report, unit)
    for number, row, existing in planned:
        if existing is not None:
            news.look(number, existing, row)
    if refused(report, strict) or (dry_run and _foreseen(report, planned, unit, sorting)):
        return report
    written = _Written(report, progress, len(planned))
    pending: list[Contact] = []  # new contacts: they go to the store a batch at a time (Repository.add_contacts)
    for number, row, existing in planned:
        if existing is None:
            pending.append(sorting.new(new_contact(row, today), row))
            if len(pending) == NEW_CONTACTS_BATCH:
                repo.add_contacts(owner_id, pending, written.imported)
                pending.clear()
            continue
        before, merged, kept = update_contact(repo, owner_id, existing, row, sorting.known)
        _count_update(report, number, unit, before, merged, kept)
        written.rows(1)
    if pending:
        repo.add_contacts(owner_id, pending, written.imported)
    news.write()
    return report


@dataclass(frozen=True, slots=True)
class Sorting:
    """How an import sorts what it brings in: into `tier` (`import --tier`), or new contacts left `unsorted`
    for the owner to sort (other products' files: LinkedIn, Google, Outlook, Thunderbird, vCard) unless their
    row carries a tier or relationship."""

    tier: Tier | None = None
    unsorted: bool = False
    today: date | None = None

    def new(self, contact: Contact, row: ContactRow) -> Contact:
        if self.tier is not None:  # sorted as it comes in: spread from its import day, as any sorted import
            return replace(contact, tier=self.tier)
        if self.unsorted and row.tier is None and row.relationship is None:
            return replace(contact, unsorted=True)
        return contact

    def known(self, contact: Contact) -> Contact:
        """A known contact after the merge: `--tier` sorts one still unsorted, and leaves a sorted one's tier."""
        if self.tier is not None and contact.unsorted:
            return replace(contact, tier=self.tier, unsorted=False, sorted_on=self.today)
        return contact


@dataclass(slots=True)
class _JobNews:
    """A known contact's new job or promotion, as a re-import shows it: one `new_job` or `promotion` life event,
    dated the import's day, unless the same news (kind and note) is already recorded for them."""

    repo: Repository
    owner_id: str
    today: date
    report: ImportReport
    unit: str
    found: list[LifeEvent] = field(default_factory=list)
    _recorded: set[tuple[str | None, EventKind, str | None]] | None = None

    def look(self, number: int, contact: Contact, row: ContactRow) -> None:
        # Against what the last import wrote: an older file after a hand edit (or the same file again) is no news.
        company, title = (
            None if as_last_imported(contact, name, getattr(row, name)) else getattr(row, name)
            for name in ("company", "title")
        )
        news = job_news(contact.company, contact.title, company, title)
        if news is None:
            return
        kind, note = news
        if self._recorded is None:  # read once, and only when some news is found
            self._recorded = {(e.contact_id, e.kind, e.note) for e in self.repo.list_events(self.owner_id)}
        if (contact.id, kind, note) in self._recorded:
            return
        self._recorded.add((contact.id, kind, note))
        self.found.append(LifeEvent(event_id(contact.id, self.today, kind, note), self.today, kind, contact.id, note))
        what = "a new job" if kind is EventKind.NEW_JOB else "a promotion"
        self.report.news.append(
            RowNote(
                number,
                "company" if kind is EventKind.NEW_JOB else "title",
                f"{contact.name}: {what} ({note}); the digest says congratulate",
                self.unit,
            )
        )

    def write(self) -> None:
        for event in self.found:
            self.repo.add_event(self.owner_id, event)


def _count_update(
    report: ImportReport, number: int, unit: str, before: Contact, merged: Contact, kept: list[tuple[str, str]]
) -> None:
    report.kept.extend(RowNote(number, name, reason, unit) for name, reason in kept)
    if _visible(merged) != _visible(before):
        report.updated += 1
        report.changes.extend(field_changes(before.name, before, merged))
    else:
        report.unchanged += 1  # at most the import's own bookkeeping (`import_marks`) moved


def _foreseen(
    report: ImportReport,
    planned: list[tuple[int, ContactRow, Contact | None]],
    unit: str,
    sorting: Sorting,
) -> bool:
    """A dry run's counts: each row merged as the import would merge it, nothing written."""
    for number, row, existing in planned:
        if existing is None:
            report.imported += 1
        else:
            merged, kept = merge(existing, row)
            _count_update(report, number, unit, existing, sorting.known(merged), kept)
    return True


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
    repo: Repository,
    owner_id: str,
    contact: Contact,
    row: ContactRow,
    then: Callable[[Contact], Contact] | None = None,
) -> tuple[Contact, Contact, list[tuple[str, str]]]:
    """Merge the row over the contact and save it: the contact it was merged over, the result, what was kept.

    Optimistic: when the contact changed since it was read (a click logged a touch, another edit landed),
    it is read again and the row merged again, so neither change is lost.
    """
    current = contact

    def attempt() -> tuple[Contact, Contact, list[tuple[str, str]]] | None:
        nonlocal current
        merged, kept = merge(current, row)
        merged = then(merged) if then else merged
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
    """The row merged over the contact by the domain's one merge rule (domain/merge.py), its city keyed."""
    merged, kept = merge_row(contact, {name: getattr(row, name) for name in CONTACT_FIELDS}, emails_of(row))
    return located(merged), kept


def _visible(contact: Contact) -> Contact:
    return replace(contact, import_marks=())


def import_touches(
    repo: Repository, owner_id: str, text: str, today: date, *, strict: bool = False, dry_run: bool = False
) -> ImportReport:
    """Import a touches CSV (contact,date,direction,channel,note); each touch's id is its content, so a file
    imported twice writes each touch once."""
    report = ImportReport("touches")
    parsed = parse_csv(text, TOUCHES, today)
    report.errors.extend(parsed.errors)
    table = repo.digest_input(Owner(id=owner_id)) if dry_run else None
    index = ContactIndex(table.contacts if table else repo.list_contacts(owner_id))
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
    if table is not None:
        present = {(touch.contact_id, touch.id) for touch in table.touches}
        return write_new(
            report, touches, lambda touch: (touch.contact_id, touch.id) not in present, strict, dry_run=True
        )
    return write_new(report, touches, lambda touch: repo.add_touch(owner_id, touch), strict)


def import_events(
    repo: Repository, owner_id: str, text: str, today: date, *, strict: bool = False, dry_run: bool = False
) -> ImportReport:
    """Import a life events CSV (contact,date,kind,note); as with touches, each event's id is its content."""
    report = ImportReport("events")
    parsed = parse_csv(text, EVENTS, today)
    report.errors.extend(parsed.errors)
    table = repo.digest_input(Owner(id=owner_id)) if dry_run else None
    index = ContactIndex(table.contacts if table else repo.list_contacts(owner_id))
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
    if table is not None:
        present = {event.id for event in table.events}
        return write_new(report, events, lambda event: event.id not in present, strict, dry_run=True)
    return write_new(report, events, lambda event: repo.add_event(owner_id, event), strict)
