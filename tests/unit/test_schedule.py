"""When each owner's digest goes out (DST, odd offsets, skipped days) and the GSI1 keys.

docs/design.md, "The loop" and "The table".
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from circleback.domain.model import Frequency, Owner
from circleback.domain.schedule import (
    SHARD_COUNT,
    due_bound,
    local_send_date,
    next_send_at,
    parse_schedule_sort_key,
    schedule_keys,
    send_instant,
    shard_of,
    shard_partition_key,
)

ZONES = sorted(available_timezones())
ALL_ZONES = settings(max_examples=200, deadline=None)
ANY_HOUR = st.integers(0, 23)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


def owner(
    timezone: str = "Europe/London",
    send_hour: int = 7,
    frequency: Frequency = Frequency.DAILY,
    weekday: int = 0,
    paused_until: date | None = None,
) -> Owner:
    return Owner(
        id="owner-1",
        timezone=timezone,
        send_hour=send_hour,
        frequency=frequency,
        weekday=weekday,
        paused_until=paused_until,
    )


def sends(subject: Owner, after: datetime, count: int) -> list[datetime]:
    """The owner's next `count` send instants after `after`."""
    found: list[datetime] = []
    for _ in range(count):
        following = next_send_at(subject, after)
        assert following is not None
        found.append(following)
        after = following
    return found


# Examples: DST in both directions, odd offsets, far east zones, skipped days.


def test_london_sends_at_seven_local_across_both_2026_changes() -> None:
    spring = sends(owner(), utc(2026, 3, 27, 12), 3)
    assert spring == [utc(2026, 3, 28, 7), utc(2026, 3, 29, 6), utc(2026, 3, 30, 6)]
    autumn = sends(owner(), utc(2026, 10, 23, 12), 3)
    assert autumn == [utc(2026, 10, 24, 6), utc(2026, 10, 25, 7), utc(2026, 10, 26, 7)]


def test_new_york_send_hour_in_the_spring_forward_gap_goes_out_when_the_gap_ends() -> None:
    subject = owner("America/New_York", 2)
    assert sends(subject, utc(2026, 3, 7, 12), 2) == [utc(2026, 3, 8, 7), utc(2026, 3, 9, 6)]  # 03:00 EDT, 02:00 EDT
    assert local_send_date("America/New_York", utc(2026, 3, 8, 7), 2) == date(2026, 3, 8)
    assert local_send_date("America/New_York", utc(2026, 3, 8, 7)) == date(2026, 3, 8)


def test_new_york_send_hour_that_occurs_twice_is_sent_once_at_its_first_occurrence() -> None:
    subject = owner("America/New_York", 1)
    first = next_send_at(subject, utc(2026, 10, 31, 12))
    assert first == utc(2026, 11, 1, 5)  # 01:00 EDT
    assert next_send_at(subject, first) == utc(2026, 11, 2, 6)  # not 01:00 EST on 1 November
    assert next_send_at(subject, utc(2026, 11, 1, 5, 30)) == utc(2026, 11, 2, 6)
    assert local_send_date("America/New_York", first, 1) == date(2026, 11, 1)


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (utc(2026, 4, 3, 12), utc(2026, 4, 3, 18)),  # 4 April 07:00 NZDT (+13)
        (utc(2026, 4, 3, 18), utc(2026, 4, 4, 19)),  # 5 April 07:00 NZST (+12): DST ended at 03:00
        (utc(2026, 9, 25, 12), utc(2026, 9, 25, 19)),  # 26 September 07:00 NZST
        (utc(2026, 9, 25, 19), utc(2026, 9, 26, 18)),  # 27 September 07:00 NZDT: DST began at 02:00
    ],
)
def test_auckland_follows_its_southern_hemisphere_dst(after: datetime, expected: datetime) -> None:
    assert next_send_at(owner("Pacific/Auckland"), after) == expected


def test_auckland_gap_hour_goes_out_at_three_nzdt() -> None:
    assert next_send_at(owner("Pacific/Auckland", 2), utc(2026, 9, 26, 0)) == utc(2026, 9, 26, 14)


