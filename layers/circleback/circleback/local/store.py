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
from circleback.local.emulator import LOCAL_TABLE, local_engine, use_loopback_credentials
from circleback.services.memory import cyclic_gc_paused

SNAPSHOT_FILE = "table.json"
LOCK_FILE = "table.lock"
SNAPSHOT_FORMAT = "circleback-local-table"
SNAPSHOT_VERSION = 1


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
    """A repository over the in-memory engine's table, loaded from `data_dir` and saved back when the block ends.

    The block works on `owner_id`'s data (as every command does): saving takes that owner's partition and the ones
    the file held, straight from the engine (engine.py), and only after a write call was made through it.

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
    with _locked(data_dir / LOCK_FILE):
        # A snapshot's items make some twenty objects each, none in a cycle: collections meanwhile would walk
        # them all again and again (a fifth of reading 30,000 contacts).
        with cyclic_gc_paused():
            before = _read_snapshot(snapshot)
            use_loopback_credentials()
            engine = local_engine()
            try:
                engine.load(before, LOCAL_TABLE)
            except ValueError as error:
                raise LocalStoreError(f"{snapshot}: {error}; move it away to start afresh") from None
        partitions = {item["PK"]["S"] for item in before} | {owner_pk(owner_id)}
        try:
            yield Repository(LOCAL_TABLE, engine.client)
        finally:
            if engine.writes:  # a command that only read saves nothing
                after = engine.items(LOCAL_TABLE, partitions)
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


def _write_snapshot(path: Path, items: list[dict[str, Any]]) -> None:
    document = {"format": SNAPSHOT_FORMAT, "version": SNAPSHOT_VERSION, "items": items}
    partial = path.with_name(path.name + ".partial")
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            # dumps, not dump: dump feeds the file from Python's pure encoder, five times slower at 30,000 contacts.
            out.write(json.dumps(document, ensure_ascii=False, separators=(",", ":")))
            out.flush()
            os.fsync(out.fileno())
        partial.replace(path)
    except OSError as error:
        raise LocalStoreError(f"{path}: cannot be written ({error.strerror}); nothing was saved") from None
