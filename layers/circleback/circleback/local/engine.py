"""A small in-memory DynamoDB under a real botocore client: the table of `circleback --local` and `circleback preview`.

Why not moto, which these ran on: importing moto alone costs more (~1.1 s) than a whole command may take (2.5 times
`python -c "import boto3"`, ~0.7 s), and loading 1,500 contacts into it took ~7 s. This engine costs botocore's
import and one client; loading a 30,000-item snapshot, and reading a whole partition, take a fraction of a second.

How: the way botocore's own Stubber answers calls. The client is botocore's (not boto3's, which would add
s3transfer to the import), so parameters are validated, paginators paginate and errors are botocore's modelled
exceptions (`client.exceptions.ConditionalCheckFailedException`, `TransactionCanceledException` with its
`CancellationReasons` ...). A `before-parameter-build` handler keeps the call's parameters; a `before-call`
handler, registered last so that anyone else's handlers on that event run first, answers from the in-memory
tables instead of sending the request, with the response botocore's parser would have made.

What it answers: exactly what the store uses, with DynamoDB's semantics and DynamoDB Local's messages
(tests/integration/test_local_engine.py runs the same calls on both): CreateTable, DescribeTable, DeleteTable,
ListTables, UpdateTimeToLive, DescribeTimeToLive, GetItem, PutItem, UpdateItem, DeleteItem, Query (on the table
and its global secondary indexes, Limit and the 1 MB page, ExclusiveStartKey, ScanIndexForward, Select,
filter and projection), BatchWriteItem, BatchGetItem and TransactWriteItems; the whole expression language
(expressions.py). Anything else (another operation, a legacy parameter such as `Expected`, consumed capacity)
is a ValidationException that names it, never a silent approximation. Items expire only when deleted (as with
moto, TTL is recorded, not enforced).

Items are kept in botocore's typed form ({"S": "..."}, binary as bytes), as a snapshot of the table holds them:
`load` takes a snapshot's items as they are, `items` gives them back in key order, and `writes` counts the write
calls made, so the local store saves only after one.

Sorted access stays fast for big partitions: a partition keeps its items by sort key in a dict, and a list of its
sort keys that is kept sorted (bisect for a new key, one sort after a bulk load); a range is found by bisection.
A global secondary index is kept likewise, by its own keys.
"""

from __future__ import annotations

