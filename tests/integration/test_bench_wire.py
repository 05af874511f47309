"""The benchmark feeds the production client wire pages it serialises itself (bench.table): they must read back
exactly as the emulator's answers to the same calls do, one page or many."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import boto3
import pytest

from bench import scenario, sizes
from bench.table import FakeAws, Table
from circleback.adapters.store.repository import Repository
from circleback.domain.model import DigestInput
from circleback.local.emulator import LOCAL_REGION, LOCAL_TABLE, embedded_repository


def _emulated(partition: scenario.Partition) -> tuple[DigestInput | None, list[dict[str, Any]]]:
    """What the repository loads from moto, and the partition's items as moto holds them."""
    with embedded_repository() as repo:
        scenario.write(repo, partition)
        loaded = repo.load_digest_input(partition.owner.id)
        items: list[dict[str, Any]] = []
        for page in repo.client.get_paginator("query").paginate(
            TableName=repo.table_name,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": f"OWNER#{partition.owner.id}"}},
        ):
            items += page["Items"]
    return loaded, items


def test_the_stand_in_reads_back_as_the_emulator(monkeypatch: pytest.MonkeyPatch) -> None:
    full = scenario.generate(30)
    # A smaller year: the same kinds of items, fewer of them (the emulator is slow to write thousands).
    partition = replace(full, touches=full.touches[:300], runs=full.runs[:20], actions=full.actions[:20])
    expected, items = _emulated(partition)
    assert expected is not None and len(expected.contacts) == 30
    for page_limit, many_pages in ((sizes.PAGE_LIMIT_BYTES, False), (4000, True)):
        monkeypatch.setattr(sizes, "PAGE_LIMIT_BYTES", page_limit)
        fake = FakeAws(Table(LOCAL_TABLE, items), secret="k" * 64)
        client = boto3.client("dynamodb", region_name=LOCAL_REGION)
        fake.attach(client)
        loaded = Repository(LOCAL_TABLE, client).load_digest_input(partition.owner.id)
        assert loaded == expected
        pages = sum(1 for e in fake.exchanges if e.operation == "Query")
        assert (pages > 1) is many_pages
