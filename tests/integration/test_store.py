"""The store on moto and on DynamoDB Local (AWS's own emulator), with the table built from template.yaml:
keys, reads, optimistic locking, conditional writes, transactions, pagination and the sparse schedule index.

Every test that takes `repo` runs twice, once per emulator (ids `moto` and `dynamodb-local`), so the
repository's reliance on DynamoDB's semantics is checked against the real service's emulator too.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from circleback.domain.cadence import summarise
from circleback.domain.model import (
    Birthday,
    Channel,
    Contact,
    Direction,
    EventKind,
    Frequency,
    LifeEvent,
    Relationship,
    Tier,
    Touch,
)
from circleback.local import load_template
from circleback.services.touches import log_touch
from circleback.store.repository import ConflictError, NotFoundError, Repository
from tests.factories import contact, owner, touch

OWNER = "owner-1"
BACKENDS = {"moto": "moto_repo", "dynamodb-local": "dynamodb_local_repo"}


@pytest.fixture(params=list(BACKENDS))
def repo(request: pytest.FixtureRequest) -> Repository:
    """The repository over a fresh table on each emulator in turn."""
    repository: Repository = request.getfixturevalue(BACKENDS[request.param])
    return repository


def record_calls(repo: Repository) -> Counter[str]:
    """Count the DynamoDB operations the repository makes from now on."""
    calls: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        calls[model.name] += 1

    repo.client.meta.events.register("before-call.dynamodb", count)
    return calls


def test_the_emulated_table_is_the_templates_table(repo: Repository) -> None:
    described = repo.client.describe_table(TableName=repo.table_name)["Table"]
    properties = load_template()["Resources"]["Table"]["Properties"]
    assert described["KeySchema"] == properties["KeySchema"]
    assert described["GlobalSecondaryIndexes"][0]["IndexName"] == "GSI1"
    assert described["GlobalSecondaryIndexes"][0]["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    ttl = repo.client.describe_time_to_live(TableName=repo.table_name)["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expires_at"


def test_owner_round_trips(repo: Repository) -> None:
    profile = owner(
        id=OWNER,
        email="me@example.com",
        frequency=Frequency.WEEKLY,
        weekday=4,
        paused_until=date(2026, 12, 1),
        next_send_at=datetime(2026, 11, 23, 7, tzinfo=UTC),
    )
    repo.put_owner(profile)
    assert repo.get_owner(OWNER) == profile
    assert repo.get_owner("someone-else") is None


def test_contact_round_trips_with_every_field(repo: Repository) -> None:
    full = contact(
        "Zoë Ångström",
        email="zoe@example.se",
        phone="+46 8 555 0100",
        linkedin_url="https://www.linkedin.com/in/zoe",
        company="Spotify",
        title="VP",
        relationship=Relationship.MENTOR,
        tier=Tier.A,
        cadence_days=45,
        country="SE",
        birthday=Birthday(2, 29),
        worked_together_until=date(2022, 5, 31),
        tags=("mentor", "music"),
        notes="Line one\nline two",
        last_touch=date(2026, 1, 2),
        paused=True,
        snoozed_until=date(2026, 12, 24),
    )
    stored = repo.add_contact(OWNER, full)
    assert stored.version == 1
    assert repo.list_contacts(OWNER) == [stored]


def test_adding_a_contact_twice_is_refused(repo: Repository) -> None:
    ana = contact("Ana")
    repo.add_contact(OWNER, ana)
    with pytest.raises(ConflictError):
        repo.add_contact(OWNER, ana)


def test_optimistic_locking_lets_one_of_two_edits_win(repo: Repository) -> None:
    ana = repo.add_contact(OWNER, contact("Ana"))
    first = repo.save_contact(OWNER, replace(ana, company="Acme"))
    assert first.version == 2
    with pytest.raises(ConflictError):
        repo.save_contact(OWNER, replace(ana, company="Globex"))  # read at version 1: stale
    assert repo.list_contacts(OWNER)[0].company == "Acme"


def test_clearing_a_field_removes_it(repo: Repository) -> None:
    ana = repo.add_contact(OWNER, contact("Ana", company="Acme", snoozed_until=date(2026, 12, 1)))
    repo.save_contact(OWNER, replace(ana, snoozed_until=None))
    assert repo.list_contacts(OWNER)[0].snoozed_until is None


def test_a_touch_and_its_contact_summary_are_written_together(repo: Repository) -> None:
    ana = repo.add_contact(OWNER, contact("Ana"))
    note = touch(ana.id, date(2026, 11, 2), Direction.OUTBOUND, "Sent the article")
    assert log_touch(repo, OWNER, note) is True
    stored, touches = repo.contact_with_touches(OWNER, ana.id)
    assert touches == [note]
    assert stored.version == 2
    item = _item(repo, ana.id)
    assert item["last_touched_on"] == {"S": "2026-11-02"}
    assert item["outbound_streak"] == {"N": "1"}


def test_the_same_touch_twice_is_recorded_once(repo: Repository) -> None:
    ana = repo.add_contact(OWNER, contact("Ana"))
    note = touch(ana.id, date(2026, 11, 2))
    assert log_touch(repo, OWNER, note) is True
    assert log_touch(repo, OWNER, note) is False
    contact_now, touches = repo.contact_with_touches(OWNER, ana.id)
    assert len(touches) == 1 and contact_now.version == 2


def test_a_duplicate_touch_is_refused_by_the_table_itself(repo: Repository) -> None:
    """Even when a racing writer got past the read check, the transaction's condition stops it."""
    ana = repo.add_contact(OWNER, contact("Ana"))
    note = touch(ana.id, date(2026, 11, 2))
    history = summarise(None, [note])
    assert repo.write_touch(OWNER, note, ana, history) is True
    fresh, _ = repo.contact_with_touches(OWNER, ana.id)
    assert repo.write_touch(OWNER, note, fresh, history) is False
    assert repo.contact_with_touches(OWNER, ana.id)[0].version == fresh.version  # nothing written


