"""`circleback mail FILE...` on the local store (issue 17): .eml files, a Google Takeout mbox and folders, each
message logged once however often it is read, `--json` as the issue fixes it, `--dry-run` writing nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from circleback.domain.model import Direction
from tests.integration.test_cli_daily import run, stored
from tests.mail_messages import ANA, OWNER, TOM, forward, invitation, mbox, message


@pytest.fixture
def store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    assert run(capsys, "use", "--local")[0] == 0
    assert run(capsys, "settings", "set", "--email", OWNER, "--timezone", "Europe/Lisbon")[0] == 0
    for name, email in (("Ana Souza", ANA), ("Tom Becker", TOM)):
        assert run(capsys, "contacts", "add", name, "--email", email, "--tier", "B")[0] == 0
    return tmp_path


def mail(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    code, out, err = run(capsys, "mail", "--json", *argv)
    assert code == 0, err
    parsed: dict[str, Any] = json.loads(out)
    return parsed


def test_mail_files_log_touches_once_with_the_json_the_issue_fixes(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sent = store / "sent.eml"
    sent.write_bytes(message(cc="Pat <pat@unknown.example>"))
    forwarded = store / "forwarded.eml"
    forwarded.write_bytes(forward("gmail_de"))

    first = mail(capsys, str(sent), str(forwarded))

    assert first == {
        "logged": [
            {"contact": "Ana Souza", "email": ANA, "date": "2026-12-01", "direction": "outbound", "channel": "email",
             "message_id": "CAF1234@mail.gmail.com"},
            {"contact": "Ana Souza", "email": ANA, "date": "2026-11-30", "direction": "inbound", "channel": "email",
             "message_id": "fwd-1@example.com"},
        ],
        "skipped": [],
        "unknown": ["pat@unknown.example"],
    }  # fmt: skip
    touches = stored().touches
    assert sorted((t.date.isoformat(), t.direction, t.source, t.note) for t in touches) == [
        ("2026-11-30", Direction.INBOUND, "mail", None),
        ("2026-12-01", Direction.OUTBOUND, "mail", None),  # no words of the message are kept
    ]
    mail(capsys, str(sent), str(forwarded))
    assert len(stored().touches) == 2  # the same messages again: nothing more


def test_a_google_takeout_mbox_backfills_mail_both_ways(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    takeout = store / "Takeout" / "Mail"
    takeout.mkdir(parents=True)
    (takeout / "All mail Including Spam and Trash.mbox").write_bytes(
        mbox(
            message(),
            message(sender=f"Tom <{TOM}>", to=f"<{OWNER}>", message_id="<t1@x>", date="Wed, 25 Nov 2026 10:00 +0100"),
            message(sender="news@shop.example", to=f"<{OWNER}>", message_id="<n1@x>", extra="List-Id: <deals>"),
            invitation(),
        )
    )

    found = mail(capsys, str(store / "Takeout"))

    assert [(e["contact"], e["direction"], e["channel"], e["date"]) for e in found["logged"]] == [
        ("Ana Souza", "outbound", "email", "2026-12-01"),
        ("Tom Becker", "inbound", "email", "2026-11-25"),
        ("Tom Becker", "mutual", "meeting", "2026-12-10"),
    ]
    assert [s["message_id"] for s in found["skipped"]] == ["n1@x"]
    assert "someone@else.example" not in found["unknown"]  # invited, not written to


def test_a_dry_run_writes_nothing_and_the_subject_is_kept_only_when_asked(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sent = store / "sent.eml"
    sent.write_bytes(message())
    assert len(mail(capsys, "--dry-run", str(sent))["logged"]) == 1
    assert stored().touches == []

    assert run(capsys, "settings", "set", "--mail-subjects", "on")[0] == 0
    mail(capsys, str(sent))
    assert [t.note for t in stored().touches] == ["Coffee next week?"]


def test_a_missing_file_is_named(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "mail", str(store / "nope.mbox"))
    assert code != 0 and "nope.mbox" in err and "Traceback" not in err


def test_a_contact_is_matched_by_any_of_their_addresses_in_any_case(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # An iPhone card with a work and a home address (vCard 3.0, as iOS exports it): both are Lena's.
    card = store / "lena.vcf"
    card.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Schmidt;Lena;;;\r\nFN:Lena Schmidt\r\n"
        "item1.EMAIL;type=INTERNET;type=WORK;type=pref:lena@work.example\r\n"
        "item2.EMAIL;type=INTERNET;type=HOME:lena.s@home.example\r\nEND:VCARD\r\n",
        encoding="utf-8",
    )
    assert run(capsys, "import", str(card))[0] == 0
    assert run(capsys, "contacts", "edit", "Tom", "--other-emails", "tom@old.example; T.B@Private.example")[0] == 0
    code, out, _ = run(capsys, "contacts", "show", "Tom", "--json")
    assert code == 0 and json.loads(out)["other_emails"] == ["tom@old.example", "T.B@Private.example"]

    to_home = store / "home.eml"
    to_home.write_bytes(message(to="Lena <LENA.S@HOME.EXAMPLE>", cc="t.b@private.example", message_id="<h@x>"))
    logged = mail(capsys, str(to_home))["logged"]

    assert [(m["contact"], m["email"]) for m in logged] == [
        ("Lena Schmidt", "lena.s@home.example"),
        ("Tom Becker", "t.b@private.example"),
    ]
    assert run(capsys, "contacts", "edit", "Tom", "--other-emails", "")[0] == 0
    code, out, _ = run(capsys, "contacts", "show", "Tom", "--json")
    assert json.loads(out)["other_emails"] == []
