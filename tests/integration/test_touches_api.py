"""POST /touches through the real actions handler: a personal access token, a JSON body, one touch per key.

The demo pipeline runs once for the module (moto) so the owner and the sample contacts exist; a personal
access token is added as the CLI would. Requests go in process through the local HTTP API adapter as HTTP API
2.0 events. Every test starts from the table as it was then.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from types import ModuleType
from typing import Any

import pytest
from werkzeug.test import Client, TestResponse

from circleback import runtime
from circleback.adapters.store.codec import decode_item
from circleback.adapters.store.keys import contact_sk, owner_pk
from circleback.adapters.store.repository import Repository
from circleback.auth import access_tokens
from circleback.domain.model import Contact, Touch
from circleback.domain.schedule import local_send_date
from circleback.local import demo
from circleback.payloads import TouchBody
from circleback.services.preview import preview
from circleback.services.touches import log_api_touch
from tests import clock
from tests.factories import history_of
from tests.integration.actions_support import (
    Snapshot,
    assert_security_headers,
    environment_restored,
    repo,
    restore,
    snapshot,
)

OWNER = demo.OWNER_ID
ZONE = "Europe/London"
THOMAS = "Thomas Becker"
CHALLENGE = 'Bearer realm="circleback"'


# --- the API, with a token --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Api:
    client: Client
    handler: ModuleType  # the loaded actions_handler module (its clock can be moved)
    token: str  # a valid personal access token, as shown to the owner once
    token_id: str
    baseline: Snapshot  # the whole table with the token added

    def post(
        self, body: dict[str, Any] | str, *, key: str | None = None, authorization: str | None = "valid"
    ) -> TestResponse:
        """POST /touches as JSON; `authorization` is the header's value ("valid": the token; None: no header)."""
        headers = {}
        if authorization is not None:
            headers["Authorization"] = f"Bearer {self.token}" if authorization == "valid" else authorization
        if key is not None:
            headers["Idempotency-Key"] = key
        data = body if isinstance(body, str) else json.dumps(body)
        return self.client.post("/touches", data=data, content_type="application/json", headers=headers)


@pytest.fixture(scope="module")
def module_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    now = clock.now().replace(microsecond=0)
    with (
        environment_restored(),
        demo.running(tmp_path_factory.mktemp("digest"), "you@example.com", ZONE, "GB", clock.now, serve=False),
    ):
        handler = demo.load_handler("actions")
        gateway = demo.api_gateway(actions=handler)
        token, record = access_tokens.issue("laptop", now)
        assert repo().add_access_token(OWNER, record)
        yield Api(Client(gateway), handler, token, record.id, snapshot())


@pytest.fixture
def api(module_api: Api) -> Api:
    """The module's API with the table as it was when the token was added, and fresh adapters."""
    runtime.reset()
    restore(module_api.baseline)
    return module_api


# --- the table ------------------------------------------------------------------------------------------


def contact(name: str = THOMAS) -> Contact:
    (found,) = [c for c in repo().list_contacts(OWNER) if c.name == name]
    return found


def contact_item(contact_id: str) -> dict[str, Any]:
    """The contact as stored, with the touch summary the domain object leaves out."""
    key = {"PK": {"S": owner_pk(OWNER)}, "SK": {"S": contact_sk(contact_id)}}
    return decode_item(repo().client.get_item(TableName=repo().table_name, Key=key)["Item"])


def api_touches(contact_id: str) -> list[Touch]:
    return [t for t in repo().contact_with_touches(OWNER, contact_id)[1] if t.source == "api"]


def all_api_touches() -> list[Touch]:
    data = repo().load_digest_input(OWNER)
    assert data is not None
    return [t for t in data.touches if t.source == "api"]


def today() -> date:
    """The owner's local date, by the clock the handler reads."""
    return local_send_date(ZONE, clock.now())


def assert_unprocessable(response: TestResponse, loc: list[str]) -> str:
    """A 422 naming `loc` as the one problem; returns its message."""
    assert response.status_code == 422 and response.content_type == "application/json"
    (detail,) = response.get_json()["detail"]
    assert detail["loc"] == loc
    message: str = detail["msg"]
    return message


# --- who may post ---------------------------------------------------------------------------------------------


