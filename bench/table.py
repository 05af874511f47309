"""A stand-in for DynamoDB (and the two other services the digest calls) that serialises its answers the way
the services do, so the production client can be fed realistic wire bytes without an emulator's overhead.

Only what the measured code paths ask is implemented, and anything else fails loudly rather than being guessed:
GetItem and Query (key conditions on the table's keys, ProjectionExpression, Limit, ExclusiveStartKey, 1 MB
pages), PutItem, UpdateItem of the form `SET a = :v, ... REMOVE b, ...`, SES v2 SendEmail and Secrets Manager
GetSecretValue. Conditions are taken to hold: the bench measures the normal path. Every answer carries the
read or write units DynamoDB would bill for it (bench.sizes), GSI writes included.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from botocore.awsrequest import AWSResponse

from bench import sizes
from bench.wire import Exchange, RawBody, json_response

Item = dict[str, Any]
DYNAMODB_JSON = "application/x-amz-json-1.0"
SECRETS_JSON = "application/x-amz-json-1.1"
REST_JSON = "application/json"

_KEY_CONDITION = re.compile(
    r"^\s*(?P<pk>[#\w]+)\s*=\s*(?P<pkv>:\w+)\s*"
    r"(?:AND\s+(?:begins_with\(\s*(?P<bsk>[#\w]+)\s*,\s*(?P<bv>:\w+)\s*\)"
    r"|(?P<btsk>[#\w]+)\s+BETWEEN\s+(?P<lo>:\w+)\s+AND\s+(?P<hi>:\w+)"
    r"|(?P<csk>[#\w]+)\s*(?P<op><=|>=|<|>|=)\s*(?P<cv>:\w+)))?\s*$",
    re.IGNORECASE,
)
_SET_REMOVE = re.compile(r"^\s*(?:SET\s+(?P<set>.*?))?\s*(?:REMOVE\s+(?P<remove>.*?))?\s*$", re.IGNORECASE | re.DOTALL)


class Unsupported(Exception):
    """The code under measurement made a call this stand-in does not implement: extend it, do not guess."""


class Table:
    """One table's items in memory (wire format), with its key schema and its KEYS_ONLY secondary indexes."""

    def __init__(
        self,
        name: str,
        items: Iterable[Item],
        *,
        hash_key: str = "PK",
        range_key: str = "SK",
        index_keys: Iterable[tuple[str, str]] = (("GSI1PK", "GSI1SK"),),
    ) -> None:
        self.name = name
        self.hash_key = hash_key
        self.range_key = range_key
        self.index_keys = tuple(index_keys)
        self.items: dict[tuple[str, str], Item] = {}
        for item in items:
            self.items[self._key_of(item)] = item
        self._partitions: dict[str, list[tuple[bytes, Item]]] | None = None

    # --- reads ----------------------------------------------------------------------------------------------

    def get_item(self, request: Mapping[str, Any]) -> tuple[dict[str, Any], float]:
        item = self.items.get(self._key_of(request["Key"]))
        consistent = bool(request.get("ConsistentRead"))
        units = sizes.read_units(sizes.item_size(item) if item else 0, consistent=consistent)
        if item is None:
            return {}, units
        return {"Item": _project(item, request)}, units

    def query(self, request: Mapping[str, Any]) -> tuple[dict[str, Any], float]:
        if "IndexName" in request or "FilterExpression" in request:
            raise Unsupported("Query on an index or with a FilterExpression")
        candidates = self._matching(request)
        if request.get("ScanIndexForward") is False:
            candidates.reverse()
        start = request.get("ExclusiveStartKey")
        if start is not None:
            after = self._key_of(start)
            position = next((i for i, item in enumerate(candidates) if self._key_of(item) == after), None)
            if position is None:
                raise Unsupported("an ExclusiveStartKey that is not an item of this query")
            candidates = candidates[position + 1 :]
        limit = request.get("Limit")
        page: list[Item] = []
        total = 0
        for item in candidates:
            size = sizes.item_size(item)
            if (page and total + size > sizes.PAGE_LIMIT_BYTES) or (limit is not None and len(page) == limit):
                break
            page.append(item)
            total += size
        response: dict[str, Any] = {"Count": len(page), "Items": [_project(item, request) for item in page]}
        if len(page) < len(candidates):
            last = page[-1]
            response["LastEvaluatedKey"] = {self.hash_key: last[self.hash_key], self.range_key: last[self.range_key]}
        response["ScannedCount"] = len(page)
        return response, sizes.read_units(total, consistent=bool(request.get("ConsistentRead")))

    def _matching(self, request: Mapping[str, Any]) -> list[Item]:
        match = _KEY_CONDITION.match(request["KeyConditionExpression"])
        if match is None:
            raise Unsupported(f"key condition {request['KeyConditionExpression']!r}")
        names = request.get("ExpressionAttributeNames", {})
        values = request.get("ExpressionAttributeValues", {})
        if names.get(match["pk"], match["pk"]) != self.hash_key:
            raise Unsupported("a key condition on something other than the table's hash key")
        pk = values[match["pkv"]]["S"]
        test = _sort_key_test(match, names, values, self.range_key)
        return [item for sk, item in self._partition(pk) if test(sk)]

    def _partition(self, pk: str) -> list[tuple[bytes, Item]]:
        """The partition's items in sort-key order (UTF-8 bytes, as DynamoDB compares strings)."""
        if self._partitions is None:
            partitions: dict[str, list[tuple[bytes, Item]]] = {}
            for (hash_value, range_value), item in self.items.items():
                partitions.setdefault(hash_value, []).append((range_value.encode("utf-8"), item))
            for rows in partitions.values():
                rows.sort(key=lambda row: row[0])
            self._partitions = partitions
        return self._partitions.get(pk, [])

    # --- writes ---------------------------------------------------------------------------------------------

    def put_item(self, request: Mapping[str, Any]) -> tuple[dict[str, Any], float]:
        new = request["Item"]
        key = self._key_of(new)
        old = self.items.get(key)
        self._store(key, new)
        size = max(sizes.item_size(new), sizes.item_size(old) if old else 0)
        return {}, sizes.write_units(size) + self._index_write_units(old, new)

    def update_item(self, request: Mapping[str, Any]) -> tuple[dict[str, Any], float]:
        key = self._key_of(request["Key"])
        old = self.items.get(key)
        new = _apply_update(
            dict(old) if old else dict(request["Key"]),
            request["UpdateExpression"],
            request.get("ExpressionAttributeNames", {}),
            request.get("ExpressionAttributeValues", {}),
        )
        self._store(key, new)
        size = max(sizes.item_size(new), sizes.item_size(old) if old else 0)
        if request.get("ReturnValues", "NONE") != "NONE":
            raise Unsupported("UpdateItem with ReturnValues")
        return {}, sizes.write_units(size) + self._index_write_units(old, new)

    def transact_write_items(self, request: Mapping[str, Any]) -> tuple[dict[str, Any], float]:
        """Each write of the transaction as on its own, at twice the units (transactional writes)."""
        units = 0.0
        for entry in request["TransactItems"]:
            ((kind, body),) = entry.items()
            if kind == "Put":
                units += self.put_item(body)[1]
            elif kind == "Update":
                units += self.update_item(body)[1]
            elif kind == "Delete":
                key = self._key_of(body["Key"])
                old = self.items.pop(key, None)
                self._partitions = None
                units += sizes.write_units(sizes.item_size(old) if old else 0)
            elif kind == "ConditionCheck":
                units += 1.0
            else:
                raise Unsupported(f"TransactWriteItems entry {kind}")
        return {}, units * sizes.TRANSACTIONAL

    def _store(self, key: tuple[str, str], item: Item) -> None:
        self.items[key] = item
        self._partitions = None

    def _index_write_units(self, old: Item | None, new: Item) -> float:
        """A KEYS_ONLY index writes an entry when its keys appear, deletes one when they go, and does both when
        they change (two writes); each entry holds the table's and the index's keys."""
        units = 0.0
        for index_hash, index_range in self.index_keys:
            before = _index_entry(old, index_hash, index_range, self.hash_key, self.range_key)
            after = _index_entry(new, index_hash, index_range, self.hash_key, self.range_key)
            for entry in (before, after):
                if entry is not None and before != after:
                    units += sizes.write_units(sizes.item_size(entry))
        return units

    def _key_of(self, item: Mapping[str, Any]) -> tuple[str, str]:
        return item[self.hash_key]["S"], item[self.range_key]["S"]


