"""Cadence by tier and override, the backoff for silence, the never-touched spread.

docs/design.md, "The rules of the digest".
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from circleback.domain.cadence import (
    base_cadence,
    chronological,
    effective_cadence,
    first_due_dates,
    summarise,
)
from circleback.domain.model import Direction, Tier, Touch
from tests.factories import contact, touch

OUT, IN, MUTUAL = Direction.OUTBOUND, Direction.INBOUND, Direction.MUTUAL


@pytest.mark.parametrize(("tier", "days"), [(Tier.A, 60), (Tier.B, 120), (Tier.C, 365)])
def test_tier_sets_the_cadence(tier: Tier, days: int) -> None:
    assert base_cadence(contact(tier=tier)) == days


def test_cadence_override_wins_over_the_tier() -> None:
    assert base_cadence(contact(tier=Tier.C, cadence_days=30)) == 30


@pytest.mark.parametrize(
    ("cadence", "streak", "expected"),
    [
        (60, 0, 60),
        (60, 1, 60),  # one unanswered note is normal
        (60, 2, 90),
        (60, 3, 135),
        (60, 4, 202),  # 202.5 rounds half to even
        (60, 5, 304),  # 303.75
        (60, 6, 365),  # 455.6, capped at 365
        (120, 2, 180),
        (120, 4, 365),  # 405, capped
        (365, 2, 365),  # the cap is max(cadence, 365)
        (500, 3, 500),  # a cadence above a year is never shortened by the cap
        (7, 2, 10),  # 10.5 rounds half to even
        (9, 2, 14),  # 13.5 rounds half to even
    ],
)
def test_backoff_for_silence(cadence: int, streak: int, expected: int) -> None:
    assert effective_cadence(cadence, streak) == expected


@given(cadence=st.integers(7, 730), streak=st.integers(0, 60))
def test_effective_cadence_is_never_below_the_cadence_nor_above_the_cap(cadence: int, streak: int) -> None:
    effective = effective_cadence(cadence, streak)
    assert cadence <= effective <= max(cadence, 365)


@given(cadence=st.integers(7, 730), streak=st.integers(0, 60))
def test_more_silence_never_shortens_the_cadence(cadence: int, streak: int) -> None:
    assert effective_cadence(cadence, streak + 1) >= effective_cadence(cadence, streak)


def test_streak_counts_outbound_touches_since_the_last_reply() -> None:
    c = contact()
    history = [
        touch(c.id, date(2026, 1, 1), OUT),
        touch(c.id, date(2026, 2, 1), IN),
        touch(c.id, date(2026, 3, 1), OUT),
        touch(c.id, date(2026, 4, 1), OUT),
        touch(c.id, date(2026, 5, 1), OUT),
    ]
    assert summarise(None, history).outbound_streak == 3


@pytest.mark.parametrize("reply", [IN, MUTUAL])
def test_a_reply_or_a_meeting_resets_the_streak(reply: Direction) -> None:
    c = contact()
    history = [
        touch(c.id, date(2026, 3, 1), OUT),
        touch(c.id, date(2026, 4, 1), OUT),
        touch(c.id, date(2026, 5, 1), reply),
    ]
    assert summarise(None, history).outbound_streak == 0


def test_last_touch_is_the_latest_of_imported_and_logged_whatever_the_direction() -> None:
    c = contact()
    logged = [touch(c.id, date(2026, 3, 1), IN)]
    assert summarise(date(2026, 5, 1), logged).last_touch == date(2026, 5, 1)
    assert summarise(date(2026, 1, 1), logged).last_touch == date(2026, 3, 1)
    assert summarise(None, []).last_touch is None


def test_never_touched_contacts_are_spread_over_the_first_weeks() -> None:
    day = date(2026, 11, 22)
    # Ten tier-A contacts (cadence 60, so S = 28): i-th gets day + floor(i * 28 / 10).
    people = [contact(f"Person {i:02d}", created_on=day) for i in range(10)]
    first = first_due_dates(people)
    assert [(first[p.id] - day).days for p in people] == [0, 2, 5, 8, 11, 14, 16, 19, 22, 25]


def test_spread_orders_by_tier_then_name_and_uses_each_contacts_own_window() -> None:
    day = date(2026, 3, 1)
    zoe = contact("Zoe", tier=Tier.A, created_on=day)
    adam = contact("adam", tier=Tier.B, created_on=day)
    bea = contact("Bea", tier=Tier.B, created_on=day, cadence_days=10)  # S = min(28, 10)
    first = first_due_dates([bea, adam, zoe])
    assert first[zoe.id] == day  # tier A first: due on the import day
    assert first[adam.id] == day + timedelta(days=(1 * 28) // 3)  # "adam" before "Bea", case-insensitively
    assert first[bea.id] == day + timedelta(days=(2 * 10) // 3)


def test_spread_is_per_import_day_and_ignores_contacts_imported_with_a_last_touch() -> None:
    monday, tuesday = date(2026, 3, 2), date(2026, 3, 3)
    touched = contact("Already Met", created_on=monday, last_touch=date(2026, 1, 5))
    a = contact("A", created_on=monday)
    b = contact("B", created_on=monday)
    c = contact("C", created_on=tuesday)
    first = first_due_dates([touched, a, b, c])
    assert touched.id not in first
    assert first[a.id] == monday and first[b.id] == monday + timedelta(days=14)
    assert first[c.id] == tuesday


@given(n=st.integers(1, 400), day=st.dates(date(2000, 1, 1), date(2100, 12, 31)), cadence=st.integers(7, 730))
def test_spread_starts_on_the_import_day_and_stays_within_its_window(n: int, day: date, cadence: int) -> None:
    people = [contact(f"P{i:04d}", created_on=day, cadence_days=cadence) for i in range(n)]
    first = first_due_dates(people)
    offsets = [(first[p.id] - day).days for p in people]
    window = min(28, cadence)
    assert offsets[0] == 0
    assert offsets == sorted(offsets)
    assert all(0 <= o < window for o in offsets)


def test_imported_and_clicked_touches_of_one_day_sort_without_a_clock_clash() -> None:
    # An imported touch has no time of day; a link's touch has an aware one. Imports come first that day.
    day = date(2026, 11, 20)
    clicked = Touch("t-link", "c1", day, recorded_at=datetime(2026, 11, 20, 9, tzinfo=UTC))
    imported = Touch("t-import", "c1", day)
    assert [t.id for t in chronological([clicked, imported])] == ["t-import", "t-link"]
