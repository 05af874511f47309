"""The calendar feed through the real calendar handler, as a calendar app polls it.

The demo pipeline runs once for the module (moto: table, queue, SES, the signing secret); the feed is requested
in process through the local HTTP API adapter, which serves every function the template puts behind the API.
Every test starts from the table as the digest left it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import icalendar
import pytest
from werkzeug.test import Client, TestResponse

from circleback import runtime
from circleback.auth.tokens import Action, Purpose, TokenSigner
from circleback.domain.calendar import calendar_entries
from circleback.domain.schedule import local_send_date
from circleback.local import demo
from circleback.services.calendar_feed import calendar_link
from tests import clock
from tests.integration.actions_support import (
    Snapshot,
    assert_security_headers,
    environment_restored,
    repo,
    restore,
    snapshot,
)

OWNER = demo.OWNER_ID
ZONE = "Europe/London"
BASE = "http://127.0.0.1:8000"
THOMAS = "Thomas Becker"  # first in the sample digest


@dataclass(frozen=True)
class Feed:
    client: Client
    baseline: Snapshot

    def get(self, path: str) -> TestResponse:
        return self.client.get(path)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Feed]:
    with (
        environment_restored(),
        demo.running(tmp_path_factory.mktemp("digest"), "you@example.com", ZONE, "GB", clock.now, serve=False),
    ):
        yield Feed(Client(demo.api_gateway()), snapshot())


@pytest.fixture
def feed(served: Feed) -> Iterator[Feed]:
    restore(served.baseline)
    yield served
    restore(served.baseline)


def signer() -> TokenSigner:
    return runtime.signer()


def link_path(now: datetime | None = None) -> str:
    """A fresh subscription link's path, issued as `circleback calendar url` issues it."""
    now = now or clock.now()
    url = calendar_link(signer(), BASE, OWNER, now, repo().calendar_links_revoked_at(OWNER))
    return url.removeprefix(BASE)


def today() -> str:
    return local_send_date(ZONE, clock.now()).isoformat()


def calendar_of(response: TestResponse) -> icalendar.Calendar:
    assert response.status_code == 200, response.get_data(as_text=True)
    return icalendar.Calendar.from_ical(response.get_data())


def uids(response: TestResponse) -> list[str]:
    return [str(e.uid) for e in calendar_of(response).events]


# --- serving the feed ---------------------------------------------------------------------------------------


def test_the_feed_is_the_owners_year_ahead_as_icalendar(feed: Feed) -> None:
    response = feed.get(link_path())
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'inline; filename="circleback.ics"'
    assert_security_headers(response)
    calendar = calendar_of(response)
    data = repo().load_digest_input(OWNER)
    assert data is not None
    today = local_send_date(ZONE, clock.now())
    expected = calendar_entries(data, today)
    assert [str(e.uid) for e in calendar.events] == [e.uid for e in expected]
    assert {str(e.categories[0]) for e in calendar.events} >= {"birthday", "holiday", "due"}
    assert all(e.start >= today for e in calendar.events)
    assert any(str(e.summary) == f"Reach out to {THOMAS}" for e in calendar.events)


def test_head_gives_the_headers_without_a_body(feed: Feed) -> None:
    response = feed.client.head(link_path())
    assert response.status_code == 200 and response.get_data() == b""
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert_security_headers(response)


def test_polling_twice_gives_the_same_events_and_changes_nothing(feed: Feed) -> None:
    path = link_path()
    first, second = feed.get(path), feed.get(path)
    assert uids(first) == uids(second)
    assert snapshot() == feed.baseline


def test_a_touch_moves_the_due_event_in_place(feed: Feed) -> None:
    path = link_path()
    before = {str(e.uid): e for e in calendar_of(feed.get(path)).events}
    contact = next(c for c in repo().list_contacts(OWNER) if c.name == THOMAS)
    [due_uid] = [uid for uid, e in before.items() if uid.startswith("due-") and str(e.summary).endswith(THOMAS)]
    token = signer().sign(OWNER, contact.id, Action.REACHED_OUT, today(), Purpose.ACTION, clock.now())
    assert feed.client.post(f"/{token}", data={"channel": "call"}).status_code == 200
    after = {str(e.uid): e for e in calendar_of(feed.get(path)).events}
    assert after[due_uid].start > before[due_uid].start  # the same event, later: calendar apps update it


