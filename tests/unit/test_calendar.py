"""The calendar feed: a year of birthdays, anniversaries, holidays and due dates, as RFC 5545 iCalendar."""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta, timezone

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from circleback.domain.cadence import chronological, first_due_dates, summarise
from circleback.domain.calendar import CalendarEntry, calendar_entries, next_due_date
from circleback.domain.model import Birthday, Contact, DigestInput, Direction, Relationship, Tier, Touch
from circleback.domain.planner import due_item
from circleback.services.calendar_feed import PRODID, escape_text, render_ics
from tests.factories import contact, owner, touch

START = date(2026, 11, 22)  # a Sunday; a year's window runs to 21 November 2027
LAST_DAY = date(2027, 11, 21)
DAY = timedelta(days=1)
GENERATED_AT = datetime(2026, 11, 22, 6, 30, tzinfo=UTC)


def entries_for(
    contacts: Sequence[Contact],
    touches: Iterable[Touch] = (),
    start: date = START,
    days: int = 365,
    country: str | None = "US",
) -> list[CalendarEntry]:
    return calendar_entries(DigestInput(owner(country=country), list(contacts), list(touches)), start, days)


def of_kind(entries: Iterable[CalendarEntry], kind: str) -> list[CalendarEntry]:
    return [e for e in entries if e.kind == kind]


def dates(entries: Iterable[CalendarEntry], kind: str) -> list[date]:
    return [e.date for e in of_kind(entries, kind)]


def network() -> tuple[list[Contact], list[Touch]]:
    """One of everything: a birthday, an anniversary, holidays in two countries, due and overdue contacts."""
    ana = contact(
        "Ana Souza",
        id="ana",
        country="US",
        birthday=Birthday(3, 4, 1986),
        relationship=Relationship.MENTOR,
        company="Acme",
        last_touch=START - timedelta(days=100),
    )
    raj = contact("Raj Patel", id="raj", country="IN", worked_together_until=date(2023, 3, 10), tier=Tier.B)
    bo = contact("Bo Lund", id="bo", country="US", tier=Tier.C, last_touch=START - timedelta(days=10))
    return [ana, raj, bo], [touch("ana", START - timedelta(days=100), note="Coffee at the usual place")]


# --- birthdays ----------------------------------------------------------------------------------------


def test_a_birthday_in_the_next_12_months() -> None:
    ana = contact(
        "Ana Souza", id="ana", birthday=Birthday(3, 4, 1986), relationship=Relationship.MENTOR, company="Acme"
    )
    assert of_kind(entries_for([ana]), "birthday") == [
        CalendarEntry(
            uid="birthday-ana-2027-03-04@circleback",
            kind="birthday",
            date=date(2027, 3, 4),
            summary="Ana Souza's birthday (41)",
            description="Ana Souza · mentor · Acme\nSay: Happy birthday!",
            contact_ids=("ana",),
        )
    ]


@pytest.mark.parametrize(
    ("month_day", "expected"),
    [
        ((11, 22), date(2026, 11, 22)),  # on the first day, and not again a year later
        ((11, 21), LAST_DAY),  # yesterday's: on the window's last day
        ((1, 1), date(2027, 1, 1)),
    ],
)
def test_the_window_is_start_to_a_year_later_less_a_day(month_day: tuple[int, int], expected: date) -> None:
    ana = contact("Ana", birthday=Birthday(*month_day))
    assert dates(entries_for([ana]), "birthday") == [expected]


@pytest.mark.parametrize(
    ("start", "expected"),
    [(START, date(2027, 2, 28)), (date(2027, 6, 1), date(2028, 2, 29))],  # 2027 is a common year, 2028 a leap
)
def test_a_29_february_birthday_falls_on_28_february_in_common_years(start: date, expected: date) -> None:
    leap = contact("Leap", id="leap", birthday=Birthday(2, 29, 2000))
    [entry] = of_kind(entries_for([leap], start=start), "birthday")
    assert (entry.date, entry.uid) == (expected, f"birthday-leap-{expected}@circleback")


# --- work anniversaries --------------------------------------------------------------------------------


def test_a_work_anniversary_in_the_next_12_months() -> None:
    raj = contact("Raj Patel", id="raj", worked_together_until=date(2023, 3, 10), company="Acme")
    [entry] = of_kind(entries_for([raj]), "work_anniversary")
    assert (entry.date, entry.uid, entry.summary) == (
        date(2027, 3, 10),
        "work_anniversary-raj-2027-03-10@circleback",
        "4 years since you and Raj Patel worked together at Acme",
    )
    assert entry.description.endswith(
        "Say: It has been 4 years since we worked together at Acme. How are things with you?"
    )