def _unknown_token(api: Api) -> str:
    _, secret = access_tokens.parse(api.token)
    return f"Bearer cbk_{'0' * 12}_{secret}"


def _wrong_secret(api: Api) -> str:
    token_id, secret = access_tokens.parse(api.token)
    return f"Bearer cbk_{token_id}_{'A' * len(secret)}"


def _no_scheme(api: Api) -> str:
    return api.token


def _basic(api: Api) -> str:
    return f"Basic {api.token}"


def _no_credentials(api: Api) -> str:
    return "Bearer "


def _malformed(api: Api) -> str:
    return "Bearer cbk_not-a-token"


@pytest.mark.parametrize(
    "authorization",
    [_unknown_token, _wrong_secret, _no_scheme, _basic, _no_credentials, _malformed],
    ids=["unknown-token", "wrong-secret", "no-scheme", "basic", "no-credentials", "malformed"],
)
def test_a_bad_token_is_401_with_a_bearer_challenge_and_nothing_written(
    api: Api, authorization: Callable[[Api], str]
) -> None:
    before = snapshot()

    response = api.post({"contact": THOMAS}, authorization=authorization(api))

    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == CHALLENGE
    assert "personal access token" in response.get_json()["message"]
    assert snapshot() == before


def test_no_authorization_header_is_401(api: Api) -> None:
    before = snapshot()

    response = api.post({"contact": THOMAS}, authorization=None)

    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == CHALLENGE
    assert snapshot() == before


def test_a_revoked_token_is_401(api: Api) -> None:
    assert repo().revoke_access_token(OWNER, api.token_id)
    before = snapshot()

    response = api.post({"contact": THOMAS})

    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == CHALLENGE
    assert snapshot() == before


@pytest.mark.parametrize("body", ["{not json", '{"contact": "Nobody", "mood": "great"}', '{"channel": "pigeon"}'])
def test_401_comes_before_anything_wrong_with_the_body(api: Api, body: str) -> None:
    response = api.post(body, authorization=None)

    assert response.status_code == 401


def test_the_bearer_scheme_is_case_insensitive(api: Api) -> None:
    response = api.post({"contact": THOMAS}, authorization=f"bearer {api.token}")

    assert response.status_code == 201


# --- logging a touch -----------------------------------------------------------------------------------------


def test_a_touch_is_logged_and_returned_with_201(api: Api) -> None:
    thomas = contact()
    yesterday = today() - timedelta(days=1)
    body = {"contact": THOMAS, "channel": "call", "direction": "inbound", "note": "Asked about the offsite"}

    response = api.post({**body, "date": yesterday.isoformat()})

    assert response.status_code == 201 and response.content_type == "application/json"
    (touch,) = api_touches(thomas.id)
    assert response.get_json() == {
        "id": touch.id,
        "contact": {"id": thomas.id, "name": THOMAS},
        "date": yesterday.isoformat(),
        "channel": "call",
        "direction": "inbound",
        "note": "Asked about the offsite",
        "created": True,
    }
    assert (touch.date, touch.channel.value, touch.direction.value, touch.note) == (
        yesterday,
        "call",
        "inbound",
        "Asked about the offsite",
    )


def test_omitted_fields_default_to_an_outbound_touch_of_another_kind_without_a_note(api: Api) -> None:
    response = api.post({"contact": THOMAS})

    body = response.get_json()
    assert (body["channel"], body["direction"], body["note"]) == ("other", "outbound", None)


