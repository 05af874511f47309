"""One emulated deployment for the fault and concurrency tests, restored before each test.

moto serves the table, the queue, SES and the signing secret, as the demo provisions them; the real handlers
run against it with the template's environment. The boto3 default session carries the injector, so every
client the code creates (lazily, as in Lambda) is seen by it. The handlers read the time through
`runtime.now()`, set here to `Clock.instant`, so a test can let the queue's visibility timeout pass.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import ModuleType
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.ses.models import ses_backends
from werkzeug.test import Client, TestResponse

from circleback import runtime
from circleback.auth import access_tokens
from circleback.auth.tokens import Action, Purpose
from circleback.domain.mail_notices import new_person_key
from circleback.domain.model import Owner
from circleback.domain.sorting import company_key
from circleback.domain.teams import team_id
from circleback.local import demo
from circleback.local.emulator import LOCAL_REGION
from circleback.payloads import DigestRequest
from circleback.services.calendar_feed import calendar_link
from circleback.services.digest import DigestResult, send_digest
from tests.clock import START  # the functions' clock at set-up: the clock only moves when a test moves it
from tests.faults.aws import Injector, Key
from tests.integration.actions_support import repo, snapshot

Item = dict[str, Any]

OWNER = demo.OWNER_ID
OWNER_EMAIL = "you@example.com"
ZONE = "Europe/London"
THOMAS = "Thomas Becker"  # due in the sample digest, with an email address
UNSORTED = "Priyanka Rao"  # from the sample LinkedIn export: unsorted, in the digest's Sort section
VISIBILITY_TIMEOUT = timedelta(seconds=360)  # template.yaml's DigestQueue: a failed message comes back after it


class Clock:
    """The deployment's time: `runtime.now()` reads `Clock.instant`, which a test moves."""

    instant: datetime = START


@dataclass
class World:
    injector: Injector
    handlers: dict[str, ModuleType]
    http: Client
    queue_url: str
    api_token: str  # a personal access token for POST /touches
    baseline: dict[Key, Item]  # the whole table as set up
    start: datetime
    thomas: str  # the contact id of THOMAS

    # --- the table: every write goes through the injector, so the items it names are all that can differ ------

    def state(self) -> dict[Key, Item | None]:
        """Every item written since the set-up, as it is now (all others are as in `baseline`)."""
        with self.injector.unobserved():
            return {key: self._get(key) for key in self.injector.written}

    def assert_unchanged_since(self, before: dict[Key, Item | None]) -> None:
        now = self.state()
        assert now == {key: before.get(key, self.baseline.get(key)) for key in now}

    def restore(self) -> None:
        self.injector.reset()  # a fault planned by the last test is not for the restore
        client = repo().client
        for pk, sk in self.injector.written:
            key = {"PK": {"S": pk}, "SK": {"S": sk}}
            if (pk, sk) in self.baseline:
                client.put_item(TableName=repo().table_name, Item=self.baseline[(pk, sk)])
            else:
                client.delete_item(TableName=repo().table_name, Key=key)
        self.injector.written.clear()

    def _get(self, key: Key) -> Item | None:
        request = {"PK": {"S": key[0]}, "SK": {"S": key[1]}}
        found: Item | None = repo().client.get_item(TableName=repo().table_name, Key=request).get("Item")
        return found

    def begin(self) -> None:
        """From here on, count calls afresh, with fresh adapters (no cached keys): what the functions do."""
        runtime.reset()
        self.injector.reset()

    # --- the clock ---------------------------------------------------------------------------------------

    @property
    def now(self) -> datetime:
        return Clock.instant

    def later(self, delta: timedelta) -> None:
        Clock.instant = Clock.instant + delta

    # --- what was sent and queued --------------------------------------------------------------------------

    def emails(self) -> int:
        return len(ses_backends[demo.MOTO_ACCOUNT][LOCAL_REGION].sent_messages)

    def queued(self) -> list[DigestRequest]:
        sqs = boto3.client("sqs", region_name=LOCAL_REGION)
        messages: list[Any] = []
        while batch := sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get("Messages"):
            messages.extend(batch)
            for m in batch:
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=m["ReceiptHandle"])
        return [DigestRequest.model_validate_json(m["Body"]) for m in messages]

    # --- the owner and the links -----------------------------------------------------------------------------

    def owner(self) -> Owner:
        found = repo().get_owner(OWNER)
        assert found is not None
        return found

    def contact_id(self, name: str = THOMAS) -> str:
        if name == THOMAS:
            return self.thomas
        (found,) = [c.id for c in repo().list_contacts(OWNER) if c.name == name]
        return found

    def touches(self, source: str) -> int:
        """How many touches of THOMAS came from `source` (link, api, import)."""
        return len([t for t in repo().contact_with_touches(OWNER, self.thomas)[1] if t.source == source])

    def due_request(self) -> DigestRequest:
        send_at = self.owner().next_send_at
        assert send_at is not None and send_at <= self.now
        return DigestRequest(owner_id=OWNER, send_at=send_at)

    def link(self, action: Action, contact: str | None = THOMAS) -> str:
        """The path of a digest link, signed as the digest signs it (before any fault is planned)."""
        purpose = Purpose.UNSUBSCRIBE if action is Action.PAUSE else Purpose.ACTION
        prefix = "/unsubscribe" if action is Action.PAUSE else ""
        contact_id = self.contact_id(contact) if contact else None
        token = runtime.signer().sign(OWNER, contact_id, action, self.now.date().isoformat(), purpose, self.now)
        return f"{prefix}/{token}"

    def add_link(self) -> str:
        """The path of the digest's "Add" beside the sample person the owner wrote to (demo.SAMPLE_NEW_PERSON)."""
        key = new_person_key(demo.SAMPLE_NEW_PERSON[1])
        token = runtime.signer().sign(OWNER, key, Action.ADD, self.now.date().isoformat(), Purpose.ADD, self.now)
        return f"/add/{token}"

    def team_link(self, action: Action) -> str:
        """The path of the sample old team's lunch link (Northwind Analytics, in the owner's London)."""
        team = team_id(company_key("Northwind Analytics"))
        token = runtime.signer().sign(OWNER, team, action, self.now.date().isoformat(), Purpose.ACTION, self.now)
        return f"/{token}"

    def calendar_path(self) -> str:
        return calendar_link(runtime.signer(), "", OWNER, self.now, None)

    # --- running the functions ------------------------------------------------------------------------------

    def digest(self, *requests: DigestRequest) -> dict[str, Any]:
        """The digest function on a batch, as the queue delivers it (message ids m0, m1, ...)."""
        event = demo.sqs_event([r.model_dump_json() for r in requests], [f"r{i}" for i in range(len(requests))])
        for i, record in enumerate(event["Records"]):
            record["messageId"] = f"m{i}"
        response: dict[str, Any] = self.handlers["digest"].lambda_handler(event, demo.LambdaContextStub("Digest"))
        return response

    def send_digest(self, request: DigestRequest, claimant: str, at: datetime | None = None) -> DigestResult:
        """One digest worker, below the handler (so two can interleave in one process), its clock read at `at`."""
        env = runtime.environment()
        return send_digest(
            runtime.repository(),
            runtime.mailer(),
            runtime.links_for,
            env.digest_settings(),
            request,
            at or self.now,
            claimant,
        )

    def receive_mail(self, event: dict[str, Any]) -> dict[str, Any]:
        """The inbound function on SES's event, as Lambda invokes it (asynchronously: a raise is retried)."""
        response: dict[str, Any] = self.handlers["inbound"].lambda_handler(event, demo.LambdaContextStub("Inbound"))
        return response

    def post(self, path: str, **form: str) -> TestResponse:
        return self.http.post(path, data=form)

    def post_touch(self, body: str, key: str) -> TestResponse:
        headers = {"Authorization": f"Bearer {self.api_token}", "Idempotency-Key": key}
        return self.http.post("/touches", data=body, content_type="application/json", headers=headers)