def test_no_anniversary_before_a_whole_year() -> None:
    recent = contact("Cy", worked_together_until=date(2026, 12, 1))  # 1 December 2027 is past the window
    assert of_kind(entries_for([recent]), "work_anniversary") == []


# --- holidays -------------------------------------------------------------------------------------------


def holidays_of(entries: Iterable[CalendarEntry]) -> dict[str, list[date]]:
    found: dict[str, list[date]] = {}
    for entry in of_kind(entries, "holiday"):
        found.setdefault(entry.summary.split(":")[0], []).append(entry.date)
    return found


def test_holidays_by_the_contacts_country() -> None:
    us, india = contact("Sam", country="US"), contact("Priya", country="IN")
    assert holidays_of(entries_for([us])) == {
        "Thanksgiving": [date(2026, 11, 26)],
        "Christmas Day": [date(2026, 12, 25)],
        "New Year's Day": [date(2027, 1, 1)],
    }
    indian = holidays_of(entries_for([india]))
    assert indian["Diwali"] == [date(2027, 10, 29)] and "Thanksgiving" not in indian


def test_one_entry_per_holiday_and_date_with_a_stable_uid_and_everyone_to_greet() -> None:
    people = [
        contact("Eve Ng", id="eve", country="US", tier=Tier.C),
        contact("Ana Souza", id="ana", country="US", tier=Tier.A, relationship=Relationship.BOSS),
        contact("Cy Lee", id="cy", country="US", tier=Tier.B),
        contact("Bo Lund", id="bo", country="US", tier=Tier.A),
        contact("Di Roy", id="di", country="US", tier=Tier.B),
    ]
    [thanksgiving] = [e for e in of_kind(entries_for(people), "holiday") if e.summary.startswith("Thanksgiving")]
    assert thanksgiving.uid == "holiday-thanksgiving-2026-11-26@circleback"
    assert thanksgiving.summary == "Thanksgiving: greet Ana, Bo and 3 others"  # tier A first, then by name
    assert thanksgiving.contact_ids == ("ana", "bo", "cy", "di", "eve")
    assert thanksgiving.description.splitlines() == [
        "Ana Souza · boss",
        "Bo Lund",
        "Cy Lee",
        "Di Roy",
        "Eve Ng",
        "Say: Happy Thanksgiving!",
    ]


@pytest.mark.parametrize(
    ("names", "greet"),
    [(["Ana Souza"], "Ana"), (["Ana Souza", "Bo Lund"], "Ana and Bo"), (["Ana", "Bo", "Cy"], "Ana, Bo and Cy")],
)
def test_a_holiday_summary_names_up_to_three(names: list[str], greet: str) -> None:
    people = [contact(name, country="US") for name in names]
    assert of_kind(entries_for(people), "holiday")[0].summary == f"Thanksgiving: greet {greet}"


def test_a_contact_without_a_country_takes_the_owners_and_without_either_has_no_holidays() -> None:
    nomad = contact("Nomad")
    assert "Thanksgiving" in holidays_of(entries_for([nomad]))
    assert of_kind(entries_for([nomad], country=None), "holiday") == []


def test_unlike_the_digest_a_recent_touch_does_not_drop_anyone_from_a_holiday() -> None:
    # The digest skips people greeted this week; by a holiday weeks away, that touch is old news.
    sam = contact("Sam", id="sam", country="US")
    [thanksgiving, *_] = of_kind(entries_for([sam], [touch("sam", START - DAY)]), "holiday")
    assert thanksgiving.contact_ids == ("sam",)


