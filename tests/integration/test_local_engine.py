"""The local engine (circleback.local.engine) against DynamoDB Local, AWS's own emulator: the same calls on both,
the same answers, errors and their messages included.

Three parts. The store's whole test module (test_store.py) runs again with its `repo` on the engine. A contract
runs the same calls on both tables: every expression form the repository emits (recorded from a scenario that
calls every repository method, failures included), the conditions and updates DynamoDB offers, conditional
failures single and transactional with their cancellation reasons, pagination by Limit and by the 1 MB page, the
index, the order of numbers and strings, and the errors DynamoDB raises. Then generated sequences of writes and
reads (Hypothesis) on both, compared call by call.

The contract needs DynamoDB Local (`bash scripts/install-dynamodb-local.sh`); without it those tests are skipped,
except in CI (tests/conftest.py).
"""

from __future__ import annotations

import copy
import inspect
import itertools
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from circleback.adapters.store.keys import SCHEDULE_INDEX
from circleback.adapters.store.repository import ConflictError, NotFoundError, Repository
from circleback.domain.model import (
    AccessToken,
    ActionRecord,
    Birthday,
    Channel,
    Contact,
    DigestRun,
    Direction,
    EventKind,
    LifeEvent,
    Owner,
    RunStatus,
    Tier,
    Touch,
)
from circleback.local.emulator import LOCAL_TABLE, engine_repository, local_engine
from circleback.local.engine import Engine
from circleback.local.store import (
    SNAPSHOT_FILE,
    SNAPSHOT_FORMAT,
    SNAPSHOT_VERSION,
    LocalStoreError,
    persistent_repository,
)
from tests.integration import test_store

TABLE = "<table>"  # in a request: the table's name on each backend; in an answer: where either name was


# --- the store's own tests, on the engine ---------------------------------------------------------------------


@pytest.fixture(params=["direct", "botocore"])
def repo(template: dict[str, Any], request: pytest.FixtureRequest) -> Iterator[Repository]:
    """test_store.py's tests below take this `repo`: a fresh table on the engine, through its own client (what the
    command line runs on) and through botocore's (whose parameter validation checks every call the store makes).
    """
    with engine_repository(template, botocore=request.param == "botocore") as repository:
        yield repository


for _name, _test in vars(test_store).items():
    if _name.startswith("test_") and "repo" in inspect.signature(_test).parameters:
        globals()[_name] = _test  # collected here, so they take this module's `repo`


# --- the contract: the same calls on DynamoDB Local and on the engine -------------------------------------------


@dataclass
class Backends:
    local: Repository  # DynamoDB Local
    engine: Repository


@pytest.fixture(params=["direct", "botocore"])
def both(
    dynamodb_local_repo: Repository, template: dict[str, Any], request: pytest.FixtureRequest
) -> Iterator[Backends]:
    with engine_repository(template, botocore=request.param == "botocore") as engine:
        yield Backends(dynamodb_local_repo, engine)


def _named(request: Any, table: str) -> Any:
    """The request with TABLE replaced by the backend's table name (in values and in RequestItems' keys)."""
    if isinstance(request, dict):
        return {(table if k == TABLE else k): _named(v, table) for k, v in request.items()}
    if isinstance(request, list):
        return [_named(v, table) for v in request]
    return table if request == TABLE else request


def _normal(answer: Any, table: str) -> Any:
    """An answer as compared: no metadata, sets sorted (DynamoDB keeps no order), the table's name as TABLE. No
    ConsumedCapacity either: DynamoDB Local sends it unasked with some answers, and nothing asks for it.
    """
    if isinstance(answer, dict):
        normal = {}
        for key, value in answer.items():
            if key in ("ResponseMetadata", "ConsumedCapacity"):
                continue
            if key in ("SS", "BS") and isinstance(value, list):
                normal[key] = sorted(value)
            elif key == "NS" and isinstance(value, list):
                normal[key] = sorted(value, key=float)
            else:
                normal[TABLE if key == table else key] = _normal(value, table)
        return normal
    if isinstance(answer, list):
        return [_normal(v, table) for v in answer]
    if isinstance(answer, str):
        return answer.replace(table, TABLE)
    return answer


def answer(repo: Repository, operation: str, request: dict[str, Any]) -> tuple[str, Any]:
    """("ok", response) or ("error", the error's response), normalised."""
    try:
        response = getattr(repo.client, operation)(**_named(copy.deepcopy(request), repo.table_name))
    except ClientError as error:
        return "error", _normal(error.response, repo.table_name)
    return "ok", _normal(response, repo.table_name)


def same(backends: Backends, operation: str, **request: Any) -> tuple[str, Any]:
    """Make the call on both; their answers must be equal. Returns the answer."""
    expected = answer(backends.local, operation, request)
    assert answer(backends.engine, operation, request) == expected
    return expected


def pages(backends: Backends, **request: Any) -> list[tuple[str, Any]]:
    """Every page of a Query on each, page by page; the two lists must be equal.

    One difference is allowed, as DynamoDB allows it: a page that stops at its Limit on the last item in range may
    or may not carry a LastEvaluatedKey (DynamoDB Local leaves it out when that item is the key condition's own
    bound); with one, the next page is empty. Such an empty last page, and the key that led to it, are dropped.
    """
    answered = [_all_pages(repo, request) for repo in (backends.local, backends.engine)]
    assert answered[1] == answered[0]
    return answered[0]


def _all_pages(repo: Repository, request: dict[str, Any]) -> list[tuple[str, Any]]:
    request = dict(request)
    found = []
    while True:
        page = answer(repo, "query", request)
        found.append(page)
        if page[0] != "ok" or "LastEvaluatedKey" not in page[1]:
            break
        request["ExclusiveStartKey"] = page[1]["LastEvaluatedKey"]
    if len(found) > 1 and found[-1] == ("ok", {**found[-1][1], "Count": 0, "ScannedCount": 0}):
        found.pop()
        del found[-1][1]["LastEvaluatedKey"]
    return found


def S(text: str) -> dict[str, Any]:
    return {"S": text}


def N(number: str) -> dict[str, Any]:
    return {"N": number}


def key(pk: str, sk: str) -> dict[str, Any]:
    return {"PK": S(pk), "SK": S(sk)}


_partitions = itertools.count(1)


def fresh_partition() -> str:
    """A partition no other call of this session has used (the DynamoDB Local table is shared by many calls)."""
    return f"P#{next(_partitions)}"


