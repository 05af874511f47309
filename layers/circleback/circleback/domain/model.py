"""The domain's vocabulary: contacts, touches, life events and the owner's settings."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Tier(StrEnum):
    A = "A"
    B = "B"
    C = "C"


class Relationship(StrEnum):
    BOSS = "boss"
    MENTOR = "mentor"
    COLLEAGUE = "colleague"
    CLIENT = "client"
    VENDOR = "vendor"
    REPORT = "report"
    FRIEND = "friend"
    OTHER = "other"


class Direction(StrEnum):
    OUTBOUND = "outbound"
    INBOUND = "inbound"
    MUTUAL = "mutual"


class Channel(StrEnum):
    EMAIL = "email"
    CALL = "call"
    MEETING = "meeting"
    MESSAGE = "message"
    SOCIAL = "social"
    OTHER = "other"


class EventKind(StrEnum):
    NEW_JOB = "new_job"
    PROMOTION = "promotion"
    MOVED = "moved"
    MARRIED = "married"
    BABY = "baby"
    AWARD = "award"
    OTHER = "other"


# The owner's own news is limited to what is worth telling one's network about.
# Every kind of news is the owner's to share too (a wedding, a baby, a move with a new address): issue 19.
OWN_NEWS_KINDS = frozenset(EventKind)


class Frequency(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    OFF = "off"


@dataclass(frozen=True, slots=True)
class Birthday:
    """A birthday, with or without the year (`YYYY-MM-DD` or `--MM-DD`)."""

    month: int
    day: int
    year: int | None = None

    def __post_init__(self) -> None:
        # 2000 is a leap year, so 29 February is accepted when the year is unknown.
        last_day = calendar.monthrange(self.year or 2000, self.month)[1] if 1 <= self.month <= 12 else 0
        if not 1 <= self.day <= last_day:
            raise ValueError(f"not a real date: {self.isoformat()}")

    @classmethod
    def parse(cls, text: str) -> Birthday:
        text = text.strip()
        if text.startswith("--") and len(text) == 7 and text[4] == "-":
            month, day = text[2:4], text[5:7]
            if not (month.isdigit() and day.isdigit()):
                raise ValueError(f"expected YYYY-MM-DD or --MM-DD, got {text!r}")
            return cls(month=int(month), day=int(day))
        try:
            full = date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"expected YYYY-MM-DD or --MM-DD, got {text!r}") from None
        if len(text) != 10:
            raise ValueError(f"expected YYYY-MM-DD or --MM-DD, got {text!r}")
        return cls(month=full.month, day=full.day, year=full.year)

    def isoformat(self) -> str:
        if self.year is None:
            return f"--{self.month:02d}-{self.day:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


@dataclass(frozen=True, slots=True)
class Contact:
    id: str
    name: str
    created_on: date  # the day the contact entered circleback; anchors the never-touched spread
    email: str | None = None
    # Every other address the person writes from (an address book's second and third EMAIL): mail in matches any
    # of them (domain/mail_notices.py address_book), and so does an import (domain/matching.py ContactIndex).
    other_emails: tuple[str, ...] = ()
    phone: str | None = None
    linkedin_url: str | None = None
    company: str | None = None
    title: str | None = None
    relationship: Relationship = Relationship.OTHER
    tier: Tier = Tier.B
    cadence_days: int | None = None
    country: str | None = None
    city: str | None = None  # as the gazetteer names it, or as written (adapters/gazetteer.py)
    city_key: str | None = None  # what places compare: "geonames:2867714" ("Munich", "München"), or "name:..."
    birthday: Birthday | None = None
    worked_together_until: date | None = None
    first_seen: date | None = None  # when you first met or connected (LinkedIn's "Connected On"); never a touch
    tags: tuple[str, ...] = ()
    notes: str | None = None
    last_touch: date | None = None  # as imported or entered by hand, before any logged touch
    paused: bool = False
    snoozed_until: date | None = None
    # Not yet sorted by the owner (most of a LinkedIn export): never due and no greetings, only their news, until
    # sorted into a tier (or paused); docs/design.md, "Sorting the network".
    unsorted: bool = False
    sorted_on: date | None = None  # the day the owner sorted them: their first due date is spread after it
    version: int = 0
    # The fields an import wrote, each with a digest of the value it wrote (sorted by field). A field whose
    # value no longer matches its digest was changed by hand since, and no import overwrites it.
    import_marks: tuple[tuple[str, str], ...] = ()

    @property
    def emails(self) -> tuple[str, ...]:
        """Every address of the person, the main one first."""
        return (self.email, *self.other_emails) if self.email else self.other_emails


_Day = date  # the type, for fields of classes that have a field named "date"
NOTE_LIMIT = 1000  # characters in a touch's note, however it is logged


class TouchPurpose(StrEnum):
    """What a touch was for, when it was more than keeping in touch (domain/loops.py reads them)."""

    ASK = "ask"  # asking a favour
    THANKS = "thanks"  # thanking them for it
    OUTCOME = "outcome"  # telling them how it turned out
    SHARE = "share"  # sending them something worth sharing


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A next step a touch carries: on `on`, the digest says to follow up (domain/loops.py follow_ups)."""

    on: date
    about: str | None = None  # what to follow up on: "how the interview went"
    done_on: _Day | None = None  # dismissed with the digest's "Done" link


