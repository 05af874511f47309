"""The next steps' rules (domain/loops.py, issue 19), the clock an argument: follow-ups, the favour loop,
reconnecting and sharing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from circleback.domain.cadence import summarise
from circleback.domain.loops import (
    ASK_AFTER_DAYS,
    OUTCOME_AFTER_DAYS,
    SHARE_QUIET_DAYS,
    SHARE_TOUCHED_DAYS,
    STEP_DAYS,
    StepKind,
    closing,
    favour_step,
    follow_up_date,
    follow_up_of,
    reconnecting,
    share_for,
    time_to_ask,
    worth_sharing,
)
from circleback.domain.model import (
    Contact,
    DigestInput,
    Direction,
    Favour,
    FollowUp,
    Owner,
    Reconnect,
    Share,
    Tier,
    Touch,
    TouchPurpose,
)

START = date(2026, 3, 2)
days = st.integers(min_value=-60, max_value=120)


def person(name: str = "Tom Becker", **fields: object) -> Contact:
    return Contact(id=name.lower().replace(" ", "-"), name=name, created_on=date(2025, 1, 1), **fields)  # type: ignore[arg-type]


def touch(
    on: date, *, follow_up: FollowUp | None = None, direction: Direction = Direction.OUTBOUND, **fields: object
) -> Touch:
    return Touch(f"t-{on.isoformat()}-{len(fields)}", "tom-becker", on, direction, follow_up=follow_up, **fields)  # type: ignore[arg-type]


@given(offset=days)
def test_a_follow_up_is_due_from_its_day_for_thirty_days(offset: int) -> None:
    carrying = touch(START, follow_up=FollowUp(START + timedelta(days=14), "how the interview went"))
    as_of = START + timedelta(days=14 + offset)
    found = follow_up_of([carrying], as_of) if as_of >= START else None
    assert (found is not None) == (0 <= offset < STEP_DAYS)


@given(later=st.integers(min_value=0, max_value=40), as_of=st.integers(min_value=14, max_value=43))
def test_only_the_latest_touch_s_follow_up_counts(later: int, as_of: int) -> None:
    carrying = touch(START, follow_up=FollowUp(START + timedelta(days=14)))
    after = touch(START + timedelta(days=later), note="later")
    day = START + timedelta(days=as_of)
    history = [carrying, after] if later <= as_of else [carrying]
    assert (follow_up_of(history, day) is not None) == (len(history) == 1)


def test_a_dismissed_follow_up_is_gone_from_its_day() -> None:
    done = touch(START, follow_up=FollowUp(START + timedelta(days=7), done_on=START + timedelta(days=9)))
    assert follow_up_of([done], START + timedelta(days=8)) is not None
    assert follow_up_of([done], START + timedelta(days=9)) is None


@pytest.mark.parametrize(("text", "expected"), [("14", START + timedelta(days=14)), ("2026-04-01", date(2026, 4, 1))])
def test_follow_up_takes_days_or_a_date(text: str, expected: date) -> None:
    assert follow_up_date(text, START) == expected


@pytest.mark.parametrize("text", ["0", "366", "2026-03-02", "2027-03-03", "next week"])
def test_follow_up_refuses_what_is_not_a_day_ahead_within_a_year(text: str) -> None:
    with pytest.raises(ValueError, match="--follow-up"):
        follow_up_date(text, START)


def asked(**fields: object) -> Favour:
    return replace(Favour("f1", "tom-becker", "a reference", START, START + timedelta(days=14)), **fields)  # type: ignore[arg-type]


@given(offset=days)
def test_the_check_in_comes_after_by_while_they_have_not_helped(offset: int) -> None:
    as_of = START + timedelta(days=14 + offset)
    step = favour_step(asked(), person(), as_of)
    assert (step is not None) == (0 <= offset < STEP_DAYS)
    if step is not None:
        assert (step.kind, step.since) == (StepKind.ASK_CHECK_IN, START + timedelta(days=14))


@given(helped=st.integers(min_value=0, max_value=20), offset=st.integers(min_value=0, max_value=90))
def test_once_they_helped_thanks_then_the_outcome_each_in_its_window(helped: int, offset: int) -> None:
    helped_on = START + timedelta(days=helped)
    as_of = helped_on + timedelta(days=offset)
    step = favour_step(asked(helped_on=helped_on), person(), as_of)
    if offset < STEP_DAYS:
        assert step is not None and step.kind is StepKind.THANK  # thanks first, and it waits for nothing
    thanked = favour_step(asked(helped_on=helped_on, thanked_on=helped_on), person(), as_of)
    tell = OUTCOME_AFTER_DAYS <= offset < OUTCOME_AFTER_DAYS + STEP_DAYS
    assert (thanked is not None and thanked.kind is StepKind.TELL_OUTCOME) == tell


def test_the_outcome_day_can_be_set() -> None:
    favour = asked(helped_on=START, thanked_on=START, outcome_on=START + timedelta(days=3))
    assert favour_step(favour, person(), START + timedelta(days=2)) is None
    step = favour_step(favour, person(), START + timedelta(days=3))
    assert step is not None and step.kind is StepKind.TELL_OUTCOME


@pytest.mark.parametrize(("tier", "moves"), [(Tier.C, True), (Tier.B, True), (Tier.A, False)])
def test_closing_the_loop_moves_them_to_tier_a_when_lower(tier: Tier, moves: bool) -> None:
    done = asked(helped_on=START, thanked_on=START, told_on=START + timedelta(days=30))
    closed, to = closing(done, person(tier=tier))
    assert (to is Tier.A) == moves and (closed.promoted_from == tier) == moves
    assert closing(asked(helped_on=START, thanked_on=START), person(tier=tier))[1] is None  # not told yet


@given(
    reply=st.one_of(st.none(), st.integers(min_value=0, max_value=12)), offset=st.integers(min_value=0, max_value=45)
)
def test_the_time_to_ask_comes_a_week_on_or_at_their_reply(reply: int | None, offset: int) -> None:
    plan = Reconnect("tom-becker", START, "a reference")
    as_of = START + timedelta(days=offset)
    touches = (
        [] if reply is None or reply > offset else [touch(START + timedelta(days=reply), direction=Direction.INBOUND)]
    )
    since = ASK_AFTER_DAYS if not touches else min(ASK_AFTER_DAYS, reply or 0)
    step = time_to_ask(plan, person(), touches, as_of)
    assert (step is not None) == (since <= offset < since + STEP_DAYS)
    assert time_to_ask(replace(plan, asked_on=START), person(), touches, as_of) is None
    assert time_to_ask(replace(plan, need=None), person(), touches, as_of) is None


@given(
    touched=st.one_of(st.none(), st.integers(min_value=-5, max_value=20)), offset=st.integers(min_value=0, max_value=20)
)
def test_reconnecting_lasts_until_a_touch_on_or_after_its_day(touched: int | None, offset: int) -> None:
    touches = [] if touched is None else [touch(START + timedelta(days=touched))]
    as_of = START + timedelta(days=offset)
    ended = touched is not None and 0 <= touched <= offset
    assert reconnecting(Reconnect("tom-becker", START), touches, as_of) is not ended


# --- sharing --------------------------------------------------------------------------------------------------

ESSAY = Share("s1", "https://example.com/essay", "An essay", ("ai", "security"), START)


def sharing(
    contacts: list[Contact], touches: list[Touch], as_of: date, shares: tuple[Share, ...] = (ESSAY,)
) -> list[str]:
    data = DigestInput(Owner("o"), contacts, touches, shares=shares)
    by_contact: dict[str, list[Touch]] = {}
    for t in sorted(touches, key=lambda t: t.date):
        by_contact.setdefault(t.contact_id, []).append(t)
    histories = {c.id: summarise(c.last_touch, by_contact.get(c.id, [])) for c in contacts}
    found = worth_sharing(data, as_of, histories, by_contact)
    return [c.name for c, _ in found.contacts] if found else []


def test_up_to_three_people_whose_tags_meet_the_item_s_most_overdue_first() -> None:
    old = START - timedelta(days=400)
    people = [
        person("Ana Souza", tags=("AI",), tier=Tier.A, last_touch=old),
        person("Bo Li", tags=("security",), tier=Tier.C, last_touch=old),
        person("Cy Ng", tags=("golf",), last_touch=old),
        person("Di Wu", tags=("Security", "ai"), last_touch=old),
        person("Ed Fox", tags=("ai",), last_touch=START - timedelta(days=200)),
    ]
    assert sharing(people, [], START) == ["Ana Souza", "Di Wu", "Ed Fox"]


@given(since=st.integers(min_value=0, max_value=60))
def test_nobody_touched_a_fortnight_ago_nor_shared_with_six_weeks_ago(since: int) -> None:
    ana = person("Ana Souza", tags=("ai",), last_touch=START - timedelta(days=since))
    assert sharing([ana], [], START) == ([] if since < SHARE_TOUCHED_DAYS else ["Ana Souza"])
    shared = Touch("x", ana.id, START - timedelta(days=since), purpose=TouchPurpose.SHARE)
    quiet = replace(ana, last_touch=None)
    assert sharing([quiet], [shared], START) == ([] if since < SHARE_QUIET_DAYS else ["Ana Souza"])


def test_nobody_paused_unsorted_or_snoozed_and_the_queue_lasts_a_fortnight() -> None:
    kept = [person("Ana Souza", tags=("ai",), **{field: value}) for field, value in
            (("paused", True), ("unsorted", True), ("snoozed_until", START + timedelta(days=3)))]  # fmt: skip
    assert sharing(kept, [], START) == []
    ana = person("Ana Souza", tags=("ai",))
    assert sharing([ana], [], START + timedelta(days=13)) == ["Ana Souza"]
    assert sharing([ana], [], START + timedelta(days=14)) == []


@given(first=st.integers(min_value=0, max_value=13), second=st.integers(min_value=0, max_value=13))
def test_a_person_s_item_is_the_newest_queued_one_meeting_their_tags(first: int, second: int) -> None:
    """What lets a "Shared" link name the person only: the digest's item for them is share_for's."""
    one = replace(ESSAY, id="a", tags=("ai",), queued_on=START + timedelta(days=first))
    two = replace(ESSAY, id="b", tags=("ai", "golf"), queued_on=START + timedelta(days=second))
    as_of = START + timedelta(days=max(first, second))
    ana = person("Ana Souza", tags=("AI",))
    data = DigestInput(Owner("o"), [ana], shares=(one, two))
    found = worth_sharing(data, as_of, {ana.id: summarise(None, [])}, {})
    assert found is not None and share_for((one, two), ana, as_of) == found.share


def test_a_digest_lists_at_most_ten_steps_the_first_due_first() -> None:
    from circleback.domain.loops import MAX_STEPS, next_steps

    people = [person(f"P{i:02d}") for i in range(MAX_STEPS + 3)]
    touches = {
        p.id: [Touch(f"t{i}", p.id, START, follow_up=FollowUp(START + timedelta(days=i)))] for i, p in enumerate(people)
    }
    steps = next_steps(DigestInput(Owner("o"), people), START + timedelta(days=20), {p.id: p for p in people}, touches)
    assert [s.contact.name for s in steps] == [p.name for p in people[:MAX_STEPS]]
