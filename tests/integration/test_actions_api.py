"""The digest's links through the real actions handler, as a browser and a link scanner would use them.

The demo pipeline runs once for the module (moto: table, queue, SES, the signing secret) and sends a real
digest; its links are requested in process through the local HTTP API adapter, which turns each request into
an HTTP API 2.0 event (form posts base64-encoded, as API Gateway does). Every test starts from the table as
the digest left it. The handler reads the real clock, so the demo runs at the real "now" too: the schedule it
leaves is then the one the handler would compute, and the tests read "today" from the same clock.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from html.parser import HTMLParser
from types import ModuleType
from typing import Any
from urllib.parse import quote

import boto3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.test import Client, TestResponse

from circleback import runtime
from circleback.adapters.store.codec import decode_item
from circleback.adapters.store.keys import contact_sk, owner_pk
from circleback.adapters.store.repository import Repository
from circleback.auth.tokens import ACTION_CODES, Action, Claim, Purpose
from circleback.domain.model import Channel, Direction, Owner, Touch, TouchPurpose
from circleback.domain.places import trip_dates
from circleback.domain.planner import PlanSettings
from circleback.domain.schedule import local_send_date, schedule_keys, send_instant, shard_of
from circleback.local import demo
from circleback.local.emulator import LOCAL_REGION
from circleback.services.actions import ActionLinks, Choice
from circleback.services.importing import import_touches
from circleback.services.preview import preview
from tests import clock
from tests.factories import history_of
from tests.integration.actions_support import (
    SECURITY_HEADERS,
    Snapshot,
    assert_security_headers,
    environment_restored,
    repo,
    restore,
    snapshot,
)

OWNER = demo.OWNER_ID
ZONE = "Europe/London"
SEND_HOUR = 7
THOMAS = "Thomas Becker"  # first in the sample digest
SOPHIE = "Sophie Laurent"  # two outbound touches in a row, no reply
# An action link is the root and a token; the unsubscribe link has its own path (mail/links.py).
DIGEST_LINK = re.compile(r"http://127\.0\.0\.1:8000(/(?:unsubscribe/)?[A-Za-z0-9_-]{20,})(?![A-Za-z0-9_/.?-])")
BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


# --- the digest, served -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    path: str
    token: str
    claim: Claim
    contact: str | None  # the contact's name, None for the unsubscribe link


@dataclass(frozen=True)
class Site:
    """The actions function behind the local HTTP API, and the links of the digest the demo sent."""

    client: Client
    handler: ModuleType  # the loaded actions_handler module (its clock can be moved)
    links: tuple[Link, ...]
    baseline: Snapshot  # the whole table just after the digest was sent
    text: str  # the digest's text part, as sent

    def link(self, action: Action, contact: str | None = THOMAS) -> Link:
        return next(k for k in self.links if k.claim.action is action and k.contact == contact)

    @property
    def unsubscribe(self) -> Link:
        return self.link(Action.PAUSE, None)

    def get(self, path: str) -> TestResponse:
        return self.client.get(path)

    def head(self, path: str) -> TestResponse:
        return self.client.head(path)

    def post(self, path: str, **form: str) -> TestResponse:
        return self.client.post(path, data=form)


@pytest.fixture(scope="module")
def digest_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    out = tmp_path_factory.mktemp("digest")
    with environment_restored(), demo.running(out, "you@example.com", ZONE, "GB", clock.now, serve=False) as session:
        handler = demo.load_handler("actions")
        gateway = demo.api_gateway(actions=handler)
        text = session.result.txt.read_text(encoding="utf-8")
        links = digest_links(text)
        assert {k.path for k in links} == set(read_paths(session.result.html.read_text(encoding="utf-8")))
        client = Client(gateway)
        offered = [other for link in links for other in alternatives(client, link)]
        yield Site(client, handler, (*links, *offered), snapshot(), text)


@pytest.fixture
def site(digest_site: Site) -> Site:
    """The module's site with the table as the digest left it, and fresh adapters (no hooks or cached keys)."""
    runtime.reset()
    restore(digest_site.baseline)
    return digest_site


def alternatives(client: Client, link: Link) -> list[Link]:
    """The links an "I reached out" page offers instead ("They reached out", "Snooze"), relative to its own."""
    if link.claim.action is not Action.REACHED_OUT:
        return []
    page = client.get(link.path).get_data(as_text=True)
    found = []
    for token in re.findall(r'<a href="([A-Za-z0-9_-]{20,})"', page):
        claim = runtime.signer().verify(token, Purpose.ACTION, clock.now(), OWNER)
        found.append(Link(f"/{token}", token, claim, link.contact))
    return found


def read_paths(text: str) -> list[str]:
    return [html.unescape(m.group(1)) for m in DIGEST_LINK.finditer(text)]


def digest_links(text: str) -> tuple[Link, ...]:
    names = {c.id: c.name for c in repo().list_contacts(OWNER)}
    links = []
    for path in dict.fromkeys(read_paths(text)):
        *route, token = path.split("/")[1:]
        purpose = Purpose.UNSUBSCRIBE if route == ["unsubscribe"] else Purpose.ACTION
        claim = runtime.signer().verify(token, purpose, clock.now(), OWNER)
        links.append(Link(path, token, claim, names.get(claim.contact_id or "")))  # a team lunch's names no one
    return tuple(links)


# --- the table ------------------------------------------------------------------------------------------


def raw_item(pk: str, sk: str) -> dict[str, Any]:
    """An item with the attributes the domain objects leave out (the touch summary, the GSI keys)."""
    found = repo().client.get_item(TableName=repo().table_name, Key={"PK": {"S": pk}, "SK": {"S": sk}})
    return decode_item(found["Item"])


def contact_item(link: Link) -> dict[str, Any]:
    return raw_item(owner_pk(OWNER), contact_sk(contact_id(link)))


def delete_contact(link: Link) -> None:
    key = {"PK": {"S": owner_pk(OWNER)}, "SK": {"S": contact_sk(contact_id(link))}}
    repo().client.delete_item(TableName=repo().table_name, Key=key)


def owner_item() -> dict[str, Any]:
    return raw_item(owner_pk(OWNER), "PROFILE")


def owner() -> Owner:
    found = repo().get_owner(OWNER)
    assert found is not None
    return found


def contact_id(link: Link) -> str:
    assert link.claim.contact_id is not None
    return link.claim.contact_id


def touches(link: Link) -> list[Touch]:
    return repo().contact_with_touches(OWNER, contact_id(link))[1]


def link_touches(link: Link) -> list[Touch]:
    return [t for t in touches(link) if t.source == "link"]


def due_on(day: date) -> set[str]:
    _, plan = preview(repo(), OWNER, day, PlanSettings(max_due=100))
    return {item.contact.name for item in plan.due}


def today() -> date:
    """The owner's local date, by the clock the handler reads."""
    return local_send_date(ZONE, clock.now())


# --- pages ----------------------------------------------------------------------------------------------


