"""The occasions a digest mentions, as finders for `plan_digest(..., occasion_finders=...)`.

docs/design.md, "The rules of the digest".

Pure: each finder reads only its PlanContext; "today" is `context.as_of`. Birthdays, work anniversaries and
holidays are looked for ahead, in [as_of, window_end]. News is looked for behind: a contact's life event of the
last 14 days, the owner's own news of the last 30, each dated on the day it happened (so before as_of) and
shown as long as nobody has been in touch since. A paused contact gets no item of any kind; an unsorted one
only their news (a good moment to sort them; domain/sorting.py).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from circleback.domain.cadence import counts_as_contact, name_key
from circleback.domain.holiday_calendar import HolidayDate, greeting_holidays
from circleback.domain.holiday_rules import HolidayRule
from circleback.domain.model import OWN_NEWS_KINDS, Contact, EventKind, LifeEvent, Relationship, Tier
from circleback.domain.places import old_team, trips
from circleback.domain.planner import Occasion, OccasionFinder, OccasionKind, PlanContext

RECENT_TOUCH_DAYS = 7  # someone you were in touch with this week needs no holiday greeting
LIFE_EVENT_DAYS = 14
OWN_NEWS_DAYS = 30
OWN_NEWS_MAX_CONTACTS = 5
FIRST_TO_HEAR = frozenset({Relationship.BOSS, Relationship.MENTOR})

# A contact's news: how the digest names it, and a first line that fits.
CONTACT_NEWS: Mapping[EventKind, tuple[str, str]] = {
    EventKind.NEW_JOB: ("{name}'s new job", "Congratulations on the new role!"),
    EventKind.PROMOTION: ("{name}'s promotion", "Congratulations on the promotion!"),
    EventKind.MOVED: ("{name}'s move", "Congratulations on the move! How are you settling in?"),
    EventKind.MARRIED: ("{name}'s wedding", "Congratulations on the wedding!"),
    EventKind.BABY: ("{name}'s new baby", "Congratulations on the new arrival!"),
    EventKind.AWARD: ("{name}'s award", "Congratulations on the award, well deserved!"),
    EventKind.OTHER: ("News from {name}", "Congratulations on the news!"),
}

# The owner's own news (only OWN_NEWS_KINDS): how the digest names it, and a first line that fits.
YOUR_NEWS: Mapping[EventKind, tuple[str, str]] = {
    EventKind.NEW_JOB: ("Your new job", "I wanted you to hear it from me: I have started a new job."),
    EventKind.PROMOTION: ("Your promotion", "I wanted you to hear it from me: I have been promoted."),
    EventKind.MOVED: ("Your move", "I wanted you to hear it from me: I have moved."),
    EventKind.AWARD: ("Your award", "I wanted you to hear it from me: I have received an award."),
    EventKind.MARRIED: ("Your wedding", "I wanted you to hear it from me: I got married."),
    EventKind.BABY: ("Your new baby", "I wanted you to hear it from me: we have a new baby."),
    EventKind.OTHER: ("Your news", "I wanted you to hear it from me:"),
}


def your_news_line(event: LifeEvent) -> str:
    """The first line of the owner's news, with its note (the new role, the new number or address after a move):
    "I wanted you to hear it from me: I have moved. New address: 12 Rua Augusta, Lisbon." """
    _, line = YOUR_NEWS[event.kind]
    note = " ".join((event.note or "").split())
    if not note:
        return line.removesuffix(":") + ("." if line.endswith(":") else "")
    return f"{line} {note}" if line.endswith(":") else f"{line} {note.rstrip('.')}."


# --- birthdays and work anniversaries --------------------------------------------------------------------


def yearly_dates(month: int, day: int, start: date, end: date) -> list[date]:
    """Each year's (month, day) in [start, end]; 29 February falls on 28 February in other years."""
    found = []
    for year in range(start.year, end.year + 1):
        leap_day_moves = (month, day) == (2, 29) and not calendar.isleap(year)
        on = date(year, 2, 28) if leap_day_moves else date(year, month, day)
        if start <= on <= end:
            found.append(on)
    return found


def birthdays(context: PlanContext) -> list[Occasion]:
    """A birthday in the window, with the age they turn when the year is known."""
    found = []
    for contact in active_contacts(context):
        born = contact.birthday
        if born is None:
            continue
        for day in yearly_dates(born.month, born.day, context.as_of, context.window_end):
            age = day.year - born.year if born.year is not None else None
            if age is not None and age < 0:  # a birth year after the window: a typo, not a birthday
                continue
            shown_age = age if age else None
            label = f"{contact.name}'s birthday" + (f" ({shown_age})" if shown_age else "")
            found.append(
                Occasion(OccasionKind.BIRTHDAY, day, (contact,), label, opener="Happy birthday!", age=shown_age)
            )
    return found


def work_anniversaries(context: PlanContext) -> list[Occasion]:
    """Each whole year (one or more) since you stopped working together, on that day."""
    found = []
    for contact in active_contacts(context):
        until = contact.worked_together_until
        if until is None:
            continue
        for day in yearly_dates(until.month, until.day, context.as_of, context.window_end):
            years = day.year - until.year
            if years >= 1:
                found.append(_anniversary(contact, day, years))
    return found


def _anniversary(contact: Contact, day: date, years: int) -> Occasion:
    span = f"{years} year{'' if years == 1 else 's'}"
    at = f" at {contact.company}" if contact.company else ""
    return Occasion(
        OccasionKind.WORK_ANNIVERSARY,
        day,
        (contact,),
        f"{span} since you and {contact.name} worked together{at}",
        opener=f"It has been {span} since we worked together{at}. How are things with you?",
        years=years,
    )