def _index_entry(item: Item | None, index_hash: str, index_range: str, pk: str, sk: str) -> Item | None:
    if item is None or index_hash not in item or index_range not in item:
        return None
    return {name: item[name] for name in (pk, sk, index_hash, index_range)}


def _sort_key_test(match: re.Match[str], names: Mapping[str, str], values: Mapping[str, Any], range_key: str) -> Any:
    def check(name: str) -> None:
        if names.get(name, name) != range_key:
            raise Unsupported("a key condition on something other than the table's range key")

    def text(placeholder: str) -> bytes:
        return str(values[placeholder]["S"]).encode("utf-8")

    if match["bsk"]:
        check(match["bsk"])
        prefix = text(match["bv"])
        return lambda sk: sk.startswith(prefix)
    if match["btsk"]:
        check(match["btsk"])
        low, high = text(match["lo"]), text(match["hi"])
        return lambda sk: low <= sk <= high
    if match["csk"]:
        check(match["csk"])
        bound = text(match["cv"])
        compare: dict[str, Callable[[bytes], bool]] = {
            "<": lambda sk: sk < bound,
            "<=": lambda sk: sk <= bound,
            ">": lambda sk: sk > bound,
            ">=": lambda sk: sk >= bound,
            "=": lambda sk: sk == bound,
        }
        return compare[match["op"]]
    return lambda sk: True