class PageShape(HTMLParser):
    """The tags and text of a page, for asserting what it contains."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str]]:
        return [attrs for name, attrs in self.tags if name == tag]

    def operations(self) -> list[str]:
        return [a["value"] for a in self.all("input") if a.get("name") == "op"]


def heading(response: TestResponse) -> str:
    found = re.search(r"<h1>(.*?)</h1>", response.get_data(as_text=True), re.S)
    assert found is not None, "the page has no heading"
    return html.unescape(found.group(1))


def page_text(response: TestResponse) -> str:
    return " ".join(" ".join(PageShape(response.get_data(as_text=True)).text).split())


def assert_refused(response: TestResponse, status: int, reason: str) -> None:
    assert response.status_code == status
    assert response.content_type == "text/html; charset=utf-8"
    assert reason in page_text(response) and "Nothing was changed." in page_text(response)
    assert_security_headers(response)


# --- tokens made by hand ----------------------------------------------------------------------------------


def signed(link: Link, at: datetime, *, owner_id: str = OWNER) -> str:
    """`link`'s claim signed afresh with the deployment's current key, as of `at` (for a digest of that day when
    `at` is weeks from the link's own: a digest's links are made within days of it, auth/tokens.py)."""
    c = link.claim
    near = abs(at.date() - date.fromisoformat(c.digest)) <= timedelta(days=14)
    digest = c.digest if near else at.date().isoformat()
    return runtime.signer().sign(owner_id, c.contact_id, c.action, digest, c.purpose, at)


def flipped(token: str, index: int) -> str:
    """`token` with one base64url character changed (still the shape of a token)."""
    replacement = "B" if token[index] == "A" else "A"
    return token[:index] + replacement + token[index + 1 :]


def signature_start(token: str) -> int:
    return len(token) - 21  # the last 16 bytes are the tag


# --- a link scanner changes nothing -----------------------------------------------------------------------


def test_a_link_scanner_fetching_every_link_many_times_changes_nothing(site: Site) -> None:
    before = snapshot()
    assert {link.claim.action for link in site.links} == set(ACTION_CODES)  # every kind of link, pause included

    for _ in range(3):
        for link in site.links:
            assert site.get(link.path).status_code == 200
            head = site.head(link.path)
            assert head.status_code == 200 and head.get_data() == b""

    assert snapshot() == before


def test_head_answers_as_get_does_without_the_body(site: Site) -> None:
    link = site.link(Action.REACHED_OUT)

    get, head = site.get(link.path), site.head(link.path)

    assert head.status_code == get.status_code == 200
    assert head.content_type == get.content_type == "text/html; charset=utf-8"
    assert head.get_data() == b"" and get.get_data() != b""
    assert_security_headers(head)


# --- the pages ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "contact", "title"),
    [
        (Action.REACHED_OUT, THOMAS, "You reached out to Thomas"),
        (Action.THEY_REACHED_OUT, THOMAS, "Thomas reached out to you"),
        (Action.SNOOZE, THOMAS, "Snooze Thomas for two weeks"),
        (Action.PAUSE, None, "Pause your digests for 30 days"),
    ],
)
def test_a_link_page_names_its_action_and_the_contacts_first_name(
    site: Site, action: Action, contact: str | None, title: str
) -> None:
    response = site.get(site.link(action, contact).path)

    assert response.status_code == 200
    assert heading(response) == title


def test_the_snooze_page_says_when_the_contact_is_back(site: Site) -> None:
    response = site.get(site.link(Action.SNOOZE).path)

    back = today() + timedelta(days=14)
    assert f"Thomas will be back in your digest on {back:%A} {back.day} {back:%B %Y}." in page_text(response)


def test_every_link_page_has_one_post_form_and_nothing_active_or_remote(site: Site) -> None:
    for link in site.links:
        page = site.get(link.path).get_data(as_text=True)
        shape = PageShape(page)

        (form,) = shape.all("form")
        assert form["method"] == "post" and form.get("action", "") == ""  # posts back to the link itself
        assert shape.operations() == ["do"]
        assert not shape.all("script") and not shape.all("iframe") and not shape.all("link")
        assert not [m for m in shape.all("meta") if m.get("http-equiv", "").lower() == "refresh"]
        addresses = [v for _, attrs in shape.tags for n, v in attrs.items() if n in ("src", "href", "action")]
        assert not [a for a in addresses if re.match(r"\s*(https?:)?//", a, re.I)]
        assert "url(" not in page and "@import" not in page


def test_the_done_page_offers_an_undo_form(site: Site) -> None:
    response = site.post(site.link(Action.REACHED_OUT).path, op="do", channel="call")

    shape = PageShape(response.get_data(as_text=True))
    assert heading(response) == "Logged"
    assert len(shape.all("form")) == 1 and shape.operations() == ["undo"]
    assert "You reached out to Thomas by phone today." in page_text(response)


# --- the security headers, on every kind of response ----------------------------------------------------------


def _ok_get(s: Site) -> TestResponse:
    return s.get(s.link(Action.REACHED_OUT).path)


def _ok_head(s: Site) -> TestResponse:
    return s.head(s.unsubscribe.path)


def _ok_post(s: Site) -> TestResponse:
    return s.post(s.link(Action.SNOOZE).path, op="do")


def _invalid(s: Site) -> TestResponse:
    return s.get("/" + flipped(s.link(Action.REACHED_OUT).token, 3))


def _foreign(s: Site) -> TestResponse:
    return s.post("/" + signed(s.link(Action.REACHED_OUT), clock.now(), owner_id="someone-else"), op="do")


def _expired(s: Site) -> TestResponse:
    return s.get("/" + signed(s.link(Action.REACHED_OUT), clock.now() - timedelta(days=31)))


def _not_found(s: Site) -> TestResponse:
    return s.get('/a/not"a"token')  # routed by the API, but not a path the function serves


def _bad_form(s: Site) -> TestResponse:
    return s.post(s.link(Action.REACHED_OUT).path, op="explode")


def _gone(s: Site) -> TestResponse:
    delete_contact(link := s.link(Action.REACHED_OUT))
    return s.get(link.path)


@pytest.mark.parametrize(
    ("request_", "status"),
    [
        (_ok_get, 200),
        (_ok_head, 200),
        (_ok_post, 200),
        (_invalid, 400),
        (_bad_form, 400),
        (_foreign, 400),  # the owner is under the tag: another owner's link fails it (403: first-format links)
        (_not_found, 404),
        (_expired, 410),
        (_gone, 410),
    ],
    ids=["get", "head", "post", "invalid-link", "bad-form", "other-owner", "not-found", "expired", "contact-gone"],
)
def test_every_response_carries_the_security_headers(
    site: Site, request_: Callable[[Site], TestResponse], status: int
) -> None:
    response = request_(site)

    assert response.status_code == status
    assert_security_headers(response)


# --- doing what the link says ----------------------------------------------------------------------------------


def test_reached_out_logs_an_outbound_touch_with_the_chosen_channel_and_note(site: Site) -> None:
    link = site.link(Action.REACHED_OUT)

    response = site.post(link.path, op="do", channel="meeting", note="  Lunch near the old office  ")

    assert response.status_code == 200 and heading(response) == "Logged"
    (touch,) = link_touches(link)
    assert touch.direction is Direction.OUTBOUND and touch.channel is Channel.MEETING
    assert touch.note == "Lunch near the old office"
    assert touch.date == today() and touch.source == "link"


def test_they_reached_out_logs_an_inbound_touch(site: Site) -> None:
    link = site.link(Action.THEY_REACHED_OUT)

    response = site.post(link.path, op="do", channel="message")

    assert heading(response) == "Logged"
    assert "Thomas reached out to you by message today." in page_text(response)
    (touch,) = link_touches(link)
    assert touch.direction is Direction.INBOUND and touch.channel is Channel.MESSAGE
    assert touch.note is None and touch.date == today()


def test_a_logged_touch_moves_the_contacts_history_and_leaves_the_contact_alone(site: Site) -> None:
    link = site.link(Action.REACHED_OUT, SOPHIE)
    before = contact_item(link)
    assert history_of(repo(), OWNER, contact_id(link)).outbound_streak == 2

    site.post(link.path, op="do")

    after = history_of(repo(), OWNER, contact_id(link))
    assert (after.last_touch, after.outbound_streak) == (today(), 3)
    assert contact_item(link) == before  # one conditional put of the touch, in one transaction with its record


def test_an_inbound_touch_ends_the_outbound_streak(site: Site) -> None:
    link = site.link(Action.THEY_REACHED_OUT, SOPHIE)

    site.post(link.path, op="do")

    assert history_of(repo(), OWNER, contact_id(link)).outbound_streak == 0


def write_kinds(items: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """("Put", "TOUCH") and the like: each TransactWriteItems entry's operation and its item's kind."""
    kinds = []
    for entry in items:
        ((operation, body),) = entry.items()
        sort_key = (body.get("Item") or body["Key"])["SK"]["S"]
        kinds.append((operation, sort_key.split("#")[0]))
    return kinds


def test_a_touch_link_writes_its_touch_while_its_contact_exists_and_undo_one_delete(site: Site) -> None:
    link = site.link(Action.REACHED_OUT)
    writes: list[tuple[str, dict[str, Any]]] = []
    client = runtime.interactive_repository().client  # the actions function's client
    for operation in ("PutItem", "DeleteItem", "UpdateItem", "TransactWriteItems"):
        client.meta.events.register(
            f"before-parameter-build.dynamodb.{operation}",
            lambda params, op=operation, **_: writes.append((op, params)),
        )

    site.post(link.path, op="do")
    site.post(link.path, op="do")  # a repeat: finds the touch, writes nothing
    site.post(link.path, op="undo")

    assert [op for op, _ in writes] == ["TransactWriteItems", "DeleteItem"]
    (_, transaction), (_, delete) = writes
    put, check = (item["Put"] if "Put" in item else item["ConditionCheck"] for item in transaction["TransactItems"])
    assert put["ConditionExpression"] == "attribute_not_exists(SK)" and put["Item"]["SK"]["S"].startswith("TOUCH#")
    # ...and only while its contact is there: a click racing `contacts remove` leaves no touch behind.
    assert check["ConditionExpression"] == "attribute_exists(SK)" and check["Key"]["SK"]["S"].startswith("CONTACT#")
    assert delete["ConditionExpression"] == "attribute_exists(SK)" and delete["Key"]["SK"] == put["Item"]["SK"]
    assert link_touches(link) == []


def test_a_page_reads_eventually_consistent_and_a_post_reads_consistently(site: Site) -> None:
    """A page only shows: half the read units. What a post decides on must see the write just before it."""
    link = site.link(Action.REACHED_OUT)
    reads: list[bool] = []
    runtime.interactive_repository().client.meta.events.register(
        "before-parameter-build.dynamodb.GetItem", lambda params, **_: reads.append(params["ConsistentRead"])
    )

    site.get(link.path)
    assert reads == [False, False, False]  # owner, contact, the touch filed under the link (its record)
    reads.clear()
    site.post(link.path, op="do")
    assert reads and all(reads)


def test_snooze_keeps_the_contact_out_of_the_digest_for_fourteen_days(site: Site) -> None:
    link = site.link(Action.SNOOZE)
    assert THOMAS in due_on(today())

    response = site.post(link.path, op="do")

    assert heading(response) == "Snoozed"
    assert contact_item(link)["snoozed_until"] == (today() + timedelta(days=13)).isoformat()
    assert THOMAS not in due_on(today() + timedelta(days=13))
    assert THOMAS in due_on(today() + timedelta(days=14))


def assert_paused_for_thirty_days() -> None:
    resume = send_instant(ZONE, today() + timedelta(days=30), SEND_HOUR)
    paused = owner()
    assert paused.paused_until == today() + timedelta(days=29)  # today and the 29 days after it
    assert paused.next_send_at == resume
    item = owner_item()
    assert (item["GSI1PK"], item["GSI1SK"]) == schedule_keys(OWNER, resume)
    # The dispatcher's own query no longer finds the owner until the digests resume.
    shard = shard_of(OWNER)
    assert list(repo().due_owners(shard, resume - timedelta(seconds=1))) == []
    assert list(repo().due_owners(shard, resume)) == [(OWNER, resume)]


def test_one_click_unsubscribe_pauses_digests_for_thirty_days_and_moves_the_schedule(site: Site) -> None:
    # RFC 8058: the mail client posts List-Unsubscribe=One-Click, form-encoded.
    response = site.post(site.unsubscribe.path, **{"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200 and heading(response) == "Digests paused"
    assert_paused_for_thirty_days()


def test_one_click_unsubscribe_sent_as_multipart_form_data_pauses_too(site: Site) -> None:
    # RFC 8058 §3.2: the POST content SHOULD be multipart/form-data (what most mail providers send).
    response = site.client.post(
        site.unsubscribe.path, data={"List-Unsubscribe": "One-Click"}, content_type="multipart/form-data"
    )

    assert response.status_code == 200 and heading(response) == "Digests paused"
    assert_paused_for_thirty_days()


# --- once: double and concurrent posts ------------------------------------------------------------------------


def test_a_second_post_writes_nothing_and_says_already_logged(site: Site) -> None:
    link = site.link(Action.REACHED_OUT)
    site.post(link.path, op="do", channel="call")
    after_first = snapshot()

    again = site.post(link.path, op="do", channel="email", note="double click")

    assert again.status_code == 200 and heading(again) == "Already logged"
    assert "You reached out to Thomas by phone today." in page_text(again)
    assert snapshot() == after_first
    assert len(link_touches(link)) == 1


def test_a_concurrent_post_that_wins_the_race_leaves_one_touch(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    link = site.link(Action.REACHED_OUT)
    add_touch = Repository.add_touch_to_existing
    raced: list[bool] = []

    def add_after_the_other_request(self: Repository, *args: Any) -> bool:
        if not raced:  # the other request reads, decides and writes in full before this one writes
            raced.append(True)
            other = ActionLinks(runtime.repository(), runtime.signer(), OWNER)
            other.perform(link.token, Purpose.ACTION, Choice(Channel.CALL, "the other tab"), clock.now())
        return add_touch(self, *args)

    monkeypatch.setattr(Repository, "add_touch_to_existing", add_after_the_other_request)

    response = site.post(link.path, op="do", channel="email", note="this tab")

    assert raced and response.status_code == 200 and heading(response) == "Already logged"
    (touch,) = link_touches(link)
    assert (touch.channel, touch.note) == (Channel.CALL, "the other tab")


def test_a_touch_logged_elsewhere_meanwhile_is_kept_beside_the_links_own(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    link = site.link(Action.REACHED_OUT)
    version = contact_item(link)["version"]
    add_touch = Repository.add_touch_to_existing
    calls: list[bool] = []
    elsewhere = Touch(
        id="from-the-api",
        contact_id=contact_id(link),
        date=today(),
        direction=Direction.INBOUND,
        source="api",
        recorded_at=clock.now(),
    )

    def add_after_a_touch_from_elsewhere(self: Repository, *args: Any) -> bool:
        calls.append(True)
        if len(calls) == 1:  # another touch of the same contact lands between this request's read and its write
            assert runtime.repository().add_touch(OWNER, elsewhere)
        return add_touch(self, *args)

    monkeypatch.setattr(Repository, "add_touch_to_existing", add_after_a_touch_from_elsewhere)

    response = site.post(link.path, op="do")

    assert response.status_code == 200 and heading(response) == "Logged"
    assert len(calls) == 1  # the link's one write: no retry, touches never conflict
    today_ = [t for t in touches(link) if t.date == today()]
    assert sorted(t.source for t in today_) == ["api", "link"]
    assert contact_item(link)["version"] == version
    assert history_of(repo(), OWNER, contact_id(link)).outbound_streak == 1


def test_a_contact_that_keeps_changing_gives_a_409_page_and_no_snooze(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    link = site.link(Action.SNOOZE)
    record_action = Repository.record_action
    edits: list[str] = []

    def record_after_yet_another_edit(self: Repository, *args: Any) -> bool:
        edits.append(f"title {len(edits)}")
        person = runtime.repository().get_contact(OWNER, contact_id(link))
        assert person is not None
        runtime.repository().save_contact(OWNER, replace(person, title=edits[-1]))
        return record_action(self, *args)

    monkeypatch.setattr(Repository, "record_action", record_after_yet_another_edit)

    response = site.post(link.path, op="do")

    assert_refused(response, 409, "Please try again.")
    assert len(edits) == 4  # every attempt met a changed contact
    person = repo().get_contact(OWNER, contact_id(link))
    assert person is not None and person.snoozed_until is None
    assert repo().get_action(OWNER, link.claim.key()) is None


def test_a_link_touch_on_a_day_that_already_has_an_imported_touch_is_logged(site: Site) -> None:
    link = site.link(Action.REACHED_OUT)
    csv = f"contact,date,direction,channel,note\n{THOMAS},{today().isoformat()},inbound,call,\n"
    assert import_touches(repo(), OWNER, csv, today()).rejected == 0

    response = site.post(link.path, op="do")

    assert response.status_code == 200 and heading(response) == "Logged"
    assert sorted(t.source for t in touches(link) if t.date == today()) == ["import", "link"]


def test_a_link_touch_and_an_imported_touch_of_another_contact_on_one_day_still_plan_a_digest(site: Site) -> None:
    csv = f"contact,date,direction,channel,note\n{SOPHIE},{today().isoformat()},inbound,call,\n"
    assert import_touches(repo(), OWNER, csv, today()).rejected == 0
    assert site.post(site.link(Action.REACHED_OUT).path, op="do").status_code == 200

    assert THOMAS not in due_on(today() + timedelta(days=1))


# --- undo ------------------------------------------------------------------------------------------------------


def test_undo_removes_the_touch_and_restores_the_history(site: Site) -> None:
    link = site.link(Action.REACHED_OUT, SOPHIE)
    before = history_of(repo(), OWNER, contact_id(link))
    site.post(link.path, op="do")

    response = site.post(link.path, op="undo")

    assert response.status_code == 200
    assert "Undone: nothing is recorded for this link now." in page_text(response)
    assert PageShape(response.get_data(as_text=True)).operations() == ["do"]  # the link can be used again
    assert link_touches(link) == []
    assert history_of(repo(), OWNER, contact_id(link)) == before


def test_undo_restores_the_snooze(site: Site) -> None:
    link = site.link(Action.SNOOZE)
    site.post(link.path, op="do")

    site.post(link.path, op="undo")

    assert "snoozed_until" not in contact_item(link)
    assert THOMAS in due_on(today())


def test_undo_of_the_unsubscribe_restores_the_pause_and_the_schedule(site: Site) -> None:
    before = owner_item()
    site.post(site.unsubscribe.path, **{"List-Unsubscribe": "One-Click"})

    response = site.post(site.unsubscribe.path, op="undo")

    assert response.status_code == 200
    after = owner_item()
    assert "paused_until" not in after
    assert (after["next_send_at"], after["GSI1PK"], after["GSI1SK"]) == (
        before["next_send_at"],
        before["GSI1PK"],
        before["GSI1SK"],
    )


def test_after_undo_the_link_does_it_again(site: Site) -> None:
    link = site.link(Action.REACHED_OUT)
    site.post(link.path, op="do", channel="call")
    site.post(link.path, op="undo")

    again = site.post(link.path, op="do", channel="meeting")

    assert heading(again) == "Logged"
    (touch,) = link_touches(link)
    assert touch.channel is Channel.MEETING


def test_undo_twice_is_harmless(site: Site) -> None:
    link = site.link(Action.REACHED_OUT)
    site.post(link.path, op="do")
    site.post(link.path, op="undo")
    after_first_undo = snapshot()

    again = site.post(link.path, op="undo")

    assert again.status_code == 200 and heading(again) == "You reached out to Thomas"
    assert snapshot() == after_first_undo


def test_undo_before_anything_was_done_writes_nothing(site: Site) -> None:
    before = snapshot()

    response = site.post(site.link(Action.SNOOZE).path, op="undo")

    assert response.status_code == 200 and heading(response) == "Snooze Thomas for two weeks"
    assert snapshot() == before


def test_an_expired_link_cannot_undo(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    link = site.link(Action.REACHED_OUT)
    site.post(link.path, op="do")
    done = snapshot()
    with runtime.clock_set_to(lambda: link.claim.expires_at):
        response = site.post(link.path, op="undo")

    assert_refused(response, 410, "This link has expired.")
    assert snapshot() == done
    assert len(link_touches(link)) == 1


# --- links that cannot be used: a clear page, a 4xx, nothing written ---------------------------------------------

INVALID = "This link isn’t valid."


def _tampered_payload(s: Site) -> str:
    return "/" + flipped(s.link(Action.REACHED_OUT).token, 10)


def _tampered_signature(s: Site) -> str:
    token = s.link(Action.REACHED_OUT).token
    return "/" + flipped(token, signature_start(token) + 5)


def _truncated(s: Site) -> str:
    return s.link(Action.REACHED_OUT).path[:-1]


def _signature_cut_off(s: Site) -> str:
    return "/" + s.link(Action.REACHED_OUT).token[:-21]


def _expired_link(s: Site) -> str:
    return "/" + signed(s.link(Action.REACHED_OUT), clock.now() - timedelta(days=31))


def _future_dated(s: Site) -> str:
    return "/" + signed(s.link(Action.REACHED_OUT), clock.now() + timedelta(hours=2))  # kept to the hour


def _unsubscribe_token_on_action_route(s: Site) -> str:
    return "/" + s.unsubscribe.token


def _action_token_on_unsubscribe_route(s: Site) -> str:
    return "/unsubscribe/" + s.link(Action.REACHED_OUT).token


def _other_owner(s: Site) -> str:
    return "/" + signed(s.link(Action.REACHED_OUT), clock.now(), owner_id="someone-else")


BAD_LINKS = {
    "tampered-payload": (_tampered_payload, 400, INVALID),
    "tampered-signature": (_tampered_signature, 400, INVALID),
    "truncated": (_truncated, 400, INVALID),
    "signature-cut-off": (_signature_cut_off, 400, INVALID),
    "expired": (_expired_link, 410, "This link has expired."),
    "future-dated": (_future_dated, 400, INVALID),
    "unsubscribe-token-on-action-route": (_unsubscribe_token_on_action_route, 400, "This link can’t be used here."),
    "action-token-on-unsubscribe-route": (_action_token_on_unsubscribe_route, 400, "This link can’t be used here."),
    "other-owner": (_other_owner, 400, INVALID),  # the owner is signed, not carried: it fails the tag
}


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("kind", BAD_LINKS)
def test_a_bad_link_gets_a_clear_page_and_a_4xx_and_writes_nothing(site: Site, kind: str, method: str) -> None:
    make, status, reason = BAD_LINKS[kind]
    path = make(site)
    before = snapshot()

    response = site.get(path) if method == "GET" else site.post(path, op="do")

    assert_refused(response, status, reason)
    assert snapshot() == before


@pytest.mark.parametrize("kind", BAD_LINKS)
def test_a_bad_link_gets_its_4xx_on_head_too_without_a_body(site: Site, kind: str) -> None:
    make, status, _ = BAD_LINKS[kind]

    response = site.head(make(site))

    assert response.status_code == status and response.get_data() == b""
    assert_security_headers(response)


def test_any_one_character_change_to_a_link_is_refused(site: Site) -> None:
    @settings(max_examples=50)
    @given(data=st.data())
    def refused(data: st.DataObject) -> None:
        link = data.draw(st.sampled_from(site.links))
        index = data.draw(st.integers(0, len(link.token) - 1))
        char = data.draw(st.sampled_from(BASE64URL + ".").filter(lambda c: c != link.token[index]))
        changed = link.path.rsplit("/", 1)[0] + "/" + link.token[:index] + char + link.token[index + 1 :]

        assert site.post(changed, op="do").status_code == 400

    refused()
    assert snapshot() == site.baseline


def test_a_link_to_a_contact_deleted_since_the_digest_says_it_is_gone(site: Site) -> None:
    link = site.link(Action.REACHED_OUT)
    delete_contact(link)
    before = snapshot()

    shown, posted = site.get(link.path), site.post(link.path, op="do")

    for response in (shown, posted):
        assert_refused(response, 410, "This contact is no longer in circleback.")
    assert snapshot() == before


def test_an_address_the_function_does_not_serve_is_a_404_page(site: Site) -> None:
    response = site.get('/a/"quoted"')

    assert_refused(response, 404, "This address doesn’t lead anywhere.")


def unrouted(method: str, path: str) -> dict[str, Any]:
    """The event API Gateway sends to the $default route: a path or method no other route matches."""
    http = {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1", "userAgent": "curl"}
    context = {"http": http, "requestId": "r-1", "routeKey": "$default", "stage": "$default", "timeEpoch": 0}
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"host": "api.example.com"},
        "requestContext": {**context, "accountId": "1", "apiId": "a", "domainName": "api.example.com"},
        "isBase64Encoded": False,
    }


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/nowhere/at/all"),  # an unknown path (one segment would be a link's token)
        ("GET", "/"),
        ("POST", "/wp-admin/install.php"),
        ("DELETE", "/touches"),  # a known path, another method
        ("PUT", "/{token}"),
        ("PUT", "/a/{token}"),
        ("POST", "/calendar/feed.ics"),  # the calendar's path, a method it does not serve
    ],
)
def test_an_unrouted_request_is_a_404_page_with_the_security_headers(site: Site, method: str, path: str) -> None:
    """template.yaml routes $default (any other path or method) to the actions function, not API Gateway's bare
    404: the answer carries the same headers as every page, and nothing is read or written for it."""
    path = path.replace("{token}", site.link(Action.REACHED_OUT).token)
    before = snapshot()

    answer = site.handler.lambda_handler(unrouted(method, path), demo.LambdaContextStub("Actions"))

    assert answer["statusCode"] == 404
    assert SECURITY_HEADERS.items() <= answer["headers"].items()
    assert answer["headers"]["Content-Type"] == "text/html; charset=utf-8"
    assert "This address doesn’t lead anywhere." in answer["body"]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("form", "field"),
    [({"op": "explode"}, "op"), ({"channel": "pigeon"}, "channel"), ({"note": "x" * 1001}, "note")],
)
def test_a_form_that_does_not_validate_is_a_400_page_and_writes_nothing(
    site: Site, form: dict[str, str], field: str
) -> None:
    before = snapshot()

    response = site.post(site.link(Action.REACHED_OUT).path, **form)

    assert_refused(response, 400, f"{field}: ")
    assert heading(response) == "That form didn’t come through"
    assert snapshot() == before


def test_a_form_with_too_many_fields_is_a_400_page_not_a_crash(site: Site) -> None:
    before = snapshot()
    body = "&".join(f"field{i}=x" for i in range(11))

    response = site.client.post(
        site.link(Action.REACHED_OUT).path, data=body, content_type="application/x-www-form-urlencoded"
    )

    assert_refused(response, 400, "")
    assert snapshot() == before


def test_a_form_body_that_is_not_utf8_is_a_400_page_not_a_crash(site: Site) -> None:
    before = snapshot()

    response = site.client.post(
        site.link(Action.REACHED_OUT).path, data=b"op=do&note=\xff", content_type="application/x-www-form-urlencoded"
    )

    assert_refused(response, 400, "")
    assert snapshot() == before


def test_unreadable_signing_keys_give_a_503_page_and_write_nothing(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGNING_SECRET_ID", "no-such-secret")
    runtime.reset()
    before = snapshot()

    response = site.post(site.link(Action.REACHED_OUT).path, op="do")

    assert_refused(response, 503, "Please try again in a few minutes.")
    assert snapshot() == before


# --- key rotation ------------------------------------------------------------------------------------------------


@pytest.fixture
def signing_secret(site: Site) -> Iterator[Callable[[str], None]]:
    """Rotate the deployment's signing secret; afterwards the digest's key is current again."""
    secrets = boto3.client("secretsmanager", region_name=LOCAL_REGION)
    name = demo.SIGNING_SECRET_NAME
    original = secrets.get_secret_value(SecretId=name)["SecretString"]

    def rotate(value: str) -> None:
        # The new value becomes AWSCURRENT and the one it replaces AWSPREVIOUS; a fresh container (reset)
        # reads both, as a warm one does once the key cache's max_age has passed.
        secrets.put_secret_value(SecretId=name, SecretString=value, VersionStages=["AWSCURRENT"])
        runtime.reset()

    yield rotate
    rotate(original)


def test_a_link_survives_one_key_rotation_but_not_two(site: Site, signing_secret: Callable[[str], None]) -> None:
    link = site.link(Action.REACHED_OUT)

    signing_secret("second-link-signing-key-" + "2" * 40)
    assert site.get(link.path).status_code == 200

    signing_secret("third-link-signing-key-" + "3" * 40)
    before = snapshot()
    assert_refused(site.get(link.path), 400, INVALID)
    assert_refused(site.post(link.path, op="do"), 400, INVALID)
    assert snapshot() == before


def test_links_signed_after_a_rotation_use_the_new_key(site: Site, signing_secret: Callable[[str], None]) -> None:
    signing_secret("second-link-signing-key-" + "2" * 40)
    fresh = "/" + signed(site.link(Action.REACHED_OUT), clock.now())

    signing_secret("third-link-signing-key-" + "3" * 40)

    assert site.get(fresh).status_code == 200


# --- logs --------------------------------------------------------------------------------------------------------


def test_logs_never_carry_a_token_or_a_path(site: Site, logs: Callable[[], list[dict[str, Any]]]) -> None:
    link, unsubscribe = site.link(Action.REACHED_OUT), site.unsubscribe
    tampered = flipped(link.token, 10)
    site.get(link.path)
    site.head(link.path)
    site.post(link.path, op="do", note="private note")
    site.post(link.path, op="do")
    site.post(link.path, op="undo")
    site.post(unsubscribe.path, **{"List-Unsubscribe": "One-Click"})
    site.get("/" + tampered)
    site.post("/unsubscribe/" + link.token, op="do")

    lines = logs()
    assert len(lines) >= 6
    text = json.dumps(lines)
    for token in (link.token, unsubscribe.token, tampered):
        assert token not in text and token[:20] not in text
    assert not re.search(r"/(unsubscribe/)?(?!\{token\})[A-Za-z0-9_-]{20}", text)  # only the route templates appear
    assert "private note" not in text and THOMAS not in text


def test_each_post_logs_its_route_step_and_outcome(site: Site, logs: Callable[[], list[dict[str, Any]]]) -> None:
    link = site.link(Action.REACHED_OUT)
    site.post(link.path, op="do")
    site.post(link.path, op="do")
    site.post(link.path, op="undo")
    site.post(link.path, op="undo")
    site.post(_expired_link(site), op="do")

    actions = [
        (line["route"], line["step"], line["action"], line["outcome"])
        for line in logs()
        if line.get("message") == "action"
    ]
    assert actions == [
        ("POST /{token}", "do", "reached_out", "done"),
        ("POST /{token}", "do", "reached_out", "already_done"),
        ("POST /{token}", "undo", "reached_out", "undone"),
        ("POST /{token}", "undo", "reached_out", "nothing_to_undo"),
        ("POST /{token}", "refused", "link", "expired"),
    ]


def test_a_touch_link_used_again_days_later_finds_its_touch_filed_under_the_link(site: Site) -> None:
    link = site.link(Action.REACHED_OUT)
    links = ActionLinks(runtime.repository(), runtime.signer(), OWNER)
    link_day = date.fromisoformat(link.claim.digest)
    next_day = datetime.combine(link_day + timedelta(days=1), time(12), UTC)  # midday in London too

    _, did = links.perform(link.token, Purpose.ACTION, Choice(Channel.EMAIL), next_day)
    _, again = links.perform(link.token, Purpose.ACTION, Choice(Channel.CALL), next_day + timedelta(days=3))

    assert (did, again) == (True, False)
    (touch,) = link_touches(link)
    assert touch.channel is Channel.EMAIL and touch.date == next_day.date() and touch.filed_on == link_day


# --- the Sort section's links ---------------------------------------------------------------------------

PRIYANKA = "Priyanka Rao"  # the sample LinkedIn export's director at the owner's former employer: unsorted


def sort_choices(shape: PageShape) -> dict[str, str]:
    """The relationship select's options (value -> label) and which one is selected, under "selected"."""
    options = shape.all("option")
    chosen = [o["value"] for o in options if "selected" in o]
    return {o["value"]: o["value"] for o in options} | {"selected": chosen[0] if chosen else ""}


