"""What the actions API tests share: the exact security headers, a table snapshot to compare and restore, and
the log lines."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from werkzeug.test import TestResponse

from circleback import runtime
from circleback.adapters.store.repository import Repository
from circleback.runtime.observability import logger

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


@contextmanager
def environment_restored() -> Iterator[None]:
    """The process environment (which the demo points at its emulator) and the runtime's adapters, put back."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        runtime.reset()


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


class CurrentStdout:
    """Writes to whatever sys.stdout is when a line is logged (capsys swaps it in only as the test runs)."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


@pytest.fixture
def logs(capsys: pytest.CaptureFixture[str]) -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """The Powertools logger's JSON lines, as printed to stdout.

    Its handler holds the stdout of the moment the logger was created, so it is pointed at the current one;
    and it logs at INFO whatever POWERTOOLS_LOG_LEVEL said when it was created.
    """
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    previous, level = handler.setStream(CurrentStdout()), logger.log_level
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    if previous is not None:
        handler.setStream(previous)
    logger.setLevel(level)
