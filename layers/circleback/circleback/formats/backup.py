"""circleback's JSON backup: the owner's settings, every contact, touch, life event, trip, team lunch, favour,
reconnect and shared item, in one versioned file.

Written by `dump_backup`, read back by `parse_backup` into validated parts (contacts through the canonical
row's checks), every refusal named by what it is and its place in its list ("contact 3, email: ...").
Left out on purpose: the digest schedule (worked out again from the settings), digest runs (a year of
history kept by TTL), action-link records (they expire with the links) and access tokens (a restored
backup must not bring revoked tokens back).

Format 1:
    {"format": "circleback-backup", "version": 1,
     "owner": {"timezone": ..., "send_hour": ..., ...},
     "contacts": [{"id": ..., "created_on": ..., "name": ..., ..., "import_marks": {...}}, ...],
     "touches": [{"id": ..., "contact_id": ..., "date": ..., ...}, ...],
     "events": [{"id": ..., "date": ..., "kind": ..., "contact_id": ... or null, ...}, ...],
     "trips": [{"id": ..., "city": ..., "city_key": ..., "start": ..., "end": ...}, ...],
     "lunches": [{"team": ..., "on": ..., "met": ...}, ...],
     "favours": [{"id": ..., "contact_id": ..., "what": ..., "asked_on": ..., "check_in_on": ..., ...}, ...],
     "reconnects": [{"contact_id": ..., "on": ..., "need": ..., "asked_on": ...}, ...],
     "shares": [{"id": ..., "url": ..., "title": ..., "tags": [...], "queued_on": ...}, ...]}
Absent or null fields are unset; a backup from before trips and team lunches (or next steps) has none of them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date
from enum import Enum
from typing import Annotated, Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, BeforeValidator, Field, field_validator

from circleback.domain.model import (
    NOTE_LIMIT,
    Birthday,
    Channel,
    Contact,
    Direction,
    EventKind,
    Favour,
    FollowUp,
    Frequency,
    LifeEvent,
    Owner,
    Reconnect,
    Share,
    Stint,
    TeamLunch,
    Tier,
    Touch,
    TouchPurpose,
    Trip,
)
from circleback.domain.sorting import DEFAULT_SORT_PER_DIGEST, MAX_SORT_PER_DIGEST
from circleback.formats.csvfile import RowError, RowNote, contact_order, validate_row
from circleback.formats.rows import (
    CONTACT_FIELDS,
    ContactRow,
    IsoDate,
    RequiredDate,
    Row,
    Short,
    Text,
    blank_to_none,
    check_country,
    check_email,
    not_future,
)

BACKUP_FORMAT = "circleback-backup"
BACKUP_VERSION = 1
MAX_ID = 64

Id = Annotated[str, BeforeValidator(blank_to_none), Field(min_length=1, max_length=MAX_ID)]


class BackupStint(Row):
    company: Annotated[str, Field(min_length=1, max_length=200)]
    start: RequiredDate
    end: IsoDate = None

    def stint(self) -> Stint:
        return Stint(self.company, self.start.replace(day=1), self.end.replace(day=1) if self.end else None)


class BackupOwner(Row):
    id: Short = None  # the owner the backup was taken from; a restore writes to the owner it is given
    email: Short = None
    name: Short = None
    timezone: str = "UTC"
    country: Short = None
    send_hour: Annotated[int, Field(ge=0, le=23)] = 7
    frequency: Frequency = Frequency.DAILY
    weekday: Annotated[int, Field(ge=0, le=6)] = 0
    monthly_goal: Annotated[int, Field(ge=0, le=1000)] = 4
    max_due: Annotated[int, Field(ge=0, le=100)] = 5
    lookahead_days: Annotated[int, Field(ge=0, le=60)] = 7
    paused_until: IsoDate = None
    sort_per_digest: Annotated[int, Field(ge=0, le=MAX_SORT_PER_DIGEST)] = DEFAULT_SORT_PER_DIGEST
    work_history: list[BackupStint] = Field(default_factory=list)
    city: Short = None  # the home city, as written
    city_key: Short = None  # its gazetteer key (services/places.py)
    aliases: list[Short] = Field(default_factory=list)  # the owner's other addresses (Mail in)
    mail_subjects: bool = False
    logging_address: Short = None  # where mail in receives (Mail in): never a person to offer

    @field_validator("timezone", mode="after")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone (such as Europe/London)") from None
        return value

    _country = field_validator("country", mode="after")(check_country)

    @field_validator("email", "logging_address", mode="after")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return None if value is None else check_email(value)

    @field_validator("aliases", mode="after")
    @classmethod
    def _aliases(cls, value: list[str | None]) -> list[str | None]:
        return list(dict.fromkeys(check_email(alias).lower() for alias in value if alias))

    def settings(self, owner_id: str) -> Owner:
        stints = tuple(entry.stint() for entry in self.work_history)
        fields_ = self.model_dump(exclude={"id", "work_history", "aliases"})
        aliases = tuple(alias for alias in self.aliases if alias)
        return Owner(id=owner_id, **fields_, work_history=stints, aliases=aliases)


class BackupContact(ContactRow):
    id: Id
    created_on: RequiredDate
    snoozed_until: IsoDate = None  # may well be in the future
    unsorted: bool = False
    sorted_on: IsoDate = None
    city_key: Short = None  # the city's gazetteer key (services/places.py); worked out again when it is missing
    import_marks: dict[str, str] = Field(default_factory=dict)

    def contact(self, contact_id: str, version: int = 0) -> Contact:
        """The contact this entry describes, under `contact_id` (the table's own id when they differ)."""
        given = {name: value for name in CONTACT_FIELDS if (value := getattr(self, name)) is not None}
        return Contact(
            **given,
            id=contact_id,
            created_on=self.created_on,
            snoozed_until=self.snoozed_until,
            unsorted=self.unsorted,
            sorted_on=self.sorted_on,
            city_key=self.city_key if self.city else None,
            version=version,
            import_marks=tuple(sorted(self.import_marks.items())),
        )


class BackupFollowUp(Row):
    """A touch's next step (domain/loops.py)."""

    on: RequiredDate
    about: Text = None
    done_on: IsoDate = None

    def follow_up(self) -> FollowUp:
        return FollowUp(self.on, self.about, self.done_on)


class BackupTouch(Row):
    id: Id
    contact_id: Id
    date: RequiredDate
    direction: Direction = Direction.OUTBOUND
    channel: Channel = Channel.OTHER
    note: Text = None
    source: Short = None
    recorded_at: AwareDatetime | None = None
    filed_on: IsoDate = None  # a link's touch: the link's date, so a restore lands on the same key
    purpose: TouchPurpose | None = None  # an ask, thanks, an outcome told, a shared item
    follow_up: BackupFollowUp | None = None

    _future = field_validator("date", mode="after")(not_future)

    def touch(self, contact_id: str) -> Touch:
        return Touch(
            id=self.id,
            contact_id=contact_id,
            date=self.date,
            direction=self.direction,
            channel=self.channel,
            note=self.note,
            source=self.source or "import",
            recorded_at=self.recorded_at,
            filed_on=self.filed_on,
            purpose=self.purpose,
            follow_up=self.follow_up.follow_up() if self.follow_up else None,
        )


class BackupEvent(Row):
    id: Id
    date: RequiredDate
    kind: EventKind
    contact_id: Annotated[Id | None, BeforeValidator(blank_to_none)] = None  # none: the owner's own news
    note: Text = None

    def event(self, contact_id: str | None) -> LifeEvent:
        return LifeEvent(self.id, self.date, self.kind, contact_id, self.note)


class BackupTrip(Row):
    id: Id
    city: Annotated[str, BeforeValidator(blank_to_none), Field(min_length=1, max_length=200)]
    city_key: Annotated[str, BeforeValidator(blank_to_none), Field(min_length=1, max_length=300)]
    start: RequiredDate
    end: RequiredDate

    def trip(self) -> Trip:
        return Trip(self.id, self.city, self.city_key, self.start, max(self.start, self.end))


class BackupLunch(Row):
    team: Annotated[str, BeforeValidator(blank_to_none), Field(min_length=1, max_length=300)]
    on: RequiredDate
    met: bool

    def lunch(self) -> TeamLunch:
        return TeamLunch(self.team, self.on, self.met)


class BackupFavour(Row):
    id: Id
    contact_id: Id
    what: Annotated[str, BeforeValidator(blank_to_none), Field(min_length=1, max_length=NOTE_LIMIT)]
    asked_on: RequiredDate
    check_in_on: RequiredDate
    helped_on: IsoDate = None
    note: Text = None
    outcome_on: IsoDate = None
    thanked_on: IsoDate = None
    told_on: IsoDate = None
    promoted_from: Tier | None = None

    def favour(self, contact_id: str) -> Favour:
        fields_ = self.model_dump(exclude={"contact_id"})
        return Favour(contact_id=contact_id, **fields_)


class BackupReconnect(Row):
    contact_id: Id
    on: RequiredDate
    need: Text = None
    asked_on: IsoDate = None

    def reconnect(self, contact_id: str) -> Reconnect:
        return Reconnect(contact_id, self.on, self.need, self.asked_on)


class BackupShare(Row):
    id: Id
    url: Annotated[str, BeforeValidator(blank_to_none), Field(min_length=1, max_length=2000)]
    title: Annotated[str, BeforeValidator(blank_to_none), Field(min_length=1, max_length=200)]
    tags: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(min_length=1)
    queued_on: RequiredDate

    def share(self) -> Share:
        return Share(self.id, self.url, self.title, tuple(self.tags), self.queued_on)


@dataclass(slots=True)
class ParsedBackup:
    owner: BackupOwner | None = None
    contacts: list[tuple[int, BackupContact]] = field(default_factory=list)
    touches: list[tuple[int, BackupTouch]] = field(default_factory=list)
    events: list[tuple[int, BackupEvent]] = field(default_factory=list)
    trips: list[tuple[int, BackupTrip]] = field(default_factory=list)
    lunches: list[tuple[int, BackupLunch]] = field(default_factory=list)
    favours: list[tuple[int, BackupFavour]] = field(default_factory=list)
    reconnects: list[tuple[int, BackupReconnect]] = field(default_factory=list)
    shares: list[tuple[int, BackupShare]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    skipped: list[RowNote] = field(default_factory=list)  # touches and events of contacts the backup does not hold


def parse_backup(text: str, today: date) -> ParsedBackup:
    """Every part validated. A touch or event whose contact's entry was refused is refused with it; one whose
    contact the backup does not hold at all (it was removed before the backup was taken) is skipped with a note.
    """
    parsed = ParsedBackup()
    try:
        document = json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as error:
        parsed.errors.append(RowError(error.lineno, None, f"not readable as JSON: {error.msg}", "line"))
        return parsed
    problem = _document_problem(document)
    if problem is not None:
        parsed.errors.append(RowError(0, None, problem, "file"))
        return parsed
    owner = document.get("owner")
    if owner is not None:
        parsed.owner = _validated(BackupOwner, 0, owner, today, "owner", parsed.errors)
    parsed.contacts = _entries(BackupContact, document.get("contacts"), today, "contact", parsed.errors)
    contacts = _Held({entry.id for _, entry in parsed.contacts}, _ids_in(document.get("contacts")), parsed)
    parsed.touches = contacts.held(
        _entries(BackupTouch, document.get("touches"), today, "touch", parsed.errors), "touch"
    )
    parsed.events = [
        (n, e)
        for n, e in _entries(BackupEvent, document.get("events"), today, "event", parsed.errors)
        if e.contact_id is None or contacts.hold(n, e.contact_id, "event")
    ]
    parsed.trips = _entries(BackupTrip, document.get("trips"), today, "trip", parsed.errors)
    parsed.lunches = _entries(BackupLunch, document.get("lunches"), today, "lunch", parsed.errors, key="team")
    parsed.favours = contacts.held(
        _entries(BackupFavour, document.get("favours"), today, "favour", parsed.errors), "favour"
    )
    parsed.reconnects = contacts.held(
        _entries(BackupReconnect, document.get("reconnects"), today, "reconnect", parsed.errors, key="contact_id"),
        "reconnect",
    )
    parsed.shares = _entries(BackupShare, document.get("shares"), today, "share", parsed.errors)
    parsed.errors.sort(key=lambda error: (_PARTS.index(error.unit), error.row))
    return parsed


_PARTS = (
    "owner",
    "contact",
    "touch",
    "event",
    "trip",
    "lunch",
    "favour",
    "reconnect",
    "share",
)  # the order of the file, for its errors' order


def _document_problem(document: Any) -> str | None:
    if not isinstance(document, dict) or document.get("format") != BACKUP_FORMAT:
        return f'not a circleback backup: expected a JSON object with "format": "{BACKUP_FORMAT}"'
    version = document.get("version")
    if version != BACKUP_VERSION:
        return f"backup format version {version!r}; this circleback reads version {BACKUP_VERSION}"
    for part in ("contacts", "touches", "events", "trips", "lunches", "favours", "reconnects", "shares"):
        if not isinstance(document.get(part, []), list):
            return f'"{part}" must be a list'
    return None


def _entries[RowT: Row](
    model: type[RowT], items: Any, today: date, unit: str, errors: list[RowError], key: str = "id"
) -> list[tuple[int, RowT]]:
    """Each valid entry with its place in the list (from 1); the same id (or `key`) twice keeps the first."""
    entries: list[tuple[int, RowT]] = []
    first_of: dict[str, int] = {}
    for number, item in enumerate(items or [], 1):
        entry = _validated(model, number, item, today, unit, errors)
        if entry is None:
            continue
        entry_id = str(getattr(entry, key, ""))
        if entry_id in first_of:
            errors.append(RowError(number, key, f"the same {key} as {unit} {first_of[entry_id]}", unit))
            continue
        first_of[entry_id] = number
        entries.append((number, entry))
    return entries


def _validated[RowT: Row](
    model: type[RowT], number: int, item: Any, today: date, unit: str, errors: list[RowError]
) -> RowT | None:
    if not isinstance(item, dict):
        errors.append(RowError(number, None, "expected a JSON object", unit))
        return None
    entry, error = validate_row(model, number, item, today, unit)
    if error is not None:
        errors.append(error)
    return entry


def _ids_in(items: Any) -> set[str]:
    """Every id the contacts list names, its refused entries' too."""
    return {str(item["id"]) for item in items or [] if isinstance(item, dict) and item.get("id") is not None}


@dataclass(slots=True)
class _Held:
    """The backup's contacts, valid and named at all, to sort its touches and events by."""

    valid: set[str]
    named: set[str]
    parsed: ParsedBackup

    def hold(self, number: int, contact_id: str, unit: str) -> bool:
        """Whether the entry's contact is a valid one; if not, the entry is refused or skipped, with why."""
        if contact_id in self.valid:
            return True
        if contact_id in self.named:
            reason = f"its contact {contact_id!r} was refused (see the contacts)"
            self.parsed.errors.append(RowError(number, "contact_id", reason, unit))
        else:  # removed before the backup was taken, by a click racing a removal in an older circleback
            reason = f"skipped: its contact {contact_id!r} is not in this backup"
            self.parsed.skipped.append(RowNote(number, "contact_id", reason, unit))
        return False

    def held[EntryT: _OfContact](self, entries: list[tuple[int, EntryT]], unit: str) -> list[tuple[int, EntryT]]:
        """The entries whose contact is held (`hold`), each other one refused or skipped with why."""
        return [(number, entry) for number, entry in entries if self.hold(number, entry.contact_id, unit)]


class _OfContact(Protocol):
    @property
    def contact_id(self) -> str: ...


# --- writing ------------------------------------------------------------------------------------------------


def dump_backup(
    owner: Owner,
    contacts: Iterable[Contact],
    touches: Iterable[Touch],
    events: Iterable[LifeEvent],
    trips: Iterable[Trip] = (),
    lunches: Iterable[TeamLunch] = (),
    favours: Iterable[Favour] = (),
    reconnects: Iterable[Reconnect] = (),
    shares: Iterable[Share] = (),
) -> str:
    """The backup as JSON text; the same state always gives the same text (sorted, no clock in it)."""
    document = {
        "format": BACKUP_FORMAT,
        "version": BACKUP_VERSION,
        "owner": settings_entry(owner),
        "contacts": [_contact_entry(c) for c in sorted(contacts, key=contact_order)],
        "touches": [_touch_entry(t) for t in sorted(touches, key=_touch_order)],
        "events": [_event_entry(e) for e in sorted(events, key=lambda e: (e.date, e.id))],
        "trips": [_entry(t) for t in sorted(trips, key=lambda t: (t.start, t.id))],
        "lunches": [_entry(lunch) for lunch in sorted(lunches, key=lambda lunch: lunch.team)],
        "favours": [
            _entry(f, leave_out=("version",)) for f in sorted(favours, key=lambda f: (f.asked_on, f.contact_id, f.id))
        ],
        "reconnects": [_entry(r) for r in sorted(reconnects, key=lambda r: (r.on, r.contact_id))],
        "shares": [_entry(s) for s in sorted(shares, key=lambda s: (s.queued_on, s.id))],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _touch_order(touch: Touch) -> tuple[date, str, str]:
    return touch.date, touch.recorded_at.isoformat() if touch.recorded_at else "", touch.id


def settings_entry(owner: Owner) -> dict[str, Any]:
    """The owner's settings as a backup holds them (BackupOwner's fields)."""
    return _entry(owner, leave_out=("next_send_at",))  # the schedule follows from the settings


def _contact_entry(contact: Contact) -> dict[str, Any]:
    return _entry(contact, leave_out=("version",))  # a lock counter, not the contact's state


def _touch_entry(touch: Touch) -> dict[str, Any]:
    return _entry(touch)


def _event_entry(event: LifeEvent) -> dict[str, Any]:
    return _entry(event)


def _entry(
    item: Owner | Contact | Touch | LifeEvent | Stint | Trip | TeamLunch | FollowUp | Favour | Reconnect | Share,
    leave_out: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Every field of a domain object as JSON, unset ones left out; a new field is backed up by itself."""
    entry = {f.name: _json(getattr(item, f.name)) for f in fields(item) if f.name not in leave_out}
    return {name: value for name, value in entry.items() if value is not None}


def _json(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date | Birthday):  # datetimes too
        return value.isoformat()
    if isinstance(value, Stint | FollowUp):
        return _entry(value)
    if isinstance(value, tuple):
        if not value:
            return None
        return dict(value) if isinstance(value[0], tuple) else [_json(v) for v in value]  # import marks are pairs
    return value