# --- every call the repository makes ----------------------------------------------------------------------------

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def every_repository_call(repo: Repository) -> None:
    """Each repository method, on success and on each way it fails, with fixed ids so both tables see the same
    calls. Failures the repository raises are part of what is compared (through the calls' answers).
    """
    me = "owner-1"
    profile = Owner(id=me, email="me@example.com", timezone="Europe/Lisbon", next_send_at=NOW)
    repo.put_owner(profile)
    repo.create_owner_if_absent(replace(profile, send_hour=9))
    repo.create_owner_if_absent(Owner(id="owner-2", next_send_at=NOW + timedelta(minutes=15)))
    ana = repo.add_contact(me, Contact("c-ana", "Ana Souza", date(2025, 1, 1), email="ana@acme.com", tier=Tier.A))
    bo = repo.add_contact(
        me,
        Contact(
            "c-bo",
            "Bo Li",
            date(2025, 2, 1),
            birthday=Birthday(2, 29),
            tags=("x", "y"),
            notes="Line one\nline two",
            cadence_days=30,
            paused=True,
        ),
    )
    with pytest.raises(ConflictError):
        repo.add_contact(me, ana)
    if hasattr(repo, "add_contacts"):  # many at once: a batch lookup (BatchGetItem), then BatchWriteItem
        many = [Contact(f"c-{i:03d}", f"Person {i}", date(2025, 3, 1)) for i in range(30)]
        repo.add_contacts(me, many)
        with pytest.raises(ConflictError):
            repo.add_contacts(me, [Contact("c-new", "New", date(2025, 3, 1)), many[0]])
    edited = repo.save_contact(me, replace(ana, company="Acme", snoozed_until=date(2026, 12, 1)))
    with pytest.raises(ConflictError):
        repo.save_contact(me, replace(ana, company="Globex"))
    edited = repo.save_contact(me, replace(edited, snoozed_until=None))
    touches = [
        Touch(f"t-{i:02d}", ana.id, date(2026, 10, 1) + timedelta(days=i), Direction.OUTBOUND, Channel.EMAIL, "hi")
        for i in range(28)
    ]
    for one in touches:
        repo.add_touch(me, one)
    repo.add_touch(me, touches[0])
    repo.add_touch(me, Touch("t-bo", bo.id, date(2026, 11, 2), Direction.MUTUAL, Channel.CALL))
    repo.add_event(me, LifeEvent("e1", date(2026, 11, 10), EventKind.PROMOTION, ana.id, "Staff"))
    repo.add_event(me, LifeEvent("e1", date(2026, 11, 10), EventKind.PROMOTION, ana.id, "Staff"))
    repo.add_event(me, LifeEvent("e2", date(2026, 11, 11), EventKind.AWARD))
    repo.list_events(me)
    repo.list_contacts(me)
    repo.get_contact(me, ana.id)
    repo.get_contact(me, "nobody", consistent=False)
    repo.contact_with_touches(me, bo.id)
    with pytest.raises(NotFoundError):
        repo.contact_with_touches(me, "nobody")
    repo.load_digest_input(me)
    repo.load_digest_input("nobody")
    # digest runs: claims, leases, updates
    run = DigestRun(me, date(2026, 11, 23), NOW, RunStatus.CLAIMED, "w1", NOW + timedelta(minutes=5))
    repo.claim_run(run, NOW)
    theirs = replace(run, claimed_by="w2", lease_until=NOW + timedelta(minutes=20))
    repo.claim_run(theirs, NOW + timedelta(minutes=1))
    repo.claim_run(theirs, NOW + timedelta(minutes=6))
    repo.update_run(replace(run, status=RunStatus.SENDING), RunStatus.CLAIMED)
    repo.update_run(replace(theirs, status=RunStatus.SENDING, message_id="m1", items=3), RunStatus.CLAIMED)
    repo.update_run(replace(theirs, status=RunStatus.SENDING, message_id="m1", items=3), RunStatus.CLAIMED)
    repo.get_run(me, date(2026, 11, 23))
    # the schedule index
    for shard in range(4):
        list(repo.due_owners(shard, NOW + timedelta(minutes=15)))
    repo.advance_schedule(profile, NOW, NOW + timedelta(days=1))
    repo.advance_schedule(profile, NOW, NOW + timedelta(days=1))
    moved = replace(profile, next_send_at=NOW + timedelta(days=1))
    repo.replace_owner(replace(moved, send_hour=9), moved)
    repo.replace_owner(replace(moved, send_hour=10), profile)
    repo.replace_owner(Owner(id="nobody"), Owner(id="nobody"))
    # action links: transactions, guards, cancellation reasons
    record = ActionRecord("link-1", "snooze", NOW, NOW + timedelta(days=30), ana.id, None, None, date(2026, 12, 6))
    current = repo.get_contact(me, ana.id)
    assert current is not None
    with pytest.raises(ConflictError):
        repo.record_action(me, record, [repo.contact_snooze_write(me, replace(current, version=99), date(2026, 12, 6))])
    repo.record_action(me, record, [repo.contact_snooze_write(me, current, date(2026, 12, 6))])
    repo.record_action(me, record, [])
    repo.get_action(me, "link-1")
    logged = Touch("t-link", ana.id, date(2026, 11, 5), filed_on=date(2026, 11, 2), recorded_at=NOW)
    touch_record = ActionRecord("link-2", "reached_out", NOW, NOW + timedelta(days=30), ana.id, logged)
    repo.record_action(me, touch_record, [repo.touch_put(me, logged)])
    repo.get_touch(me, ana.id, date(2026, 11, 2), "t-link")
    repo.erase_action(me, touch_record, [repo.touch_delete(me, logged)])
    repo.erase_action(me, touch_record, [repo.touch_delete(me, logged)])
    owner_now = repo.get_owner(me)
    assert owner_now is not None
    pause = ActionRecord("link-3", "pause", NOW, NOW + timedelta(days=30), until=date(2026, 12, 1))
    repo.record_action(me, pause, [repo.owner_pause_write(owner_now, date(2026, 12, 1), None)])
    paused = repo.get_owner(me)
    assert paused is not None
    repo.record_action(me, replace(pause, key="link-4"), [repo.owner_pause_write(paused, None, NOW)])
    repo.remove_touch(me, touches[3])
    repo.remove_touch(me, touches[3])
    # tokens, calendar links, events
    token = AccessToken("tok1", "laptop", "ab" * 32, NOW)
    repo.add_access_token(me, token)
    repo.add_access_token(me, token)
    repo.get_access_token(me, "tok1")
    repo.list_access_tokens(me)
    repo.revoke_access_token(me, "tok1")
    repo.revoke_access_token(me, "tok1")
    repo.revoke_calendar_links(me, NOW)
    repo.revoke_calendar_links(me, NOW - timedelta(days=1))
    repo.calendar_links_revoked_at(me)
    repo.remove_event(me, LifeEvent("e2", date(2026, 11, 11), EventKind.AWARD))
    repo.remove_event(me, LifeEvent("e2", date(2026, 11, 11), EventKind.AWARD))
    # removing a contact: batches of deletes, then the contact on its version
    stale = repo.get_contact(me, ana.id)
    assert stale is not None
    with pytest.raises(ConflictError):
        repo.remove_contact(me, replace(stale, version=1))
    repo.remove_contact(me, stale)
    repo.load_digest_input(me)


def recorded(repo: Repository, scenario: Callable[[Repository], None]) -> list[tuple[str, Any, Any]]:
    """Every call the scenario made through the repository's client: its operation, request and answer."""
    calls: list[tuple[str, Any, Any]] = []

    def request(params: dict[str, Any], model: Any, **_: Any) -> None:
        calls.append((model.name, _normal(copy.deepcopy(params), repo.table_name), None))

    def response(parsed: dict[str, Any], model: Any, **_: Any) -> None:
        name, params, _ = calls[-1]
        calls[-1] = (name, params, _normal(copy.deepcopy(parsed), repo.table_name))

    repo.client.meta.events.register("before-parameter-build.dynamodb", request)
    repo.client.meta.events.register_first("after-call.dynamodb", response)
    try:
        scenario(repo)
    finally:
        repo.client.meta.events.unregister("before-parameter-build.dynamodb", request)
        repo.client.meta.events.unregister("after-call.dynamodb", response)
    return calls


def test_every_call_the_repository_makes_is_answered_alike(both: Backends) -> None:
    local = recorded(both.local, every_repository_call)
    engine = recorded(both.engine, every_repository_call)
    assert [call[0] for call in engine] == [call[0] for call in local]
    for expected, actual in zip(local, engine, strict=True):
        assert actual == expected
    operations = {call[0] for call in local}
    assert {"PutItem", "UpdateItem", "DeleteItem", "GetItem", "Query", "TransactWriteItems", "BatchWriteItem"} <= (
        operations
    )


# --- conditions ---------------------------------------------------------------------------------------------------

