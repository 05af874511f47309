"""`circleback calendar` (a feed file, a subscription link, revocation) and `circleback event add | list | remove`."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import icalendar
import pytest

from circleback.adapters import stack
from circleback.adapters.secrets import SecretsManagerKeyRing
from circleback.adapters.store.repository import Repository
from circleback.auth.tokens import RevokedToken, TokenSigner
from circleback.cli import main
from circleback.domain.model import EventKind, Owner
from circleback.local.emulator import LOCAL_REGION, LOCAL_TABLE, embedded_repository
from circleback.services.calendar_feed import CalendarFeed
from circleback.services.importing import import_contacts, import_events
from circleback.services.preview import preview_view, view_as_dict
from tests.paths import ROOT

OWNER = "owner"
ZONE = "America/New_York"
SAMPLES = ROOT / "samples"
SECRET = "circleback-signing-key"
API = "https://abc123.execute-api.us-east-1.amazonaws.com"


def today() -> date:
    return datetime.now(ZoneInfo(ZONE)).date()


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Iterator[Repository]:
    """The deployed table, emulated: the owner, the sample contacts and the signing secret."""
    with embedded_repository() as repo:
        monkeypatch.setenv("CIRCLEBACK_TABLE", LOCAL_TABLE)
        monkeypatch.setattr("circleback.cli.targets.table_repository", lambda name: Repository(name, repo.client))
        repo.put_owner(Owner(id=OWNER, email="you@example.com", timezone=ZONE, country="US"))
        import_contacts(repo, OWNER, (SAMPLES / "contacts.csv").read_text(encoding="utf-8"), today())
        secrets_client = boto3.client("secretsmanager", region_name=LOCAL_REGION)
        secrets_client.create_secret(Name=SECRET, SecretString=secrets.token_urlsafe(48))
        yield repo


@pytest.fixture
def deployed(table: Repository, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """CloudFormation's answer for the stack; the list collects the stack names asked for."""
    asked: list[str] = []

    def outputs(stack_name: str, *names: str, client: Any = None) -> dict[str, str]:
        asked.append(stack_name)
        known = {stack.TABLE_OUTPUT: LOCAL_TABLE, stack.API_URL_OUTPUT: API, stack.SIGNING_SECRET_OUTPUT: SECRET}
        return {name: known[name] for name in names}

    monkeypatch.setattr(stack, "stack_outputs", outputs)
    return asked


def exit_code(argv: list[str]) -> int:
    """main's exit status, including argparse's own (it exits for a value its type refuses)."""
    try:
        return main(argv)
    except SystemExit as exit:
        return int(str(exit.code))


def events_in(path: Path) -> list[icalendar.Event]:
    return icalendar.Calendar.from_ical(path.read_bytes()).events


# --- calendar --out -----------------------------------------------------------------------------------------


def test_a_feed_file_from_csv_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "circleback.ics"
    argv = ["calendar", "--out", str(out), "--contacts", str(SAMPLES / "contacts.csv")]
    argv += ["--touches", str(SAMPLES / "touches.csv"), "--from", "2026-11-22", "--days", "365", "--country", "US"]
    assert main(argv) == 0
    events = events_in(out)
    err = capsys.readouterr().err
    assert f"{len(events)} events from 2026-11-22 to 2027-11-21 in {out}" in err
    assert all(date(2026, 11, 22) <= e.start <= date(2027, 11, 21) for e in events)
    holidays = {str(e.summary).split(":")[0] for e in events if str(e.categories[0]) == "holiday"}
    assert {"Thanksgiving", "Christmas Day", "New Year's Day"} <= holidays