def test_the_date_defaults_to_the_owners_local_today(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    # 23:30 UTC on 1 July is already 2 July in London (BST).
    with runtime.clock_set_to(lambda: datetime(2026, 7, 1, 23, 30, tzinfo=UTC)):
        response = api.post({"contact": THOMAS})

    assert response.status_code == 201 and response.get_json()["date"] == "2026-07-02"
    (touch,) = api_touches(contact().id)
    assert touch.date == date(2026, 7, 2)


@pytest.mark.parametrize("spelling", ["thomas becker", "  THOMAS   Becker ", "Thomas\tBecker"])
def test_the_contact_can_be_named_in_any_case_and_spacing(api: Api, spelling: str) -> None:
    response = api.post({"contact": spelling})

    assert response.status_code == 201 and response.get_json()["contact"]["id"] == contact().id


def test_the_contact_can_be_given_by_email_in_any_case(api: Api) -> None:
    thomas = contact()
    assert thomas.email is not None

    response = api.post({"contact": thomas.email.upper()})

    assert response.status_code == 201 and response.get_json()["contact"]["id"] == thomas.id


def test_the_contact_leaves_the_next_digest_and_is_not_rewritten(api: Api) -> None:
    thomas = contact()
    version = contact_item(thomas.id)["version"]
    next_digest = demo.next_owner_digest_date()
    assert THOMAS in {item.contact.name for item in preview(repo(), OWNER, next_digest)[1].due}

    api.post({"contact": THOMAS, "channel": "email"})

    assert history_of(repo(), OWNER, thomas.id).last_touch == today()
    assert contact_item(thomas.id)["version"] == version  # a touch is its own item: the contact is not written
    assert THOMAS not in {item.contact.name for item in preview(repo(), OWNER, next_digest)[1].due}


# --- what cannot be logged: 422 naming the field, nothing written -------------------------------------------------


def test_an_unknown_contact_is_422_on_the_contact(api: Api) -> None:
    before = snapshot()

    response = api.post({"contact": "Nobody Atall"})

    assert "Nobody Atall" in assert_unprocessable(response, ["body", "contact"])
    assert snapshot() == before


def test_two_contacts_with_the_name_are_422_asking_for_the_email(api: Api) -> None:
    namesake = Contact(id="second-thomas", name=THOMAS, created_on=today(), email="thomas@elsewhere.example")
    repo().add_contact(OWNER, namesake)
    before = snapshot()

    response = api.post({"contact": THOMAS})

    assert "email" in assert_unprocessable(response, ["body", "contact"])
    assert snapshot() == before


def test_an_email_picks_one_of_two_contacts_with_the_same_name(api: Api) -> None:
    thomas = contact()
    namesake = Contact(id="second-thomas", name=THOMAS, created_on=today(), email="thomas@elsewhere.example")
    repo().add_contact(OWNER, namesake)

    response = api.post({"contact": "thomas@elsewhere.example"})

    assert response.status_code == 201 and response.get_json()["contact"]["id"] == "second-thomas"
    assert len(api_touches("second-thomas")) == 1 and api_touches(thomas.id) == []


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"contact": THOMAS, "channel": "pigeon"}, ["body", "channel"]),
        ({"contact": THOMAS, "direction": "sideways"}, ["body", "direction"]),
        ({"contact": THOMAS, "mood": "great"}, ["body", "mood"]),
        ({"channel": "call"}, ["body", "contact"]),
        ({"contact": "   "}, ["body", "contact"]),
        ({"contact": THOMAS, "note": "x" * 1001}, ["body", "note"]),
        ({"contact": THOMAS, "date": "last tuesday"}, ["body", "date"]),
        ("{not json", ["body"]),
        ("[]", ["body"]),
        ("", ["body"]),
    ],
    ids=[
        "bad-channel",
        "bad-direction",
        "extra-field",
        "missing-contact",
        "blank-contact",
        "note-too-long",
        "not-a-date",
        "bad-json",
        "not-an-object",
        "empty-body",
    ],
)
def test_an_invalid_body_is_422_naming_the_field(api: Api, body: dict[str, Any] | str, loc: list[str]) -> None:
    before = snapshot()

    response = api.post(body)

    assert_unprocessable(response, loc)
    assert snapshot() == before


def test_a_body_that_is_not_utf8_is_422_not_a_crash(api: Api) -> None:
    before = snapshot()
    headers = {"Authorization": f"Bearer {api.token}"}

    response = api.client.post(
        "/touches",
        data=b'{"contact": "Thomas Becker", "note": "\xff"}',
        content_type="application/octet-stream",
        headers=headers,
    )

    assert_unprocessable(response, ["body"])
    assert snapshot() == before


def test_a_date_in_the_future_is_422_on_the_date(api: Api) -> None:
    before = snapshot()

    response = api.post({"contact": THOMAS, "date": (today() + timedelta(days=1)).isoformat()})

    assert "in the future" in assert_unprocessable(response, ["body", "date"])
    assert snapshot() == before


