"""The fault matrix: every AWS call each function makes, times the faults it can meet, and what a user sees.

INVENTORY lists, per entry point, every kind of AWS call its normal run makes (read from the code, and checked
against a recorded run by the first test, so a new call cannot slip in unlisted) and, for each fault that call
can meet, the outcome that must follow:

- the dispatch tick: it fails (the handler raises: Lambda retries it, then the schedule's dead-letter queue),
  nothing is queued half-way, and the next tick queues what is due; or the fault is absorbed.
- the digest worker: that message is reported in batchItemFailures (the queue delivers it again, then the
  digest dead-letter queue) and its run is left so that the redelivery finishes the job without a second
  email: sent once if nothing went out yet, never again if SES had already accepted it.
- the HTTP functions: the function answers 503 (the signing keys cannot be read, or AWS is throttling) or 500
  (any other failure) itself, with the security headers and a page (JSON for the touch API) that shows no
  stack trace, error message or token, with the table exactly as it was, and the same click or request made
  again does its thing once; or the fault is absorbed (the service reads again and retries) and the effect is
  there exactly once.

An injected fault is the client's answer after its own retries (see tests/faults/aws.py). Each cell runs twice:
once with the fault on one call, and once with it on that call and the next of the same kind (the service's own
second try, the queue's redelivery, the next tick or a second click meets it again).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from botocore.exceptions import ClientError
from werkzeug.test import TestResponse

from circleback.adapters.sqs import QueueError
from circleback.auth.tokens import Action
from circleback.domain.model import Favour, Relationship, RunStatus, TeamLunch, Tier, Touch, TouchPurpose
from circleback.domain.schedule import local_send_date
from circleback.local import demo
from circleback.web.http import SECURITY_HEADERS
from tests.faults.aws import (
    ACCESS_DENIED,
    ALREADY_DONE,
    CONDITION_FAILED,
    ENTRIES_FAILED,
    ITEM_CHANGED,
    QUOTA,
    SERVER_ERROR,
    THROTTLED,
    TRANSIENT,
    TX_CONFLICT,
    Plan,
    Site,
    site_of,
)
from tests.faults.conftest import OWNER, OWNER_EMAIL, THOMAS, UNSORTED, VISIBILITY_TIMEOUT, World
from tests.integration.actions_support import repo
from tests.mail_messages import message
from tests.paths import ROOT

# --- outcomes ---------------------------------------------------------------------------------------------

ABSORBED = "absorbed"  # the code handles it: the normal outcome, exactly once
TICK_FAILS = "tick fails"  # dispatch: the handler raises, nothing queued; the next tick queues what is due
REDELIVERED = "redelivered"  # digest: this message fails before SES; the redelivery sends exactly once
SENT_ONCE = "sent, then settled"  # digest: SES took it, the message fails; the redelivery sends nothing more
BATCH_STOPPED = "batch stopped"  # digest: SES quota; the rest of the batch is not tried either
UNCERTAIN = "uncertain"  # digest: SES may have taken it (a 5xx): recorded uncertain at once, never sent again
FAILED = "5xx"  # HTTP: 503 when throttled, else 500, answered with our headers; nothing written; a retry works
UNAVAILABLE = "503"  # HTTP: the signing keys cannot be read: a 503 page, nothing written; a retry works
RETRIED = "retried"  # inbound: the event fails; Lambda invokes it again, which logs each touch once


def each(outcome: str, faults: tuple[str, ...] = TRANSIENT, **special: str) -> dict[str, str]:
    return dict.fromkeys(faults, outcome) | {k.replace("_", " "): v for k, v in special.items()}


@dataclass(frozen=True)
class Call:
    site: Site
    outcomes: dict[str, str]  # fault -> what must follow


def dynamodb(operation: str, target: str, outcomes: dict[str, str]) -> Call:
    return Call(Site("dynamodb", operation, target), outcomes)


def secret(stage: str, outcomes: dict[str, str]) -> Call:
    return Call(Site("secretsmanager", "GetSecretValue", stage), outcomes)


READ = each(FAILED)
TRANSACTION = each(FAILED) | {ALREADY_DONE: ABSORBED, ITEM_CHANGED: ABSORBED, TX_CONFLICT: ABSORBED}
KEYS = (secret("AWSCURRENT", each(UNAVAILABLE)), secret("AWSPREVIOUS", each(UNAVAILABLE)))
# Opening a touch link (services/actions.py, ActionLinks.open): verify it, read what it points at and the touch
# filed under it (the touch is the link's record).
OPEN_LINK = (*KEYS, *(dynamodb("GetItem", kind, READ) for kind in ("owner", "contact", "touch")))
# Opening a team lunch link: its record, and the team as the digest finds it now (the owner's partition).
OPEN_TEAM = (
    *KEYS,
    *(dynamodb("GetItem", kind, READ) for kind in ("owner", "action record")),
    dynamodb("Query", "owner partition", READ),
)
TEAM_TOUCHES = ["ConditionCheck contact", "Put touch"] * 3  # Grace, Margaret and Sarah
# Opening a next step's link (issue 19): the link's record, then what the step acts on, found again.
OPEN_STEP = (*KEYS, *(dynamodb("GetItem", kind, READ) for kind in ("owner", "contact", "action record")))
OPEN_FOLLOW_UP = (*OPEN_STEP, dynamodb("GetItem", "contact", READ), dynamodb("Query", "touchs", READ))
FAVOUR_TOUCH = ["Put touch", "ConditionCheck contact"]
OPEN_FAVOUR = (*OPEN_STEP, dynamodb("Query", "favours", READ), dynamodb("Query", "reconnects", READ))


CALENDAR = (
    *KEYS,
    dynamodb("GetItem", "calendar links", READ),
    dynamodb("GetItem", "owner", READ),
    dynamodb("Query", "owner partition", READ),
)


INVENTORY: dict[str, tuple[Call, ...]] = {
    # functions/dispatch, a cold container's first tick (services/dispatch.py)
    "dispatch tick": (
        dynamodb("PutItem", "owner", each(TICK_FAILS, condition_failed=ABSORBED)),  # the owner, if absent
        dynamodb("Query", "schedule index", each(TICK_FAILS)),  # one per shard
        Call(Site("sqs", "SendMessageBatch", "digest queue"), each(TICK_FAILS, entries_failed=ABSORBED)),
    ),
    # functions/digest (services/digest.py)
    "digest": (
        dynamodb("GetItem", "owner", each(REDELIVERED)),
        dynamodb("PutItem", "digest run", each(REDELIVERED, condition_failed=REDELIVERED)),  # the claim
        dynamodb("Query", "owner partition", each(REDELIVERED)),
        secret("AWSCURRENT", each(REDELIVERED)),  # signing the links
        dynamodb("UpdateItem", "digest run from claimed", each(REDELIVERED, condition_failed=REDELIVERED)),
        # The mailer tries a throttled send again itself (adapters/ses.py); a refusal comes back later; a 5xx may
        # come after SES took the message, so it is never sent again.
        Call(
            Site("sesv2", "SendEmail", "digest"),
            each(ABSORBED, server_error=UNCERTAIN, access_denied=REDELIVERED, daily_quota=BATCH_STOPPED),
        ),
        dynamodb("UpdateItem", "digest run from sending", each(SENT_ONCE, condition_failed=SENT_ONCE)),
        dynamodb("UpdateItem", "owner", each(SENT_ONCE, condition_failed=ABSORBED)),  # the next send time
    ),
    # functions/actions, POST /{token} "I reached out" (services/actions.py)
    "link: do": (
        *OPEN_LINK,
        # The touch only while its contact exists (a click racing `contacts remove`): filed first by a concurrent
        # post, or a check that failed while the contact is still there, is absorbed by reading again.
        dynamodb("TransactWriteItems", "Put touch + ConditionCheck contact", TRANSACTION),
    ),
    # POST /{token} with op=undo, after the link was used
    "link: undo": (
        *OPEN_LINK,
        dynamodb("DeleteItem", "touch", each(FAILED, condition_failed=ABSORBED)),  # undone first by a concurrent post
    ),
    # POST /unsubscribe/{token}: pause for a month
    "unsubscribe": (
        *KEYS,
        dynamodb("GetItem", "owner", READ),
        dynamodb("GetItem", "action record", READ),
        dynamodb("TransactWriteItems", "Put action record + Update owner", TRANSACTION),
    ),
    # POST /{token} for a snooze link: the link's record and the contact's snooze, in one transaction
    "link: snooze": (
        *KEYS,
        *(dynamodb("GetItem", kind, READ) for kind in ("owner", "contact", "action record")),
        dynamodb("TransactWriteItems", "Put action record + Update contact", TRANSACTION),
    ),
    # POST /{token} with op=undo, after the snooze: the record goes and the contact's old snooze comes back
    "link: undo snooze": (
        *KEYS,
        *(dynamodb("GetItem", kind, READ) for kind in ("owner", "contact", "action record")),
        dynamodb("TransactWriteItems", "Delete action record + Update contact", TRANSACTION),
    ),
    # POST /{token} for a Sort choice: the link's record and the contact's tier and relationship, together
    "link: sort": (
        *KEYS,
        *(dynamodb("GetItem", kind, READ) for kind in ("owner", "contact", "action record")),
        dynamodb("TransactWriteItems", "Put action record + Update contact", TRANSACTION),
    ),
    # POST /{token} with op=undo, after the Sort choice: the contact unsorted again, as it was
    "link: undo sort": (
        *KEYS,
        *(dynamodb("GetItem", kind, READ) for kind in ("owner", "contact", "action record")),
        dynamodb("TransactWriteItems", "Delete action record + Update contact", TRANSACTION),
    ),
    # POST /unsubscribe/{token} with op=undo, after the pause: the owner's schedule as it was
    "unsubscribe: undo": (
        *KEYS,
        *(dynamodb("GetItem", kind, READ) for kind in ("owner", "action record")),
        dynamodb("TransactWriteItems", "Delete action record + Update owner", TRANSACTION),
    ),
    # POST /{token} for the old team's lunch: a meeting for each of the three (while they exist), the team's
    # lunch (not suggested again for 60 days) and the link's record, in one transaction (issue 20)
    "link: team lunch": (
        *OPEN_TEAM,
        dynamodb("TransactWriteItems", " + ".join(["Put action record", "Put team lunch", *TEAM_TOUCHES]), TRANSACTION),
    ),
    # POST /{token} with op=undo, after the team's lunch: its touches and the lunch go, with the record
    "link: undo team lunch": (
        *OPEN_TEAM,
        dynamodb(
            "TransactWriteItems",
            " + ".join(["Delete action record", "Delete team lunch", *["Delete touch"] * 3]),
            TRANSACTION,
        ),
    ),
    # POST /{token} for "Not now": the team's lunch put off, and the link's record
    "link: not now": (*OPEN_TEAM, dynamodb("TransactWriteItems", "Put action record + Put team lunch", TRANSACTION)),
    # POST /{token} for a follow-up's "Done" (issue 19): the link's record and the touch's follow-up dismissed
    "link: follow-up done": (
        *OPEN_FOLLOW_UP,
        dynamodb("TransactWriteItems", "Put action record + Update touch", TRANSACTION),
    ),
    # ... and its undo: the follow-up open again (the page reads it back to offer it)
    "link: undo follow-up done": (
        *OPEN_FOLLOW_UP,
        dynamodb("TransactWriteItems", "Delete action record + Update touch", TRANSACTION),
    ),
    # POST /{token} for "They helped": the favour one step on, with the link's record
    "link: they helped": (*OPEN_FAVOUR, dynamodb("TransactWriteItems", "Put action record + Put favour", TRANSACTION)),
    # POST /{token} for "Said thanks": the favour, a thank-you touch (while the contact exists) and the record
    "link: said thanks": (
        *OPEN_FAVOUR,
        dynamodb(
            "TransactWriteItems", "Put action record + Put favour + Put touch + ConditionCheck contact", TRANSACTION
        ),
    ),
    # ... and its undo: the favour as it was (read again first, to refuse if it moved on), the touch gone
    "link: undo said thanks": (
        *OPEN_FAVOUR,
        dynamodb("GetItem", "favour", READ),
        dynamodb("TransactWriteItems", "Delete action record + Put favour + Delete touch", TRANSACTION),
    ),
    # POST /{token} for "I asked": the favour starts from the reconnect's need, which is marked asked
    "link: i asked": (
        *OPEN_FAVOUR,
        dynamodb(
            "TransactWriteItems",
            "Put action record + Put favour + Put touch + ConditionCheck contact + Put reconnect",
            TRANSACTION,
        ),
    ),
    # POST /{token} for "Shared": the item found again, a touch noting it filed under the link (its record)
    "link: shared": (
        *OPEN_LINK,
        dynamodb("Query", "shared items", READ),
        dynamodb("TransactWriteItems", "Put touch + ConditionCheck contact", TRANSACTION),
    ),
    # functions/inbound: a BCC from the owner to a contact, as SES receiving delivers it (issue 17). Any fault fails
    # the event, which Lambda invokes twice more (then its dead-letter queue): the touch's id is the message's, so
    # a retry writes nothing twice, and the message is deleted once read.
    "inbound": (
        dynamodb("GetItem", "owner", each(RETRIED)),
        dynamodb("Query", "contacts", each(RETRIED)),
        Call(Site("s3", "GetObject", "received mail"), each(RETRIED)),
        dynamodb(
            "TransactWriteItems",
            "Put touch + ConditionCheck contact",
            each(RETRIED) | {ALREADY_DONE: ABSORBED, ITEM_CHANGED: ABSORBED, TX_CONFLICT: ABSORBED},
        ),
        Call(Site("s3", "DeleteObject", "received mail"), each(RETRIED)),
    ),
    # functions/inbound: the owner's reply to a digest, "done ana" and "snooze ana 2 weeks" (services/replies.py):
    # whether it ran already, the digest's people, Ana's touch (its id the reply's and the line's), the snooze,
    # then what it did, kept for the next digest. A retry runs the lines again: the same touch, the same snooze.
    "inbound: digest reply": (
        dynamodb("GetItem", "owner", each(RETRIED)),
        dynamodb("Query", "contacts", each(RETRIED)),
        Call(Site("s3", "GetObject", "received mail"), each(RETRIED)),
        dynamodb("GetItem", "reply outcome", each(RETRIED)),
        dynamodb("GetItem", "digest run", each(RETRIED)),
        dynamodb(
            "TransactWriteItems",
            "Put touch + ConditionCheck contact",
            each(RETRIED) | {ALREADY_DONE: ABSORBED, ITEM_CHANGED: ABSORBED, TX_CONFLICT: ABSORBED},
        ),
        # "snooze ana 2 weeks": the contact saved at the version read (a condition failed: read again, saved again)
        dynamodb("UpdateItem", "contact", each(RETRIED) | {CONDITION_FAILED: ABSORBED}),
        dynamodb("PutItem", "reply outcome", each(RETRIED) | {CONDITION_FAILED: ABSORBED}),
        Call(Site("s3", "DeleteObject", "received mail"), each(RETRIED)),
    ),
    # GET /add/{token}: the "Add" page of someone the owner wrote to, read only
    "add page": (*KEYS, *(dynamodb("GetItem", kind, READ) for kind in ("owner", "action record", "new person"))),
    # POST /add/{token}: the person, a contact now (unless someone has their address), and no longer offered
    "link: add": (
        *KEYS,
        *(dynamodb("GetItem", kind, READ) for kind in ("owner", "action record", "new person")),
        dynamodb("Query", "contacts", READ),
        dynamodb("TransactWriteItems", "Put action record + Put contact + Delete new person", TRANSACTION),
    ),
    # GET and HEAD /{token}: the confirmation page, read only
    "link page": OPEN_LINK,
    "link page: HEAD": OPEN_LINK,
    # GET and HEAD /unsubscribe/{token}: the pause's confirmation page, read only
    "unsubscribe page": (*KEYS, *(dynamodb("GetItem", kind, READ) for kind in ("owner", "action record"))),
    "unsubscribe page: HEAD": (*KEYS, *(dynamodb("GetItem", kind, READ) for kind in ("owner", "action record"))),
    # POST /touches with a personal access token (services/touches.py)
    "touch API": (
        dynamodb("GetItem", "access token", READ),
        dynamodb("GetItem", "owner", READ),
        dynamodb("Query", "contacts", READ),
        dynamodb("GetItem", "action record", READ),
        dynamodb("TransactWriteItems", "Put action record + Put touch + ConditionCheck contact", TRANSACTION),
    ),
    # functions/calendar, GET and HEAD /calendar/{token}.ics (services/calendar_feed.py)
    "calendar feed": CALENDAR,
    "calendar feed: HEAD": CALENDAR,
}

# --- the entry points, run normally -------------------------------------------------------------------------


@dataclass(frozen=True)
class HttpEntry:
    """An HTTP call: `prepare` signs its link (and sets the scene) and returns the request to make."""

    prepare: Callable[[World], Callable[[], TestResponse]]
    status: int  # when it works
    effect: Callable[[World], None]  # asserts the effect is in place, exactly once


def _touched_once(world: World) -> None:
    assert world.touches("link") == 1


def _untouched(world: World) -> None:
    assert world.touches("link") == 0


def _paused(world: World) -> None:
    owner = world.owner()
    assert owner.paused_until is not None and owner.next_send_at is not None
    assert owner.next_send_at.date() > owner.paused_until


def _api_touched_once(world: World) -> None:
    assert world.touches("api") == 1


def _nothing(world: World) -> None:
    world.assert_unchanged_since({})


def _do(world: World) -> Callable[[], TestResponse]:
    path = world.link(Action.REACHED_OUT)
    return lambda: world.post(path, op="do", channel="email")


def _unsubscribe(world: World) -> Callable[[], TestResponse]:
    path = world.link(Action.PAUSE, None)
    return lambda: world.post(path, **{"List-Unsubscribe": "One-Click"})


def _snoozed(world: World) -> None:
    contact = repo().get_contact(OWNER, world.thomas)
    assert contact is not None and contact.snoozed_until is not None


def _not_snoozed(world: World) -> None:
    contact = repo().get_contact(OWNER, world.thomas)
    assert contact is not None and contact.snoozed_until is None


def _not_paused(world: World) -> None:
    assert world.owner().paused_until is None


def _undone(action: Action, contact: str | None = THOMAS) -> Callable[[World], Callable[[], TestResponse]]:
    """Prepares the Undo of a link that was used."""

    def prepare(world: World) -> Callable[[], TestResponse]:
        path = world.link(action, contact)
        assert world.post(path, op="do").status_code == 200
        return lambda: world.post(path, op="undo")

    return prepare


def _read(action: Action, method: str, contact: str | None = THOMAS) -> Callable[[World], Callable[[], TestResponse]]:
    """Prepares a GET or HEAD of a link's confirmation page."""

    def prepare(world: World) -> Callable[[], TestResponse]:
        path = world.link(action, contact)
        return lambda: world.http.open(path, method=method)

    return prepare