@dataclass(frozen=True, slots=True)
class Touch:
    id: str
    contact_id: str
    date: date
    direction: Direction = Direction.OUTBOUND
    channel: Channel = Channel.OTHER
    note: str | None = None
    source: str = "cli"
    recorded_at: datetime | None = None  # orders touches logged on the same day
    # The day its key is filed under, when set: a link files its touch under the link's date, so a repeat of the
    # link on a later day finds the touch already there (services/actions.py). Stored only when not its date.
    filed_on: _Day | None = None
    purpose: TouchPurpose | None = None
    follow_up: FollowUp | None = None


@dataclass(frozen=True, slots=True)
class Favour:
    """A favour asked of a contact, from the ask to telling them how it turned out (domain/loops.py)."""

    id: str
    contact_id: str
    what: str  # "a reference for the Acme role"
    asked_on: date
    check_in_on: date  # when to check in gently if they have not helped yet
    helped_on: _Day | None = None  # they helped (or said how it went): thank them next
    note: str | None = None  # how it went, as the owner said
    outcome_on: _Day | None = None  # when to tell them how it turned out (30 days after they helped, or as set)
    thanked_on: _Day | None = None
    told_on: _Day | None = None
    promoted_from: Tier | None = None  # the tier they had before the loop closed and moved them to A
    version: int = 0


@dataclass(frozen=True, slots=True)
class Reconnect:
    """The owner means to reconnect with a contact: first in the digest until a touch, and with a need, a reminder
    to ask a week later (domain/loops.py)."""

    contact_id: str
    on: date
    need: str | None = None  # what the owner will ask for: "a reference"
    asked_on: _Day | None = None  # the favour was asked: the reminder is done


@dataclass(frozen=True, slots=True)
class Share:
    """Something worth sharing, queued for a fortnight: the digest suggests who would care (domain/loops.py)."""

    id: str
    url: str
    title: str
    tags: tuple[str, ...]
    queued_on: date


@dataclass(frozen=True, slots=True)
class LifeEvent:
    id: str
    date: date
    kind: EventKind
    contact_id: str | None = None  # None: the owner's own news
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Stint:
    """A stretch of the owner's own work history, by month: `start` and `end` are firsts of months; no end, still
    there. Connections met there are suggested as former colleagues (domain/sorting.py)."""

    company: str
    start: date
    end: date | None = None


@dataclass(frozen=True, slots=True)
class Owner:
    id: str
    email: str | None = None
    name: str | None = None
    timezone: str = "UTC"
    country: str | None = None
    send_hour: int = 7
    frequency: Frequency = Frequency.DAILY
    weekday: int = 0  # Monday; only used by the weekly frequency
    monthly_goal: int = 4
    max_due: int = 5
    lookahead_days: int = 7
    paused_until: date | None = None
    next_send_at: datetime | None = None
    sort_per_digest: int = 5  # unsorted contacts the digest asks about, a few each morning
    work_history: tuple[Stint, ...] = ()
    city: str | None = None  # the owner's home city: a due contact who lives there gets a coffee suggested
    city_key: str | None = None
    aliases: tuple[str, ...] = ()  # the owner's other addresses: mail from any of them is the owner's (Mail in)
    mail_subjects: bool = False  # mail in keeps a message's subject as its touch's note (off: no words are kept)
    logging_address: str | None = None  # the address mail in receives at (the stack's LoggingAddress): no person


@dataclass(frozen=True, slots=True)
class TeamLunch:
    """A former team's lunch, logged or dismissed from the digest on `on`: not suggested again for a while
    (domain/places.py TEAM_QUIET_DAYS)."""

    team: str  # the shared company, as compared (domain/sorting.py company_key)
    on: date
    met: bool  # logged (True) or dismissed (False)


