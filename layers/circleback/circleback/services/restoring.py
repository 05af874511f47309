"""Restore a JSON backup: settings, contacts, touches, life events, places and next steps, planned in full before
anything is written.

An import merges a file's rows and never overwrites a field changed by hand (domain/merge.py); a restore is the
opposite on purpose: it brings back the state the backup holds, so each contact it holds replaces the table's.
That can put back values older than the owner's hand edits and settings made since, so the restore is a plan
first (`plan_restore`): the command line shows it (`import --dry-run`), and asks before writing one that
replaces values (`confirm`; docs/imports.md, "Restoring a backup").

Nothing is removed: contacts, touches and events the table has and the backup does not are left alone.
A touch or event of a contact the backup does not hold (removed before the backup was taken) is skipped with
a notice, so an older backup still restores; one whose contact was refused is refused with it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from circleback.adapters.store.repository import ConflictError, Repository
from circleback.domain.changes import FieldChange, field_changes
from circleback.domain.matching import ContactIndex
from circleback.domain.model import (
    Contact,
    DigestInput,
    Favour,
    LifeEvent,
    Owner,
    Reconnect,
    Share,
    TeamLunch,
    Touch,
    Trip,
)
from circleback.domain.schedule import next_send_at
from circleback.formats.backup import ParsedBackup, parse_backup
from circleback.formats.csvfile import RowError
from circleback.services.import_report import (
    NEW_CONTACTS_BATCH,
    ImportReport,
    Progress,
    ambiguous,
    emails_of,
    refused,
    ticker,
)
from circleback.services.places import located
from circleback.services.retries import retrying

Confirm = Callable[[Sequence[FieldChange]], bool]
"""Asked, with every value a restore would put back, whether to go on; False writes nothing."""
DECLINED = "the restore was not confirmed"


@dataclass(slots=True)
class RestorePlan:
    """What a restore will write, and the reports that say so (counted as if it had been written)."""

    owner_id: str
    reports: list[ImportReport]
    settings: Owner | None = None  # the settings to write, when they differ from the table's
    replaced: list[tuple[Contact, Contact | None]] = field(default_factory=list)  # (restored, the one it replaces)
    touches: list[Touch] = field(default_factory=list)  # those the table does not have yet
    events: list[LifeEvent] = field(default_factory=list)
    trips: list[Trip] = field(default_factory=list)  # those the table does not have yet
    lunches: list[TeamLunch] = field(default_factory=list)  # those that differ from the table's
    favours: list[Favour] = field(default_factory=list)  # those that differ from the table's
    reconnects: list[Reconnect] = field(default_factory=list)  # those that differ from the table's
    shares: list[Share] = field(default_factory=list)  # those the table does not have yet
    lived_in: bool = False  # the account had contacts before the restore

    @property
    def reverts(self) -> list[FieldChange]:
        """Every value of the account the restore replaces with the backup's (settings first, then contacts).

        Settings count only in an account already in use: a new one's (the local store's first owner, a fresh
        stack's) were never set by the person, so restoring into it asks nothing.
        """
        settings, contacts = self.reports[0], self.reports[1]
        return [*(settings.changes if self.lived_in else ()), *contacts.changes]


def restore_backup(
    repo: Repository,
    owner_id: str,
    text: str,
    today: date,
    *,
    now: datetime,
    strict: bool = False,
    progress: Progress | None = None,
    dry_run: bool = False,
    confirm: Confirm | None = None,
) -> list[ImportReport]:
    """Bring a JSON backup back: one report each for settings, contacts, touches and life events, in that order.

    Each backup contact replaces the table's contact with its id, else the one an import would match (by
    email, LinkedIn address or exact name), else is added under its own id; its touches and events follow
    it, keeping their ids, so restoring twice, or into the table the backup came from, writes nothing new.
    Settings that differ are written, and the digest is scheduled again from `now`.

    With `dry_run`, nothing is written and the reports say what would be. When the restore would replace values
    the table has, `confirm` is asked first (without it, the restore goes on); if it says no, nothing is written.
    """
    plan = plan_restore(repo, owner_id, text, today, strict=strict)
    if dry_run:
        for report in plan.reports:
            report.dry_run = True
        return plan.reports
    if refused(plan.reports, strict):
        return plan.reports
    if plan.reverts and confirm is not None and not confirm(plan.reverts):
        for report in plan.reports:
            report.written = False
            report.unwritten = DECLINED
        return plan.reports
    apply_restore(repo, plan, now, progress)
    return plan.reports


def plan_restore(repo: Repository, owner_id: str, text: str, today: date, *, strict: bool = False) -> RestorePlan:
    """Read the backup and the owner's partition (one Query), and work out every write and every count."""
    parsed = parse_backup(text, today)
    kinds = ("settings", "contacts", "touches", "events", "trips and lunches", "next steps")
    reports = [ImportReport(kind) for kind in kinds]
    settings, contacts, touches, events, places, steps = reports
    by_unit = {"contact": contacts, "touch": touches, "event": events, "trip": places, "lunch": places} | dict.fromkeys(
        ("favour", "reconnect", "share"), steps
    )
    for error in parsed.errors:
        by_unit.get(error.unit, settings).errors.append(error)
    for skipped in parsed.skipped:
        by_unit[skipped.unit].skipped.append(skipped)
    owner = repo.get_owner(owner_id)
    table = repo.digest_input(owner or Owner(id=owner_id))
    plan = RestorePlan(owner_id, reports, lived_in=bool(table.contacts))
    if parsed.owner is not None:
        plan.settings = _planned_settings(owner, parsed.owner.settings(owner_id), settings)
    target = _plan_contacts(table.contacts, parsed, plan, contacts)
    if refused(reports, strict):
        return plan
    have_touches = {_touch_key(touch) for touch in table.touches}
    for number, entry in parsed.touches:
        if _restored(number, entry.contact_id, target, touches, "touch"):
            touch = entry.touch(target[entry.contact_id])
            _count_new(touches, _touch_key(touch) in have_touches, plan.touches, touch)
    have_events = {(event.date, event.id) for event in table.events}
    for number, event_entry in parsed.events:
        contact_id = event_entry.contact_id
        if contact_id is None or _restored(number, contact_id, target, events, "event"):
            event = event_entry.event(target[contact_id] if contact_id else None)
            _count_new(events, (event.date, event.id) in have_events, plan.events, event)
    have_trips = {trip.id for trip in table.trips}
    for _, trip_entry in parsed.trips:
        trip = trip_entry.trip()
        _count_new(places, trip.id in have_trips, plan.trips, trip)
    have_lunches = set(table.lunches)
    for _, lunch_entry in parsed.lunches:
        lunch = lunch_entry.lunch()
        _count_new(places, lunch in have_lunches, plan.lunches, lunch)
    _plan_steps(parsed, table, target, plan, steps)
    return plan