def _snooze(world: World) -> Callable[[], TestResponse]:
    path = world.link(Action.SNOOZE)
    return lambda: world.post(path, op="do")


def _sort(world: World) -> Callable[[], TestResponse]:
    path = world.link(Action.SORT_A, UNSORTED)
    return lambda: world.post(path, op="do", relationship="boss")


def _sorted(world: World) -> None:
    contact = repo().get_contact(OWNER, world.contact_id(UNSORTED))
    assert contact is not None and not contact.unsorted
    assert (contact.tier, contact.relationship) == (Tier.A, Relationship.BOSS)


def _unsorted(world: World) -> None:
    contact = repo().get_contact(OWNER, world.contact_id(UNSORTED))
    assert contact is not None and contact.unsorted and contact.sorted_on is None


def _team(action: Action) -> Callable[[World], Callable[[], TestResponse]]:
    def prepare(world: World) -> Callable[[], TestResponse]:
        path = world.team_link(action)
        return lambda: world.post(path, op="do", note="Lunch at the old canteen")

    return prepare


def _team_undone(world: World) -> Callable[[], TestResponse]:
    path = world.team_link(Action.GROUP_MET)
    assert world.post(path, op="do").status_code == 200
    return lambda: world.post(path, op="undo")


def _team_lunch(world: World) -> tuple[list[TeamLunch], list[Touch]]:
    data = repo().load_digest_input(OWNER)
    assert data is not None
    return list(data.lunches), [t for t in data.touches if t.source == "link"]


