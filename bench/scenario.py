"""A realistic owner partition, generated deterministically and written with the store's own item mapping.

One owner who has used circleback for a year: N imported contacts (most with an email, a company and a note,
some with a birthday or a date you stopped working together), an imported touch history, the touches logged
from the digest's links over the year, a few life events, the digest runs their TTL keeps (five weeks), the
action records of the last month of clicks (they live as long as their link) and two personal access tokens.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from circleback.adapters.store.codec import encode_item
from circleback.adapters.store.items import (
    RUN_RETENTION_DAYS,
    access_token_to_item,
    action_to_item,
    contact_to_item,
    event_to_item,
    owner_to_item,
    run_to_item,
    touch_to_item,
)
from circleback.adapters.store.repository import Repository
from circleback.domain.model import (
    AccessToken,
    ActionRecord,
    Birthday,
    Channel,
    Contact,
    DigestRun,
    Direction,
    EventKind,
    LifeEvent,
    Owner,
    Relationship,
    RunStatus,
    Tier,
    Touch,
)
from circleback.domain.schedule import send_instant

OWNER_ID = "bench-owner"
ORDINARY_DAY = date(2026, 10, 19)  # a Monday with no greeting holiday in its week's lookahead
HOLIDAY_WEEK = date(2026, 11, 23)  # a Monday; Thanksgiving (US) falls in the week's lookahead
AS_OF = ORDINARY_DAY
SEND_HOUR = 7
TIMEZONE = "America/New_York"
CLICKS_PER_DAY = 5  # the usage: a daily digest and 5 clicks a day
TOUCH_CLICKS_PER_DAY = 3  # of which "I reached out" / "They reached out" (the rest snooze or pause)
ACTION_RECORD_DAYS = 31  # an action record lives as long as its link (30 days) and a day's grace
BATCH_WRITE = 25  # BatchWriteItem's limit
CREATED_MS = 1_735_689_600_000  # 2025-01-01 in milliseconds: the ids' clock, as real ones have

FIRST = (
    "Ana",
    "Rahul",
    "Sophie",
    "Daniel",
    "Margaret",
    "Lucas",
    "Priya",
    "Chen",
    "Fatima",
    "Olivia",
    "Mateo",
    "Aisha",
    "Jonas",
    "Mei",
    "Kwame",
    "Zoë",
    "José",
    "Łukasz",
    "Ngozi",
    "Hiroshi",
    "Sara",
    "Thomas",
    "Ines",
    "Arjun",
    "Elena",
    "Omar",
    "Grace",
    "Noah",
    "Yuki",
    "Camille",
    "Diego",
    "Hannah",
    "Ravi",
    "Leila",
    "Sven",
    "Nguyễn",
)
LAST = (
    "Souza",
    "Mehta",
    "Laurent",
    "Kim",
    "Okafor",
    "Martínez",
    "Sharma",
    "Wei",
    "Haddad",
    "Brown",
    "García",
    "Khan",
    "Schmidt",
    "Lin",
    "Mensah",
    "Dubois",
    "Fernández",
    "Kowalski",
    "Adeyemi",
    "Tanaka",
    "Cohen",
    "Müller",
    "Rossi",
    "Iyer",
    "Popescu",
    "Nasser",
    "O'Connor",
    "Andersson",
    "Sato",
    "Moreau",
    "López",
    "Weber",
    "Patel",
    "Ahmadi",
)
COMPANIES = (
    "Northwind Analytics",
    "Infosys",
    "Atelier Numérique",
    "Lumen Health",
    "Mercado Libre",
    "Globex",
    "Initech",
    "Stark Industries",
    "Umbrella Labs",
    "Hooli",
    "Acme Corp",
    "Contoso",
    "Fabrikam",
    "Tailspin Toys",
    "Wingtip",
)
TITLES = (
    "VP Engineering",
    "Principal Architect",
    "Head of Product",
    "Engineering Manager",
    "Staff Engineer",
    "Tech Lead",
    "Product Designer",
    "Data Scientist",
    "CTO",
    "Director of Sales",
    "Recruiter",
    "Consultant",
)
# Weighted like a real network: mostly the owner's own country, then the usual suspects.
COUNTRIES = (
    ("US", 40),
    ("GB", 10),
    ("IN", 10),
    ("CA", 5),
    ("DE", 5),
    ("FR", 5),
    ("SG", 3),
    ("CN", 3),
    ("BR", 3),
    ("AU", 3),
    ("JP", 3),
    ("IL", 2),
    ("MY", 2),
    ("", 6),
)
RELATIONSHIPS = (
    (Relationship.COLLEAGUE, 35),
    (Relationship.CLIENT, 15),
    (Relationship.FRIEND, 12),
    (Relationship.OTHER, 12),
    (Relationship.REPORT, 8),
    (Relationship.VENDOR, 6),
    (Relationship.BOSS, 7),
    (Relationship.MENTOR, 5),
)
TIERS = ((Tier.A, 10), (Tier.B, 40), (Tier.C, 50))
TAGS = ("reference", "mentor", "backend", "hiring", "investor", "conference", "alumni", "design", "sales")
NOTE_WORDS = (
    "met",
    "at",
    "the",
    "conference",
    "in",
    "Lisbon",
    "worked",
    "together",
    "on",
    "payments",
    "migration",
    "loves",
    "long-form",
    "essays",
    "about",
    "org",
    "design",
    "hired",
    "me",
    "in",
    "2019",
    "now",
    "leads",
    "platform",
    "team",
    "ask",
    "about",
    "her",
    "kids",
    "and",
    "the",
    "marathon",
    "moved",
    "to",
    "Berlin",
    "last",
    "spring",
)


@dataclass(frozen=True)
class Partition:
    """Everything in the owner's partition, as domain objects and as the items the store writes."""

    owner: Owner
    contacts: list[Contact]
    touches: list[Touch]
    events: list[LifeEvent]
    runs: list[DigestRun]
    actions: list[ActionRecord]
    tokens: list[AccessToken]
    items: list[dict[str, Any]] = field(default_factory=list)  # the plain items (before the summary update)

    def describe(self) -> dict[str, int]:
        return {
            "contacts": len(self.contacts),
            "touches": len(self.touches),
            "life_events": len(self.events),
            "digest_runs": len(self.runs),
            "action_records": len(self.actions),
            "access_tokens": len(self.tokens),
        }