@pytest.mark.parametrize(
    ("timezone", "expected"),
    [
        ("Asia/Kolkata", utc(2026, 6, 2, 1, 30)),  # +05:30
        ("Asia/Kathmandu", utc(2026, 6, 2, 1, 15)),  # +05:45
        ("Pacific/Kiritimati", utc(2026, 6, 1, 17)),  # +14: 07:00 on 2 June is still 1 June in UTC
        ("Pacific/Chatham", utc(2026, 6, 1, 18, 15)),  # +12:45 in its winter
    ],
)
def test_fractional_and_far_east_offsets(timezone: str, expected: datetime) -> None:
    assert next_send_at(owner(timezone), utc(2026, 6, 1, 12)) == expected
    assert local_send_date(timezone, expected, 7) == date(2026, 6, 2)


def test_after_equal_to_a_send_instant_gives_the_next_one() -> None:
    assert next_send_at(owner(), utc(2026, 6, 1, 6)) == utc(2026, 6, 2, 6)
    assert next_send_at(owner(), utc(2026, 6, 1, 5, 59, 59, 999999)) == utc(2026, 6, 1, 6)


def test_weekly_sends_only_on_the_chosen_weekday() -> None:
    subject = owner(frequency=Frequency.WEEKLY, weekday=2)  # Wednesday
    assert sends(subject, utc(2026, 6, 1, 12), 3) == [utc(2026, 6, 3, 6), utc(2026, 6, 10, 6), utc(2026, 6, 17, 6)]
    assert next_send_at(subject, utc(2026, 6, 3, 5)) == utc(2026, 6, 3, 6)  # the day itself, before the hour


def test_pause_runs_through_its_last_day_inclusive() -> None:
    assert next_send_at(owner(paused_until=date(2026, 6, 5)), utc(2026, 6, 1, 12)) == utc(2026, 6, 6, 6)
    assert next_send_at(owner(paused_until=date(2026, 5, 31)), utc(2026, 6, 1, 12)) == utc(2026, 6, 2, 6)
    weekly = owner(frequency=Frequency.WEEKLY, weekday=4, paused_until=date(2026, 6, 5))  # a Friday
    assert next_send_at(weekly, utc(2026, 6, 1, 12)) == utc(2026, 6, 12, 6)


def test_a_pause_to_the_end_of_the_calendar_means_no_send() -> None:
    assert next_send_at(owner(paused_until=date.max), utc(2026, 6, 1)) is None


def test_off_never_sends() -> None:
    assert next_send_at(owner(frequency=Frequency.OFF), utc(2026, 6, 1)) is None


@pytest.mark.parametrize(
    ("hour", "expected", "dates"),
    [
        # Apia jumped from -10 to +14 at 2011-12-30 10:00 UTC: 30 December never happened there.
        (7, [utc(2011, 12, 28, 17), utc(2011, 12, 29, 17), utc(2011, 12, 30, 17)], [28, 29, 31]),
        (0, [utc(2011, 12, 29, 10), utc(2011, 12, 30, 10), utc(2011, 12, 31, 10)], [29, 31, 32]),
        (23, [utc(2011, 12, 29, 9), utc(2011, 12, 30, 9), utc(2011, 12, 31, 9)], [28, 29, 31]),
    ],
)
def test_apia_skipped_day_gets_no_digest(hour: int, expected: list[datetime], dates: list[int]) -> None:
    found = sends(owner("Pacific/Apia", hour), utc(2011, 12, 28, 12), 3)
    assert found == expected
    local_dates = [local_send_date("Pacific/Apia", instant, hour) for instant in found]
    assert local_dates == [date(2011, 12, 1) + timedelta(days=day - 1) for day in dates]


def test_kiritimati_skipped_the_last_day_of_1994() -> None:
    found = sends(owner("Pacific/Kiritimati", 9), utc(1994, 12, 29, 0), 3)
    dates = [local_send_date("Pacific/Kiritimati", instant, 9) for instant in found]
    assert dates == [date(1994, 12, 29), date(1994, 12, 30), date(1995, 1, 1)]
    assert found[-1] == utc(1994, 12, 31, 19)  # 09:00 at +14