@dataclass(frozen=True, slots=True)
class Trip:
    """The owner away in a city from `start` to `end` (inclusive): lunch with the people who live there."""

    id: str
    city: str
    city_key: str
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a contact sits in the rotation: what sorting them sets, and what a sort link's undo puts back."""

    unsorted: bool
    sorted_on: date | None
    tier: Tier
    paused: bool
    relationship: Relationship


@dataclass(frozen=True, slots=True)
class ActionRecord:
    """What one action link did, kept while the link lives: repeats find it, and undo reverses it."""

    key: str  # the link's idempotency key (Claim.key())
    action: str  # reached_out | they_reached_out | snooze | pause
    done_at: datetime
    expires_at: datetime  # the link's own expiry: after it, neither a repeat nor an undo can arrive
    contact_id: str | None = None
    touch: Touch | None = None  # the touch it recorded, for the touch actions
    previous_until: date | None = None  # snoozed_until / paused_until before the action, for undo
    until: date | None = None  # snoozed_until / paused_until the action set
    placed_from: Placement | None = None  # a sort link: where the contact was, for undo
    placed_to: Placement | None = None  # a sort link: where it put them
    touches: tuple[Touch, ...] = ()  # a team lunch link's: a touch for each of them, for undo (a favour's: its touch)
    lunch: TeamLunch | None = None  # a team lunch link's record of the lunch, for undo
    followed_up: Touch | None = None  # a follow-up's "Done": the touch whose follow-up it dismissed, for undo
    favour_from: Favour | None = None  # a favour link: the favour before (None: the link started it), for undo
    favour_to: Favour | None = None  # and after
    reconnect_from: Reconnect | None = None  # an "I asked" link: the reconnect it closed, for undo


@dataclass(frozen=True, slots=True)
class AccessToken:
    """A personal access token for the JSON API: only a hash of its secret is ever stored."""

    id: str
    name: str
    secret_hash: str  # hex SHA-256 of the secret part
    created_at: datetime


class RunStatus(StrEnum):
    CLAIMED = "claimed"  # a worker holds the lease and has not called SES yet
    SENDING = "sending"  # SES is being called: from here on, never send again (at most once)
    SENT = "sent"
    SKIPPED = "skipped"  # nothing due and nothing coming: no email
    UNCERTAIN = "uncertain"  # a worker died while SES was being called; not resent
    FAILED = "failed"


FINAL_STATUSES = frozenset({RunStatus.SENT, RunStatus.SKIPPED, RunStatus.UNCERTAIN, RunStatus.FAILED})


@dataclass(frozen=True, slots=True)
class ReplyOutcome:
    """What a reply to the digest did, which the next digest opens with (services/replies.py). The lines it could
    not read are the one part of a message circleback keeps, until that digest has shown them (REPLY_KEEP_DAYS)."""

    id: str  # from the reply's Message-ID: the same reply is run once
    ran_at: datetime  # when it was run: the first digest sent after says what it did
    done: tuple[str, ...] = ()  # "Logged a note to Ana Souza (email)"
    unread: tuple[tuple[str, str], ...] = ()  # (the line, why it could not be read)


REPLY_KEEP_DAYS = 14


@dataclass(frozen=True, slots=True)
class NewPerson:
    """Someone the owner wrote to who is no contact (mail in): the next digest offers to add them
    (domain/mail_notices.py new_people). `key` is what the "Add" link names (auth/tokens.py): a digest of its
    address."""

    key: str
    address: str
    last_written: date  # the day the owner last wrote to them
    noted_at: datetime  # when circleback learned of that message: the first digest after offers them
    name: str | None = None  # as the owner's mail client wrote it beside the address


@dataclass(frozen=True, slots=True)
class DigestRun:
    """One owner's digest for one local date: the record that makes sending happen once."""

    owner_id: str
    local_date: date
    send_at: datetime
    status: RunStatus
    claimed_by: str
    lease_until: datetime
    message_id: str | None = None
    items: int = 0
    reason: str | None = None
    people: tuple[str, ...] = ()  # the contacts it named: a reply's lines mean them first (domain/replies.py)


@dataclass(frozen=True, slots=True)
class DigestInput:
    """Everything the planner reads about one owner."""

    owner: Owner
    contacts: Sequence[Contact]
    touches: Sequence[Touch] = ()
    events: Sequence[LifeEvent] = ()
    trips: Sequence[Trip] = ()
    lunches: Sequence[TeamLunch] = ()
    favours: Sequence[Favour] = ()
    reconnects: Sequence[Reconnect] = ()
    shares: Sequence[Share] = ()
    replies: Sequence[ReplyOutcome] = ()
    new_people: Sequence[NewPerson] = ()
