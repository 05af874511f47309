"""The morning job end to end on moto: dispatch -> queue -> digest worker -> SES, exactly once."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from moto.ses.models import ses_backends

from circleback.adapters.call_budgets import SEND_EMAIL
from circleback.adapters.ses import NotSent, QuotaExceeded, SendThrottled, SesMailer
from circleback.adapters.sqs import DigestQueue
from circleback.adapters.store.items import RUN_RETENTION_DAYS, run_to_item
from circleback.adapters.store.repository import Repository
from circleback.auth.tokens import Purpose, StaticKeyRing, TokenSigner
from circleback.domain.model import DigestRun, Owner, RunStatus
from circleback.domain.schedule import local_send_date, next_send_at
from circleback.local.emulator import LOCAL_REGION
from circleback.mail.links import DigestLinks
from circleback.mail.render import LinkFactory
from circleback.payloads import DigestRequest
from circleback.services.digest import STALE_AFTER, DigestSettings, Outcome, RetryLater, send_digest
from circleback.services.dispatch import dispatch
from circleback.services.importing import import_contacts, import_touches

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
SENDER = "digest@circleback.example"
MOTO_ACCOUNT = "123456789012"  # moto's default account id
KEYS = StaticKeyRing(b"k" * 32)
OWNER = Owner(id="owner", email="sam@example.com", timezone="America/New_York", country="US", send_hour=7)
SETTINGS = DigestSettings(sender=SENDER, message_id_domain="circleback.example")


@dataclass
class Stack:
    repo: Repository
    queue: DigestQueue
    mailer: SesMailer

    def links_for(self, owner: Owner, day: date, now: datetime) -> LinkFactory:
        return DigestLinks(TokenSigner(KEYS), "https://api.example.test", owner.id, day, now)

    def sent(self) -> list[EmailMessage]:
        backend = ses_backends[MOTO_ACCOUNT][LOCAL_REGION]
        return [email.message_from_string(m.raw_data, policy=email.policy.default) for m in backend.sent_messages]

    def queued(self) -> list[DigestRequest]:
        client = self.queue.client
        messages: list[Any] = []
        while batch := client.receive_message(QueueUrl=self.queue.queue_url, MaxNumberOfMessages=10).get("Messages"):
            messages.extend(batch)
            for m in batch:
                client.delete_message(QueueUrl=self.queue.queue_url, ReceiptHandle=m["ReceiptHandle"])
        return [DigestRequest.model_validate_json(m["Body"]) for m in messages]

    def send(self, request: DigestRequest, now: datetime, claimant: str = "worker-1", mailer: Any = None) -> Any:
        return send_digest(self.repo, mailer or self.mailer, self.links_for, SETTINGS, request, now, claimant)


NOW = datetime(2026, 11, 23, 12, 5, tzinfo=UTC)  # Monday 07:05 in New York


@pytest.fixture
def stack(repo: Repository) -> Iterator[Stack]:
    sqs = boto3.client("sqs", region_name=LOCAL_REGION)
    url = sqs.create_queue(QueueName="digests")["QueueUrl"]
    ses = boto3.client("ses", region_name=LOCAL_REGION)
    ses.verify_domain_identity(Domain="circleback.example")
    yield Stack(repo, DigestQueue(url, sqs), SesMailer(None, boto3.client("sesv2", region_name=LOCAL_REGION)))


def seed(stack: Stack, owner: Owner = OWNER, today: date = date(2026, 11, 20)) -> None:
    stack.repo.put_owner(replace(owner, next_send_at=next_send_at(owner, datetime(2026, 11, 23, tzinfo=UTC))))
    import_contacts(stack.repo, owner.id, (SAMPLES / "contacts.csv").read_text(encoding="utf-8"), today)
    import_touches(stack.repo, owner.id, (SAMPLES / "touches.csv").read_text(encoding="utf-8"), today)


def run_claimed_by(claimant: str, lease_until: datetime) -> DigestRun:
    send_at = datetime(2026, 11, 23, 12, tzinfo=UTC)
    return DigestRun("owner", date(2026, 11, 23), send_at, RunStatus.CLAIMED, claimant, lease_until)


def test_dispatch_queues_only_owners_whose_time_has_come(stack: Stack) -> None:
    seed(stack)
    early = dispatch(stack.repo, stack.queue, datetime(2026, 11, 23, 11, 59, tzinfo=UTC), None)
    assert early.queued == 0  # 06:59 in New York
    result = dispatch(stack.repo, stack.queue, datetime(2026, 11, 23, 12, 0, tzinfo=UTC), None)
    assert result.queued == 1
    assert stack.queued() == [DigestRequest(owner_id="owner", send_at=datetime(2026, 11, 23, 12, tzinfo=UTC))]


def test_dispatch_catches_up_a_missed_tick(stack: Stack) -> None:
    seed(stack)
    assert dispatch(stack.repo, stack.queue, datetime(2026, 11, 23, 14, 30, tzinfo=UTC), None).queued == 1


def test_first_run_creates_the_default_owner_once(stack: Stack) -> None:
    tick = datetime(2026, 11, 22, 3, tzinfo=UTC)
    first = dispatch(stack.repo, stack.queue, tick, OWNER)
    again = dispatch(stack.repo, stack.queue, tick, replace(OWNER, send_hour=9))
    assert first.created_default_owner and not again.created_default_owner
    stored = stack.repo.get_owner("owner")
    assert stored is not None and stored.send_hour == 7  # never overwritten by a later run
    assert stored.next_send_at == datetime(2026, 11, 22, 12, tzinfo=UTC)


def test_the_digest_is_sent_recorded_and_the_schedule_moves(stack: Stack) -> None:
    seed(stack)
    dispatch(stack.repo, stack.queue, NOW, None)
    (request,) = stack.queued()
    result = stack.send(request, NOW)
    assert result.outcome is Outcome.SENT and result.items > 0
    (message,) = stack.sent()
    assert message["To"] == "sam@example.com" and message["From"] == SENDER
    assert message.get_content_type() == "multipart/alternative"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    run = stack.repo.get_run("owner", date(2026, 11, 23))
    assert run is not None and run.status is RunStatus.SENT and run.message_id == result.message_id
    owner = stack.repo.get_owner("owner")
    assert owner is not None and owner.next_send_at == datetime(2026, 11, 24, 12, tzinfo=UTC)  # after now
    assert dispatch(stack.repo, stack.queue, NOW, None).queued == 0


def test_every_link_in_the_email_verifies_for_its_purpose(stack: Stack) -> None:
    seed(stack)
    stack.send(DigestRequest(owner_id="owner", send_at=datetime(2026, 11, 23, 12, tzinfo=UTC)), NOW)
    (message,) = stack.sent()
    html = message.get_body(("html",))
    assert html is not None
    text = html.get_content()
    signer = TokenSigner(KEYS)
    actions = {
        u[1:].split('"', 1)[0] for u in text.split("https://api.example.test")[1:] if "/unsubscribe/" not in u[:13]
    }
    assert actions
    for token in actions:
        claim = signer.verify(token, Purpose.ACTION, NOW, owner_id="owner")
        assert claim.digest == "2026-11-23"
    unsubscribe = str(message["List-Unsubscribe"]).strip("<>").rsplit("/", 1)[1]
    assert signer.verify(unsubscribe, Purpose.UNSUBSCRIBE, NOW, owner_id="owner").owner_id == "owner"


def test_a_duplicate_request_sends_nothing_more(stack: Stack) -> None:
    seed(stack)
    request = DigestRequest(owner_id="owner", send_at=datetime(2026, 11, 23, 12, tzinfo=UTC))
    assert stack.send(request, NOW).outcome is Outcome.SENT
    assert stack.send(request, NOW + timedelta(minutes=1), claimant="worker-2").outcome is Outcome.ALREADY_DONE
    assert len(stack.sent()) == 1


def test_a_request_redelivered_after_two_weeks_is_stale_and_never_sent(stack: Stack) -> None:
    """Runs expire five weeks after their send time; a request that late must not depend on its run."""
    seed(stack)
    send_at = datetime(2026, 11, 23, 12, tzinfo=UTC)
    request = DigestRequest(owner_id="owner", send_at=send_at)
    late = send_at + STALE_AFTER + timedelta(minutes=1)
    assert stack.send(request, late).outcome is Outcome.STALE
    assert stack.sent() == [] and stack.repo.get_run("owner", date(2026, 11, 23)) is None
    owner = stack.repo.get_owner("owner")
    assert owner is not None and owner.next_send_at is not None and owner.next_send_at > late
    assert stack.send(request, send_at + STALE_AFTER).outcome is Outcome.SENT  # up to the limit, it goes out


def test_digest_runs_outlive_every_request_that_could_still_be_sent() -> None:
    run = DigestRun("owner", date(2026, 11, 23), NOW, RunStatus.SENT, "worker", NOW)
    expires = datetime.fromtimestamp(run_to_item(run)["expires_at"], UTC)
    assert expires - NOW == timedelta(days=RUN_RETENTION_DAYS) >= STALE_AFTER + timedelta(days=14)


def test_a_second_worker_backs_off_while_the_first_holds_the_lease(stack: Stack) -> None:
    seed(stack)
    request = DigestRequest(owner_id="owner", send_at=datetime(2026, 11, 23, 12, tzinfo=UTC))
    held = DigestRun(
        "owner", date(2026, 11, 23), request.send_at, RunStatus.CLAIMED, "worker-1", NOW + timedelta(minutes=2)
    )
    assert stack.repo.claim_run(held, NOW) == held
    with pytest.raises(RetryLater):
        stack.send(request, NOW, claimant="worker-2")
    assert stack.sent() == []


def test_a_worker_that_died_before_sending_is_replaced(stack: Stack) -> None:
    seed(stack)
    request = DigestRequest(owner_id="owner", send_at=datetime(2026, 11, 23, 12, tzinfo=UTC))
    stale = DigestRun(
        "owner", date(2026, 11, 23), request.send_at, RunStatus.CLAIMED, "dead", NOW - timedelta(minutes=1)
    )
    stack.repo.claim_run(stale, NOW - timedelta(minutes=3))
    assert stack.send(request, NOW, claimant="worker-2").outcome is Outcome.SENT
    assert len(stack.sent()) == 1


def test_a_worker_that_died_while_sending_is_never_sent_twice(stack: Stack) -> None:
    seed(stack)
    request = DigestRequest(owner_id="owner", send_at=datetime(2026, 11, 23, 12, tzinfo=UTC))
    claimed = DigestRun(
        "owner", date(2026, 11, 23), request.send_at, RunStatus.CLAIMED, "dead", NOW - timedelta(minutes=1)
    )
    stack.repo.claim_run(claimed, NOW - timedelta(minutes=3))
    assert stack.repo.update_run(replace(claimed, status=RunStatus.SENDING), expected=RunStatus.CLAIMED)
    assert stack.send(request, NOW, claimant="worker-2").outcome is Outcome.UNCERTAIN
    assert stack.sent() == []
    run = stack.repo.get_run("owner", date(2026, 11, 23))
    assert run is not None and run.status is RunStatus.UNCERTAIN
    owner = stack.repo.get_owner("owner")
    assert owner is not None and owner.next_send_at is not None and owner.next_send_at > NOW


class FlakyMailer:
    """Refuses the first `failures` sends with `error`, then delegates to the real (moto) mailer."""

    def __init__(self, real: SesMailer, error: NotSent, failures: int = 1) -> None:
        self.real, self.error, self.failures = real, error, failures

    def send_raw(self, raw: bytes) -> str:
        if self.failures:
            self.failures -= 1
            raise self.error
        return self.real.send_raw(raw)


@pytest.mark.parametrize("error", [SendThrottled("throttled"), QuotaExceeded("quota")])
def test_a_refused_send_is_handed_back_and_a_later_retry_sends_once(stack: Stack, error: NotSent) -> None:
    seed(stack)
    request = DigestRequest(owner_id="owner", send_at=datetime(2026, 11, 23, 12, tzinfo=UTC))
    mailer = FlakyMailer(stack.mailer, error)
    with pytest.raises(type(error)):
        stack.send(request, NOW, mailer=mailer)
    run = stack.repo.get_run("owner", date(2026, 11, 23))
    assert run is not None and run.status is RunStatus.CLAIMED and run.lease_until <= NOW
    assert stack.send(request, NOW + timedelta(seconds=30), claimant="worker-2", mailer=mailer).outcome is Outcome.SENT
    assert len(stack.sent()) == 1


def test_nothing_to_say_sends_nothing_and_records_a_skip(stack: Stack) -> None:
    stack.repo.put_owner(replace(OWNER, next_send_at=datetime(2026, 11, 23, 12, tzinfo=UTC)))
    request = DigestRequest(owner_id="owner", send_at=datetime(2026, 11, 23, 12, tzinfo=UTC))
    assert stack.send(request, NOW).outcome is Outcome.SKIPPED
    assert stack.sent() == []
    run = stack.repo.get_run("owner", date(2026, 11, 23))
    assert run is not None and run.status is RunStatus.SKIPPED
    owner = stack.repo.get_owner("owner")
    assert owner is not None and owner.next_send_at == datetime(2026, 11, 24, 12, tzinfo=UTC)


def test_a_deleted_owner_is_dropped_quietly(stack: Stack) -> None:
    request = DigestRequest(owner_id="gone", send_at=datetime(2026, 11, 23, 12, tzinfo=UTC))
    assert stack.send(request, NOW).outcome is Outcome.NO_OWNER


@pytest.mark.parametrize(
    ("zone", "hour", "tick_utc", "local_day"),
    [
        ("Pacific/Auckland", 7, datetime(2026, 11, 22, 18, tzinfo=UTC), date(2026, 11, 23)),
        ("Asia/Kolkata", 7, datetime(2026, 11, 22, 1, 30, tzinfo=UTC), date(2026, 11, 22)),
        ("Asia/Kathmandu", 7, datetime(2026, 11, 22, 1, 15, tzinfo=UTC), date(2026, 11, 22)),
        ("America/New_York", 2, datetime(2026, 3, 8, 7, 0, tzinfo=UTC), date(2026, 3, 8)),  # 02:00 is in the gap
        ("America/New_York", 1, datetime(2026, 11, 1, 5, 0, tzinfo=UTC), date(2026, 11, 1)),  # 01:00 happens twice
    ],
)
def test_owners_around_the_world_get_their_local_morning(
    stack: Stack, zone: str, hour: int, tick_utc: datetime, local_day: date
) -> None:
    owner = replace(OWNER, timezone=zone, send_hour=hour)
    seed(stack, owner, today=local_day - timedelta(days=2))
    stack.repo.put_owner(replace(owner, next_send_at=next_send_at(owner, tick_utc - timedelta(minutes=1))))
    assert dispatch(stack.repo, stack.queue, tick_utc - timedelta(minutes=15), None).queued == 0
    assert dispatch(stack.repo, stack.queue, tick_utc, None).queued == 1
    (request,) = stack.queued()
    assert request.send_at == tick_utc
    assert local_send_date(zone, request.send_at, hour) == local_day
    assert stack.send(request, tick_utc + timedelta(minutes=1)).outcome is Outcome.SENT
    # The fall-back hour: the second 01:00 does not send again.
    assert dispatch(stack.repo, stack.queue, tick_utc + timedelta(hours=1), None).queued == 0


# --- AWS faults at the call itself (botocore Stubber on SES, a failing hook on DynamoDB) -------------


def stubbed_mailer() -> tuple[SesMailer, Stubber]:
    client = boto3.client("sesv2", region_name=LOCAL_REGION)
    return SesMailer(None, client), Stubber(client)


def test_ses_throttling_is_waited_out_and_sends_once(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("circleback.adapters.ses.time.sleep", lambda seconds: None)
    seed(stack)
    request = DigestRequest(owner_id="owner", send_at=datetime(2026, 11, 23, 12, tzinfo=UTC))
    mailer, stubber = stubbed_mailer()
    stubber.add_client_error("send_email", "TooManyRequestsException", "Maximum sending rate exceeded.", 429)
    stubber.add_response("send_email", {"MessageId": "ses-1"})
    with stubber:
        result = stack.send(request, NOW, mailer=mailer)
        stubber.assert_no_pending_responses()
    assert result.outcome is Outcome.SENT and result.message_id == "ses-1"
    run = stack.repo.get_run("owner", date(2026, 11, 23))
    assert run is not None and run.status is RunStatus.SENT and run.message_id == "ses-1"


def test_ses_throttling_that_lasts_hands_the_digest_back_and_a_redelivery_sends_once(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("circleback.adapters.ses.time.sleep", lambda seconds: None)
    seed(stack)
    request = DigestRequest(owner_id="owner", send_at=datetime(2026, 11, 23, 12, tzinfo=UTC))
    mailer, stubber = stubbed_mailer()
    for _ in range(SEND_EMAIL.attempts):
        stubber.add_client_error("send_email", "TooManyRequestsException", "Maximum sending rate exceeded.", 429)
    stubber.add_response("send_email", {"MessageId": "ses-1"})
    with stubber:
        with pytest.raises(SendThrottled):
            stack.send(request, NOW, mailer=mailer)
        result = stack.send(request, NOW + timedelta(minutes=1), claimant="worker-2", mailer=mailer)
        stubber.assert_no_pending_responses()
    assert result.outcome is Outcome.SENT and result.message_id == "ses-1"
    run = stack.repo.get_run("owner", date(2026, 11, 23))
    assert run is not None and run.status is RunStatus.SENT and run.message_id == "ses-1"


def test_the_daily_quota_stops_the_send_and_is_reported(stack: Stack) -> None:
    seed(stack)
    request = DigestRequest(owner_id="owner", send_at=datetime(2026, 11, 23, 12, tzinfo=UTC))
    mailer, stubber = stubbed_mailer()
    stubber.add_client_error("send_email", "LimitExceededException", "Daily message quota exceeded.", 400)
    with stubber, pytest.raises(QuotaExceeded):
        stack.send(request, NOW, mailer=mailer)
    run = stack.repo.get_run("owner", date(2026, 11, 23))
    assert run is not None and run.status is RunStatus.CLAIMED  # handed back for the queue's next attempt
    owner = stack.repo.get_owner("owner")
    assert owner is not None and owner.next_send_at == request.send_at  # not skipped: it will be retried


def test_a_crash_between_send_and_mark_never_sends_twice(stack: Stack) -> None:
    seed(stack)
    request = DigestRequest(owner_id="owner", send_at=datetime(2026, 11, 23, 12, tzinfo=UTC))

    def fail_marking_sent(params: dict[str, Any], **_: Any) -> None:
        if params.get("ExpressionAttributeValues", {}).get(":expected") == {"S": "sending"}:
            raise ClientError({"Error": {"Code": "InternalServerError", "Message": "boom"}}, "UpdateItem")

    stack.repo.client.meta.events.register("provide-client-params.dynamodb.UpdateItem", fail_marking_sent)
    with pytest.raises(ClientError):
        stack.send(request, NOW)
    stack.repo.client.meta.events.unregister("provide-client-params.dynamodb.UpdateItem", fail_marking_sent)
    assert len(stack.sent()) == 1  # SES took it; the worker died before recording it

    # The queue redelivers after the lease: the retry finds the run mid-send and does not send again.
    retry = stack.send(request, NOW + timedelta(minutes=5), claimant="worker-2")
    assert retry.outcome is Outcome.UNCERTAIN
    assert len(stack.sent()) == 1
