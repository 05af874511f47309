"""`circleback preview`: the JSON contract, the readable digest, exit statuses and the shipped samples."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from circleback.adapters import stack
from circleback.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
SAMPLE_ARGS = [
    "--contacts",
    str(SAMPLES / "contacts.csv"),
    "--touches",
    str(SAMPLES / "touches.csv"),
    "--events",
    str(SAMPLES / "events.csv"),
]
CONTACTS = """name,email,tier,cadence_days,last_touch,paused,relationship,company
Ana Souza,ana@example.com,A,,2026-09-01,false,mentor,Acme
Bo Li,bo@example.com,B,,2026-05-01,,colleague,Globex
Cy Twain,,C,,2024-01-01,,,
Di Paused,,A,,2020-01-01,true,,
Ed Recent,,A,,2026-11-20,,,
Fay New,,A,,,,,
"""
TOUCHES = """contact,date,direction,channel,note
ana@example.com,2026-11-03,outbound,email,Sent the essay
Bo Li,2026-11-05,inbound,call,He called about a role
Bo Li,2026-10-30,mutual,meeting,Coffee
"""


def no_stack(stack_name: str, *names: str, client: Any = None) -> dict[str, str]:
    raise stack.StackNotFound(f"stack {stack_name!r}: Stack with id {stack_name} does not exist")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_preview_json_follows_the_contract(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    contacts, touches = write(tmp_path, "c.csv", CONTACTS), write(tmp_path, "t.csv", TOUCHES)
    code, out, err = run(
        capsys, "preview", "--contacts", contacts, "--touches", touches, "--as-of", "2026-11-22", "--json"
    )
    assert (code, err) == (0, "")
    plan: dict[str, Any] = json.loads(out)
    assert list(plan) == ["as_of", "subject", "due", "more_due", "occasions", "goal", "to_sort", "follow_ups", "shares",
                          "reply", "new_people"]  # fmt: skip
    assert plan["as_of"] == "2026-11-22"
    assert plan["subject"] == "2 to reach out to · Thanksgiving Thu"  # what the email's subject would be
    # Cy: C, 365 days from 2024-01-01 -> due 2024-12-31, 326 days overdue: 327/365*1 = 0.90
    # Fay: never touched, imported today, alone in the spread -> due today: 1/60*3 = 0.05
    # Ana: touched 2026-11-03 (outbound): not due. Bo: inbound 2026-11-05: not due. Di paused. Ed recent.
    assert plan["due"] == [
        {
            "name": "Cy Twain",
            "due_date": "2024-12-31",
            "days_overdue": 691,
            "effective_cadence_days": 365,
            "tier": "C",
            "channels": [],  # no email, no LinkedIn, no phone: the digest says so
            "lapsed": True,  # nearly three years since the last touch
            "occasion": {"kind": "holiday", "label": "Thanksgiving"},
        },
        {
            "name": "Fay New",
            "due_date": "2026-11-22",
            "days_overdue": 0,
            "effective_cadence_days": 60,
            "tier": "A",
            "channels": [],
            "lapsed": False,
            "occasion": {"kind": "holiday", "label": "Thanksgiving"},
        },
    ]
    assert plan["more_due"] == 0
    # US Thanksgiving is in the week ahead: everyone but the paused contact, the one touched two days ago, and those
    # due (Cy and Fay), whose due lines carry it: one person, once.
    assert plan["occasions"] == [
        {
            "kind": "holiday",
            "date": "2026-11-26",
            "contacts": ["Ana Souza", "Bo Li"],
            "label": "Thanksgiving",
        }
    ]
    assert plan["goal"] == {"done": 1, "target": 4}  # Ana's outbound note; Bo's call was inbound, the coffee in October


def test_preview_options_set_the_cap_and_the_goal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    contacts = write(tmp_path, "c.csv", CONTACTS)
    code, out, _ = run(
        capsys, "preview", "--contacts", contacts, "--as-of", "2026-11-22", "--max-due", "1", "--goal", "9", "--json"
    )
    plan = json.loads(out)
    assert code == 0
    assert [d["name"] for d in plan["due"]] == ["Cy Twain"] and plan["more_due"] == 3  # Ana, Bo and Fay too
    assert plan["goal"] == {"done": 0, "target": 9}


def test_readable_preview_names_who_and_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    contacts, touches = write(tmp_path, "c.csv", CONTACTS), write(tmp_path, "t.csv", TOUCHES)
    code, out, _ = run(capsys, "preview", "--contacts", contacts, "--touches", touches, "--as-of", "2026-11-22")
    assert code == 0
    assert "1. Cy Twain" in out and "691 days overdue" in out
    assert "2. Fay New" in out and "No touch logged yet." in out
    assert "1 of 4 touches this month." in out  # the email's own words: preview and email share one view


def test_rejected_rows_are_listed_and_make_the_exit_status_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = CONTACTS + "Gus Bad,not-an-email,Z,,,,,\n"
    contacts = write(tmp_path, "c.csv", bad)
    code, out, err = run(capsys, "preview", "--contacts", contacts, "--as-of", "2026-11-22", "--json")
    assert code == 1
    assert "row 8, email:" in err and "not-an-email" in err
    assert "6 imported" in err and "1 rejected" in err
    assert len(json.loads(out)["due"]) == 4  # the valid rows were imported all the same


def test_strict_imports_nothing_from_a_file_with_a_bad_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    contacts = write(tmp_path, "c.csv", CONTACTS + "Gus Bad,,Z,,,,,\n")
    code, out, err = run(capsys, "preview", "--contacts", contacts, "--as-of", "2026-11-22", "--json", "--strict")
    assert code == 1
    assert "row 8, tier:" in err and "nothing written" in err
    assert json.loads(out)["due"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--contacts", "missing.csv", "--as-of", "2026-11-22"], "missing.csv: no such file"),
        (["--contacts", "{c}", "--as-of", "22/11/2026"], "expected a date as YYYY-MM-DD"),
        (["--contacts", "{c}", "--timezone", "Mars/Olympus"], "is not an IANA time zone"),
        (["--contacts", "{c}", "--country", "XX"], "is not an ISO 3166 two-letter country code"),
        (["--contacts", "{c}", "--max-due", "-1"], "expected a number from 0 to 100"),
        (["--as-of", "2026-11-22"], "To try circleback on this machine instead, use --local"),
    ],
)
def test_bad_usage_says_what_is_wrong(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(stack, "stack_outputs", no_stack)  # nothing deployed: without --contacts, no data
    contacts = write(tmp_path, "c.csv", CONTACTS)
    try:
        code, _, err = run(capsys, "preview", *[a.replace("{c}", contacts) for a in args])
    except SystemExit as exit_:  # argparse reports usage errors by exiting
        code, err = int(str(exit_.code)), capsys.readouterr().err
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_a_file_that_is_not_utf8_is_read_and_says_how(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("name,last_touch\nJosé,2026-01-02\n".encode("latin-1"))
    code, out, err = run(capsys, "preview", "--contacts", str(path), "--as-of", "2026-11-22")
    assert code == 0 and "José" in out
    assert "latin1.csv: not UTF-8; read as Windows-1252 (if names look wrong, say which with --encoding)" in err


def test_the_sample_preview_today(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "preview", *SAMPLE_ARGS, "--as-of", "2026-11-22", "--json")
    assert (code, err) == (0, "")
    plan = json.loads(out)
    assert len(plan["due"]) == 5 and plan["more_due"] > 0


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(as_of=st.dates(date(2026, 11, 22), date(2036, 12, 31)))
def test_the_sample_preview_is_never_empty(as_of: date, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "preview", *SAMPLE_ARGS, "--as-of", as_of.isoformat(), "--json")
    assert (code, err) == (0, "")
    assert json.loads(out)["due"], f"nothing due on {as_of}"


def test_the_samples_are_a_realistic_network() -> None:
    with (SAMPLES / "contacts.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert 20 <= len(rows) <= 40
    assert {"boss", "mentor", "colleague", "client"} <= {row["relationship"] for row in rows}
    assert len({row["country"] for row in rows}) >= 8
    assert any(not row["last_touch"] for row in rows), "a never-touched contact keeps the preview non-empty"
