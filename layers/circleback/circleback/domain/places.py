"""Places: a trip to a city where people you know live, and the people who live where you do (issue 20).

docs/design.md, "Places". Pure: cities are compared by the keys the command line stored with them
(adapters/gazetteer.py), never by their spelling; "today" is the plan's `as_of`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from fractions import Fraction

from circleback.domain.cadence import first_due_dates, listed_from, name_key, scheduled_due
from circleback.domain.cities import lives_in
from circleback.domain.model import Contact, Tier, Trip
from circleback.domain.planner import Occasion, OccasionKind, PlanContext
from circleback.domain.teams import TEAM_DUE_MIN, TEAM_DUE_WITHIN_DAYS, TEAM_MAX_CONTACTS, TEAM_QUIET_DAYS, teams

TRIP_NOTICE_DAYS = 14  # a trip is in the digest from two weeks before it starts until its first day
TRIP_MAX_CONTACTS = 8


def trip_shown(trip: Trip, as_of: date) -> bool:
    """From TRIP_NOTICE_DAYS before the trip's first day until that day, inclusive."""
    return trip.start - timedelta(days=TRIP_NOTICE_DAYS) <= as_of <= trip.start


def trip_dates(trip: Trip) -> str:
    """ "3–5 March", "30 March–2 April", "31 December 2026–2 January 2027", or "3 March" for a day."""
    start, end = trip.start, trip.end
    if start == end:
        return f"{start.day} {start:%B}"
    if start.year != end.year:
        return f"{start.day} {start:%B %Y}–{end.day} {end:%B %Y}"
    if start.month != end.month:
        return f"{start.day} {start:%B}–{end.day} {end:%B}"
    return f"{start.day}–{end.day} {end:%B}"


def trips(context: PlanContext) -> list[Occasion]:
    """Each trip in its notice window with the sorted, unpaused people who live in its city: closest tier
    first, then the most overdue, at most TRIP_MAX_CONTACTS."""
    found = []
    for trip in context.data.trips:
        if not trip_shown(trip, context.as_of):
            continue
        there = residents(context.data.contacts, trip.city_key)
        if not there:
            continue
        ranked = sorted(there, key=lambda c: _trip_rank(c, context))[:TRIP_MAX_CONTACTS]
        dates = trip_dates(trip)
        found.append(
            Occasion(
                OccasionKind.TRIP,
                trip.start,
                tuple(ranked),
                f"In {trip.city} {dates}",
                opener=f"I'll be in {trip.city} {dates}. Lunch?",
                trip=trip,
                group=tuple(ranked),
            )
        )
    return found


def _trip_rank(contact: Contact, context: PlanContext) -> tuple[Tier, Fraction, str, str, str]:
    # Tier values sort A, B, C, as the occasions' contacts are ordered (domain/occasions.py active_contacts).
    return (contact.tier, -_overdue(contact, context), *name_key(contact.name), contact.id)


def _overdue(contact: Contact, context: PlanContext) -> Fraction:
    """How far through their cadence a contact is (1 is due today): a contact never touched counts as due."""
    scheduled = scheduled_due(contact, context.histories[contact.id], None)
    if scheduled is None:
        return Fraction(1)
    due, cadence = scheduled
    return Fraction((context.as_of - due).days + cadence, cadence)


def residents(contacts: Iterable[Contact], city_key: str) -> list[Contact]:
    """The sorted, unpaused contacts who live in the city: whom a trip there can name."""
    return [c for c in contacts if lives_in(c, city_key) and not (c.paused or c.unsorted)]


# --- the old team -----------------------------------------------------------------------------------------


def old_team(context: PlanContext) -> list[Occasion]:
    """At most one lunch a digest: the team in the owner's city with the most people due (TEAM_DUE_MIN or more
    due within TEAM_DUE_WITHIN_DAYS), then the biggest, unless its last lunch was TEAM_QUIET_DAYS ago or less."""
    data, as_of = context.data, context.as_of
    quiet = {lunch.team for lunch in data.lunches if (as_of - lunch.on).days < TEAM_QUIET_DAYS}
    candidates = [team for team in teams(data, as_of) if team.key not in quiet]
    if not candidates:
        return []
    first_due = first_due_dates(data.contacts)
    horizon = as_of + timedelta(days=TEAM_DUE_WITHIN_DAYS)
    ranked = []
    for team in candidates:
        soon = sum(1 for c in team.members if _due_by(c, context, first_due.get(c.id), horizon))
        if soon >= TEAM_DUE_MIN:
            ranked.append(((-soon, -len(team.members), team.key), team))
    if not ranked:
        return []
    team = min(ranked, key=lambda found: found[0])[1]
    members = team.members[:TEAM_MAX_CONTACTS]
    return [
        Occasion(
            OccasionKind.GROUP,
            as_of,
            members,
            team.company,
            opener=f"It's been too long since our {team.company} days. Lunch, all of us?",
            group=members,
            team=team.key,
        )
    ]


def _due_by(contact: Contact, context: PlanContext, first_due: date | None, day: date) -> bool:
    scheduled = scheduled_due(contact, context.histories[contact.id], first_due)
    return scheduled is not None and listed_from(contact, scheduled[0]) <= day
