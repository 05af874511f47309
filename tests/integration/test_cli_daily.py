"""The command line for daily use, on the local store: from a LinkedIn export to a first preview, contacts,
touches, snoozes, settings, import and export, backup and restore, and every command's answer to bad input.

Each test has its own config and data folders (tests/conftest.py), so `--local` is a fresh store each time.
"""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from circleback.adapters.store.repository import Repository
from circleback.cli import main
from circleback.cli.output import PROGRESS_FROM, Progress
from circleback.cli.targets import config_path
from circleback.local.store import SNAPSHOT_FILE, default_data_dir, persistent_repository
from tests.format_files import GOOGLE_HEADER, cards, google_file, linkedin_file

OWNER = "owner"
CONNECTIONS = linkedin_file(
    "Ana,Souza,https://www.linkedin.com/in/anasouza,ana@acme.com,Acme,VP Engineering,12 Mar 2019",
    "José,Núñez,https://www.linkedin.com/in/jnunez,,Globex,CTO,01 Jan 2021",
    "Anabel,Ruiz,https://www.linkedin.com/in/aruiz,,Initech,Product Manager,05 May 2022",
    "Ana Maria,Souza,https://www.linkedin.com/in/amsouza,,Umbrella,Designer,07 Jul 2023",
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """main's exit status (argparse's own too) with what it printed."""
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = int(str(exit_.code))
    out, err = capsys.readouterr()
    return code, out, err


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


@pytest.fixture
def imported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The local store with the LinkedIn connections in it, sorted into tier B, --local remembered as the default."""
    connections = str(write(tmp_path, "Connections.csv", CONNECTIONS))
    assert run(capsys, "--local", "import", connections, "--tier", "b")[0] == 0
    return tmp_path


def stored(data_dir: Path | None = None) -> Any:
    """What the local store holds, read through the same code the commands use."""
    with persistent_repository(data_dir or default_data_dir()) as repo:
        return repo.load_digest_input(OWNER)


def unversioned(data: Any) -> Any:
    """The state a backup keeps: everything but the contacts' lock counters."""
    return replace(data, contacts=[replace(c, version=0) for c in data.contacts])


def without_uids(vcards: bytes) -> bytes:
    """vCards less their UIDs, which follow each store's own contact ids."""
    return b"".join(line for line in vcards.splitlines(keepends=True) if not line.startswith(b"UID:"))


# --- the first hour ---------------------------------------------------------------------------------------


def test_from_a_linkedin_export_to_a_first_preview_in_three_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = write(tmp_path, "Connections.csv", CONNECTIONS)
    code, _, err = run(capsys, "--local", "import", str(export))
    assert code == 0
    assert "Read as LinkedIn connections." in err and "4 imported, 0 updated, 0 unchanged, 0 skipped, 0 rejected" in err
    assert "Remembered the local store" in err and "Next: `circleback preview`" in err
    code, _, err = run(capsys, "settings", "set", "--timezone", "Europe/Lisbon", "--country", "PT")
    assert code == 0 and "time zone:" in err and "-> Europe/Lisbon" in err
    code, out, _ = run(capsys, "preview", "--json")
    assert code == 0
    plan = json.loads(out)
    assert plan["due"] == []  # LinkedIn's people come in unsorted: the digest asks about them, none is due
    asked = [item["name"] for item in plan["to_sort"]]  # the longest-standing connections first
    assert asked == ["Ana Souza", "José Núñez", "Anabel Ruiz", "Ana Maria Souza"]
    assert plan["to_sort"][0]["suggestion"] == {"relationship": None, "why": "connected since 2019"}
    code, _, err = run(capsys, "import", str(export), "--tier", "B")  # the same file, sorted: due from tomorrow on
    assert code == 0 and "0 imported, 4 updated" in err
    code, out, _ = run(capsys, "preview", "--json", "--as-of", "2026-12-31")
    names = [item["name"] for item in json.loads(out)["due"]]
    assert names and set(names) <= {"Ana Souza", "José Núñez", "Anabel Ruiz", "Ana Maria Souza"}
    assert 'kind = "local"' in config_path().read_text(encoding="utf-8")
    assert (default_data_dir() / SNAPSHOT_FILE).exists()


def test_a_first_command_without_a_target_or_a_deployed_stack_says_to_use_local(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from circleback.adapters import stack

    def no_stack(stack_name: str, *names: str, client: Any = None) -> dict[str, str]:
        raise stack.StackNotFound(f"stack {stack_name!r}: Stack with id {stack_name} does not exist")

    monkeypatch.setattr(stack, "stack_outputs", no_stack)
    code, _, err = run(capsys, "contacts", "list")
    assert code == 2 and "stack 'circleback'" in err and "use --local" in err
    assert not config_path().exists()  # nothing explicit was given: nothing remembered


def test_reimporting_the_export_changes_nothing(imported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = stored()
    code, _, err = run(capsys, "import", str(imported / "Connections.csv"))
    assert code == 0 and "0 imported, 0 updated, 4 unchanged, 0 skipped, 0 rejected" in err
    assert stored() == before


def test_a_google_export_then_vcards_update_the_same_people(imported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    google = google_file(
        {
            "First Name": "Ana",
            "Last Name": "Souza",
            "E-mail 1 - Value": "ana@acme.com",
            "Birthday": "1985-04-12",
            "Phone 1 - Value": "+55 11 5555 0100",
        },
        header=GOOGLE_HEADER,
    )
    code, _, err = run(capsys, "import", str(write(imported, "contacts.csv", google)))
    assert code == 0 and "Read as Google Contacts CSV." in err and "0 imported, 1 updated" in err
    vcard = cards(["VERSION:3.0", "FN:José Núñez", "N:Núñez;José;;;", "BDAY:--07-14", "NOTE:Met at the\r\n  offsite"])
    code, _, err = run(capsys, "import", str(write(imported, "jose.vcf", vcard)))
    assert code == 0 and "Read as vCard." in err and "0 imported, 1 updated" in err
    people = {c.name: c for c in stored().contacts}
    assert len(people) == 4
    assert people["Ana Souza"].birthday.isoformat() == "1985-04-12"
    assert people["José Núñez"].birthday.isoformat() == "--07-14" and people["José Núñez"].notes == "Met at the offsite"


def test_rejected_rows_are_listed_with_their_reasons_and_the_exit_status_is_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = linkedin_file(
        "Ana,Souza,https://www.linkedin.com/in/anasouza,not-an-email,Acme,VP,12 Mar 2019",
        ",,,,,,",  # an empty line of cells is no row at all
        ",,,,,,02 Jun 2022",  # LinkedIn's row for a member who left: nothing to keep
        ",,https://www.linkedin.com/in/nameless,,Acme,,",
        "Bo,Li,,bo@example.com,Initech,CTO,12 Mar 2019",
        "Bo,Lee,,bo@example.com,Initech,CEO,12 Mar 2019",  # the same address as row 8, other values: which is right?
        f"Cy,Ng,,,Umbrella,{'Chief ' * 40}Officer,12 Mar 2019",  # too long to keep whole
    )
    code, _, err = run(capsys, "--local", "import", str(write(tmp_path, "Connections.csv", bad)))
    assert code == 1
    assert "Connections.csv: row 5, email: left out, the contact kept: 'not-an-email' is not an email address" in err
    assert "Connections.csv: row 7: skipped: no name, email, company or phone in it" in err
    assert "Connections.csv: row 8, name: none given: named 'Acme' from the company" in err
    assert "Connections.csv: row 10, email: the same contact as row 9" in err
    assert "Connections.csv: row 11, title: is too long: at most 200 characters" in err
    assert "3 imported, 0 updated, 0 unchanged, 1 skipped, 2 rejected; 2 warnings" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["import", "missing.csv"], "missing.csv: no such file"),
        (["import", "{notes}"], "cannot tell what kind of file this is"),
        (["import", "{notes}", "--format", "yaml"], "'yaml' is not one of"),
        (["export", "--out", "backup.txt"], "say which format with --format"),
        (["export", "--format", "pdf", "--out", "x.pdf"], "'pdf' is not one of"),
        (["export", "--format", "json", "--out", "{missing_dir}/b.json"], "No such file or directory"),
    ],
)
def test_import_and_export_usage_errors_say_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, argv: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    notes = write(tmp_path, "notes.txt", "just some words\n")
    argv = [a.format(notes=notes, missing_dir=tmp_path / "nowhere") for a in argv]
    code, _, err = run(capsys, "--local", *argv)
    assert code == 2 and message in err


def test_a_large_import_draws_a_progress_bar_on_a_terminal_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [f"Person,Number{i},https://www.linkedin.com/in/p{i},,Co,Role,01 Jan 2020" for i in range(PROGRESS_FROM)]
    export = write(tmp_path, "Connections.csv", linkedin_file(*rows))
    monkeypatch.setattr("sys.stderr.isatty", lambda: True, raising=False)
    code, _, err = run(capsys, "--local", "import", str(export))
    assert code == 0 and "Importing Connections.csv" in err and "100%" in err
    assert f"{PROGRESS_FROM} imported" in err


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_stays_silent_for_small_files_and_pipes(monkeypatch: pytest.MonkeyPatch) -> None:
    for stream in (Terminal(), io.StringIO()):
        monkeypatch.setattr("sys.stderr", stream)
        bar = Progress("Importing")
        bar(1, PROGRESS_FROM - 1)
        bar.close()
        assert stream.getvalue() == ""
    pipe = io.StringIO()
    monkeypatch.setattr("sys.stderr", pipe)
    bar = Progress("Importing")
    bar(PROGRESS_FROM, PROGRESS_FROM)
    bar.close()
    assert pipe.getvalue() == ""
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    bar = Progress("Importing")
    bar(PROGRESS_FROM // 2, PROGRESS_FROM)
    bar(PROGRESS_FROM, PROGRESS_FROM)
    bar.close()
    assert "Importing" in terminal.getvalue() and "100%" in terminal.getvalue()


# --- backup, restore and the other exports ------------------------------------------------------------------


def test_back_up_everything_and_restore_it_into_an_empty_store(
    imported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "touch", "jose", "--channel", "coffee", "--note", "Talked about the move")[0] == 0
    assert run(capsys, "touch", "anabel", "--inbound", "--date", "2026-11-01", "--channel", "phone")[0] == 0
    assert run(capsys, "event", "add", "promotion", "--contact", "ruiz", "--date", "2026-11-10")[0] == 0
    assert run(capsys, "contacts", "edit", "ana souza", "--tier", "A", "--tags", "mentor;brazil")[0] == 0
    assert run(capsys, "snooze", "ana maria", "--days", "10")[0] == 0
    assert run(capsys, "settings", "set", "--send-hour", "9", "--goal", "6")[0] == 0
    backup = imported / "backup.json"
    code, _, err = run(capsys, "export", "--format", "json", "--out", str(backup))
    assert code == 0 and "4 contacts, 2 touches, 1 events" in err
    elsewhere = imported / "restored"
    code, _, err = run(capsys, "--data-dir", str(elsewhere), "import", str(backup))
    assert code == 0 and "contacts: 4 imported" in err and "touches: 2 imported" in err
    assert unversioned(stored(elsewhere)) == unversioned(stored())
    again = imported / "again.json"
    assert run(capsys, "--data-dir", str(elsewhere), "export", "--out", str(again))[0] == 0
    assert again.read_text(encoding="utf-8") == backup.read_text(encoding="utf-8")
    code, _, err = run(capsys, "--data-dir", str(elsewhere), "import", str(backup))
    assert code == 0 and "contacts: 0 imported, 0 updated, 4 unchanged" in err


def test_an_older_backup_is_restored_only_when_the_person_says_so(
    imported: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    backup = imported / "backup.json"
    assert run(capsys, "export", "--out", str(backup))[0] == 0
    assert run(capsys, "contacts", "edit", "anabel", "--title", "Head of Product")[0] == 0
    assert run(capsys, "settings", "set", "--send-hour", "9")[0] == 0
    edited = stored()
    values = [
        "settings, send_hour: '9' -> '7'",
        "Anabel Ruiz, title: 'Head of Product' -> 'Product Manager'",
    ]

    code, _, err = run(capsys, "import", str(backup), "--dry-run")
    assert code == 0 and stored() == edited
    assert "the import would change these values:" in err and all(f"  {value}" in err for value in values)
    assert "A dry run: nothing was written." in err and "contacts: 0 to import, 1 to update, 3 unchanged" in err

    code, _, err = run(capsys, "import", str(backup))  # no terminal: refused, naming the values and --yes
    assert code == 2 and stored() == edited
    assert "restoring this backup puts back 2 values that differ from yours now:" in err
    assert all(f"  {value}" in err for value in values) and "add --yes to restore them" in err

    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("sys.stderr.isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda *_: "n")
    code, _, err = run(capsys, "import", str(backup))
    assert code == 2 and "nothing was restored" in err and stored() == edited

    monkeypatch.setattr("builtins.input", lambda *_: "y")
    code, _, err = run(capsys, "import", str(backup))
    assert code == 0 and "contacts: 0 imported, 1 updated, 3 unchanged" in err
    assert {c.name: c.title for c in stored().contacts}["Anabel Ruiz"] == "Product Manager"

    assert run(capsys, "contacts", "edit", "anabel", "--title", "CPO")[0] == 0
    monkeypatch.setattr("builtins.input", lambda *_: pytest.fail("--yes must not ask"))
    code, _, err = run(capsys, "import", str(backup), "--yes")
    assert code == 0 and "1 updated" in err


@pytest.mark.parametrize(("format", "suffix"), [("csv", ".csv"), ("vcard", ".vcf")])
def test_contacts_exported_and_imported_elsewhere_come_back_the_same(
    imported: Path, capsys: pytest.CaptureFixture[str], format: str, suffix: str
) -> None:
    assert run(capsys, "contacts", "edit", "José", "--notes", '=HYPERLINK("http://x","y")', "--country", "ES")[0] == 0
    exported = imported / f"contacts{suffix}"
    assert run(capsys, "export", "--out", str(exported))[0] == 0  # the format from the extension
    elsewhere = imported / "elsewhere"
    code, _, err = run(capsys, "--data-dir", str(elsewhere), "import", str(exported))
    assert code == 0 and "4 imported" in err
    again = imported / f"again{suffix}"
    assert run(capsys, "--data-dir", str(elsewhere), "export", "--format", format, "--out", str(again))[0] == 0
    assert without_uids(again.read_bytes()) == without_uids(exported.read_bytes())
    notes = {c.name: c.notes for c in stored(elsewhere).contacts}
    assert notes["José Núñez"] == '=HYPERLINK("http://x","y")'


def test_the_csv_export_opens_in_excel_as_utf8_with_formulas_neutralised(
    imported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "contacts", "edit", "anabel", "--notes", "=1+2")[0] == 0
    out = imported / "contacts.csv"
    assert run(capsys, "export", "--format", "csv", "--out", str(out))[0] == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "Núñez".encode() in raw
    assert b"'=1+2" in raw


def test_export_to_standard_output_prints_only_the_data(imported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "export", "--format", "json", "--out", "-")
    assert code == 0 and err == ""
    assert len(json.loads(out)["contacts"]) == 4


# --- contacts ---------------------------------------------------------------------------------------------


def test_contacts_list_shows_everyone_with_their_last_touch_and_next_due(
    imported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "touch", "nunez", "--channel", "lunch")[0] == 0
    code, out, _ = run(capsys, "contacts", "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "COMPANY", "TIER", "LAST", "TOUCH", "NEXT", "DUE"]
    assert [line.split("  ")[0] for line in lines[1:]] == ["Ana Maria Souza", "Ana Souza", "Anabel Ruiz", "José Núñez"]
    code, out, _ = run(capsys, "contacts", "list", "--json")
    rows = {row["name"]: row for row in json.loads(out)}
    assert rows["José Núñez"]["last_touch"] is not None and rows["José Núñez"]["due_now"] is False
    assert rows["Ana Souza"]["last_touch"] is None


def test_contacts_list_filters_by_tag_and_by_due(imported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "contacts", "edit", "anabel", "--tags", "Referees;design")[0] == 0
    out = run(capsys, "contacts", "list", "--tag", "referees", "--json")[1]
    assert [row["name"] for row in json.loads(out)] == ["Anabel Ruiz"]
    out = run(capsys, "contacts", "list", "--due", "--json")[1]
    assert all(row["due_now"] for row in json.loads(out))


def test_add_show_edit_pause_resume_and_remove_a_contact(imported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["contacts", "add", "Margaret Okafor", "--email", "m.okafor@example.com", "--relationship", "boss"]
    argv += ["--tier", "a", "--birthday=--03-09", "--company", "Initech"]
    code, _, err = run(capsys, *argv)
    assert code == 0 and "Added Margaret Okafor <m.okafor@example.com> Initech." in err
    code, out, _ = run(capsys, "contacts", "show", "okafor")
    assert code == 0 and "relationship: boss" in out and "tier: A" in out and "birthday: --03-09" in out
    assert "Touches: none logged" in out
    code, _, err = run(
        capsys, "contacts", "edit", "margaret", "--company", "", "--title", "CTO", "--rename", "Maggie Okafor"
    )
    assert code == 0 and "Saved Maggie Okafor" in err
    [maggie] = [c for c in stored().contacts if c.email == "m.okafor@example.com"]
    assert (maggie.name, maggie.company, maggie.title) == ("Maggie Okafor", None, "CTO")
    assert run(capsys, "contacts", "pause", "maggie")[0] == 0
    [line] = [line for line in run(capsys, "contacts", "list")[1].splitlines() if line.startswith("Maggie")]
    assert line.endswith("paused")
    assert run(capsys, "contacts", "resume", "m.okafor@example.com")[0] == 0
    assert not next(c for c in stored().contacts if c.id == maggie.id).paused
    code, _, err = run(capsys, "contacts", "remove", "maggie")  # no terminal to ask on
    assert code == 2 and "Add --yes" in err and "export --format json" in err
    assert any(c.id == maggie.id for c in stored().contacts)
    assert run(capsys, "touch", "maggie", "--channel", "email")[0] == 0
    code, _, err = run(capsys, "contacts", "remove", "maggie", "--yes")
    assert code == 0 and "Removed Maggie Okafor (1 touch, 0 life events)." in err
    assert all(c.id != maggie.id for c in stored().contacts)
    assert all(t.contact_id != maggie.id for t in stored().touches)


def test_removal_asks_at_a_terminal_and_a_no_keeps_the_contact(
    imported: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("sys.stderr.isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda *_: "n")
    assert run(capsys, "contacts", "remove", "anabel")[0] == 2
    assert len(stored().contacts) == 4
    monkeypatch.setattr("builtins.input", lambda *_: "yes")
    assert run(capsys, "contacts", "remove", "anabel")[0] == 0
    assert len(stored().contacts) == 3


def test_an_ambiguous_name_lists_the_people_it_could_be(imported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "touch", "souza", "--channel", "email")
    assert code == 2
    assert (
        "'souza' could be 2 people:" in err
        and "1. Ana Maria Souza" in err
        and "2. Ana Souza <ana@acme.com> Acme" in err
    )
    assert "more of the name, or their email" in err
    assert stored().touches == []


def test_at_a_terminal_an_ambiguous_name_is_a_question(
    imported: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("sys.stderr.isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda *_: "2")
    code, _, err = run(capsys, "touch", "souza", "--channel", "email")
    assert code == 0 and "with Ana Souza" in err
    monkeypatch.setattr("builtins.input", lambda *_: "")
    assert run(capsys, "touch", "souza", "--channel", "call")[0] == 2
    assert len(stored().touches) == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["contacts", "show", "Nobody"], "no contact matches 'Nobody' (`circleback contacts list` shows them all)"),
        (["contacts", "show", "Anabell Ruis"], "did you mean 'Anabel Ruiz'?"),
        (["contacts", "pause", "Nobody"], "no contact matches 'Nobody'"),
        (["contacts", "resume", "nobody@example.com"], "no contact matches 'nobody@example.com'"),
        (["contacts", "remove", "Nobody", "--yes"], "no contact matches 'Nobody'"),
        (["contacts", "edit", "Nobody", "--title", "CTO"], "no contact matches 'Nobody'"),
        (["snooze", "Nobody", "--days", "3"], "no contact matches 'Nobody'"),
        (["touch", "Nobody"], "no contact matches 'Nobody'"),
        (["event", "remove", "nope"], "no life event with id 'nope'"),
        (["contacts", "add", "Ana Souza"], "To add another person called 'Ana Souza', run it again with --again"),
        (["contacts", "add", "ana  SOUZA"], "Ana Souza <ana@acme.com> Acme is already a contact"),
        (["contacts", "add", "A. Souza", "--email", "ANA@acme.com"], "is already a contact (the same email)"),
        (["contacts", "add", "New Person", "--email", "nope"], "--email:"),
        (["contacts", "add", "New Person", "--tier", "Z"], "--tier:"),
        (["contacts", "add", "New Person", "--birthday", "2999-01-01"], "--birthday: 2999-01-01 is in the future"),
        (["contacts", "add", "New Person", "--linkedin", "https://example.com/x"], "--linkedin:"),
        (["contacts", "add", "New Person", "--cadence", "3"], "--cadence:"),
        (["contacts", "add", "   "], "name:"),
        (["contacts", "edit", "anabel"], "name a field to change"),
        (["contacts", "edit", "anabel", "--last-touch", "yesterday"], "--last-touch:"),
        (["touch", "anabel", "--channel", "carrier pigeon"], "'carrier pigeon' is not a channel"),
        (["touch", "anabel", "--date", "2999-01-01"], "--date 2999-01-01 is in the future"),
        (["touch", "anabel", "--inbound", "--mutual"], "give one of --inbound and --mutual"),
        (["touch", "anabel", "--channel", "cofee"], "did you mean 'coffee'?"),
        (["touch", "anabel", "--chanel", "coffee"], "Possible options: --channel"),
        (["tuoch", "anabel"], "Did you mean 'touch'?"),
        (["contacts", "lsit"], "Did you mean 'list'?"),
        (["snooze", "anabel"], "give one of --days, --until and --off"),
        (["snooze", "anabel", "--days", "0"], "expected a number from 1 to 365"),
        (["snooze", "anabel", "--until", "2001-01-01"], "--until is a day from today"),
        (["settings", "set"], "name at least one setting"),
        (["settings", "set", "--send-hour", "25"], "expected a number from 0 to 23"),
        (["settings", "set", "--timezone", "Mars/Base"], "not an IANA time zone"),
        (["settings", "set", "--timezone", "Europe/Londn"], "did you mean 'europe/london'?"),
        (["settings", "set", "--country", "UK"], "did you mean GB?"),
        (["settings", "set", "--country", "Germany"], "did you mean DE (Germany)?"),
        (["settings", "set", "--weekday", "someday"], "expected a day of the week"),
        (["settings", "set", "--email", "not-an-address"], "email"),
        (["--local", "--stack", "prod", "contacts", "list"], "--local and --stack name two places"),
        (["--local", "--region", "eu-west-1", "contacts", "list"], "--region is for a stack or table"),
        (["event", "add", "promotion", "--contact", "souza"], "could be 2 people"),
    ],
)
def test_every_command_refuses_bad_input_with_exit_2_and_says_what_to_do(
    imported: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    before = stored()
    code, _, err = run(capsys, *argv)
    assert code == 2, err
    assert message in err and "Traceback" not in err
    assert stored() == before


# --- touches and snoozes ------------------------------------------------------------------------------------


def test_a_coffee_is_a_meeting_and_it_takes_them_off_the_due_list(
    imported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    due_before = [item["name"] for item in json.loads(run(capsys, "preview", "--json")[1])["due"]]
    assert due_before == ["Ana Maria Souza"]  # the import spreads the others over the weeks ahead
    code, _, err = run(capsys, "touch", "ANA MARIA", "--channel", "Coffee", "--note", "Talked  about   references")
    assert code == 0 and "Logged outbound meeting with Ana Maria Souza" in err
    [touch] = stored().touches
    assert (touch.channel.value, touch.direction.value, touch.note, touch.source) == (
        "meeting",
        "outbound",
        "Talked about references",
        "cli",
    )
    assert json.loads(run(capsys, "preview", "--json")[1])["due"] == []


def test_the_same_touch_typed_twice_is_logged_once(imported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["touch", "jose", "--channel", "phone", "--inbound", "--date", "2026-11-02", "--note", "He called"]
    assert run(capsys, *argv)[0] == 0
    code, _, err = run(capsys, *argv)
    assert code == 0 and "Already logged: inbound call with José Núñez on 2026-11-02" in err
    assert len(stored().touches) == 1


def test_a_snooze_keeps_them_off_the_due_list_until_it_ends(imported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def due() -> list[str]:
        return [row["name"] for row in json.loads(run(capsys, "contacts", "list", "--due", "--json")[1])]

    assert due() == ["Ana Maria Souza"]
    code, _, err = run(capsys, "snooze", "ana maria", "--days", "14")
    assert code == 0 and "Snoozed Ana Maria Souza through" in err
    assert due() == []
    assert run(capsys, "snooze", "ana maria", "--off")[0] == 0
    assert due() == ["Ana Maria Souza"]


# --- settings and targets --------------------------------------------------------------------------------


def test_settings_show_and_set(imported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["settings", "set", "--frequency", "weekly", "--weekday", "fri", "--max-due", "3", "--lookahead", "14"]
    code, _, err = run(capsys, *argv, "--email", "me@example.com", "--paused-until", "2026-12-24")
    assert code == 0 and "frequency: daily -> weekly" in err and "weekday (weekly digests): monday -> friday" in err
    code, out, _ = run(capsys, "settings", "show")
    assert code == 0 and "max due (people a digest lists): 3" in out and "paused until: 2026-12-24" in out
    assert run(capsys, "settings", "set", "--paused-until", "none")[0] == 0
    assert "paused until: (not set)" in run(capsys, "settings", "show")[1]
    code, _, err = run(capsys, "settings", "set", "--max-due", "3")
    assert code == 0 and "Nothing changed" in err
    owner = stored().owner
    assert (owner.frequency.value, owner.weekday, owner.max_due, owner.email) == ("weekly", 4, 3, "me@example.com")


def test_target_options_work_before_or_after_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "store"
    export = write(tmp_path, "Connections.csv", CONNECTIONS)
    assert run(capsys, "import", str(export), "--data-dir", str(store))[0] == 0
    code, out, _ = run(capsys, "contacts", "list", "--json", "--data-dir", str(store))
    assert code == 0 and len(json.loads(out)) == 4
    assert len(stored(store).contacts) == 4


def test_use_remembers_a_target_and_shows_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "use")
    assert code == 0 and "No default yet" in out
    code, _, err = run(capsys, "use", "--stack", "circleback-prod", "--region", "eu-west-1")
    assert code == 0 and "the stack 'circleback-prod' in eu-west-1" in err
    text = config_path().read_text(encoding="utf-8")
    assert 'kind = "stack"' in text and 'stack = "circleback-prod"' in text and 'region = "eu-west-1"' in text
    assert "the stack 'circleback-prod' in eu-west-1" in run(capsys, "use")[1]
    store = tmp_path / "my store"
    assert run(capsys, "--data-dir", str(store), "use")[0] == 0
    assert f"the local store in {store}" in run(capsys, "use")[1]
    # An explicit target does not replace a remembered one.
    assert run(capsys, "--data-dir", str(tmp_path / "other"), "contacts", "list")[0] == 0
    assert f"the local store in {store}" in run(capsys, "use")[1]


def test_a_broken_config_file_is_named_with_what_to_do(capsys: pytest.CaptureFixture[str]) -> None:
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text("[target\nkind = local", encoding="utf-8")
    code, _, err = run(capsys, "contacts", "list")
    assert code == 2 and str(path) in err and "fix it or delete it" in err
    path.write_text('[target]\nkind = "cloud"\n', encoding="utf-8")
    code, _, err = run(capsys, "contacts", "list")
    assert code == 2 and "kind is local, stack or table" in err


def test_an_aws_failure_is_one_line_with_exit_3(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.exceptions import ClientError

    def throttled(self: Repository, owner_id: str) -> None:
        raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, "GetItem")

    monkeypatch.setattr(Repository, "get_owner", throttled)
    code, _, err = run(capsys, "--table", "circleback-Table", "settings", "show")
    assert code == 3
    assert not config_path().exists()  # a table named once is not remembered as the default
    assert "circleback: AWS: ThrottlingException: Rate exceeded. Check your AWS credentials" in err
    assert "Traceback" not in err