ITEM = {
    "s": S("héllo"),
    "n": N("5"),
    "ten": N("10"),
    "text": S("10"),
    "l": {"L": [S("x"), N("1")]},
    "m": {"M": {"k": S("v"), "deep": {"M": {"z": N("0")}}}},
    "b": {"BOOL": True},
    "nothing": {"NULL": True},
    "ss": {"SS": ["b", "a"]},
    "ns": {"NS": ["2", "10"]},
    "bin": {"B": b"\x00\x01"},
    "status": S("claimed"),
}
CONDITIONS: list[tuple[str, dict[str, Any]]] = [
    ("attribute_exists(SK)", {}),
    ("attribute_not_exists(SK)", {}),
    ("attribute_not_exists(nope) AND attribute_exists(m.k)", {}),
    ("n = :v", {":v": N("5.0")}),
    ("n <> :v", {":v": N("5")}),
    ("n < :v", {":v": N("10")}),  # numbers by value: 5 < 10
    ("text < :v", {":v": S("9")}),  # strings by character: "10" < "9"
    ("ten > n", {}),
    ("n <= :v AND n >= :w", {":v": N("5"), ":w": N("-1e3")}),
    ("n BETWEEN :low AND :high", {":low": N("1"), ":high": N("5")}),
    ("s BETWEEN :low AND :high", {":low": S("h"), ":high": S("i")}),
    ("n IN (:a, :b, :c)", {":a": S("5"), ":b": N("4"), ":c": N("5.00")}),
    ("begins_with(s, :p)", {":p": S("hé")}),
    ("begins_with(n, :p)", {":p": S("5")}),
    ("begins_with(bin, :p)", {":p": {"B": b"\x00"}}),
    ("contains(s, :p)", {":p": S("ll")}),
    ("contains(ss, :p) AND contains(ns, :q) AND contains(l, :r)", {":p": S("a"), ":q": N("10"), ":r": N("1")}),
    ("contains(ss, :p)", {":p": N("1")}),
    ("size(s) = :five AND size(l) = :two AND size(m) = :two AND size(ss) = :two", {":five": N("5"), ":two": N("2")}),
    ("size(n) > :zero", {":zero": N("0")}),
    ("attribute_type(n, :t) AND attribute_type(nothing, :null)", {":t": S("N"), ":null": S("NULL")}),
    ("nope <> :v", {":v": S("x")}),
    ("nope = :v", {":v": S("x")}),
    ("nope < :v", {":v": S("x")}),
    ("n > :v", {":v": S("1")}),  # different types: never ordered
    ("b = :t OR n = :v AND n = :w", {":t": {"BOOL": False}, ":v": N("5"), ":w": N("6")}),
    ("(b = :t OR n = :v) AND n = :w", {":t": {"BOOL": False}, ":v": N("5"), ":w": N("6")}),
    ("NOT (n = :v) OR NOT NOT attribute_exists(l[1])", {":v": N("5")}),
    ("m.deep.z = :zero AND l[0] = :x AND attribute_not_exists(l[2])", {":zero": N("0"), ":x": S("x")}),
    ("m = :m", {":m": {"M": {"deep": {"M": {"z": N("0")}}, "k": S("v")}}}),
    ("ss = :set AND ns = :numbers", {":set": {"SS": ["a", "b"]}, ":numbers": {"NS": ["10.0", "2"]}}),
    ("#s = :v", {":v": S("claimed")}),
    (":a = :a", {":a": N("1")}),
    ("nothing = :null", {":null": {"NULL": True}}),
]


@pytest.mark.parametrize(("condition", "values"), CONDITIONS, ids=[c for c, _ in CONDITIONS])
def test_conditions_hold_alike(both: Backends, condition: str, values: dict[str, Any]) -> None:
    pk = fresh_partition()
    same(both, "put_item", TableName=TABLE, Item={**key(pk, "item"), **ITEM})
    request: dict[str, Any] = {"ConditionExpression": condition}
    if values:
        request["ExpressionAttributeValues"] = values
    if "#s" in condition:
        request["ExpressionAttributeNames"] = {"#s": "status"}
    same(both, "put_item", TableName=TABLE, Item={**key(pk, "item"), **ITEM, "x": S("1")}, **request)
    same(both, "update_item", TableName=TABLE, Key=key(pk, "item"), UpdateExpression="SET y = :y", **_merged(request))
    same(both, "delete_item", TableName=TABLE, Key=key(pk, "absent"), **request)
    same(both, "get_item", TableName=TABLE, Key=key(pk, "item"), ConsistentRead=True)


def _merged(request: dict[str, Any]) -> dict[str, Any]:
    values = {**request.get("ExpressionAttributeValues", {}), ":y": N("1")}
    return {**request, "ExpressionAttributeValues": values}


@pytest.mark.parametrize("projection", ["m.deep.z, l[1], #s, nope", "l[1], l[0], m.k", "m, ns", "l[5], m.nope.x"])
def test_projections_pick_alike(both: Backends, projection: str) -> None:
    pk = fresh_partition()
    same(both, "put_item", TableName=TABLE, Item={**key(pk, "item"), **ITEM})
    names = {"#s": "status"} if "#s" in projection else None
    request: dict[str, Any] = {"TableName": TABLE, "Key": key(pk, "item"), "ProjectionExpression": projection}
    if names:
        request["ExpressionAttributeNames"] = names
    same(both, "get_item", **request)
    query = {
        "TableName": TABLE,
        "KeyConditionExpression": "PK = :pk",
        "ExpressionAttributeValues": {":pk": S(pk)},
        "ProjectionExpression": projection,
    }
    if names:
        query["ExpressionAttributeNames"] = names
    pages(both, **query)


