"""`circleback --local`: the emulated table, kept in a file between commands (the user's data folder)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from circleback.adapters.store.keys import owner_pk
from circleback.adapters.store.repository import Repository
from circleback.local.emulator import embedded_repository

SNAPSHOT_FILE = "table.json"
LOCK_FILE = "table.lock"
SNAPSHOT_FORMAT = "circleback-local-table"
SNAPSHOT_VERSION = 1
_BATCH = 25  # BatchWriteItem's limit


class LocalStoreError(Exception):
    """The local store's file cannot be used; the message says which file and why."""


def default_data_dir() -> Path:
    """Where the local store lives: the platform's per-user data folder (XDG on Linux)."""
    home = Path.home()
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local") / "circleback"
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "circleback"
    return Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share") / "circleback"


@contextmanager
def persistent_repository(data_dir: Path, owner_id: str = "owner") -> Iterator[Repository]:
    """A repository over the emulated table, loaded from `data_dir` and saved back when the block ends.

    The block works on `owner_id`'s data (as every command does): saving reads back that owner's partition and
    the ones the file held, each by Query, the way the functions read a table.

    Commands take turns: a lock on the folder is held from loading to saving, so two commands at once never
    lose each other's writes. The file is replaced atomically (a crash leaves the old one or the new one), and
    only when something changed. What was written before an error is kept, as DynamoDB would keep it. The
    folder and the file are readable by their owner only.
    """
    try:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # your contacts: for your eyes only
    except OSError as error:
        raise LocalStoreError(f"{data_dir}: {error.strerror}") from None
    snapshot = data_dir / SNAPSHOT_FILE
    with _locked(data_dir / LOCK_FILE), embedded_repository() as repo:
        before = _read_snapshot(snapshot)
        _load(repo, before)
        partitions = {item["PK"]["S"] for item in before} | {owner_pk(owner_id)}
        writes = _count_writes(repo)
        try:
            yield repo
        finally:
            after = _all_items(repo, partitions) if writes else before  # a command that only read saves nothing
            if after != before:
                _write_snapshot(snapshot, after)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a+b") as handle:
        if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
            import msvcrt

            msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield  # the lock goes with the file's handle


def _read_snapshot(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise LocalStoreError(f"{path}: cannot be read ({error}); move it away to start afresh") from None
    if not isinstance(document, dict) or document.get("format") != SNAPSHOT_FORMAT:
        raise LocalStoreError(f"{path}: not a circleback local store; move it away to start afresh")
    if document.get("version") != SNAPSHOT_VERSION:
        raise LocalStoreError(f"{path}: written by another version of circleback (format {document.get('version')})")
    items = document.get("items")
    if not isinstance(items, list):
        raise LocalStoreError(f"{path}: has no list of items; move it away to start afresh")
    return items


def _load(repo: Repository, items: list[dict[str, Any]]) -> None:
    for start in range(0, len(items), _BATCH):
        requests: list[Any] = [{"PutRequest": {"Item": item}} for item in items[start : start + _BATCH]]
        unprocessed = repo.client.batch_write_item(RequestItems={repo.table_name: requests})["UnprocessedItems"]
        if unprocessed:  # the emulator has no capacity limits: anything left over is a bug worth hearing of
            raise LocalStoreError(f"the emulator refused {len(unprocessed[repo.table_name])} items while loading")


_WRITE_OPERATIONS = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})


def _count_writes(repo: Repository) -> list[str]:
    """The write calls made through the repository's client from now on (a list that grows as they are made)."""
    made: list[str] = []

    def record(model: Any, **_: Any) -> None:
        if model.name in _WRITE_OPERATIONS:
            made.append(model.name)

    repo.client.meta.events.register("before-call.dynamodb", record)
    return made


def _all_items(repo: Repository, partitions: set[str]) -> list[dict[str, Any]]:
    """Every item of the partitions, in key order so the file is the same for the same data."""
    items: list[dict[str, Any]] = []
    for partition in sorted(partitions):
        for page in repo.client.get_paginator("query").paginate(
            TableName=repo.table_name,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": partition}},
            ConsistentRead=True,
        ):
            items.extend(page.get("Items", []))
    return sorted(items, key=lambda item: (item["PK"]["S"], item["SK"]["S"]))


def _write_snapshot(path: Path, items: list[dict[str, Any]]) -> None:
    document = {"format": SNAPSHOT_FORMAT, "version": SNAPSHOT_VERSION, "items": items}
    partial = path.with_name(path.name + ".partial")
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            json.dump(document, out, ensure_ascii=False, separators=(",", ":"))
            out.flush()
            os.fsync(out.fileno())
        partial.replace(path)
    except OSError as error:
        raise LocalStoreError(f"{path}: cannot be written ({error.strerror}); nothing was saved") from None
