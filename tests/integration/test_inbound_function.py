"""The logging address's door (issue 17): the inbound function on SES's event shape (events/ses_inbound.json), the
message in S3 (moto), the owner's table: trusted mail is logged once and deleted; spoofed or unauthenticated
mail does nothing but count, and is deleted unread."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from circleback import runtime
from circleback.adapters.inbound import InboundStore
from circleback.adapters.store.repository import Repository
from circleback.domain.model import Contact, Direction, Owner
from circleback.local import demo
from circleback.services.inbound import Received, receive
from circleback.ses_events import ses_records
from tests.mail_messages import ANA, digest_reply, forward, message
from tests.paths import ROOT

BUCKET = "circleback-inbound-test"
LOGGING = "log@in.circleback.example"
OWNER_EMAIL = "you@example.com"
NOW = datetime(2026, 12, 1, 18, 41, tzinfo=UTC)
OWNER = Owner(id="owner", email=OWNER_EMAIL, timezone="Europe/Lisbon")


def event(**receipt: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((ROOT / "events" / "ses_inbound.json").read_text(encoding="utf-8"))
    verdicts = loaded["Records"][0]["ses"]["receipt"]
    for name, status in receipt.items():
        verdicts[f"{name}Verdict"] = {"status": status}
    return loaded


def record(raw_event: dict[str, Any]) -> Any:
    return ses_records(raw_event)[0]


@pytest.fixture
def store() -> Iterator[InboundStore]:
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        yield InboundStore(BUCKET, s3)


@pytest.fixture
def owned(repo: Repository) -> Repository:
    repo.put_owner(OWNER)
    repo.add_contact("owner", Contact(id="ana", name="Ana Souza", created_on=date(2026, 1, 1), email=ANA))
    return repo


def stored(store: InboundStore, raw: bytes, ses_id: str = "o3vrnil0e2ic28trm7dfhrc2v0cnbeccl4nbp0g1") -> str:
    key = store.key_of(ses_id)
    store.client.put_object(Bucket=BUCKET, Key=key, Body=raw)
    return key


def objects(store: InboundStore) -> list[str]:
    return [o["Key"] for o in store.client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def bcc(sender: str = f"You <{OWNER_EMAIL}>") -> bytes:
    return message(sender=sender, bcc=LOGGING)


def test_a_bcc_from_the_owner_is_logged_once_and_the_message_deleted(owned: Repository, store: InboundStore) -> None:
    stored(store, bcc())

    first = receive(owned, store, record(event()), OWNER, LOGGING, NOW)

    assert first.outcome is Received.LOGGED and objects(store) == []
    [touch] = owned.contact_with_touches("owner", "ana")[1]
    assert (touch.date, touch.direction, touch.source, touch.note) == (
        date(2026, 12, 1),
        Direction.OUTBOUND,
        "mail",
        None,
    )
    again = receive(owned, store, record(event()), OWNER, LOGGING, NOW)  # Lambda's retry of the same event
    assert again.outcome is Received.GONE and len(owned.contact_with_touches("owner", "ana")[1]) == 1


def test_the_same_message_through_the_mailbox_backfill_too_is_still_one_touch(
    owned: Repository, store: InboundStore
) -> None:
    from circleback.formats.messages import read_message
    from circleback.services.inbound import take_in

    stored(store, bcc())
    receive(owned, store, record(event()), OWNER, LOGGING, NOW)
    take_in(owned, OWNER, [read_message(bcc())], NOW)
    assert len(owned.contact_with_touches("owner", "ana")[1]) == 1


@pytest.mark.parametrize(
    ("verdicts", "sender", "reason"),
    [
        ({}, "Mallory <mallory@evil.example>", "not from you"),  # spoofed: someone else's From
        ({"dmarc": "FAIL", "dkim": "FAIL"}, None, "not authenticated"),  # the owner's From, forged
        ({"dmarc": "GRAY", "dkim": "PASS"}, None, None),  # no DMARC record, but the From domain's own DKIM
        ({"spam": "FAIL"}, None, "spam"),
        ({"virus": "FAIL"}, None, "virus"),
    ],
)
def test_only_the_owner_s_authenticated_mail_is_acted_on(
    owned: Repository, store: InboundStore, verdicts: dict[str, str], sender: str | None, reason: str | None
) -> None:
    raw_event = event(**verdicts)
    if sender is not None:
        raw_event["Records"][0]["ses"]["mail"]["commonHeaders"]["from"] = [sender]
    stored(store, bcc(sender or f"You <{OWNER_EMAIL}>"))

    result = receive(owned, store, record(raw_event), OWNER, LOGGING, NOW)

    assert objects(store) == []  # deleted either way; untrusted mail unread
    touches = owned.contact_with_touches("owner", "ana")[1]
    if reason is None:
        assert result.outcome is Received.LOGGED and len(touches) == 1
    else:
        assert result.outcome is Received.DROPPED and reason in (result.reason or "") and touches == []


def test_a_dkim_signature_of_another_domain_does_not_vouch_for_the_owner(
    owned: Repository, store: InboundStore
) -> None:
    raw_event = event(dmarc="GRAY", dkim="PASS")
    headers = raw_event["Records"][0]["ses"]["mail"]["headers"]
    for header in headers:
        if header["name"] == "DKIM-Signature":
            header["value"] = header["value"].replace("d=example.com", "d=evil.example")
    stored(store, bcc())
    assert receive(owned, store, record(raw_event), OWNER, LOGGING, NOW).outcome is Received.DROPPED


def test_a_stored_message_whose_from_differs_from_the_checked_one_is_dropped(
    owned: Repository, store: InboundStore
) -> None:
    stored(store, bcc("Mallory <mallory@evil.example>"))
    result = receive(owned, store, record(event()), OWNER, LOGGING, NOW)
    assert result.outcome is Received.DROPPED and owned.contact_with_touches("owner", "ana")[1] == []


def test_a_forward_to_the_logging_address_logs_the_original_sender(owned: Repository, store: InboundStore) -> None:
    raw = forward("new_outlook_de").replace(b"sam.rivera@example.com", OWNER_EMAIL.encode())
    stored(store, raw)
    assert receive(owned, store, record(event()), OWNER, LOGGING, NOW).outcome is Received.LOGGED
    [touch] = owned.contact_with_touches("owner", "ana")[1]
    assert (touch.date, touch.direction) == (date(2026, 11, 30), Direction.INBOUND)


def test_the_handler_takes_ses_s_event_and_counts_what_it_drops(
    owned: Repository, store: InboundStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TABLE_NAME", owned.table_name)
    monkeypatch.setenv("INBOUND_BUCKET", BUCKET)
    monkeypatch.setenv("LOGGING_ADDRESS", LOGGING)
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "circleback")
    runtime.reset()
    monkeypatch.setattr(runtime, "repository", lambda: owned)
    monkeypatch.setattr(runtime, "inbound_store", lambda: store)
    handler = demo.load_handler("inbound")
    stored(store, bcc())
    spoofed = copy.deepcopy(event())
    spoofed["Records"][0]["ses"]["mail"]["commonHeaders"]["from"] = ["Mallory <mallory@evil.example>"]

    assert handler.lambda_handler(event(), demo.LambdaContextStub("InboundFunction")) == {"outcomes": ["logged"]}
    stored(store, bcc())
    assert handler.lambda_handler(spoofed, demo.LambdaContextStub("InboundFunction")) == {"outcomes": ["dropped"]}
    monkeypatch.undo()
    runtime.reset()


def test_the_demo_delivers_a_bcc_as_ses_does_and_the_person_leaves_the_next_digest(
    tmp_path: Any,
) -> None:
    from tests import clock
    from tests.integration.actions_support import environment_restored

    with environment_restored(), demo.running(tmp_path, "you@example.com", "Europe/London", "GB", clock.now,
                                              serve=False):  # fmt: skip
        mailed = demo.deliver_sample_mail()
        logged = [t for t in runtime.repository().load_digest_input("owner").touches if t.source == "mail"]  # type: ignore[union-attr]
    assert (mailed.outcome, mailed.due_before, mailed.due_after) == ("logged", True, False)
    assert len(logged) == 1 and logged[0].direction is Direction.OUTBOUND


@pytest.mark.parametrize("broken", [{}, {"Records": "x"}, {"Records": [{"ses": {"mail": {}, "receipt": {}}}]}])
def test_an_event_that_is_not_ses_s_is_refused_naming_the_field(broken: dict[str, Any]) -> None:
    from circleback.ses_events import BadEvent

    with pytest.raises(BadEvent, match="missing or not"):
        ses_records(broken)


def test_a_reply_to_the_digest_through_ses_runs_its_lines(owned: Repository, store: InboundStore) -> None:
    raw = digest_reply("done ana\nsnooze ana 1 month").replace(b"sam.rivera@example.com", OWNER_EMAIL.encode())
    stored(store, raw)

    received = receive(owned, store, record(event()), OWNER, LOGGING, NOW)

    assert received.outcome is Received.LOGGED and objects(store) == []
    assert received.report is not None and len(received.report.replies[0].outcome.done) == 2
    ana_now, touches = owned.contact_with_touches("owner", "ana")
    assert [(t.direction, t.source) for t in touches] == [(Direction.OUTBOUND, "reply")]
    assert ana_now.snoozed_until == date(2026, 12, 31)