def _team_met(world: World) -> None:
    lunches, touches = _team_lunch(world)
    assert [lunch.met for lunch in lunches] == [True] and len(touches) == 3


def _team_put_off(world: World) -> None:
    lunches, touches = _team_lunch(world)
    assert [lunch.met for lunch in lunches] == [False] and touches == []


def _no_team_lunch(world: World) -> None:
    assert _team_lunch(world) == ([], [])


def _step(action: Action, name: str) -> Callable[[World], Callable[[], TestResponse]]:
    def prepare(world: World) -> Callable[[], TestResponse]:
        path = world.link(action, name)
        return lambda: world.post(path, op="do")

    return prepare


def _favour(world: World, name: str) -> Favour:
    (found,) = [f for f in repo().list_favours(OWNER) if f.contact_id == world.contact_id(name)]
    return found


def _today(world: World) -> date:
    return local_send_date(world.owner().timezone, world.now)


def _follow_up_open(world: World) -> None:
    touches = repo().contact_with_touches(OWNER, world.contact_id("Daniel Kim"))[1]
    assert [t.follow_up.done_on for t in touches if t.follow_up] == [None]


def _follow_up_dismissed(world: World) -> None:
    touches = repo().contact_with_touches(OWNER, world.contact_id("Daniel Kim"))[1]
    assert [t.follow_up.done_on for t in touches if t.follow_up] == [_today(world)]


