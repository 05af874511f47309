"""The store's decoder reads an item the same whether botocore parsed it or it came raw off the wire, and agrees
with boto3's own TypeDeserializer (up to the store's representation: whole numbers as ints, other numbers as
floats, sets as sorted lists, binary values as bytes)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer
from botocore.parsers import create_parser
from botocore.serialize import create_serializer
from botocore.session import get_session
from hypothesis import given
from hypothesis import strategies as st

from circleback.adapters.store.codec import decode_item, encode_item

DYNAMODB = get_session().get_service_model("dynamodb")

_numbers = st.integers(-(10**20), 10**20) | st.decimals(
    min_value=-(10**9), max_value=10**9, places=4, allow_nan=False, allow_infinity=False
)
_scalars = st.text(max_size=20) | _numbers | st.binary(max_size=20) | st.booleans() | st.none()
_sets = (
    st.frozensets(st.text(max_size=8), min_size=1, max_size=4)
    | st.frozensets(st.integers(-1000, 1000), min_size=1, max_size=4)
    | st.frozensets(st.binary(min_size=1, max_size=8), min_size=1, max_size=4)
).map(set)
_values = st.recursive(
    _scalars | _sets,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=4),
    max_leaves=12,
)
items = st.dictionaries(st.text(min_size=1, max_size=10), _values, min_size=1, max_size=6)


def wire_item(python_item: dict[str, Any]) -> dict[str, Any]:
    """The item as DynamoDB's JSON protocol carries it (botocore's own serializer: binary values base64)."""
    serialize = TypeSerializer().serialize
    request = create_serializer("json").serialize_to_request(
        {"TableName": "t", "Item": {k: serialize(v) for k, v in python_item.items()}},
        DYNAMODB.operation_model("PutItem"),
    )
    wire: dict[str, Any] = json.loads(request["body"])["Item"]
    return wire


def botocore_parsed(wire: dict[str, Any]) -> dict[str, Any]:
    """The item as botocore's parser hands it over from a Query page."""
    body = json.dumps({"Items": [wire], "Count": 1, "ScannedCount": 1}).encode()
    shape = DYNAMODB.operation_model("Query").output_shape
    assert shape is not None
    parsed = create_parser("json").parse({"body": body, "headers": {}, "status_code": 200}, shape)
    item: dict[str, Any] = parsed["Items"][0]
    return item


def as_stored(value: Any) -> Any:
    """TypeDeserializer's values in the store's representation."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and "E" not in str(value) else float(value)
    if isinstance(value, Binary):
        return value.value  # type: ignore[attr-defined]  # boto3-stubs omit the attribute
    if isinstance(value, set):
        return sorted(as_stored(v) for v in value)
    if isinstance(value, list):
        return [as_stored(v) for v in value]
    if isinstance(value, dict):
        return {k: as_stored(v) for k, v in value.items()}
    return value


@given(items)
def test_raw_and_parsed_items_decode_alike_and_as_boto3_does(python_item: dict[str, Any]) -> None:
    wire = wire_item(python_item)
    parsed = botocore_parsed(wire)
    deserialize = TypeDeserializer().deserialize
    expected = as_stored({k: deserialize(v) for k, v in parsed.items()})

    assert decode_item(json.loads(json.dumps(wire))) == expected  # raw, as the digest's Query reads pages
    assert decode_item(parsed) == expected  # parsed, as every other read


@given(st.dictionaries(st.text(min_size=1, max_size=10), st.text() | st.integers() | st.booleans(), max_size=6))
def test_what_the_store_writes_reads_back(values: dict[str, Any]) -> None:
    assert decode_item(encode_item(values)) == values
