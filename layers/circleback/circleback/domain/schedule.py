"""When each owner's digest goes out, and how the dispatcher finds the owners due.

docs/design.md, "The loop" and "The table".

A digest is "for" a local date D and goes out at D `send_hour`:00 on the owner's wall clock. The wall clock
is not a straight line, so the send instant of D is defined as the first instant whose wall-clock reading is
D `send_hour`:00 or later:

- an hour that occurs twice (fall back) is sent once, at its first occurrence;
- an hour that does not occur (spring forward) is sent at the end of the gap, the first instant after it;
- a date the zone never had (Pacific/Apia skipped 2011-12-30) gets no digest.

One digest per local date follows, and send instants strictly increase from one date to the next.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from circleback.domain.model import Frequency, Owner

SHARD_COUNT = 4
# The dispatcher's Query bound sorts after every sort key of the same second (see due_bound).
DUE_BOUND_SENTINEL = "\uffff"

_SECOND = timedelta(seconds=1)
_DAY = timedelta(days=1)
# A weekly owner waits at most a week, two if the zone skips the chosen date; three weeks is ample.
_SEARCH_DAYS = 21
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"
_TIME_WIDTH = len("2026-01-01T00:00:00Z")


def send_instant(timezone: str, on: date, hour: int) -> datetime:
    """The UTC instant of the send for local date `on` at `hour`:00 in `timezone`.

    It is the first instant whose wall clock reads `hour`:00 on `on` or later: the first occurrence of an hour
    that repeats, the end of the gap for an hour that is skipped. On a date the zone skipped entirely this is
    the first instant after the skip, which belongs to the next date; next_send_at never sends for such a date.
    """
    return _first_instant_at_or_after(ZoneInfo(timezone), datetime.combine(on, time(hour)))


def digest_interval(owner: Owner) -> timedelta:
    """How far apart the owner's digests are: what one says since the one before covers this long."""
    return timedelta(days=7 if owner.frequency is Frequency.WEEKLY else 1)


def next_send_at(owner: Owner, after: datetime) -> datetime | None:
    """The owner's first send instant strictly after `after` (aware), in UTC; None when digests are off.

    Daily owners get every local date, weekly ones the dates whose weekday() is owner.weekday, and no date on
    or before owner.paused_until (a local date, inclusive). Also None when no send fits before the end of the
    calendar (a pause until 9999-12-31).
    """
    _require_aware(after, "after")
    if owner.frequency == Frequency.OFF:
        return None
    _check_send_settings(owner)
    zone = ZoneInfo(owner.timezone)
    try:
        return _first_send_after(zone, owner, after.astimezone(UTC))
    except OverflowError:
        return None


def local_send_date(owner_timezone: str, send_at: datetime, send_hour: int | None = None) -> date:
    """The local date a send instant is for: the date D whose send next_send_at scheduled at `send_at`.

    Pass the owner's send hour for the exact answer. Without it, this is the local date of the instant, which is
    D except when D's hour fell in a gap that ran past midnight: America/Nuuk springs forward from 23:00 to
    00:00, so with send hour 23 its Saturday digest goes out at Sunday 00:00, the very instant a send hour of 0
    gives Sunday's. Only the hour tells the two apart. An instant that is not a send instant of that hour (the
    owner changed settings since) also gets the local date of the instant.
    """
    _require_aware(send_at, "send_at")
    zone = ZoneInfo(owner_timezone)
    local_day = _wall(send_at, zone).date()
    if send_hour is None:
        return local_day
    _check_hour(send_hour)
    # A gap moves a send later, never earlier, so D is the instant's local date or just before it.
    for candidate in (local_day, local_day - _DAY, local_day - 2 * _DAY):
        if _send_of(zone, candidate, send_hour) == send_at:
            return candidate
    return local_day