@pytest.fixture(scope="package")
def deployment() -> Iterator[World]:
    saved = dict(os.environ)
    injector = Injector()
    start = START
    Clock.instant = start
    try:
        with runtime.clock_set_to(lambda: Clock.instant), mock_aws():
            boto3.setup_default_session(region_name=LOCAL_REGION)
            assert boto3.DEFAULT_SESSION is not None
            boto3.DEFAULT_SESSION.events.register("before-call", injector)  # type: ignore[arg-type]
            queue_url = demo.provision(boto3.session.Session(region_name=LOCAL_REGION))
            demo.configure(queue_url, OWNER_EMAIL, ZONE, "GB", "http://127.0.0.1:8000")
            handlers = {
                name: demo.load_handler(name) for name in ("dispatch", "digest", "actions", "calendar", "inbound")
            }
            # The first tick, a day ago, creates the owner; the samples make a digest due now.
            handlers["dispatch"].lambda_handler(demo.tick_event(start - timedelta(days=1)), demo.LambdaContextStub("D"))
            demo.import_samples()
            token, record = access_tokens.issue("laptop", start)
            assert repo().add_access_token(OWNER, record)
            http = Client(demo.api_gateway(actions=handlers["actions"], calendar=handlers["calendar"]))
            baseline = {(item["PK"]["S"], item["SK"]["S"]): item for item in snapshot()}
            (thomas,) = [c.id for c in repo().list_contacts(OWNER) if c.name == THOMAS]
            injector.written.clear()
            yield World(injector, handlers, http, queue_url, token, baseline, start, thomas)
    finally:
        boto3.DEFAULT_SESSION = None
        os.environ.clear()
        os.environ.update(saved)
        runtime.reset()


@pytest.fixture
def world(deployment: World) -> World:
    """The deployment as it was set up: table restored, queue and outbox empty, fresh adapters, clock back."""
    Clock.instant = deployment.start
    deployment.restore()
    deployment.queued()
    ses_backends[demo.MOTO_ACCOUNT][LOCAL_REGION].sent_messages.clear()
    runtime.reset()
    for module in deployment.handlers.values():
        if hasattr(module, "_Container"):
            module._Container.owner_ensured = False  # a cold container: the first tick checks the owner
    deployment.begin()
    return deployment
