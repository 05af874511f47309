"""One repository over the single table. boto3 is imported and the client created only on first use."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from circleback.adapters.call_budgets import BACKGROUND_TABLE, CallBudget
from circleback.adapters.store.codec import decode_item, encode_item, encode_value
from circleback.adapters.store.items import (
    access_token_to_item,
    action_to_item,
    calendar_revocation_to_item,
    contact_to_item,
    event_to_item,
    favour_to_item,
    item_to_access_token,
    item_to_action,
    item_to_calendar_revocation,
    item_to_contact,
    item_to_event,
    item_to_favour,
    item_to_lunch,
    item_to_new_person,
    item_to_owner,
    item_to_reconnect,
    item_to_reply,
    item_to_run,
    item_to_share,
    item_to_touch,
    item_to_trip,
    lunch_to_item,
    new_person_to_item,
    owner_schedule_keys,
    owner_to_item,
    reconnect_to_item,
    reply_to_item,
    run_to_item,
    share_to_item,
    touch_key,
    touch_to_item,
    trip_to_item,
)
from circleback.adapters.store.keys import (
    CALENDAR_LINKS_SK,
    CONTACT_PREFIX,
    DIGEST_RANGE,
    EVENT_PREFIX,
    FAVOUR_PREFIX,
    LUNCH_PREFIX,
    NEW_PERSON_PREFIX,
    PROFILE_SK,
    RECONNECT_PREFIX,
    REPLY_PREFIX,
    SCHEDULE_INDEX,
    SHARE_PREFIX,
    TOKEN_PREFIX,
    TOUCH_PREFIX,
    TRIP_PREFIX,
    access_token_sk,
    action_sk,
    contact_sk,
    digest_sk,
    event_sk,
    favour_sk,
    lunch_sk,
    new_person_sk,
    owner_pk,
    reconnect_sk,
    reply_sk,
    share_sk,
    touch_prefix,
    touch_sk,
    trip_sk,
)
from circleback.adapters.store.raw import raw_pages
from circleback.domain.model import (
    AccessToken,
    ActionRecord,
    Contact,
    DigestInput,
    DigestRun,
    Favour,
    LifeEvent,
    NewPerson,
    Owner,
    Placement,
    Reconnect,
    ReplyOutcome,
    RunStatus,
    Share,
    TeamLunch,
    Tier,
    Touch,
    Trip,
)
from circleback.domain.schedule import due_bound, parse_schedule_sort_key, shard_partition_key

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

KEY_ATTRIBUTES = ("PK", "SK")
_BATCH_WRITE_LIMIT = 25
_TRANSACTION_LIMIT = 100
_BATCH_ATTEMPTS = 6
# A transaction's cancellation reasons that mean "not now": nothing was written, the same request may go again.
_SEND_AGAIN = frozenset(
    {"ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded", "TransactionConflict"}
)
Write = dict[str, Any]  # one TransactWriteItems entry, made by the repository's *_write / *_put methods


class ConflictError(Exception):
    """Someone else changed the contact since it was read (optimistic locking)."""


class NotFoundError(Exception):
    """The item the caller expected is not there."""


def default_client(budget: CallBudget = BACKGROUND_TABLE) -> DynamoDBClient:
    """A client whose calls, retries included, end inside the calling function's timeout (see call_budgets).

    The default, adaptive, absorbs throttling and 5xx with client-side rate limiting instead of a hot loop.
    """
    import boto3

    return boto3.client("dynamodb", config=budget.config())


class Repository:
    def __init__(self, table_name: str, client: DynamoDBClient | None = None) -> None:
        self.table_name = table_name
        self._client = client

    @property
    def client(self) -> DynamoDBClient:
        if self._client is None:
            self._client = default_client()
        return self._client

    # --- owners -------------------------------------------------------------------------------------

    def get_owner(self, owner_id: str, *, consistent: bool = True) -> Owner | None:
        item = self._get(owner_pk(owner_id), PROFILE_SK, consistent=consistent)
        return item_to_owner(item) if item else None

    def put_owner(self, owner: Owner) -> None:
        self.client.put_item(TableName=self.table_name, Item=encode_item(owner_to_item(owner)))

    def create_owner_if_absent(self, owner: Owner) -> bool:
        """Create the owner unless one with that id exists (never overwrites the owner's own settings)."""
        return self._conditional_write(
            self.client.put_item,
            TableName=self.table_name,
            Item=encode_item(owner_to_item(owner)),
            ConditionExpression="attribute_not_exists(SK)",
        )

    def due_owners(self, shard: int, tick: datetime) -> Iterator[tuple[str, datetime]]:
        """Owners of one schedule shard whose next send is at or before `tick`: a Query on the sparse GSI1."""
        paginator = self.client.get_paginator("query")
        for page in paginator.paginate(
            TableName=self.table_name,
            IndexName=SCHEDULE_INDEX,
            KeyConditionExpression="GSI1PK = :shard AND GSI1SK <= :bound",
            ExpressionAttributeValues={":shard": {"S": shard_partition_key(shard)}, ":bound": {"S": due_bound(tick)}},
        ):
            for item in page.get("Items", []):
                send_at, owner_id = parse_schedule_sort_key(item["GSI1SK"]["S"])
                yield owner_id, send_at

    def advance_schedule(self, owner: Owner, sent_at: datetime, next_send_at: datetime | None) -> bool:
        """Move the owner's next send from `sent_at` to `next_send_at` (None: unschedule).

        Conditional on the schedule still pointing at `sent_at`, so a duplicate or late worker never moves
        it twice, and a settings change made meanwhile wins. Returns False when the condition failed.
        """
        keys = owner_schedule_keys(replace(owner, next_send_at=next_send_at))
        fields = {"next_send_at": next_send_at.isoformat() if next_send_at else None, **keys}
        expression, names, values = _set_and_remove(fields)
        values[":sent_at"] = {"S": sent_at.isoformat()}
        return self._conditional_write(
            self.client.update_item,
            TableName=self.table_name,
            Key=_key(owner_pk(owner.id), PROFILE_SK),
            UpdateExpression=expression,
            ConditionExpression="next_send_at = :sent_at",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    # --- digest runs --------------------------------------------------------------------------------

    def claim_run(self, run: DigestRun, now: datetime) -> DigestRun | None:
        """Take the run for `run.local_date` with a lease. Returns the run that holds the date now: `run`
        itself when the claim succeeded, else the other one (None only if it vanished in between).

        A claim succeeds when no run exists yet, or when an earlier claim's lease ran out before SES was
        called (status still "claimed"): a worker that died before sending is replaced.
        """
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=encode_item(run_to_item(run)),
                ConditionExpression="attribute_not_exists(SK) OR (#status = :claimed AND lease_until < :now)",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":claimed": {"S": RunStatus.CLAIMED.value}, ":now": {"S": now.isoformat()}},
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            return self.get_run(run.owner_id, run.local_date)
        return run

    def get_run(self, owner_id: str, local_date: date) -> DigestRun | None:
        item = self._get(owner_pk(owner_id), digest_sk(local_date))
        return item_to_run(item) if item else None

    def update_run(self, run: DigestRun, expected: RunStatus) -> bool:
        """Write the run's new state if it is still ours and in the `expected` state.

        Or already in the new state by us: a write applied whose answer was lost (a 5xx, a timeout) is sent
        again by the SDK's retry, and must not read as the run taken over. Claimants are unique per worker
        invocation, so only this worker can have written its own claim into the new state.
        """
        fields = {k: v for k, v in run_to_item(run).items() if k not in KEY_ATTRIBUTES}
        expression, names, values = _set_and_remove(fields)
        names["#status"] = "status"
        values[":me"] = {"S": run.claimed_by}
        values[":expected"] = {"S": expected.value}
        values[":new"] = {"S": run.status.value}
        return self._conditional_write(
            self.client.update_item,
            TableName=self.table_name,
            Key=_key(owner_pk(run.owner_id), digest_sk(run.local_date)),
            UpdateExpression=expression,
            ConditionExpression="claimed_by = :me AND (#status = :expected OR #status = :new)",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    # --- reading an owner's partition ---------------------------------------------------------------

    def load_digest_input(self, owner_id: str) -> DigestInput | None:
        """The owner and everything the planner reads: one GetItem and one paginated Query."""
        owner = self.get_owner(owner_id)
        return self.digest_input(owner) if owner is not None else None

    def digest_input(self, owner: Owner) -> DigestInput:
        """Everything the planner reads about an owner already read: one paginated Query, eventually consistent.

        The Query reads only the key range of contacts, life events, trips and touches (keys.DIGEST_RANGE), and its
        pages are decoded from their JSON directly: botocore's parser would cost several times the rest of the
        digest.
        """
        contacts: list[Contact] = []
        touches: list[Touch] = []
        events: list[LifeEvent] = []
        trips: list[Trip] = []
        lunches: list[TeamLunch] = []
        favours: list[Favour] = []
        reconnects: list[Reconnect] = []
        shares: list[Share] = []
        replies: list[ReplyOutcome] = []
        new_people: list[NewPerson] = []
        first, last = DIGEST_RANGE
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "PK = :pk AND SK BETWEEN :first AND :last",
            "ExpressionAttributeValues": {
                ":pk": {"S": owner_pk(owner.id)},
                ":first": {"S": first},
                ":last": {"S": last},
            },
        }
        for raw in self._raw_query(request):
            sk = raw["SK"]["S"]
            if sk.startswith(CONTACT_PREFIX):
                contacts.append(item_to_contact(decode_item(raw)))
            elif sk.startswith(TOUCH_PREFIX):
                touches.append(item_to_touch(decode_item(raw)))
            elif sk.startswith(EVENT_PREFIX):
                events.append(item_to_event(decode_item(raw)))
            elif sk.startswith(TRIP_PREFIX):
                trips.append(item_to_trip(decode_item(raw)))
            elif sk.startswith(LUNCH_PREFIX):
                lunches.append(item_to_lunch(decode_item(raw)))
            elif sk.startswith(FAVOUR_PREFIX):
                favours.append(item_to_favour(decode_item(raw)))
            elif sk.startswith(RECONNECT_PREFIX):
                reconnects.append(item_to_reconnect(decode_item(raw)))
            elif sk.startswith(SHARE_PREFIX):
                shares.append(item_to_share(decode_item(raw)))
            elif sk.startswith(REPLY_PREFIX):
                replies.append(item_to_reply(decode_item(raw)))
            elif sk.startswith(NEW_PERSON_PREFIX):
                new_people.append(item_to_new_person(decode_item(raw)))
        return DigestInput(
            owner, contacts, touches, events, trips, lunches, favours, reconnects, shares, replies, new_people
        )

    def _raw_query(self, request: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """The items of every page of a Query, as DynamoDB's JSON (codec.decode_item reads either form)."""
        while True:
            with raw_pages(self.client):
                page: dict[str, Any] = dict(self.client.query(**request))
            yield from page.get("Items", ())
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def list_contacts(self, owner_id: str) -> list[Contact]:
        return [item_to_contact(item) for item in self._query(owner_pk(owner_id), CONTACT_PREFIX)]

    def get_contact(self, owner_id: str, contact_id: str, *, consistent: bool = True) -> Contact | None:
        item = self._get(owner_pk(owner_id), contact_sk(contact_id), consistent=consistent)
        return item_to_contact(item) if item else None

    def contact_with_touches(self, owner_id: str, contact_id: str) -> tuple[Contact, list[Touch]]:
        """A contact (read consistently, for its version) and its touches, oldest first."""
        contact = self.get_contact(owner_id, contact_id)
        if contact is None:
            raise NotFoundError(f"contact {contact_id} does not exist")
        items = self._query(owner_pk(owner_id), touch_prefix(contact_id), consistent=True)
        return contact, [item_to_touch(item) for item in items]

    # --- writing ------------------------------------------------------------------------------------

    def add_contact(self, owner_id: str, contact: Contact) -> Contact:
        """Store a new contact at version 1; fails if its id is taken."""
        created = replace(contact, version=1)
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=encode_item(contact_to_item(owner_id, created)),
                ConditionExpression="attribute_not_exists(SK)",
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            raise ConflictError(f"contact {contact.id} already exists") from None
        return created

    def add_contacts(
        self, owner_id: str, contacts: Sequence[Contact], landed: Callable[[int], object] | None = None
    ) -> list[Contact]:
        """Store many new contacts at version 1 with `add_contact`'s guarantee, up to 100 to a call.

        Each 100 go in one TransactWriteItems, each put on `add_contact`'s condition (attribute_not_exists(SK)), so
        a new contact never replaces an item stored under its key; `landed(n)` is called as each transaction of n
        lands. When a condition fails (an id is taken), the transaction wrote nothing, and that chunk is written one
        by one by `add_contact`, so the others still land; once every chunk is written, ConflictError names the
        contacts whose ids were taken, as `add_contact` would have raised for each. A chunk naming one id twice goes
        one by one too (DynamoDB refuses two operations on one item in a transaction). Throttling, and another
        transaction on one of the items, cancel the whole transaction: it is sent again after a backoff, as
        `remove_contact`'s deletes are, and after _BATCH_ATTEMPTS ConflictError says to run the command again
        (whatever landed before stays; an import run again matches it and adds the rest).

        An answer lost after the transaction committed is safe: the SDK's retry carries the same ClientRequestToken
        (botocore fills it in once per call), and DynamoDB answers a repeat within ten minutes as the first, where
        a repeated conditional PutItem would fail on the item it wrote itself. A transactional write costs twice a
        plain one's write units; contacts are small (formats/rows.py caps each field), so 100 stay far below a
        transaction's 4 MB.
        """
        created = [replace(contact, version=1) for contact in contacts]
        taken: list[str] = []
        for start in range(0, len(created), _TRANSACTION_LIMIT):
            chunk = created[start : start + _TRANSACTION_LIMIT]
            if len({contact.id for contact in chunk}) == len(chunk) and self._put_all_new(
                [contact_to_item(owner_id, contact) for contact in chunk]
            ):
                if landed is not None:
                    landed(len(chunk))
                continue
            for contact in chunk:  # an id is taken: each on its own condition, so the others land
                try:
                    self.add_contact(owner_id, contact)
                except ConflictError:
                    taken.append(contact.id)
                    continue
                if landed is not None:
                    landed(1)
        if taken:
            ids = ", ".join(taken)
            raise ConflictError(f"contact {ids} already exists" if len(taken) == 1 else f"contacts {ids} already exist")
        return created

    def save_contact(self, owner_id: str, contact: Contact) -> Contact:
        """Write the contact's own fields if nobody changed it since `contact.version` was read."""
        fields = {k: v for k, v in contact_to_item(owner_id, contact).items() if k not in KEY_ATTRIBUTES}
        expression, names, values = _versioned_update(fields, contact.version)
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=_key(owner_pk(owner_id), contact_sk(contact.id)),
                UpdateExpression=expression,
                ConditionExpression="#version = :expected",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            raise ConflictError(f"contact {contact.id} changed since it was read") from None
        return replace(contact, version=contact.version + 1)

    def add_touch(self, owner_id: str, touch: Touch) -> bool:
        """Record a touch; False when this touch (same contact, filing day and id) is already there.

        Every caller derives the id from what makes the touch itself (a link's key, the API's Idempotency-Key,
        a file row's content and date, a backup's id), so a repeat lands on the same key and writes nothing.
        One conditional put and nothing else: the digest works out each contact's history from its touches,
        so the contact item carries no summary that a touch would have to update (each touch would cost a
        transaction, twice the write units of its items, and a consistent read of every touch of the contact).
        """
        return self._conditional_write(
            self.client.put_item,
            TableName=self.table_name,
            Item=encode_item(touch_to_item(owner_id, touch)),
            ConditionExpression="attribute_not_exists(SK)",
        )

    def add_touch_to_existing(self, owner_id: str, touch: Touch) -> bool:
        """`add_touch`, only while its contact exists: a click or a command racing `contacts remove` never leaves
        a touch (with its note) behind its contact. One transaction: the put and a check of the contact.

        False when the touch is already there; NotFoundError when the contact is gone (read again to be sure);
        ConflictError when another transaction held one of the items (nothing was written: try again).
        """
        check = self.contact_exists_check(owner_id, touch.contact_id)
        try:
            return self._guarded_transaction(self._put_new(touch_to_item(owner_id, touch)), [check])
        except ConflictError:
            if self.get_contact(owner_id, touch.contact_id) is None:
                raise NotFoundError(f"contact {touch.contact_id} does not exist") from None
            raise

    def contact_exists_check(self, owner_id: str, contact_id: str) -> Write:
        """A transaction's check that the contact is there (so nothing is written for a contact just removed)."""
        return {
            "ConditionCheck": {
                "TableName": self.table_name,
                "Key": _key(owner_pk(owner_id), contact_sk(contact_id)),
                "ConditionExpression": "attribute_exists(SK)",
            }
        }

    # --- action links: a record per link, written in the same transaction as what the link does ----------

    def record_action(self, owner_id: str, record: ActionRecord, writes: Sequence[Write]) -> bool:
        """Store the link's record and its effects together; False when the record exists (a repeat)."""
        return self._guarded_transaction(self._put_new(action_to_item(owner_id, record)), writes)

    def erase_action(self, owner_id: str, record: ActionRecord, writes: Sequence[Write]) -> bool:
        """Remove the link's record and reverse its effects together; False when it was already undone."""
        guard: Write = {
            "Delete": {
                "TableName": self.table_name,
                "Key": _key(owner_pk(owner_id), action_sk(record.key)),
                "ConditionExpression": "attribute_exists(SK)",
            }
        }
        return self._guarded_transaction(guard, writes)

    def get_action(self, owner_id: str, key: str, *, consistent: bool = True) -> ActionRecord | None:
        item = self._get(owner_pk(owner_id), action_sk(key), consistent=consistent)
        return item_to_action(item) if item else None

    def touch_put(self, owner_id: str, touch: Touch) -> Write:
        return self._put_new(touch_to_item(owner_id, touch))

    def put_lunch(self, owner_id: str, lunch: TeamLunch) -> None:
        """Write a team's last lunch (a restore), replacing the one there."""
        self.client.put_item(TableName=self.table_name, Item=encode_item(lunch_to_item(owner_id, lunch)))

    def lunch_put(self, owner_id: str, lunch: TeamLunch) -> Write:
        """A former team's last lunch (it replaces the one before: only the latest matters)."""
        return {"Put": {"TableName": self.table_name, "Item": encode_item(lunch_to_item(owner_id, lunch))}}

    def lunch_delete(self, owner_id: str, lunch: TeamLunch) -> Write:
        """Remove the team's lunch if it is still `lunch` (an undo; a later lunch of the team stands)."""
        return {
            "Delete": {
                "TableName": self.table_name,
                "Key": _key(owner_pk(owner_id), lunch_sk(lunch.team)),
                "ConditionExpression": "#on = :on AND met = :met",
                "ExpressionAttributeNames": {"#on": "on"},
                "ExpressionAttributeValues": {":on": {"S": lunch.on.isoformat()}, ":met": {"BOOL": lunch.met}},
            }
        }

    def touch_delete(self, owner_id: str, touch: Touch) -> Write:
        return {"Delete": {"TableName": self.table_name, "Key": _key(owner_pk(owner_id), touch_key(touch))}}

    def get_touch(
        self, owner_id: str, contact_id: str, filed_on: date, touch_id: str, *, consistent: bool = True
    ) -> Touch | None:
        """The touch filed under that contact, day and id, if there is one (with that filing day)."""
        item = self._get(owner_pk(owner_id), touch_sk(contact_id, filed_on, touch_id), consistent=consistent)
        return replace(item_to_touch(item), filed_on=filed_on) if item else None

    def remove_touch(self, owner_id: str, touch: Touch) -> bool:
        """Delete the touch with `touch`'s key; False when it was not there (already removed)."""
        return self._conditional_write(
            self.client.delete_item,
            TableName=self.table_name,
            Key=_key(owner_pk(owner_id), touch_key(touch)),
            ConditionExpression="attribute_exists(SK)",
        )

    def contact_snooze_write(self, owner_id: str, contact: Contact, until: date | None) -> Write:
        return self._contact_write(owner_id, contact, {"snoozed_until": until.isoformat() if until else None})

    def contact_placement_write(self, owner_id: str, contact: Contact, where: Placement) -> Write:
        """Sort the contact (or put them back), if it is as read: the fields as contact_to_item writes them."""
        fields = {
            "unsorted": where.unsorted or None,
            "sorted_on": where.sorted_on.isoformat() if where.sorted_on else None,
            "tier": where.tier.value,
            "paused": where.paused,
            "relationship": where.relationship.value,
        }
        return self._contact_write(owner_id, contact, fields)

    def owner_pause_write(self, owner: Owner, paused_until: date | None, next_send: datetime | None) -> Write:
        """Pause (or resume) the owner's digests and move the schedule with it, if the schedule and the pause are
        as read in `owner` (a pause or an undo in between fails the transaction: read again and retry)."""
        keys = owner_schedule_keys(replace(owner, next_send_at=next_send))
        fields = {
            "paused_until": paused_until.isoformat() if paused_until else None,
            "next_send_at": next_send.isoformat() if next_send else None,
            **keys,
        }
        expression, names, values = _set_and_remove(fields)
        if owner.next_send_at is None:
            condition = "attribute_not_exists(next_send_at)"
        else:
            condition = "next_send_at = :read"
            values[":read"] = {"S": owner.next_send_at.isoformat()}
        if owner.paused_until is None:
            condition += " AND attribute_not_exists(paused_until)"
        else:
            condition += " AND paused_until = :paused"
            values[":paused"] = {"S": owner.paused_until.isoformat()}
        update: dict[str, Any] = {
            "TableName": self.table_name,
            "Key": _key(owner_pk(owner.id), PROFILE_SK),
            "UpdateExpression": expression,
            "ConditionExpression": f"attribute_exists(SK) AND {condition}",
            "ExpressionAttributeNames": names,
        }
        if values:
            update["ExpressionAttributeValues"] = values
        return {"Update": update}

    # --- personal access tokens ---------------------------------------------------------------------

    def add_access_token(self, owner_id: str, token: AccessToken) -> bool:
        return self._conditional_write(
            self.client.put_item,
            TableName=self.table_name,
            Item=encode_item(access_token_to_item(owner_id, token)),
            ConditionExpression="attribute_not_exists(SK)",
        )

    def get_access_token(self, owner_id: str, token_id: str) -> AccessToken | None:
        item = self._get(owner_pk(owner_id), access_token_sk(token_id))
        return item_to_access_token(item) if item else None

    def list_access_tokens(self, owner_id: str) -> list[AccessToken]:
        return [item_to_access_token(item) for item in self._query(owner_pk(owner_id), TOKEN_PREFIX)]

    def revoke_access_token(self, owner_id: str, token_id: str) -> bool:
        """Delete the token; False when there was none with that id."""
        return self._conditional_write(
            self.client.delete_item,
            TableName=self.table_name,
            Key=_key(owner_pk(owner_id), access_token_sk(token_id)),
            ConditionExpression="attribute_exists(SK)",
        )

    # --- calendar links -------------------------------------------------------------------------------

    def calendar_links_revoked_at(self, owner_id: str) -> datetime | None:
        """When the owner last turned off their calendar links: links issued up to then are refused."""
        item = self._get(owner_pk(owner_id), CALENDAR_LINKS_SK)
        return item_to_calendar_revocation(item) if item else None

    def revoke_calendar_links(self, owner_id: str, at: datetime) -> None:
        """Refuse every calendar link issued up to `at`. An earlier `at` than the stored one changes nothing."""
        item = calendar_revocation_to_item(owner_id, at)
        self._conditional_write(
            self.client.put_item,
            TableName=self.table_name,
            Item=encode_item(item),
            ConditionExpression="attribute_not_exists(SK) OR revoked_at < :at",
            ExpressionAttributeValues={":at": {"S": item["revoked_at"]}},
        )

    def add_event(self, owner_id: str, event: LifeEvent) -> bool:
        """Record a life event; False when the same event (same id) is already there."""
        return self._conditional_write(
            self.client.put_item,
            TableName=self.table_name,
            Item=encode_item(event_to_item(owner_id, event)),
            ConditionExpression="attribute_not_exists(SK)",
        )

    def list_events(self, owner_id: str) -> list[LifeEvent]:
        return [item_to_event(item) for item in self._query(owner_pk(owner_id), EVENT_PREFIX)]

    def add_trip(self, owner_id: str, trip: Trip) -> bool:
        """Record a trip; False when the same trip (same id) is already there."""
        return self._conditional_write(
            self.client.put_item,
            TableName=self.table_name,
            Item=encode_item(trip_to_item(owner_id, trip)),
            ConditionExpression="attribute_not_exists(SK)",
        )

    def list_trips(self, owner_id: str) -> list[Trip]:
        return [item_to_trip(item) for item in self._query(owner_pk(owner_id), TRIP_PREFIX)]

    def remove_trip(self, owner_id: str, trip_id: str) -> bool:
        """Delete the trip with this id; False when there is none."""
        found = [trip for trip in self.list_trips(owner_id) if trip.id == trip_id]
        return bool(found) and self._conditional_write(
            self.client.delete_item,
            TableName=self.table_name,
            Key=_key(owner_pk(owner_id), trip_sk(found[0].start, trip_id)),
            ConditionExpression="attribute_exists(SK)",
        )

    def remove_event(self, owner_id: str, event: LifeEvent) -> bool:
        """Delete the event; False when it was already gone."""
        return self._conditional_write(
            self.client.delete_item,
            TableName=self.table_name,
            Key=_key(owner_pk(owner_id), event_sk(event.date, event.id)),
            ConditionExpression="attribute_exists(SK)",
        )

    # --- next steps: follow-ups, favours, reconnects and shares (domain/loops.py) -------------------------

    def apply(self, first: Write, rest: Sequence[Write] = ()) -> bool:
        """`first` and `rest` all or nothing; False when `first`'s condition failed (ConflictError: another's)."""
        return self._guarded_transaction(first, rest)

    def list_favours(self, owner_id: str) -> list[Favour]:
        return [item_to_favour(item) for item in self._query(owner_pk(owner_id), FAVOUR_PREFIX, consistent=True)]

    def favour_put(self, owner_id: str, favour: Favour, previous: Favour | None) -> Write:
        """Write `favour` (its version one past `previous`'s) if the stored one is still `previous` (None: new)."""
        put: dict[str, Any] = {"TableName": self.table_name, "Item": encode_item(favour_to_item(owner_id, favour))}
        if previous is None:
            put["ConditionExpression"] = "attribute_not_exists(SK)"
        else:
            put["ConditionExpression"] = "#version = :expected"
            put["ExpressionAttributeNames"] = {"#version": "version"}
            put["ExpressionAttributeValues"] = {":expected": encode_value(previous.version)}
        return {"Put": put}

    def get_favour(self, owner_id: str, contact_id: str, favour_id: str) -> Favour | None:
        item = self._get(owner_pk(owner_id), favour_sk(contact_id, favour_id))
        return item_to_favour(item) if item else None

    def put_favour(self, owner_id: str, favour: Favour) -> None:
        """Write a favour as it is (a restore), replacing the one there."""
        self.client.put_item(TableName=self.table_name, Item=encode_item(favour_to_item(owner_id, favour)))

    def favour_delete(self, owner_id: str, favour: Favour) -> Write:
        """Remove the favour while it is still `favour` (its version): an undo of the link that asked it."""
        return {
            "Delete": {
                "TableName": self.table_name,
                "Key": _key(owner_pk(owner_id), favour_sk(favour.contact_id, favour.id)),
                "ConditionExpression": "#version = :expected",
                "ExpressionAttributeNames": {"#version": "version"},
                "ExpressionAttributeValues": {":expected": encode_value(favour.version)},
            }
        }

    def list_reconnects(self, owner_id: str) -> list[Reconnect]:
        return [item_to_reconnect(i) for i in self._query(owner_pk(owner_id), RECONNECT_PREFIX, consistent=True)]

    def reconnect_put(self, owner_id: str, reconnect: Reconnect, previous: Reconnect | None = None) -> Write:
        """Write the reconnect; with `previous`, only if the stored one is still that (same day, same ask)."""
        put: dict[str, Any] = {
            "TableName": self.table_name,
            "Item": encode_item(reconnect_to_item(owner_id, reconnect)),
        }
        if previous is not None:
            asked = "asked_on = :asked" if previous.asked_on else "attribute_not_exists(asked_on)"
            put["ConditionExpression"] = f"#on = :on AND {asked}"
            put["ExpressionAttributeNames"] = {"#on": "on"}
            put["ExpressionAttributeValues"] = {":on": {"S": previous.on.isoformat()}} | (
                {":asked": {"S": previous.asked_on.isoformat()}} if previous.asked_on else {}
            )
        return {"Put": put}

    def remove_reconnect(self, owner_id: str, contact_id: str) -> bool:
        return self._conditional_write(
            self.client.delete_item,
            TableName=self.table_name,
            Key=_key(owner_pk(owner_id), reconnect_sk(contact_id)),
            ConditionExpression="attribute_exists(SK)",
        )

    def add_share(self, owner_id: str, share: Share) -> bool:
        """Queue the item; False when it is queued already (the same id)."""
        return self._conditional_write(
            self.client.put_item,
            TableName=self.table_name,
            Item=encode_item(share_to_item(owner_id, share)),
            ConditionExpression="attribute_not_exists(SK)",
        )

    def note_new_person(self, owner_id: str, person: NewPerson) -> bool:
        """Keep someone the owner wrote to, unless a later message to them is kept already (its day, and the name
        first seen beside the address, win). False when nothing changed."""
        fields = {k: v for k, v in new_person_to_item(owner_id, person).items() if k not in KEY_ATTRIBUTES}
        name = fields.pop("name")
        expression, names, values = _set_and_remove(fields)  # every field has a value: SET only
        names["#last"], values[":last"] = "last_written", encode_value(fields["last_written"])
        if name is not None:
            expression += ", #name = if_not_exists(#name, :name)"
            names["#name"], values[":name"] = "name", encode_value(name)
        return self._conditional_write(
            self.client.update_item,
            TableName=self.table_name,
            Key=_key(owner_pk(owner_id), new_person_sk(person.key)),
            UpdateExpression=expression,
            ConditionExpression="attribute_not_exists(SK) OR #last < :last",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def get_new_person(self, owner_id: str, key: str, *, consistent: bool = True) -> NewPerson | None:
        item = self._get(owner_pk(owner_id), new_person_sk(key), consistent=consistent)
        return item_to_new_person(item) if item else None

    def new_person_delete(self, owner_id: str, person: NewPerson) -> Write:
        """Forget someone offered, now a contact (an "Add" link)."""
        return {
            "Delete": {
                "TableName": self.table_name,
                "Key": _key(owner_pk(owner_id), new_person_sk(person.key)),
                "ConditionExpression": "attribute_exists(SK)",
            }
        }

    def contact_put(self, owner_id: str, contact: Contact) -> Write:
        """A new contact at version 1, in a transaction (an "Add" link); its id must be new."""
        return self._put_new(contact_to_item(owner_id, replace(contact, version=1)))

    def get_reply(self, owner_id: str, reply_id: str) -> ReplyOutcome | None:
        item = self._get(owner_pk(owner_id), reply_sk(reply_id))
        return item_to_reply(item) if item else None

    def add_reply(self, owner_id: str, reply: ReplyOutcome) -> bool:
        """Keep what a reply to the digest did; False when that reply was run already (the same id)."""
        return self._conditional_write(
            self.client.put_item,
            TableName=self.table_name,
            Item=encode_item(reply_to_item(owner_id, reply)),
            ConditionExpression="attribute_not_exists(SK)",
        )

    def list_shares(self, owner_id: str) -> list[Share]:
        return [item_to_share(item) for item in self._query(owner_pk(owner_id), SHARE_PREFIX, consistent=True)]

    def remove_share(self, owner_id: str, share: Share) -> bool:
        return self._conditional_write(
            self.client.delete_item,
            TableName=self.table_name,
            Key=_key(owner_pk(owner_id), share_sk(share.queued_on, share.id)),
            ConditionExpression="attribute_exists(SK)",
        )

    def follow_up_done_write(self, owner_id: str, touch: Touch, done_on: date | None) -> Write:
        """Dismiss the touch's follow-up on `done_on` while it is open; None: reopen it, while it is still
        dismissed as the touch read says (an undo)."""
        previous = touch.follow_up.done_on if touch.follow_up else None
        if done_on is not None:
            expression, condition = (
                "SET follow_up_done = :done",
                "attribute_exists(follow_up) AND attribute_not_exists(follow_up_done)",
            )
            values = {":done": {"S": done_on.isoformat()}}
        else:
            expression, condition = "REMOVE follow_up_done", "follow_up_done = :done"
            values = {":done": {"S": previous.isoformat() if previous else ""}}
        return {
            "Update": {
                "TableName": self.table_name,
                "Key": _key(owner_pk(owner_id), touch_key(touch)),
                "UpdateExpression": expression,
                "ConditionExpression": condition,
                "ExpressionAttributeValues": values,
            }
        }

    def contact_tier_write(self, owner_id: str, contact: Contact, tier: Tier) -> Write:
        """Move the contact to `tier`, if it is as read."""
        return self._contact_write(owner_id, contact, {"tier": tier.value})

    # --- changes made from the command line --------------------------------------------------------------

    def replace_owner(self, owner: Owner, read: Owner) -> bool:
        """Write the owner's settings (and the schedule that follows from them) if its schedule and pause are
        still as `read`: a digest moving the schedule, or a pause link, meanwhile makes it False (read again).
        """
        names = {"#next": "next_send_at", "#paused": "paused_until"}
        values: dict[str, Any] = {}
        conditions = ["attribute_exists(SK)"]
        for name, current in (("#next", read.next_send_at), ("#paused", read.paused_until)):
            if current is None:
                conditions.append(f"attribute_not_exists({name})")
            else:
                values[f":{name[1:]}"] = {"S": current.isoformat()}
                conditions.append(f"{name} = :{name[1:]}")
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "Item": encode_item(owner_to_item(owner)),
            "ConditionExpression": " AND ".join(conditions),
            "ExpressionAttributeNames": names,
        }
        if values:
            request["ExpressionAttributeValues"] = values
        return self._conditional_write(self.client.put_item, **request)

    def remove_contact(self, owner_id: str, contact: Contact) -> tuple[int, int]:
        """Delete the contact with its touches and life events: (touches, events) deleted.

        Its touches and events go first and the contact last, on its version: an edit meanwhile makes that fail
        (ConflictError; run it again), and a removal cut short leaves the contact to remove again. A touch is not
        an edit of its contact, so one logged while the contact went (a click already past its read of the
        contact) is swept up by a last look at the contact's touches once the contact is gone.
        """
        pk = owner_pk(owner_id)
        touches = self._touch_keys(pk, contact.id)
        events = [event_sk(e.date, e.id) for e in self.list_events(owner_id) if e.contact_id == contact.id]
        self._delete_all(pk, [*touches, *events])
        try:
            self.client.delete_item(
                TableName=self.table_name,
                Key=_key(pk, contact_sk(contact.id)),
                ConditionExpression="#version = :expected",
                ExpressionAttributeNames={"#version": "version"},
                ExpressionAttributeValues={":expected": encode_value(contact.version)},
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            raise ConflictError(f"contact {contact.id} changed since it was read") from None
        deleted = set(touches)
        latecomers = [sk for sk in self._touch_keys(pk, contact.id) if sk not in deleted]
        self._delete_all(pk, latecomers)
        return len(touches) + len(latecomers), len(events)

    def _touch_keys(self, pk: str, contact_id: str) -> list[str]:
        return [item["SK"] for item in self._query(pk, touch_prefix(contact_id), consistent=True)]

    def _delete_all(self, pk: str, sort_keys: Sequence[str]) -> None:
        """Delete the items, 25 to a BatchWriteItem; what DynamoDB leaves unprocessed is sent again."""
        for start in range(0, len(sort_keys), _BATCH_WRITE_LIMIT):
            pending: list[Any] = [
                {"DeleteRequest": {"Key": _key(pk, sk)}} for sk in sort_keys[start : start + _BATCH_WRITE_LIMIT]
            ]
            for attempt in range(_BATCH_ATTEMPTS):
                if not pending:
                    break
                if attempt:
                    _back_off(attempt)
                answer = self.client.batch_write_item(RequestItems={self.table_name: pending})
                pending = answer.get("UnprocessedItems", {}).get(self.table_name, [])
            if pending:
                raise ConflictError(f"DynamoDB left {len(pending)} deletes unprocessed; run the command again")

    def _put_all_new(self, items: Sequence[dict[str, Any]]) -> bool:
        """Put the items (up to 100) in one transaction, each only if its key is free: False when a key was taken
        (nothing was written). A transaction cancelled by throttling, or by another transaction on one of the
        items, is sent again after a backoff, as is a throttled call the client's own retries gave up on."""
        writes = [self._put_new(item) for item in items]
        for attempt in range(_BATCH_ATTEMPTS):
            if attempt:
                _back_off(attempt)
            try:
                self.client.transact_write_items(TransactItems=writes)  # type: ignore[arg-type]
            except self._throttled():
                continue
            except self.client.exceptions.TransactionCanceledException as error:
                reasons = {r.get("Code") for r in error.response.get("CancellationReasons", [])} - {"None", None}
                if "ConditionalCheckFailed" in reasons:
                    return False
                if reasons and reasons <= _SEND_AGAIN:
                    continue
                raise
            return True
        raise ConflictError(f"DynamoDB kept throttling {len(items)} new items; run the command again")

    def _throttled(self) -> tuple[type[Exception], ...]:
        """The errors of a throttled call, once the client's own retries gave up."""
        errors = self.client.exceptions
        return (errors.ProvisionedThroughputExceededException, errors.ThrottlingException, errors.RequestLimitExceeded)

    # --- helpers ------------------------------------------------------------------------------------

    def _get(self, pk: str, sk: str, *, consistent: bool = True) -> dict[str, Any] | None:
        """One item, read consistently unless told (a click or a claim must see the write just before it)."""
        item = self.client.get_item(TableName=self.table_name, Key=_key(pk, sk), ConsistentRead=consistent).get("Item")
        return decode_item(item) if item else None

    def _put_new(self, item: dict[str, Any]) -> Write:
        return {
            "Put": {
                "TableName": self.table_name,
                "Item": encode_item(item),
                "ConditionExpression": "attribute_not_exists(SK)",
            }
        }

    def _contact_write(self, owner_id: str, contact: Contact, fields: dict[str, Any]) -> Write:
        expression, names, values = _versioned_update(fields, contact.version)
        return {
            "Update": {
                "TableName": self.table_name,
                "Key": _key(owner_pk(owner_id), contact_sk(contact.id)),
                "UpdateExpression": expression,
                "ConditionExpression": "#version = :expected",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }

    def _guarded_transaction(self, guard: Write, writes: Sequence[Write]) -> bool:
        """`guard` and `writes` all or nothing. False when the guard's condition failed (the thing is
        already done, or already undone); ConflictError when another write's condition failed (someone
        changed the contact or the schedule since it was read: read again and retry), or when another
        transaction on one of the items was in flight (TransactionConflict: nothing was written either).
        """
        try:
            self.client.transact_write_items(TransactItems=[guard, *writes])  # type: ignore[list-item]
        except self.client.exceptions.TransactionCanceledException as error:
            reasons = [r.get("Code") for r in error.response.get("CancellationReasons", [])]
            if reasons and reasons[0] == "ConditionalCheckFailed":
                return False
            if "ConditionalCheckFailed" in reasons[1:] or "TransactionConflict" in reasons:
                raise ConflictError("an item changed since it was read") from None
            raise
        return True

    def _conditional_write(self, write: Callable[..., object], **request: Any) -> bool:
        """Make a conditional write; False when its condition did not hold and nothing was written."""
        try:
            write(**request)
        except self.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def _query(self, pk: str, sk_prefix: str | None = None, *, consistent: bool = False) -> Iterator[dict[str, Any]]:
        condition = "PK = :pk"
        values: dict[str, Any] = {":pk": {"S": pk}}
        if sk_prefix is not None:
            condition += " AND begins_with(SK, :prefix)"
            values[":prefix"] = {"S": sk_prefix}
        paginator = self.client.get_paginator("query")
        for page in paginator.paginate(
            TableName=self.table_name,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values,
            ConsistentRead=consistent,
        ):
            for item in page.get("Items", []):
                yield decode_item(item)


def _back_off(attempt: int) -> None:
    time.sleep(min(2**attempt * 0.05, 1.0))  # unprocessed or throttled: DynamoDB asks for less, so wait


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"PK": {"S": pk}, "SK": {"S": sk}}


def _versioned_update(fields: dict[str, Any], expected_version: int) -> tuple[str, dict[str, str], dict[str, Any]]:
    """`_set_and_remove`, bumping the version; the caller's condition `#version = :expected` makes the
    write optimistic.
    """
    expression, names, values = _set_and_remove({**fields, "version": expected_version + 1})
    names["#version"] = "version"  # VERSION may be reserved: always use a placeholder
    values[":expected"] = encode_value(expected_version)
    return expression, names, values


def _set_and_remove(fields: dict[str, Any]) -> tuple[str, dict[str, str], dict[str, Any]]:
    """SET the fields that have a value, REMOVE the ones that are None (absent means not set)."""
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    sets: list[str] = []
    removes: list[str] = []
    for i, (field, value) in enumerate(fields.items()):
        names[f"#f{i}"] = field
        if value is None:
            removes.append(f"#f{i}")
        else:
            values[f":v{i}"] = encode_value(value)
            sets.append(f"#f{i} = :v{i}")
    # An empty clause ("SET  REMOVE #f0") is a syntax error to DynamoDB: write only the clauses that have fields.
    clauses = [f"{verb} {', '.join(paths)}" for verb, paths in (("SET", sets), ("REMOVE", removes)) if paths]
    return " ".join(clauses), names, values