def _helped(world: World) -> None:
    assert _favour(world, "Marcus Johnson").helped_on == _today(world)


def _purposes(world: World, name: str) -> list[TouchPurpose | None]:
    return [t.purpose for t in repo().contact_with_touches(OWNER, world.contact_id(name))[1] if t.source == "link"]


def _thanked(world: World) -> None:
    assert _favour(world, "Fatima Al-Sayed").thanked_on == _today(world)
    assert _purposes(world, "Fatima Al-Sayed") == [TouchPurpose.THANKS]


def _not_thanked(world: World) -> None:
    assert _favour(world, "Fatima Al-Sayed").thanked_on is None and _purposes(world, "Fatima Al-Sayed") == []


def _asked(world: World) -> None:
    assert _favour(world, "Kenji Watanabe").asked_on == _today(world) and _purposes(world, "Kenji Watanabe") == [
        TouchPurpose.ASK
    ]


def _shared(world: World) -> None:
    assert _purposes(world, "Margaret Okafor") == [TouchPurpose.SHARE]


def _added(world: World) -> None:
    found = [c for c in repo().list_contacts(OWNER) if c.email == demo.SAMPLE_NEW_PERSON[1]]
    assert [c.name for c in found] == ["Lena Fischer"] and repo().load_digest_input(OWNER).new_people == []  # type: ignore[union-attr]


