"""A click, an API request or a command racing `contacts remove` (issue 21, point 2): no write outlives its
contact. Each party runs in full just before each AWS call of the other; afterwards the contact is gone and
nothing of it is left (no touch, no note), so a backup holds no orphan.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from circleback.adapters.store.repository import NotFoundError
from circleback.auth.tokens import Action
from circleback.domain.model import Channel, Direction
from circleback.services.contacts import log, remove
from circleback.services.exporting import export_backup
from tests.faults.conftest import OWNER, World
from tests.faults.test_concurrency import interleaved, orders
from tests.integration.actions_support import repo

REMOVE_CALLS = 5  # Query touches, Query events, BatchWriteItem, DeleteItem contact, Query latecomers
CLICK_CALLS = 6  # GetSecretValue x2, GetItem owner, contact, the link's touch, TransactWriteItems
API_CALLS = 5  # GetItem token, owner, Query contacts, GetItem the key's record, TransactWriteItems
CLI_CALLS = 1  # TransactWriteItems (the command resolved the contact before)
NOTE = "she is interviewing at Globex"


def _remove(world: World, removed: list[tuple[int, int]]) -> Callable[[], object]:
    def run() -> None:
        contact = repo().get_contact(OWNER, world.thomas)
        assert contact is not None
        removed.append(remove(repo(), OWNER, contact))

    return run


def _click(world: World, answers: list[int]) -> Callable[[], object]:
    path = world.link(Action.REACHED_OUT)
    return lambda: answers.append(world.post(path, op="do", channel="email", note=NOTE).status_code)


def _api(world: World, answers: list[int]) -> Callable[[], object]:
    body = json.dumps({"contact": "Thomas Becker", "channel": "call", "note": NOTE})
    return lambda: answers.append(world.post_touch(body, "race-1").status_code)


def _command(world: World, answers: list[int]) -> Callable[[], object]:
    contact = repo().get_contact(OWNER, world.thomas)
    assert contact is not None

    def run() -> None:
        try:
            log(repo(), OWNER, contact, world.now.date(), Direction.OUTBOUND, Channel.CALL, NOTE, datetime.now(UTC))
        except NotFoundError:  # the contact went first: nothing was logged (the command says so, exit 2)
            answers.append(410)
        else:
            answers.append(200)

    return run


# Each party: how it is made, its AWS calls, its answer when it logs, and when the contact is gone.
PARTIES = {
    "click": (_click, CLICK_CALLS, 200, 410),
    "api": (_api, API_CALLS, 201, 422),
    "command": (_command, CLI_CALLS, 200, 410),
}
RACES = [
    pytest.param(name, *p.values, id=f"{name}-{p.id}")
    for name, (_, calls, _, _) in PARTIES.items()
    for p in orders(REMOVE_CALLS, calls, (f"{name}-at-remove-call", f"remove-at-{name}-call"))
]


def assert_nothing_left(world: World) -> None:
    assert repo().get_contact(OWNER, world.thomas) is None
    leftovers = [t for t in repo().load_digest_input(OWNER).touches if t.contact_id == world.thomas]  # type: ignore[union-attr]
    assert leftovers == []
    backup = json.loads(export_backup(repo(), OWNER))
    assert NOTE not in json.dumps(backup) and all(t["contact_id"] != world.thomas for t in backup["touches"])


@pytest.mark.parametrize(("party", "k", "remove_first"), RACES)
def test_nothing_outlives_a_removed_contact(world: World, party: str, k: int, remove_first: bool) -> None:
    make, _, logged, refused = PARTIES[party]
    answers: list[int] = []
    removed: list[tuple[int, int]] = []
    write, removal = make(world, answers), _remove(world, removed)

    interleaved(world, k, *((write, removal) if remove_first else (removal, write)))

    assert len(removed) == 1
    assert answers in ([logged], [refused])  # logged (then removed with the contact), or refused: the contact went
    assert_nothing_left(world)


@pytest.mark.parametrize("party", list(PARTIES))
def test_the_races_above_cover_every_call(world: World, party: str) -> None:
    make, calls, logged, _ = PARTIES[party]
    answers: list[int] = []
    write = make(world, answers)
    world.begin()
    write()
    assert answers == [logged] and len(world.injector.calls) == calls
    world.begin()
    _remove(world, [])()
    assert len(world.injector.calls) - 1 == REMOVE_CALLS  # the GetItem that finds the contact to remove aside
