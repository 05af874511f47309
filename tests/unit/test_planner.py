"""docs/design.md, "The rules of the digest": who is due, in what order, how many are shown, and the month's goal."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from circleback.domain.cadence import History, chronological, first_due_dates, name_key, summarise
from circleback.domain.model import Contact, DigestInput, Direction, Tier, Touch
from circleback.domain.planner import (
    DigestPlan,
    Occasion,
    OccasionKind,
    PlanContext,
    PlanSettings,
    due_item,
    plan_digest,
    touches_this_month,
)
from tests.factories import contact, owner, touch

OUT, IN, MUTUAL = Direction.OUTBOUND, Direction.INBOUND, Direction.MUTUAL
AS_OF = date(2026, 11, 22)


def plan(contacts: list[Contact], touches: Iterable[Touch] = (), as_of: date = AS_OF, **settings: int) -> DigestPlan:
    return plan_digest(DigestInput(owner(), contacts, list(touches)), as_of, PlanSettings(**settings))


def due_names(contacts: list[Contact], touches: Iterable[Touch] = (), as_of: date = AS_OF) -> list[str]:
    return [i.contact.name for i in plan(contacts, touches, as_of, max_due=100).due]


def test_due_on_the_day_last_touch_plus_cadence_is_reached() -> None:
    ana = contact("Ana", tier=Tier.A, last_touch=AS_OF - timedelta(days=60))
    assert due_names([ana]) == ["Ana"]
    assert due_names([ana], as_of=AS_OF - timedelta(days=1)) == []
    item = plan([ana]).due[0]
    assert (item.due_date, item.days_overdue, item.effective_cadence_days) == (AS_OF, 0, 60)


def test_logged_touches_of_any_direction_move_the_last_touch() -> None:
    ana = contact("Ana", last_touch=date(2026, 1, 1))
    assert due_names([ana], [touch(ana.id, AS_OF - timedelta(days=10), IN)]) == []


def test_touches_after_as_of_are_not_yet_known() -> None:
    ana = contact("Ana", last_touch=date(2026, 1, 1))
    assert due_names([ana], [touch(ana.id, AS_OF + timedelta(days=1), MUTUAL)]) == ["Ana"]


def test_paused_contacts_are_never_due() -> None:
    assert due_names([contact("Ana", last_touch=date(2020, 1, 1), paused=True)]) == []


def test_snooze_holds_through_its_last_day() -> None:
    old = date(2020, 1, 1)
    assert due_names([contact("Ana", last_touch=old, snoozed_until=AS_OF)]) == []
    assert due_names([contact("Ana", last_touch=old, snoozed_until=AS_OF + timedelta(days=3))]) == []
    assert due_names([contact("Ana", last_touch=old, snoozed_until=AS_OF - timedelta(days=1))]) == ["Ana"]


def test_backoff_pushes_the_due_date_after_unanswered_notes() -> None:
    ana = contact("Ana", tier=Tier.A, last_touch=None)
    notes = [touch(ana.id, date(2026, 6, 1), OUT), touch(ana.id, date(2026, 8, 1), OUT)]
    item = due_item(ana, _history(ana, notes), None, AS_OF)
    assert item is not None
    assert item.effective_cadence_days == 90
    assert item.due_date == date(2026, 8, 1) + timedelta(days=90)


def test_a_never_touched_contact_is_due_from_its_spread_date() -> None:
    imported = date(2026, 11, 20)
    people = [contact(f"P{i}", created_on=imported) for i in range(4)]  # offsets 0, 7, 14, 21
    names = due_names(people, as_of=imported + timedelta(days=7))
    assert names == ["P0", "P1"]


def test_rank_by_score_then_due_date_then_name() -> None:
    # score = (days overdue + 1) / effective cadence * weight (A 3, B 2, C 1)
    a = contact("A-tier", tier=Tier.A, last_touch=AS_OF - timedelta(days=60 + 9))  # 10/60*3 = 0.5
    b = contact("B-tier", tier=Tier.B, last_touch=AS_OF - timedelta(days=120 + 59))  # 60/120*2 = 1.0
    c = contact("C-tier", tier=Tier.C, last_touch=AS_OF - timedelta(days=365 + 9))  # 10/365
    result = plan([a, b, c], max_due=10)
    assert [i.contact.name for i in result.due] == ["B-tier", "A-tier", "C-tier"]
    assert [i.score for i in result.due] == [Fraction(1), Fraction(1, 2), Fraction(10, 365)]


def test_equal_scores_order_by_due_date_then_name() -> None:
    recent = contact("Ada", tier=Tier.A, last_touch=AS_OF - timedelta(days=60 + 9))  # 10/60*3 = 1/2
    longer = contact("Zed", tier=Tier.B, last_touch=AS_OF - timedelta(days=120 + 29))  # 30/120*2 = 1/2
    same = contact("zed", tier=Tier.B, last_touch=AS_OF - timedelta(days=120 + 29))
    result = plan([recent, same, longer], max_due=10)
    assert {i.score for i in result.due} == {Fraction(1, 2)}
    # The earlier due date first; on the same day, names A-Z case-insensitively (then exactly, for stability).
    assert [i.contact.name for i in result.due] == ["Zed", "zed", "Ada"]


def test_max_due_caps_the_list_and_counts_the_rest() -> None:
    people = [contact(f"P{i}", last_touch=date(2025, 1, 1) + timedelta(days=i)) for i in range(8)]
    result = plan(people, max_due=5)
    assert len(result.due) == 5 and result.more_due == 3 and result.all_due == 8
    assert [i.contact.name for i in result.due] == ["P0", "P1", "P2", "P3", "P4"]  # longest overdue first


def test_nothing_due_and_nothing_coming_is_an_empty_plan() -> None:
    result = plan([contact("Ana", last_touch=AS_OF)])
    assert result.is_empty and result.due == [] and result.more_due == 0


def test_goal_counts_outbound_and_mutual_touches_of_this_month_up_to_as_of() -> None:
    ana = contact("Ana")
    touches = [
        touch(ana.id, date(2026, 10, 31), OUT),  # last month
        touch(ana.id, date(2026, 11, 1), OUT),
        touch(ana.id, date(2026, 11, 10), MUTUAL),
        touch(ana.id, date(2026, 11, 12), IN),  # they reached out: not the owner's effort
        touch(ana.id, date(2026, 11, 22), OUT),  # as_of itself counts
        touch(ana.id, date(2026, 11, 23), OUT),  # after as_of
    ]
    result = plan([ana], touches, monthly_goal=6)
    assert (result.goal.done, result.goal.target) == (3, 6)


def test_goal_restarts_at_the_new_year() -> None:
    ana = contact("Ana")
    touches = [touch(ana.id, date(2026, 12, 31), OUT), touch(ana.id, date(2027, 1, 1), OUT)]
    assert touches_this_month(touches, date(2026, 12, 31)) == 1
    assert touches_this_month(touches, date(2027, 1, 1)) == 1


def test_occasion_finders_are_merged_in_date_order() -> None:
    ana = contact("Ana", last_touch=AS_OF)

    def finder(context: PlanContext) -> list[Occasion]:
        return [
            Occasion(OccasionKind.BIRTHDAY, context.window_end, (ana,), "Ana's birthday"),
            Occasion(OccasionKind.HOLIDAY, context.as_of, (ana,), "Thanksgiving"),
        ]

    result = plan_digest(DigestInput(owner(), [ana]), AS_OF, PlanSettings(lookahead_days=3), [finder])
    assert [(o.date, o.label) for o in result.occasions] == [
        (AS_OF, "Thanksgiving"),
        (AS_OF + timedelta(days=3), "Ana's birthday"),
    ]
    assert not result.is_empty


# --- properties ----------------------------------------------------------------------------------

DATES = st.dates(date(1999, 1, 1), date(2099, 12, 31))
DIRECTIONS = st.sampled_from(list(Direction))


def _history(c: Contact, touches: list[Touch]) -> History:
    return summarise(c.last_touch, chronological(touches))


def _due_date(c: Contact, touches: list[Touch]) -> date:
    history = _history(c, touches)
    item = due_item(c, history, c.created_on, date.max)
    assert item is not None
    return item.due_date


@st.composite
def histories(draw: st.DrawFn) -> tuple[Contact, list[Touch]]:
    tier = draw(st.sampled_from(list(Tier)))
    cadence = draw(st.none() | st.integers(7, 730))
    c = contact("Ana", tier=tier, cadence_days=cadence, last_touch=draw(st.none() | DATES), created_on=draw(DATES))
    start = draw(DATES)
    gaps = draw(st.lists(st.integers(0, 400), max_size=8))
    touches, day = [], start
    for gap in gaps:
        day = min(day + timedelta(days=gap), date(2099, 12, 31))
        touches.append(touch(c.id, day, draw(DIRECTIONS)))
    return c, touches


@given(histories(), DIRECTIONS, st.integers(0, 300), st.integers(0, 300))
def test_a_later_touch_never_makes_a_contact_due_sooner(
    case: tuple[Contact, list[Touch]], direction: Direction, offset: int, delay: int
) -> None:
    c, touches = case
    latest = max([t.date for t in touches] + [c.last_touch or c.created_on])
    earlier = touch(c.id, latest + timedelta(days=offset), direction, id="new")
    later = touch(c.id, latest + timedelta(days=offset + delay), direction, id="new")
    assert _due_date(c, [*touches, later]) >= _due_date(c, [*touches, earlier])


@given(histories(), st.integers(0, 300))
def test_another_unanswered_note_never_makes_a_contact_due_sooner(
    case: tuple[Contact, list[Touch]], offset: int
) -> None:
    c, touches = case
    latest = max([t.date for t in touches] + [c.last_touch or c.created_on])
    note = touch(c.id, latest + timedelta(days=offset), OUT, id="new")
    assert _due_date(c, [*touches, note]) >= _due_date(c, touches)


@given(histories())
def test_due_date_is_last_touch_plus_effective_cadence_across_month_and_year_ends(
    case: tuple[Contact, list[Touch]],
) -> None:
    c, touches = case
    history = _history(c, touches)
    item = due_item(c, history, c.created_on, date.max)
    assert item is not None
    if history.last_touch is not None:
        assert (item.due_date - history.last_touch).days == item.effective_cadence_days
    assert item.effective_cadence_days >= (c.cadence_days or {Tier.A: 60, Tier.B: 120, Tier.C: 365}[c.tier])


@given(st.sampled_from([date(2024, 2, 29), date(2028, 2, 29), date(2025, 12, 31), date(2026, 1, 31)]))
def test_leap_days_and_month_ends_are_plain_day_counts(last: date) -> None:
    ana = contact("Ana", tier=Tier.A, last_touch=last)
    assert _due_date(ana, []) == last + timedelta(days=60)


@given(
    st.lists(st.tuples(st.sampled_from(list(Tier)), st.integers(0, 900)), min_size=0, max_size=30),
    st.integers(0, 12),
)
def test_the_list_is_ranked_capped_and_counted(people: list[tuple[Tier, int]], max_due: int) -> None:
    contacts = [contact(f"P{i:02d}", tier=t, last_touch=AS_OF - timedelta(days=d)) for i, (t, d) in enumerate(people)]
    result = plan(contacts, max_due=max_due)
    scores = [i.score for i in result.due]
    assert scores == sorted(scores, reverse=True)
    assert len(result.due) <= max_due
    assert len(result.due) + result.more_due == result.all_due
    assert all(i.days_overdue >= 0 and i.due_date <= AS_OF for i in result.due)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(list(Tier)),
            st.none() | st.integers(7, 730),
            st.none() | st.integers(0, 3000),
            st.sampled_from(["Ana", "ana", "Bo", "Zoë", "zoe", "Ømer"]),
        ),
        max_size=40,
    ),
    st.integers(0, 8),
)
def test_the_shown_list_is_the_exact_fraction_ranking(
    people: list[tuple[Tier, int | None, int | None, str]], max_due: int
) -> None:
    """The planner ranks by float scores and ranks only the contenders by name: the list and its scores must be
    exactly those of ranking every due contact by its Fraction score, due date, name and id (ties included).
    """
    contacts = [
        contact(
            name,
            id=f"c{i:02d}",
            tier=tier,
            cadence_days=cadence,
            last_touch=None if days is None else AS_OF - timedelta(days=days),
            created_on=AS_OF - timedelta(days=10),
        )
        for i, (tier, cadence, days, name) in enumerate(people)
    ]
    first_due = first_due_dates(contacts)
    items = [due_item(c, summarise(c.last_touch, []), first_due.get(c.id), AS_OF) for c in contacts]
    reference = sorted(
        (i for i in items if i is not None),
        key=lambda i: (-i.score, i.due_date, *name_key(i.contact.name), i.contact.id),
    )
    result = plan(contacts, max_due=max_due)
    assert result.due == reference[:max_due]
    assert result.all_due == len(reference)
