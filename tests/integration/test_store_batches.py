"""New contacts in batches (Repository.add_contacts): 100 to a transaction, each put on add_contact's condition,
so a new contact never replaces an item stored under its key.

The store's behaviour runs on moto and on DynamoDB Local (AWS's own emulator); throttling is answered by botocore's
Stubber, which stands in front of the SDK's own retries, so what it answers is what the client gives the
repository once its retries gave up.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse, HTTPHeaders
from botocore.retries.standard import ExponentialBackoff
from botocore.stub import Stubber

from circleback.adapters.store.codec import encode_item
from circleback.adapters.store.items import contact_to_item
from circleback.adapters.store.keys import contact_sk, owner_pk
from circleback.adapters.store.repository import ConflictError, Repository
from circleback.domain.model import Contact
from tests.factories import contact

OWNER = "owner-1"
BACKENDS = {"moto": "moto_repo", "dynamodb-local": "dynamodb_local_repo"}
THROTTLED = "ProvisionedThroughputExceededException"


@pytest.fixture(params=list(BACKENDS))
def repo(request: pytest.FixtureRequest) -> Repository:
    """The repository over a fresh table on each emulator in turn."""
    repository: Repository = request.getfixturevalue(BACKENDS[request.param])
    return repository


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The backoffs the repository sleeps, recorded instead of slept."""
    slept: list[float] = []
    monkeypatch.setattr("circleback.adapters.store.repository.time.sleep", slept.append)
    return slept


def record_calls(repo: Repository) -> Counter[str]:
    calls: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        calls[model.name] += 1

    repo.client.meta.events.register("before-call.dynamodb", count)
    return calls


def people(count: int, prefix: str = "n") -> list[Contact]:
    return [
        contact(f"Person {prefix}{i}", id=f"{prefix}{i:04d}", email=f"{prefix}{i}@example.com") for i in range(count)
    ]


def stored(repo: Repository) -> dict[str, Contact]:
    return {c.id: c for c in repo.list_contacts(OWNER)}


# --- on the emulators -----------------------------------------------------------------------------------------


def test_250_new_contacts_land_in_3_transactions(repo: Repository) -> None:
    calls = record_calls(repo)
    landed: list[int] = []

    created = repo.add_contacts(OWNER, people(250), landed.append)

    assert calls == {"TransactWriteItems": 3}
    assert landed == [100, 100, 50]
    assert [c.version for c in created] == [1] * 250
    assert stored(repo) == {c.id: c for c in created}  # every field as add_contact writes it


def test_a_batch_writes_the_same_item_as_add_contact(repo: Repository) -> None:
    fields: dict[str, Any] = {"email": "zoe@example.com", "tags": ("mentor",), "company": "Initech"}
    repo.add_contact(OWNER, contact("Zoë Müller", id="one", **fields))
    repo.add_contacts(OWNER, [contact("Zoë Müller", id="two", **fields)])

    def item(contact_id: str) -> dict[str, Any]:
        key = {"PK": {"S": owner_pk(OWNER)}, "SK": {"S": contact_sk(contact_id)}}
        found = dict(repo.client.get_item(TableName=repo.table_name, Key=key, ConsistentRead=True)["Item"])
        return {name: value for name, value in found.items() if name not in ("SK", "id")}

    assert item("one") == item("two")


def test_a_chunk_with_a_taken_id_goes_one_by_one_and_only_the_taken_one_is_refused(repo: Repository) -> None:
    original = contact("Already Here", id="n0105", email="here@example.com")
    repo.add_contact(OWNER, original)
    batch = people(150)  # two transactions' worth; the second holds n0105
    calls = record_calls(repo)
    landed: list[int] = []

    with pytest.raises(ConflictError, match="contact n0105 already exists"):
        repo.add_contacts(OWNER, batch, landed.append)

    assert calls == {"TransactWriteItems": 2, "PutItem": 50}  # the second chunk, refused whole, then one by one
    assert landed == [100] + [1] * 49
    after = stored(repo)
    assert after["n0105"] == replace(original, version=1)  # never replaced
    assert set(after) == {c.id for c in batch}


def test_several_taken_ids_are_all_named(repo: Repository) -> None:
    for taken in ("n0003", "n0007"):
        repo.add_contact(OWNER, contact("Taken", id=taken))

    with pytest.raises(ConflictError, match="contacts n0003, n0007 already exist"):
        repo.add_contacts(OWNER, people(10))
    assert len(stored(repo)) == 10


def test_one_id_twice_in_a_call_lands_once_and_the_second_is_refused(repo: Repository) -> None:
    twice = [contact("First", id="dup"), contact("Other", id="x1"), contact("Second", id="dup")]

    with pytest.raises(ConflictError, match="contact dup already exists"):
        repo.add_contacts(OWNER, twice)

    after = stored(repo)
    assert set(after) == {"dup", "x1"} and after["dup"].name == "First"


def test_nothing_to_add_makes_no_call(repo: Repository) -> None:
    calls = record_calls(repo)
    assert repo.add_contacts(OWNER, []) == []
    assert calls == {}


# --- throttling and cancellations, answered by the Stubber -------------------------------------------------------


def _transaction(repo: Repository, contacts: list[Contact]) -> dict[str, Any]:
    """The request add_contacts makes for `contacts` (botocore adds the idempotency token after the Stubber's look)."""
    puts = [
        {
            "Put": {
                "TableName": repo.table_name,
                "Item": encode_item(contact_to_item(OWNER, replace(c, version=1))),
                "ConditionExpression": "attribute_not_exists(SK)",
            }
        }
        for c in contacts
    ]
    return {"TransactItems": puts}


