"""The daily commands against a deployed stack's table (emulated), and their AWS failure modes: settings that
reschedule the digest, a removal DynamoDB throttles, a settings change racing a digest.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from botocore.stub import Stubber

from circleback.adapters import stack
from circleback.adapters.store.repository import ConflictError, Repository
from circleback.cli import main
from circleback.domain.model import Owner
from circleback.domain.schedule import next_send_at, shard_of
from circleback.local.emulator import LOCAL_TABLE, embedded_repository
from circleback.services import settings as settings_service
from circleback.services.contacts import remove
from circleback.services.importing import import_contacts

OWNER = "owner"
ZONE = "America/New_York"


@pytest.fixture
def deployed(monkeypatch: pytest.MonkeyPatch) -> Iterator[Repository]:
    """A deployed stack named `prod`: CloudFormation names its table; the table has the owner and contacts."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")  # --region sets it for the process: restored after
    with embedded_repository() as repo:

        def outputs(stack_name: str, *names: str, client: Any = None) -> dict[str, str]:
            if stack_name != "prod":
                raise stack.StackNotFound(f"stack {stack_name!r}: Stack with id {stack_name} does not exist")
            return dict.fromkeys(names, LOCAL_TABLE)

        monkeypatch.setattr(stack, "stack_outputs", outputs)
        monkeypatch.setattr("circleback.cli.targets.table_repository", lambda name: Repository(name, repo.client))
        now = datetime.now(UTC)
        owner = Owner(id=OWNER, email="you@example.com", timezone=ZONE, country="US")
        repo.put_owner(replace(owner, next_send_at=next_send_at(owner, now)))
        import_contacts(repo, OWNER, "name,email\nAna Souza,ana@acme.com\nBo Li,bo@globex.com\n", now.date())
        yield repo


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().err