def test_a_failed_condition_can_return_the_item_it_failed_on(both: Backends) -> None:
    pk = fresh_partition()
    same(both, "put_item", TableName=TABLE, Item={**key(pk, "a"), "n": N("1")})
    for write in ("put_item", "delete_item", "update_item"):
        request: dict[str, Any] = {
            "TableName": TABLE,
            "ConditionExpression": "attribute_not_exists(SK)",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
        if write == "put_item":
            request["Item"] = key(pk, "a")
        else:
            request["Key"] = key(pk, "a")
        assert same(both, write, **request)[0] == "error"


# --- updates ------------------------------------------------------------------------------------------------------

UPDATES: list[tuple[str, dict[str, Any]]] = [
    ("SET a = :v, #b = :w", {":v": S("x"), ":w": N("1")}),
    ("SET n = n + :one, ten = ten - :one", {":one": N("1.5")}),
    ("SET n = :one - n", {":one": N("1")}),
    ("SET q = n + ten", {}),
    ("SET q = if_not_exists(nope, :v), n = if_not_exists(n, :v)", {":v": N("9")}),
    ("SET l = list_append(l, :more), q = list_append(:more, l)", {":more": {"L": [S("z")]}}),
    ("SET l = list_append(if_not_exists(nope, :empty), :more)", {":empty": {"L": []}, ":more": {"L": [N("2")]}}),
    ("SET m.k = :v, m.new_key = :v, l[1] = :v, l[9] = :v", {":v": S("w")}),
    ("SET m.deep.z = m.deep.z + :one", {":one": N("1")}),
    ("REMOVE s, nope, l[0], m.k", {}),
    ("REMOVE l[0], l[1]", {}),
    ("SET l[1] = :v REMOVE l[0]", {":v": N("7")}),
    (
        "ADD n :five, counter :five, ss :more, ns :numbers",
        {":five": N("5"), ":more": {"SS": ["c", "a"]}, ":numbers": {"NS": ["3"]}},
    ),
    ("DELETE ss :gone, ns :all", {":gone": {"SS": ["a", "zz"]}, ":all": {"NS": ["2", "10"]}}),
    ("DELETE nope :gone", {":gone": {"SS": ["a"]}}),
    ("set a = :v remove s add n :one delete ss :gone", {":v": S("x"), ":one": N("1"), ":gone": {"SS": ["b"]}}),
    ("SET n = n + :one, s = n", {":one": N("1")}),
    ("SET e = :empty", {":empty": S("")}),
    ("SET big = :big", {":big": N("99999999999999999999999999999999999999")}),
    ("SET big = :big + :big", {":big": N("99999999999999999999999999999999999999")}),
    ("SET tiny = :tiny", {":tiny": N("0." + "0" * 129 + "1")}),
    ("SET nested = :m", {":m": {"M": {"a": {"L": [{"SS": ["x"]}, {"NULL": True}, {"B": b"\xff"}]}}}}),
]


@pytest.mark.parametrize(("update", "values"), UPDATES, ids=[u for u, _ in UPDATES])
@pytest.mark.parametrize("returned", ["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"])
def test_updates_apply_alike(both: Backends, update: str, values: dict[str, Any], returned: str) -> None:
    pk = fresh_partition()
    same(both, "put_item", TableName=TABLE, Item={**key(pk, "item"), **ITEM})
    request: dict[str, Any] = {"UpdateExpression": update, "ReturnValues": returned}
    if values:
        request["ExpressionAttributeValues"] = values
    if "#b" in update:
        request["ExpressionAttributeNames"] = {"#b": "b"}
    same(both, "update_item", TableName=TABLE, Key=key(pk, "item"), **request)
    same(both, "get_item", TableName=TABLE, Key=key(pk, "item"))
    same(both, "update_item", TableName=TABLE, Key=key(pk, "new"), **request)  # an update creates the item
    same(both, "get_item", TableName=TABLE, Key=key(pk, "new"))


def test_numbers_are_stored_as_dynamodb_stores_them(both: Backends) -> None:
    """In their canonical form ("1.50" is 1.5). DynamoDB Local does that when it puts an item; an update keeps its
    values' text ("SET a = :v" with 1.50 stores "1.50") and works sums out in Java's BigDecimal ("1.5 + 1.5" is
    "3.0"), which DynamoDB does not: the contract's updates use canonical numbers, so neither quirk shows.
    """
    pk = fresh_partition()
    for i, text in enumerate(["1.50", "0100", "1e2", "-0", "+5", "5.", ".5", "1E+2", "-1.0e1", "0.000", "1e125"]):
        same(both, "put_item", TableName=TABLE, Item={**key(pk, f"n{i}"), "n": N(text), "ns": {"NS": [text, "7"]}})
        same(both, "get_item", TableName=TABLE, Key=key(pk, f"n{i}"))


# --- transactions and batches -------------------------------------------------------------------------------------


def test_a_transaction_is_all_or_nothing_with_a_reason_per_item(both: Backends) -> None:
    pk = fresh_partition()
    same(both, "put_item", TableName=TABLE, Item={**key(pk, "a"), "v": N("1")})
    same(both, "put_item", TableName=TABLE, Item={**key(pk, "b"), "v": N("1")})
    writes = [
        {"Put": {"TableName": TABLE, "Item": {**key(pk, "new"), "v": N("1")}}},
        {
            "Update": {
                "TableName": TABLE,
                "Key": key(pk, "a"),
                "UpdateExpression": "SET v = v + :one",
                "ConditionExpression": "v = :one",
                "ExpressionAttributeValues": {":one": N("1")},
            }
        },
        {"Delete": {"TableName": TABLE, "Key": key(pk, "b"), "ConditionExpression": "attribute_exists(SK)"}},
        {"Delete": {"TableName": TABLE, "Key": key(pk, "b")}},
    ]
    assert same(both, "transact_write_items", TransactItems=writes)[0] == "error"  # the same item twice
    writes[3] = {
        "ConditionCheck": {"TableName": TABLE, "Key": key(pk, "c"), "ConditionExpression": "attribute_exists(v)"}
    }
    failed = same(both, "transact_write_items", TransactItems=writes)
    assert [r["Code"] for r in failed[1]["CancellationReasons"]] == ["None", "None", "None", "ConditionalCheckFailed"]
    writes[1]["Update"]["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    writes[1]["Update"]["ExpressionAttributeValues"] = {":one": N("2")}
    writes[3] = {
        "ConditionCheck": {"TableName": TABLE, "Key": key(pk, "c"), "ConditionExpression": "attribute_not_exists(v)"}
    }
    failed = same(both, "transact_write_items", TransactItems=writes)
    assert [r["Code"] for r in failed[1]["CancellationReasons"]] == ["None", "ConditionalCheckFailed", "None", "None"]
    pages(both, TableName=TABLE, KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": S(pk)})
    writes[1]["Update"]["ExpressionAttributeValues"] = {":one": N("1")}
    assert same(both, "transact_write_items", TransactItems=writes) == ("ok", {})
    pages(both, TableName=TABLE, KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": S(pk)})
    bad_index_key = [{"Put": {"TableName": TABLE, "Item": {**key(pk, "z"), "GSI1PK": N("1")}}}]
    same(both, "transact_write_items", TransactItems=bad_index_key)
    wrong_type = [
        {"Put": {"TableName": TABLE, "Item": key(pk, "y")}},
        {
            "Update": {
                "TableName": TABLE,
                "Key": key(pk, "a"),
                "UpdateExpression": "SET v = SK + :one",
                "ExpressionAttributeValues": {":one": N("1")},
            }
        },
    ]
    same(both, "transact_write_items", TransactItems=wrong_type)
    same(both, "transact_write_items", TransactItems=[{"Put": {"TableName": "no-such-table", "Item": key(pk, "y")}}])


def test_a_transaction_never_checks_an_item_it_also_writes() -> None:
    """DynamoDB's rule ("you can't perform a ConditionCheck and also an Update action on the same item in the same
    transaction"), which DynamoDB Local does not enforce: the engine follows DynamoDB.
    """
    engine = local_engine()
    writes: list[Any] = [
        {
            "ConditionCheck": {
                "TableName": LOCAL_TABLE,
                "Key": key("p", "a"),
                "ConditionExpression": "attribute_exists(SK)",
            }
        },
        {"Put": {"TableName": LOCAL_TABLE, "Item": key("p", "a")}},
    ]
    with pytest.raises(ClientError, match="multiple operations on one item"):
        engine.client.transact_write_items(TransactItems=writes)


def test_batches_write_and_read_alike(both: Backends) -> None:
    pk = fresh_partition()
    puts = [{"PutRequest": {"Item": {**key(pk, f"k{i:02d}"), "i": N(str(i))}}} for i in range(25)]
    same(both, "batch_write_item", RequestItems={TABLE: puts})
    same(both, "batch_write_item", RequestItems={TABLE: [*puts, puts[0]]})  # 26: too many
    same(both, "batch_write_item", RequestItems={TABLE: [puts[0], puts[0]]})  # the same key twice
    deletes = [{"DeleteRequest": {"Key": key(pk, f"k{i:02d}")}} for i in range(0, 25, 2)]
    same(both, "batch_write_item", RequestItems={TABLE: deletes})
    pages(both, TableName=TABLE, KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": S(pk)})
    keys = [key(pk, f"k{i:02d}") for i in range(10)]
    request = {TABLE: {"Keys": keys, "ConsistentRead": True, "ProjectionExpression": "SK, i"}}
    got = [answer(repo, "batch_get_item", {"RequestItems": request}) for repo in (both.local, both.engine)]
    for status, response in got:  # in no particular order
        assert status == "ok"
        response["Responses"][TABLE].sort(key=lambda item: item["SK"]["S"])
    assert got[1] == got[0]
    same(both, "batch_get_item", RequestItems={TABLE: {"Keys": [keys[0], keys[0]]}})


# --- queries ------------------------------------------------------------------------------------------------------

SORT_KEYS = ["a", "a#1", "a#10", "a#2", "aa", "b", "B", "é", "z", "~x", "CONTACT#1", "TOUCH#1#2026"]
RANGES: list[tuple[str, dict[str, Any]]] = [
    ("", {}),
    (" AND SK = :a", {":a": S("a#1")}),
    (" AND SK < :a", {":a": S("aa")}),
    (" AND SK <= :a", {":a": S("aa")}),
    (" AND SK > :a", {":a": S("a#2")}),
    (" AND SK >= :a", {":a": S("a#2")}),
    (" AND SK BETWEEN :a AND :b", {":a": S("a#1"), ":b": S("b")}),
    (" AND SK BETWEEN :a AND :b", {":a": S("a#10"), ":b": S("a#10")}),
    (" AND begins_with(SK, :a)", {":a": S("a#")}),
    (" AND begins_with(SK, :a)", {":a": S("é")}),
    (" AND begins_with(SK, :a)", {":a": S("nothing")}),
    (" AND :a <= SK", {":a": S("b")}),
    (" AND (SK < :a)", {":a": S("b")}),
]


@pytest.mark.parametrize(("condition", "values"), RANGES, ids=[c or "all" for c, _ in RANGES])
def test_key_ranges_pages_and_order_alike(both: Backends, condition: str, values: dict[str, Any]) -> None:
    pk = fresh_partition()
    for sk in SORT_KEYS:
        same(both, "put_item", TableName=TABLE, Item={**key(pk, sk), "v": S(sk), "n": N(str(len(sk)))})
    request: dict[str, Any] = {
        "TableName": TABLE,
        "KeyConditionExpression": "PK = :pk" + condition,
        "ExpressionAttributeValues": {":pk": S(pk), **values},
    }
    pages(both, **request)
    for limit in (1, 2, 5):
        for forward in (True, False):
            pages(both, **request, Limit=limit, ScanIndexForward=forward)
    pages(both, **request, Limit=3, ConsistentRead=True, ProjectionExpression="v, SK")
    pages(both, **request, Select="COUNT", Limit=4)
    filtered = {**request, "ExpressionAttributeValues": {**request["ExpressionAttributeValues"], ":two": N("2")}}
    pages(both, **filtered, Limit=3, FilterExpression="n > :two")


def test_the_index_is_sparse_keys_only_and_ordered_alike(both: Backends) -> None:
    pk = fresh_partition()
    shard = f"SEND#{pk}"
    for i, sk in enumerate(SORT_KEYS):
        item = {**key(pk, sk), "v": S(sk)}
        if i % 3:
            item.update(GSI1PK=S(shard), GSI1SK=S(f"2026-11-{i:02d}T07:00#{sk}"))
        same(both, "put_item", TableName=TABLE, Item=item)
    values = {":shard": S(shard), ":bound": S("2026-11-08")}
    for condition in ("GSI1PK = :shard", "GSI1PK = :shard AND GSI1SK <= :bound"):
        request = {
            "TableName": TABLE,
            "IndexName": SCHEDULE_INDEX,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": {k: v for k, v in values.items() if k in condition},
        }
        pages(both, **request)
        for limit in (1, 3):
            pages(both, **request, Limit=limit, ScanIndexForward=False)
    # moving an item's index keys moves it in the index; removing them takes it out
    same(
        both,
        "update_item",
        TableName=TABLE,
        Key=key(pk, SORT_KEYS[1]),
        UpdateExpression="SET GSI1SK = :late REMOVE v",
        ExpressionAttributeValues={":late": S("2026-12-01T00:00")},
    )
    same(both, "update_item", TableName=TABLE, Key=key(pk, SORT_KEYS[2]), UpdateExpression="REMOVE GSI1PK")
    pages(
        both,
        TableName=TABLE,
        IndexName=SCHEDULE_INDEX,
        KeyConditionExpression="GSI1PK = :shard",
        ExpressionAttributeValues={":shard": S(shard)},
        Limit=2,
    )


def test_numbers_sort_by_value_and_strings_by_character(both: Backends) -> None:
    """A table with a number sort key (made on both for this test): 9 < 10 as numbers, "10" < "9" as strings."""
    definition = {
        "AttributeDefinitions": [
            {"AttributeName": "PK", "AttributeType": "S"},
            {"AttributeName": "SK", "AttributeType": "N"},
        ],
        "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        "BillingMode": "PAY_PER_REQUEST",
    }
    name = f"numbers-{time.monotonic_ns()}"
    for repo in (both.local, both.engine):
        repo.client.create_table(TableName=name, **definition)  # type: ignore[arg-type]
    try:
        numbers = Backends(Repository(name, both.local.client), Repository(name, both.engine.client))
        for text in ("9", "10", "-1", "0.5", "-0.25", "100", "1e3", "2.50"):
            same(numbers, "put_item", TableName=TABLE, Item={"PK": S("p"), "SK": N(text), "t": S(text)})
        query = {"TableName": TABLE, "KeyConditionExpression": "PK = :p", "ExpressionAttributeValues": {":p": S("p")}}
        pages(numbers, **query)
        pages(numbers, **query, Limit=3, ScanIndexForward=False)
        pages(
            numbers,
            TableName=TABLE,
            KeyConditionExpression="PK = :p AND SK BETWEEN :a AND :b",
            ExpressionAttributeValues={":p": S("p"), ":a": N("0.5"), ":b": N("10")},
        )
        same(numbers, "get_item", TableName=TABLE, Key={"PK": S("p"), "SK": N("2.5")})
        same(numbers, "get_item", TableName=TABLE, Key={"PK": S("p"), "SK": N("1000")})
        prefix = {":p": S("p"), ":q": N("1")}
        same(
            numbers,
            "query",
            **{
                **query,
                "KeyConditionExpression": "PK = :p AND begins_with(SK, :q)",
                "ExpressionAttributeValues": prefix,
            },
        )
    finally:
        for repo in (both.local, both.engine):
            repo.client.delete_table(TableName=name)


@pytest.fixture
def other_table(both: Backends) -> Iterator[Backends]:
    """A table unlike the store's, made on both for one test: a partition key alone, and two global secondary
    indexes that project more than keys (ALL, with a number sort key; INCLUDE, with a partition key alone).
    """
    definition: dict[str, Any] = {
        "AttributeDefinitions": [
            {"AttributeName": "PK", "AttributeType": "S"},
            {"AttributeName": "G", "AttributeType": "S"},
            {"AttributeName": "rank", "AttributeType": "N"},
        ],
        "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": "byRank",
                "KeySchema": [{"AttributeName": "G", "KeyType": "HASH"}, {"AttributeName": "rank", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "ALL"},
            },
            {
                "IndexName": "byGroup",
                "KeySchema": [{"AttributeName": "G", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a"]},
            },
        ],
        "BillingMode": "PAY_PER_REQUEST",
    }
    name = f"other-{time.monotonic_ns()}"
    for repo in (both.local, both.engine):
        repo.client.create_table(TableName=name, **definition)
    try:
        yield Backends(Repository(name, both.local.client), Repository(name, both.engine.client))
    finally:
        for repo in (both.local, both.engine):
            repo.client.delete_table(TableName=name)


def test_a_table_without_a_sort_key_and_indexes_that_project_more(other_table: Backends) -> None:
    for i, rank in enumerate(["3", "-1", "10", "2.5", "100"]):
        item = {"PK": S(f"k{i}"), "G": S("g"), "rank": N(rank), "a": S(f"a{i}"), "b": S(f"b{i}")}
        same(other_table, "put_item", TableName=TABLE, Item=item)
    same(other_table, "put_item", TableName=TABLE, Item={"PK": S("loner"), "a": S("x")})  # in no index
    same(other_table, "get_item", TableName=TABLE, Key={"PK": S("k1")})
    same(other_table, "get_item", TableName=TABLE, Key={"PK": S("k1"), "SK": S("x")})
    key_only = {"TableName": TABLE, "KeyConditionExpression": "PK = :p", "ExpressionAttributeValues": {":p": S("k2")}}
    pages(other_table, **key_only)
    same(other_table, "query", **{**key_only, "KeyConditionExpression": "PK = :p AND SK = :p"})
    by_rank: dict[str, Any] = {
        "TableName": TABLE,
        "IndexName": "byRank",
        "KeyConditionExpression": "G = :g AND #rank > :low",
        "ExpressionAttributeNames": {"#rank": "rank"},
        "ExpressionAttributeValues": {":g": S("g"), ":low": N("0")},
    }
    pages(other_table, **by_rank)
    pages(other_table, **by_rank, Limit=2, ScanIndexForward=False)
    pages(other_table, **by_rank, Select="ALL_ATTRIBUTES", Limit=3)
    by_rank["ExpressionAttributeNames"]["#b"] = "b"
    pages(other_table, **by_rank, ProjectionExpression="#b, PK", Limit=2)
    by_group = {
        "TableName": TABLE,
        "IndexName": "byGroup",
        "KeyConditionExpression": "G = :g",
        "ExpressionAttributeValues": {":g": S("g")},
    }
    answered = [_all_pages(repo, by_group) for repo in (other_table.local, other_table.engine)]
    for found in answered:  # no sort key: the order within the group is DynamoDB's own
        assert len(found) == 1
        found[0][1]["Items"].sort(key=lambda item: item["PK"]["S"])
    assert answered[1] == answered[0]
    same(other_table, "query", **by_group, ProjectionExpression="b")


def test_pages_end_at_a_megabyte(both: Backends) -> None:
    pk = fresh_partition()
    for i in range(300):  # 300 items of about 4 KB, 1.2 MB: two pages
        note = "é" * (i % 7) + "n" * 4000
        same(both, "put_item", TableName=TABLE, Item={**key(pk, f"k{i:03d}"), "note": S(note), "i": N(str(i))})
    request = {"TableName": TABLE, "KeyConditionExpression": "PK = :pk", "ExpressionAttributeValues": {":pk": S(pk)}}
    answered = pages(both, **request)
    assert len(answered) >= 2
    assert sum(page[1]["Count"] for page in answered) == 300


# --- errors -------------------------------------------------------------------------------------------------------


def _put(condition: str, values: dict[str, Any] | None = None, names: dict[str, str] | None = None) -> dict[str, Any]:
    request: dict[str, Any] = {"TableName": TABLE, "Item": key("errors", "a"), "ConditionExpression": condition}
    if values is not None:
        request["ExpressionAttributeValues"] = values
    if names is not None:
        request["ExpressionAttributeNames"] = names
    return request


def _update(update: str, values: dict[str, Any] | None = None, **more: Any) -> dict[str, Any]:
    request: dict[str, Any] = {"TableName": TABLE, "Key": key("errors", "a"), "UpdateExpression": update, **more}
    if values is not None:
        request["ExpressionAttributeValues"] = values
    return request


def _query(condition: str, values: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"TableName": TABLE, "KeyConditionExpression": condition, "ExpressionAttributeValues": values, **more}


ERRORS: list[tuple[str, str, dict[str, Any]]] = [
    ("reserved word", "put_item", _put("status = :v", {":v": S("x")})),
    ("unused value", "put_item", _put("a = :v", {":v": S("x"), ":w": S("y")})),
    ("undefined value", "put_item", _put("a = :q", {":v": S("x")})),
    ("unused name", "put_item", _put("a = :v", {":v": S("x")}, {"#a": "a"})),
    ("undefined name", "put_item", _put("#b = :v", {":v": S("x")})),
    ("syntax", "put_item", _put("a = = :v", {":v": S("x")})),
    ("syntax at the end", "put_item", _put("a", None)),
    ("name with underscore", "put_item", _put("_x = :v", {":v": S("x")})),
    ("keyword as a name", "put_item", _put("m.in = :v", {":v": S("x")})),
    ("operand type", "put_item", _put("a < :v", {":v": {"BOOL": True}})),
    ("set operand", "put_item", _put("a < :v", {":v": {"SS": ["a"]}})),
    ("function name", "put_item", _put("foo(a)")),
    ("function case", "put_item", _put("ATTRIBUTE_EXISTS(a)")),
    ("same operand", "put_item", _put("a = a")),
    ("between bounds", "put_item", _put("a BETWEEN :a AND :b", {":a": N("9"), ":b": N("1")})),
    ("between types", "put_item", _put("a BETWEEN :a AND :b", {":a": N("1"), ":b": S("x")})),
    ("begins_with type", "put_item", _put("begins_with(a, :v)", {":v": N("1")})),
    ("attribute type name", "put_item", _put("attribute_type(a, :t)", {":t": S("Q")})),
    ("empty condition", "put_item", _put("")),
    (
        "values without expression",
        "put_item",
        {"TableName": TABLE, "Item": key("errors", "a"), "ExpressionAttributeValues": {":v": S("x")}},
    ),
    ("empty values", "put_item", _put("a = b", {})),
    ("bad value", "put_item", _put("a = :v", {":v": {"SS": []}})),
    ("missing key", "put_item", {"TableName": TABLE, "Item": {"PK": S("p")}}),
    ("key type", "put_item", {"TableName": TABLE, "Item": {"PK": S("p"), "SK": N("1")}}),
    ("empty key", "put_item", {"TableName": TABLE, "Item": {"PK": S("p"), "SK": S("")}}),
    ("index key type", "put_item", {"TableName": TABLE, "Item": {**key("errors", "a"), "GSI1PK": N("1")}}),
    ("empty set", "put_item", {"TableName": TABLE, "Item": {**key("errors", "a"), "x": {"SS": []}}}),
    ("duplicates in a set", "put_item", {"TableName": TABLE, "Item": {**key("errors", "a"), "x": {"SS": ["a", "a"]}}}),
    ("not a number", "put_item", {"TableName": TABLE, "Item": {**key("errors", "a"), "x": N("abc")}}),
    ("number with spaces", "put_item", {"TableName": TABLE, "Item": {**key("errors", "a"), "x": N(" 5")}}),
    ("number overflow", "put_item", {"TableName": TABLE, "Item": {**key("errors", "a"), "x": N("1e126")}}),
    ("number underflow", "put_item", {"TableName": TABLE, "Item": {**key("errors", "a"), "x": N("1e-131")}}),
    ("39 digits", "put_item", {"TableName": TABLE, "Item": {**key("errors", "a"), "x": N("1" * 39)}}),
    ("too big", "put_item", {"TableName": TABLE, "Item": {**key("errors", "a"), "x": S("x" * 410_000)}}),
    ("put returns new", "put_item", {"TableName": TABLE, "Item": key("errors", "a"), "ReturnValues": "ALL_NEW"}),
    ("key with more", "get_item", {"TableName": TABLE, "Key": {**key("errors", "a"), "x": S("1")}}),
    ("key with less", "get_item", {"TableName": TABLE, "Key": {"PK": S("p")}}),
    ("key names", "get_item", {"TableName": TABLE, "Key": {"PK": S("p"), "XX": S("1")}}),
    ("key type in get", "get_item", {"TableName": TABLE, "Key": {"PK": S("p"), "SK": N("1")}}),
    ("no table", "get_item", {"TableName": "no-such-table", "Key": key("errors", "a")}),
    ("overlapping paths", "update_item", _update("SET q = :v, q = :v", {":v": N("1")})),
    ("overlapping nested paths", "update_item", _update("SET m.k = :v, m = :v", {":v": N("1")})),
    ("key update", "update_item", _update("SET PK = :v", {":v": S("1")})),
    ("key removal", "update_item", _update("REMOVE SK")),
    ("two SETs", "update_item", _update("SET a = :v SET b = :v", {":v": S("1")})),
    ("empty update", "update_item", _update("")),
    ("ADD a string", "update_item", _update("ADD n :v", {":v": S("1")})),
    ("DELETE a string", "update_item", _update("DELETE n :v", {":v": S("1")})),
    ("size in an update", "update_item", _update("SET q = size(s)")),
    ("plus a string", "update_item", _update("SET q = q + :v", {":v": S("1")})),
    ("missing operand", "update_item", _update("SET q = nope + :v", {":v": N("1")})),
    ("missing list", "update_item", _update("SET q = list_append(nope, :v)", {":v": {"L": []}})),
    ("nested parent missing", "update_item", _update("SET nope.x = :v", {":v": N("1")})),
    ("remove under a missing parent", "update_item", _update("REMOVE nope.x")),
    ("reserved word in a path", "update_item", _update("SET m.new.x = :v", {":v": N("1")})),
    ("returns nonsense", "update_item", _update("SET q = :v", {":v": N("1")}, ReturnValues="UPDATED")),
    ("hash only", "query", _query("SK = :s", {":s": S("a")})),
    ("or in a key condition", "query", _query("PK = :p OR SK = :s", {":p": S("p"), ":s": S("a")})),
    ("not a key", "query", _query("PK = :p AND x = :s", {":p": S("p"), ":s": S("a")})),
    ("not equal", "query", _query("PK = :p AND SK <> :s", {":p": S("p"), ":s": S("a")})),
    ("twice the sort key", "query", _query("PK = :p AND SK = :s AND SK = :s", {":p": S("p"), ":s": S("a")})),
    ("key condition type", "query", _query("PK = :p AND SK = :s", {":p": S("p"), ":s": N("1")})),
    ("empty prefix", "query", _query("PK = :p AND begins_with(SK, :s)", {":p": S("p"), ":s": S("")})),
    ("hash range", "query", _query("PK > :p", {":p": S("p")})),
    ("filter on a key", "query", _query("PK = :p", {":p": S("p"), ":s": S("a")}, FilterExpression="SK = :s")),
    ("start key elsewhere", "query", _query("PK = :p", {":p": S("p")}, ExclusiveStartKey=key("other", "a"))),
    ("start key short", "query", _query("PK = :p", {":p": S("p")}, ExclusiveStartKey={"PK": S("p")})),
    (
        "start key outside",
        "query",
        _query("PK = :p AND SK > :s", {":p": S("p"), ":s": S("m")}, ExclusiveStartKey=key("p", "a")),
    ),
    ("no index", "query", _query("GSI1PK = :p", {":p": S("p")}, IndexName="GSI9")),
    ("consistent index", "query", _query("GSI1PK = :p", {":p": S("p")}, IndexName="GSI1", ConsistentRead=True)),
    (
        "all of a keys-only index",
        "query",
        _query("GSI1PK = :p", {":p": S("p")}, IndexName="GSI1", Select="ALL_ATTRIBUTES"),
    ),
    (
        "projection of a keys-only index",
        "query",
        _query("GSI1PK = :p", {":p": S("p")}, IndexName="GSI1", ProjectionExpression="x"),
    ),
    (
        "index start key",
        "query",
        _query("GSI1PK = :p", {":p": S("p")}, IndexName="GSI1", ExclusiveStartKey=key("p", "a")),
    ),
]


@pytest.mark.parametrize(("operation", "request_"), [(o, r) for _, o, r in ERRORS], ids=[e[0] for e in ERRORS])
def test_errors_are_dynamodbs(both: Backends, operation: str, request_: dict[str, Any]) -> None:
    same(both, "put_item", TableName=TABLE, Item={**key("errors", "a"), "s": S("x"), "n": N("1"), "m": {"M": {}}})
    assert same(both, operation, **request_)[0] == "error"


def test_what_the_engine_does_not_implement_is_refused_by_name() -> None:
    engine = local_engine()
    with pytest.raises(ClientError, match="does not support the parameter Expected"):
        engine.client.put_item(TableName=LOCAL_TABLE, Item=key("p", "a"), Expected={"x": {"Exists": False}})
    with pytest.raises(ClientError, match="does not support the ListBackups operation"):
        engine.client.list_backups()
    with pytest.raises(ClientError, match="ReturnConsumedCapacity"):
        engine.client.get_item(TableName=LOCAL_TABLE, Key=key("p", "a"), ReturnConsumedCapacity="TOTAL")


# --- generated sequences of calls ---------------------------------------------------------------------------------

NUMBERS = st.sampled_from(["1", "2", "10", "-3", "0", "25"])  # whole: see test_numbers_are_stored_as_...
TEXTS = st.sampled_from(["a", "b", "10", "9", "é", "ab"])
VALUES = st.one_of(NUMBERS.map(N), TEXTS.map(S))
GENERATED_KEYS = st.sampled_from(["a", "a#1", "a#10", "a#2", "b", "é"])
GENERATED_CONDITIONS = st.none() | st.sampled_from(  # half the writes unconditional, so that most of them land
    [
        "attribute_not_exists(SK)",
        "attribute_exists(SK)",
        "v < :x",
        "v >= :x",
        "v BETWEEN :x AND :y",
        "begins_with(v, :x)",
        "attribute_exists(v) AND NOT (v = :x)",
        "v = :x OR attribute_not_exists(v)",
        "v IN (:x, :y)",
        "contains(tags, :x)",
        "size(v) > :x",
    ]
)
GENERATED_UPDATES = st.sampled_from(
    [
        "SET v = :x",
        "SET v = v + :x",
        "SET v = if_not_exists(v, :x) - :y",
        "REMOVE v, tags",
        "ADD v :x",
        "ADD tags :set",
        "DELETE tags :set",
        "SET l = list_append(if_not_exists(l, :empty), :list)",
        "SET v = :x REMOVE l[0]",
        "SET GSI1PK = :shard, GSI1SK = :x",
        "REMOVE GSI1PK",
    ]
)


@st.composite
def calls(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """One call on a partition (P) and an index partition (G), placeholders filled in at run time."""
    kind = draw(st.sampled_from(["put", "update", "delete", "get", "query", "index", "transaction"]))
    x, y = draw(VALUES), draw(VALUES)
    values = {":x": x, ":y": y, ":set": {"SS": draw(st.lists(TEXTS, min_size=1, max_size=3, unique=True))}}
    values[":list"] = {"L": [x, y]}
    values[":empty"] = {"L": []}
    sk = draw(GENERATED_KEYS)
    condition = draw(GENERATED_CONDITIONS)
    if kind == "put":
        item = {"v": x}
        if draw(st.booleans()):
            item["tags"] = values[":set"]
        if draw(st.booleans()):
            item.update(GSI1PK=S("G"), GSI1SK=S(f"{draw(TEXTS)}#{sk}"))
        return "put", {"sk": sk, "item": item, "condition": condition, "values": values}
    if kind == "update":
        update = draw(GENERATED_UPDATES)
        if "GSI1SK = :x" in update:
            values[":x"] = S(f"{draw(TEXTS)}#{sk}")
        return "update", {"sk": sk, "update": update, "condition": condition, "values": values}
    if kind in ("delete", "get"):
        return kind, {"sk": sk, "condition": condition, "values": values}
    if kind == "transaction":
        first, second = draw(st.lists(GENERATED_KEYS, min_size=2, max_size=2, unique=True))
        return "transaction", {"sks": (first, second), "condition": condition, "values": values}
    ranges = ["", " AND SK < :k", " AND SK >= :k", " AND begins_with(SK, :k)", " AND SK BETWEEN :k AND :l"]
    bound = draw(GENERATED_KEYS)
    return kind, {
        "range": draw(st.sampled_from(ranges)),
        "k": bound,
        "l": draw(GENERATED_KEYS),
        "limit": draw(st.sampled_from([None, 1, 2, 4])),
        "forward": draw(st.booleans()),
    }


def _with_condition(
    request: dict[str, Any], condition: str | None, values: dict[str, Any], expression: str = ""
) -> None:
    text = " ".join(filter(None, [expression, condition or ""]))
    used = {name: value for name, value in values.items() if name in text}
    if condition:
        request["ConditionExpression"] = condition
    if used:
        request["ExpressionAttributeValues"] = used


def run_call(backends: Backends, pk: str, call: tuple[str, dict[str, Any]]) -> None:
    kind, spec = call
    values = {**spec.get("values", {}), ":shard": S(f"G{pk}")}
    if kind == "put":
        item = {**key(pk, spec["sk"]), **spec["item"]}
        if "GSI1PK" in item:
            item["GSI1PK"] = S(f"G{pk}")
        request: dict[str, Any] = {"TableName": TABLE, "Item": item}
        _with_condition(request, spec["condition"], values)
        same(backends, "put_item", **request)
    elif kind == "update":
        request = {"TableName": TABLE, "Key": key(pk, spec["sk"]), "UpdateExpression": spec["update"]}
        _with_condition(request, spec["condition"], values, spec["update"])
        same(backends, "update_item", **request, ReturnValues="ALL_NEW")
    elif kind == "delete":
        request = {"TableName": TABLE, "Key": key(pk, spec["sk"])}
        _with_condition(request, spec["condition"], values)
        same(backends, "delete_item", **request, ReturnValues="ALL_OLD")
    elif kind == "get":
        same(backends, "get_item", TableName=TABLE, Key=key(pk, spec["sk"]), ConsistentRead=True)
    elif kind == "transaction":
        first, second = spec["sks"]
        check: dict[str, Any] = {"TableName": TABLE, "Key": key(pk, second)}
        _with_condition(check, spec["condition"] or "attribute_exists(SK)", values)
        writes = [
            {
                "Update": {
                    "TableName": TABLE,
                    "Key": key(pk, first),
                    "UpdateExpression": "ADD n :one",
                    "ExpressionAttributeValues": {":one": N("1")},
                }
            },
            {"ConditionCheck": check},
        ]
        same(backends, "transact_write_items", TransactItems=writes)
    else:
        index = kind == "index"
        names = ("GSI1PK", "GSI1SK") if index else ("PK", "SK")
        condition = f"{names[0]} = :p" + spec["range"].replace("SK", names[1])
        bounds = {":k": S(spec["k"]), ":l": S(spec["l"])}
        query: dict[str, Any] = {
            "TableName": TABLE,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": {
                ":p": S(f"G{pk}" if index else pk),
                **{k: v for k, v in bounds.items() if k in condition},
            },
            "ScanIndexForward": spec["forward"],
        }
        if index:
            query["IndexName"] = SCHEDULE_INDEX
        if spec["limit"]:
            query["Limit"] = spec["limit"]
        pages(backends, **query)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    seed=st.lists(st.tuples(GENERATED_KEYS, VALUES, TEXTS | st.none()), max_size=6),
    sequence=st.lists(calls(), min_size=1, max_size=12),
)
def test_generated_sequences_are_answered_alike(
    both: Backends, seed: list[tuple[str, dict[str, Any], str | None]], sequence: list[tuple[str, dict[str, Any]]]
) -> None:
    pk = fresh_partition()
    for sk, value, index_key in seed:  # a few items first, some in the index, for the reads to find
        item = {**key(pk, sk), "v": value}
        if index_key is not None:
            item.update(GSI1PK=S(f"G{pk}"), GSI1SK=S(f"{index_key}#{sk}"))
        same(both, "put_item", TableName=TABLE, Item=item)
    for call in sequence:
        run_call(both, pk, call)
    pages(both, TableName=TABLE, KeyConditionExpression="PK = :p", ExpressionAttributeValues={":p": S(pk)})


# --- the engine's own: bulk load and dump, the write count, speed -------------------------------------------------


def test_a_snapshot_item_without_its_keys_is_named_and_left_alone(tmp_path: Path) -> None:
    snapshot = tmp_path / SNAPSHOT_FILE
    content = json.dumps({"format": SNAPSHOT_FORMAT, "version": SNAPSHOT_VERSION, "items": [{"PK": S("OWNER#o")}]})
    snapshot.write_text(content, encoding="utf-8")
    with pytest.raises(LocalStoreError, match="without its keys") as raised, persistent_repository(tmp_path):
        pass
    assert str(snapshot) in str(raised.value)
    assert snapshot.read_text(encoding="utf-8") == content


def test_a_snapshot_loads_as_it_is_and_comes_back_in_key_order() -> None:
    engine = local_engine()
    items = [
        {**key("OWNER#b", "CONTACT#2"), "name": S("Bo")},
        {**key("OWNER#a", "PROFILE"), "GSI1PK": S("SEND#1"), "GSI1SK": S("2026-11-23T07:00#a")},
        {**key("OWNER#b", "CONTACT#1"), "n": N("3"), "tags": {"SS": ["x"]}},
    ]
    engine.load(items, LOCAL_TABLE)
    assert engine.writes == 0
    assert engine.items(LOCAL_TABLE) == [items[1], items[2], items[0]]
    assert engine.items(LOCAL_TABLE, ["OWNER#b", "OWNER#nobody"]) == [items[2], items[0]]
    index = engine.client.query(
        TableName=LOCAL_TABLE,
        IndexName=SCHEDULE_INDEX,
        KeyConditionExpression="GSI1PK = :s",
        ExpressionAttributeValues={":s": S("SEND#1")},
    )
    assert index["Items"] == [items[1]]
    engine.client.delete_item(TableName=LOCAL_TABLE, Key=key("OWNER#b", "CONTACT#9"))
    assert engine.writes == 1
    with pytest.raises(ValueError, match="without its keys"):
        engine.load([{"PK": S("x")}], LOCAL_TABLE)


def test_the_engine_is_fast_enough_for_a_big_network() -> None:
    """30,000 contacts: loading them, and reading the whole partition page by page, each well under a second here
    (the command line's budget is for the whole command; this only guards against a slow path creeping in).
    """
    item = {
        "type": S("contact"),
        "name": S("Ana Souza"),
        "email": S("ana.souza@example.com"),
        "linkedin_url": S("https://www.linkedin.com/in/ana-souza-2f09fe3d4"),
        "tier": S("B"),
        "version": N("1"),
        "import_marks": {"M": {"email": S("4af75b3054d7"), "name": S("c4ee6bf1bd85")}},
    }
    items = [{**key("OWNER#owner", f"CONTACT#{i:06d}"), **item} for i in range(30_000)]
    engine = local_engine()
    started = time.perf_counter()
    engine.load(items, LOCAL_TABLE)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    paginator = engine.client.get_paginator("query")
    request = {
        "TableName": LOCAL_TABLE,
        "KeyConditionExpression": "PK = :p",
        "ExpressionAttributeValues": {":p": S("OWNER#owner")},
    }
    read = 0
    for page in paginator.paginate(**request):  # type: ignore[arg-type]
        read += len(page["Items"])
    queried = time.perf_counter() - started
    assert read == 30_000
    assert loaded < 1.0 and queried < 1.5, (loaded, queried)


def test_the_engine_is_botocores_alone() -> None:
    """boto3 (and s3transfer) and moto stay unimported: the engine's client is botocore's."""
    import subprocess
    import sys

    code = (
        "import sys; from circleback.local.emulator import engine_repository\n"
        "with engine_repository() as repo: repo.list_contacts('o')\n"
        "print(json.dumps(sorted(m for m in ('boto3', 's3transfer', 'moto', 'yaml') if m in sys.modules)))"
    )
    done = subprocess.run(  # noqa: S603 - this interpreter, our own code
        [sys.executable, "-c", "import json\n" + code], capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == []


def test_the_engines_own_client_raises_botocores_errors_by_their_codes() -> None:
    from botocore.exceptions import ClientError

    engine: Engine = local_engine()
    client = engine.client
    item = {"PK": {"S": "OWNER#o"}, "SK": {"S": "CONTACT#1"}}
    client.put_item(TableName=LOCAL_TABLE, Item=item)
    with pytest.raises(client.exceptions.ConditionalCheckFailedException) as failed:
        client.put_item(TableName=LOCAL_TABLE, Item=item, ConditionExpression="attribute_not_exists(SK)")
    assert isinstance(failed.value, ClientError)
    assert failed.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    with pytest.raises(client.exceptions.TransactionCanceledException) as cancelled:
        client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": LOCAL_TABLE, "Item": item, "ConditionExpression": "attribute_not_exists(SK)"}}
            ]
        )
    assert [r["Code"] for r in cancelled.value.response["CancellationReasons"]] == ["ConditionalCheckFailed"]
    assert engine.writes == 1
    query: dict[str, Any] = {"TableName": LOCAL_TABLE, "KeyConditionExpression": "PK = :pk", "Limit": 1}
    pages = list(client.get_paginator("query").paginate(**query, ExpressionAttributeValues={":pk": {"S": "OWNER#o"}}))
    assert [len(page["Items"]) for page in pages] == [1, 0]  # a Limit that ends on the last item: one empty page


def test_the_engine_under_botocore_is_a_plain_botocore_client() -> None:
    engine: Engine = local_engine(botocore=True)
    assert type(engine.client).__module__ == "botocore.client"
    with pytest.raises(Exception, match="Parameter validation failed"):
        engine.client.get_item(TableName=LOCAL_TABLE)  # type: ignore[call-arg]