def _cancelled(stubbed: Stubber, *codes: str) -> None:
    reasons = [{"Code": code} for code in codes]
    stubbed.add_client_error(
        "transact_write_items",
        "TransactionCanceledException",
        f"Transaction cancelled, please refer cancellation reasons for specific reasons [{', '.join(codes)}]",
        400,
        modeled_fields={"CancellationReasons": reasons},
    )


@pytest.mark.parametrize("times", [1, 2])
def test_a_throttled_transaction_is_sent_again_after_a_backoff(
    moto_repo: Repository, waits: list[float], times: int
) -> None:
    batch = people(3)
    stubbed = Stubber(moto_repo.client)
    for _ in range(times):
        stubbed.add_client_error("transact_write_items", THROTTLED, "Throughput exceeded", 400)
    stubbed.add_response("transact_write_items", {}, _transaction(moto_repo, batch))
    landed: list[int] = []

    with stubbed:
        moto_repo.add_contacts(OWNER, batch, landed.append)

    stubbed.assert_no_pending_responses()
    assert waits == [0.1, 0.2][:times]
    assert landed == [3]


@pytest.mark.parametrize(
    "codes",
    [
        ("ThrottlingError", "None", "None"),
        ("None", "ProvisionedThroughputExceeded", "None"),
        ("None", "None", "TransactionConflict"),  # another transaction on one of the items: nothing was written
    ],
)
def test_a_transaction_cancelled_for_throttling_or_a_conflict_is_sent_again(
    moto_repo: Repository, waits: list[float], codes: tuple[str, ...]
) -> None:
    batch = people(3)
    stubbed = Stubber(moto_repo.client)
    _cancelled(stubbed, *codes)
    _cancelled(stubbed, *codes)
    stubbed.add_response("transact_write_items", {}, _transaction(moto_repo, batch))

    with stubbed:
        moto_repo.add_contacts(OWNER, batch)

    stubbed.assert_no_pending_responses()
    assert waits == [0.1, 0.2]


def test_a_taken_id_among_throttled_ones_goes_one_by_one(moto_repo: Repository, waits: list[float]) -> None:
    batch = people(3)
    stubbed = Stubber(moto_repo.client)
    _cancelled(stubbed, "None", "ConditionalCheckFailed", "ThrottlingError")
    stubbed.add_response("put_item", {})
    stubbed.add_client_error("put_item", "ConditionalCheckFailedException", "The conditional request failed", 400)
    stubbed.add_response("put_item", {})

    with stubbed, pytest.raises(ConflictError, match="contact n0001 already exists"):
        moto_repo.add_contacts(OWNER, batch)

    stubbed.assert_no_pending_responses()
    assert waits == []


def test_a_transaction_still_throttled_after_the_retries_is_an_error_to_run_again(
    moto_repo: Repository, waits: list[float]
) -> None:
    stubbed = Stubber(moto_repo.client)
    for _ in range(6):
        stubbed.add_client_error("transact_write_items", THROTTLED, "Throughput exceeded", 400)

    with stubbed, pytest.raises(ConflictError, match="kept throttling 3 new items; run the command again"):
        moto_repo.add_contacts(OWNER, people(3))

    stubbed.assert_no_pending_responses()
    assert len(waits) == 5


@pytest.mark.parametrize(
    ("code", "codes"),
    [("AccessDeniedException", ()), ("TransactionCanceledException", ("None", "ValidationError", "None"))],
)
def test_other_errors_are_not_retried(
    moto_repo: Repository, waits: list[float], code: str, codes: tuple[str, ...]
) -> None:
    stubbed = Stubber(moto_repo.client)
    if codes:
        _cancelled(stubbed, *codes)
    else:
        stubbed.add_client_error("transact_write_items", code, "no", 400)

    with stubbed, pytest.raises(moto_repo.client.exceptions.ClientError, match=code):
        moto_repo.add_contacts(OWNER, people(3))
    assert waits == []


def test_a_transaction_whose_answer_was_lost_lands_once_when_the_sdk_sends_it_again(
    dynamodb_local_repo: Repository, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The transaction commits but its answer is lost (a 500 in its place): the SDK's retry carries the same
    ClientRequestToken, which DynamoDB answers as the first, so the contacts are not refused as taken by themselves.
    (On DynamoDB Local, which honours the token as DynamoDB does; moto ignores it.)"""
    repo = dynamodb_local_repo
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0)
    tokens: list[str] = []

    def lose_the_first_answer(request: Any, **_: Any) -> AWSResponse | None:
        tokens.append(json.loads(request.body)["ClientRequestToken"])
        if len(tokens) > 1:
            return None
        delivered = repo.client._endpoint.http_session.send(request)  # type: ignore[attr-defined]
        assert delivered.status_code == 200  # committed...
        headers = HTTPHeaders()
        headers["Content-Type"] = "application/x-amz-json-1.0"
        body = json.dumps({"__type": "InternalServerError", "message": "injected"}).encode()
        return AWSResponse(request.url, 500, headers, _Body(body))  # ...and the answer lost

    repo.client.meta.events.register_first(
        "before-send.dynamodb.TransactWriteItems",
        lose_the_first_answer,  # type: ignore[arg-type]
    )

    created = repo.add_contacts(OWNER, people(3))

    assert len(tokens) == 2 and tokens[0] == tokens[1]
    assert stored(repo) == {c.id: c for c in created}


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.data
