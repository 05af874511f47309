"""Places from the command line: the city key stored beside a city, and trips (docs/design.md, "Places")."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from circleback.adapters.store.repository import Repository
from circleback.domain.ids import content_id
from circleback.domain.model import Contact, Owner, Trip
from circleback.domain.places import residents

TRIP_MAX_DAYS = 90  # a trip longer than a season is a move: `settings set --city` says so better


def city_key(city: str | None, country: str | None = None) -> str | None:
    """The key places compare (adapters/gazetteer.py): the gazetteer's city for the name, in `country` first."""
    return _key(city, country) if city else None


def _key(city: str, country: str | None) -> str:
    from circleback.adapters.gazetteer import gazetteer  # only where a city is stored: its index takes a second

    return gazetteer().city(city, country).key


def located(contact: Contact) -> Contact:
    """The contact with the key of its city (none without one). Every door that writes a contact's city goes
    through this: an import's merge, `contacts add/edit`, a restore."""
    key = city_key(contact.city, contact.country)
    return contact if key == contact.city_key else replace(contact, city_key=key)


def home(owner: Owner, city: str | None) -> Owner:
    """The owner with a home city (None: none), keyed."""
    written = " ".join(city.split()) if city else None
    return replace(owner, city=written or None, city_key=city_key(written, owner.country))


@dataclass(frozen=True, slots=True)
class PlannedTrip:
    trip: Trip
    there: list[Contact]  # sorted, unpaused contacts who live in its city, by name


def add_trip(
    repo: Repository, owner_id: str, city: str, start: date, end: date | None, country: str | None, today: date
) -> PlannedTrip:
    """Record a trip (ValueError names what is wrong). The same city and dates twice is one trip."""
    written = " ".join(city.split())
    last = end or start
    if not written:
        raise ValueError("a trip needs a city")
    if last < start:
        raise ValueError(f"the trip ends ({last.isoformat()}) before it starts ({start.isoformat()})")
    if last < today:
        raise ValueError(f"the trip is over ({last.isoformat()}): nothing to plan")
    if last - start > timedelta(days=TRIP_MAX_DAYS):
        raise ValueError(f"a trip is at most {TRIP_MAX_DAYS} days; for a move, use `settings set --city`")
    key = _key(written, country)
    trip = Trip(content_id("trip", key, start.isoformat(), last.isoformat())[:12], written, key, start, last)
    repo.add_trip(owner_id, trip)  # False: the same trip is there already, which is what was asked
    return PlannedTrip(trip, _there(repo.list_contacts(owner_id), key))


def list_trips(repo: Repository, owner_id: str) -> list[PlannedTrip]:
    contacts = repo.list_contacts(owner_id)
    trips = sorted(repo.list_trips(owner_id), key=lambda trip: (trip.start, trip.city))
    return [PlannedTrip(trip, _there(contacts, trip.city_key)) for trip in trips]


def _there(contacts: list[Contact], key: str) -> list[Contact]:
    return sorted(residents(contacts, key), key=lambda c: (c.name.casefold(), c.id))