# --- once per Idempotency-Key ------------------------------------------------------------------------------------


def test_the_same_idempotency_key_twice_logs_one_touch(api: Api) -> None:
    body = {"contact": THOMAS, "channel": "call", "note": "Caught up"}

    first, second = api.post(body, key="laptop-0001"), api.post(body, key="laptop-0001")

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.get_json() == {**first.get_json(), "created": False}
    assert len(api_touches(contact().id)) == 1


def test_the_same_key_with_a_different_touch_is_422_on_the_header(api: Api) -> None:
    api.post({"contact": THOMAS, "channel": "call"}, key="laptop-0001")
    before = snapshot()

    response = api.post({"contact": THOMAS, "channel": "meeting"}, key="laptop-0001")

    assert_unprocessable(response, ["header", "Idempotency-Key"])
    assert snapshot() == before


def test_without_a_key_two_posts_log_two_touches(api: Api) -> None:
    first, second = api.post({"contact": THOMAS}), api.post({"contact": THOMAS})

    assert first.status_code == second.status_code == 201
    assert first.get_json()["id"] != second.get_json()["id"]
    assert len(api_touches(contact().id)) == 2


@pytest.mark.parametrize("key", ["", "k" * 256], ids=["empty", "too-long"])
def test_an_idempotency_key_must_be_1_to_255_characters(api: Api, key: str) -> None:
    before = snapshot()

    response = api.post({"contact": THOMAS}, key=key)

    assert_unprocessable(response, ["header", "Idempotency-Key"])
    assert snapshot() == before


def test_a_concurrent_retry_with_the_same_key_logs_one_touch(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    body = {"contact": THOMAS, "channel": "call"}
    record_action = Repository.record_action
    raced: list[bool] = []

    def record_after_the_retry(self: Repository, *args: Any) -> bool:
        if not raced:  # the client's retry arrives, reads, decides and writes before this request writes
            raced.append(True)
            stored = repo().get_access_token(OWNER, api.token_id)
            assert stored is not None
            request = TouchBody.model_validate(body)
            assert log_api_touch(repo(), OWNER, stored, request, "laptop-0001", clock.now()).created
        return record_action(self, *args)

    monkeypatch.setattr(Repository, "record_action", record_after_the_retry)

    response = api.post(body, key="laptop-0001")

    assert raced and response.status_code == 200 and response.get_json()["created"] is False
    assert len(api_touches(contact().id)) == 1


# --- headers and logs ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("authorization", "body", "status"),
    [
        ("valid", {"contact": THOMAS}, 201),
        (None, {"contact": THOMAS}, 401),
        ("valid", {"contact": "Nobody Atall"}, 422),
        ("valid", "{not json", 422),
    ],
    ids=["created", "unauthorized", "unknown-contact", "bad-json"],
)
def test_every_api_response_carries_the_security_headers(
    api: Api, authorization: str | None, body: dict[str, Any] | str, status: int
) -> None:
    response = api.post(body, authorization=authorization)

    assert response.status_code == status
    assert_security_headers(response)


def test_a_repeat_carries_the_security_headers_too(api: Api) -> None:
    api.post({"contact": THOMAS}, key="laptop-0001")

    response = api.post({"contact": THOMAS}, key="laptop-0001")

    assert response.status_code == 200
    assert_security_headers(response)


def test_logs_say_what_happened_and_carry_neither_the_token_nor_personal_data(
    api: Api, logs: Callable[[], list[dict[str, Any]]]
) -> None:
    body = {"contact": THOMAS, "note": "Talked about her divorce"}
    api.post(body, key="laptop-0001")
    api.post(body, key="laptop-0001")
    api.post({"contact": THOMAS}, authorization="Bearer cbk_000000000000_" + "x" * 43)

    lines = logs()
    outcomes = [(line["route"], line["outcome"]) for line in lines if line.get("message") == "action"]
    assert outcomes == [("POST /touches", "created"), ("POST /touches", "repeat")]
    text = json.dumps(lines)
    _, secret = access_tokens.parse(api.token)
    for private in (secret, api.token, "x" * 43, "divorce", THOMAS):
        assert private not in text