def test_the_digest_asks_to_sort_the_unsorted_with_four_choices_each(site: Site) -> None:
    sorted_by_link = {link.contact for link in site.links if link.claim.action is Action.SORT_A}
    assert PRIYANKA in sorted_by_link and THOMAS not in sorted_by_link
    for action in (Action.SORT_A, Action.SORT_B, Action.SORT_C, Action.SORT_OUT):
        assert site.link(action, PRIYANKA)
    assert PRIYANKA not in due_on(today())  # unsorted: asked about, never due


def test_a_sort_page_changes_nothing_and_suggests_how_you_know_them(site: Site) -> None:
    link = site.link(Action.SORT_B, PRIYANKA)

    response = site.get(link.path)

    assert response.status_code == 200 and snapshot() == site.baseline
    assert heading(response) == "Stay in touch with Priyanka now and then"
    shape = PageShape(response.get_data(as_text=True))
    assert shape.operations() == ["do"]
    choices = sort_choices(shape)
    assert {"boss", "mentor", "colleague", "other"} <= set(choices)
    assert choices["selected"] == "boss"  # a director at Northwind while the owner was there
    assert "every 4 months" in page_text(response)


def test_a_sort_choice_sorts_once_with_the_chosen_relationship_and_undo_puts_it_back(site: Site) -> None:
    link = site.link(Action.SORT_A, PRIYANKA)
    before = contact_item(link)
    assert before.get("unsorted") is True

    response = site.post(link.path, op="do", relationship="mentor")
    again = site.post(link.path, op="do", relationship="friend")

    assert heading(response) == "Sorted" and heading(again) == "Already sorted"
    assert "Priyanka is sorted: keep close, a mentor." in page_text(response)
    after = contact_item(link)
    assert "unsorted" not in after and after["tier"] == "A" and after["relationship"] == "mentor"
    assert after["sorted_on"] == today().isoformat() and after["paused"] is False
    assert PRIYANKA not in due_on(today())  # sorted today with no touch: due later, spread (domain/cadence)
    assert PRIYANKA in due_on(today() + timedelta(days=28))

    undone = site.post(link.path, op="undo")

    assert "Undone" in page_text(undone)
    restored = contact_item(link)
    assert {k: v for k, v in restored.items() if k != "version"} == {k: v for k, v in before.items() if k != "version"}