def _touch_api(world: World) -> Callable[[], TestResponse]:
    body = json.dumps({"contact": THOMAS, "channel": "call", "direction": "outbound"})
    return lambda: world.post_touch(body, key="retry-safe-1")


def _calendar(method: str) -> Callable[[World], Callable[[], TestResponse]]:
    def prepare(world: World) -> Callable[[], TestResponse]:
        path = world.calendar_path()
        return lambda: world.http.open(path, method=method)

    return prepare


HTTP: dict[str, HttpEntry] = {
    "link: do": HttpEntry(_do, 200, _touched_once),
    "link: undo": HttpEntry(_undone(Action.REACHED_OUT), 200, _untouched),
    "unsubscribe": HttpEntry(_unsubscribe, 200, _paused),
    "link: snooze": HttpEntry(_snooze, 200, _snoozed),
    "link: undo snooze": HttpEntry(_undone(Action.SNOOZE), 200, _not_snoozed),
    "link: sort": HttpEntry(_sort, 200, _sorted),
    "link: undo sort": HttpEntry(_undone(Action.SORT_A, UNSORTED), 200, _unsorted),
    "link: team lunch": HttpEntry(_team(Action.GROUP_MET), 200, _team_met),
    "link: undo team lunch": HttpEntry(_team_undone, 200, _no_team_lunch),
    "link: not now": HttpEntry(_team(Action.GROUP_DISMISS), 200, _team_put_off),
    "unsubscribe: undo": HttpEntry(_undone(Action.PAUSE, None), 200, _not_paused),
    "link: follow-up done": HttpEntry(_step(Action.FOLLOW_UP_DONE, "Daniel Kim"), 200, _follow_up_dismissed),
    "link: undo follow-up done": HttpEntry(_undone(Action.FOLLOW_UP_DONE, "Daniel Kim"), 200, _follow_up_open),
    "link: they helped": HttpEntry(_step(Action.HELPED, "Marcus Johnson"), 200, _helped),
    "link: said thanks": HttpEntry(_step(Action.THANKED, "Fatima Al-Sayed"), 200, _thanked),
    "link: undo said thanks": HttpEntry(_undone(Action.THANKED, "Fatima Al-Sayed"), 200, _not_thanked),
    "link: i asked": HttpEntry(_step(Action.ASKED, "Kenji Watanabe"), 200, _asked),
    "link: shared": HttpEntry(_step(Action.SHARED, "Margaret Okafor"), 200, _shared),
    "add page": HttpEntry(
        lambda world: (lambda path: lambda: world.http.open(path, method="GET"))(world.add_link()), 200, _nothing
    ),
    "link: add": HttpEntry(
        lambda world: (lambda path: lambda: world.post(path, op="do", name="Lena Fischer"))(world.add_link()),
        200,
        _added,
    ),
    "link page": HttpEntry(_read(Action.REACHED_OUT, "GET"), 200, _nothing),
    "link page: HEAD": HttpEntry(_read(Action.REACHED_OUT, "HEAD"), 200, _nothing),
    "unsubscribe page": HttpEntry(_read(Action.PAUSE, "GET", None), 200, _nothing),
    "unsubscribe page: HEAD": HttpEntry(_read(Action.PAUSE, "HEAD", None), 200, _nothing),
    "touch API": HttpEntry(_touch_api, 201, _api_touched_once),
    "calendar feed": HttpEntry(_calendar("GET"), 200, _nothing),
    "calendar feed: HEAD": HttpEntry(_calendar("HEAD"), 200, _nothing),
}


def run_dispatch(world: World) -> dict[str, int]:
    tick = {"scheduled_time": world.now.replace(microsecond=0).isoformat().replace("+00:00", "Z")}
    result: dict[str, int] = world.handlers["dispatch"].lambda_handler(tick, _context("Dispatch"))
    return result


def _context(name: str) -> demo.LambdaContextStub:
    return demo.LambdaContextStub(name)


