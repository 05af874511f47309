"""Mail in (issue 17): messages as real clients write them, read into facts, and what each one means."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from circleback.domain.inbound import Mailboxes, meaning_of
from circleback.domain.mail_notices import address_book
from circleback.domain.model import Channel, Contact, Direction
from circleback.formats.messages import forwarded_date, messages_in, read_message
from tests.mail_messages import (
    ALIAS,
    ANA,
    FORWARDS,
    LOGGING,
    OWNER,
    TOM,
    attached_forward,
    digest_reply,
    forward,
    invitation,
    mbox,
    message,
)

LISBON = ZoneInfo("Europe/Lisbon")
ana = Contact(id="ana", name="Ana Souza", created_on=date(2026, 1, 1), email=ANA)
tom = Contact(id="tom", name="Tom Becker", created_on=date(2026, 1, 1), email="Tom.Becker@Example.DE")
BOXES = Mailboxes(frozenset({OWNER, ALIAS}), LOGGING, address_book([ana, tom]))


def meaning(raw: bytes, zone: ZoneInfo = LISBON):  # type: ignore[no-untyped-def]
    read = read_message(raw)
    assert read.facts is not None, read.problem
    return meaning_of(read.facts, BOXES, zone, datetime(2026, 12, 2, tzinfo=UTC))


def logged(raw: bytes) -> list[tuple[str, date, Direction, Channel]]:
    return [(i.contact.name, i.on, i.direction, i.channel) for i in meaning(raw).logged]


def test_a_note_to_contacts_is_an_outbound_touch_for_each_on_its_day_in_the_owner_s_zone() -> None:
    raw = message(to=f"Ana Souza <{ANA.upper()}>", cc=f"Tom <{TOM}>, Pat <pat@unknown.example>", bcc=LOGGING,
                  date="Tue, 01 Dec 2026 23:40:00 -0100")  # fmt: skip
    assert logged(raw) == [
        ("Ana Souza", date(2026, 12, 2), Direction.OUTBOUND, Channel.EMAIL),  # 00:40 in Lisbon: the 2nd
        ("Tom Becker", date(2026, 12, 2), Direction.OUTBOUND, Channel.EMAIL),
    ]
    assert meaning(raw).unknown == ("pat@unknown.example",)


def test_mail_from_an_alias_is_the_owner_s() -> None:
    assert logged(message(sender=f"Sam <{ALIAS}>")) == [("Ana Souza", date(2026, 12, 1), Direction.OUTBOUND,
                                                         Channel.EMAIL)]  # fmt: skip


@pytest.mark.parametrize("client", list(FORWARDS))
def test_a_forwarded_contact_s_message_is_an_inbound_touch_on_the_original_s_day(client: str) -> None:
    assert logged(forward(client)) == [("Ana Souza", date(2026, 11, 30), Direction.INBOUND, Channel.EMAIL)]


def test_an_attached_forward_is_read_from_its_own_headers() -> None:
    assert logged(attached_forward()) == [("Ana Souza", date(2026, 11, 23), Direction.INBOUND, Channel.EMAIL)]


def test_an_invitation_is_a_meeting_with_each_invited_contact_on_its_day() -> None:
    assert logged(invitation()) == [("Tom Becker", date(2026, 12, 10), Direction.MUTUAL, Channel.MEETING)]


def test_a_reply_to_the_digest_gives_its_own_lines_as_commands() -> None:
    found = meaning(digest_reply("done ana\nsnooze bob 2 weeks\n\n-- \nSam"))
    assert found.commands == ("done ana", "snooze bob 2 weeks") and not found.logged


def test_a_contact_s_mail_to_the_owner_is_an_inbound_touch() -> None:
    raw = message(sender=f"Ana <{ANA}>", to=f"Sam <{OWNER}>")
    assert logged(raw) == [("Ana Souza", date(2026, 12, 1), Direction.INBOUND, Channel.EMAIL)]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (message(sender="Mallory <mallory@evil.example>", to=f"<{ANA}>"), "neither you nor a contact"),
        (message(to="Pat <pat@unknown.example>"), "to nobody who is a contact"),
        (message(extra="Auto-Submitted: auto-replied"), "sent automatically"),
        (message(extra="List-Id: <news.example.org>"), "sent automatically"),
        (message(sender=f"Ana <{ANA}>", to="<list@example.org>"), "not to you"),
    ],
)
def test_anything_else_is_nothing_with_the_reason(raw: bytes, reason: str) -> None:
    found = meaning(raw)
    assert not found.logged and reason in (found.skipped or "")


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("Mon, Nov 30, 2026 at 9:12 AM", date(2026, 11, 30)),
        ("Mo., 30. Nov. 2026 um 09:12 Uhr", date(2026, 11, 30)),
        ("lun. 30 nov. 2026 à 09:12", date(2026, 11, 30)),
        ("Montag, 30. November 2026 um 09:12", date(2026, 11, 30)),
        ("lunes, 30 de noviembre de 2026 9:12", date(2026, 11, 30)),
        ("30.11.2026 09:12", date(2026, 11, 30)),
        ("someday", None),
    ],
)
def test_a_forwarded_block_s_date_is_read_in_the_languages_clients_write(written: str, day: date | None) -> None:
    found = forwarded_date(written)
    assert (found.date() if isinstance(found, datetime) else found) == day


def test_the_same_message_has_the_same_id_and_one_without_an_id_gets_a_stable_one() -> None:
    assert read_message(message()).facts.message_id == "CAF1234@mail.gmail.com"  # type: ignore[union-attr]
    raw = message(message_id="").replace(b"Message-ID: \r\n", b"")
    first, second = read_message(raw).facts, read_message(raw).facts
    assert first is not None and second is not None and first.message_id == second.message_id


def test_an_mbox_is_read_one_message_at_a_time_with_its_quoted_from_lines(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "All mail Including Spam and Trash.mbox"
    body = "Hi Ana,\n\nFrom what I hear, the offsite is on.\n"
    path.write_bytes(mbox(message(body=body), message(message_id="<two@x>", to=f"<{TOM}>")))
    found = list(messages_in([tmp_path]))
    assert [r.facts.message_id for r in found if r.facts] == ["CAF1234@mail.gmail.com", "two@x"]


HOSTILE = [
    b"",
    b"\x00\xff\xfe garbage",
    b"From: =?utf-8?B?!!!?= <a@b>\r\nTo: ,,,,<<>>\r\nDate: 99 Foo 99999 99:99\r\n\r\nx",
    b"Subject: =?x-unknown?Q?=FF?=\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\n\xff\xfe",
    b"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
    + b"--b\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" * 50,
    b"Content-Type: message/rfc822\r\n\r\n" * 30 + b"From: a@b\r\n\r\nx",
]


@pytest.mark.parametrize("raw", HOSTILE)
def test_hostile_mime_never_raises(raw: bytes) -> None:
    read = read_message(raw)
    if read.facts is not None:
        meaning_of(read.facts, BOXES, LISBON)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_at_all_never_raise(raw: bytes) -> None:
    read = read_message(b"From: " + raw)
    if read.facts is not None:
        meaning_of(read.facts, BOXES, LISBON)


def test_an_oversized_message_is_not_read() -> None:
    read = read_message(message(body="x" * (11 * 1024 * 1024)))
    assert read.facts is None and "MB" in (read.problem or "")


# --- new people you wrote to ----------------------------------------------------------------------------------


def test_the_name_beside_an_address_comes_along_as_mail_clients_write_it() -> None:
    from circleback.formats.messages import names_in

    headers = ['"Lee, Pat" <Pat.Lee@Example.org>, =?UTF-8?B?SsO8cmdlbg==?= <j@x.de>', "bo@y.example, 'Al' <al@z.io>"]
    read = read_message(message(to=headers[0], cc=headers[1]))
    assert read.facts is not None
    assert dict(read.facts.names) == {"pat.lee@example.org": "Lee, Pat", "j@x.de": "Jürgen", "al@z.io": "Al"}
    assert names_in(["<a@b.c>", "a@b.c (A)"]) == (("a@b.c", "A"),)


@pytest.mark.parametrize(
    ("address", "offered"),
    [("pat@example.org", True), ("no-reply@shop.example", False), ("noreply+x@a.io", False),
     ("notifications@github.com", False), ("MAILER-DAEMON@mx.example", False), ("replyall@x.io", True)],
)  # fmt: skip
def test_a_system_s_address_is_never_offered(address: str, offered: bool) -> None:
    from circleback.domain.mail_notices import worth_offering

    assert worth_offering(address, date(2026, 12, 1), date(2026, 12, 1)) is offered


@given(
    st.datetimes(datetime(2024, 1, 1), datetime(2099, 1, 1), timezones=st.just(UTC)),
    st.sampled_from(["Europe/Lisbon", "America/New_York", "Pacific/Kiritimati"]),
    st.integers(0, 23),
)
def test_someone_written_to_is_offered_once_by_the_first_digest_after_circleback_learned_of_them(
    noted_at: datetime, zone: str, send_hour: int
) -> None:
    from datetime import timedelta

    from circleback.domain.mail_notices import new_people, new_person_key
    from circleback.domain.model import NewPerson, Owner

    owner = Owner(id="o", email=OWNER, aliases=(ALIAS,), timezone=zone, send_hour=send_hour, logging_address=LOGGING)
    local = noted_at.astimezone(ZoneInfo(zone)).date()
    days = [local + timedelta(days=offset) for offset in range(-2, 4)]

    def offering(address: str, book: dict[str, Contact]) -> list[date]:
        person = NewPerson(new_person_key(address), address, local - timedelta(days=5), noted_at)  # a backfill's
        return [day for day in days if new_people([person], book, day, owner)]

    assert len(offering("pat@example.org", {})) == 1  # found by a backfill today: offered by the next digest
    assert offering("pat@example.org", {"pat@example.org": ana}) == []  # a contact by then: never
    for own in (OWNER, ALIAS, LOGGING):
        assert offering(own, {}) == []  # the owner's own addresses and the logging one: never


def test_a_digest_offers_at_most_five_the_latest_written_to_first() -> None:
    from datetime import timedelta

    from circleback.domain.mail_notices import MAX_NEW_PEOPLE, new_people, new_person_key
    from circleback.domain.model import NewPerson, Owner

    day = date(2026, 12, 1)
    noted = datetime(2026, 12, 1, 12, tzinfo=UTC)
    people = [NewPerson(new_person_key(f"p{i}@x.io"), f"p{i}@x.io", day - timedelta(days=i % 3), noted)
              for i in range(9)]  # fmt: skip

    shown = new_people(people, {}, day + timedelta(days=1), Owner(id="o", timezone="UTC", send_hour=7))

    assert len(shown) == MAX_NEW_PEOPLE and [p.last_written for p in shown] == sorted(
        (p.last_written for p in shown), reverse=True
    )


def test_a_kept_address_is_one_a_contact_could_hold() -> None:
    from circleback.domain.mail_notices import is_address

    assert is_address("pat.lee@example.org")
    for bad in ('"a,b"@x.com', "pat@localhost", "a\\b@x.com", "a b@x.com", "@x.com", "pat@", "a@b@c.com"):
        assert not is_address(bad), bad