def _plan_steps(
    parsed: ParsedBackup, table: DigestInput, target: dict[str, str], plan: RestorePlan, report: ImportReport
) -> None:
    """Favours and reconnects follow their contacts (a favour as the backup has it replaces the table's, so its
    loop is where it was); shared items come back with their ids."""
    have_favours = {(f.contact_id, f.id): f for f in table.favours}
    for number, favour_entry in parsed.favours:
        if _restored(number, favour_entry.contact_id, target, report, "favour"):
            favour = favour_entry.favour(target[favour_entry.contact_id])
            held = have_favours.get((favour.contact_id, favour.id))
            _count_new(report, held is not None and replace(held, version=0) == favour, plan.favours, favour)
    have_reconnects = set(table.reconnects)
    for number, reconnect_entry in parsed.reconnects:
        if _restored(number, reconnect_entry.contact_id, target, report, "reconnect"):
            reconnect = reconnect_entry.reconnect(target[reconnect_entry.contact_id])
            _count_new(report, reconnect in have_reconnects, plan.reconnects, reconnect)
    have_shares = {share.id for share in table.shares}
    for _, share_entry in parsed.shares:
        share = share_entry.share()
        _count_new(report, share.id in have_shares, plan.shares, share)


def _planned_settings(existing: Owner | None, desired: Owner, report: ImportReport) -> Owner | None:
    if existing is None:
        report.imported += 1
        return desired
    now = replace(existing, next_send_at=None)
    if now == desired:
        report.unchanged += 1
        return None
    report.updated += 1
    report.changes.extend(field_changes("settings", now, desired))
    return desired


def _plan_contacts(
    table: Sequence[Contact], parsed: ParsedBackup, plan: RestorePlan, report: ImportReport
) -> dict[str, str]:
    """Each backup contact with the table's contact it replaces (or None) into the plan; backup id -> table id."""
    by_id = {contact.id: contact for contact in table}
    claimed = {entry.id for _, entry in parsed.contacts if entry.id in by_id}
    index = ContactIndex([contact for contact in table if contact.id not in claimed])
    target: dict[str, str] = {}
    taken: dict[str, int] = {}
    for number, entry in parsed.contacts:
        existing = by_id.get(entry.id)
        if existing is None:
            key, matches = index.match_by(emails_of(entry), entry.linkedin_url, entry.name)
            if len(matches) > 1:
                report.errors.append(RowError(number, key, ambiguous(key, len(matches), entry), "contact"))
                continue
            existing = matches[0] if matches else None
            if existing is not None and existing.id in taken:
                reason = f"the same contact as contact {taken[existing.id]}"
                report.errors.append(RowError(number, key, reason, "contact"))
                continue
        if existing is None:
            target[entry.id] = entry.id
            plan.replaced.append((_keyed(entry.contact(entry.id)), None))
            report.imported += 1
            continue
        taken[existing.id] = number
        target[entry.id] = existing.id
        restored = _keyed(entry.contact(existing.id, existing.version))
        if restored == existing:
            report.unchanged += 1
            continue
        plan.replaced.append((restored, existing))
        report.updated += 1
        report.changes.extend(field_changes(existing.name, existing, restored))
    return target