def owner(owner_id: str = OWNER_ID, as_of: date = AS_OF) -> Owner:
    return Owner(
        id=owner_id,
        email=f"{owner_id}@example.com",
        name="Sam Rivera",
        timezone=TIMEZONE,
        country="US",
        send_hour=SEND_HOUR,
        next_send_at=send_instant(TIMEZONE, as_of, SEND_HOUR),
    )


def send_at(as_of: date = AS_OF) -> datetime:
    return send_instant(TIMEZONE, as_of, SEND_HOUR)


def generate(contact_count: int, seed: int = 8, as_of: date = AS_OF) -> Partition:
    rng = random.Random(f"{seed}-{contact_count}")
    the_owner = owner(as_of=as_of)
    imported_on = as_of - timedelta(days=365)
    contacts = [_contact(rng, i, imported_on, as_of) for i in range(contact_count)]
    touches = _imported_touches(rng, contacts, imported_on) + _link_touches(rng, contacts, as_of)
    events = _events(rng, contacts, as_of)
    runs = _runs(rng, as_of)
    actions = _actions(rng, contacts, as_of)
    tokens = [
        AccessToken(f"tok{i}", name, rng.randbytes(32).hex(), datetime(2026, 1, 5 + i, 9, tzinfo=UTC))
        for i, name in enumerate(("phone shortcut", "laptop script"))
    ]
    return Partition(the_owner, contacts, touches, events, runs, actions, tokens)


