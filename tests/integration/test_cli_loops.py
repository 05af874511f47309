"""Next steps from the command line, on the local store (issue 19): a touch's follow-up, the favour loop, reconnecting
and sharing, each seen in `preview --json` on the day it falls due."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from circleback.domain.model import Tier, TouchPurpose
from tests.integration.test_cli_daily import run, stored


@pytest.fixture
def store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    assert run(capsys, "use", "--local")[0] == 0
    for name, tier, tags in (("Ana Souza", "B", "ai;security"), ("Tom Becker", "C", "golf"), ("Ken Ito", "A", "AI")):
        code, _, err = run(capsys, "contacts", "add", name, "--tier", tier, "--email",
                           f"{name.split()[0].lower()}@example.com", "--tags", tags)  # fmt: skip
        assert code == 0, err
    return tmp_path


def today() -> date:
    return date.today()  # the local store's owner is in UTC by default: the command line's today


def preview(capsys: pytest.CaptureFixture[str], on: date) -> dict[str, Any]:
    code, out, err = run(capsys, "preview", "--json", "--as-of", on.isoformat())
    assert code == 0, err
    parsed: dict[str, Any] = json.loads(out)
    return parsed


def test_a_touch_s_follow_up_is_due_on_its_day_until_a_later_touch(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "touch", "ana", "--note", "she's interviewing at Globex", "--follow-up", "14",
                       "--about", "how the interview went")  # fmt: skip
    assert code == 0, err
    on = today() + timedelta(days=14)

    assert preview(capsys, on - timedelta(days=1))["follow_ups"] == []
    steps = preview(capsys, on)["follow_ups"]
    assert steps == [
        {"name": "Ana Souza", "kind": "follow_up", "about": "how the interview went", "since": on.isoformat()}
    ]
    assert preview(capsys, on + timedelta(days=29))["follow_ups"] == steps
    assert preview(capsys, on + timedelta(days=30))["follow_ups"] == []  # at most 30 days
    text = run(capsys, "preview", "--as-of", on.isoformat())[1]
    assert "Follow up with Ana" in text and "she's interviewing at Globex" in text

    assert run(capsys, "touch", "ana", "--date", today().isoformat(), "--channel", "call")[0] == 0
    assert preview(capsys, on)["follow_ups"] == []  # a later touch closes it


@pytest.mark.parametrize(
    ("given", "said"), [("0", "1 to 365"), ("soon", "number of days or a date"), ("2001-01-01", "after today")]
)
def test_a_follow_up_that_cannot_be_is_refused_naming_why(
    store: Path, capsys: pytest.CaptureFixture[str], given: str, said: str
) -> None:
    code, _, err = run(capsys, "touch", "ana", "--follow-up", given)
    assert code != 0 and said in err
    assert not stored().touches  # nothing was logged


def test_the_favour_loop_from_ask_to_thanks_and_the_outcome(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    start = today()
    code, _, err = run(
        capsys, "ask", "tom", "a reference for the Acme role", "--by", (start + timedelta(days=10)).isoformat()
    )
    assert code == 0, err
    [ask] = [t for t in stored().touches if t.purpose is TouchPurpose.ASK]
    assert ask.note == "Asked: a reference for the Acme role"

    check_in = preview(capsys, start + timedelta(days=10))["follow_ups"]
    assert [(s["kind"], s["about"]) for s in check_in] == [("ask_check_in", "a reference for the Acme role")]
    assert preview(capsys, start + timedelta(days=9))["follow_ups"] == []
    assert run(capsys, "ask", "tom", "something else")[0] != 0  # one open ask a person

    assert run(capsys, "ask", "done", "tom", "--note", "he called them on Friday")[0] == 0
    assert [s["kind"] for s in preview(capsys, start)["follow_ups"]] == ["thank"]
    assert run(capsys, "ask", "thanked", "tom")[0] == 0
    assert preview(capsys, start + timedelta(days=29))["follow_ups"] == []
    told = preview(capsys, start + timedelta(days=30))["follow_ups"]
    assert [s["kind"] for s in told] == ["tell_outcome"]

    code, _, err = run(capsys, "ask", "told", "tom")
    assert code == 0 and "tier A" in err
    tom = next(c for c in stored().contacts if c.name == "Tom Becker")
    assert tom.tier is Tier.A
    entries = json.loads(run(capsys, "ask", "list", "--json")[1])
    assert [(e["name"], e["state"], e["note"]) for e in entries] == [
        ("Tom Becker", "closed", "he called them on Friday")
    ]
    text = run(capsys, "preview", "--as-of", (start + timedelta(days=1)).isoformat())[1]
    assert "Tom Becker is in your closest circle now" in text


def test_a_step_out_of_order_is_refused_saying_what_comes_first(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "ask", "thanked", "ana")
    assert code != 0 and "no open ask" in err
    assert run(capsys, "ask", "ana", "an intro to Globex")[0] == 0
    code, _, err = run(capsys, "ask", "told", "ana")
    assert code != 0 and "ask done Ana" in err


def test_reconnect_puts_them_first_then_says_when_to_ask(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    start = today()
    assert run(capsys, "reconnect", "tom", "--need", "a reference")[0] == 0

    tomorrow = preview(capsys, start + timedelta(days=1))
    assert tomorrow["due"][0]["name"] == "Tom Becker"  # first, though not due by his cadence
    assert preview(capsys, start + timedelta(days=6))["follow_ups"] == []
    [ask] = preview(capsys, start + timedelta(days=7))["follow_ups"]
    assert (ask["name"], ask["kind"], ask["about"]) == ("Tom Becker", "time_to_ask", "a reference")

    assert run(capsys, "touch", "tom", "--inbound")[0] == 0  # he replied: the reminder comes now, not in a week
    assert [s["kind"] for s in preview(capsys, start)["follow_ups"]] == ["time_to_ask"]
    assert all(d["name"] != "Tom Becker" for d in preview(capsys, start)["due"])  # the touch ended "first"

    assert run(capsys, "ask", "tom", "a reference")[0] == 0  # asking ends the reminder and starts the loop
    assert preview(capsys, start + timedelta(days=7))["follow_ups"] == []


def test_a_shared_item_suggests_who_would_care(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "share", "https://example.com/llm-security", "--title", "LLM security, explained",
                         "--tags", "AI,Security")  # fmt: skip
    assert code == 0, err
    shares = preview(capsys, today())["shares"]
    assert shares == [
        {
            "title": "LLM security, explained",
            "url": "https://example.com/llm-security",
            "contacts": ["Ken Ito", "Ana Souza"],
        }
    ]  # fmt: skip  (tier A's overdue score first; no golf)
    assert preview(capsys, today() + timedelta(days=14))["shares"] == []  # queued a fortnight

    listed = json.loads(run(capsys, "share", "list", "--json")[1])
    assert [s["id"] for s in listed] == [out.strip()]
    assert run(capsys, "share", "remove", out.strip())[0] == 0
    assert preview(capsys, today())["shares"] == []


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["share", "example.com", "--title", "x", "--tags", "ai"], "URL"),
        (["share", "https://example.com", "--title", " ", "--tags", "ai"], "--title"),
        (["share", "https://example.com", "--title", "x", "--tags", ","], "--tags"),
    ],
)
def test_a_share_that_cannot_be_queued_names_the_field(
    store: Path, capsys: pytest.CaptureFixture[str], argv: list[str], said: str
) -> None:
    code, _, err = run(capsys, *argv)
    assert code != 0 and said in err and "Traceback" not in err