def _restored(number: int, contact_id: str, target: dict[str, str], report: ImportReport, unit: str) -> bool:
    """Whether a touch's or event's contact is being restored; if not, the entry is refused with it."""
    if contact_id in target:
        return True
    reason = f"its contact {contact_id!r} was refused (see the contacts)"
    report.errors.append(RowError(number, "contact_id", reason, unit))
    return False


def _count_new[T](report: ImportReport, present: bool, writes: list[T], item: T) -> None:
    if present:
        report.unchanged += 1
    else:
        report.imported += 1
        writes.append(item)


def _touch_key(touch: Touch) -> tuple[str, date, str]:
    return touch.contact_id, touch.filed_on or touch.date, touch.id  # what the store keys a touch by


def apply_restore(repo: Repository, plan: RestorePlan, now: datetime, progress: Progress | None = None) -> None:
    """Write what `plan_restore` planned; a write that finds its item already there counts it unchanged."""
    touches, events, places = plan.reports[2], plan.reports[3], plan.reports[4]
    total = (plan.settings is not None) + len(plan.replaced) + len(plan.touches) + len(plan.events)
    total += len(plan.trips) + len(plan.lunches) + len(plan.favours) + len(plan.reconnects) + len(plan.shares)
    tick = ticker(progress, total)
    if plan.settings is not None:
        scheduled = replace(plan.settings, next_send_at=next_send_at(plan.settings, now))
        if not repo.create_owner_if_absent(scheduled):
            repo.put_owner(scheduled)
        tick()

    def landed(count: int) -> None:
        for _ in range(count):
            tick()

    pending: list[Contact] = []  # new contacts go a batch at a time, as a contacts file's do
    for restored, existing in plan.replaced:
        if existing is None:
            pending.append(restored)
            if len(pending) == NEW_CONTACTS_BATCH:
                repo.add_contacts(plan.owner_id, pending, landed)
                pending.clear()
        else:
            _replace_contact(repo, plan.owner_id, restored)
            tick()
    if pending:
        repo.add_contacts(plan.owner_id, pending, landed)
    for touch in plan.touches:
        _landed(touches, tick(repo.add_touch(plan.owner_id, touch)))
    for event in plan.events:
        _landed(events, tick(repo.add_event(plan.owner_id, event)))
    for trip in plan.trips:
        _landed(places, tick(repo.add_trip(plan.owner_id, trip)))
    for lunch in plan.lunches:
        repo.put_lunch(plan.owner_id, lunch)  # the backup's last lunch of a team replaces the table's
        tick()
    steps = plan.reports[5]
    for favour in plan.favours:
        repo.put_favour(plan.owner_id, favour)  # as the backup has it: its loop where it was
        tick()
    for reconnect in plan.reconnects:
        repo.apply(repo.reconnect_put(plan.owner_id, reconnect))
        tick()
    for share in plan.shares:
        _landed(steps, tick(repo.add_share(plan.owner_id, share)))


def _replace_contact(repo: Repository, owner_id: str, restored: Contact) -> None:
    """Save the backup's contact over the table's; when it changed since the plan read it (a click, an edit),
    over what is there now: the restore was asked for with the backup's values."""
    contact = restored

    def attempt() -> Contact:
        nonlocal contact
        try:
            return repo.save_contact(owner_id, contact)
        except ConflictError:
            fresh = repo.get_contact(owner_id, restored.id)
            if fresh is None:  # removed since: the restore brings it back
                return repo.add_contact(owner_id, replace(restored, version=0))
            contact = replace(restored, version=fresh.version)
            raise

    retrying(attempt, f"contact {restored.id} kept changing; it was not restored")


def _landed(report: ImportReport, written: bool) -> None:
    if not written:  # written by someone else since the plan read the table
        report.imported -= 1
        report.unchanged += 1


def _keyed(contact: Contact) -> Contact:
    """A backup's contact keeps the city key it was saved with; a hand-made backup's city without one is keyed."""
    return located(contact) if contact.city and not contact.city_key else contact
