"""The Lambda handlers, driven with the events in events/ as the schedule and the queue deliver them."""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from circleback import runtime
from circleback.auth.tokens import Action, Purpose
from circleback.domain.model import Contact, Owner
from circleback.local import demo
from circleback.local.emulator import LOCAL_REGION
from tests.paths import ROOT


@pytest.fixture(autouse=True)
def _restore_environment() -> Iterator[None]:
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)
    runtime.reset()


def test_the_demo_runs_the_real_handlers_and_writes_the_digest(tmp_path: Path) -> None:
    monday_morning = datetime(2026, 11, 23, 9, tzinfo=UTC)
    result = demo.run(tmp_path, "you@example.com", "Europe/London", "GB", lambda: monday_morning)
    assert {p.name for p in tmp_path.iterdir()} == {"digest.eml", "digest.html", "digest.txt"}
    message = email.message_from_bytes(result.eml.read_bytes(), policy=email.policy.default)
    assert message.get_content_type() == "multipart/alternative"
    assert message["To"] == "you@example.com"
    html, text = result.html.read_text(encoding="utf-8"), result.txt.read_text(encoding="utf-8")
    assert "Thomas Becker" in html and "Thomas Becker" in text
    links = r"http://127\.0\.0\.1:8000/(?:a|unsubscribe)/[A-Za-z0-9_.-]+"
    assert re.findall(links, text) and set(re.findall(links, html)) == set(re.findall(links, text))
    assert result.subject == str(message["Subject"]) and "to reach out to" in result.subject
    # The bytes SES was given, not a re-serialised copy (which would write List-Unsubscribe as an encoded word).
    raw = result.eml.read_bytes()
    assert re.search(rb"^List-Unsubscribe: <http://127\.0\.0\.1:8000/unsubscribe/[A-Za-z0-9_.-]+>\r$", raw, re.M)
    assert b"=?utf-8?" not in raw.partition(b"\r\nList-Unsubscribe:")[2].partition(b"\r\n")[0]


@pytest.fixture
def wired() -> Iterator[str]:
    """The emulator provisioned and the functions' environment set, as the template would."""
    with mock_aws():
        queue_url = demo.provision(boto3.session.Session(region_name=LOCAL_REGION))
        demo.configure(queue_url, "you@example.com", "America/New_York", "US", "http://127.0.0.1:8000")
        yield queue_url


def test_dispatch_handler_takes_the_schedules_event(wired: str) -> None:
    handler = demo.load_handler("dispatch")
    tick = demo.event("dispatch_tick")
    assert tick == {"scheduled_time": "2026-11-23T12:00:00Z"}
    # First run: the owner is created, scheduled for 07:00 New York after the tick; nothing is due yet.
    assert handler.lambda_handler(tick, demo.LambdaContextStub("DispatchFunction")) == {"queued": 0}
    owner = runtime.repository().get_owner("owner")
    assert owner is not None and owner.next_send_at == datetime(2026, 11, 24, 12, tzinfo=UTC)
    later = {"scheduled_time": "2026-11-24T12:00:00Z"}
    assert handler.lambda_handler(later, demo.LambdaContextStub("DispatchFunction")) == {"queued": 1}


def test_dispatch_handler_refuses_an_event_without_a_time(wired: str) -> None:
    handler = demo.load_handler("dispatch")
    with pytest.raises(ValueError, match="scheduled_time"):
        handler.lambda_handler({"scheduled_time": "<aws.scheduler.scheduled-time>"}, demo.LambdaContextStub("D"))


def test_digest_handler_reports_only_the_bad_record_as_failed(wired: str) -> None:
    handler = demo.load_handler("digest")
    good = demo.event("digest_sqs")["Records"][0]  # an owner that does not exist: dropped quietly
    bad = {**good, "messageId": "bad-1", "body": "{not json"}
    response = handler.lambda_handler({"Records": [good, bad]}, demo.LambdaContextStub("DigestFunction"))
    assert response == {"batchItemFailures": [{"itemIdentifier": "bad-1"}]}


def test_sample_events_are_valid_json_in_the_delivered_shape() -> None:
    root = Path(__file__).resolve().parents[2] / "events"
    sqs = json.loads((root / "digest_sqs.json").read_text(encoding="utf-8"))
    record = sqs["Records"][0]
    assert record["eventSource"] == "aws:sqs" and json.loads(record["body"])["owner_id"] == "owner"