# --- due dates ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "touched", "expected"),
    [
        ({"last_touch": START - timedelta(days=10)}, [], START + timedelta(days=50)),  # tier A: 60 days
        ({"last_touch": START - timedelta(days=60)}, [], START),  # due today
        ({"last_touch": START - timedelta(days=100)}, [], START),  # overdue: today, not in the past
        ({"last_touch": START - timedelta(days=100), "snoozed_until": START + timedelta(days=5)}, [], START + 6 * DAY),
        ({"last_touch": START - timedelta(days=3), "cadence_days": 7}, [], START + timedelta(days=4)),
        # Two unanswered notes: 60 days x 1.5 = 90 from the last one.
        ({}, [START - timedelta(days=100), START - timedelta(days=80)], START + timedelta(days=10)),
    ],
    ids=["due-later", "due-today", "overdue", "snoozed", "own-cadence", "backoff"],
)
def test_one_due_entry_on_the_day_the_digest_would_first_list_them(
    fields: dict[str, object], touched: list[date], expected: date
) -> None:
    ana = contact("Ana Souza", id="ana", **fields)
    [entry] = of_kind(entries_for([ana], [touch("ana", on) for on in touched]), "due")
    assert (entry.uid, entry.date, entry.summary, entry.contact_ids) == (
        "due-ana@circleback",
        expected,
        "Reach out to Ana Souza",
        ("ana",),
    )


def test_never_touched_contacts_are_spread_as_in_the_digest() -> None:
    imported = [
        contact("Cy", id="cy", tier=Tier.C, created_on=START),
        contact("Ana", id="ana", tier=Tier.A, created_on=START),
        contact("Bo", id="bo", tier=Tier.B, created_on=START),
    ]
    due = of_kind(entries_for(imported), "due")
    assert [(e.contact_ids, e.date) for e in due] == [
        (("ana",), START),
        (("bo",), START + 9 * DAY),
        (("cy",), START + 18 * DAY),
    ]
    assert all(e.description.endswith("No touch logged yet.") for e in due)


def test_a_due_date_past_the_window_has_no_entry() -> None:
    rare = contact("Rae", tier=Tier.C, last_touch=START)  # due in 365 days: the day after the window
    assert of_kind(entries_for([rare]), "due") == []
    assert dates(entries_for([rare], days=366), "due") == [START + 365 * DAY]


def test_a_due_entry_is_not_repeated_per_cadence() -> None:
    weekly = contact("Wes", cadence_days=7, last_touch=START)
    assert len(of_kind(entries_for([weekly]), "due")) == 1


def test_a_due_entry_says_who_when_last_in_touch_and_the_last_note() -> None:
    ana = contact("Ana Souza", id="ana", relationship=Relationship.COLLEAGUE, title="CTO", company="Acme")
    long_note = "Talked about the reorg; she may move to Lisbon, " * 10
    [entry] = of_kind(entries_for([ana], [touch("ana", date(2026, 8, 1), note=long_note)]), "due")
    who, when, note = entry.description.splitlines()
    assert (who, when) == ("Ana Souza · colleague · CTO at Acme", "Last in touch on Saturday 1 August 2026.")
    assert note.startswith("Last note: Talked about the reorg;") and note.endswith("…") and len(note) < 220


def test_a_paused_contact_gets_no_entry_of_any_kind() -> None:
    paused = contact(
        "Pat",
        paused=True,
        country="US",
        birthday=Birthday(12, 1),
        worked_together_until=date(2020, 12, 1),
        last_touch=START - timedelta(days=400),
    )
    assert entries_for([paused]) == []


def test_an_empty_network_has_no_entries() -> None:
    assert entries_for([]) == []
    assert entries_for(network()[0], days=0) == []


TOUCH_OFFSETS = st.lists(st.tuples(st.integers(1, 800), st.sampled_from(list(Direction))), max_size=4)


@settings(max_examples=150)
@given(
    tier=st.sampled_from(list(Tier)),
    cadence=st.none() | st.integers(7, 730),
    last_touch=st.none() | st.integers(0, 900),
    snoozed=st.none() | st.integers(-30, 60),
    touches=TOUCH_OFFSETS,
    start=st.dates(date(2020, 1, 1), date(2035, 12, 31)),
)
def test_the_due_date_is_the_first_day_the_planner_lists_the_contact(
    tier: Tier,
    cadence: int | None,
    last_touch: int | None,
    snoozed: int | None,
    touches: list[tuple[int, Direction]],
    start: date,
) -> None:
    person = contact(
        "Ana",
        id="ana",
        tier=tier,
        cadence_days=cadence,
        created_on=start - timedelta(days=30),
        last_touch=start - timedelta(days=last_touch) if last_touch is not None else None,
        snoozed_until=start + timedelta(days=snoozed) if snoozed is not None else None,
    )
    logged = chronological(touch("ana", start - timedelta(days=ago), direction) for ago, direction in touches)
    history = summarise(person.last_touch, logged)
    first_due = first_due_dates([person]).get("ana")
    listed = next_due_date(person, history, first_due, start)
    assert listed is not None and listed >= start
    assert due_item(person, history, first_due, listed) is not None
    assert listed == start or due_item(person, history, first_due, listed - DAY) is None