def test_not_in_rotation_pauses_them_and_keeps_the_relationship_when_none_is_chosen(site: Site) -> None:
    link = site.link(Action.SORT_OUT, PRIYANKA)

    response = site.post(link.path, op="do", relationship="")

    assert heading(response) == "Sorted"
    after = contact_item(link)
    assert after["paused"] is True and "unsorted" not in after and after["relationship"] == "other"


def test_undo_of_a_sort_refuses_once_the_contact_was_sorted_again(site: Site) -> None:
    first, second = site.link(Action.SORT_A, PRIYANKA), site.link(Action.SORT_C, PRIYANKA)
    assert site.post(first.path, op="do").status_code == 200
    assert site.post(second.path, op="do").status_code == 200

    response = site.post(first.path, op="undo")

    assert_refused(response, 409, "sorted again or edited since")
    assert contact_item(first)["tier"] == "C"  # the later choice stands
    assert repo().get_action(OWNER, first.claim.key()) is not None  # the link's record is kept


def test_a_sort_form_with_an_unknown_relationship_is_refused(site: Site) -> None:
    link = site.link(Action.SORT_A, PRIYANKA)

    response = site.post(link.path, op="do", relationship="nemesis")

    assert response.status_code == 400 and snapshot() == site.baseline


def test_the_demo_digest_sorts_reaches_everyone_and_lists_nobody_twice(site: Site) -> None:
    """Issue 18's demo: a Sort section, a LinkedIn-only contact with a LinkedIn action, and nobody twice."""
    text = site.text
    sections = re.split(r"\n\n\n(?=[A-Z ]+\n)", text)
    occasions = "".join(part for part in sections if part.startswith(("TODAY", "COMING UP")))
    due = next(part for part in sections if part.startswith("DUE FOR A NOTE"))
    to_sort = next(part for part in sections if part.startswith("SORT YOUR NETWORK"))

    due_names = re.findall(r"^\d+\. (.+?)(?: · .*)?$", due, re.MULTILINE)
    occasion_names = re.findall(r"^  (\S.+?) · ", occasions, re.MULTILINE)
    assert due_names and occasion_names
    assert len(set(due_names)) == len(due_names) and not set(due_names) & set(occasion_names)
    assert PRIYANKA in to_sort and PRIYANKA not in due + occasions

    wei = due.split("Wei Chen", 1)[1].split("\n\n", 1)[0]  # a former colleague with no email, due
    assert "Message on LinkedIn: https://www.linkedin.com/in/weichen-sg/" in wei
    assert "Call Wei: tel:+6581234567" in wei and "Text Wei: sms:+6581234567" in wei
    assert "Write to Wei" not in wei


