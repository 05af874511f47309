"""The store on moto and on DynamoDB Local (AWS's own emulator), with the table built from template.yaml:
keys, reads, optimistic locking, conditional writes, transactions, pagination and the sparse schedule index.

Every test that takes `repo` runs twice, once per emulator (ids `moto` and `dynamodb-local`), so the
repository's reliance on DynamoDB's semantics is checked against the real service's emulator too.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from circleback.adapters.store.keys import SCHEDULE_INDEX
from circleback.adapters.store.repository import ConflictError, Repository
from circleback.domain.cadence import chronological, summarise
from circleback.domain.model import (
    AccessToken,
    ActionRecord,
    Birthday,
    Channel,
    DigestRun,
    Direction,
    EventKind,
    Frequency,
    LifeEvent,
    Relationship,
    RunStatus,
    Tier,
)
from circleback.domain.schedule import SHARD_COUNT, shard_of
from circleback.local.emulator import load_template
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


def test_a_touch_is_written_alone_and_the_contact_is_left_as_it_was(repo: Repository) -> None:
    ana = repo.add_contact(OWNER, contact("Ana"))
    note = touch(ana.id, date(2026, 11, 2), Direction.OUTBOUND, "Sent the article")
    assert repo.add_touch(OWNER, note) is True
    stored, touches = repo.contact_with_touches(OWNER, ana.id)
    assert touches == [note]
    assert stored == ana  # same version: a touch never races an edit of the contact


def test_the_same_touch_twice_is_recorded_once(repo: Repository) -> None:
    ana = repo.add_contact(OWNER, contact("Ana"))
    note = touch(ana.id, date(2026, 11, 2))
    assert repo.add_touch(OWNER, note) is True
    assert repo.add_touch(OWNER, replace(note, note="a retry that changed its note")) is False
    assert repo.contact_with_touches(OWNER, ana.id)[1] == [note]  # the first one stands


def test_a_touch_and_an_edit_of_its_contact_at_the_same_time_both_land(repo: Repository) -> None:
    ana = repo.add_contact(OWNER, contact("Ana"))
    edited = repo.save_contact(OWNER, replace(ana, title="CTO"))
    assert repo.add_touch(OWNER, touch(ana.id, date(2026, 11, 2))) is True
    stored, touches = repo.contact_with_touches(OWNER, ana.id)
    assert stored == edited and len(touches) == 1


def test_a_back_dated_touch_takes_its_place_in_the_history(repo: Repository) -> None:
    ana = repo.add_contact(OWNER, contact("Ana"))
    repo.add_touch(OWNER, touch(ana.id, date(2026, 6, 1), Direction.OUTBOUND))
    repo.add_touch(OWNER, touch(ana.id, date(2026, 8, 1), Direction.OUTBOUND))
    repo.add_touch(OWNER, touch(ana.id, date(2026, 7, 1), Direction.INBOUND))  # entered late
    history = summarise(None, chronological(repo.contact_with_touches(OWNER, ana.id)[1]))
    assert (history.last_touch, history.outbound_streak) == (date(2026, 8, 1), 1)


def test_events_are_idempotent(repo: Repository) -> None:
    news = LifeEvent("e1", date(2026, 11, 10), EventKind.PROMOTION, None, "Staff engineer")
    assert repo.add_event(OWNER, news) is True
    assert repo.add_event(OWNER, news) is False


def test_digest_input_is_one_get_item_and_one_paginated_query(repo: Repository) -> None:
    repo.put_owner(owner(id=OWNER))
    big_note = "x" * 3000  # 400 contacts x 3 KB: more than one 1 MB page
    people = [repo.add_contact(OWNER, contact(f"P{i:03d}", notes=big_note)) for i in range(400)]
    for person in people[:5]:
        repo.add_touch(OWNER, touch(person.id, date(2026, 11, 1), Direction.MUTUAL, channel=Channel.CALL))
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


def test_the_digest_query_reads_only_what_the_planner_needs(repo: Repository) -> None:
    """Digest runs and action records lie outside the Query's key range: the digest does not pay to read them."""
    profile = owner(id=OWNER)
    repo.put_owner(profile)
    ana = repo.add_contact(OWNER, contact("Ana", birthday=Birthday(4, 2), tags=("ex-Acme",), company="Acme"))
    repo.add_touch(OWNER, touch(ana.id, date(2026, 11, 1), Direction.MUTUAL, channel=Channel.CALL, note="lunch"))
    repo.add_event(OWNER, LifeEvent("e1", date(2026, 11, 10), EventKind.AWARD))
    now = datetime(2026, 11, 20, 12, tzinfo=UTC)
    for day in range(20):
        sent = date(2026, 11, 1) + timedelta(days=day)
        repo.claim_run(DigestRun(OWNER, sent, now, RunStatus.CLAIMED, "w", now + timedelta(minutes=2)), now)
    repo.record_action(OWNER, ActionRecord("k1", "snooze", now, now + timedelta(days=30), ana.id), [])
    scanned: list[int] = []

    def count(model: Any, parsed: dict[str, Any], **_: Any) -> None:
        if model.name == "Query":
            scanned.append(parsed["ScannedCount"])

    repo.client.meta.events.register("after-call.dynamodb", count)

    data = repo.digest_input(profile)

    assert sum(scanned) == 4  # the profile, Ana, her touch and the event: no run, no action record
    assert data.contacts == repo.list_contacts(OWNER)  # read raw, decoded alike
    assert list(data.touches) == repo.contact_with_touches(OWNER, ana.id)[1]
    assert list(data.events) == repo.list_events(OWNER)
    assert repo.get_run(OWNER, date(2026, 11, 5)) is not None


