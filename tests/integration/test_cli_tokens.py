"""`circleback token create | list | revoke`: personal access tokens for POST /touches, against the stack's table."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from circleback.adapters.stack import StackNotFound, table_name_of
from circleback.adapters.store.repository import Repository
from circleback.auth import access_tokens
from circleback.cli import main
from circleback.local.emulator import LOCAL_REGION, LOCAL_TABLE, embedded_repository
from circleback.services.touches import Unauthorized, authenticate

OWNER = "owner"


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Iterator[Repository]:
    with embedded_repository() as repo:
        monkeypatch.setenv("CIRCLEBACK_TABLE", LOCAL_TABLE)
        monkeypatch.setattr("circleback.cli.targets.table_repository", lambda name: Repository(name, repo.client))
        yield repo


def test_create_prints_the_token_once_and_stores_only_its_hash(
    table: Repository, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["token", "create", "phone  shortcut"]) == 0
    out, err = capsys.readouterr()
    token = out.strip()
    token_id, secret = access_tokens.parse(token)
    assert "only time it is shown" in err and token_id in err and secret not in err
    (stored,) = table.list_access_tokens(OWNER)
    assert stored.id == token_id and stored.name == "phone shortcut"
    assert secret not in repr(stored) and stored.secret_hash != secret
    assert authenticate(table, OWNER, token) == stored


def test_list_shows_ids_and_names_never_secrets(table: Repository, capsys: pytest.CaptureFixture[str]) -> None:
    main(["token", "create", "laptop script"])
    token = capsys.readouterr().out.strip()
    assert main(["token", "list"]) == 0
    out = capsys.readouterr().out
    token_id, secret = access_tokens.parse(token)
    assert token_id in out and "laptop script" in out and secret not in out


def test_revoke_makes_the_token_useless(table: Repository, capsys: pytest.CaptureFixture[str]) -> None:
    main(["token", "create", "old phone"])
    token = capsys.readouterr().out.strip()
    token_id, _ = access_tokens.parse(token)
    assert main(["token", "revoke", token_id]) == 0
    with pytest.raises(Unauthorized):
        authenticate(table, OWNER, token)
    assert main(["token", "revoke", token_id]) == 2
    assert "no token with id" in capsys.readouterr().err


def test_a_blank_name_is_refused(table: Repository, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "create", "   "]) == 2
    assert "1 to 80 characters" in capsys.readouterr().err
    assert table.list_access_tokens(OWNER) == []


def _cloudformation() -> Any:
    return boto3.client("cloudformation", region_name=LOCAL_REGION)


def test_the_table_is_found_from_the_stack_outputs() -> None:
    client = _cloudformation()
    with Stubber(client) as stub:
        outputs = [{"OutputKey": "TableName", "OutputValue": "circleback-Table-ABC"}]
        stack = {"StackName": "circleback", "CreationTime": "2026-01-01T00:00:00Z", "StackStatus": "CREATE_COMPLETE"}
        stub.add_response("describe_stacks", {"Stacks": [{**stack, "Outputs": outputs}]}, {"StackName": "circleback"})
        assert table_name_of("circleback", client) == "circleback-Table-ABC"


def test_a_missing_stack_is_a_clear_error() -> None:
    client = _cloudformation()
    with Stubber(client) as stub:
        stub.add_client_error("describe_stacks", "ValidationError", "Stack with id nope does not exist")
        with pytest.raises(StackNotFound, match=r"nope.*does not exist"):
            table_name_of("nope", client)


def test_a_stack_without_the_output_is_not_taken_for_circleback() -> None:
    client = _cloudformation()
    with Stubber(client) as stub:
        stack = {"StackName": "other", "CreationTime": "2026-01-01T00:00:00Z", "StackStatus": "CREATE_COMPLETE"}
        stub.add_response("describe_stacks", {"Stacks": [stack]})
        with pytest.raises(StackNotFound, match="no TableName output"):
            table_name_of("other", client)
