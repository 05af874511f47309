"""Races, as deterministic interleavings: one party runs in full just before the k-th AWS call of the other.

moto is not thread-safe, so no threads: the injector's interleave hook stops the first party at its k-th call
(for every k its normal run makes), lets the second run to the end, then lets the first go on. Whatever ended
in "try again" (RetryLater, a 409) is delivered again later, as the queue or the person would. Then: nothing
lost, nothing doubled.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from circleback.auth.tokens import Action
from circleback.domain.model import RunStatus
from circleback.domain.schedule import local_send_date
from circleback.payloads import DigestRequest
from circleback.services.digest import Outcome, RetryLater
from circleback.services.importing import import_contacts
from tests.faults.conftest import OWNER, THOMAS, VISIBILITY_TIMEOUT, World
from tests.integration.actions_support import repo

LEASE_RUN_OUT = timedelta(minutes=3)  # longer than the digest's two-minute lease
DIGEST_CALLS = 8  # GetItem owner, PutItem claim, Query, GetSecretValue, UpdateItem, SendEmail, UpdateItem x2
CLICK_CALLS = 6  # GetSecretValue x2, GetItem owner, contact, the touch filed under the link (none yet), PutItem touch
PAUSE_CALLS = 5  # GetSecretValue x2, GetItem owner, action record, Transact
IMPORT_CALLS = 2  # Query contacts, UpdateItem contact


def orders(calls: int, flipped_calls: int, names: tuple[str, str]) -> list[Any]:  # pytest.param objects
    """(k, flipped) for each call k of the party that runs first: `calls` of one, then `flipped_calls` of the
    other when the two swap places."""
    return [pytest.param(k, False, id=f"{names[0]}-{k}") for k in range(1, calls + 1)] + [
        pytest.param(k, True, id=f"{names[1]}-{k}") for k in range(1, flipped_calls + 1)
    ]


def interleaved(world: World, k: int, first: Callable[[], object], second: Callable[[], object]) -> None:
    """Run `first`, with `second` run in full just before `first`'s k-th AWS call."""
    world.begin()
    ran: list[bool] = []
    world.injector.interleave = (k, lambda: ran.append(bool(second()) or True))
    first()
    assert ran, f"the first party made fewer than {k} calls"


def settled(world: World, request: DigestRequest, claimant: str, at: datetime) -> Outcome | None:
    """One worker's try: its outcome, or None when it was told to try again later."""
    try:
        return world.send_digest(request, claimant, at).outcome
    except RetryLater:
        return None


def redeliver(world: World, request: DigestRequest, outcome: Outcome | None, claimant: str) -> None:
    """The queue brings a message back after its visibility timeout until the worker settles it."""
    for attempt in range(3):
        if outcome is not None:
            return
        world.later(VISIBILITY_TIMEOUT)
        outcome = settled(world, request, f"{claimant}-again-{attempt}", world.now)
    assert outcome is not None, "the digest never settled"


def assert_digest_settled(world: World, request: DigestRequest, emails: int = 1) -> RunStatus:
    assert world.emails() == emails
    owner = world.owner()
    run = repo().get_run(OWNER, local_send_date(owner.timezone, request.send_at, owner.send_hour))
    assert run is not None and run.status in (RunStatus.SENT, RunStatus.UNCERTAIN, RunStatus.SKIPPED)
    assert owner.next_send_at is not None and owner.next_send_at > request.send_at  # moved on
    return run.status


# --- two digest workers for one owner and date ------------------------------------------------------------


@pytest.mark.parametrize("late", [False, True], ids=["together", "after-the-lease"])
@pytest.mark.parametrize("k", range(1, DIGEST_CALLS + 1))
def test_two_digest_workers_send_one_email(world: World, k: int, late: bool) -> None:
    """B runs in full at A's k-th call: at the same time, or once A's lease ran out (A stalled)."""
    request = world.due_request()
    start = world.now
    outcomes: dict[str, Outcome | None] = {}

    def worker(name: str, at: datetime) -> Callable[[], object]:
        return lambda: outcomes.setdefault(name, settled(world, request, name, at))

    interleaved(world, k, worker("a", start), worker("b", start + LEASE_RUN_OUT if late else start))

    assert world.emails() <= 1
    for name in ("a", "b"):
        redeliver(world, request, outcomes[name], name)
    status = assert_digest_settled(world, request)
    # "uncertain" only when B found A mid-send with its lease run out: A's email went out all the same.
    assert status is RunStatus.SENT or (late and k >= 5)


# --- a click racing the digest -------------------------------------------------------------------------------


