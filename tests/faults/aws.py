"""Naming every AWS call the code makes, and answering a chosen one with a fault.

Why a `before-call` hook and not botocore's Stubber: a Stubber answers *every* call of its client, so a run
through the real handlers would need every answer scripted in advance. A `before-call` handler that returns
a response is the mechanism the Stubber itself uses: returning `(http_response, parsed)` skips the HTTP send,
botocore raises the modeled exception for the code (`ConditionalCheckFailedException` is caught as such), and
returning None lets the call go on to the emulator. So one chosen call fails, exactly as the service would
answer it, and every other call is served by moto.

The hook sits in front of the SDK's own retries (they run inside the send it skips): an injected fault is the
answer the client gives *after* its retries gave up. Which faults the clients retry themselves, and how often,
is checked on the wire in test_sdk_retries.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from botocore.awsrequest import AWSResponse, HTTPHeaders
from botocore.client import BaseClient
from botocore.model import OperationModel

from circleback.adapters.store.keys import (
    ACTION_PREFIX,
    CALENDAR_LINKS_SK,
    CONTACT_PREFIX,
    DIGEST_PREFIX,
    EVENT_PREFIX,
    FAVOUR_PREFIX,
    LUNCH_PREFIX,
    NEW_PERSON_PREFIX,
    PROFILE_SK,
    RECONNECT_PREFIX,
    REPLY_PREFIX,
    SHARE_PREFIX,
    TOKEN_PREFIX,
    TOUCH_PREFIX,
    TRIP_PREFIX,
)

ITEM_KINDS = (
    (PROFILE_SK, "owner"),
    (CONTACT_PREFIX, "contact"),
    (TOUCH_PREFIX, "touch"),
    (EVENT_PREFIX, "event"),
    (DIGEST_PREFIX, "digest run"),
    (ACTION_PREFIX, "action record"),
    (TOKEN_PREFIX, "access token"),
    (TRIP_PREFIX, "trip"),
    (LUNCH_PREFIX, "team lunch"),
    (FAVOUR_PREFIX, "favour"),
    (RECONNECT_PREFIX, "reconnect"),
    (SHARE_PREFIX, "shared item"),
    (REPLY_PREFIX, "reply outcome"),
    (NEW_PERSON_PREFIX, "new person"),
    (CALENDAR_LINKS_SK, "calendar links"),
)


class Site(NamedTuple):
    """One kind of AWS call: service, operation and what it is about (the item kind, the secret's stage...)."""

    service: str
    operation: str
    target: str

    def __str__(self) -> str:
        return f"{self.service} {self.operation} {self.target}"


def site_of(service: str, operation: str, request: dict[str, Any]) -> Site:
    """Name a call from its request, as the inventory names it."""
    if service == "dynamodb":
        return Site(service, operation, _dynamodb_target(operation, request))
    if service == "secretsmanager":
        return Site(service, operation, str(request.get("VersionStage", "AWSCURRENT")))
    return Site(service, operation, {"sesv2": "digest", "sqs": "digest queue", "s3": "received mail"}.get(service, "?"))


def _dynamodb_target(operation: str, request: dict[str, Any]) -> str:
    if operation == "Query":
        if "IndexName" in request:
            return "schedule index"
        prefix = request["ExpressionAttributeValues"].get(":prefix")
        return f"{_kind(prefix['S'])}s" if prefix else "owner partition"
    if operation == "TransactWriteItems":
        parts = []
        for entry in request["TransactItems"]:
            ((kind, write),) = entry.items()
            parts.append(f"{kind} {_kind((write.get('Item') or write['Key'])['SK']['S'])}")
        return " + ".join(parts)
    if "Item" not in request and "Key" not in request:
        return "table"  # a Scan: only the tests' snapshots make one
    sk = (request.get("Item") or request["Key"])["SK"]["S"]
    target = _kind(sk)
    expected = request.get("ExpressionAttributeValues", {}).get(":expected", {}).get("S")
    return f"{target} from {expected}" if target == "digest run" and expected else target


def _kind(sk: str) -> str:
    return next(kind for prefix, kind in ITEM_KINDS if sk.startswith(prefix))


# --- faults ---------------------------------------------------------------------------------------------

THROTTLED = "throttled"
SERVER_ERROR = "server error"
ACCESS_DENIED = "access denied"
CONDITION_FAILED = "condition failed"  # a conditional PutItem / UpdateItem
ALREADY_DONE = "guard exists"  # a transaction's first item (the record that makes it once) is there already
ITEM_CHANGED = "item changed"  # a transaction's later item (a contact, the owner) moved since it was read
TX_CONFLICT = "transaction conflict"  # another transaction on one of the items was in flight
QUOTA = "daily quota"  # SES: the account's daily sending quota is used up
ENTRIES_FAILED = "entries failed"  # SQS: the batch call succeeded but refused some entries

TRANSIENT = (THROTTLED, SERVER_ERROR, ACCESS_DENIED)

# The code and HTTP status each service answers with (from each service's API reference).
ERRORS: dict[tuple[str, str], tuple[str, int]] = {
    ("dynamodb", THROTTLED): ("ProvisionedThroughputExceededException", 400),
    ("dynamodb", SERVER_ERROR): ("InternalServerError", 500),
    ("dynamodb", ACCESS_DENIED): ("AccessDeniedException", 400),
    ("dynamodb", CONDITION_FAILED): ("ConditionalCheckFailedException", 400),
    ("sesv2", THROTTLED): ("TooManyRequestsException", 429),
    ("sesv2", SERVER_ERROR): ("InternalFailure", 500),
    ("sesv2", ACCESS_DENIED): ("AccessDeniedException", 403),
    ("sesv2", QUOTA): ("LimitExceededException", 400),
    ("secretsmanager", THROTTLED): ("ThrottlingException", 400),
    ("secretsmanager", SERVER_ERROR): ("InternalServiceError", 500),
    ("secretsmanager", ACCESS_DENIED): ("AccessDeniedException", 400),
    ("sqs", THROTTLED): ("ThrottlingException", 400),
    ("sqs", SERVER_ERROR): ("InternalFailure", 500),
    ("sqs", ACCESS_DENIED): ("AccessDeniedException", 400),
    ("s3", THROTTLED): ("SlowDown", 503),
    ("s3", SERVER_ERROR): ("InternalError", 500),
    ("s3", ACCESS_DENIED): ("AccessDenied", 403),
}
TRANSACTION_REASONS = {ALREADY_DONE: "ConditionalCheckFailed", ITEM_CHANGED: "ConditionalCheckFailed"}


def answer(site: Site, fault: str, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """The status and parsed body the service would answer `request` with, for `fault`."""
    if fault == ENTRIES_FAILED:  # a 200 whose every entry was refused
        failed = [{"Id": e["Id"], "SenderFault": False, "Code": "InternalError"} for e in request["Entries"]]
        return 200, {"Successful": [], "Failed": failed}
    if fault in (ALREADY_DONE, ITEM_CHANGED, TX_CONFLICT):
        reasons: list[dict[str, str]] = [{"Code": "None"} for _ in request["TransactItems"]]
        index = 0 if fault == ALREADY_DONE else len(reasons) - 1
        reasons[index] = {"Code": TRANSACTION_REASONS.get(fault, "TransactionConflict")}
        body = _error("TransactionCanceledException", f"Transaction cancelled ({fault})", 400)
        return 400, {**body, "CancellationReasons": reasons}
    code, status = ERRORS[(site.service, fault)]
    message = "Daily message quota exceeded." if fault == QUOTA else f"injected: {fault}"
    return status, _error(code, message, status)


def _error(code: str, message: str, status: int) -> dict[str, Any]:
    return {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}


# --- the hook -------------------------------------------------------------------------------------------


@dataclass
class Plan:
    site: Site
    fault: str
    nth: int = 1  # the how-many-th call of the site fails first
    times: int = 1  # how many of its calls in a row fail, from the nth on (2: the retry, or the redelivery, too)


@dataclass
class Injector:
    """A `before-call` handler for every client of a session: records each call, fails the planned one, and
    can run something else in full just before the n-th call (a deterministic interleaving)."""

    calls: list[Site] = field(default_factory=list)
    written: set[Key] = field(default_factory=set)  # every item any write went for, until cleared
    plan: Plan | None = None
    also: list[Plan] = field(default_factory=list)  # more faults, each on its own site's n-th call (two faults)
    fired: int = 0
    interleave: tuple[int, Callable[[], object]] | None = None  # (n, run) : run before the n-th call
    _seen: int = 0
    _inside: bool = False
    _also_seen: dict[Site, int] = field(default_factory=dict)  # calls of each site `also` names

    @contextmanager
    def unobserved(self) -> Iterator[None]:
        """The test's own calls (reading the table to check it): neither counted nor failed."""
        self._inside = True
        try:
            yield
        finally:
            self._inside = False

    def reset(self) -> None:
        self.calls.clear()
        self.plan, self.fired, self.interleave, self._seen = None, 0, None, 0
        self.also = []
        self._also_seen.clear()

    def __call__(self, model: OperationModel, params: dict[str, Any], **_: Any) -> tuple[AWSResponse, Any] | None:
        request = _request_body(params)
        site = site_of(model.service_model.service_name, model.name, request)
        if site.service == "dynamodb":
            self.written.update(written_keys(site.operation, request))
        if self._inside:
            return None
        self.calls.append(site)
        if self.interleave is not None and len(self.calls) == self.interleave[0]:
            self._inside = True
            try:
                self.interleave[1]()
            finally:
                self._inside = False
        if self.plan is not None and site == self.plan.site:
            self._seen += 1
            if self.plan.nth <= self._seen < self.plan.nth + self.plan.times:
                self.fired += 1
                status, parsed = answer(site, self.plan.fault, request)
                return AWSResponse(str(params.get("url", "")), status, HTTPHeaders(), None), parsed
        if any(extra.site == site for extra in self.also):
            seen = self._also_seen[site] = self._also_seen.get(site, 0) + 1
            for extra in self.also:
                if extra.site == site and extra.nth == seen:
                    self.fired += 1
                    status, parsed = answer(site, extra.fault, request)
                    return AWSResponse(str(params.get("url", "")), status, HTTPHeaders(), None), parsed
        return None


Key = tuple[str, str]
WRITES = ("PutItem", "UpdateItem", "DeleteItem")


def written_keys(operation: str, request: dict[str, Any]) -> list[Key]:
    """The (PK, SK) of each item a DynamoDB request may write."""
    if operation == "TransactWriteItems":
        writes = [write for entry in request["TransactItems"] for write in entry.values()]
    else:
        writes = [request] if operation in WRITES else []
    keys = [write.get("Item") or write["Key"] for write in writes]
    return [(key["PK"]["S"], key["SK"]["S"]) for key in keys]


def _request_body(params: dict[str, Any]) -> dict[str, Any]:
    """A JSON protocol's request (DynamoDB, SQS, Secrets Manager, SES v2); S3's (REST, a stream) names itself."""
    body = params.get("body") or b"{}"
    if not isinstance(body, bytes | str):
        return {}
    try:
        loaded: dict[str, Any] = json.loads(body)
    except ValueError:
        return {}
    return loaded


# --- on the wire: every attempt answered, so the client's own retries run as deployed ---------------------


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.data


def failing_sends(client: BaseClient, code: str, status: int, event: str = "before-send") -> list[str]:
    """Answer every attempt `client` sends with the error; returns the list the attempts are counted in.

    A before-send handler that returns a response replaces the HTTP call (the Stubber's hooks only notify).
    """
    attempts: list[str] = []

    def fail(request: Any, **_: Any) -> AWSResponse:
        attempts.append(request.url)
        headers = HTTPHeaders()
        headers["Content-Type"] = "application/x-amz-json-1.0"
        headers["x-amzn-ErrorType"] = code
        body = json.dumps({"__type": code, "message": "injected"}).encode()
        return AWSResponse(request.url, status, headers, _Body(body))

    client.meta.events.register_first(event, fail)  # type: ignore[arg-type]
    return attempts