def test_a_feed_file_from_the_deployed_table_and_to_standard_output(
    table: Repository, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    out = tmp_path / "feed.ics"
    assert main(["calendar", "--out", str(out), "--days", "30"]) == 0
    capsysbinary.readouterr()
    assert main(["calendar", "--out", "-", "--days", "30"]) == 0
    printed = capsysbinary.readouterr().out
    # The same events either way (DTSTAMP, the moment of writing, may differ by a second).
    assert [str(e.uid) for e in icalendar.Calendar.from_ical(printed).events] == [str(e.uid) for e in events_in(out)]
    assert all(today() <= e.start < today() + timedelta(days=30) for e in events_in(out))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["calendar"], "--out FILE.ics"),
        (["calendar", "--out", "x.ics", "--touches", "t.csv"], "--touches goes with --contacts"),
        (["calendar", "--out", "x.ics", "--contacts", "missing.csv"], "missing.csv: no such file"),
        (["calendar", "--out", "x.ics", "--owner", "nobody"], "no owner 'nobody'"),
    ],
)
def test_calendar_usage_errors_say_what_to_do(
    table: Repository, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.ics").exists()


def test_an_unwritable_out_file_is_a_clear_error(table: Repository, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calendar", "--out", "/nonexistent-folder/feed.ics"]) == 2
    assert "/nonexistent-folder/feed.ics:" in capsys.readouterr().err


# --- calendar url | revoke ----------------------------------------------------------------------------------


def test_url_prints_a_link_the_feed_accepts(
    table: Repository, deployed: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["calendar", "--stack", "mine", "url"]) == 0
    out, err = capsys.readouterr()
    url = out.strip()
    assert deployed == ["mine"]
    assert url.startswith(f"{API}/calendar/") and url.endswith(".ics")
    assert "keep it private" in err and "revoke" in err
    feed = CalendarFeed(table, TokenSigner(SecretsManagerKeyRing(SECRET)), OWNER)
    token = url.removeprefix(f"{API}/calendar/").removesuffix(".ics")
    assert icalendar.Calendar.from_ical(feed.read(token, datetime.now(UTC))).events


def test_revoke_turns_off_printed_links_and_the_next_url_works(
    table: Repository, deployed: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    feed = CalendarFeed(table, TokenSigner(SecretsManagerKeyRing(SECRET)), OWNER)

    def token() -> str:
        assert main(["calendar", "url"]) == 0
        return capsys.readouterr().out.strip().removeprefix(f"{API}/calendar/").removesuffix(".ics")

    old = token()
    assert main(["calendar", "revoke"]) == 0
    assert "410 Gone" in capsys.readouterr().err
    with pytest.raises(RevokedToken):
        feed.read(old, datetime.now(UTC))
    assert feed.read(token(), datetime.now(UTC))  # issued just after the revocation, even in the same second


def test_url_without_a_stack_says_so(table: Repository, capsys: pytest.CaptureFixture[str]) -> None:
    def missing(stack_name: str, *names: str, client: Any = None) -> dict[str, str]:
        raise stack.StackNotFound(f"stack {stack_name!r}: Stack with id {stack_name} does not exist")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(stack, "stack_outputs", missing)
        assert main(["calendar", "url"]) == 2
    assert "needs the deployed stack" in capsys.readouterr().err


# --- event add | list | remove ------------------------------------------------------------------------------


def test_add_a_contacts_news_and_it_shows_in_the_preview(table: Repository, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["event", "add", "promotion", "--contact", "Thomas Becker", "--note", "Now CTO"]) == 0
    out, err = capsys.readouterr()
    [event] = table.list_events(OWNER)
    assert out.strip() == event.id
    assert "Thomas Becker's promotion" in err
    assert (event.kind, event.date, event.note) == (EventKind.PROMOTION, today(), "Now CTO")
    plan = view_as_dict(preview_view(table, OWNER, today()))
    listed = [o for o in plan["occasions"] if o["kind"] == "life_event" and o["contacts"] == ["Thomas Becker"]]
    on_due_line = [d for d in plan["due"] if d["name"] == "Thomas Becker" and d.get("occasion")]
    assert len(listed + on_due_line) == 1  # as an occasion, or on his due line when he is due: once
    if on_due_line:
        assert on_due_line[0]["occasion"] == {"kind": "life_event", "label": "Thomas Becker's promotion"}


def test_add_your_own_news_and_the_digest_suggests_who_to_tell(
    table: Repository, capsys: pytest.CaptureFixture[str]
) -> None:
    yesterday = (today() - timedelta(days=1)).isoformat()
    assert main(["event", "add", "new_job", "--date", yesterday, "--note", "Joined Acme"]) == 0
    assert "your own new job" in capsys.readouterr().err
    [event] = table.list_events(OWNER)
    assert event.contact_id is None
    occasions = view_as_dict(preview_view(table, OWNER, today()))["occasions"]
    [news] = [o for o in occasions if o["kind"] == "own_news"]
    assert 1 <= len(news["contacts"]) <= 5


def test_adding_the_same_event_twice_records_it_once_and_an_import_of_it_too(
    table: Repository, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["event", "add", "award", "--contact", "thomas.becker@example.de", "--date", "2026-11-01"]
    argv += ["--note", "Speaker award"]
    assert main(argv) == 0
    assert main(argv) == 0
    assert "Already recorded" in capsys.readouterr().err
    same = "contact,date,kind,note\nThomas Becker,2026-11-01,award,Speaker award\n"
    report = import_events(table, OWNER, same, today())
    assert (report.imported, report.unchanged) == (0, 1)
    assert len(table.list_events(OWNER)) == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["event", "add", "knighted", "--contact", "Thomas Becker"], "kind: Input should be"),
        (["event", "add", "promotion", "--contact", "Nobody Here"], "no contact matches 'Nobody Here'"),
        (["event", "add", "promotion", "--date", "2999-01-01"], "date: 2999-01-01 is in the future"),
        (["event", "add", "promotion", "--date", "yesterday"], "expected a date as YYYY-MM-DD"),
        (["event", "remove", "nope"], "no life event with id 'nope'"),
    ],
)
def test_event_errors_name_the_field_and_write_nothing(
    table: Repository, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert exit_code(argv) == 2
    assert message in capsys.readouterr().err
    assert table.list_events(OWNER) == []


def test_list_then_remove(table: Repository, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["event", "list"]) == 0
    assert "No life events" in capsys.readouterr().err
    main(["event", "add", "moved", "--contact", "Thomas Becker", "--note", "to Lisbon"])
    main(["event", "add", "promotion"])
    capsys.readouterr()
    assert main(["event", "list"]) == 0
    lines = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert sorted((kind, who, note) for _, _, kind, who, note in lines) == [
        ("moved", "Thomas Becker", "to Lisbon"),
        ("promotion", "(your own news)", ""),
    ]
    moved = next(line[0] for line in lines if line[2] == "moved")
    assert main(["event", "remove", moved]) == 0
    assert [e.kind for e in table.list_events(OWNER)] == [EventKind.PROMOTION]
    assert main(["event", "remove", moved]) == 2