def test_the_demo_digest_proposes_lunch_in_berlin_with_everyone_who_lives_there(site: Site) -> None:
    """Issue 20's demo: the owner goes to Berlin in nine days, where three sample contacts live and one more is
    paused; the trip's item names the three with their links and one note to all of them with the dates."""
    data = repo().load_digest_input(OWNER)
    assert data is not None
    [trip] = data.trips
    dates = trip_dates(trip)

    item = site.text.split(f"\nIn Berlin {dates} · ", 1)[1].split("\n\n\n", 1)[0]
    named = re.findall(r"^  (\S.+?)(?: · .*)?$", item, re.MULTILINE)
    due_there = re.findall(rf"^\d+\. (.+?) · In Berlin {dates}$", site.text, re.MULTILINE)  # on their due line
    assert sorted(named + due_there) == ["Hannah Schmidt", "Noah Fischer", "Yael Cohen"]  # Isabella is paused
    to_all = re.search(r"^Write to all 3: (mailto:\S+)$", item, re.MULTILINE)
    assert to_all is not None
    assert sorted(to_all.group(1).split("?")[0].removeprefix("mailto:").split(",")) == [
        "hannah.schmidt@example.at", "noah.fischer@example.ch", "yael.cohen@example.co.il"
    ]  # fmt: skip
    assert quote(f"I'll be in Berlin {dates}", safe="") in to_all.group(1)
    assert sum(1 for c in data.contacts if c.city_key == trip.city_key) == 4


