"""A reply to the digest, read line by line (domain/replies.py): the issue's examples, the digest's people first,
and every line it cannot read named with the reason."""

from __future__ import annotations

from datetime import date, timedelta

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
    # "ana" is Ana Souza in a digest that named her, though "ana" also starts Anabel Ortiz's name.
    assert isinstance(read := one("done ana"), Command) and read.contact == ana
    assert isinstance(read := one("done bob", digest=[bobby]), Command) and read.contact == bobby
    assert isinstance(read := one("done bob lee", digest=[bobby]), Command) and read.contact == bob


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("done zed", "no contact named 'zed'"),
        ("snooze bob forever", "a snooze needs how long"),
        ("snooze bob 400 days", "a snooze ends from today to 365 days from now"),
        ("can we talk tomorrow?", "not a command"),
        ("bob", "no way of being in touch named after Bob Lee"),
        ("done an", "could be Ana Souza or Anabel Ortiz"),
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
