"""New people you wrote to (issue 17, point 2): the addresses the owner writes to that are no contact's are kept,
offered in the next digest with an "Add" link, and added once; GET never adds."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from circleback.adapters.store.repository import Repository
from circleback.auth.tokens import Action, Purpose, StaticKeyRing, TokenSigner
from circleback.domain.mail_notices import new_person_key
from circleback.domain.model import Contact, Owner
from circleback.domain.occasions import DEFAULT_OCCASION_FINDERS
from circleback.domain.planner import plan_digest
from circleback.formats.messages import read_message
from circleback.mail.links import DigestLinks
from circleback.mail.render import render_digest
from circleback.services.actions import ActionLinks, Choice, LinkGone, UndoRefused
from circleback.services.inbound import take_in
from tests.mail_messages import ANA, LOGGING, OWNER, message

LISBON_OWNER = Owner(id="owner", email=OWNER, timezone="Europe/Lisbon", country="PT", send_hour=7)
SENT = datetime(2026, 12, 1, 18, 40, tzinfo=UTC)  # tests.mail_messages.message's Date
NEXT_DIGEST = date(2026, 12, 2)
PAT = "pat.lee@example.org"
KEYS = StaticKeyRing(b"k" * 32)
ana = Contact(id="ana", name="Ana Souza", created_on=date(2026, 1, 1), email=ANA)


@pytest.fixture
def owned(repo: Repository) -> Repository:
    repo.put_owner(LISBON_OWNER)
    repo.add_contact("owner", ana)
    return repo


def mail(repo: Repository, raw: bytes, now: datetime = SENT, *, dry_run: bool = False) -> None:
    take_in(repo, LISBON_OWNER, [read_message(raw)], now, logging_address=LOGGING, dry_run=dry_run)


def offered(repo: Repository, day: date = NEXT_DIGEST) -> list[tuple[str, str | None, date]]:
    data = repo.load_digest_input("owner")
    assert data is not None
    plan = plan_digest(data, day, None, DEFAULT_OCCASION_FINDERS)
    return [(p.address, p.name, p.last_written) for p in plan.new_people]


def test_who_the_owner_wrote_to_is_offered_the_next_day_with_the_name_their_mail_gave(owned: Repository) -> None:
    raw = message(cc=f'"Lee, Pat" <{PAT.upper()}>, noreply@shop.example', bcc=LOGGING)
    mail(owned, message(cc=f"{PAT}", date="Mon, 30 Nov 2026 09:00:00 +0000", message_id="<old@x>"))
    assert offered(owned, date(2026, 12, 1)) == []  # read after the 1st's digest (as a backfill would)
    assert offered(owned) == [(PAT, None, date(2026, 11, 30))]  # so the next one offers them

    mail(owned, raw)
    mail(owned, raw)  # the same message again: nothing new
    mail(owned, message(cc=f"{PAT}", date="Sun, 29 Nov 2026 09:00:00 +0000", message_id="<older@x>"))

    assert offered(owned) == [(PAT, "Lee, Pat", date(2026, 12, 1))]  # a system's address and the logging one: never
    assert offered(owned, date(2026, 12, 3)) == []  # offered once: written to again, offered again
    (kept,) = owned.load_digest_input("owner").new_people  # type: ignore[union-attr]
    assert kept.noted_at == SENT  # the later message's, which made the change


def test_a_dry_run_and_mail_older_than_two_weeks_keep_nobody(owned: Repository) -> None:
    mail(owned, message(cc=PAT), dry_run=True)
    mail(owned, message(cc=PAT, message_id="<2@x>"), now=SENT + timedelta(days=15))
    assert owned.load_digest_input("owner").new_people == []  # type: ignore[union-attr]


def test_the_add_link_shows_without_adding_then_adds_once(owned: Repository) -> None:
    mail(owned, message(cc=f"Pat Lee <{PAT}>"))
    links = ActionLinks(owned, TokenSigner(KEYS), "owner")
    now = datetime(2026, 12, 2, 9, tzinfo=UTC)
    token = DigestLinks(TokenSigner(KEYS), "https://x.test", "owner", NEXT_DIGEST, now).add_url(new_person_key(PAT))
    token = token.rsplit("/", 1)[1]

    shown = links.open(token, Purpose.ADD, now)
    assert shown.record is None and shown.new_person is not None and shown.new_person.name == "Pat Lee"
    assert [c.id for c in owned.list_contacts("owner")] == ["ana"]  # looking adds nobody

    done, did = links.perform(token, Purpose.ADD, Choice(name="Patricia Lee"), now)
    again, did_again = links.perform(token, Purpose.ADD, Choice(name="Someone Else"), now)

    assert did and not did_again and done.contact is not None and again.contact is not None
    (added,) = [c for c in owned.list_contacts("owner") if c.id != "ana"]
    assert (added.name, added.email, added.last_touch) == ("Patricia Lee", PAT, date(2026, 12, 1))
    assert again.contact.id == added.id and again.record is not None and again.record.action == Action.ADD
    assert offered(owned) == []  # a contact now, and no longer kept
    with pytest.raises(UndoRefused, match="contacts remove"):
        links.undo(token, Purpose.ADD, now)


def test_an_add_link_is_gone_once_the_address_is_a_contact_or_forgotten(owned: Repository) -> None:
    mail(owned, message(cc=PAT))
    links = ActionLinks(owned, TokenSigner(KEYS), "owner")
    now = datetime(2026, 12, 2, 9, tzinfo=UTC)

    def token(address: str) -> str:
        url = DigestLinks(TokenSigner(KEYS), "https://x.test", "owner", NEXT_DIGEST, now).add_url(
            new_person_key(address)
        )
        return url.rsplit("/", 1)[1]

    known = owned.get_contact("owner", "ana")
    assert known is not None
    owned.save_contact("owner", replace(known, other_emails=(PAT,)))
    with pytest.raises(LinkGone, match="Ana Souza has this address already"):
        links.perform(token(PAT), Purpose.ADD, Choice(), now)
    with pytest.raises(LinkGone, match="no longer offered"):
        links.open(token("nobody@example.org"), Purpose.ADD, now)
    assert offered(owned) == []  # Ana has the address: not offered either


def test_the_digest_offers_them_with_an_add_link_in_both_parts(owned: Repository) -> None:
    mail(owned, message(cc=f"Pat Lee <{PAT}>"))
    data = owned.load_digest_input("owner")
    assert data is not None
    plan = plan_digest(data, NEXT_DIGEST, None, DEFAULT_OCCASION_FINDERS)
    links = DigestLinks(TokenSigner(KEYS), "https://x.test", "owner", NEXT_DIGEST, datetime(2026, 12, 2, 7, tzinfo=UTC))

    digest = render_digest(plan, LISBON_OWNER, links)

    url = links.add_url(new_person_key(PAT))
    assert "NEW PEOPLE YOU WROTE TO" in digest.text and f"Add: {url}" in digest.text
    assert "New people you wrote to" in digest.html and f'href="{url}"' in digest.html and len(url) <= 100 - 16


def test_a_contact_of_the_same_name_is_not_added_twice(owned: Repository) -> None:
    owned.add_contact("owner", Contact(id="pat", name="Pat Lee", created_on=date(2026, 1, 1)))  # from LinkedIn
    mail(owned, message(cc=f"Pat Lee <{PAT}>"))
    links = ActionLinks(owned, TokenSigner(KEYS), "owner")
    now = datetime(2026, 12, 2, 9, tzinfo=UTC)
    url = DigestLinks(TokenSigner(KEYS), "https://x.test", "owner", NEXT_DIGEST, now).add_url(new_person_key(PAT))

    with pytest.raises(LinkGone, match=re.escape(f"contacts edit 'Pat Lee' --other-emails {PAT}")):
        links.perform(url.rsplit("/", 1)[1], Purpose.ADD, Choice(), now)
    assert [c.name for c in owned.list_contacts("owner")].count("Pat Lee") == 1