def test_gap_longer_than_an_hour_ends_where_the_clock_resumes() -> None:
    # Antarctica/Troll jumps from +00 to +02 at 01:00 UTC: 01:00 to 03:00 local never happen.
    for hour in (1, 2):
        assert next_send_at(owner("Antarctica/Troll", hour), utc(2026, 3, 28, 12)) == utc(2026, 3, 29, 1)


def test_half_hour_gap_ends_at_half_past() -> None:
    # Lord Howe moves from +10:30 to +11 at 02:00, so 02:00 is sent at 02:30.
    assert next_send_at(owner("Australia/Lord_Howe", 2), utc(2026, 10, 3, 12)) == utc(2026, 10, 3, 15, 30)


def test_a_gap_across_midnight_still_sends_for_the_day_it_started_on() -> None:
    # Nuuk springs forward from 23:00 on Saturday to 00:00 on Sunday.
    late = sends(owner("America/Nuuk", 23), utc(2026, 3, 27, 12), 3)
    assert late == [utc(2026, 3, 28, 1), utc(2026, 3, 29, 1), utc(2026, 3, 30, 0)]
    assert [local_send_date("America/Nuuk", instant, 23) for instant in late] == [
        date(2026, 3, 27),
        date(2026, 3, 28),
        date(2026, 3, 29),
    ]
    # The same instant is Sunday's send for an hour of 0: only the hour tells them apart.
    assert next_send_at(owner("America/Nuuk", 0), utc(2026, 3, 28, 12)) == utc(2026, 3, 29, 1)
    assert local_send_date("America/Nuuk", utc(2026, 3, 29, 1), 0) == date(2026, 3, 29)
    assert local_send_date("America/Nuuk", utc(2026, 3, 29, 1)) == date(2026, 3, 29)


def test_an_instant_that_is_no_send_of_that_hour_gets_its_own_local_date() -> None:
    assert local_send_date("Asia/Kolkata", utc(2026, 6, 1, 20), 7) == date(2026, 6, 2)


def test_send_instant_is_the_wall_clock_hour_in_utc() -> None:
    assert send_instant("Europe/London", date(2026, 7, 1), 7) == utc(2026, 7, 1, 6)
    assert send_instant("America/New_York", date(2026, 3, 8), 2) == utc(2026, 3, 8, 7)
    assert send_instant("America/New_York", date(2026, 11, 1), 1) == utc(2026, 11, 1, 5)