def test_the_reached_out_page_offers_the_other_links_the_same_on_every_load(site: Site) -> None:
    link = site.link(Action.REACHED_OUT)
    offered = alternatives(site.client, link)

    assert [a.claim.action for a in offered] == [Action.THEY_REACHED_OUT, Action.SNOOZE]
    assert [a.path for a in alternatives(site.client, link)] == [a.path for a in offered]  # deterministic
    for other in offered:  # bound like the digest's own: same person, digest and expiry
        assert (other.claim.contact_id, other.claim.digest) == (link.claim.contact_id, link.claim.digest)
        assert other.claim.expires_at == link.claim.expires_at
    assert snapshot() == site.baseline  # looking wrote nothing

    assert site.post(link.path, op="do").status_code == 200
    assert "Not quite?" not in site.get(link.path).get_data(as_text=True)  # done: the page offers its undo


# --- links of digests sent before the compact format ---------------------------------------------------------


def first_format(link: Link, key: bytes) -> str:
    """`link`'s claim as the first format carried it (JSON and a whole HMAC, docs/links.md), made here by hand:
    circleback no longer makes these, but digests sent before still carry them for 30 days."""
    c = link.claim
    payload: dict[str, str | int | None] = {"o": OWNER, "c": c.contact_id, "a": c.action.value, "d": c.digest}
    payload |= {"p": c.purpose.value, "i": int(c.issued_at.timestamp()), "e": int(c.expires_at.timestamp())}
    body = base64.urlsafe_b64encode(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode())
    text = body.rstrip(b"=").decode()
    mac = hmac.new(key, b"circleback/v1\n" + text.encode(), hashlib.sha256).digest()
    return f"{text}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def test_a_link_of_the_first_format_under_a_still_works_once(site: Site, signing_secret: Callable[[str], None]) -> None:
    key = "legacy-link-signing-key-" + "4" * 40
    signing_secret(key)
    link = site.link(Action.REACHED_OUT)
    old = "/a/" + first_format(link, key.encode())

    assert heading(site.get(old)) == heading(site.get(link.path))
    assert site.post(old, op="do").status_code == 200
    assert site.post(link.path, op="do").status_code == 200  # the same claim: already done, not twice
    assert len(link_touches(link)) == 1
    assert_refused(site.get("/a/" + flipped(first_format(link, key.encode()), 5)), 400, INVALID)