def shard_of(owner_id: str) -> int:
    """The owner's GSI1 shard, the same in every process (Python's hash() is salted per process)."""
    digest = hashlib.sha256(owner_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % SHARD_COUNT


def shard_partition_key(shard: int) -> str:
    """GSI1's partition key of a shard: the dispatcher Queries SEND#0 to SEND#{SHARD_COUNT - 1}."""
    if not 0 <= shard < SHARD_COUNT:
        raise ValueError(f"shard must be in 0..{SHARD_COUNT - 1}, got {shard}")
    return f"SEND#{shard}"


def schedule_keys(owner_id: str, send_at: datetime) -> tuple[str, str]:
    """GSI1's keys for an owner's next send: ("SEND#<shard>", "<UTC time>#<owner id>").

    The time is `YYYY-MM-DDTHH:MM:SSZ`, always 20 characters, so sort keys sort in time order, both as Python
    strings and as the UTF-8 bytes DynamoDB compares. `send_at` must be a whole second (every send instant is),
    so the key states it exactly. Owner ids must be non-empty, valid UTF-8 and free of U+FFFF and anything above
    it, so that every key of a second sorts below that second's due_bound.
    """
    _check_owner_id(owner_id)
    return shard_partition_key(shard_of(owner_id)), f"{_format_time(send_at, exact=True)}#{owner_id}"


def parse_schedule_sort_key(sk: str) -> tuple[datetime, str]:
    """The (send instant in UTC, owner id) of a GSI1 sort key written by schedule_keys."""
    stamp, separator, owner_id = sk[: _TIME_WIDTH - 1], sk[_TIME_WIDTH - 1 : _TIME_WIDTH + 1], sk[_TIME_WIDTH + 1 :]
    try:
        send_at = datetime.strptime(stamp, _TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise ValueError(f"not a schedule sort key: {sk!r}") from None
    # strptime accepts unpadded fields; only the canonical, fixed-width form sorts right.
    if separator != "Z#" or not owner_id or _format_time(send_at, exact=True) != sk[:_TIME_WIDTH]:
        raise ValueError(f"not a schedule sort key: {sk!r}")
    return send_at, owner_id


def due_bound(tick: datetime) -> str:
    """The dispatcher's inclusive upper bound: Query GSI1 per shard for sort keys <= due_bound(tick).

    The bound is f"{tick_iso}#\\uffff" with the tick cut to the second in schedule_keys' fixed-width format.
    A key of an earlier second differs from it in a digit before the "#" and sorts below; a key of the same
    second shares "<tick_iso>#" and its owner id starts below U+FFFF; a key of a later second sorts above.
    So the bound admits exactly the owners whose send_at <= tick, including the ones a missed tick left behind.
    """
    return f"{_format_time(tick, exact=False)}#{DUE_BOUND_SENTINEL}"


def _first_send_after(zone: ZoneInfo, owner: Owner, after: datetime) -> datetime:
    # Dates before after's local date were sent by then; send instants increase with the date, so the first
    # digest date whose instant is past `after` is the answer.
    day = _wall(after, zone).date()
    if owner.paused_until is not None:
        day = max(day, owner.paused_until + _DAY)
    for _ in range(_SEARCH_DAYS):
        if _is_digest_day(owner, day):
            instant = _send_of(zone, day, owner.send_hour)
            if instant is not None and instant > after:
                return instant
        day += _DAY
    raise RuntimeError(f"no send within {_SEARCH_DAYS} days of {after.isoformat()} for owner {owner.id}")


def _is_digest_day(owner: Owner, day: date) -> bool:
    if owner.paused_until is not None and day <= owner.paused_until:
        return False
    return owner.frequency == Frequency.DAILY or day.weekday() == owner.weekday


def _send_of(zone: ZoneInfo, day: date, hour: int) -> datetime | None:
    """The send instant of `day`, or None when the zone gives `day` no send of its own."""
    start_of_day = _first_instant_at_or_after(zone, datetime.combine(day, time()))
    if _wall(start_of_day, zone).date() != day:
        return None  # the zone skipped the whole date (Pacific/Apia, 2011-12-30)
    instant = _first_instant_at_or_after(zone, datetime.combine(day, time(hour)))
    # A gap of a day or more would hand this date's send to the next date's instant; one digest per instant.
    if instant >= _first_instant_at_or_after(zone, datetime.combine(day + _DAY, time(hour))):
        return None
    return instant


def _first_instant_at_or_after(zone: ZoneInfo, wall: datetime) -> datetime:
    """The first UTC instant whose wall-clock reading in `zone` is `wall` (naive) or later."""
    first = wall.replace(tzinfo=zone).astimezone(UTC)  # fold=0: the earlier of two readings
    if _wall(first, zone) == wall:
        return first
    return _end_of_gap(zone, wall, first)


def _end_of_gap(zone: ZoneInfo, wall: datetime, too_late: datetime) -> datetime:
    """The instant the clock jumps over `wall`, found by bisection between the offsets either side of the gap.

    Inside a gap, fold=0 reads `wall` with the offset before the jump (an instant after it) and fold=1 with the
    offset after (an instant before it). Transitions fall on whole seconds, so the search stops at one second.
    """
    too_early = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    while too_late - too_early > _SECOND:
        middle = too_early + (too_late - too_early) // _SECOND // 2 * _SECOND
        if _wall(middle, zone) < wall:
            too_early = middle
        else:
            too_late = middle
    return too_late


def _wall(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


def _format_time(instant: datetime, *, exact: bool) -> str:
    _require_aware(instant, "time")
    utc = instant.astimezone(UTC)
    if exact and utc.microsecond:
        raise ValueError(f"send times are whole seconds, got {instant.isoformat()}")
    # isoformat pads the year to four digits where strftime("%Y") may not, keeping the width fixed.
    return utc.replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value.isoformat()}")


def _check_hour(hour: int) -> None:
    if not 0 <= hour <= 23:
        raise ValueError(f"send hour must be in 0..23, got {hour}")


def _check_send_settings(owner: Owner) -> None:
    _check_hour(owner.send_hour)
    if owner.frequency == Frequency.WEEKLY and not 0 <= owner.weekday <= 6:
        raise ValueError(f"weekday must be in 0..6 (0 = Monday), got {owner.weekday}")


def _check_owner_id(owner_id: str) -> None:
    if not owner_id:
        raise ValueError("owner id must not be empty")
    if any(ord(char) >= 0xFFFF or 0xD800 <= ord(char) <= 0xDFFF for char in owner_id):
        raise ValueError(f"owner id must be valid UTF-8 below U+FFFF: {owner_id!r}")
