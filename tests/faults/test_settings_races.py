"""`settings set` racing a digest (issue 21, point 10): each runs in full just before each AWS call of the other.
Whatever the order, the change is saved, the digest goes out once, and the next send follows the new settings.
"""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest

from circleback.domain.model import Owner
from circleback.domain.schedule import local_send_date
from circleback.payloads import DigestRequest
from circleback.services.digest import Outcome
from circleback.services.settings import change_settings
from tests.faults.conftest import OWNER, World
from tests.faults.test_concurrency import DIGEST_CALLS, assert_digest_settled, interleaved, orders, redeliver, settled
from tests.integration.actions_support import repo

SETTINGS_CALLS = 2  # GetItem owner, PutItem owner on the schedule as read (replace_owner)
CHANGES = {"send_hour": 9, "monthly_goal": 6}


def _settings(world: World, saved: list[tuple[Owner, Owner]]) -> Callable[[], object]:
    return lambda: saved.append(change_settings(repo(), OWNER, CHANGES, world.now))


def _digest(world: World, request: DigestRequest, outcomes: list[Outcome | None]) -> Callable[[], object]:
    return lambda: outcomes.append(settled(world, request, "worker", world.now))


@pytest.mark.parametrize(
    ("k", "settings_first"),
    orders(DIGEST_CALLS, SETTINGS_CALLS, ("settings-at-digest-call", "digest-at-settings-call")),
)
def test_a_settings_change_racing_the_digest_is_saved_and_the_digest_sent_once(
    world: World, k: int, settings_first: bool
) -> None:
    request = world.due_request()
    outcomes: list[Outcome | None] = []
    saved: list[tuple[Owner, Owner]] = []
    digest, settings = _digest(world, request, outcomes), _settings(world, saved)

    interleaved(world, k, *((settings, digest) if settings_first else (digest, settings)))

    assert len(saved) == 1  # the change went through (retrying on the schedule the digest moved)
    redeliver(world, request, outcomes[0], "worker")
    assert_digest_settled(world, request)
    owner = world.owner()
    assert (owner.send_hour, owner.monthly_goal) == (9, 6)
    assert owner.next_send_at is not None and owner.next_send_at > request.send_at
    assert local_send_date(owner.timezone, owner.next_send_at, owner.send_hour) > local_send_date(
        owner.timezone, request.send_at, owner.send_hour
    )
    # The next send is at the new hour, in the owner's zone.
    assert owner.next_send_at.astimezone(ZoneInfo(owner.timezone)).hour == 9


def test_the_race_above_covers_every_call_of_the_settings_change(world: World) -> None:
    world.begin()
    _settings(world, [])()
    assert len(world.injector.calls) == SETTINGS_CALLS