def test_a_failed_raw_query_raises_botocores_own_error(repo: Repository) -> None:
    missing = Repository("no-such-table", repo.client)
    with pytest.raises(repo.client.exceptions.ResourceNotFoundException):
        missing.digest_input(owner(id=OWNER))


def test_every_page_of_a_contacts_touches_is_read(repo: Repository) -> None:
    """A consistent, paginated Query over one contact's touches: 300 touches x 4 KB span several 1 MB pages."""
    ana = repo.add_contact(OWNER, contact("Ana"))
    first = date(2026, 1, 1)
    notes = [touch(ana.id, first + timedelta(days=i), note=f"{i:03d} " + "n" * 4000) for i in range(300)]
    for note in notes:
        repo.client.transact_write_items(TransactItems=[repo.touch_put(OWNER, note)])  # type: ignore[list-item]
    calls = record_calls(repo)

    _, touches = repo.contact_with_touches(OWNER, ana.id)

    assert touches == notes  # all of them, oldest first
    assert calls["Query"] >= 2


# --- conditional writes: a condition that does not hold writes nothing --------------------------------------


def test_creating_an_owner_never_overwrites_one(repo: Repository) -> None:
    assert repo.create_owner_if_absent(owner(id=OWNER, send_hour=7)) is True
    assert repo.create_owner_if_absent(owner(id=OWNER, send_hour=9)) is False
    stored = repo.get_owner(OWNER)
    assert stored is not None and stored.send_hour == 7


def test_conditional_puts_and_deletes_report_whether_they_wrote(repo: Repository) -> None:
    token = AccessToken("tok1", "laptop", "ab" * 32, datetime(2026, 11, 1, tzinfo=UTC))
    assert repo.add_access_token(OWNER, token) is True
    assert repo.add_access_token(OWNER, replace(token, name="phone")) is False
    assert repo.list_access_tokens(OWNER) == [token]
    assert repo.revoke_access_token(OWNER, "tok1") is True
    assert repo.revoke_access_token(OWNER, "tok1") is False
    news = LifeEvent("e1", date(2026, 11, 10), EventKind.PROMOTION, None, "Staff engineer")
    repo.add_event(OWNER, news)
    assert repo.remove_event(OWNER, news) is True
    assert repo.remove_event(OWNER, news) is False