def run_entry(world: World, entry: str) -> None:
    """The entry point's normal run, from `world.begin()` on."""
    if entry.startswith("inbound"):
        event = mail_for(world, entry)
        world.begin()
        assert world.receive_mail(event) == {"outcomes": ["logged"]}
    elif entry == "dispatch tick":
        world.begin()
        assert run_dispatch(world) == {"queued": 1}
    elif entry == "digest":
        request = world.due_request()
        world.begin()
        assert world.digest(request) == {"batchItemFailures": []}
        assert world.emails() == 1
    else:
        http = HTTP[entry]
        send = http.prepare(world)
        world.begin()
        assert send().status_code == http.status


# --- the inventory is complete ------------------------------------------------------------------------------


@pytest.mark.parametrize("entry", list(INVENTORY))
def test_the_inventory_lists_every_call_of_a_normal_run(world: World, entry: str) -> None:
    run_entry(world, entry)
    made = set(world.injector.calls)
    listed = {call.site for call in INVENTORY[entry]}
    assert {str(s) for s in made - listed} == set(), "calls the inventory does not list"
    assert {str(s) for s in listed - made} == set(), "listed calls the code no longer makes"


# --- the matrix ---------------------------------------------------------------------------------------------


def cells(*entries: str) -> list[Any]:  # pytest.param objects
    return [
        pytest.param(entry, call.site, fault, outcome, id=f"{entry}|{call.site}|{fault}")
        for entry in entries
        for call in INVENTORY[entry]
        for fault, outcome in call.outcomes.items()
    ]


@pytest.mark.parametrize(("entry", "site", "fault", "outcome"), cells("dispatch tick"))
def test_dispatch(world: World, entry: str, site: Site, fault: str, outcome: str) -> None:
    world.begin()
    world.injector.plan = Plan(site, fault)
    if outcome == TICK_FAILS:
        with pytest.raises(ClientError):
            run_dispatch(world)
        assert world.queued() == []  # nothing queued half-way
        world.later(timedelta(minutes=1))  # Lambda's retry of the tick (or the next tick)
    else:
        assert run_dispatch(world) == {"queued": 1}
    assert world.injector.fired == 1
    if outcome == TICK_FAILS:
        assert run_dispatch(world) == {"queued": 1}
    assert [r.owner_id for r in world.queued()] == [OWNER]


NOBODY = "nobody"  # a second message in the batch: an owner that no longer exists, dropped quietly


@pytest.mark.parametrize(("entry", "site", "fault", "outcome"), cells("digest"))
def test_digest(world: World, entry: str, site: Site, fault: str, outcome: str) -> None:
    request = world.due_request()
    other = request.model_copy(update={"owner_id": NOBODY})
    world.begin()
    world.injector.plan = Plan(site, fault)

    if outcome == BATCH_STOPPED:
        # Neither message is tried further; with every record failed, Powertools fails the whole invocation,
        # which the queue treats as every message failed: both come back.
        with pytest.raises(BatchProcessingError):
            world.digest(request, other)
    else:
        response = world.digest(request, other)
        failed = {"m0"} if outcome not in (ABSORBED, UNCERTAIN) else set()
        assert {f["itemIdentifier"] for f in response["batchItemFailures"]} == failed
    assert world.injector.fired == 1
    assert world.emails() == (1 if outcome in (SENT_ONCE, ABSORBED) else 0)
    run = repo().get_run(OWNER, _local_date(world, request.send_at))
    if outcome == UNCERTAIN:
        assert run is not None and run.status is RunStatus.UNCERTAIN
        world.later(VISIBILITY_TIMEOUT)  # a duplicate: never sent, the schedule has moved on
        assert world.digest(request) == {"batchItemFailures": []}
        assert world.emails() == 0
        next_send = world.owner().next_send_at
        assert next_send is not None and next_send > request.send_at
        return
    if outcome != ABSORBED:
        # The queue delivers the message again after its visibility timeout; the run lets it finish the job.
        world.later(VISIBILITY_TIMEOUT)
        assert world.digest(request) == {"batchItemFailures": []}
        run = repo().get_run(OWNER, _local_date(world, request.send_at))
    assert world.emails() == 1  # never lost, never twice
    assert run is not None
    expected = RunStatus.UNCERTAIN if outcome == SENT_ONCE and "digest run" in site.target else RunStatus.SENT
    assert run.status is expected
    # One more duplicate (the dispatcher queues the owner again while the schedule has not moved): still one
    # email, and the schedule moves on.
    world.later(VISIBILITY_TIMEOUT)
    assert world.digest(request) == {"batchItemFailures": []}
    assert world.emails() == 1
    next_send = world.owner().next_send_at
    # After the slot sent and after the first attempt: the send that moved it came later, within the test's minutes.
    assert next_send is not None and next_send > max(request.send_at, world.start)


def _local_date(world: World, send_at: datetime) -> date:
    owner = world.owner()
    return local_send_date(owner.timezone, send_at, owner.send_hour)


@pytest.mark.parametrize(("entry", "site", "fault", "outcome"), cells(*HTTP))
def test_http(world: World, entry: str, site: Site, fault: str, outcome: str) -> None:
    http = HTTP[entry]
    send = http.prepare(world)
    before = world.state()
    world.begin()
    world.injector.plan = Plan(site, fault)

    response = send()
    if outcome == ABSORBED:
        assert response.status_code == http.status
    else:
        assert response.status_code == (503 if outcome == UNAVAILABLE or fault == THROTTLED else 500)
        assert_failure_answer(world, response, json=entry == "touch API")
    assert response.headers["Cache-Control"] == "no-store"
    assert world.injector.fired == 1
    if outcome != ABSORBED:
        world.assert_unchanged_since(before)  # nothing half-written
        world.begin()
        assert send().status_code == http.status  # the same click, again: it works
    http.effect(world)