def _pick(rng: random.Random, weighted: Sequence[tuple[Any, int]]) -> Any:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def _sentence(rng: random.Random, low: int, high: int) -> str:
    words = [rng.choice(NOTE_WORDS) for _ in range(rng.randint(low, high))]
    return (" ".join(words)).capitalize() + "."


def _contact(rng: random.Random, i: int, imported_on: date, as_of: date) -> Contact:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    slug = f"{first}.{last}".lower().replace("'", "").replace(" ", "")
    birthday = None
    if rng.random() < 0.4:
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        birthday = Birthday(month, day, rng.randint(1955, 1998) if rng.random() < 0.5 else None)
    last_touch = as_of - timedelta(days=rng.randint(5, 730)) if rng.random() < 0.7 else None
    return Contact(
        id=f"{CREATED_MS + i:011x}{rng.randbytes(5).hex()}",  # services.ids.new_id(): made in 2025, ms apart
        name=f"{first} {last}",
        created_on=imported_on,
        email=f"{slug}{i}@example.com" if rng.random() < 0.85 else None,
        phone=f"+1 415 555 {rng.randint(0, 9999):04d}" if rng.random() < 0.5 else None,
        linkedin_url=f"https://www.linkedin.com/in/{slug}-{i}" if rng.random() < 0.7 else None,
        company=rng.choice(COMPANIES) if rng.random() < 0.9 else None,
        title=rng.choice(TITLES) if rng.random() < 0.9 else None,
        relationship=_pick(rng, RELATIONSHIPS),
        tier=_pick(rng, TIERS),
        cadence_days=rng.choice((30, 45, 90, 180)) if rng.random() < 0.1 else None,
        country=_pick(rng, COUNTRIES) or None,
        birthday=birthday,
        worked_together_until=as_of - timedelta(days=rng.randint(200, 3000)) if rng.random() < 0.5 else None,
        tags=tuple(rng.sample(TAGS, rng.randint(0, 3))),
        notes=_sentence(rng, 6, 30) if rng.random() < 0.6 else None,
        last_touch=last_touch,
        paused=rng.random() < 0.03,
        snoozed_until=as_of + timedelta(days=rng.randint(-10, 14)) if rng.random() < 0.02 else None,
        version=1,
    )


def _imported_touches(rng: random.Random, contacts: Sequence[Contact], imported_on: date) -> list[Touch]:
    """The history imported with the contacts: 0 to 6 touches each (2 on average) over the two years before."""
    touches = []
    for contact in contacts:
        for k in range(rng.choice((0, 0, 1, 1, 2, 2, 3, 4, 5, 6))):
            day = imported_on - timedelta(days=rng.randint(1, 730))
            touches.append(
                Touch(
                    id=f"{rng.randbytes(10).hex()}{k}",
                    contact_id=contact.id,
                    date=day,
                    direction=rng.choice((Direction.OUTBOUND, Direction.OUTBOUND, Direction.INBOUND, Direction.MUTUAL)),
                    channel=rng.choice(tuple(Channel)),
                    note=_sentence(rng, 4, 18) if rng.random() < 0.4 else None,
                    source="import",
                )
            )
    return touches


def _link_touches(rng: random.Random, contacts: Sequence[Contact], as_of: date) -> list[Touch]:
    """A year of "I reached out" / "They reached out" clicks, mostly on the tier A and B contacts."""
    weighted = [c for c in contacts for _ in range({Tier.A: 6, Tier.B: 2, Tier.C: 1}[c.tier])]
    touches = []
    for days_ago in range(365, 0, -1):
        day = as_of - timedelta(days=days_ago)
        for k in range(TOUCH_CLICKS_PER_DAY):
            contact = rng.choice(weighted)
            touches.append(
                Touch(
                    id=f"{rng.randbytes(10).hex()}",
                    contact_id=contact.id,
                    date=day,
                    direction=Direction.OUTBOUND if rng.random() < 0.75 else Direction.INBOUND,
                    channel=rng.choice((Channel.EMAIL, Channel.CALL, Channel.MEETING)),
                    note=_sentence(rng, 3, 12) if rng.random() < 0.2 else None,
                    source="link",
                    recorded_at=datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=12, minutes=k),
                    filed_on=day,  # the link's date: clicked the day its digest came
                )
            )
    return touches