def test_calendar_links_are_only_ever_revoked_later(repo: Repository) -> None:
    late, early = datetime(2026, 11, 20, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
    repo.revoke_calendar_links(OWNER, late)
    repo.revoke_calendar_links(OWNER, early)  # the condition fails: nothing written, nothing raised
    assert repo.calendar_links_revoked_at(OWNER) == late


def test_a_digest_run_is_claimed_once_until_its_lease_runs_out(repo: Repository) -> None:
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    mine = DigestRun(OWNER, date(2026, 11, 23), now, RunStatus.CLAIMED, "worker-1", now + timedelta(minutes=5))
    theirs = replace(mine, claimed_by="worker-2", lease_until=now + timedelta(minutes=20))
    assert repo.claim_run(mine, now) == mine
    assert repo.claim_run(theirs, now + timedelta(minutes=1)) == mine  # the lease holds: the holder is returned
    assert repo.update_run(replace(theirs, status=RunStatus.SENDING), RunStatus.CLAIMED) is False  # not theirs
    assert repo.claim_run(theirs, now + timedelta(minutes=6)) == theirs  # the lease ran out before SES
    assert repo.update_run(replace(mine, status=RunStatus.SENDING), RunStatus.CLAIMED) is False  # no longer mine
    sending = replace(theirs, status=RunStatus.SENDING)
    assert repo.update_run(sending, RunStatus.CLAIMED) is True
    # The same write again, as the SDK retries one whose answer was lost: still ours, already in that state.
    assert repo.update_run(sending, RunStatus.CLAIMED) is True
    sent = replace(sending, status=RunStatus.SENT)
    assert repo.update_run(sent, RunStatus.CLAIMED) is False  # neither the expected state nor the new one
    assert repo.get_run(OWNER, date(2026, 11, 23)) == sending


# --- transactions: all or nothing, and how a cancelled one is read -------------------------------------------


def test_a_cancelled_transaction_writes_nothing_and_says_which_condition_failed(repo: Repository) -> None:
    """The error shape the repository reads: TransactionCanceledException with one reason per item, in order."""
    ana = repo.add_contact(OWNER, contact("Ana"))
    fresh = touch(ana.id, date(2026, 11, 2))
    writes = [repo.touch_put(OWNER, fresh), repo.contact_snooze_write(OWNER, replace(ana, version=7), None)]
    with pytest.raises(repo.client.exceptions.TransactionCanceledException) as raised:
        repo.client.transact_write_items(TransactItems=writes)  # type: ignore[arg-type]
    reasons = [reason["Code"] for reason in raised.value.response["CancellationReasons"]]
    assert reasons == ["None", "ConditionalCheckFailed"]
    assert repo.contact_with_touches(OWNER, ana.id) == (ana, [])  # the touch's put was cancelled with it


def test_a_guarded_transaction_maps_its_guard_and_its_writes_failures(repo: Repository) -> None:
    ana = repo.add_contact(OWNER, contact("Ana"))
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    record = ActionRecord("link-1", "snooze", now, now + timedelta(days=30), ana.id, None, None, date(2026, 12, 6))
    stale = repo.contact_snooze_write(OWNER, replace(ana, version=5), date(2026, 12, 6))
    with pytest.raises(ConflictError):  # the guard held, a write's condition did not
        repo.record_action(OWNER, record, [stale])
    assert repo.get_action(OWNER, "link-1") is None  # nor was the record written
    assert repo.record_action(OWNER, record, [repo.contact_snooze_write(OWNER, ana, date(2026, 12, 6))]) is True
    assert repo.record_action(OWNER, record, []) is False  # the guard failed: a repeat
    assert repo.get_contact(OWNER, ana.id) == replace(ana, version=2, snoozed_until=date(2026, 12, 6))


def test_undoing_a_pause_of_an_owner_with_digests_off_clears_every_field(repo: Repository) -> None:
    """Every field REMOVEd and none SET: the update expression must have no empty SET clause."""
    off = owner(id=OWNER, frequency=Frequency.OFF)
    repo.put_owner(replace(off, paused_until=date(2026, 12, 1)))
    paused = repo.get_owner(OWNER)
    assert paused is not None
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    record = ActionRecord("pause-1", "pause", now, now + timedelta(days=30), until=date(2026, 12, 1))
    assert repo.record_action(OWNER, record, [repo.owner_pause_write(paused, None, None)]) is True
    assert repo.get_owner(OWNER) == off


# --- the schedule: a sparse, sharded index (GSI1, keys only) ---------------------------------------------------


def test_only_scheduled_owners_are_in_the_schedule_index(repo: Repository) -> None:
    at = datetime(2026, 11, 23, 12, tzinfo=UTC)
    repo.put_owner(owner(id="scheduled", next_send_at=at))
    repo.put_owner(owner(id="off", frequency=Frequency.OFF))
    index = _schedule_index(repo)
    assert [item["PK"]["S"] for item in index] == ["OWNER#scheduled"]
    assert set(index[0]) == {"PK", "SK", "GSI1PK", "GSI1SK"}  # KEYS_ONLY: nothing else is projected


def test_due_owners_are_the_shards_owners_due_by_the_tick(repo: Repository) -> None:
    at = datetime(2026, 11, 23, 12, tzinfo=UTC)
    owners = {f"o{i:02d}": at + timedelta(minutes=15 * (i % 4)) for i in range(24)}
    for owner_id, send_at in owners.items():
        repo.put_owner(owner(id=owner_id, next_send_at=send_at))
    tick = at + timedelta(minutes=15)
    due = {owner_id: when for shard in range(SHARD_COUNT) for owner_id, when in repo.due_owners(shard, tick)}
    assert due == {owner_id: when for owner_id, when in owners.items() if when <= tick}
    some = next(iter(owners))
    assert dict(repo.due_owners(shard_of(some), tick)).keys() <= {o for o in owners if shard_of(o) == shard_of(some)}


def test_advancing_the_schedule_moves_or_removes_the_owner_in_the_index(repo: Repository) -> None:
    at = datetime(2026, 11, 23, 12, tzinfo=UTC)
    profile = owner(id=OWNER, next_send_at=at)
    repo.put_owner(profile)
    tomorrow = at + timedelta(days=1)
    assert repo.advance_schedule(profile, at, tomorrow) is True
    assert repo.advance_schedule(profile, at, tomorrow) is False  # a duplicate worker moves nothing
    assert list(repo.due_owners(shard_of(OWNER), at)) == []
    assert list(repo.due_owners(shard_of(OWNER), tomorrow)) == [(OWNER, tomorrow)]
    moved = replace(profile, next_send_at=tomorrow)
    assert repo.advance_schedule(moved, tomorrow, None) is True  # digests off: out of the index
    assert _schedule_index(repo) == []
    assert repo.get_owner(OWNER) == replace(profile, next_send_at=None)


def test_replacing_the_owner_holds_only_while_its_schedule_and_pause_are_as_read(repo: Repository) -> None:
    at = datetime(2026, 11, 23, 12, tzinfo=UTC)
    read = owner(id=OWNER, next_send_at=at)
    repo.put_owner(read)
    later = replace(read, send_hour=9, next_send_at=at + timedelta(hours=2))
    assert repo.replace_owner(later, read) is True
    assert repo.get_owner(OWNER) == later
    assert list(repo.due_owners(shard_of(OWNER), at + timedelta(hours=2))) == [(OWNER, at + timedelta(hours=2))]
    assert repo.replace_owner(replace(read, send_hour=10), read) is False  # the schedule moved since `read`
    paused = replace(later, paused_until=date(2026, 12, 1))
    repo.put_owner(paused)  # a pause link landed meanwhile
    assert repo.replace_owner(replace(later, send_hour=11), later) is False
    assert repo.get_owner(OWNER) == paused
    unscheduled = replace(paused, next_send_at=None, paused_until=None)
    repo.put_owner(unscheduled)
    assert repo.replace_owner(replace(unscheduled, max_due=3), unscheduled) is True
    assert repo.replace_owner(owner(id="nobody"), owner(id="nobody")) is False  # never creates an owner


def test_removing_a_contact_takes_its_touches_and_events_and_nobody_elses(repo: Repository) -> None:
    gone, kept = contact("Ana Souza"), contact("Bo Li")
    for person in (gone, kept):
        repo.add_contact(OWNER, person)
    for day in range(30):  # more than one BatchWriteItem's worth
        repo.add_touch(OWNER, touch(gone.id, date(2026, 10, 1) + timedelta(days=day)))
    repo.add_touch(OWNER, touch(kept.id, date(2026, 10, 2)))
    theirs = LifeEvent("e1", date(2026, 11, 1), EventKind.PROMOTION, gone.id)
    others = [
        LifeEvent("e2", date(2026, 11, 1), EventKind.MOVED, kept.id),
        LifeEvent("e3", date(2026, 11, 2), EventKind.AWARD),
    ]
    for event in (theirs, *others):
        repo.add_event(OWNER, event)
    stored = repo.get_contact(OWNER, gone.id)
    assert stored is not None
    assert repo.remove_contact(OWNER, stored) == (30, 1)
    assert repo.get_contact(OWNER, gone.id) is None
    assert [c.id for c in repo.list_contacts(OWNER)] == [kept.id]
    assert sorted(e.id for e in repo.list_events(OWNER)) == ["e2", "e3"]
    assert [t.contact_id for t in repo.contact_with_touches(OWNER, kept.id)[1]] == [kept.id]


def test_a_contact_changed_since_it_was_read_is_not_removed(repo: Repository) -> None:
    person = repo.add_contact(OWNER, contact("Ana Souza"))
    repo.save_contact(OWNER, replace(person, title="CTO"))  # an edit lands after `person` was read
    with pytest.raises(ConflictError):
        repo.remove_contact(OWNER, person)
    assert repo.get_contact(OWNER, person.id) is not None  # still there, to be removed again once read afresh


def test_a_touch_logged_while_its_contact_is_removed_goes_with_it(repo: Repository) -> None:
    person = repo.add_contact(OWNER, contact("Ana Souza"))
    repo.add_touch(OWNER, touch(person.id, date(2026, 10, 1)))
    real_delete = repo.client.delete_item

    def click_lands_first(**request: Any) -> Any:  # a link's touch written just before the contact goes
        repo.add_touch(OWNER, touch(person.id, date(2026, 10, 2)))
        return real_delete(**request)

    repo.client.delete_item = click_lands_first  # type: ignore[method-assign]
    assert repo.remove_contact(OWNER, person) == (2, 0)
    assert list(repo._query(f"OWNER#{OWNER}", "TOUCH#")) == []


def test_digest_input_of_an_unknown_owner_is_none(repo: Repository) -> None:
    assert repo.load_digest_input("nobody") is None


def test_the_repository_creates_no_client_until_used() -> None:
    lazy = Repository("any-table")
    assert lazy._client is None


def test_no_scan_anywhere_in_the_code() -> None:
    root = Path(__file__).resolve().parents[2]
    sources = [*root.joinpath("layers").rglob("*.py"), *root.joinpath("functions").rglob("*.py")]
    scanning = [p for p in sources if any(s in p.read_text().casefold() for s in (".scan(", '"scan"'))]
    assert sources and scanning == []


def _item(repo: Repository, contact_id: str) -> dict[str, Any]:
    response = repo.client.get_item(
        TableName=repo.table_name, Key={"PK": {"S": f"OWNER#{OWNER}"}, "SK": {"S": f"CONTACT#{contact_id}"}}
    )
    return dict(response["Item"])


def _schedule_index(repo: Repository) -> list[dict[str, Any]]:
    """Every item of the schedule index, whatever its shard (a test-only read of the whole index)."""
    items: list[dict[str, Any]] = []
    for shard in range(SHARD_COUNT):
        response = repo.client.query(
            TableName=repo.table_name,
            IndexName=SCHEDULE_INDEX,
            KeyConditionExpression="GSI1PK = :shard",
            ExpressionAttributeValues={":shard": {"S": f"SEND#{shard}"}},
        )
        items.extend(response["Items"])
    return items


def test_a_touch_filed_under_another_day_is_found_and_removed_under_that_day(repo: Repository) -> None:
    ana = repo.add_contact(OWNER, contact("Ana"))
    later = touch(ana.id, date(2026, 11, 5), filed_on=date(2026, 11, 2))  # a link of the 2nd, clicked on the 5th
    same_day = touch(ana.id, date(2026, 11, 2), filed_on=date(2026, 11, 2))
    assert repo.add_touch(OWNER, later) and repo.add_touch(OWNER, same_day)

    assert repo.get_touch(OWNER, ana.id, date(2026, 11, 2), later.id) == later
    assert repo.get_touch(OWNER, ana.id, date(2026, 11, 5), later.id) is None
    stored = {t.id: t for t in repo.contact_with_touches(OWNER, ana.id)[1]}
    assert stored[later.id] == later and stored[same_day.id].filed_on is None  # filed on its date: stored as usual
    assert repo.remove_touch(OWNER, later) is True and repo.remove_touch(OWNER, later) is False
    assert list(repo.contact_with_touches(OWNER, ana.id)[1]) == [stored[same_day.id]]
