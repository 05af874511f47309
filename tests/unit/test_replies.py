"""A reply to the digest, read line by line (domain/replies.py): the issue's examples, the digest's people first,
and every line it cannot read named with the reason."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from circleback.domain.model import Channel, Contact, Direction
from circleback.domain.replies import Command, Unread, Verb, read_reply

TODAY = date(2026, 12, 4)


def person(contact_id: str, name: str) -> Contact:
    return Contact(id=contact_id, name=name, created_on=date(2026, 1, 1))


ana, carla, bob = person("ana", "Ana Souza"), person("carla", "Carla Méndez"), person("bob", "Bob Lee")
anabel, bobby = person("anabel", "Anabel Ortiz"), person("bobby", "Bobby Tran")
EVERYONE = [ana, carla, bob, anabel, bobby]
DIGEST = [ana, carla, bob]


def one(line: str, digest: list[Contact] = DIGEST) -> Command | Unread:
    (read,) = read_reply([line], digest, EVERYONE, TODAY)
    return read


def test_the_issue_s_four_examples() -> None:
    assert one("done ana") == Command("done ana", Verb.TOUCH, ana, Direction.OUTBOUND, Channel.EMAIL)
    assert one("ana coffee talked about the move") == Command(
        "ana coffee talked about the move", Verb.TOUCH, ana, Direction.MUTUAL, Channel.MEETING, "talked about the move"
    )
    assert one("they wrote carla") == Command("they wrote carla", Verb.TOUCH, carla, Direction.INBOUND)
    assert one("snooze bob 2 weeks") == Command("snooze bob 2 weeks", Verb.SNOOZE, bob, until=TODAY + timedelta(14))


@pytest.mark.parametrize(
    ("line", "contact", "direction", "channel", "note"),
    [
        ("Done Ana call went well", ana, Direction.OUTBOUND, Channel.CALL, "went well"),
        ("reached out to nobody", None, None, None, None),
        ("Carla replied", carla, Direction.INBOUND, Channel.EMAIL, None),
        ("carla méndez wrote thanks for the intro", carla, Direction.INBOUND, Channel.EMAIL, "thanks for the intro"),
        ("they called Bob Lee", bob, Direction.INBOUND, Channel.CALL, None),
        ("Ana Souza lunch", ana, Direction.MUTUAL, Channel.MEETING, None),
        ("bob phone call about the role", bob, Direction.OUTBOUND, Channel.CALL, "about the role"),
        ("  done   CARLA  ", carla, Direction.OUTBOUND, Channel.EMAIL, None),
    ],
)
def test_lines_as_people_write_them(
    line: str, contact: Contact | None, direction: Direction | None, channel: Channel | None, note: str | None
) -> None:
    read = one(line)
    if contact is None:
        assert isinstance(read, Unread)
        return
    assert isinstance(read, Command)
    assert (read.contact, read.direction, read.channel, read.note) == (contact, direction, channel, note)


def test_the_digest_s_people_come_first() -> None:
    marsh = person("marsh", "Bob Marsh")
    everyone = [*EVERYONE, marsh]

    def read(line: str, digest: list[Contact]) -> Contact | None:
        (found,) = read_reply([line], digest, everyone, TODAY)
        return found.contact if isinstance(found, Command) else None

    assert read("done bob", [bob]) == bob and read("done bob", [marsh]) == marsh  # "bob": whom the digest named
    assert read("done bob lee", [marsh]) == bob  # the whole name wins over the digest's "bob"
    assert read("done bob", []) is None  # two Bobs, neither in the digest: which?


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("done zed", "no contact named 'zed'"),
        ("snooze bob forever", "a snooze needs how long"),
        ("snooze bob 400 days", "a snooze ends from today to 365 days from now"),
        ("can we talk tomorrow?", "not a command"),
        ("bob", "no way of being in touch named after Bob Lee"),
        ("done an", "no contact named 'an'"),  # never the start of a name: whole words only
        ("done", "not a command"),
    ],
)
def test_a_line_it_cannot_read_says_why(line: str, reason: str) -> None:
    read = one(line, digest=[])
    assert isinstance(read, Unread) and read.line == line and reason in read.reason


def test_greetings_sign_offs_and_signatures_are_passed_over() -> None:
    lines = ["Hi,", "done ana", "Thanks!", "Best regards", "Sent from my iPhone", "Von meinem iPhone gesendet"]
    assert [r.line for r in read_reply(lines, DIGEST, EVERYONE, TODAY)] == ["done ana"]


@given(st.dates(date(2024, 1, 1), date(2100, 1, 1)), st.integers(1, 52), st.sampled_from(["w", "week", "weeks"]))
def test_a_snooze_ends_that_many_weeks_on_whatever_the_day(today: date, weeks: int, unit: str) -> None:
    (read,) = read_reply([f"snooze bob {weeks} {unit}"], DIGEST, EVERYONE, today)
    assert isinstance(read, Command) and read.until == today + timedelta(weeks=weeks)


@given(st.dates(date(2024, 1, 1), date(2100, 1, 1)), st.integers(-30, 400))
def test_a_snooze_until_a_day_is_taken_only_within_a_year(today: date, offset: int) -> None:
    until = today + timedelta(days=offset)
    (read,) = read_reply([f"snooze bob until {until.isoformat()}"], DIGEST, EVERYONE, today)
    assert isinstance(read, Command) == (0 <= offset <= 365)


def test_a_name_is_whole_words_never_the_start_of_one() -> None:
    tom, ivan = person("tom", "Tom Baker"), person("ivan", "Ivan Petrov")
    callahan, ana_lima = person("callahan", "Ana Callahan"), person("lima", "Ana Lima")
    everyone = [*EVERYONE, tom, ivan, callahan, ana_lima]

    def read(line: str, digest: list[Contact]) -> Command | Unread:
        (found,) = read_reply([line], digest, everyone, TODAY)
        return found

    reached = read("reached out to Ana", [tom, ana])
    assert isinstance(reached, Command) and (reached.contact, reached.note) == (ana, None)  # "to" is not Tom
    assert isinstance(read("I called Ana", [ivan, ana]), Unread)  # "I" is not Ivan
    call = read("done ana call", [ana])
    assert isinstance(call, Command) and (call.contact, call.channel) == (ana, Channel.CALL)  # not Ana Callahan
    comma = read("done Ana, call", [ana])
    assert isinstance(comma, Command) and (comma.contact, comma.channel) == (ana, Channel.CALL)
    met = read("done ana coffee", [ana])
    assert isinstance(met, Command) and (met.direction, met.channel) == (Direction.MUTUAL, Channel.MEETING)
    both = read("done ana", [])
    assert isinstance(both, Unread) and "could be Ana Callahan or Ana Lima or Ana Souza" in both.reason
    by_address = read("done ana.souza@example.com", [])
    assert isinstance(by_address, Unread)  # no address on file here; with one, an address names them


def test_an_address_names_a_contact_by_any_of_theirs() -> None:
    with_addresses = person("ana", "Ana Souza")
    with_addresses = Contact(id="ana", name="Ana Souza", created_on=date(2026, 1, 1), email="ana@x.io",
                             other_emails=("a.souza@home.example",))  # fmt: skip
    (read,) = read_reply(["they wrote A.Souza@home.example"], [], [with_addresses, bob], TODAY)
    assert isinstance(read, Command) and read.contact == with_addresses


@given(
    st.datetimes(datetime(2024, 1, 1), datetime(2099, 1, 1), timezones=st.just(UTC)),
    st.sampled_from(["Europe/Lisbon", "America/New_York", "Pacific/Kiritimati", "Asia/Kolkata"]),
    st.integers(0, 23),
)
def test_a_reply_is_shown_by_exactly_one_daily_digest_the_first_sent_after_it_ran(
    ran_at: datetime, zone: str, send_hour: int
) -> None:
    from circleback.domain.mail_notices import replies_shown
    from circleback.domain.model import Owner, ReplyOutcome

    owner = Owner(id="o", timezone=zone, send_hour=send_hour)
    reply = ReplyOutcome("r", ran_at)
    local = ran_at.astimezone(ZoneInfo(zone)).date()
    days = [local + timedelta(days=offset) for offset in range(-2, 4)]

    showing = [day for day in days if replies_shown([reply], day, owner)]

    assert len(showing) == 1
    sent = datetime.combine(showing[0], time(send_hour), ZoneInfo(zone))
    assert ran_at < sent <= ran_at + timedelta(days=1, hours=1)  # the next send (a day is 23 to 25 hours)
