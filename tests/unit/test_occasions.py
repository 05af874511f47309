"""Birthdays, work anniversaries, holiday greetings, contacts' news and the owner's own.

docs/design.md, "The rules of the digest".
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from circleback.domain.holiday_calendar import greeting_holidays
from circleback.domain.model import Birthday, Contact, DigestInput, EventKind, LifeEvent, Relationship, Tier, Touch
from circleback.domain.occasions import (
    DEFAULT_OCCASION_FINDERS,
    birthdays,
    contact_news,
    holiday_greetings,
    own_news,
    work_anniversaries,
)
from circleback.domain.planner import Occasion, OccasionFinder, PlanSettings, plan_digest
from tests.factories import contact, owner, touch

AS_OF = date(2026, 11, 22)  # a Sunday; the default window runs to 29 November
WINDOW_END = AS_OF + timedelta(days=7)
DAY = timedelta(days=1)


def found(
    finders: OccasionFinder | Sequence[OccasionFinder],
    contacts: Sequence[Contact],
    touches: Iterable[Touch] = (),
    events: Iterable[LifeEvent] = (),
    as_of: date = AS_OF,
    lookahead: int = 7,
    country: str | None = "US",
) -> list[Occasion]:
    chosen = [finders] if callable(finders) else list(finders)
    data = DigestInput(owner(country=country), list(contacts), list(touches), list(events))
    # The finders alone: with nobody listed as due, no occasion is folded into a due line (planner._once_each).
    return plan_digest(data, as_of, PlanSettings(lookahead_days=lookahead, max_due=0), chosen).occasions


def when(occasions: Iterable[Occasion]) -> list[tuple[date, str]]:
    return [(o.date, o.label) for o in occasions]


def names(occasion: Occasion) -> list[str]:
    return [c.name for c in occasion.contacts]


def event(on: date, kind: EventKind = EventKind.NEW_JOB, about: Contact | None = None, **fields: str) -> LifeEvent:
    fields.setdefault("id", f"e-{on}-{kind}-{about.id if about else 'own'}")
    return LifeEvent(date=on, kind=kind, contact_id=about.id if about else None, **fields)


# --- birthdays ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "shown"),
    [(AS_OF - DAY, False), (AS_OF, True), (WINDOW_END, True), (WINDOW_END + DAY, False)],
)
def test_a_birthday_is_shown_from_as_of_to_the_window_end(day: date, shown: bool) -> None:
    ana = contact("Ana", birthday=Birthday(day.month, day.day))
    assert when(found(birthdays, [ana])) == ([(day, "Ana's birthday")] if shown else [])


def test_the_age_is_given_when_the_year_is_known() -> None:
    ana = contact("Ana", birthday=Birthday(11, 25, year=1986))
    [occasion] = found(birthdays, [ana])
    assert (occasion.label, occasion.age, occasion.opener) == ("Ana's birthday (40)", 40, "Happy birthday!")
    assert occasion.contacts == (ana,) and occasion.kind == "birthday"


def test_a_birthday_early_in_january_is_found_from_december() -> None:
    ana = contact("Ana", birthday=Birthday(1, 2, year=1990))
    assert when(found(birthdays, [ana], as_of=date(2026, 12, 28))) == [(date(2027, 1, 2), "Ana's birthday (37)")]


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2027, 2, 25), date(2027, 2, 28)),  # common year: 28 February
        (date(2028, 2, 25), date(2028, 2, 29)),  # leap year: the day itself, not also the 28th
        (date(2027, 3, 1), None),  # 28 February 2027 has passed, 29 February 2028 is far away
    ],
)
def test_a_29_february_birthday_falls_on_28_february_in_common_years(as_of: date, expected: date | None) -> None:
    leap = contact("Leap", birthday=Birthday(2, 29, year=2000))
    result = found(birthdays, [leap], as_of=as_of)
    assert [o.date for o in result] == ([expected] if expected else [])
    if expected:
        assert result[0].age == expected.year - 2000


# --- work anniversaries --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "shown"),
    [(AS_OF - DAY, False), (AS_OF, True), (WINDOW_END, True), (WINDOW_END + DAY, False)],
)
def test_a_work_anniversary_is_shown_from_as_of_to_the_window_end(day: date, shown: bool) -> None:
    ana = contact("Ana", worked_together_until=day.replace(year=2023), company="Acme")
    expected = [(day, "3 years since you and Ana worked together at Acme")] if shown else []
    assert when(found(work_anniversaries, [ana])) == expected


def test_an_anniversary_counts_whole_years_from_one_and_names_the_company_when_known() -> None:
    one = contact("Bo", worked_together_until=date(2025, 11, 24))
    this_year = contact("Cy", worked_together_until=date(2026, 11, 24))  # not yet a year
    [occasion] = found(work_anniversaries, [one, this_year])
    assert (occasion.label, occasion.years) == ("1 year since you and Bo worked together", 1)
    assert occasion.opener == "It has been 1 year since we worked together. How are things with you?"


@pytest.mark.parametrize(
    ("as_of", "expected", "years"),
    [(date(2025, 2, 25), date(2025, 2, 28), 1), (date(2028, 2, 25), date(2028, 2, 29), 4)],
)
def test_a_29_february_anniversary_falls_on_28_february_in_common_years(
    as_of: date, expected: date, years: int
) -> None:
    ana = contact("Ana", worked_together_until=date(2024, 2, 29))
    assert [(o.date, o.years) for o in found(work_anniversaries, [ana], as_of=as_of)] == [(expected, years)]


# --- holidays: dates ------------------------------------------------------------------------------------


def library_first_day(country: str, year: int, name: str, subdiv: str | None = None) -> date:
    """Straight from the library: the earliest day of `year` with exactly that name (estimates allowed)."""
    calendar = holidays.country_holidays(country, subdiv=subdiv, years=year, language="en_US")
    return min(d for d in calendar for n in calendar.get_list(d) if n.removesuffix(" (estimated)") == name)


def holiday_dates(country: str, name: str, start: date, end: date) -> list[date]:
    return [h.date for h in greeting_holidays(country, start, end) if h.rule.name == name]


LUNAR_NEW_YEAR_NAMES = {
    "CN": "Chinese New Year (Spring Festival)",
    "HK": "Chinese New Year",
    "TW": "Chinese New Year",
    "SG": "Chinese New Year",
    "MY": "Chinese New Year",
    "ID": "Lunar New Year",
    "KR": "Korean New Year",
    "VN": "Lunar New Year",
}


@pytest.mark.parametrize("year", [2026, 2027])
@pytest.mark.parametrize("country", sorted(LUNAR_NEW_YEAR_NAMES))
def test_lunar_new_year_is_the_librarys_first_day(country: str, year: int) -> None:
    expected = library_first_day(country, year, LUNAR_NEW_YEAR_NAMES[country])
    assert holiday_dates(country, "Lunar New Year", date(year, 1, 1), date(year, 12, 31)) == [expected]


def test_lunar_new_year_known_dates() -> None:
    assert holiday_dates("CN", "Lunar New Year", date(2026, 1, 1), date(2027, 12, 31)) == [
        date(2026, 2, 17),
        date(2027, 2, 6),
    ]
    # Korea reckons the new moon in its own time zone: in 2027 its new year is a day after China's.
    assert holiday_dates("KR", "Lunar New Year", date(2027, 1, 1), date(2027, 12, 31)) == [date(2027, 2, 7)]


def test_hong_kong_lunar_new_year_on_a_sunday_is_counted_back_from_its_second_day() -> None:
    # The library lists only the second to fourth days in 2023, the first being a Sunday.
    assert holiday_dates("HK", "Lunar New Year", date(2023, 1, 1), date(2023, 12, 31)) == [date(2023, 1, 22)]


@pytest.mark.parametrize("year", [2026, 2027])
@pytest.mark.parametrize(
    ("country", "name", "subdiv"),
    [("IN", "Diwali", None), ("SG", "Diwali", None), ("NP", "Laxmi Pooja", None), ("MY", "Diwali", "14")],
)
def test_diwali_is_the_librarys_date(country: str, name: str, subdiv: str | None, year: int) -> None:
    expected = library_first_day(country, year, name, subdiv)
    assert holiday_dates(country, "Diwali", date(year, 1, 1), date(year, 12, 31)) == [expected]


def test_diwali_known_dates() -> None:
    assert holiday_dates("IN", "Diwali", date(2026, 1, 1), date(2027, 12, 31)) == [
        date(2026, 11, 8),
        date(2027, 10, 29),
    ]
    assert holiday_dates("SG", "Diwali", date(2027, 1, 1), date(2027, 12, 31)) == [date(2027, 10, 28)]


@pytest.mark.parametrize("year", [2026, 2027])
@pytest.mark.parametrize(
    ("country", "name"),
    [("ID", "Eid al-Fitr"), ("MY", "Eid al-Fitr"), ("TR", "Eid al-Fitr"), ("SA", "Eid al-Fitr Holiday")],
)
def test_eid_al_fitr_is_the_librarys_first_day(country: str, name: str, year: int) -> None:
    expected = library_first_day(country, year, name)
    assert holiday_dates(country, "Eid al-Fitr", date(year, 1, 1), date(year, 12, 31)) == [expected]


def test_eid_al_fitr_known_dates_and_extra_days_left_out() -> None:
    # Malaysia adds a day before (an "additional holiday") and a second day: neither is the first day.
    assert holiday_dates("MY", "Eid al-Fitr", date(2026, 3, 1), date(2026, 3, 31)) == [date(2026, 3, 21)]
    assert holiday_dates("SA", "Eid al-Fitr", date(2026, 3, 1), date(2026, 3, 31)) == [date(2026, 3, 19)]
    assert holiday_dates("US", "Eid al-Fitr", date(2026, 1, 1), date(2026, 12, 31)) == []  # not a public holiday


def test_brazils_1_january_is_new_years_day_whatever_the_library_calls_it() -> None:
    br = contact("Bruna", country="BR")
    assert when(found(holiday_greetings, [br], as_of=date(2026, 12, 28))) == [(date(2027, 1, 1), "New Year's Day")]


def test_new_years_day_is_greeted_in_every_country_even_where_it_is_no_public_holiday() -> None:
    assert holiday_dates("IL", "New Year's Day", date(2026, 12, 25), date(2027, 1, 5)) == [date(2027, 1, 1)]


def test_christmas_only_where_25_december_is_christmas() -> None:
    window = (date(2026, 12, 20), date(2026, 12, 27))
    assert holiday_dates("BR", "Christmas Day", *window) == [date(2026, 12, 25)]
    assert holiday_dates("TW", "Christmas Day", *window) == []  # Taiwan's 25 December is Constitution Day
    assert holiday_dates("CN", "Christmas Day", *window) == []


def test_no_item_for_a_country_with_no_greeting_worthy_holiday_in_the_window() -> None:
    # Japan's Labor Thanksgiving Day (23 November) is not Thanksgiving.
    assert found(holiday_greetings, [contact("Kenji", country="JP")]) == []


@pytest.mark.parametrize(
    ("country", "start", "end", "expected"),
    [
        # 1 January 2022 was a Saturday: the US observed it on Friday 31 December.
        ("US", date(2021, 12, 28), date(2022, 1, 4), [date(2022, 1, 1)]),
        ("US", date(2021, 12, 20), date(2021, 12, 27), [date(2021, 12, 25)]),  # observed on the 24th
        ("EE", date(2026, 12, 20), date(2026, 12, 27), [date(2026, 12, 25)]),  # Christmas Eve, Second Day
        ("IL", date(2026, 9, 1), date(2026, 9, 30), [date(2026, 9, 12)]),  # Rosh Hashanah's second day
        ("IL", date(2026, 9, 13), date(2026, 9, 20), []),
        ("CN", date(2026, 2, 16), date(2026, 2, 16), []),  # Chinese New Year's Eve
        ("CN", date(2026, 2, 18), date(2026, 2, 28), []),  # the new year's later days
        ("VN", date(2027, 2, 1), date(2027, 2, 5), []),  # "29 of Lunar New Year" and the eve
    ],
)
def test_first_days_only_no_eves_second_days_or_observed(
    country: str, start: date, end: date, expected: list[date]
) -> None:
    assert [h.date for h in greeting_holidays(country, start, end)] == expected


# --- holidays: items ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "lookahead", "shown"),
    [
        (date(2026, 11, 26), 7, True),  # on as_of
        (date(2026, 11, 19), 7, True),  # on the window end
        (date(2026, 11, 27), 7, False),  # the day after
        (date(2026, 11, 18), 7, False),  # the day after the window end
    ],
)
def test_thanksgiving_at_the_edges_of_the_window(as_of: date, lookahead: int, shown: bool) -> None:
    us = contact("Sam", country="US")
    result = [o for o in found(holiday_greetings, [us], as_of=as_of, lookahead=lookahead) if o.label == "Thanksgiving"]
    assert [o.date for o in result] == ([date(2026, 11, 26)] if shown else [])


def test_one_item_per_holiday_and_date_listing_its_contacts() -> None:
    cn = contact("Chen", country="CN", tier=Tier.B)
    sg = contact("Siew", country="SG", tier=Tier.A)
    kr = contact("Kim", country="KR")
    result = found(holiday_greetings, [cn, sg, kr], as_of=date(2027, 2, 3))
    lunar = [o for o in result if o.holiday == "Lunar New Year"]
    assert [(o.date, names(o), o.countries) for o in lunar] == [
        (date(2027, 2, 6), ["Siew", "Chen"], ("CN", "SG")),  # tier A first
        (date(2027, 2, 7), ["Kim"], ("KR",)),  # Korea's falls a day later: another item
    ]
    assert all(o.kind == "holiday" and o.label == "Lunar New Year" for o in lunar)
    assert lunar[0].opener == "Happy Lunar New Year!"


def test_a_contact_without_a_country_takes_the_owners_and_without_either_has_no_holidays() -> None:
    nobody = contact("Nomad")
    assert [names(o) for o in found(holiday_greetings, [nobody])] == [["Nomad"]]  # the owner's US Thanksgiving
    assert found(holiday_greetings, [nobody], country=None) == []


@pytest.mark.parametrize(
    ("touched", "left_out"),
    [(AS_OF - timedelta(days=7), True), (AS_OF, True), (AS_OF - timedelta(days=8), False)],
)
def test_contacts_touched_in_the_last_7_days_are_left_out(touched: date, left_out: bool) -> None:
    sam, kay = contact("Sam", country="US"), contact("Kay", country="US")
    [item] = found(holiday_greetings, [sam, kay], [touch(sam.id, touched)])
    assert names(item) == (["Kay"] if left_out else ["Kay", "Sam"])
    imported = contact("Lee", country="US", last_touch=touched)
    assert [names(o) for o in found(holiday_greetings, [imported])] == ([] if left_out else [["Lee"]])


def test_an_item_left_with_nobody_is_dropped() -> None:
    sam = contact("Sam", country="US")
    assert found(holiday_greetings, [sam], [touch(sam.id, AS_OF - DAY)]) == []


def test_the_holidays_library_is_imported_only_when_holidays_are_looked_for() -> None:
    code = "import sys, circleback.domain.occasions, circleback.domain.planner; print('holidays' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)  # noqa: S603 - our own interpreter
    assert result.stdout.strip() == "False"


# --- a contact's news -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "shown"),
    [
        (AS_OF - timedelta(days=15), False),
        (AS_OF - timedelta(days=14), True),
        (AS_OF, True),
        (AS_OF + DAY, False),  # not yet happened
    ],
)
def test_a_contacts_life_event_of_the_last_14_days(on: date, shown: bool) -> None:
    ana = contact("Ana")
    news = event(on, EventKind.NEW_JOB, ana, note="Head of design at Globex")
    result = found(contact_news, [ana], events=[news])
    assert [(o.date, o.label, o.kind) for o in result] == ([(on, "Ana's new job", "life_event")] if shown else [])
    if shown:
        assert result[0].event == news and result[0].opener == "Congratulations on the new role!"


@pytest.mark.parametrize(
    ("touched", "shown"),
    [(AS_OF - timedelta(days=6), True), (AS_OF - timedelta(days=5), False), (AS_OF, False)],
)
def test_a_life_event_is_dropped_once_touched_on_or_after_its_date(touched: date, shown: bool) -> None:
    ana = contact("Ana")
    news = event(AS_OF - timedelta(days=5), EventKind.PROMOTION, ana)
    assert len(found(contact_news, [ana], [touch(ana.id, touched)], [news])) == int(shown)


def test_two_distinct_events_make_two_items_the_same_event_recorded_twice_one() -> None:
    ana = contact("Ana")
    events = [
        event(AS_OF - timedelta(days=3), EventKind.MOVED, ana, id="e1"),
        event(AS_OF - timedelta(days=3), EventKind.MOVED, ana, id="e2"),  # the same move, entered twice
        event(AS_OF - timedelta(days=2), EventKind.AWARD, ana, id="e3"),
    ]
    assert [o.label for o in found(contact_news, [ana], events=events)] == ["Ana's move", "Ana's award"]


def test_an_event_about_an_unknown_contact_is_ignored() -> None:
    ghost = contact("Ghost")
    assert found(contact_news, [contact("Ana")], events=[event(AS_OF, EventKind.BABY, ghost)]) == []


# --- the owner's own news -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "shown"), [(AS_OF - timedelta(days=31), False), (AS_OF - timedelta(days=30), True), (AS_OF, True)]
)
def test_own_news_of_the_last_30_days(on: date, shown: bool) -> None:
    boss = contact("Bea", relationship=Relationship.BOSS, tier=Tier.B)
    result = found(own_news, [boss], events=[event(on, EventKind.PROMOTION)])
    assert [(o.date, o.label, names(o)) for o in result] == ([(on, "Your promotion", ["Bea"])] if shown else [])
    if shown:
        assert result[0].opener.startswith("I wanted you to hear it from me")


def test_own_news_goes_to_bosses_and_mentors_first_then_tier_a_by_tier_then_name_at_most_5() -> None:
    people = [
        contact("Zoe", relationship=Relationship.MENTOR, tier=Tier.C),
        contact("Abe", relationship=Relationship.BOSS, tier=Tier.B),
        contact("Mia", relationship=Relationship.MENTOR, tier=Tier.A),
        contact("Dan", relationship=Relationship.COLLEAGUE, tier=Tier.A),
        contact("Ben", relationship=Relationship.FRIEND, tier=Tier.A),
        contact("Cal", relationship=Relationship.CLIENT, tier=Tier.A),
        contact("Eve", relationship=Relationship.COLLEAGUE, tier=Tier.B),  # neither boss, mentor nor tier A
    ]
    [item] = found(own_news, people, events=[event(AS_OF - timedelta(days=2), EventKind.NEW_JOB)])
    assert names(item) == ["Mia", "Abe", "Zoe", "Ben", "Cal"]  # Dan is the sixth
    assert item.kind == "own_news" and item.label == "Your new job"


def test_own_news_skips_those_touched_since() -> None:
    boss = contact("Bea", relationship=Relationship.BOSS)
    mentor = contact("Max", relationship=Relationship.MENTOR)
    news = event(AS_OF - timedelta(days=10), EventKind.AWARD)
    [item] = found(own_news, [boss, mentor], [touch(boss.id, AS_OF - timedelta(days=10))], [news])
    assert names(item) == ["Max"]
    assert found(own_news, [contact("Ty", tier=Tier.B)], events=[news]) == []  # nobody to tell: no item


@pytest.mark.parametrize(
    ("kind", "note", "label", "line"),
    [
        (EventKind.MARRIED, None, "Your wedding", "I wanted you to hear it from me: I got married."),
        (EventKind.BABY, "Her name is Ines.", "Your new baby",
         "I wanted you to hear it from me: we have a new baby. Her name is Ines."),
        (EventKind.MOVED, "New address: 12 Rua Augusta, Lisbon", "Your move",
         "I wanted you to hear it from me: I have moved. New address: 12 Rua Augusta, Lisbon."),
        (EventKind.NEW_JOB, "Staff Engineer at Globex.", "Your new job",
         "I wanted you to hear it from me: I have started a new job. Staff Engineer at Globex."),
        (EventKind.OTHER, "I am running the Lisbon marathon in May!", "Your news",
         "I wanted you to hear it from me: I am running the Lisbon marathon in May!"),
        (EventKind.OTHER, None, "Your news", "I wanted you to hear it from me."),
    ],
)  # fmt: skip
def test_your_news_of_every_kind_is_shared_with_its_note(
    kind: EventKind, note: str | None, label: str, line: str
) -> None:
    boss = contact("Bea", relationship=Relationship.BOSS)
    [item] = found(own_news, [boss], events=[replace(event(AS_OF - timedelta(days=1), kind), note=note)])

    assert (item.label, item.opener) == (label, line)


# --- across kinds ---------------------------------------------------------------------------------------


def test_a_paused_contact_gets_no_item_of_any_kind() -> None:
    paused = contact(
        "Pat",
        paused=True,
        country="US",
        relationship=Relationship.BOSS,
        birthday=Birthday(11, 24),
        worked_together_until=date(2020, 11, 24),
    )
    events = [event(AS_OF - DAY, EventKind.BABY, paused), event(AS_OF - DAY, EventKind.NEW_JOB)]
    assert found(DEFAULT_OCCASION_FINDERS, [paused], events=events) == []


def test_a_contact_listed_twice_appears_once_per_item() -> None:
    ana = contact("Ana", country="US", birthday=Birthday(11, 24), relationship=Relationship.MENTOR)
    result = found(DEFAULT_OCCASION_FINDERS, [ana, ana], events=[event(AS_OF, EventKind.NEW_JOB)])
    assert [(o.kind, names(o)) for o in result] == [
        ("own_news", ["Ana"]),
        ("birthday", ["Ana"]),
        ("holiday", ["Ana"]),
    ]


def test_the_default_finders_together_in_date_order() -> None:
    ana = contact("Ana", country="US", birthday=Birthday(11, 28, year=1990), worked_together_until=date(2021, 11, 23))
    news = event(AS_OF - timedelta(days=3), EventKind.MOVED, ana)
    assert when(found(DEFAULT_OCCASION_FINDERS, [ana], events=[news])) == [
        (AS_OF - timedelta(days=3), "Ana's move"),
        (date(2026, 11, 23), "5 years since you and Ana worked together"),
        (date(2026, 11, 26), "Thanksgiving"),
        (date(2026, 11, 28), "Ana's birthday (36)"),
    ]


# --- properties -----------------------------------------------------------------------------------------

COUNTRIES = st.sampled_from(["US", "BR", "CN", "KR", "IN", "SG", "IL", "EE", "SA", "JP", None])
WINDOW_KINDS = frozenset({"birthday", "work_anniversary", "holiday"})


@st.composite
def people(draw: st.DrawFn) -> list[Contact]:
    result = []
    for i in range(draw(st.integers(0, 6))):
        born = draw(st.none() | st.dates(date(1950, 1, 1), date(2010, 12, 31)))
        result.append(
            contact(
                f"P{i}",
                id=f"p{i}",
                tier=draw(st.sampled_from(list(Tier))),
                country=draw(COUNTRIES),
                birthday=Birthday(born.month, born.day, draw(st.sampled_from([born.year, None]))) if born else None,
                worked_together_until=draw(st.none() | st.dates(date(2000, 1, 1), date(2030, 12, 31))),
                paused=draw(st.booleans()),
            )
        )
    return result


@settings(max_examples=60)
@given(people(), st.dates(date(2020, 1, 1), date(2033, 12, 31)), st.integers(0, 60))
def test_ahead_occasions_lie_in_the_window_and_the_plan_is_deterministic(
    contacts: list[Contact], as_of: date, lookahead: int
) -> None:
    result = found(DEFAULT_OCCASION_FINDERS, contacts, as_of=as_of, lookahead=lookahead)
    end = as_of + timedelta(days=lookahead)
    assert all(as_of <= o.date <= end for o in result if o.kind in WINDOW_KINDS)
    assert all(not c.paused for o in result for c in o.contacts)
    assert all(len({c.id for c in o.contacts}) == len(o.contacts) for o in result)
    assert found(DEFAULT_OCCASION_FINDERS, contacts[::-1], as_of=as_of, lookahead=lookahead) == result