# --- uids -----------------------------------------------------------------------------------------------


def test_uids_are_the_same_on_every_run_and_the_next_day() -> None:
    contacts, touches = network()
    today = entries_for(contacts, touches)
    assert entries_for(contacts, touches) == today
    tomorrow = entries_for(contacts, touches, start=START + DAY)

    def by_event(entries: list[CalendarEntry]) -> dict[tuple[str, tuple[str, ...], date], str]:
        return {(e.kind, e.contact_ids, e.date): e.uid for e in entries if e.kind != "due"}

    both = by_event(today).keys() & by_event(tomorrow).keys()
    assert len(both) >= 5
    assert all(by_event(today)[key] == by_event(tomorrow)[key] for key in both)
    # Ana is overdue: her entry moves to the new first day and stays the same event.
    due_today, due_tomorrow = ({e.uid: e.date for e in of_kind(es, "due")} for es in (today, tomorrow))
    assert due_today["due-ana@circleback"] == START and due_tomorrow["due-ana@circleback"] == START + DAY
    assert due_today.keys() == due_tomorrow.keys()


COUNTRIES = st.sampled_from(["US", "BR", "CN", "KR", "IN", "SG", "IL", "SA", "JP", None])


@st.composite
def people(draw: st.DrawFn) -> list[Contact]:
    result = []
    for i in range(draw(st.integers(0, 5))):
        born = draw(st.none() | st.dates(date(1950, 1, 1), date(2010, 12, 31)))
        result.append(
            contact(
                f"P{i}",
                id=f"p{i}",
                tier=draw(st.sampled_from(list(Tier))),
                country=draw(COUNTRIES),
                birthday=Birthday(born.month, born.day, draw(st.sampled_from([born.year, None]))) if born else None,
                worked_together_until=draw(st.none() | st.dates(date(2000, 1, 1), date(2030, 12, 31))),
                last_touch=draw(st.none() | st.dates(date(2019, 1, 1), date(2036, 12, 31))),
                created_on=draw(st.dates(date(2019, 1, 1), date(2036, 12, 31))),
                paused=draw(st.booleans()),
            )
        )
    return result


@settings(max_examples=40)
@given(people(), st.dates(date(2020, 1, 1), date(2034, 12, 31)), st.integers(1, 400))
def test_any_start_gives_sorted_entries_in_the_window_with_unique_uids(
    contacts: list[Contact], start: date, days: int
) -> None:
    entries = entries_for(contacts, start=start, days=days)
    last = start + timedelta(days=days - 1)
    assert all(start <= e.date <= last for e in entries)
    assert entries == sorted(entries, key=lambda e: (e.date, e.uid))
    assert len({e.uid for e in entries}) == len(entries)
    paused = {c.id for c in contacts if c.paused}
    assert not paused & {cid for e in entries for cid in e.contact_ids}
    assert len(of_kind(entries, "due")) <= len({c.id for c in contacts} - paused)
    assert entries_for(contacts[::-1], start=start, days=days) == entries


# --- the .ics file --------------------------------------------------------------------------------------


def feed(entries: Iterable[CalendarEntry], owner_name: str = "Olivia") -> bytes:
    return render_ics(entries, owner_name, GENERATED_AT)


def events_of(raw: bytes) -> list[icalendar.Event]:
    return icalendar.Calendar.from_ical(raw).events


def kind_of(event: icalendar.Event) -> str:
    [category] = event.categories
    return str(category)


def test_the_feed_parses_back_with_every_entry_an_all_day_event() -> None:
    contacts, touches = network()
    entries = entries_for(contacts, touches)
    raw = feed(entries)
    calendar = icalendar.Calendar.from_ical(raw)
    assert (calendar.prodid, calendar.version, calendar.calscale, calendar.method) == (
        PRODID,
        "2.0",
        "GREGORIAN",
        "PUBLISH",
    )
    assert calendar.calendar_name == "circleback"
    assert calendar.refresh_interval == timedelta(hours=12)
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT12H\r\n" in raw
    assert b"\r\nX-PUBLISHED-TTL:PT12H\r\n" in raw
    events = events_of(raw)
    assert [e.uid for e in events] == [e.uid for e in entries]  # already by date then uid
    for event, entry in zip(events, entries, strict=True):
        assert type(event.start) is date and type(event.end) is date  # all-day: dates, not datetimes
        assert (event.start, event.end) == (entry.date, entry.date + DAY)
        assert event.DTSTAMP == GENERATED_AT
        assert (event.summary, event.description) == (entry.summary, entry.description)
        assert kind_of(event) == entry.kind
        assert event.transparency == "TRANSPARENT"
    assert raw.count(b"DTSTART;VALUE=DATE:") == raw.count(b"DTEND;VALUE=DATE:") == len(entries)


