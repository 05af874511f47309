"""`circleback --local`: the emulated table kept in a file between commands (local.store.persistent_repository)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from circleback.domain.model import Owner
from circleback.local.store import SNAPSHOT_FILE, LocalStoreError, default_data_dir, persistent_repository
from circleback.services.importing import import_contacts
from tests.factories import contact
from tests.paths import ROOT

OWNER = "owner"


def test_what_one_command_writes_the_next_one_reads(tmp_path: Path) -> None:
    with persistent_repository(tmp_path) as repo:
        repo.put_owner(Owner(id=OWNER, timezone="Europe/Lisbon"))
        import_contacts(repo, OWNER, "name,email\nAna Souza,ana@acme.com\nBo Li,bo@globex.com\n", date(2026, 11, 22))
    with persistent_repository(tmp_path) as repo:
        data = repo.load_digest_input(OWNER)
        assert data is not None and data.owner.timezone == "Europe/Lisbon"
        assert sorted(c.name for c in data.contacts) == ["Ana Souza", "Bo Li"]
        # The versions and the sparse index come back as they were: it is the same table.
        assert {c.version for c in data.contacts} == {1}


def test_the_file_is_written_only_when_something_changed(tmp_path: Path) -> None:
    with persistent_repository(tmp_path) as repo:
        repo.add_contact(OWNER, contact("Ana Souza"))
    snapshot = tmp_path / SNAPSHOT_FILE
    os.utime(snapshot, (1_000_000, 1_000_000))
    with persistent_repository(tmp_path) as repo:
        repo.list_contacts(OWNER)
    assert snapshot.stat().st_mtime == 1_000_000
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []


def test_the_store_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    store = tmp_path / "store"
    with persistent_repository(store) as repo:
        repo.add_contact(OWNER, contact("Ana Souza"))
    assert stat.S_IMODE(store.stat().st_mode) == 0o700
    assert stat.S_IMODE((store / SNAPSHOT_FILE).stat().st_mode) == 0o600


def test_the_file_is_the_same_for_the_same_data(tmp_path: Path) -> None:
    for folder in (tmp_path / "a", tmp_path / "b"):
        with persistent_repository(folder) as repo:
            for name in ("Zoe Adams", "Ana Souza", "Bo Li"):
                repo.add_contact(OWNER, contact(name, id=name.replace(" ", "-")))
    first, second = ((tmp_path / f / SNAPSHOT_FILE).read_bytes() for f in ("a", "b"))
    assert first == second
    items = json.loads(first)["items"]
    assert [item["SK"]["S"] for item in items] == sorted(item["SK"]["S"] for item in items)


def test_writes_made_before_an_error_are_kept_as_dynamodb_would_keep_them(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), persistent_repository(tmp_path) as repo:
        repo.add_contact(OWNER, contact("Ana Souza"))
        raise RuntimeError("the command failed half way")
    with persistent_repository(tmp_path) as repo:
        assert [c.name for c in repo.list_contacts(OWNER)] == ["Ana Souza"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "cannot be read"),
        ('{"format": "something-else", "version": 1, "items": []}', "not a circleback local store"),
        ('{"format": "circleback-local-table", "version": 99, "items": []}', "another version of circleback"),
        ('{"format": "circleback-local-table", "version": 1, "items": {}}', "has no list of items"),
    ],
)
def test_a_damaged_file_is_named_and_left_alone(tmp_path: Path, content: str, message: str) -> None:
    snapshot = tmp_path / SNAPSHOT_FILE
    snapshot.write_text(content, encoding="utf-8")
    with pytest.raises(LocalStoreError, match=message) as raised, persistent_repository(tmp_path):
        pass
    assert str(snapshot) in str(raised.value)
    assert snapshot.read_text(encoding="utf-8") == content


def test_a_folder_that_cannot_be_made_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(LocalStoreError, match="file"), persistent_repository(blocker / "store"):
        pass


def test_the_data_folder_follows_each_platforms_convention(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr("circleback.local.store.sys.platform", "linux")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_data_dir() == tmp_path / "xdg" / "circleback"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert default_data_dir() == Path.home() / ".local" / "share" / "circleback"
    monkeypatch.setattr("circleback.local.store.sys.platform", "darwin")
    assert default_data_dir() == Path.home() / "Library" / "Application Support" / "circleback"
    monkeypatch.setattr("circleback.local.store.sys.platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "appdata"))
    assert default_data_dir() == tmp_path / "appdata" / "circleback"


def test_two_commands_at_once_both_keep_their_writes(tmp_path: Path) -> None:
    """Two processes log a touch each at the same moment: the lock makes them take turns, so neither
    overwrites the other's file.
    """
    store = tmp_path / "store"
    with persistent_repository(store) as repo:
        repo.put_owner(Owner(id=OWNER))
        import_contacts(repo, OWNER, "name\nAna Souza\nBo Li\n", date(2026, 11, 22))
    environment = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    command = [sys.executable, "-m", "circleback.cli.app", "--data-dir", str(store), "touch"]
    runs = [
        subprocess.Popen(  # noqa: S603 - our own command line, with arguments the test wrote
            [*command, name, "--channel", "call", "--date", "2026-11-20"],
            env=environment,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("ana", "bo")
    ]
    for process in runs:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    with persistent_repository(store) as repo:
        data = repo.load_digest_input(OWNER)
        assert data is not None
        names = {c.id: c.name for c in data.contacts}
        assert sorted(names[t.contact_id] for t in data.touches) == ["Ana Souza", "Bo Li"]