def _project(item: Item, request: Mapping[str, Any]) -> Item:
    expression = request.get("ProjectionExpression")
    if not expression:
        return item
    names = request.get("ExpressionAttributeNames", {})
    wanted = [names.get(part.strip(), part.strip()) for part in expression.split(",")]
    if any("." in name or "[" in name for name in wanted):
        raise Unsupported("a ProjectionExpression with nested paths")
    return {name: item[name] for name in wanted if name in item}


def _apply_update(item: Item, expression: str, names: Mapping[str, str], values: Mapping[str, Any]) -> Item:
    match = _SET_REMOVE.match(expression)
    if match is None or not (match["set"] or match["remove"]):
        raise Unsupported(f"update expression {expression!r}")
    for assignment in filter(None, (match["set"] or "").split(",")):
        target, _, source = assignment.partition("=")
        source = source.strip()
        if source not in values:
            raise Unsupported(f"an assignment other than `name = :value`: {assignment!r}")
        item[names.get(target.strip(), target.strip())] = values[source]
    for target in filter(None, (match["remove"] or "").split(",")):
        item.pop(names.get(target.strip(), target.strip()), None)
    return item


class FakeAws:
    """A `before-send` handler answering the digest's calls from a Table, recording each answer it gives."""

    def __init__(self, table: Table, secret: str, message_id: str = "0100019a-bench-message-id-000000") -> None:
        self.table = table
        self.secret = secret
        self.message_id = message_id
        self.exchanges: list[Exchange] = []
        self.requests: list[dict[str, Any]] = []  # each call's parameters, in step with `exchanges`

    def attach(self, client: Any) -> None:
        client.meta.events.register("before-send", self._answer)

    def _answer(self, event_name: str, request: Any, **_: Any) -> AWSResponse:
        _event, service, operation = event_name.split(".", 2)
        body = request.body
        payload = json.loads(body) if body else {}
        exchange = self._respond(service, operation, payload)
        self.exchanges.append(exchange)
        self.requests.append(payload)
        headers: Any = dict(exchange.headers)
        return AWSResponse(request.url, exchange.status, headers, RawBody(exchange.body))

    def _respond(self, service: str, operation: str, payload: Mapping[str, Any]) -> Exchange:
        if service == "dynamodb":
            handlers = {
                "GetItem": self.table.get_item,
                "Query": self.table.query,
                "PutItem": self.table.put_item,
                "UpdateItem": self.table.update_item,
                "TransactWriteItems": self.table.transact_write_items,
            }
            if operation not in handlers:
                raise Unsupported(f"dynamodb.{operation}")
            response, units = handlers[operation](payload)
            exchange = json_response(service, operation, response, content_type=DYNAMODB_JSON)
            reads = operation in ("GetItem", "Query")
            return Exchange(
                service,
                operation,
                exchange.status,
                exchange.headers,
                exchange.body,
                read_units=units if reads else 0.0,
                write_units=0.0 if reads else units,
            )
        if service == "sesv2" and operation == "SendEmail":
            return json_response(service, operation, {"MessageId": self.message_id}, content_type=REST_JSON)
        if service == "secrets-manager" and operation == "GetSecretValue":
            return self._secret(payload)
        raise Unsupported(f"{service}.{operation}")

    def _secret(self, payload: Mapping[str, Any]) -> Exchange:
        stage = payload.get("VersionStage", "AWSCURRENT")
        if stage != "AWSCURRENT":
            return json_response(
                "secrets-manager",
                "GetSecretValue",
                {"__type": "ResourceNotFoundException", "message": f"Secrets Manager can't find {stage}."},
                status=400,
                content_type=SECRETS_JSON,
            )
        return json_response(
            "secrets-manager",
            "GetSecretValue",
            {
                "ARN": f"arn:aws:secretsmanager:us-east-1:123456789012:secret:{payload['SecretId']}-AbCdEf",
                "Name": payload["SecretId"],
                "SecretString": self.secret,
                "VersionId": "00000000-0000-0000-0000-000000000001",
                "VersionStages": ["AWSCURRENT"],
                "CreatedDate": 1767225600.0,
            },
            content_type=SECRETS_JSON,
        )
