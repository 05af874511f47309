"""What the actions API tests share: the exact security headers, and a table snapshot to compare and restore."""

from __future__ import annotations

from typing import Any

from werkzeug.test import TestResponse

from circleback import runtime
from circleback.store.repository import Repository

# Spelled out here, not imported from the handler: the tests pin the values a browser receives.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex",
}
Snapshot = list[dict[str, Any]]


def repo() -> Repository:
    return runtime.repository()


def snapshot() -> Snapshot:
    """Every item of the table, as stored."""
    paginator = repo().client.get_paginator("scan")
    items = [item for page in paginator.paginate(TableName=repo().table_name) for item in page["Items"]]
    return sorted(items, key=lambda item: (item["PK"]["S"], item["SK"]["S"]))


def restore(baseline: Snapshot) -> None:
    """Put the table back as it was in `baseline`, writing only what differs."""
    client, table = repo().client, repo().table_name
    wanted = {(i["PK"]["S"], i["SK"]["S"]): i for i in baseline}
    for item in snapshot():
        key = (item["PK"]["S"], item["SK"]["S"])
        if wanted.get(key) == item:
            del wanted[key]
        elif key not in wanted:
            client.delete_item(TableName=table, Key={"PK": item["PK"], "SK": item["SK"]})
    for item in wanted.values():
        client.put_item(TableName=table, Item=item)


def assert_security_headers(response: TestResponse) -> None:
    assert {name: response.headers.get(name) for name in SECURITY_HEADERS} == SECURITY_HEADERS
