"""The owner's year ahead as calendar entries: birthdays, work anniversaries, holidays and due dates.

Pure: "today" is `start`, and every date comes from the same rules the digest uses
(docs/design.md, "The rules of the digest"), over a long
window instead of the digest's week. Two choices differ from the digest, because a feed shows the future:
- holiday greetings keep contacts touched in the last 7 days: by the holiday, that touch may be weeks old;
- each contact gets one entry for the next day the digest would list them, never a repeat per cadence:
  the cadence restarts from whenever the owner actually gets in touch.

Each entry's uid names the event, not the day the feed was made: the same birthday or holiday has the same
uid on every refresh, and a due entry keeps its uid as it moves, so calendar apps update events in place.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from circleback.domain.cadence import (
    History,
    chronological,
    first_due_dates,
    listed_from,
    scheduled_due,
    summarise,
)
from circleback.domain.holiday_calendar import HolidayDate, greeting_holidays
from circleback.domain.model import Contact, DigestInput, Relationship, Touch
from circleback.domain.occasions import active_contacts, birthdays, work_anniversaries
from circleback.domain.planner import Occasion, OccasionKind, PlanContext
from circleback.domain.wording import first_name, long_day

DUE = "due"
DEFAULT_DAYS = 365
UID_DOMAIN = "circleback"
NAMES_IN_SUMMARY = 2  # "greet Ana, Bo and 3 others": longer lists belong in the description
NOTE_LIMIT = 200  # a calendar description is a glance, not the contact's file


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """One all-day event of the feed."""

    uid: str  # stable: kind + contact id (or holiday name) + date; a due entry's has no date, it moves
    kind: str  # birthday | work_anniversary | holiday | due
    date: date
    summary: str  # "Ana Souza's birthday", "Thanksgiving: greet Ana, Bo and 3 others", "Reach out to Ana Souza"
    description: str  # who they are to the owner, and what to say
    contact_ids: tuple[str, ...]


def calendar_entries(data: DigestInput, start: date, days: int = DEFAULT_DAYS) -> list[CalendarEntry]:
    """Every entry of [start, start + days - 1], by date then uid. Paused and unsorted contacts get none."""
    if days < 1:
        return []
    context = _context(data, start, start + timedelta(days=days - 1))
    occasions = [*birthdays(context), *work_anniversaries(context)]
    entries = [_contact_occasion_entry(o) for o in occasions]
    entries += _holiday_entries(context)
    entries += _due_entries(context)
    return sorted(entries, key=lambda e: (e.date, e.uid))


def next_due_date(contact: Contact, history: History, first_due: date | None, start: date) -> date | None:
    """The first day from `start` on that the digest would list the contact (cadence.py's due rule).

    Overdue contacts are listed on `start` itself; a snooze holds them back until the day after it ends.
    None for a paused or unsorted contact, or one with neither a touch nor a spread date.
    """
    scheduled = scheduled_due(contact, history, first_due)
    return None if scheduled is None else max(listed_from(contact, scheduled[0]), start)


# --- building the entries ---------------------------------------------------------------------------------


def _context(data: DigestInput, start: date, end: date) -> PlanContext:
    """The occasion finders' view of the window; only touches known on `start` count, as in the digest."""
    touches: dict[str, list[Touch]] = defaultdict(list)
    for touch in chronological(t for t in data.touches if t.date <= start):
        touches[touch.contact_id].append(touch)
    histories = {c.id: summarise(c.last_touch, touches.get(c.id, [])) for c in data.contacts}
    return PlanContext(data=data, as_of=start, window_end=end, histories=histories, touches_by_contact=dict(touches))


def _contact_occasion_entry(occasion: Occasion) -> CalendarEntry:
    """A birthday or a work anniversary: one contact, one day."""
    [contact] = occasion.contacts
    return CalendarEntry(
        uid=_uid(occasion.kind, contact.id, occasion.date.isoformat()),
        kind=occasion.kind,
        date=occasion.date,
        summary=occasion.label,
        description=f"{_who(contact)}\nSay: {occasion.opener}",
        contact_ids=(contact.id,),
    )


def _holiday_entries(context: PlanContext) -> list[CalendarEntry]:
    """One entry per holiday and date, listing everyone whose country (else the owner's) keeps it that day."""
    greetings: dict[tuple[date, str], tuple[HolidayDate, list[Contact]]] = {}
    by_country: dict[str, list[HolidayDate]] = {}
    for contact in active_contacts(context):  # by tier then name, so the summary names the closest first
        country = (contact.country or context.data.owner.country or "").upper()
        if not country:
            continue
        if country not in by_country:
            by_country[country] = greeting_holidays(country, context.as_of, context.window_end)
        for holiday in by_country[country]:
            greetings.setdefault((holiday.date, holiday.rule.name), (holiday, []))[1].append(contact)
    return [_holiday_entry(holiday, contacts) for holiday, contacts in greetings.values()]


def _holiday_entry(holiday: HolidayDate, contacts: Sequence[Contact]) -> CalendarEntry:
    name = holiday.rule.name
    lines = [_who(c) for c in contacts]
    return CalendarEntry(
        uid=_uid(OccasionKind.HOLIDAY, _slug(name), holiday.date.isoformat()),
        kind=OccasionKind.HOLIDAY,
        date=holiday.date,
        summary=f"{name}: greet {_some_names(contacts)}",
        description="\n".join([*lines, f"Say: {holiday.rule.greeting}"]),
        contact_ids=tuple(c.id for c in contacts),
    )


def _due_entries(context: PlanContext) -> list[CalendarEntry]:
    first_due = first_due_dates(context.data.contacts)
    entries = []
    for contact in active_contacts(context):
        history = context.histories[contact.id]
        listed = next_due_date(contact, history, first_due.get(contact.id), context.as_of)
        if listed is not None and listed <= context.window_end:
            entries.append(_due_entry(contact, history, listed))
    return entries


def _due_entry(contact: Contact, history: History, listed: date) -> CalendarEntry:
    lines = [_who(contact), _last_touch_line(history)]
    if history.latest is not None and history.latest.note:
        lines.append(f"Last note: {_shortened(history.latest.note)}")
    return CalendarEntry(
        uid=_uid(DUE, contact.id),  # no date: the entry moves as touches are logged, and stays one event
        kind=DUE,
        date=listed,
        summary=f"Reach out to {contact.name}",
        description="\n".join(lines),
        contact_ids=(contact.id,),
    )


# --- wording ------------------------------------------------------------------------------------------


def _who(contact: Contact) -> str:
    """Who they are to the owner: "Ana Souza · mentor · VP Engineering at Acme"."""
    relationship = contact.relationship.value if contact.relationship is not Relationship.OTHER else None
    role = " at ".join(p for p in (contact.title, contact.company) if p)
    return " · ".join(p for p in (contact.name, relationship, role) if p)


def _some_names(contacts: Sequence[Contact]) -> str:
    """First names, the rest counted: "Ana", "Ana and Bo", "Ana, Bo and Cy", "Ana, Bo and 3 others"."""
    names = [first_name(c.name) for c in contacts]
    if len(names) > NAMES_IN_SUMMARY + 1:
        rest = len(names) - NAMES_IN_SUMMARY
        return f"{', '.join(names[:NAMES_IN_SUMMARY])} and {rest} others"
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _last_touch_line(history: History) -> str:
    if history.last_touch is None:
        return "No touch logged yet."
    return f"Last in touch on {long_day(history.last_touch)}."


def _shortened(text: str) -> str:
    text = text.strip()
    return text if len(text) <= NOTE_LIMIT else text[: NOTE_LIMIT - 1].rstrip() + "…"


def _uid(kind: str, *parts: str) -> str:
    return "-".join((kind, *parts)) + f"@{UID_DOMAIN}"


def _slug(name: str) -> str:
    """A uid part that survives any calendar app: "New Year's Day" -> "new-years-day"."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower().replace("'", "")).strip("-")