def _digest(world: World, request: DigestRequest, outcomes: list[Outcome | None]) -> Callable[[], object]:
    return lambda: outcomes.append(settled(world, request, "worker", world.now))


def _click(world: World, path: str, statuses: list[int], **form: str) -> Callable[[], object]:
    return lambda: statuses.append(world.post(path, **form).status_code)


@pytest.mark.parametrize(
    ("k", "click_first"), orders(DIGEST_CALLS, CLICK_CALLS, ("click-at-digest-call", "digest-at-click-call"))
)
def test_a_click_racing_the_digest_is_logged_once_and_the_digest_sent_once(
    world: World, k: int, click_first: bool
) -> None:
    request = world.due_request()
    path = world.link(Action.REACHED_OUT)
    outcomes: list[Outcome | None] = []
    statuses: list[int] = []
    digest, click = _digest(world, request, outcomes), _click(world, path, statuses, op="do", channel="email")

    interleaved(world, k, *((click, digest) if click_first else (digest, click)))

    assert statuses == [200]
    redeliver(world, request, outcomes[0], "worker")
    assert assert_digest_settled(world, request) is RunStatus.SENT
    assert world.touches("link") == 1


@pytest.mark.parametrize(
    ("k", "pause_first"), orders(DIGEST_CALLS, PAUSE_CALLS, ("pause-at-digest-call", "digest-at-pause-call"))
)
def test_a_pause_racing_the_digest_is_kept_and_nothing_is_sent_twice(world: World, k: int, pause_first: bool) -> None:
    request = world.due_request()
    path = world.link(Action.PAUSE, None)
    outcomes: list[Outcome | None] = []
    statuses: list[int] = []
    digest, pause = _digest(world, request, outcomes), _click(world, path, statuses, op="do")

    interleaved(world, k, *((pause, digest) if pause_first else (digest, pause)))

    assert statuses == [200]
    redeliver(world, request, outcomes[0], "worker")
    assert world.emails() <= 1  # sent if the worker read the owner before the pause, else skipped
    assert_digest_settled(world, request, emails=world.emails())
    owner = world.owner()
    assert owner.paused_until is not None and owner.paused_until >= world.now.date()  # the pause was not lost
    assert owner.next_send_at is not None and owner.next_send_at.date() > owner.paused_until


# --- two edits of one contact (optimistic locking) -------------------------------------------------------------

CONTACT_COLUMNS = "name,email,company,title"


def _import(world: World, reports: list[int], company: str = "", title: str = "") -> Callable[[], object]:
    """A re-import of THOMAS's row, changing his company or title (the CLI's `import`)."""
    csv = f"{CONTACT_COLUMNS}\n{THOMAS},thomas.becker@example.de,{company},{title}\n"
    today = world.now.date()
    return lambda: reports.append(import_contacts(repo(), OWNER, csv, today).updated)


@pytest.mark.parametrize(
    ("k", "click_first"), orders(IMPORT_CALLS, CLICK_CALLS, ("click-at-import-call", "import-at-click-call"))
)
def test_an_edit_and_a_click_on_one_contact_both_land(world: World, k: int, click_first: bool) -> None:
    statuses: list[int] = []
    updated: list[int] = []
    click = _click(world, world.link(Action.REACHED_OUT), statuses, op="do", channel="email")
    edit = _import(world, updated, company="Siemens Healthineers")

    interleaved(world, k, *((click, edit) if click_first else (edit, click)))

    assert statuses == [200] and updated == [1]
    stored = repo().get_contact(OWNER, world.thomas)
    assert stored is not None and stored.company == "Siemens Healthineers"  # the edit is kept...
    assert world.touches("link") == 1  # ...and so is the click's touch


@pytest.mark.parametrize("k", range(1, IMPORT_CALLS + 1))
def test_two_edits_of_one_contact_both_land(world: World, k: int) -> None:
    updated: list[int] = []
    first, second = _import(world, updated, company="Siemens Energy"), _import(world, updated, title="CTO")

    interleaved(world, k, first, second)

    assert updated == [1, 1]
    stored = repo().get_contact(OWNER, world.thomas)
    assert stored is not None and (stored.company, stored.title) == ("Siemens Energy", "CTO")


def test_the_same_edit_twice_at_once_is_one_change(world: World) -> None:
    updated: list[int] = []
    first, second = _import(world, updated, title="CTO"), _import(world, updated, title="CTO")

    interleaved(world, 2, first, second)

    stored = repo().get_contact(OWNER, world.thomas)
    assert stored is not None and stored.title == "CTO"
    assert sorted(updated) == [0, 1]  # the one that came second found it done