@pytest.mark.parametrize(
    "subject",
    [
        owner(send_hour=24),
        owner(send_hour=-1),
        owner(frequency=Frequency.WEEKLY, weekday=7),
    ],
)
def test_impossible_settings_are_refused(subject: Owner) -> None:
    with pytest.raises(ValueError, match="must be in"):
        next_send_at(subject, utc(2026, 6, 1))


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_send_at(owner(), datetime(2026, 6, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        local_send_date("UTC", datetime(2026, 6, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        due_bound(datetime(2026, 6, 1))


# Properties over every IANA zone.


def local(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


def wall_time_exists(wall: datetime, zone: ZoneInfo) -> bool:
    return local(wall.replace(tzinfo=zone).astimezone(UTC), zone) == wall


def date_exists(day: date, zone: ZoneInfo) -> bool:
    """Whether the zone's clock ever showed `day`: whole skipped dates never did."""
    return any(
        local(datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC), zone).date() == day for hour in range(24)
    )


def passes_rules(subject: Owner, day: date) -> bool:
    if subject.paused_until is not None and day <= subject.paused_until:
        return False
    return subject.frequency is Frequency.DAILY or day.weekday() == subject.weekday


def check_next_send(subject: Owner, after: datetime) -> datetime:
    """Everything next_send_at promises, checked against the zone directly."""
    zone, hour = ZoneInfo(subject.timezone), subject.send_hour
    result = next_send_at(subject, after)
    assert result is not None
    assert result > after
    assert result.utcoffset() == timedelta(0)
    day = local_send_date(subject.timezone, result, hour)
    assert passes_rules(subject, day)
    assert date_exists(day, zone)  # a date the zone skipped gets no digest
    assert send_instant(subject.timezone, day, hour) == result
    target = datetime.combine(day, time(hour))
    if wall_time_exists(target, zone):
        assert local(result, zone) == target
    else:  # the end of the gap: the clock jumped over the hour just now
        assert local(result, zone) > target
        assert local(result - timedelta(seconds=1), zone) < target
        assert local(result - timedelta(hours=1), zone) < target
    # The earliest: no digest date between `after` and the result has its send in between.
    earlier = local(after, zone).date() - timedelta(days=1)
    while earlier < day:
        if passes_rules(subject, earlier) and date_exists(earlier, zone):
            assert send_instant(subject.timezone, earlier, hour) <= after
        earlier += timedelta(days=1)
    return result


@st.composite
def owners(draw: st.DrawFn, timezone: str, near: datetime, hours: st.SearchStrategy[int] = ANY_HOUR) -> Owner:
    """Daily or weekly owners, some paused until a date around `near`."""
    pause = draw(st.none() | st.integers(-3, 12).map(lambda days: near.date() + timedelta(days=days)))
    return owner(
        timezone,
        draw(hours),
        frequency=draw(st.sampled_from([Frequency.DAILY, Frequency.WEEKLY])),
        weekday=draw(st.integers(0, 6)),
        paused_until=pause,
    )


afters = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2060, 12, 31), timezones=st.just(UTC))


@ALL_ZONES
@given(data=st.data(), timezone=st.sampled_from(ZONES), after=afters)
def test_next_send_is_the_first_digest_instant_after(data: st.DataObject, timezone: str, after: datetime) -> None:
    check_next_send(data.draw(owners(timezone, after)), after)


def offset_changes(zone: ZoneInfo, year: int) -> list[datetime]:
    """The instants in `year` at which the zone's UTC offset changes, found by weekly samples and bisection."""
    samples = [datetime(year, 1, 1, tzinfo=UTC) + timedelta(weeks=week) for week in range(54)]
    changes = []
    for before, later in itertools.pairwise(samples):
        if before.astimezone(zone).utcoffset() == later.astimezone(zone).utcoffset():
            continue
        while later - before > timedelta(seconds=1):
            middle = before + (later - before) // 2
            if middle.astimezone(zone).utcoffset() == before.astimezone(zone).utcoffset():
                before = middle
            else:
                later = middle
        changes.append(later)
    return changes


@st.composite
def around_a_clock_change(draw: st.DrawFn) -> tuple[Owner, datetime]:
    """An owner whose send hour sits next to one of its zone's clock changes, and an `after` shortly before."""
    timezone = draw(st.sampled_from(ZONES))
    zone = ZoneInfo(timezone)
    changes = offset_changes(zone, draw(st.integers(1990, 2060)))
    if not changes:  # a zone with no change that year: any instant will do
        changes = [draw(afters)]
    change = draw(st.sampled_from(changes))
    # The local hour at the change is the end of a gap or inside a repeat; a few hours either side are near it.
    hours = st.integers(-3, 2).map(lambda shift: (local(change, zone).hour + shift) % 24)
    after = change - timedelta(minutes=draw(st.integers(0, 36 * 60)))
    return draw(owners(timezone, after, hours)), after


@ALL_ZONES
@given(case=around_a_clock_change())
def test_next_send_is_right_next_to_every_clock_change(case: tuple[Owner, datetime]) -> None:
    check_next_send(*case)


@ALL_ZONES
@given(data=st.data(), timezone=st.sampled_from(ZONES), after=afters)
def test_repeated_sends_increase_with_one_digest_per_local_date(
    data: st.DataObject, timezone: str, after: datetime
) -> None:
    subject = data.draw(owners(timezone, after))
    found = sends(subject, after, 8)
    assert found == sorted(set(found))
    dates = [local_send_date(timezone, instant, subject.send_hour) for instant in found]
    assert dates == sorted(set(dates))


@ALL_ZONES
@given(case=around_a_clock_change())
def test_repeated_sends_across_a_clock_change_keep_one_digest_per_local_date(case: tuple[Owner, datetime]) -> None:
    subject, after = case
    found = sends(subject, after, 4)
    assert found == sorted(set(found))
    dates = [local_send_date(subject.timezone, instant, subject.send_hour) for instant in found]
    assert dates == sorted(set(dates))


# The odd clock changes a random draw rarely lands on, found by scanning the tz database for 1990-2060: gaps
# of two or three hours, gaps starting off the hour, gaps and repeats across midnight, whole skipped days.
IRREGULAR_CHANGES = [
    ("America/Danmarkshavn", date(1996, 1, 1)),  # 00:00 -> 03:00
    ("Antarctica/Casey", date(2020, 10, 4)),  # 00:01 -> 03:01
    ("Antarctica/Troll", date(2026, 3, 29)),  # 01:00 -> 03:00, every year
    ("Europe/Simferopol", date(2014, 3, 30)),  # 02:00 -> 04:00
    ("America/Argentina/Cordoba", date(1991, 10, 20)),  # 00:00 -> 02:00
    ("America/Bahia_Banderas", date(2010, 4, 4)),  # 02:00 -> 04:00
    ("America/Nuuk", date(2026, 3, 28)),  # 23:00 -> 00:00 the next day, every year
    ("Asia/Pyongyang", date(2015, 8, 14)),  # 00:00 -> 23:30 the day before: a repeat across midnight
    ("Asia/Pyongyang", date(2018, 5, 4)),  # 23:30 -> 00:00 the next day
    ("Australia/Lord_Howe", date(2026, 10, 4)),  # 02:00 -> 02:30
    ("Pacific/Apia", date(2011, 12, 30)),  # the whole day skipped
    ("Pacific/Fakaofo", date(2011, 12, 30)),
    ("Pacific/Kiritimati", date(1994, 12, 31)),
    ("Pacific/Kanton", date(1994, 12, 31)),
    ("Pacific/Kwajalein", date(1993, 8, 21)),
]


@pytest.mark.parametrize(("timezone", "day"), IRREGULAR_CHANGES)
def test_every_hour_around_irregular_clock_changes(timezone: str, day: date) -> None:
    start = datetime.combine(day - timedelta(days=2), time(12), tzinfo=ZoneInfo(timezone)).astimezone(UTC)
    for hour in range(24):
        after, dates = start, []
        for _ in range(5):
            after = check_next_send(owner(timezone, hour), after)
            dates.append(local_send_date(timezone, after, hour))
        assert dates == sorted(set(dates))


# GSI1 keys: shards, sort order, the dispatcher's bound.

whole_seconds = st.datetimes(timezones=st.just(UTC)).map(lambda moment: moment.replace(microsecond=0))
owner_ids = st.text(st.characters(max_codepoint=0xFFFE, exclude_categories=["Cs"]), min_size=1, max_size=12)


def test_keys_have_the_documented_shape() -> None:
    assert schedule_keys("owner-1", utc(2026, 3, 8, 7)) == ("SEND#1", "2026-03-08T07:00:00Z#owner-1")
    assert schedule_keys("owner-1", datetime(2026, 3, 8, 3, tzinfo=ZoneInfo("America/New_York")))[1] == (
        "2026-03-08T07:00:00Z#owner-1"
    )
    assert schedule_keys("a", utc(5, 1, 2, 3, 4, 5))[1] == "0005-01-02T03:04:05Z#a"  # the year keeps four digits
    assert due_bound(utc(2026, 3, 8, 7, 15, 0, 999)) == "2026-03-08T07:15:00Z#\uffff"


def test_shards_are_pinned_so_every_process_agrees() -> None:
    assert SHARD_COUNT == 4
    assert [shard_of(owner_id) for owner_id in ("owner-1", "owner-2", "me@example.com", "01J9Z8K4QW")] == [1, 2, 1, 3]
    assert [shard_partition_key(shard) for shard in range(SHARD_COUNT)] == ["SEND#0", "SEND#1", "SEND#2", "SEND#3"]
    with pytest.raises(ValueError, match="shard"):
        shard_partition_key(SHARD_COUNT)


def test_owners_spread_over_every_shard() -> None:
    counts = [0] * SHARD_COUNT
    for number in range(400):
        counts[shard_of(f"owner-{number}")] += 1
    assert min(counts) > 60


@given(owner_id=owner_ids, send_at=whole_seconds)
def test_sort_key_round_trips(owner_id: str, send_at: datetime) -> None:
    partition, sort = schedule_keys(owner_id, send_at)
    assert partition == f"SEND#{shard_of(owner_id)}"
    assert parse_schedule_sort_key(sort) == (send_at, owner_id)


@given(first=st.tuples(owner_ids, whole_seconds), second=st.tuples(owner_ids, whole_seconds))
def test_sort_keys_sort_in_time_order(first: tuple[str, datetime], second: tuple[str, datetime]) -> None:
    (first_owner, first_at), (second_owner, second_at) = first, second
    first_key, second_key = schedule_keys(first_owner, first_at)[1], schedule_keys(second_owner, second_at)[1]
    if first_at != second_at:
        assert (first_key < second_key) == (first_at < second_at)
        # DynamoDB compares the UTF-8 bytes.
        assert (first_key.encode() < second_key.encode()) == (first_at < second_at)


@given(owner_id=owner_ids, send_at=whole_seconds, tick=st.datetimes(timezones=st.just(UTC)))
def test_due_bound_admits_exactly_the_sends_at_or_before_the_tick(
    owner_id: str, send_at: datetime, tick: datetime
) -> None:
    sort = schedule_keys(owner_id, send_at)[1]
    bound = due_bound(tick)
    assert (sort <= bound) == (send_at <= tick)
    assert (sort.encode() <= bound.encode()) == (send_at <= tick)


@given(owner_id=owner_ids, send_at=whole_seconds)
def test_due_bound_at_the_send_instant_admits_it_and_a_second_before_does_not(owner_id: str, send_at: datetime) -> None:
    sort = schedule_keys(owner_id, send_at)[1]
    assert sort <= due_bound(send_at)
    if send_at > datetime.min.replace(tzinfo=UTC):
        assert not sort <= due_bound(send_at - timedelta(microseconds=1))


@pytest.mark.parametrize("owner_id", ["", "owner\uffff", "owner\U0001f600", "owner\ud800"])
def test_owner_ids_that_could_escape_the_bound_are_refused(owner_id: str) -> None:
    with pytest.raises(ValueError, match="owner id"):
        schedule_keys(owner_id, utc(2026, 6, 1))


def test_sub_second_send_times_are_refused() -> None:
    with pytest.raises(ValueError, match="whole seconds"):
        schedule_keys("owner-1", utc(2026, 6, 1, 7, 0, 0, 1))


@pytest.mark.parametrize(
    "sort",
    [
        "",
        "2026-06-01T07:00:00Z#",
        "2026-06-01T07:00:00#owner-1",
        "2026-06-01 07:00:00Z#owner-1",
        "2026-6-01T07:00:00Z#owner-1",
        "2026-06-01T07:00:00Zowner-1",
        "2026-13-01T07:00:00Z#owner-1",
    ],
)
def test_malformed_sort_keys_are_refused(sort: str) -> None:
    with pytest.raises(ValueError, match="not a schedule sort key"):
        parse_schedule_sort_key(sort)


def test_sort_keys_keep_owner_ids_with_hashes_whole() -> None:
    assert parse_schedule_sort_key("2026-06-01T07:00:00Z#team#a") == (utc(2026, 6, 1, 7), "team#a")