# --- the old team's lunch (issue 20) ------------------------------------------------------------------------

NORTHWIND_LONDON = {"Grace Liu", "Margaret Okafor", "Sarah Thompson"}


def team_touches() -> list[Touch]:
    data = repo().load_digest_input(OWNER)
    assert data is not None
    names = {c.id: c.name for c in data.contacts}
    return [t for t in data.touches if t.source == "link" and names[t.contact_id] in NORTHWIND_LONDON]


def lunches() -> list[tuple[str, bool]]:
    data = repo().load_digest_input(OWNER)
    assert data is not None
    return [(lunch.team, lunch.met) for lunch in data.lunches]


def test_the_team_lunch_link_shows_the_team_then_logs_a_meeting_with_each_once_and_undo_takes_it_back(
    site: Site,
) -> None:
    link = site.link(Action.GROUP_MET, None)

    shown = site.get(link.path)
    assert heading(shown) == "Lunch with the Northwind Analytics team"
    assert "Log a lunch with Grace, Margaret and Sarah" in page_text(shown) and snapshot() == site.baseline

    done = site.post(link.path, op="do", note="Dishoom, talked about the reorg")
    again = site.post(link.path, op="do")

    assert heading(done) == "Logged" and heading(again) == "Already logged"
    logged = team_touches()
    assert len(logged) == 3
    assert {(t.channel, t.direction, t.note, t.date) for t in logged} == {
        (Channel.MEETING, Direction.MUTUAL, "Dishoom, talked about the reorg", today())
    }
    assert lunches() == [("northwind analytics", True)]
    assert not NORTHWIND_LONDON & due_on(today())

    undone = site.post(link.path, op="undo")

    assert "Undone" in page_text(undone)
    assert team_touches() == [] and lunches() == []


def test_not_now_puts_the_team_lunch_off_for_60_days(site: Site) -> None:
    link = site.link(Action.GROUP_DISMISS, None)
    assert heading(site.get(link.path)) == "Not now for the Northwind Analytics team"

    response = site.post(link.path, op="do")

    assert heading(response) == "Not now" and lunches() == [("northwind analytics", False)]
    assert team_touches() == []
    for day, suggested in ((today() + timedelta(days=59), False), (today() + timedelta(days=60), True)):
        _, plan = preview(repo(), OWNER, day, PlanSettings(max_due=0))
        assert any(o.team == "northwind analytics" for o in plan.occasions) is suggested, day


def test_a_team_that_broke_up_makes_its_unused_link_gone(site: Site) -> None:
    link = site.link(Action.GROUP_MET, None)
    grace = next(c for c in repo().list_contacts(OWNER) if c.name == "Grace Liu")
    repo().save_contact(OWNER, replace(grace, city="Paris", city_key="geonames:2988507"))  # two are left: no team

    assert_refused(site.get(link.path), 410, "This team is no longer together in your city.")


def test_someone_in_your_city_has_met_up_first_on_their_page_and_others_email(site: Site) -> None:
    """Issue 20, at home: the owner lives in London; Olivia Bennett does too, Thomas Becker lives in Munich."""
    people = {c.name: c for c in repo().list_contacts(OWNER)}

    def channels(name: str) -> list[tuple[str, bool]]:
        token = runtime.signer().sign(
            OWNER, people[name].id, Action.REACHED_OUT, today().isoformat(), Purpose.ACTION, clock.now()
        )
        radios = PageShape(site.get(f"/{token}").get_data(as_text=True)).all("input")
        return [(r["value"], "checked" in r) for r in radios if r.get("name") == "channel"]

    assert channels("Olivia Bennett")[0] == ("meeting", True)
    assert channels(THOMAS)[0] == ("email", True)
    same = {value for value, _ in channels(THOMAS)}
    assert {value for value, _ in channels("Olivia Bennett")} == same  # the same choices, another order


# --- next steps (issue 19): follow-ups, the favour loop, reconnecting, sharing ------------------------------


def loops_of(name: str) -> tuple[Any, list[Touch]]:
    """The person, and their touches, as stored now."""
    person = next(c for c in repo().list_contacts(OWNER) if c.name == name)
    return person, repo().contact_with_touches(OWNER, person.id)[1]


def favour_of(name: str) -> Any:
    person = next(c for c in repo().list_contacts(OWNER) if c.name == name)
    return next(f for f in repo().list_favours(OWNER) if f.contact_id == person.id)