def test_settings_on_the_stack_move_the_next_digest_and_its_index_entry(
    deployed: Repository, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run(capsys, "--stack", "prod", "--region", "us-east-1", "settings", "set", "--send-hour", "11")
    assert code == 0 and "send hour: 07:00 -> 11:00" in err
    owner = deployed.get_owner(OWNER)
    assert owner is not None and owner.send_hour == 11 and owner.next_send_at is not None
    local = owner.next_send_at.astimezone(ZoneInfo(ZONE))
    assert (local.hour, local.minute) == (11, 0)
    assert list(deployed.due_owners(shard_of(OWNER), owner.next_send_at)) == [(OWNER, owner.next_send_at)]
    assert run(capsys, "settings", "set", "--frequency", "off")[0] == 0  # the stack is remembered
    assert deployed.get_owner(OWNER).next_send_at is None  # type: ignore[union-attr]
    assert list(deployed.due_owners(shard_of(OWNER), datetime.now(UTC) + timedelta(days=30))) == []


def test_daily_commands_write_to_the_stacks_table(deployed: Repository, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--stack", "prod", "touch", "bo", "--channel", "lunch", "--note", "Tacos")[0] == 0
    assert run(capsys, "snooze", "ana", "--days", "7", "--stack", "prod")[0] == 0
    data = deployed.load_digest_input(OWNER)
    assert data is not None
    [touch] = data.touches
    assert (touch.channel.value, touch.note) == ("meeting", "Tacos")
    ana = next(c for c in data.contacts if c.name == "Ana Souza")
    assert ana.snoozed_until is not None and ana.snoozed_until > date.today() - timedelta(days=2)


def test_an_unknown_stack_is_named_with_the_local_alternative(
    deployed: Repository, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run(capsys, "--stack", "staging", "contacts", "list")
    assert code == 2 and "stack 'staging'" in err and "use --local" in err


def test_the_local_store_has_no_calendar_link_to_give(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(capsys, "--local", "calendar", "url")
    assert code == 2 and "needs the deployed stack" in err


def test_a_settings_change_racing_a_digest_is_made_again_on_the_moved_schedule(deployed: Repository) -> None:
    """The digest moves the schedule between the read and the write: the conditional write refuses, the
    settings are read again and applied to the new schedule; nothing the digest wrote is lost.
    """
    real = deployed.replace_owner
    raced: list[bool] = []

    def digest_moves_first(owner: Owner, read: Owner) -> bool:
        if not raced:
            raced.append(True)
            assert read.next_send_at is not None
            deployed.advance_schedule(read, read.next_send_at, read.next_send_at + timedelta(days=1))
        return real(owner, read)

    deployed.replace_owner = digest_moves_first  # type: ignore[method-assign]
    now = datetime.now(UTC)
    _before, after = settings_service.change_settings(deployed, OWNER, {"monthly_goal": 9}, now)
    assert raced and after.monthly_goal == 9
    assert deployed.get_owner(OWNER) == after


def test_settings_that_keep_changing_are_reported_not_half_written(deployed: Repository) -> None:
    deployed.replace_owner = lambda owner, read: False  # type: ignore[method-assign]
    with pytest.raises(ConflictError, match="kept changing"):
        settings_service.change_settings(deployed, OWNER, {"monthly_goal": 9}, datetime.now(UTC))
    assert deployed.get_owner(OWNER).monthly_goal == 4  # type: ignore[union-attr]


def test_deletes_dynamodb_leaves_unprocessed_are_sent_again(deployed: Repository) -> None:
    """BatchWriteItem under throttling answers with UnprocessedItems: they are sent again, with a backoff."""
    contact = next(c for c in deployed.list_contacts(OWNER) if c.name == "Bo Li")
    touch_keys = [f"TOUCH#{contact.id}#2026-11-0{day}#t{day}" for day in (1, 2)]
    stubbed = Stubber(deployed.client)
    pk = {"S": f"OWNER#{OWNER}"}
    items = [{"PK": pk, "SK": {"S": sk}} for sk in touch_keys]
    stubbed.add_response("query", {"Items": items, "Count": 2, "ScannedCount": 2})
    stubbed.add_response("query", {"Items": [], "Count": 0, "ScannedCount": 0})
    requests = [{"DeleteRequest": {"Key": {"PK": pk, "SK": {"S": sk}}}} for sk in touch_keys]
    stubbed.add_response("batch_write_item", {"UnprocessedItems": {LOCAL_TABLE: requests[1:]}})
    stubbed.add_response(
        "batch_write_item", {"UnprocessedItems": {}}, expected_params={"RequestItems": {LOCAL_TABLE: requests[1:]}}
    )
    stubbed.add_response("delete_item", {})
    stubbed.add_response("query", {"Items": [], "Count": 0, "ScannedCount": 0})  # no touch logged meanwhile
    with stubbed:
        assert deployed.remove_contact(OWNER, contact) == (2, 0)
    stubbed.assert_no_pending_responses()


def test_deletes_still_unprocessed_after_the_retries_stop_the_removal_before_the_contact(
    deployed: Repository, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("circleback.adapters.store.repository.time.sleep", lambda seconds: None)
    contact = next(c for c in deployed.list_contacts(OWNER) if c.name == "Bo Li")
    stubbed = Stubber(deployed.client)
    pk = {"S": f"OWNER#{OWNER}"}
    sk = f"TOUCH#{contact.id}#2026-11-01#t1"
    stubbed.add_response("query", {"Items": [{"PK": pk, "SK": {"S": sk}}], "Count": 1, "ScannedCount": 1})
    stubbed.add_response("query", {"Items": [], "Count": 0, "ScannedCount": 0})
    left = {LOCAL_TABLE: [{"DeleteRequest": {"Key": {"PK": pk, "SK": {"S": sk}}}}]}
    for _ in range(6):
        stubbed.add_response("batch_write_item", {"UnprocessedItems": left})
    with stubbed, pytest.raises(ConflictError, match="unprocessed; run the command again"):
        deployed.remove_contact(OWNER, contact)
    assert deployed.get_contact(OWNER, contact.id) is not None  # never deleted before its touches


def test_a_throttled_removal_is_an_aws_error_and_the_contact_stays(
    deployed: Repository, capsys: pytest.CaptureFixture[str]
) -> None:
    contact = next(c for c in deployed.list_contacts(OWNER) if c.name == "Bo Li")
    stubbed = Stubber(deployed.client)
    stubbed.add_client_error("query", "ProvisionedThroughputExceededException", "Throughput exceeded", 400)
    with stubbed, pytest.raises(Exception, match="ProvisionedThroughputExceeded"):
        remove(deployed, OWNER, contact)
    assert deployed.get_contact(OWNER, contact.id) is not None