def assert_failure_answer(world: World, response: TestResponse, *, json: bool) -> None:
    """A failure answered by the function: every security header, a page or JSON, and nothing internal in it."""
    assert SECURITY_HEADERS.items() <= dict(response.headers).items()
    assert response.mimetype == ("application/json" if json else "text/html")
    body = response.get_data(as_text=True)
    for leak in ("Traceback", 'File "', "injected", "Exception", "botocore", world.api_token):
        assert leak not in body
    path = response.request.path
    assert not [segment for segment in path.split("/") if len(segment) > 40 and segment in body]  # the token
    if response.request.method == "HEAD":
        assert body == ""  # the GET's headers, no page
    elif not json:
        assert "try again" in body.lower()


def test_the_matrix_covers_every_fault_each_kind_of_call_can_meet() -> None:
    """Every call meets throttling, a 5xx and access denied; conditional writes meet their condition too."""
    for entry, calls in INVENTORY.items():
        for call in calls:
            faults = set(call.outcomes)
            assert {THROTTLED, SERVER_ERROR, ACCESS_DENIED} <= faults, (entry, str(call.site))
            if call.site.operation in ("PutItem", "UpdateItem"):
                assert CONDITION_FAILED in faults, (entry, str(call.site))
            if call.site.operation == "TransactWriteItems":
                assert {ALREADY_DONE, ITEM_CHANGED, TX_CONFLICT} <= faults, (entry, str(call.site))
            if call.site.operation == "SendEmail":
                assert QUOTA in faults
            if call.site.operation == "SendMessageBatch":
                assert ENTRIES_FAILED in faults


# --- every call failing twice in a row ------------------------------------------------------------------------
# The same fault on the site's next call too: the service's own second try, the queue's redelivery, the next tick
# or the person clicking again meets it once more. Nothing may be half-written or sent twice on the way, and the
# attempt after the second fault does the job.


@pytest.mark.parametrize(("entry", "site", "fault", "outcome"), cells("dispatch tick"))
def test_dispatch_twice(world: World, entry: str, site: Site, fault: str, outcome: str) -> None:
    """A tick that fails twice queues nothing either time; the next one queues what is due. A fault the tick
    absorbs once (its own retry of refused entries) fails it when the retry meets it too."""
    world.begin()
    world.injector.plan = Plan(site, fault, times=2)
    ticks = 0
    while ticks < 3:
        ticks += 1
        try:
            queued = run_dispatch(world)
        except (ClientError, QueueError):
            assert world.queued() == []  # nothing queued half-way
            world.later(timedelta(minutes=1))
            continue
        assert queued == {"queued": 1}
        break
    assert [r.owner_id for r in world.queued()] == [OWNER]
    assert ticks == (1 if fault == CONDITION_FAILED else 3 if outcome == TICK_FAILS else 2)
    assert world.injector.fired == (1 if fault == CONDITION_FAILED else 2)  # an owner there already: never written


@pytest.mark.parametrize(("entry", "site", "fault", "outcome"), cells("digest"))
def test_digest_twice(world: World, entry: str, site: Site, fault: str, outcome: str) -> None:
    request = world.due_request()
    world.begin()
    world.injector.plan = Plan(site, fault, times=2)
    deliveries = 0
    while deliveries < 4:  # the queue's maxReceiveCount is 5: done before the dead-letter queue
        deliveries += 1
        try:
            failed = world.digest(request)["batchItemFailures"]
        except BatchProcessingError:  # the daily quota: the whole batch comes back
            failed = [{"itemIdentifier": "m0"}]
        assert world.emails() <= 1  # never twice, at any step
        if not failed:
            break
        world.later(VISIBILITY_TIMEOUT)
    assert failed == []
    assert deliveries <= 3
    assert world.emails() == (0 if outcome == UNCERTAIN else 1)
    # Met once however often the message comes back: SES is never asked again once it may have taken the
    # message, and a write whose condition says another worker did it is not tried again.
    met_once = outcome == UNCERTAIN or (outcome == ABSORBED and fault == CONDITION_FAILED)
    assert world.injector.fired == (1 if met_once else 2)
    world.injector.plan = None  # the faults are over: one more duplicate sends nothing, the schedule moves on
    world.later(VISIBILITY_TIMEOUT)
    assert world.digest(request) == {"batchItemFailures": []}
    assert world.emails() == (0 if outcome == UNCERTAIN else 1)
    next_send = world.owner().next_send_at
    assert next_send is not None and next_send > request.send_at


@pytest.mark.parametrize(("entry", "site", "fault", "outcome"), cells(*HTTP))
def test_http_twice(world: World, entry: str, site: Site, fault: str, outcome: str) -> None:
    http = HTTP[entry]
    send = http.prepare(world)
    before = world.state()
    world.begin()
    world.injector.plan = Plan(site, fault, times=2)

    answers = []
    for _ in range(3):
        response = send()
        answers.append(response.status_code)
        assert response.headers["Cache-Control"] == "no-store"
        if response.status_code == http.status:
            break
        assert response.status_code == (503 if outcome == UNAVAILABLE or fault == THROTTLED else 500)
        assert_failure_answer(world, response, json=entry == "touch API")
        world.assert_unchanged_since(before)  # nothing half-written, however often it fails
    assert answers[-1] == http.status, answers
    assert world.injector.fired == 2
    http.effect(world)