def test_the_demo_digest_has_a_follow_up_an_open_ask_and_a_share(site: Site) -> None:
    assert "Follow up with Daniel" in site.text and "how the payments launch went" in site.text
    assert "Check in with Marcus" in site.text and "Staff Engineer role at Globex" in site.text
    assert "WORTH SHARING" in site.text and "Org design at scale, ten years on" in site.text
    assert "Say thank you to Fatima" in site.text and "Tell Rahul how it turned out" in site.text
    assert "Now is the time to ask Kenji" in site.text
    first_due = site.text.split("DUE FOR A NOTE", 1)[1].split("\n1. ", 1)[1].split("\n", 1)[0]
    assert first_due == "Aisha Bello"  # reconnecting: first, though not the most overdue


def test_a_touch_link_s_page_offers_a_follow_up_and_logs_it(site: Site) -> None:
    link = site.link(Action.REACHED_OUT)
    radios = PageShape(site.get(link.path).get_data(as_text=True)).all("input")
    assert [r["value"] for r in radios if r.get("name") == "follow_up"] == ["0", "7", "14", "30"]

    site.post(link.path, op="do", channel="call", note="He is moving teams", follow_up="14", about="the new team")

    _, touches = loops_of(THOMAS)
    follow_up = touches[-1].follow_up
    assert follow_up is not None and (follow_up.on, follow_up.about) == (today() + timedelta(days=14), "the new team")
    _, plan = preview(repo(), OWNER, today() + timedelta(days=14), PlanSettings(max_due=0))
    assert [(s.contact.name, s.about) for s in plan.steps if s.contact.name == THOMAS] == [(THOMAS, "the new team")]


def test_done_dismisses_the_follow_up_once_and_undo_brings_it_back(site: Site) -> None:
    link = site.link(Action.FOLLOW_UP_DONE, "Daniel Kim")
    shown = site.get(link.path)
    assert heading(shown) == "Done following up with Daniel" and snapshot() == site.baseline

    assert heading(site.post(link.path, op="do")) == "Done"
    assert heading(site.post(link.path, op="do")) == "Already done"
    _, plan = preview(repo(), OWNER, today())
    assert all(s.contact.name != "Daniel Kim" for s in plan.steps)

    assert "Undone" in page_text(site.post(link.path, op="undo"))
    assert snapshot() == site.baseline


def test_they_helped_then_the_thanks_and_the_outcome_close_the_loop_and_move_them_to_tier_a(site: Site) -> None:
    helped = site.link(Action.HELPED, "Marcus Johnson")
    assert heading(site.get(helped.path)) == "Marcus helped"
    assert heading(site.post(helped.path, op="do")) == "Logged"
    assert favour_of("Marcus Johnson").helped_on == today()

    thanked = site.link(Action.THANKED, "Fatima Al-Sayed")
    assert heading(site.post(thanked.path, op="do")) == "Logged"
    fatima, touches = loops_of("Fatima Al-Sayed")
    assert touches[-1].purpose is TouchPurpose.THANKS and fatima.tier.value == "B"  # not told yet: stays B

    told = site.link(Action.TOLD, "Rahul Mehta")
    assert "closest circle" not in page_text(site.post(told.path, op="do"))  # tier A already: nothing to move
    rahul, touches = loops_of("Rahul Mehta")
    assert rahul.tier.value == "A" and touches[-1].purpose is TouchPurpose.OUTCOME
    assert favour_of("Rahul Mehta").told_on == today()

    # Fatima, thanked, is told how it turned out too (a link as a later digest would carry it): tier A now.
    token = runtime.signer().sign(OWNER, fatima.id, Action.TOLD, today().isoformat(), Purpose.ACTION, clock.now())
    assert "closest circle" in page_text(site.post(f"/{token}", op="do"))
    assert loops_of("Fatima Al-Sayed")[0].tier.value == "A"
    assert favour_of("Fatima Al-Sayed").promoted_from is not None
    assert "Undone" in page_text(site.post(f"/{token}", op="undo"))
    assert loops_of("Fatima Al-Sayed")[0].tier.value == "B"

    for link in (helped, thanked, told):
        assert "Undone" in page_text(site.post(link.path, op="undo"))
    assert unversioned(snapshot()) == unversioned(site.baseline)  # Fatima's tier went and came back: a new version


def test_i_asked_starts_the_favour_loop_from_the_reconnect_s_need(site: Site) -> None:
    link = site.link(Action.ASKED, "Kenji Watanabe")
    assert "an intro to the Rakuten platform team" in page_text(site.get(link.path))

    site.post(link.path, op="do")

    favour = favour_of("Kenji Watanabe")
    assert (favour.what, favour.asked_on) == ("an intro to the Rakuten platform team", today())
    assert [r.asked_on for r in repo().list_reconnects(OWNER) if r.contact_id == favour.contact_id] == [today()]
    _, plan = preview(repo(), OWNER, today())
    assert all(s.contact.name != "Kenji Watanabe" for s in plan.steps)

    site.post(link.path, op="undo")
    assert snapshot() == site.baseline


def test_shared_logs_a_note_of_the_item_once_and_leaves_them_out_of_sharing(site: Site) -> None:
    name = next(k.contact or "" for k in site.links if k.claim.action is Action.SHARED)
    link = site.link(Action.SHARED, name)
    assert "Org design at scale" in heading(site.get(link.path))

    site.post(link.path, op="do")
    site.post(link.path, op="do")

    _, touches = loops_of(name)
    shared = [t for t in touches if t.purpose is TouchPurpose.SHARE]
    assert len(shared) == 1 and "example.com/essays/org-design-at-scale" in (shared[0].note or "")
    _, plan = preview(repo(), OWNER, today())
    assert plan.share is None or name not in {c.name for c, _ in plan.share.contacts}  # not twice in six weeks


def test_a_step_link_with_nothing_left_to_do_is_gone(site: Site) -> None:
    link = site.link(Action.FOLLOW_UP_DONE, "Daniel Kim")
    daniel, _ = loops_of("Daniel Kim")
    repo().add_touch(
        OWNER,
        Touch(
            "later", daniel.id, today(), Direction.INBOUND, Channel.EMAIL, recorded_at=clock.now() + timedelta(hours=1)
        ),
    )

    assert_refused(site.get(link.path), 410, "This follow-up is closed already")


def unversioned(items: Snapshot) -> Snapshot:
    return [{k: v for k, v in item.items() if k != "version"} for item in items]


# --- new people you wrote to (issue 17) -----------------------------------------------------------------------

ADD_LINK = re.compile(r"http://127\.0\.0\.1:8000(/add/[A-Za-z0-9_-]{30,})(?![A-Za-z0-9_/.?-])")


def test_the_demo_digest_s_add_link_shows_then_adds_lena_once(site: Site) -> None:
    name, address = demo.SAMPLE_NEW_PERSON
    assert "NEW PEOPLE YOU WROTE TO" in site.text and f"{name} · {address}" in site.text
    (path,) = ADD_LINK.findall(site.text)
    before = snapshot()

    for _ in range(3):
        page = site.get(path)
        assert page.status_code == 200 and heading(page) == f"Add {name} to your contacts"
        assert site.head(path).status_code == 200
    assert snapshot() == before  # looking adds nobody

    first = site.post(path, op="do", name="Lena Fischer-Wolf")
    again = site.post(path, op="do", name="Someone Else")

    assert (heading(first), heading(again)) == ("Added", "Already added")
    added = [c for c in repo().list_contacts(OWNER) if c.email == address]
    assert [c.name for c in added] == ["Lena Fischer-Wolf"]
    refused = site.post(path, op="undo")
    assert "contacts remove" in html.unescape(refused.get_data(as_text=True))
    assert [c.email for c in repo().list_contacts(OWNER)].count(address) == 1