# --- holidays ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Greeting:
    """One holiday on one date, and everyone to greet for it."""

    rule: HolidayRule
    contacts: dict[str, Contact] = field(default_factory=dict)
    countries: set[str] = field(default_factory=set)


def holiday_greetings(context: PlanContext) -> list[Occasion]:
    """One item per holiday and date, listing the contacts whose country keeps it that day.

    A contact's country, else the owner's; without either, no holiday is known for them. Contacts touched in
    the last 7 days are left out, and an item left with nobody is dropped.
    """
    greetings: dict[tuple[date, str], _Greeting] = {}
    by_country: dict[str, list[HolidayDate]] = {}
    recent = context.as_of - timedelta(days=RECENT_TOUCH_DAYS)
    for contact in active_contacts(context):
        country = (contact.country or context.data.owner.country or "").upper()
        if not country or touched_between(context, contact, recent, context.as_of):
            continue
        if country not in by_country:
            by_country[country] = greeting_holidays(country, context.as_of, context.window_end)
        for holiday in by_country[country]:
            greeting = greetings.setdefault((holiday.date, holiday.rule.name), _Greeting(holiday.rule))
            greeting.contacts.setdefault(contact.id, contact)
            greeting.countries.add(country)
    return [
        Occasion(
            OccasionKind.HOLIDAY,
            day,
            tuple(greeting.contacts.values()),
            greeting.rule.name,
            opener=greeting.rule.greeting,
            holiday=greeting.rule.name,
            countries=tuple(sorted(greeting.countries)),
        )
        for (day, _), greeting in sorted(greetings.items())
    ]


# --- news -------------------------------------------------------------------------------------------------


def contact_news(context: PlanContext) -> list[Occasion]:
    """A contact's life event of the last 14 days with no touch since (on or after its date): congratulate.
    Unsorted contacts too: news is a reason to be in touch, and to sort them."""
    by_id = {c.id: c for c in context.data.contacts if not c.paused}
    start = context.as_of - timedelta(days=LIFE_EVENT_DAYS)
    found = []
    for event in distinct_events(e for e in context.data.events if e.contact_id is not None):
        contact = by_id.get(event.contact_id or "")
        if contact is None or not start <= event.date <= context.as_of:
            continue
        if touched_between(context, contact, event.date, context.as_of):
            continue
        label, opener = CONTACT_NEWS[event.kind]
        found.append(
            Occasion(
                OccasionKind.LIFE_EVENT,
                event.date,
                (contact,),
                label.format(name=contact.name),
                opener=opener,
                event=event,
            )
        )
    return found


def own_news(context: PlanContext) -> list[Occasion]:
    """The owner's news of the last 30 days, with up to 5 people who should hear it first-hand."""
    start = context.as_of - timedelta(days=OWN_NEWS_DAYS)
    found = []
    for event in distinct_events(e for e in context.data.events if e.contact_id is None):
        if event.kind not in OWN_NEWS_KINDS or not start <= event.date <= context.as_of:
            continue
        audience = news_audience(context, event.date)
        if audience:
            label, _ = YOUR_NEWS[event.kind]
            opener = your_news_line(event)
            found.append(Occasion(OccasionKind.OWN_NEWS, event.date, audience, label, opener=opener, event=event))
    return found


def news_audience(context: PlanContext, since: date) -> tuple[Contact, ...]:
    """Bosses and mentors first, then the other tier-A contacts; each group by tier then name; at most 5.

    Only contacts not touched since the news (on or after its date).
    """
    untouched = [c for c in active_contacts(context) if not touched_between(context, c, since, context.as_of)]
    first = [c for c in untouched if c.relationship in FIRST_TO_HEAR]
    then = [c for c in untouched if c.relationship not in FIRST_TO_HEAR and c.tier is Tier.A]
    return tuple((first + then)[:OWN_NEWS_MAX_CONTACTS])


# --- shared -----------------------------------------------------------------------------------------------


def active_contacts(context: PlanContext) -> list[Contact]:
    """Contacts that may get a greeting or hear the owner's news: sorted and not paused, each id once, by tier then
    name (a stable order).

    Worked out once per plan (every finder asks): the list is shared, so callers must not change it.
    """
    active: list[Contact] | None = context.shared.get("active_contacts")
    if active is None:
        unique: dict[str, Contact] = {}
        for contact in context.data.contacts:
            if not contact.paused and not contact.unsorted:
                unique.setdefault(contact.id, contact)
        active = sorted(unique.values(), key=lambda c: (c.tier, *name_key(c.name), c.id))
        context.shared["active_contacts"] = active
    return active


def touched_between(context: PlanContext, contact: Contact, start: date, end: date) -> bool:
    """Whether a logged touch (a like aside: `counts_as_contact`) or the imported last touch falls in [start, end]."""
    if contact.last_touch is not None and start <= contact.last_touch <= end:
        return True
    touches = context.touches_by_contact.get(contact.id, ())
    return any(start <= t.date <= end and counts_as_contact(t) for t in touches)


def distinct_events(events: Iterable[LifeEvent]) -> list[LifeEvent]:
    """Events oldest first, the same news recorded twice (same person, day, kind and note) kept once."""
    seen: dict[tuple[str | None, date, EventKind, str | None], LifeEvent] = {}
    for event in sorted(events, key=lambda e: (e.date, e.id)):
        seen.setdefault((event.contact_id, event.date, event.kind, event.note), event)
    return list(seen.values())


DEFAULT_OCCASION_FINDERS: tuple[OccasionFinder, ...] = (
    birthdays,
    work_anniversaries,
    holiday_greetings,
    contact_news,
    own_news,
    trips,
    old_team,
)