def _events(rng: random.Random, contacts: Sequence[Contact], as_of: date) -> list[LifeEvent]:
    kinds = tuple(EventKind)
    events = [
        LifeEvent(
            f"ev{i:05d}", as_of - timedelta(days=rng.randint(0, 90)), rng.choice(kinds), c.id, _sentence(rng, 3, 10)
        )
        for i, c in enumerate(rng.sample(list(contacts), max(1, len(contacts) // 50)))
    ]
    events += [
        LifeEvent("own-1", as_of - timedelta(days=12), EventKind.PROMOTION, None, "Promoted to Staff Engineer."),
        LifeEvent("own-2", as_of - timedelta(days=200), EventKind.MOVED, None, "Moved to Lisbon."),
    ]
    return events


def _runs(rng: random.Random, as_of: date) -> list[DigestRun]:
    """The digest runs the table's TTL keeps (RUN_RETENTION_DAYS): most sent, a few skipped."""
    runs = []
    for days_ago in range(RUN_RETENTION_DAYS, 0, -1):
        day = as_of - timedelta(days=days_ago)
        at = send_instant(TIMEZONE, day, SEND_HOUR)
        sent = rng.random() < 0.9
        runs.append(
            DigestRun(
                owner_id=OWNER_ID,
                local_date=day,
                send_at=at,
                status=RunStatus.SENT if sent else RunStatus.SKIPPED,
                claimed_by=rng.randbytes(16).hex(),
                lease_until=at + timedelta(minutes=2),
                message_id=f"0100018{rng.randbytes(16).hex()}-{rng.randbytes(8).hex()}-000000" if sent else None,
                items=rng.randint(1, 8) if sent else 0,
            )
        )
    return runs


def _actions(rng: random.Random, contacts: Sequence[Contact], as_of: date) -> list[ActionRecord]:
    """The action records of the last month's snoozes (each kept until its link expires). A touch link keeps no
    record: its touch, filed under the link, is the record."""
    records = []
    snoozes = ACTION_RECORD_DAYS * (CLICKS_PER_DAY - TOUCH_CLICKS_PER_DAY)
    for _ in range(snoozes):
        contact = rng.choice(contacts)
        done = datetime.combine(as_of, datetime.min.time(), UTC) - timedelta(days=rng.randint(1, ACTION_RECORD_DAYS))
        records.append(
            ActionRecord(
                key=rng.randbytes(16).hex(),
                action="snooze",
                done_at=done,
                expires_at=done + timedelta(days=30),
                contact_id=contact.id,
                until=done.date() + timedelta(days=14),
            )
        )
    return records


# --- writing it ------------------------------------------------------------------------------------------


def plain_items(partition: Partition) -> Iterator[dict[str, Any]]:
    owner_id = partition.owner.id
    yield owner_to_item(partition.owner)
    yield from (contact_to_item(owner_id, c) for c in partition.contacts)
    yield from (touch_to_item(owner_id, t) for t in partition.touches)
    yield from (event_to_item(owner_id, e) for e in partition.events)
    yield from (run_to_item(r) for r in partition.runs)
    yield from (action_to_item(owner_id, a) for a in partition.actions)
    yield from (access_token_to_item(owner_id, t) for t in partition.tokens)


def write(repo: Repository, partition: Partition) -> None:
    """Put every item (BatchWriteItem)."""
    items = [encode_item(item) for item in plain_items(partition)]
    for start in range(0, len(items), BATCH_WRITE):
        requests = [{"PutRequest": {"Item": item}} for item in items[start : start + BATCH_WRITE]]
        unprocessed = repo.client.batch_write_item(RequestItems={repo.table_name: requests})  # type: ignore[dict-item]
        if unprocessed.get("UnprocessedItems"):
            raise RuntimeError("the emulator left items unprocessed")
