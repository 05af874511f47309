"""The benchmark's stand-in table (bench.table): Query pages, projections and the units each call bills."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bench import sizes
from bench.table import Table, Unsupported


def _item(sk: str, **extra: Any) -> dict[str, Any]:
    return {"PK": {"S": "OWNER#o"}, "SK": {"S": sk}, **{k: {"S": v} for k, v in extra.items()}}


def _table(count: int = 5, note: str = "x" * 100) -> Table:
    items = [_item(f"CONTACT#{i:03d}", note=note) for i in range(count)] + [_item("PROFILE", email="o@example.com")]
    return Table("t", items)


def _query(**request: Any) -> dict[str, Any]:
    return {"KeyConditionExpression": "PK = :pk", "ExpressionAttributeValues": {":pk": {"S": "OWNER#o"}}, **request}


def test_query_returns_the_partition_in_sort_key_order_with_its_units() -> None:
    table = _table()
    response, units = table.query(_query())
    assert [i["SK"]["S"] for i in response["Items"]] == [f"CONTACT#{i:03d}" for i in range(5)] + ["PROFILE"]
    assert response["Count"] == response["ScannedCount"] == 6
    assert "LastEvaluatedKey" not in response
    assert units == sizes.read_units(sum(sizes.item_size(i) for i in table.items.values()), consistent=False)


def test_query_pages_continue_from_the_last_evaluated_key(monkeypatch: pytest.MonkeyPatch) -> None:
    table = _table(count=10)
    one = sizes.item_size(table.items[("OWNER#o", "CONTACT#000")])
    monkeypatch.setattr(sizes, "PAGE_LIMIT_BYTES", 3 * one)
    seen, start, pages = [], None, 0
    while True:
        request = _query() if start is None else _query(ExclusiveStartKey=start)
        response, _ = table.query(request)
        seen += [i["SK"]["S"] for i in response["Items"]]
        pages += 1
        start = response.get("LastEvaluatedKey")
        if start is None:
            break
    assert seen == [f"CONTACT#{i:03d}" for i in range(10)] + ["PROFILE"]
    assert pages == 4


def test_key_conditions_and_projection() -> None:
    table = _table()
    prefix = _query(
        KeyConditionExpression="PK = :pk AND begins_with(#sk, :p)",
        ExpressionAttributeNames={"#sk": "SK"},
        ExpressionAttributeValues={":pk": {"S": "OWNER#o"}, ":p": {"S": "CONTACT#00"}},
        ProjectionExpression="SK",
    )
    response, units = table.query(prefix)
    assert response["Items"] == [{"SK": {"S": f"CONTACT#00{i}"}} for i in range(5)]
    # Projection does not make a read cheaper: DynamoDB bills the items it read.
    assert units == sizes.read_units(5 * sizes.item_size(table.items[("OWNER#o", "CONTACT#000")]), consistent=False)
    with pytest.raises(Unsupported):
        table.query(_query(FilterExpression="attribute_exists(note)"))


def test_get_item_is_billed_by_item_and_consistency() -> None:
    table = _table()
    key = {"PK": {"S": "OWNER#o"}, "SK": {"S": "PROFILE"}}
    assert table.get_item({"Key": key, "ConsistentRead": True}) == ({"Item": table.items[("OWNER#o", "PROFILE")]}, 1.0)
    missing = {"PK": {"S": "OWNER#o"}, "SK": {"S": "CONTACT#999"}}
    assert table.get_item({"Key": missing}) == ({}, 0.5)


def test_an_update_that_moves_the_index_keys_writes_the_index_twice() -> None:
    owner = _item("PROFILE", GSI1PK="SEND#1", GSI1SK="2026-11-23T12:00:00Z#o", next_send_at="2026-11-23T12:00:00Z")
    table = Table("t", [owner])
    request: dict[str, Any] = {
        "Key": {"PK": owner["PK"], "SK": owner["SK"]},
        "UpdateExpression": "SET #f0 = :v0, #f1 = :v1 REMOVE #f2",
        "ExpressionAttributeNames": {"#f0": "next_send_at", "#f1": "GSI1SK", "#f2": "GSI1PK"},
        "ExpressionAttributeValues": {":v0": {"S": "2026-11-24T12:00:00Z"}, ":v1": {"S": "2026-11-24T12:00:00Z#o"}},
    }
    _, units = table.update_item(request)
    assert units == 1.0 + 1.0  # the item, and deleting its index entry (GSI1PK is gone: no new entry)
    assert "GSI1PK" not in table.items[("OWNER#o", "PROFILE")]
    request["UpdateExpression"] = "SET #f0 = :v0, #f1 = :v1, #f2 = :v2"
    request["ExpressionAttributeValues"] |= {":v2": {"S": "SEND#1"}, ":v1": {"S": "2026-11-25T12:00:00Z#o"}}
    _, units = table.update_item(request)
    assert units == 1.0 + 1.0  # the item, and the new index entry


def test_transactions_bill_double() -> None:
    table = _table()
    put = {"Put": {"TableName": "t", "Item": _item("TOUCH#1", note="hi")}}
    delete = {"Delete": {"TableName": "t", "Key": {"PK": {"S": "OWNER#o"}, "SK": {"S": "CONTACT#000"}}}}
    assert table.transact_write_items({"TransactItems": [put, delete]}) == ({}, 4.0)
    assert ("OWNER#o", "CONTACT#000") not in table.items
    assert json.dumps(table.items[("OWNER#o", "TOUCH#1")])