def test_the_token_and_path_never_reach_the_logs(feed: Feed, logs: Callable[[], list[dict[str, Any]]]) -> None:
    path = link_path()
    feed.get(path)
    feed.get(path[:-10] + "AAAAAA.ics")
    lines = logs()
    assert lines, "the handler logged nothing"
    text = repr(lines)
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    assert token not in text and token[:12] not in text
    assert {line.get("route") for line in lines if "route" in line} == {"GET /calendar/{file}"}


# --- refusals ------------------------------------------------------------------------------------------------


def test_revoking_turns_off_every_link_issued_so_far_and_a_new_one_works(feed: Feed) -> None:
    now = clock.now()
    old = link_path(now - timedelta(days=30))
    recent = link_path(now)
    repo().revoke_calendar_links(OWNER, now)
    for path in (old, recent):
        response = feed.get(path)
        assert response.status_code == 410
        assert "turned off" in response.get_data(as_text=True)
        assert_security_headers(response)
    fresh = link_path(now)  # in the same second as the revocation
    assert feed.get(fresh).status_code == 200


def test_an_earlier_revocation_never_undoes_a_later_one(feed: Feed) -> None:
    now = clock.now().replace(microsecond=0)
    repo().revoke_calendar_links(OWNER, now)
    repo().revoke_calendar_links(OWNER, now - timedelta(days=1))
    assert repo().calendar_links_revoked_at(OWNER) == now


def test_a_digest_link_is_not_a_calendar_link(feed: Feed) -> None:
    contact = repo().list_contacts(OWNER)[0]
    token = signer().sign(OWNER, contact.id, Action.SNOOZE, today(), Purpose.ACTION, clock.now())
    response = feed.get(f"/calendar/{token}.ics")
    assert response.status_code == 400
    assert snapshot() == feed.baseline


def test_an_expired_calendar_link_is_gone(feed: Feed) -> None:
    issued = clock.now() - timedelta(days=8)  # five years back is before the format's epoch: a week's link
    token = signer().sign(OWNER, None, Action.CALENDAR, "", Purpose.CALENDAR, issued, ttl=timedelta(days=7))
    assert feed.get(f"/calendar/{token}.ics").status_code == 410


def test_another_owners_calendar_link_is_refused(feed: Feed) -> None:
    token = signer().sign("someone-else", None, Action.CALENDAR, "", Purpose.CALENDAR, clock.now())
    assert feed.get(f"/calendar/{token}.ics").status_code == 400  # the owner is under the tag: it fails it


@pytest.mark.parametrize("damage", ["tamper", "truncate", "no_suffix", "other_suffix", "garbage"])
def test_a_damaged_link_gets_a_clear_page_never_a_5xx(feed: Feed, damage: str) -> None:
    path = link_path()
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    damaged = {
        "tamper": f"/calendar/{token[:-5]}{'A' if token[-5] != 'A' else 'B'}{token[-4:]}.ics",
        "truncate": f"/calendar/{token[:-5]}.ics",
        "no_suffix": f"/calendar/{token}",
        "other_suffix": f"/calendar/{token}.html",
        "garbage": "/calendar/not-a-token.ics",
    }[damage]
    response = feed.get(damaged)
    assert response.status_code == (404 if damage.endswith("suffix") else 400)
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert_security_headers(response)
    assert snapshot() == feed.baseline


def test_the_owner_gone_means_the_feed_is_gone(feed: Feed) -> None:
    path = link_path()
    repo().client.delete_item(TableName=repo().table_name, Key={"PK": {"S": f"OWNER#{OWNER}"}, "SK": {"S": "PROFILE"}})
    assert feed.get(path).status_code == 410