def test_dtstamp_is_written_in_utc_and_a_naive_time_is_refused() -> None:
    entry = CalendarEntry("due-ana@circleback", "due", START, "Reach out to Ana", "Ana", ("ana",))
    eastern = datetime(2026, 11, 22, 1, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert b"\r\nDTSTAMP:20261122T063000Z\r\n" in render_ics([entry], "o", eastern)
    with pytest.raises(ValueError, match="time zone"):
        render_ics([entry], "o", datetime(2026, 11, 22, 6, 30))  # naive: the point of the test


TRICKY = [
    'Ana, "Nana"; Souza',
    "back\\slash and \\n and C:\\Notes\\new",  # a literal backslash-N must not become a line break
    "two\nlines\r\nand a CR\rtoo",
    "trailing backslash\\",
    "Zoë Ångström 日本語 🎂",
]


@pytest.mark.parametrize("text", TRICKY)
def test_commas_semicolons_backslashes_and_newlines_round_trip(text: str) -> None:
    person = contact(text, id="tricky", birthday=Birthday(12, 1), company=text)
    entries = entries_for([person], [touch("tricky", START - DAY, note=text)], country=None)
    events = events_of(feed(entries, owner_name=text))
    [birthday] = [e for e in events if kind_of(e) == "birthday"]
    [due] = [e for e in events if kind_of(e) == "due"]
    expected = text.replace("\r\n", "\n").replace("\r", "\n")  # TEXT has no CR: a line break it is
    assert birthday.summary == f"{expected}'s birthday"
    assert (birthday.description or "").startswith(f"{expected} · {expected}")
    assert (due.description or "").endswith(f"Last note: {expected.strip()}")


@settings(max_examples=200)
@given(st.text(max_size=120))
def test_any_text_round_trips_but_for_line_ends_and_control_characters(text: str) -> None:
    entry = CalendarEntry("due-x@circleback", "due", START, text, text, ("x",))
    [event] = events_of(feed([entry]))
    expected = "".join(
        c for c in text.replace("\r\n", "\n").replace("\r", "\n") if c in "\t\n" or not (ord(c) < 32 or ord(c) == 127)
    )
    assert event.summary == event.description == expected


def test_escape_text_follows_rfc_5545() -> None:
    assert escape_text("a,b;c\\d\ne\r\nf\x07g\th") == "a\\,b\\;c\\\\d\\ne\\nfg\th"


def test_lines_are_folded_at_75_octets_and_end_with_crlf() -> None:
    long_name = "Zoë Ångström-Nakamura 日本語 " * 6
    person = contact(long_name, birthday=Birthday(12, 1), notes="n" * 300, company="Ä" * 90, country="US")
    raw = feed(entries_for([person], [touch(person.id, START - DAY, note="é," * 150)]))
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"") and b"\r" not in raw.replace(b"\r\n", b"")
    lines = raw.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # something was long enough to fold
    for line in lines:
        line.decode("utf-8")  # never folded inside a multi-byte character


def test_the_same_entries_give_the_same_bytes_in_any_order() -> None:
    contacts, touches = network()
    entries = entries_for(contacts, touches)
    shuffled = entries[:]
    random.Random(7).shuffle(shuffled)
    assert feed(shuffled) == feed(entries)


def test_an_empty_network_gives_a_calendar_with_no_events() -> None:
    raw = feed(entries_for([]))
    calendar = icalendar.Calendar.from_ical(raw)
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    assert calendar.prodid == PRODID and calendar.events == []


def test_icalendar_is_imported_only_when_a_feed_is_rendered() -> None:
    code = "import sys, circleback.services.calendar_feed; print('icalendar' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)  # noqa: S603 - our own interpreter
    assert result.stdout.strip() == "False"