def _actions(event: dict[str, Any]) -> dict[str, Any]:
    response: dict[str, Any] = demo.load_handler("actions").lambda_handler(
        event, demo.LambdaContextStub("ActionsFunction")
    )
    return response


def _with_token(name: str, token: str) -> dict[str, Any]:
    event = demo.event(name)
    template = event["pathParameters"]["token"]
    event["rawPath"] = event["rawPath"].replace(template, token)
    event["requestContext"]["http"]["path"] = event["rawPath"]
    event["pathParameters"]["token"] = token
    return event


def test_actions_handler_refuses_the_sample_token_with_a_page(wired: str) -> None:
    # The sample events carry a token no key of this stack signed: a clear page and a 400, never a 5xx.
    for name in ("actions_get", "actions_post", "unsubscribe_post"):
        response = _actions(demo.event(name))
        assert response["statusCode"] == 400, name
        assert response["headers"]["Content-Type"].startswith("text/html")
        assert response["headers"]["Cache-Control"] == "no-store"
        assert "This link can’t be used" in response["body"]


def test_actions_handler_takes_the_sample_events_with_a_real_token(wired: str) -> None:
    repo = runtime.repository()
    repo.put_owner(Owner(id="owner", email="you@example.com", timezone="America/New_York", country="US"))
    ana = repo.add_contact("owner", Contact(id="c0001", name="Ana Souza", created_on=date(2026, 1, 1)))
    now = datetime.now(UTC)
    day = now.date().isoformat()
    token = runtime.signer().sign("owner", ana.id, Action.REACHED_OUT, day, Purpose.ACTION, now)
    page = _actions(_with_token("actions_get", token))
    assert page["statusCode"] == 200 and "You reached out to Ana" in page["body"]
    done = _actions(_with_token("actions_post", token))
    assert done["statusCode"] == 200 and "You reached out to Ana by phone" in done["body"]
    (touch,) = repo.contact_with_touches("owner", ana.id)[1]
    assert (touch.channel.value, touch.note, touch.source) == ("call", "Caught up about the new team", "link")
    pause = runtime.signer().sign("owner", None, Action.PAUSE, day, Purpose.UNSUBSCRIBE, now)
    paused = _actions(_with_token("unsubscribe_post", pause))
    assert paused["statusCode"] == 200 and "Your digests resume on" in paused["body"]


def test_touches_sample_event_without_a_known_token_is_unauthorised(wired: str) -> None:
    response = _actions(demo.event("touches_post"))
    assert response["statusCode"] == 401
    assert response["headers"]["WWW-Authenticate"] == 'Bearer realm="circleback"'
    assert json.loads(response["body"]) == {
        "message": "a valid personal access token is required (Authorization: Bearer cbk_...)"
    }


@pytest.mark.parametrize("name", ["dispatch", "digest", "actions", "calendar"])
def test_no_handler_loads_the_holiday_or_calendar_libraries_at_a_cold_start(name: str) -> None:
    """Imported on first use: the digest pays for holidays only when it plans, the feed for both only when read."""
    folder = ROOT / "functions" / name
    code = f"import sys; sys.path.insert(0, {str(folder)!r}); import {name}_handler; "
    code += "print(sorted({'holidays', 'icalendar'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)  # noqa: S603 - our own interpreter
    assert result.stdout.strip() == "[]"


def test_the_link_pages_start_without_pydantic() -> None:
    """The actions function validates bodies with pydantic, imported by the routes that read one: a cold start
    that only shows a link page (the handler, its settings and its clients) never imports it."""
    folder = ROOT / "functions" / "actions"
    code = (
        f"import sys; sys.path.insert(0, {str(folder)!r}); import actions_handler\n"
        "from circleback import runtime\n"
        "runtime.interactive_repository().client, runtime.signer()\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] in ('pydantic', 'pydantic_core')))"
    )
    env = {**os.environ, "TABLE_NAME": "circleback", "AWS_DEFAULT_REGION": "us-east-1", "SIGNING_SECRET_ID": "s"}
    command = [sys.executable, "-c", code]
    result = subprocess.run(command, capture_output=True, text=True, check=True, timeout=60, env=env)  # noqa: S603 - our own interpreter
    assert result.stdout.strip() == "[]"