# --- a write that was applied though its answer was lost (the SDK then sends the same request again) ---------

AMBIGUOUS = [
    ("put_item", "digest run", RunStatus.SENT),  # the claim
    ("update_item", "digest run from claimed", RunStatus.SENT),  # marking it sending
    ("update_item", "digest run from sending", RunStatus.SENT),  # recording it sent
    ("update_item", "owner", RunStatus.SENT),  # moving the schedule
]


@pytest.mark.parametrize(("method", "target", "status"), AMBIGUOUS, ids=[t for _, t, _ in AMBIGUOUS])
def test_a_digest_write_retried_after_it_was_applied_still_sends_once(
    world: World, monkeypatch: pytest.MonkeyPatch, method: str, target: str, status: RunStatus
) -> None:
    """A 5xx or a timeout can come after DynamoDB applied the write; the SDK's retry then meets its own write."""
    request = world.due_request()
    world.begin()
    client = repo().client
    real = getattr(client, method)
    repeated: list[bool] = []

    def applied_then_retried(**kwargs: Any) -> Any:
        site = site_of("dynamodb", "PutItem" if method == "put_item" else "UpdateItem", kwargs)
        if site.target == target and not repeated:
            repeated.append(True)
            real(**kwargs)  # applied; its answer lost on the way back
        return real(**kwargs)  # the SDK's retry of the very same request

    monkeypatch.setattr(client, method, applied_then_retried)

    assert world.digest(request) == {"batchItemFailures": []}

    assert repeated and world.emails() == 1
    run = repo().get_run(OWNER, _local_date(world, request.send_at))
    assert run is not None and run.status is status


# --- mail in: the logging address (issue 17) ------------------------------------------------------------------

ANA = "Ana Souza"


def mail_for(world: World, entry: str = "inbound") -> dict[str, Any]:
    """SES's event for a BCC from the owner to Ana (or the owner's reply to a digest about Ana), with the message
    stored where the receipt rule puts it."""
    event: dict[str, Any] = json.loads((ROOT / "events" / "ses_inbound.json").read_text(encoding="utf-8"))
    mail = event["Records"][0]["ses"]["mail"]
    mail["commonHeaders"]["from"] = [f"You <{OWNER_EMAIL}>"]
    raw = message(sender=f"You <{OWNER_EMAIL}>", bcc=demo.LOGGING_ADDRESS)
    if entry == "inbound: digest reply":
        replying_to = f"In-Reply-To: <digest-{OWNER}-{local_send_date('UTC', world.now).isoformat()}@example.com>"
        body = "done ana\nsnooze ana 2 weeks\n\nOn ... wrote:\n> x\n"
        raw = message(sender=f"You <{OWNER_EMAIL}>", to=demo.LOGGING_ADDRESS, body=body,
                      date=format_datetime(world.now), extra=replying_to)  # fmt: skip
    with world.injector.unobserved():
        boto3.client("s3", region_name="us-east-1").put_object(
            Bucket=demo.INBOUND_BUCKET, Key=f"inbound/{mail['messageId']}", Body=raw
        )
    return event


def _mail_touches(world: World) -> list[Touch]:
    with world.injector.unobserved():
        touches = repo().contact_with_touches(OWNER, world.contact_id(ANA))[1]
    return [t for t in touches if t.source in ("mail", "reply")]


def _inbox(world: World) -> list[str]:
    with world.injector.unobserved():
        listed = boto3.client("s3", region_name="us-east-1").list_objects_v2(Bucket=demo.INBOUND_BUCKET)
    return [o["Key"] for o in listed.get("Contents", [])]


@pytest.mark.parametrize(("entry", "site", "fault", "outcome"), cells("inbound", "inbound: digest reply"))
def test_inbound(world: World, entry: str, site: Site, fault: str, outcome: str) -> None:
    event = mail_for(world, entry)
    world.begin()
    world.injector.plan = Plan(site, fault)
    if outcome == RETRIED:
        with pytest.raises(ClientError):
            world.receive_mail(event)
        assert world.injector.fired == 1
        assert len(_mail_touches(world)) <= 1  # a fault after the write: logged, not yet deleted
        world.begin()  # Lambda's retry of the event
    assert world.receive_mail(event) == {"outcomes": ["logged"]}
    assert outcome == RETRIED or world.injector.fired == 1
    assert len(_mail_touches(world)) == _touches_expected(fault) and _inbox(world) == []  # once; the message gone


def _touches_expected(fault: str) -> int:
    """One touch; none where the fault says it is there already (injected: it is not, and none is written)."""
    return 0 if fault == ALREADY_DONE else 1


@pytest.mark.parametrize(("entry", "site", "fault", "outcome"), cells("inbound", "inbound: digest reply"))
def test_inbound_twice(world: World, entry: str, site: Site, fault: str, outcome: str) -> None:
    """The same fault on the retry too: Lambda's third attempt logs the touch, still once."""
    event = mail_for(world, entry)
    world.begin()
    world.injector.plan = Plan(site, fault, times=2)
    attempts = 0
    while attempts < 3:  # the first invocation and Lambda's two retries (template.yaml MaximumRetryAttempts)
        attempts += 1
        try:
            world.receive_mail(event)
        except ClientError:
            assert len(_mail_touches(world)) <= 1
            continue
        break
    assert len(_mail_touches(world)) == _touches_expected(fault) and _inbox(world) == []
    assert attempts == (1 if outcome == ABSORBED else 3)