def test_a_stale_contact_fails_the_whole_transaction(repo: Repository) -> None:
    ana = repo.add_contact(OWNER, contact("Ana"))
    repo.save_contact(OWNER, replace(ana, company="Acme"))  # someone else moved it to version 2
    note = touch(ana.id, date(2026, 11, 2))
    with pytest.raises(ConflictError):
        repo.write_touch(OWNER, note, ana, summarise(None, [note]))
    assert repo.contact_with_touches(OWNER, ana.id)[1] == []  # no touch without its contact update


def test_log_touch_retries_when_the_contact_changes_under_it(repo: Repository) -> None:
    ana = repo.add_contact(OWNER, contact("Ana"))
    real_read = repo.contact_with_touches
    raced = {"done": False}

    def read_then_race(owner_id: str, contact_id: str) -> tuple[Contact, list[Touch]]:
        result = real_read(owner_id, contact_id)
        if not raced["done"]:
            raced["done"] = True
            repo.save_contact(owner_id, replace(result[0], title="CTO"))  # a concurrent edit
        return result

    repo.contact_with_touches = read_then_race  # type: ignore[method-assign]
    assert log_touch(repo, OWNER, touch(ana.id, date(2026, 11, 2))) is True
    stored, touches = real_read(OWNER, ana.id)
    assert len(touches) == 1 and stored.title == "CTO" and stored.version == 3


def test_a_back_dated_touch_keeps_the_streak_in_date_order(repo: Repository) -> None:
    ana = repo.add_contact(OWNER, contact("Ana"))
    log_touch(repo, OWNER, touch(ana.id, date(2026, 6, 1), Direction.OUTBOUND))
    log_touch(repo, OWNER, touch(ana.id, date(2026, 8, 1), Direction.OUTBOUND))
    log_touch(repo, OWNER, touch(ana.id, date(2026, 7, 1), Direction.INBOUND))  # entered late
    item = _item(repo, ana.id)
    assert item["outbound_streak"] == {"N": "1"} and item["last_touched_on"] == {"S": "2026-08-01"}


def test_touching_an_unknown_contact_fails_clearly(repo: Repository) -> None:
    with pytest.raises(NotFoundError):
        log_touch(repo, OWNER, touch("nobody", date(2026, 11, 2)))


def test_events_are_idempotent(repo: Repository) -> None:
    news = LifeEvent("e1", date(2026, 11, 10), EventKind.PROMOTION, None, "Staff engineer")
    assert repo.add_event(OWNER, news) is True
    assert repo.add_event(OWNER, news) is False


def test_digest_input_is_one_get_item_and_one_paginated_query(repo: Repository) -> None:
    repo.put_owner(owner(id=OWNER))
    big_note = "x" * 3000  # 400 contacts x 3 KB: more than one 1 MB page
    people = [repo.add_contact(OWNER, contact(f"P{i:03d}", notes=big_note)) for i in range(400)]
    for person in people[:5]:
        log_touch(repo, OWNER, touch(person.id, date(2026, 11, 1), Direction.MUTUAL, channel=Channel.CALL))
    repo.add_event(OWNER, LifeEvent("e1", date(2026, 11, 10), EventKind.AWARD))
    repo.put_owner(owner(id="neighbour"))
    repo.add_contact("neighbour", contact("Not mine"))
    calls = record_calls(repo)

    data = repo.load_digest_input(OWNER)

    assert data is not None
    assert len(data.contacts) == 400 and len(data.touches) == 5 and len(data.events) == 1
    assert "Not mine" not in {c.name for c in data.contacts}
    assert calls["GetItem"] == 1
    assert calls["Query"] >= 2, "expected the Query to span more than one page"
    assert set(calls) == {"GetItem", "Query"}


def test_digest_input_of_an_unknown_owner_is_none(repo: Repository) -> None:
    assert repo.load_digest_input("nobody") is None


def test_the_repository_creates_no_client_until_used() -> None:
    lazy = Repository("any-table")
    assert lazy._client is None


def test_no_scan_anywhere_in_the_code() -> None:
    root = Path(__file__).resolve().parents[2]
    sources = [*root.joinpath("layers").rglob("*.py"), *root.joinpath("functions").rglob("*.py")]
    offenders = [str(p) for p in sources if ".scan(" in p.read_text() or '"Scan"' in p.read_text()]
    assert sources and offenders == []


def _item(repo: Repository, contact_id: str) -> dict[str, Any]:
    response = repo.client.get_item(
        TableName=repo.table_name, Key={"PK": {"S": f"OWNER#{OWNER}"}, "SK": {"S": f"CONTACT#{contact_id}"}}
    )
    return dict(response["Item"])