import itertools
import os
import threading
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from circleback.local.expressions import (
    Expressions,
    Item,
    ValidationError,
    Value,
    apply_update,
    clean_item,
    item_size,
    kind_of,
    project,
    sort_key,
    updated_attributes,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

DEFAULT_REGION = "us-east-1"
ACCOUNT = "000000000000"
MAX_ITEM_BYTES = 400 * 1024
MAX_PAGE_BYTES = 1024 * 1024
MAX_BATCH_WRITE = 25
MAX_BATCH_GET = 100
MAX_TRANSACTION = 100
_PARAMS = "circleback.engine.params"  # where the before-parameter-build handler leaves a call's parameters
_CONDITION_FAILED = "The conditional request failed"
_NO_TABLE = "Cannot do operations on a non-existent table"
_UNSUPPORTED = "circleback's local engine does not support"


class EngineError(Exception):
    """A DynamoDB error answer: its code, its message and any modelled fields (CancellationReasons, Item)."""

    def __init__(self, code: str, message: str, **fields: Any) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.fields = fields


def _validation(message: str) -> EngineError:
    return EngineError("ValidationException", message)


# --- storage -----------------------------------------------------------------------------------------------------


class _Partition:
    """The items of one partition key, by sort key, and the sort keys in order (rebuilt lazily after a bulk load)."""

    __slots__ = ("dirty", "items", "keys", "sizes")

    def __init__(self) -> None:
        self.items: dict[Any, Any] = {}
        self.keys: list[Any] = []
        self.dirty = False
        self.sizes: dict[Any, int] = {}  # item sizes, as known: computed when written, else when first read

    def put(self, key: Any, value: Any, size: int | None = None) -> None:
        if key not in self.items and not self.dirty:
            if not self.keys or key > self.keys[-1]:
                self.keys.append(key)
            else:
                insort(self.keys, key)
        self.items[key] = value
        if size is None:
            self.sizes.pop(key, None)
        else:
            self.sizes[key] = size

    def put_unsorted(self, key: Any, value: Any) -> None:
        self.items[key] = value
        self.sizes.pop(key, None)
        self.dirty = True

    def remove(self, key: Any) -> None:
        if key in self.items:
            del self.items[key]
            self.sizes.pop(key, None)
            if not self.dirty:
                del self.keys[bisect_left(self.keys, key)]

    def size(self, key: Any) -> int:
        size = self.sizes.get(key)
        if size is None:
            size = self.sizes[key] = item_size(self.items[key])
        return size

    def ordered(self) -> list[Any]:
        if self.dirty:
            self.keys = sorted(self.items)
            self.dirty = False
        return self.keys


Key = tuple[Any, Any]  # a table item's (partition key, sort key), as sort_key() orders them; None for no sort key


class _Index:
    """A global secondary index: entries (index sort key, table key) -> table key, per index partition key."""

    def __init__(self, definition: Mapping[str, Any]) -> None:
        self.name: str = definition["IndexName"]
        self.definition = definition
        schema = {k["KeyType"]: k["AttributeName"] for k in definition["KeySchema"]}
        self.hash_key: str = schema["HASH"]
        self.range_key: str | None = schema.get("RANGE")
        projection = definition.get("Projection") or {}
        self.projection: str = projection.get("ProjectionType", "ALL")
        self.non_key: tuple[str, ...] = tuple(projection.get("NonKeyAttributes", ()))
        self.partitions: dict[Any, _Partition] = {}

    def entry(self, item: Item, key: Key) -> tuple[Any, tuple[Any, Any, Any]] | None:
        """Where the item sits in the index (None: not in it, the index being sparse)."""
        hash_value = item.get(self.hash_key)
        if hash_value is None:
            return None
        if self.range_key is None:
            return sort_key(hash_value), (None, *key)
        range_value = item.get(self.range_key)
        if range_value is None:
            return None
        return sort_key(hash_value), (sort_key(range_value), *key)

    def replace(self, old: Item | None, new: Item | None, key: Key, *, bulk: bool = False) -> None:
        before = self.entry(old, key) if old is not None else None
        after = self.entry(new, key) if new is not None else None
        if before == after:
            return
        if before is not None:
            partition = self.partitions[before[0]]
            partition.remove(before[1])
            if not partition.items:
                del self.partitions[before[0]]
        if after is not None:
            partition = self.partitions.setdefault(after[0], _Partition())
            if bulk:
                partition.put_unsorted(after[1], key)
            else:
                partition.put(after[1], key)

    def key_names(self, table: _Table) -> tuple[str, ...]:
        names = [self.hash_key, *([self.range_key] if self.range_key else [])]
        return (*names, *(n for n in table.key_names if n not in names))

    def projected(self, item: Item, table: _Table) -> Item:
        if self.projection == "ALL":
            return dict(item)
        names = set(self.key_names(table)) | set(self.non_key)
        return {name: value for name, value in item.items() if name in names}

    def count(self) -> int:
        return sum(len(p.items) for p in self.partitions.values())


class _Table:
    def __init__(self, name: str, request: Mapping[str, Any], region: str) -> None:
        self.name = name
        self.region = region
        self.types: dict[str, str] = {a["AttributeName"]: a["AttributeType"] for a in request["AttributeDefinitions"]}
        schema = {k["KeyType"]: k["AttributeName"] for k in request["KeySchema"]}
        self.hash_key: str = schema["HASH"]
        self.range_key: str | None = schema.get("RANGE")
        self.key_names: tuple[str, ...] = (self.hash_key, *([self.range_key] if self.range_key else []))
        self.indexes = {d["IndexName"]: _Index(d) for d in request.get("GlobalSecondaryIndexes") or []}
        for name_ in [*self.key_names, *(n for i in self.indexes.values() for n in (i.hash_key, i.range_key) if n)]:
            if name_ not in self.types:
                raise _validation(
                    "One or more parameter values were invalid: Some index key attributes are not defined in "
                    "AttributeDefinitions. Keys: [" + name_ + "], AttributeDefinitions: [" + ", ".join(self.types) + "]"
                )
        self.request = request
        self.created = datetime.now(UTC)
        self.ttl: dict[str, Any] | None = None
        self.partitions: dict[Any, _Partition] = {}

    # keys
    def key_of(self, item: Item) -> Key:
        range_value = item[self.range_key] if self.range_key else None
        return sort_key(item[self.hash_key]), sort_key(range_value) if range_value is not None else None

    def key_item(self, item: Item) -> Item:
        return {name: item[name] for name in self.key_names}

    def check_key(self, key: Mapping[str, Any]) -> tuple[Key, Item]:
        """A request's Key, checked as DynamoDB checks it, and the key as stored."""
        if len(key) != len(self.key_names):
            raise _validation("The number of conditions on the keys is invalid")
        if set(key) != set(self.key_names):
            raise _validation("One of the required keys was not given a value")
        cleaned = clean_item(key)
        self._check_key_values(cleaned)
        return self.key_of(cleaned), cleaned

    def check_new_item(self, item: Item) -> Key:
        """A put's item: its keys there, of their types, not empty."""
        if any(name not in item for name in self.key_names):
            raise _validation("One of the required keys was not given a value")
        self._check_key_values(item)
        return self.key_of(item)

    def _check_key_values(self, item: Item) -> None:
        for name in self.key_names:
            value = item[name]
            if kind_of(value) != self.types[name]:
                raise _validation("One or more parameter values were invalid: Type mismatch for key")
            if kind_of(value) in ("S", "B") and not value[kind_of(value)]:
                raise _validation(
                    "One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
                    f"contain an empty string value. Key: {name}"
                )

    def check_stored(self, item: Item) -> int:
        """What DynamoDB checks of an item about to be stored: its index keys' types, its size (returned)."""
        for index in self.indexes.values():
            for name in (index.hash_key, index.range_key):
                value = item.get(name) if name else None
                if value is None:
                    continue
                if kind_of(value) != self.types[name]:  # type: ignore[index]
                    raise ValidationError("One or more parameter values were invalid: Type mismatch for Index Key")
                if kind_of(value) in ("S", "B") and not value[kind_of(value)]:
                    raise ValidationError(
                        "One or more parameter values are not valid. A value specified for a secondary index key is "
                        "not supported. The AttributeValue for a key attribute cannot contain an empty string value. "
                        f"IndexName: {index.name}, IndexKey: {name}"
                    )
        size = item_size(item)
        if size > MAX_ITEM_BYTES:
            raise ValidationError("Item size has exceeded the maximum allowed size")
        return size

    # items
    def get(self, key: Key) -> Item | None:
        partition = self.partitions.get(key[0])
        if partition is None:
            return None
        item: Item | None = partition.items.get(key[1])
        return item

    def write(self, key: Key, new: Item | None, size: int | None = None) -> None:
        """Store `new` (of `size`, when known) under `key` (None deletes), keeping the indexes in step."""
        partition = self.partitions.get(key[0])
        old: Item | None = partition.items.get(key[1]) if partition is not None else None
        if new is None:
            if partition is None or old is None:
                return
            partition.remove(key[1])
            if not partition.items:
                del self.partitions[key[0]]
        else:
            if partition is None:
                partition = self.partitions[key[0]] = _Partition()
            partition.put(key[1], new, size)
        for index in self.indexes.values():
            index.replace(old, new, key)

    def load(self, item: Item) -> None:
        try:
            for name in self.key_names:
                if kind_of(item[name]) != self.types[name]:
                    raise ValueError(f"its key {name} is not of type {self.types[name]}")
            key = self.key_of(item)
        except (KeyError, TypeError, AttributeError, StopIteration) as error:
            raise ValueError(f"an item without its keys {', '.join(self.key_names)} ({error!r})") from None
        partition = self.partitions.get(key[0])
        if partition is None:
            partition = self.partitions[key[0]] = _Partition()
        old = partition.items.get(key[1])
        partition.put_unsorted(key[1], item)
        for index in self.indexes.values():
            index.replace(old, item, key, bulk=True)

    def count(self) -> int:
        return sum(len(p.items) for p in self.partitions.values())

    def describe(self) -> dict[str, Any]:
        arn = f"arn:aws:dynamodb:{self.region}:{ACCOUNT}:table/{self.name}"
        billing = self.request.get("BillingMode", "PROVISIONED")
        throughput = self.request.get("ProvisionedThroughput") or {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
        description: dict[str, Any] = {
            "AttributeDefinitions": [dict(a) for a in self.request["AttributeDefinitions"]],
            "TableName": self.name,
            "KeySchema": [dict(k) for k in self.request["KeySchema"]],
            "TableStatus": "ACTIVE",
            "CreationDateTime": self.created,
            "ProvisionedThroughput": {**throughput, "NumberOfDecreasesToday": 0},
            "TableSizeBytes": 0,
            "ItemCount": self.count(),
            "TableArn": arn,
            "BillingModeSummary": {"BillingMode": billing},
        }
        if self.indexes:
            description["GlobalSecondaryIndexes"] = [
                {
                    "IndexName": index.name,
                    "KeySchema": [dict(k) for k in index.definition["KeySchema"]],
                    "Projection": dict(index.definition.get("Projection") or {"ProjectionType": "ALL"}),
                    "IndexStatus": "ACTIVE",
                    "ProvisionedThroughput": {**throughput, "NumberOfDecreasesToday": 0},
                    "IndexSizeBytes": 0,
                    "ItemCount": index.count(),
                    "IndexArn": f"{arn}/index/{index.name}",
                }
                for index in self.indexes.values()
            ]
        return description


# --- the engine --------------------------------------------------------------------------------------------------

_session_lock = threading.Lock()
_session: Any = None


def _botocore_session() -> Any:
    """One botocore session for every engine: its loader keeps the service model once loaded.

    Its loader knows that DynamoDB is the one service it is asked for. botocore's own finds out whether a service
    exists by listing its ~400 service folders (once for the model, once for the endpoint rules), which is a
    third of what making the client costs; AWS_DATA_PATH is honoured as botocore honours it.
    """
    global _session
    with _session_lock:
        if _session is None:
            import botocore.session
            from botocore.loaders import Loader

            class DynamoDBLoader(Loader):
                def list_available_services(self, type_name: str) -> list[str]:
                    return ["dynamodb"]

            session = botocore.session.get_session()
            paths = session.get_config_variable("data_path")
            extra = [str(Path(os.path.expandvars(p)).expanduser()) for p in paths.split(os.pathsep)] if paths else []
            session.register_component("data_loader", DynamoDBLoader(extra_search_paths=extra))
            _session = session
        return _session


class Engine:
    """In-memory DynamoDB tables, answering the calls of `client`: by default a `DirectClient`, which skips
    botocore altogether; with `botocore=True` a botocore DynamoDB client made for it, whose parameters botocore
    validates (the contract tests run the store's calls both ways).
    """

    def __init__(self, region: str = DEFAULT_REGION, *, botocore: bool = False) -> None:
        self.region = region
        self.writes = 0  # successful write calls (PutItem, UpdateItem, DeleteItem, BatchWriteItem, TransactWriteItems)
        self._tables: dict[str, _Table] = {}
        self._lock = threading.RLock()
        self._request_ids = itertools.count(1)
        self.client: DynamoDBClient = self._botocore_client() if botocore else DirectClient(self)  # type: ignore[assignment]
        self._operations: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "CreateTable": self._create_table,
            "DeleteTable": self._delete_table,
            "DescribeTable": self._describe_table,
            "ListTables": self._list_tables,
            "UpdateTimeToLive": self._update_time_to_live,
            "DescribeTimeToLive": self._describe_time_to_live,
            "GetItem": self._get_item,
            "PutItem": self._put_item,
            "UpdateItem": self._update_item,
            "DeleteItem": self._delete_item,
            "Query": self._query,
            "BatchWriteItem": self._batch_write_item,
            "BatchGetItem": self._batch_get_item,
            "TransactWriteItems": self._transact_write_items,
        }

    def _botocore_client(self) -> DynamoDBClient:
        from botocore.config import Config

        client: Any = _botocore_session().create_client(
            "dynamodb",
            region_name=self.region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106 - a dummy: nothing is ever sent
            config=Config(account_id_endpoint_mode="disabled", parameter_validation=True),
        )
        client.meta.events.register("before-parameter-build.dynamodb", _keep_parameters)
        client.meta.events.register_last("before-call.dynamodb", self._answer)
        typed: DynamoDBClient = client
        return typed

    # --- bulk access, for the local store's snapshot ---

    def load(self, items: Iterable[Item], table_name: str) -> None:
        """Put the items into the table as they are (a snapshot's items, typed), without a write call each.
        ValueError names an item without the table's keys.
        """
        with self._lock:
            table = self._table(table_name)
            for item in items:
                table.load(item)

    def items(self, table_name: str, partitions: Iterable[Any] | None = None) -> list[Item]:
        """The items of the table (or of the partitions named by their partition key's value), in key order."""
        with self._lock:
            table = self._table(table_name)
            chosen = sorted(table.partitions) if partitions is None else sorted(set(partitions))
            found: list[Item] = []
            for hash_value in chosen:
                partition = table.partitions.get(hash_value)
                if partition is not None:
                    found.extend(dict(partition.items[key]) for key in partition.ordered())
            return found

    def call(self, operation: str, request: dict[str, Any]) -> dict[str, Any]:
        """The answer to one call, as botocore would parse it; EngineError for DynamoDB's error answers."""
        answer = self._operations.get(operation)
        if answer is None:
            raise _validation(f"{_UNSUPPORTED} the {operation} operation")
        with self._lock:
            try:
                return answer(request)
            except ValidationError as error:
                raise _validation(str(error)) from None

    def _answer(self, model: Any, context: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]]:
        from botocore.awsrequest import AWSResponse

        request = context.pop(_PARAMS, None)
        if request is None:  # pragma: no cover - botocore emits before-parameter-build for every call
            raise RuntimeError(f"the local engine missed the parameters of {model.name}")
        status = 200
        try:
            parsed = self.call(model.name, request)
        except EngineError as error:
            status = 400
            parsed = {"Error": {"Message": error.message, "Code": error.code}, **error.fields}
        parsed["ResponseMetadata"] = {
            "RequestId": f"circleback-local-{next(self._request_ids)}",
            "HTTPStatusCode": status,
            "HTTPHeaders": {},
            "RetryAttempts": 0,
        }
        headers: Any = {}  # as botocore's Stubber answers
        return AWSResponse(f"https://dynamodb.{self.region}.amazonaws.com/", status, headers, None), parsed

    def _table(self, name: str) -> _Table:
        table = self._tables.get(name)
        if table is None:
            raise EngineError("ResourceNotFoundException", _NO_TABLE)
        return table

    # --- tables ---

    def _create_table(self, request: dict[str, Any]) -> dict[str, Any]:
        _refuse(request, ("LocalSecondaryIndexes", "StreamSpecification", "SSESpecification"))
        name = request["TableName"]
        if name in self._tables:
            raise EngineError("ResourceInUseException", f"Cannot create preexisting table: {name}")
        table = _Table(name, request, self.region)
        self._tables[name] = table
        return {"TableDescription": table.describe()}

    def _delete_table(self, request: dict[str, Any]) -> dict[str, Any]:
        table = self._table(request["TableName"])
        del self._tables[table.name]
        return {"TableDescription": {**table.describe(), "TableStatus": "DELETING"}}

    def _describe_table(self, request: dict[str, Any]) -> dict[str, Any]:
        return {"Table": self._table(request["TableName"]).describe()}

    def _list_tables(self, request: dict[str, Any]) -> dict[str, Any]:
        names = sorted(self._tables)
        start = request.get("ExclusiveStartTableName")
        if start is not None:
            names = [n for n in names if n > start]
        limit = request.get("Limit", 100)
        answer: dict[str, Any] = {"TableNames": names[:limit]}
        if len(names) > limit:
            answer["LastEvaluatedTableName"] = names[limit - 1]
        return answer

    def _update_time_to_live(self, request: dict[str, Any]) -> dict[str, Any]:
        table = self._table(request["TableName"])
        specification = dict(request["TimeToLiveSpecification"])
        table.ttl = specification
        return {"TimeToLiveSpecification": specification}

    def _describe_time_to_live(self, request: dict[str, Any]) -> dict[str, Any]:
        table = self._table(request["TableName"])
        if not table.ttl or not table.ttl.get("Enabled"):
            return {"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}
        return {"TimeToLiveDescription": {"TimeToLiveStatus": "ENABLED", "AttributeName": table.ttl["AttributeName"]}}

    # --- single items ---

    def _get_item(self, request: dict[str, Any]) -> dict[str, Any]:
        _refuse(request, ("AttributesToGet",))
        table = self._table(request["TableName"])
        expressions = Expressions(request, ("ProjectionExpression",))
        key, _ = table.check_key(request["Key"])
        item = table.get(key)
        if item is None:
            return {}
        return {"Item": _projection(item, expressions)}

    def _put_item(self, request: dict[str, Any]) -> dict[str, Any]:
        _refuse(request, ("Expected", "ConditionalOperator", *_METRICS), _NONE)
        _return_values(request, ("NONE", "ALL_OLD"))
        table = self._table(request["TableName"])
        expressions = Expressions(request, ("ConditionExpression",))
        item = clean_item(request["Item"])
        key = table.check_new_item(item)
        old = table.get(key)
        _check_condition(expressions, old, request)
        table.write(key, item, table.check_stored(item))
        self.writes += 1
        return _old_values(request, old)

    def _update_item(self, request: dict[str, Any]) -> dict[str, Any]:
        _refuse(request, ("AttributeUpdates", "Expected", "ConditionalOperator", *_METRICS), _NONE)
        returned = _return_values(request, ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"))
        table = self._table(request["TableName"])
        expressions = Expressions(request, ("UpdateExpression", "ConditionExpression"))
        key, key_item = table.check_key(request["Key"])
        old = table.get(key)
        _check_condition(expressions, old, request)
        new = self._updated(table, expressions, old, key_item)
        table.write(key, new, table.check_stored(new))
        self.writes += 1
        if returned == "ALL_OLD":
            return {"Attributes": dict(old)} if old else {}
        if returned == "ALL_NEW":
            return {"Attributes": dict(new)}
        if returned in ("UPDATED_OLD", "UPDATED_NEW") and "UpdateExpression" in expressions.parsed:
            changed = updated_attributes(expressions, (old or {}) if returned == "UPDATED_OLD" else new)
            return {"Attributes": changed} if changed else {}
        return {}

    @staticmethod
    def _updated(table: _Table, expressions: Expressions, old: Item | None, key_item: Item) -> Item:
        base = old if old is not None else key_item
        if "UpdateExpression" not in expressions.parsed:
            return dict(base)
        return apply_update(expressions, base, table.key_names)

    def _delete_item(self, request: dict[str, Any]) -> dict[str, Any]:
        _refuse(request, ("Expected", "ConditionalOperator", *_METRICS), _NONE)
        _return_values(request, ("NONE", "ALL_OLD"))
        table = self._table(request["TableName"])
        expressions = Expressions(request, ("ConditionExpression",))
        key, _ = table.check_key(request["Key"])
        old = table.get(key)
        _check_condition(expressions, old, request)
        table.write(key, None)
        self.writes += 1
        return _old_values(request, old)

    # --- Query ---

    def _query(self, request: dict[str, Any]) -> dict[str, Any]:
        _refuse(request, ("KeyConditions", "QueryFilter", "AttributesToGet", "ConditionalOperator"))
        table = self._table(request["TableName"])
        if "KeyConditionExpression" not in request:
            raise _validation(
                "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."
            )
        expressions = Expressions(request, ("KeyConditionExpression", "FilterExpression", "ProjectionExpression"))
        index = None
        if "IndexName" in request:
            index = table.indexes.get(request["IndexName"])
            if index is None:
                raise _validation(f"The table does not have the specified index: {request['IndexName']}")
            if request.get("ConsistentRead"):
                raise _validation("Consistent reads are not supported on global secondary indexes")
        hash_name = index.hash_key if index else table.hash_key
        range_name = index.range_key if index else table.range_key
        hash_value, condition = _key_condition(expressions, table, hash_name, range_name)
        _check_filter(expressions, (hash_name, *([range_name] if range_name else [])))
        select, paths = _selection(request, expressions, index, table)
        partitions = index.partitions if index else table.partitions
        partition = partitions.get(sort_key(hash_value))
        keys = partition.ordered() if partition is not None else []
        first = (lambda entry: entry[0]) if index else None
        low, high = _bounds(keys, condition, first)
        forward = request.get("ScanIndexForward", True)
        start = request.get("ExclusiveStartKey")
        if start is not None:
            position = _start_position(start, table, index, hash_name, hash_value, condition)
            if forward:
                low = max(low, bisect_right(keys, position))
            else:
                high = min(high, bisect_left(keys, position))
        limit = request.get("Limit")
        found: list[Item] = []
        scanned = 0
        size = 0
        last: Item | None = None
        positions = range(low, high) if forward else range(high - 1, low - 1, -1)
        assert partition is not None or not positions  # noqa: S101 - no keys, no positions
        for at in positions:
            entry = keys[at]
            if index is None:
                item: Item = partition.items[entry]  # type: ignore[union-attr]
                size += partition.size(entry)  # type: ignore[union-attr]
            else:
                table_key = partition.items[entry]  # type: ignore[union-attr]
                item = index.projected(table.partitions[table_key[0]].items[table_key[1]], table)
                size += item_size(item)
            scanned += 1
            if "FilterExpression" not in expressions.parsed or expressions.holds("FilterExpression", item):
                if select != "COUNT":
                    found.append(project(item, paths) if paths else dict(item))
                else:
                    found.append(item)
            if (limit is not None and scanned >= limit) or size >= MAX_PAGE_BYTES:
                last = item
                break
        answer: dict[str, Any] = {"Count": len(found), "ScannedCount": scanned}
        if select != "COUNT":
            answer = {"Items": found, **answer}
        if last is not None:
            names = index.key_names(table) if index else table.key_names
            answer["LastEvaluatedKey"] = {name: last[name] for name in names}
        return answer

    # --- batches and transactions ---

    def _batch_write_item(self, request: dict[str, Any]) -> dict[str, Any]:
        _refuse(request, _METRICS, _NONE)
        requested = request["RequestItems"]
        if sum(len(writes) for writes in requested.values()) > MAX_BATCH_WRITE:
            raise _validation("Too many items requested for the BatchWriteItem call")
        planned: list[tuple[_Table, Key, Item | None, int | None]] = []
        for table_name, writes in requested.items():
            table = self._table(table_name)
            seen: set[Key] = set()
            for write in writes:
                if len(write) != 1:
                    raise _validation(
                        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the "
                        "supported datatypes"
                    )
                ((kind, body),) = write.items()
                if kind == "PutRequest":
                    item = clean_item(body["Item"])
                    key = table.check_new_item(item)
                    planned.append((table, key, item, table.check_stored(item)))
                else:
                    key, _ = table.check_key(body["Key"])
                    planned.append((table, key, None, None))
                if key in seen:
                    raise _validation("Provided list of item keys contains duplicates")
                seen.add(key)
        for table, key, new, size in planned:
            table.write(key, new, size)
        self.writes += 1
        return {"UnprocessedItems": {}}

    def _batch_get_item(self, request: dict[str, Any]) -> dict[str, Any]:
        _refuse(request, ())
        requested = request["RequestItems"]
        if sum(len(spec["Keys"]) for spec in requested.values()) > MAX_BATCH_GET:
            raise _validation("Too many items requested for the BatchGetItem call")
        responses: dict[str, list[Item]] = {}
        for table_name, spec in requested.items():
            _refuse(spec, ("AttributesToGet",))
            table = self._table(table_name)
            expressions = Expressions(spec, ("ProjectionExpression",))
            seen: set[Key] = set()
            found: list[Item] = []
            for requested_key in spec["Keys"]:
                key, _ = table.check_key(requested_key)
                if key in seen:
                    raise _validation("Provided list of item keys contains duplicates")
                seen.add(key)
                item = table.get(key)
                if item is not None:
                    found.append(_projection(item, expressions))
            responses[table_name] = found
        return {"Responses": responses, "UnprocessedKeys": {}}

    def _transact_write_items(self, request: dict[str, Any]) -> dict[str, Any]:
        # ClientRequestToken, which botocore fills in for every call, is not kept: a repeat with the same token is
        # a retry of a call that failed in transit, and nothing reaches the engine in transit.
        _refuse(request, _METRICS, _NONE)
        entries = request["TransactItems"]
        if len(entries) > MAX_TRANSACTION:
            raise _validation(
                f"Member must have length less than or equal to {MAX_TRANSACTION} (TransactItems has {len(entries)})"
            )
        planned: list[tuple[str, _Table, Expressions, Key, Item, dict[str, Any]]] = []
        seen: set[tuple[str, Key]] = set()
        for entry in entries:
            if len(entry) != 1:
                raise _validation("TransactItems can only contain one of Check, Put, Update or Delete")
            ((operation, body),) = entry.items()
            table = self._table(body["TableName"])
            kinds = {
                "Put": ("ConditionExpression",),
                "Update": ("UpdateExpression", "ConditionExpression"),
                "Delete": ("ConditionExpression",),
                "ConditionCheck": ("ConditionExpression",),
            }[operation]
            expressions = Expressions(body, kinds)
            if operation == "Put":
                item = clean_item(body["Item"])
                key = table.check_new_item(item)
            else:
                key, item = table.check_key(body["Key"])
            if (table.name, key) in seen:
                raise _validation("Transaction request cannot include multiple operations on one item")
            seen.add((table.name, key))
            planned.append((operation, table, expressions, key, item, body))
        reasons: list[dict[str, Any]] = []
        writes: list[tuple[_Table, Key, Item | None, int | None]] = []
        for operation, table, expressions, key, item, body in planned:
            old = table.get(key)
            if "ConditionExpression" in expressions.parsed and not expressions.holds("ConditionExpression", old):
                reason: dict[str, Any] = {
                    "Code": "ConditionalCheckFailed",
                    "Message": _CONDITION_FAILED + ("." if operation == "ConditionCheck" else ""),
                }
                if old is not None and body.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD":
                    reason = {"Item": dict(old), **reason}
                reasons.append(reason)
                continue
            if operation == "ConditionCheck":
                reasons.append({"Code": "None"})
                continue
            new: Item | None = None
            if operation == "Put":
                new = item
            elif operation == "Update":
                new = self._updated(table, expressions, old, item)
            size = None
            if new is not None:
                try:
                    size = table.check_stored(new)
                except ValidationError as error:
                    reasons.append({"Code": "ValidationError", "Message": str(error)})
                    continue
            reasons.append({"Code": "None"})
            writes.append((table, key, new, size))
        if any(reason["Code"] != "None" for reason in reasons):
            codes = ", ".join(reason["Code"] for reason in reasons)
            message = f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]"
            raise EngineError("TransactionCanceledException", message, Message=message, CancellationReasons=reasons)
        for table, key, new, size in writes:
            table.write(key, new, size)
        self.writes += 1
        return {}


# --- the client without botocore ----------------------------------------------------------------------------------


class DirectClient:
    """The engine's answers to the DynamoDB client's methods, without botocore: what the command line runs on.

    botocore's import and its client cost about as much as a whole `circleback contacts list` may take, and its
    parameter validation was a quarter of a 30,000-row import; the engine needs neither. What the Repository uses
    is here with botocore's behaviour: a method per operation taking its keyword parameters, errors raised as
    `ClientError` subclasses named by their code (`client.exceptions.ConditionalCheckFailedException`), with the
    same `response` (CancellationReasons included), and `get_paginator("query")`. The contract tests run the
    store's calls through this client and through botocore's against DynamoDB Local.
    """

    def __init__(self, engine: Engine) -> None:
        from types import SimpleNamespace

        self._engine = engine
        self.exceptions = _Exceptions()
        self.meta = SimpleNamespace(region_name=engine.region, events=_Events())

    def __getattr__(self, method: str) -> Callable[..., dict[str, Any]]:
        operation = "".join(part.title() for part in method.split("_"))

        def call(**params: Any) -> dict[str, Any]:
            return self._call(operation, params)

        return call

    def _call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        import copy
        from types import SimpleNamespace

        model = SimpleNamespace(name=operation)
        events: _Events = self.meta.events
        events.emit(f"before-parameter-build.dynamodb.{operation}", params=params, model=model)
        events.emit(f"before-call.dynamodb.{operation}", model=model, params=params)
        try:
            # A copy, as botocore's serialiser makes one: the engine may keep what it is given.
            answer = self._engine.call(operation, copy.deepcopy(params))
        except EngineError as error:
            response = {"Error": {"Message": error.message, "Code": error.code}, **error.fields}
            response["ResponseMetadata"] = {"HTTPStatusCode": 400}
            events.emit(f"after-call.dynamodb.{operation}", model=model, parsed=response, http_response=None)
            raise self.exceptions.from_code(error.code)(response, operation) from None
        answer["ResponseMetadata"] = {"HTTPStatusCode": 200, "RetryAttempts": 0}
        events.emit(f"after-call.dynamodb.{operation}", model=model, parsed=answer, http_response=None)
        return answer

    def get_paginator(self, method: str) -> _QueryPaginator:
        if method != "query":
            raise ValueError(f"{_UNSUPPORTED} a paginator for {method}")
        return _QueryPaginator(self)


class _QueryPaginator:
    def __init__(self, client: DirectClient) -> None:
        self._client = client

    def paginate(self, **params: Any) -> Iterator[dict[str, Any]]:
        request = dict(params)
        while True:
            page = self._client._call("Query", request)
            yield page
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


class _Exceptions:
    """`client.exceptions`: one ClientError subclass per error code, made when first named, as botocore's are."""

    def __init__(self) -> None:
        self._classes: dict[str, type[Exception]] = {}

    def from_code(self, code: str) -> type[Exception]:
        found = self._classes.get(code)
        if found is None:
            from botocore.exceptions import ClientError  # a light module: the exceptions, not the client

            found = self._classes[code] = type(code, (ClientError,), {})
        return found

    def __getattr__(self, code: str) -> type[Exception]:
        if code.startswith("_"):
            raise AttributeError(code)
        return self.from_code(code)


class _Events:
    """`client.meta.events`, as far as botocore's calls go: handlers registered for an event name or a prefix of
    it ("after-call.dynamodb" hears every operation's), first ones first, last ones last. The events emitted are
    before-parameter-build, before-call and after-call; the store's raw-page hook (before-parse) never fires,
    as nothing is parsed.
    """

    def __init__(self) -> None:
        self._handlers: list[tuple[int, str, Callable[..., Any]]] = []

    def register(self, event: str, handler: Callable[..., Any], **_: Any) -> None:
        self._add(1, event, handler)

    def register_first(self, event: str, handler: Callable[..., Any], **_: Any) -> None:
        self._add(0, event, handler)

    def register_last(self, event: str, handler: Callable[..., Any], **_: Any) -> None:
        self._add(2, event, handler)

    def unregister(self, event: str, handler: Callable[..., Any] | None = None, **_: Any) -> None:
        self._handlers = [h for h in self._handlers if not (h[1] == event and h[2] in (handler, None))]

    def emit(self, event: str, **kwargs: Any) -> None:
        for _, name, handler in sorted(self._handlers, key=lambda h: h[0]):
            if event == name or event.startswith(name + "."):
                handler(event_name=event, **kwargs)

    def _add(self, order: int, event: str, handler: Callable[..., Any]) -> None:
        if not any(h[1] == event and h[2] == handler for h in self._handlers):  # botocore registers a handler once
            self._handlers.append((order, event, handler))


def _keep_parameters(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    context[_PARAMS] = params


_METRICS = ("ReturnItemCollectionMetrics",)
_NONE = {"ReturnItemCollectionMetrics": "NONE"}  # asking for nothing is no request at all


def _refuse(request: Mapping[str, Any], names: Iterable[str], allow: Mapping[str, Any] | None = None) -> None:
    """A parameter the engine does not implement is an error that names it, never ignored."""
    for name in names:
        if name in request and (allow is None or request[name] != allow.get(name)):
            raise _validation(f"{_UNSUPPORTED} the parameter {name}")
    capacity = request.get("ReturnConsumedCapacity", "NONE")
    if capacity != "NONE":
        raise _validation(f"{_UNSUPPORTED} ReturnConsumedCapacity={capacity}")


def _return_values(request: Mapping[str, Any], allowed: tuple[str, ...]) -> str:
    returned: str = request.get("ReturnValues", "NONE")
    if returned not in allowed:
        raise _validation("Return values set to invalid value")
    return returned


def _check_condition(expressions: Expressions, old: Item | None, request: Mapping[str, Any]) -> None:
    if "ConditionExpression" in expressions.parsed and not expressions.holds("ConditionExpression", old):
        fields: dict[str, Any] = {}
        if old is not None and request.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD":
            fields["Item"] = dict(old)
        raise EngineError("ConditionalCheckFailedException", _CONDITION_FAILED, **fields)


def _old_values(request: Mapping[str, Any], old: Item | None) -> dict[str, Any]:
    if request.get("ReturnValues") == "ALL_OLD" and old is not None:
        return {"Attributes": dict(old)}
    return {}


def _projection(item: Item, expressions: Expressions) -> Item:
    paths = expressions.paths("ProjectionExpression")
    return project(item, paths) if paths else dict(item)


def _selection(
    request: Mapping[str, Any], expressions: Expressions, index: _Index | None, table: _Table
) -> tuple[str, list[Any]]:
    """The Query's Select and projected paths, refused where DynamoDB refuses them."""
    paths = expressions.paths("ProjectionExpression")
    default = "ALL_PROJECTED_ATTRIBUTES" if index is not None else "ALL_ATTRIBUTES"
    select = request.get("Select") or ("SPECIFIC_ATTRIBUTES" if paths else default)
    if paths and select != "SPECIFIC_ATTRIBUTES":
        chosen = "only the Count" if select == "COUNT" else select
        raise _validation(f"Cannot specify the ProjectionExpression when choosing to get {chosen}")
    if select == "SPECIFIC_ATTRIBUTES" and not paths:
        raise _validation(
            "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES"
        )
    if index is not None and index.projection != "ALL":
        if select == "ALL_ATTRIBUTES":
            raise _validation(
                f"One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global "
                f"secondary index {index.name} because its projection type is not ALL"
            )
        projected = set(index.key_names(table)) | set(index.non_key)
        missing = [str(path[0]) for path in paths if path[0] not in projected]
        if missing:
            raise _validation(
                f"One or more parameter values were invalid: Global secondary index {index.name} does not project "
                f"[{', '.join(missing)}]"
            )
    return select, paths


def _check_filter(expressions: Expressions, key_names: tuple[str, ...]) -> None:
    tree = expressions.tree("FilterExpression")
    if tree is None:
        return
    for path in _paths_in(tree):
        head = expressions.resolve(path)[0]
        if head in key_names:
            raise _validation(
                f"Filter Expression can only contain non-primary key attributes: Primary key attribute: {head}"
            )


def _paths_in(node: Any) -> Iterator[Any]:
    if isinstance(node, tuple):
        if node and node[0] == "path":
            yield node[1]
            return
        for part in node:
            yield from _paths_in(part)


# --- key conditions ---------------------------------------------------------------------------------------------

Condition = tuple[str, Any, Any] | None  # ("=" | "<" | ... | "between" | "begins_with", bound, bound) on sort keys
_FLIPPED = {"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _key_condition(
    expressions: Expressions, table: _Table, hash_name: str, range_name: str | None
) -> tuple[Value, Condition]:
    """The partition key's value and the sort key's condition of a KeyConditionExpression, as DynamoDB reads it."""
    terms: list[Any] = []
    _conjuncts(expressions.tree("KeyConditionExpression"), terms)
    found: dict[str, tuple[str, list[Value]]] = {}
    for term in terms:
        tag = term[0]
        if tag == "compare":
            _, operator, left, right = term
            if left[0] != "path" and right[0] == "path":
                left, right, operator = right, left, _FLIPPED.get(operator, operator)
            if operator == "<>":
                raise _validation("Invalid operator used in KeyConditionExpression: <>")
            subject, bounds = left, [right]
        elif tag == "between":
            subject, bounds = term[1], [term[2], term[3]]
            operator = "between"
        elif tag == "function" and term[1] == "begins_with":
            subject, bounds = term[2][0], [term[2][1]]
            operator = "begins_with"
        else:
            shown = {"in": "IN", "function": term[1] if tag == "function" else ""}.get(tag, tag)
            raise _validation(f"Invalid operator used in KeyConditionExpression: {shown}")
        if subject[0] != "path" or any(bound[0] != "value" for bound in bounds):
            if any(bound[0] == "path" for bound in bounds):
                raise _validation(
                    "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"
                )
            raise _validation(f"{_UNSUPPORTED} this KeyConditionExpression's operands (a key and values only)")
        path = expressions.resolve(subject[1])
        name = path[0]
        if len(path) != 1 or name not in (hash_name, range_name):
            if range_name is None:  # DynamoDB Local's wording, for a key with no sort key
                raise _validation("Query key condition not supported")
            raise _validation("Query condition missed key schema element")
        if name in found:
            raise _validation("KeyConditionExpressions must only contain one condition per key")
        values = [expressions.values[bound[1]] for bound in bounds]
        for value in values:
            if kind_of(value) != table.types[name]:
                raise _validation(
                    "One or more parameter values were invalid: Condition parameter type does not match schema type"
                )
            if kind_of(value) in ("S", "B") and not value[kind_of(value)]:
                raise _validation(
                    "One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
                    f"contain an empty string value. Key: {name}"
                )
        if name == hash_name and operator != "=":
            raise _validation("Query key condition not supported")
        found[str(name)] = (operator, values)
    if hash_name not in found:
        raise _validation("Query condition missed key schema element")
    hash_value = found[hash_name][1][0]
    if range_name is None or range_name not in found:
        return hash_value, None
    operator, values = found[range_name]
    bounds_ = [sort_key(v) for v in values]
    return hash_value, (operator, bounds_[0], bounds_[1] if len(bounds_) > 1 else None)


def _conjuncts(node: Any, into: list[Any]) -> None:
    if node[0] == "and":
        _conjuncts(node[1], into)
        _conjuncts(node[2], into)
    elif node[0] in ("or", "not"):
        raise _validation(f"Invalid operator used in KeyConditionExpression: {node[0].upper()}")
    else:
        into.append(node)


def _successor(prefix: Any) -> Any:
    """The least value greater than every value that starts with `prefix` (None: there is none)."""
    if isinstance(prefix, str):
        text = prefix
        while text and ord(text[-1]) == 0x10FFFF:
            text = text[:-1]
        return text[:-1] + chr(ord(text[-1]) + 1) if text else None
    data = bytes(prefix)
    while data and data[-1] == 0xFF:
        data = data[:-1]
    return data[:-1] + bytes([data[-1] + 1]) if data else None


def _bounds(keys: list[Any], condition: Condition, first: Callable[[Any], Any] | None) -> tuple[int, int]:
    """The slice of the sorted keys that meets the sort key's condition (`first` reads an index entry's sort key)."""
    if condition is None:
        return 0, len(keys)
    operator, bound, upper = condition

    def left(value: Any) -> int:
        return bisect_left(keys, value, key=first)

    def right(value: Any) -> int:
        return bisect_right(keys, value, key=first)

    if operator == "=":
        return left(bound), right(bound)
    if operator == "<":
        return 0, left(bound)
    if operator == "<=":
        return 0, right(bound)
    if operator == ">":
        return right(bound), len(keys)
    if operator == ">=":
        return left(bound), len(keys)
    if operator == "between":
        return left(bound), max(left(bound), right(upper))
    successor = _successor(bound)
    return left(bound), (left(successor) if successor is not None else len(keys))


def _meets(value: Any, condition: Condition) -> bool:
    if condition is None:
        return True
    operator, bound, upper = condition
    if operator == "begins_with":
        return isinstance(value, type(bound)) and bool(value.startswith(bound))
    if operator == "between":
        return bool(bound <= value <= upper)
    met = {
        "=": value == bound,
        "<": value < bound,
        "<=": value <= bound,
        ">": value > bound,
        ">=": value >= bound,
    }[operator]
    return bool(met)


def _start_position(
    start: Mapping[str, Any],
    table: _Table,
    index: _Index | None,
    hash_name: str,
    hash_value: Value,
    condition: Condition,
) -> Any:
    """Where a Query resumes: the ExclusiveStartKey as a position among the partition's sorted keys."""
    names = index.key_names(table) if index else table.key_names
    if index is None and len(start) != len(names):
        raise _validation("Exclusive Start Key must have same size as table's key schema")
    if set(start) != set(names):
        raise _validation("The provided starting key is invalid")
    cleaned = clean_item(start)
    table_key = table.key_of(cleaned)
    outside = "The provided starting key does not match the range key predicate"
    if sort_key(cleaned[hash_name]) != sort_key(hash_value):
        raise _validation(outside)
    if index is None:
        if not _meets(table_key[1], condition):
            raise _validation(outside)
        return table_key[1]
    range_value = sort_key(cleaned[index.range_key]) if index.range_key else None
    if not _meets(range_value, condition):
        raise _validation(outside)
    return (range_value, *table_key)
