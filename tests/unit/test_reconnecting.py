"""Reconnecting (issue 19, point 3): a lapse is over a year and over twice a person's effective cadence since the
last touch; the due line owns the gap and `preview --json` says so. The clock is an argument."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from circleback.domain.model import DigestInput
from circleback.domain.planner import PlanSettings, plan_digest
from circleback.mail.render import DueReason, _due_reason, digest_view
from tests.factories import contact, owner

AS_OF = date(2026, 11, 22)


@settings(max_examples=150, deadline=None)
@given(days=st.integers(1, 1500), cadence=st.integers(30, 700))
def test_a_due_person_is_lapsed_after_a_year_and_twice_their_cadence(days: int, cadence: int) -> None:
    person = contact("Tom Weber", cadence_days=cadence, last_touch=AS_OF - timedelta(days=days))
    home = owner()
    plan = plan_digest(DigestInput(home, [person]), AS_OF, PlanSettings(max_due=5, lookahead_days=0))
    if not plan.due:  # not due yet: nothing to say
        assert days < cadence
        return

    [line] = digest_view(plan, home, None).due

    assert line.lapsed == (days > max(365, 2 * cadence))
    assert (_due_reason(plan.due[0], AS_OF, home) is DueReason.LAPSED) == line.lapsed
    if line.lapsed:
        assert line.idea.startswith("It has been over a year: own the gap")
