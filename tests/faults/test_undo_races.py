"""Undo racing a snooze or a pause (issue 21, point 1): an Undo puts back exactly the value its link replaced, or
refuses with a page that says why and keeps the link's record; it never answers "Undone" while what its link set
stays in force. Each race runs the other request in full just before each AWS call of the first (as
test_concurrency.py does for touches), both ways round.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from circleback import runtime
from circleback.auth.tokens import Action, Purpose
from circleback.domain.model import ActionRecord
from circleback.services.actions import ActionLinks
from tests.faults.conftest import OWNER, World
from tests.faults.test_concurrency import interleaved, orders
from tests.integration.actions_support import repo

UNDO_SNOOZE_CALLS = 6  # GetSecretValue x2, GetItem owner, contact, the link's record, TransactWriteItems
SNOOZE_CALLS = 6  # the same, the transaction writing the record and the snooze
UNDO_PAUSE_CALLS = 5  # GetSecretValue x2, GetItem owner, the link's record, TransactWriteItems
PAUSE_CALLS = 5
NAMES = ("other-at-undo-call", "undo-at-other-call")


def _post(world: World, path: str, answers: list[tuple[int, str]], op: str) -> Callable[[], object]:
    def post() -> None:
        response = world.post(path, op=op)
        answers.append((response.status_code, response.get_data(as_text=True)))

    return post


def _record(world: World, path: str) -> ActionRecord | None:
    token = path.rsplit("/", 1)[1]
    purpose = Purpose.UNSUBSCRIBE if path.startswith("/unsubscribe/") else Purpose.ACTION
    return ActionLinks(repo(), runtime.signer(), OWNER).open(token, purpose, world.now).record


def _snoozed_until(world: World) -> date | None:
    contact = repo().get_contact(OWNER, world.thomas)
    assert contact is not None
    return contact.snoozed_until


def _paused_until(world: World) -> date | None:
    return world.owner().paused_until


RACES = [
    *(
        pytest.param(Action.SNOOZE, *p.values, id=f"snooze-{p.id}")
        for p in orders(UNDO_SNOOZE_CALLS, SNOOZE_CALLS, NAMES)
    ),
    *(pytest.param(Action.PAUSE, *p.values, id=f"pause-{p.id}") for p in orders(UNDO_PAUSE_CALLS, PAUSE_CALLS, NAMES)),
]


@pytest.mark.parametrize(("action", "k", "flipped"), RACES)
def test_undo_restores_what_its_link_replaced_or_refuses(world: World, action: Action, k: int, flipped: bool) -> None:
    state = _paused_until if action is Action.PAUSE else _snoozed_until
    contact = None if action is Action.PAUSE else "Thomas Becker"
    first_link = world.link(action, contact)
    assert world.post(first_link, op="do").status_code == 200
    replaced_by_first = state(world)
    world.later(timedelta(days=3))  # tomorrow's digest brings another link, which snoozes or pauses for longer
    second_link = world.link(action, contact)
    undo_answers: list[tuple[int, str]] = []
    other_answers: list[tuple[int, str]] = []
    undo, other = _post(world, first_link, undo_answers, "undo"), _post(world, second_link, other_answers, "do")

    interleaved(world, k, *((other, undo) if flipped else (undo, other)))

    [(other_status, _)] = other_answers
    [(undo_status, undo_page)] = undo_answers
    assert other_status == 200
    second = _record(world, second_link)
    assert second is not None and second.until == state(world)  # the later choice is never lost
    first = _record(world, first_link)
    if undo_status == 200:
        assert "Undone" in undo_page and first is None
        assert second.previous_until is None  # the undo came first: the other link started from nothing
    else:
        assert undo_status == 409 and "can’t be undone any more" in undo_page and "later choice stands" in undo_page
        assert first is not None and first.until == replaced_by_first  # kept: the page stays true
        # Undoing again gives the same answer, not "nothing to undo".
        assert world.post(first_link, op="undo").status_code == 409


@pytest.mark.parametrize(
    ("action", "undo_calls", "do_calls"),
    [(Action.SNOOZE, UNDO_SNOOZE_CALLS, SNOOZE_CALLS), (Action.PAUSE, UNDO_PAUSE_CALLS, PAUSE_CALLS)],
)
def test_the_races_above_cover_every_call(world: World, action: Action, undo_calls: int, do_calls: int) -> None:
    link = world.link(action, None if action is Action.PAUSE else "Thomas Becker")
    world.begin()
    assert world.post(link, op="do").status_code == 200
    assert len(world.injector.calls) == do_calls
    world.begin()
    assert world.post(link, op="undo").status_code == 200
    assert len(world.injector.calls) == undo_calls
