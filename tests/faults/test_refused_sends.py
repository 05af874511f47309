"""A send SES surely refused leaves the digest sendable, whatever fails after it; one it may have taken never does.

Two faults in one run (issue "Reliability, round two", point 3): SES refuses the send, then the write that
hands the run back fails too. The refusal is recorded by that hand-back, which the worker tries again
(services/digest.py), so the queue's redelivery sends the digest once. Only when DynamoDB refuses every try does
the run stay "sending" and become "uncertain" (DigestsUncertain, its alarm). A send whose answer is lost (a 5xx,
a read timeout) is recorded "uncertain" at once and never sent again (point 4).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from circleback.domain.model import RunStatus
from circleback.domain.schedule import local_send_date
from circleback.services.digest import HAND_BACK_ATTEMPTS
from tests.faults.aws import ACCESS_DENIED, SERVER_ERROR, THROTTLED, TRANSIENT, Plan, Site
from tests.faults.conftest import OWNER, VISIBILITY_TIMEOUT, World
from tests.integration.actions_support import repo

SEND = Site("sesv2", "SendEmail", "digest")
HAND_BACK = Site("dynamodb", "UpdateItem", "digest run from sending")


def _run_status(world: World, send_at: datetime) -> RunStatus:
    owner = world.owner()
    run = repo().get_run(OWNER, local_send_date(owner.timezone, send_at, owner.send_hour))
    assert run is not None
    return run.status


def _failed(response: dict[str, Any]) -> set[str]:
    return {f["itemIdentifier"] for f in response["batchItemFailures"]}


def counted_metrics(world: World, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the metrics the digest handler adds from here on (it still adds them)."""
    counted: list[str] = []
    metrics = world.handlers["digest"].metrics
    real_add = metrics.add_metric

    def add_metric(**metric: Any) -> None:
        counted.append(metric["name"])
        real_add(**metric)

    monkeypatch.setattr(metrics, "add_metric", add_metric)
    return counted


NOBODY = "nobody"  # a second message in the batch (an owner no longer there), so one failure is not the whole batch


@pytest.mark.parametrize("fault", TRANSIENT)
def test_a_refused_send_whose_hand_back_fails_is_sent_once_on_redelivery(world: World, fault: str) -> None:
    request = world.due_request()
    world.begin()
    world.injector.plan = Plan(SEND, ACCESS_DENIED)  # SES answered no: surely not sent
    world.injector.also = [Plan(HAND_BACK, fault)]  # and the write after it fails
    assert _failed(world.digest(request, request.model_copy(update={"owner_id": NOBODY}))) == {"m0"}
    assert world.injector.fired == 2 and world.emails() == 0
    assert _run_status(world, request.send_at) is RunStatus.CLAIMED  # handed back: sendable

    world.later(VISIBILITY_TIMEOUT)  # the queue delivers the request again
    assert world.digest(request) == {"batchItemFailures": []}
    assert world.emails() == 1
    assert _run_status(world, request.send_at) is RunStatus.SENT
    world.later(VISIBILITY_TIMEOUT)  # a duplicate from the dispatcher: still one email
    assert world.digest(request) == {"batchItemFailures": []}
    assert world.emails() == 1


def test_a_refusal_dynamodb_never_lets_us_record_ends_uncertain_and_counted(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one case left: every try to record the refusal fails. Never sent twice; the alarm's metric says so."""
    counted = counted_metrics(world, monkeypatch)
    request = world.due_request()
    world.begin()
    world.injector.plan = Plan(SEND, ACCESS_DENIED)
    world.injector.also = [Plan(HAND_BACK, SERVER_ERROR, nth) for nth in range(1, HAND_BACK_ATTEMPTS + 1)]
    assert _failed(world.digest(request, request.model_copy(update={"owner_id": NOBODY}))) == {"m0"}
    world.later(VISIBILITY_TIMEOUT)
    assert world.digest(request) == {"batchItemFailures": []}
    assert world.emails() == 0
    assert _run_status(world, request.send_at) is RunStatus.UNCERTAIN
    assert "DigestsUncertain" in counted


@pytest.mark.parametrize("fault", [SERVER_ERROR])
def test_a_send_ses_may_have_taken_is_recorded_uncertain_at_once_and_never_resent(
    world: World, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    counted = counted_metrics(world, monkeypatch)
    request = world.due_request()
    world.begin()
    world.injector.plan = Plan(SEND, fault)  # a 5xx: SES may have accepted the message before failing
    assert world.digest(request) == {"batchItemFailures": []}  # settled: nothing for the queue to retry
    assert world.injector.calls.count(SEND) == 1  # not tried again by the mailer
    assert _run_status(world, request.send_at) is RunStatus.UNCERTAIN
    assert counted == ["DigestsUncertain"]
    next_send = world.owner().next_send_at
    assert next_send is not None and next_send > request.send_at  # the schedule moved on
    world.later(VISIBILITY_TIMEOUT)
    assert world.digest(request) == {"batchItemFailures": []}
    assert world.emails() == 0


def test_a_throttled_send_still_goes_out_once(world: World) -> None:
    request = world.due_request()
    world.begin()
    world.injector.plan = Plan(SEND, THROTTLED)
    assert world.digest(request) == {"batchItemFailures": []}
    assert world.emails() == 1 and world.injector.calls.count(SEND) == 2
