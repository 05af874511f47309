"""Replying to the digest (issue 17, point 3): the digest's Reply-To is the logging address and its run keeps the
people it named; each line of the owner's reply is a command, about those people first; the next digest opens with
what the reply did and the lines it could not read; the same reply never runs twice, an old one not at all."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from circleback.adapters.store.repository import Repository
from circleback.auth.tokens import StaticKeyRing, TokenSigner
from circleback.domain.model import Channel, DigestRun, Direction, Owner, RunStatus
from circleback.domain.occasions import DEFAULT_OCCASION_FINDERS
from circleback.domain.planner import plan_digest
from circleback.formats.messages import read_message
from circleback.mail.links import DigestLinks
from circleback.mail.mime import build_message
from circleback.mail.render import render_digest
from circleback.services.inbound import take_in
from tests import factories
from tests.mail_messages import ANA, LOGGING, OWNER, digest_reply, message

LISBON_OWNER = Owner(id="owner", email=OWNER, timezone="Europe/Lisbon", country="PT", send_hour=7)
DIGEST_DAY = date(2026, 12, 1)  # the digest tests.mail_messages.digest_reply answers
REPLIED_AT = datetime(2026, 12, 1, 18, 40, tzinfo=UTC)  # the reply's Date
ana = factories.contact("Ana Souza", id="ana", email=ANA)
anabel = factories.contact("Anabel Ortiz", id="anabel")
bob = factories.contact("Bob Lee", id="bob")
bobby = factories.contact("Bobby Tran", id="bobby")
carla = factories.contact("Carla Méndez", id="carla")
LINES = "done ana\nbob coffee talked about the move\nthey wrote carla\nsnooze bob 2 weeks\npause bobby\nlunch soon?"


def seeded(repo: Repository) -> Repository:
    repo.put_owner(LISBON_OWNER)
    for contact in (ana, anabel, bob, bobby, carla):
        repo.add_contact(LISBON_OWNER.id, contact)
    run = DigestRun("owner", DIGEST_DAY, datetime(2026, 12, 1, 7, tzinfo=UTC), RunStatus.CLAIMED, "w", REPLIED_AT)
    assert repo.claim_run(run, run.send_at) == run
    assert repo.update_run(replace(run, status=RunStatus.SENT, people=("ana", "bob")), expected=RunStatus.CLAIMED)
    return repo


def reply(repo: Repository, lines: str = LINES, now: datetime = REPLIED_AT + timedelta(minutes=1)):  # type: ignore[no-untyped-def]
    return take_in(repo, LISBON_OWNER, [read_message(digest_reply(lines))], now, logging_address=LOGGING)


def test_each_line_of_a_reply_runs_once_about_the_digest_s_people_first(repo: Repository) -> None:
    seeded(repo)

    report = reply(repo)

    (ran,) = report.replies
    outcome = ran.outcome
    assert ran.ran_now and outcome.done == (
        "Logged that you reached out to Ana Souza (email).",  # "ana": the digest named Ana, not Anabel
        "Logged that you and Bob Lee were in touch (meeting): talked about the move.",  # Bob, not Bobby
        "Logged that Carla Méndez reached out to you (email).",
        "Snoozed Bob Lee through 2026-12-15.",
        "Paused Bobby Tran: out of rotation until you resume them.",
    )
    assert outcome.unread == (("lunch soon?", outcome.unread[0][1]),) and "not a command" in outcome.unread[0][1]
    data = repo.load_digest_input("owner")
    assert data is not None
    touches = sorted((t.contact_id, t.date, t.direction, t.channel, t.note, t.source) for t in data.touches)
    assert touches == [
        ("ana", DIGEST_DAY, Direction.OUTBOUND, Channel.EMAIL, None, "reply"),
        ("bob", DIGEST_DAY, Direction.MUTUAL, Channel.MEETING, "talked about the move", "reply"),
        ("carla", DIGEST_DAY, Direction.INBOUND, Channel.EMAIL, None, "reply"),
    ]
    people = {c.id: c for c in data.contacts}
    assert people["bob"].snoozed_until == date(2026, 12, 15) and people["bobby"].paused

    again = reply(repo)  # delivered again, or read again from a mailbox export
    assert [(r.outcome, r.ran_now) for r in again.replies] == [(outcome, False)] and again.skipped == []
    data_again = repo.load_digest_input("owner")
    assert data_again is not None and len(data_again.touches) == 3


def test_the_next_digest_opens_with_what_the_reply_did_and_only_that_one(repo: Repository) -> None:
    seeded(repo)
    reply(repo)
    data = repo.load_digest_input("owner")
    assert data is not None

    shown = [plan_digest(data, day, None, DEFAULT_OCCASION_FINDERS) for day in (DIGEST_DAY, date(2026, 12, 2),
                                                                                  date(2026, 12, 3))]  # fmt: skip

    assert [len(plan.replies) for plan in shown] == [0, 1, 0]  # the reply came after the 1st's digest
    text = render_digest(shown[1], LISBON_OWNER, _links()).text
    assert "YOUR REPLY" in text and "Snoozed Bob Lee through 2026-12-15." in text
    assert "“lunch soon?”: not a command" in text


def test_a_reply_with_only_unreadable_lines_still_gets_a_digest_to_say_so(repo: Repository) -> None:
    seeded(repo)
    reply(repo, "dinner with zed\nHi!")  # the greeting is passed over; the other line cannot be read
    data = repo.load_digest_input("owner")
    assert data is not None
    emptied = replace(data, contacts=[])  # nothing due, nothing coming: only the reply to answer

    plan = plan_digest(emptied, date(2026, 12, 2), None, DEFAULT_OCCASION_FINDERS)

    assert not plan.is_empty and plan.replies[0].unread[0][0] == "dinner with zed"


def test_an_old_reply_in_a_mailbox_backfill_is_not_run(repo: Repository) -> None:
    seeded(repo)

    report = reply(repo, now=REPLIED_AT + timedelta(days=15))

    assert report.replies == [] and "old digest" in report.skipped[0][1]
    data = repo.load_digest_input("owner")
    assert data is not None and data.touches == [] and data.replies == []


def test_a_reply_from_someone_else_is_not_a_command(repo: Repository) -> None:
    seeded(repo)
    raw = message(sender=f"Ana <{ANA}>", to=f"circleback <{LOGGING}>", extra="In-Reply-To: <digest-owner-2026-12-01@x>")

    report = take_in(repo, LISBON_OWNER, [read_message(raw)], REPLIED_AT, logging_address=LOGGING)

    assert report.replies == []
    data = repo.load_digest_input("owner")
    assert data is not None and all(t.source != "reply" for t in data.touches)


def test_the_digest_s_reply_to_is_the_logging_address(repo: Repository) -> None:
    seeded(repo)
    data = repo.load_digest_input("owner")
    assert data is not None
    plan = plan_digest(data, DIGEST_DAY, None, DEFAULT_OCCASION_FINDERS)
    digest = render_digest(plan, LISBON_OWNER, _links())
    common = {"sender": "d@circleback.example", "recipient": OWNER, "unsubscribe_url": "https://x.example/u",
              "message_id_domain": "circleback.example", "message_key": "digest-owner-2026-12-01",
              "date": REPLIED_AT}  # fmt: skip

    with_logging = build_message(digest, **common, reply_to=LOGGING)  # type: ignore[arg-type]
    without = build_message(digest, **common)  # type: ignore[arg-type]

    assert f"Reply-To: {LOGGING}" in with_logging.decode() and "Reply-To" not in without.decode()


def _links() -> DigestLinks:
    return DigestLinks(TokenSigner(StaticKeyRing(b"k" * 32)), "https://api.example.test", "owner", DIGEST_DAY,
                       datetime(2026, 12, 1, 7, tzinfo=UTC))  # fmt: skip


def test_mail_in_another_service_s_digest_thread_is_no_reply(repo: Repository) -> None:
    seeded(repo)
    raw = message(extra="In-Reply-To: <digest-weekly-2026-12-01@news.example>")  # the owner's note to Ana

    report = take_in(repo, LISBON_OWNER, [read_message(raw)], REPLIED_AT, logging_address=LOGGING)

    assert report.replies == [] and [m.contact for m in report.logged] == ["Ana Souza"]


def test_a_pause_never_checks_the_rest_of_the_contact_and_a_future_date_is_now(repo: Repository) -> None:
    seeded(repo)
    later = date(2026, 12, 20)  # an import since wrote a day after the reply's: a file's row would refuse it
    bobby_now = repo.get_contact("owner", "bobby")
    assert bobby_now is not None
    repo.save_contact("owner", replace(bobby_now, last_touch=later, first_seen=later))
    future = digest_reply("pause bobby").replace(b"Tue, 01 Dec 2026 18:40:00 +0000", b"Fri, 31 Dec 9999 23:00:00 -1200")

    report = take_in(repo, LISBON_OWNER, [read_message(future)], REPLIED_AT, logging_address=LOGGING)

    assert report.replies[0].outcome.done == ("Paused Bobby Tran: out of rotation until you resume them.",)
    paused = repo.get_contact("owner", "bobby")
    assert paused is not None and paused.paused and paused.last_touch == later
