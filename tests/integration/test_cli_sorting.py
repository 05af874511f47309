"""`circleback sort`, `history` and the lists that go with them, on the local store: one key a person at a terminal,
one command a person in scripts, the owner's work history, and every mistake named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from circleback.cli import sorting
from circleback.domain.model import Contact, Relationship, Tier
from tests.format_files import linkedin_file
from tests.integration.test_cli_daily import run, stored, write

CONNECTIONS = linkedin_file(
    "Priya,Rao,https://www.linkedin.com/in/priyarao,,Northwind Analytics,Director of Data,03 Jun 2019",
    "Tomás,Herrera,https://www.linkedin.com/in/tomasherrera,,Northwind Analytics,Software Engineer,15 Sep 2020",
    "Ingrid,Larsen,https://www.linkedin.com/in/ingridlarsen,,Equinor,Geophysicist,02 Feb 2016",
    "Kwame,Mensah,,kwame@example.com,Paystack,Product Manager,21 Aug 2018",
    "Nobody,Reachable,,,Initech,Analyst,09 Mar 2022",
)


@pytest.fixture
def network(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The connections imported (unsorted, as LinkedIn's people come in) and --local remembered."""
    assert run(capsys, "--local", "import", str(write(tmp_path, "Connections.csv", CONNECTIONS)))[0] == 0
    return tmp_path


def people() -> dict[str, Contact]:
    return {c.name: c for c in stored().contacts}


def at_a_terminal(monkeypatch: pytest.MonkeyPatch, keys: str) -> None:
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("sys.stderr.isatty", lambda: True, raising=False)
    pressed = iter(keys)
    monkeypatch.setattr(sorting, "read_key", lambda: next(pressed))


def test_sort_at_a_terminal_asks_former_colleagues_first_one_key_each(
    network: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(capsys, "history", "add", "Northwind Analytics", "--from", "2019-04", "--to", "2023-06")[0] == 0
    at_a_terminal(monkeypatch, "ax" + "b" + "s" + "q")  # x is no choice: asked again

    code, _, err = run(capsys, "sort")

    assert code == 0
    asked = [line for line in err.splitlines() if line.startswith("[")]
    assert asked[0].startswith("[1/5] Priya Rao") and asked[1].startswith("[2/5] Tomás Herrera")
    assert "your boss or mentor?" in err and "A former colleague at Northwind Analytics 2019–2023" in err
    found = people()
    priya, tomas = found["Priya Rao"], found["Tomás Herrera"]
    assert (priya.tier, priya.relationship, priya.unsorted) == (Tier.A, Relationship.BOSS, False)
    assert (tomas.tier, tomas.relationship) == (Tier.B, Relationship.COLLEAGUE)
    assert found["Ingrid Larsen"].unsorted  # skipped, then quit
    assert "Sorted 2; 3 still unsorted" in err


def test_sort_with_p_takes_them_out_of_the_rotation(
    network: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    at_a_terminal(monkeypatch, "ppppp")

    assert run(capsys, "sort")[0] == 0

    assert all(c.paused and not c.unsorted for c in stored().contacts)
    assert run(capsys, "sort")[2].strip() == "Everyone is sorted."


def test_sort_in_a_script_names_the_person_and_the_choice(network: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "sort", "ingrid", "--tier", "C", "--relationship", "friend")
    assert code == 0 and "Sorted Ingrid Larsen: rarely (tier C), friend." in err
    code, _, err = run(capsys, "sort", "Kwame Mensah", "--pause")
    assert code == 0 and "Sorted Kwame Mensah: not in rotation." in err
    found = people()
    ingrid, kwame = found["Ingrid Larsen"], found["Kwame Mensah"]
    assert (ingrid.tier, ingrid.relationship, ingrid.unsorted) == (Tier.C, Relationship.FRIEND, False)
    assert kwame.paused and not kwame.unsorted
    assert ingrid.sorted_on is not None  # its first due date is spread from today


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["sort"], "asks at a terminal"),
        (["sort", "Ingrid"], "give --tier A, B or C, or --pause"),
        (["sort", "Ingrid", "--tier", "A", "--pause"], "give --tier A, B or C, or --pause"),
        (["sort", "--tier", "A"], "name the person to sort"),
        (["sort", "Zed", "--tier", "A"], "no contact matches 'Zed'"),
    ],
)
def test_sort_mistakes_are_named(network: Path, capsys: pytest.CaptureFixture[str], argv: list[str], said: str) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2 and said in err and "Traceback" not in err


def test_sort_with_an_unknown_tier_or_relationship_is_refused_by_name(
    network: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "'--tier'" in run(capsys, "sort", "Ingrid", "--tier", "D")[2]
    assert "'--relationship'" in run(capsys, "sort", "Ingrid", "--tier", "A", "--relationship", "nemesis")[2]


def test_contacts_list_shows_the_unsorted_and_the_unreachable(
    network: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "sort", "Ingrid", "--tier", "B")[0] == 0

    unsorted = json.loads(run(capsys, "contacts", "list", "--unsorted", "--json")[1])
    unreachable = json.loads(run(capsys, "contacts", "list", "--unreachable", "--json")[1])
    table = run(capsys, "contacts", "list")[1]

    assert {c["name"] for c in unsorted} == {"Priya Rao", "Tomás Herrera", "Kwame Mensah", "Nobody Reachable"}
    assert all(c["unsorted"] for c in unsorted)
    assert [c["name"] for c in unreachable] == ["Nobody Reachable"] and unreachable[0]["channels"] == []
    assert "unsorted" in table
    kwame = next(c for c in unsorted if c["name"] == "Kwame Mensah")
    assert kwame["channels"] == ["email"]


def test_history_add_list_remove(network: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "history", "add", "Acme", "--from", "2015-01", "--to", "2018-12")[0] == 0
    assert run(capsys, "history", "add", "Northwind Analytics", "--from", "2019-04")[0] == 0
    assert run(capsys, "event", "add", "new_job", "--date", "2024-02-01", "--note", "Brightwave")[0] == 0

    listed = json.loads(run(capsys, "history", "list", "--json")[1])

    assert listed == [
        {"company": "Brightwave", "from": "2024-02", "to": None, "source": "new_job event"},
        {"company": "Northwind Analytics", "from": "2019-04", "to": None, "source": "history"},
        {"company": "Acme", "from": "2015-01", "to": "2018-12", "source": "history"},
    ]
    assert "Brightwave, 2024-02 to now  (from your new_job event)" in run(capsys, "history", "list")[1]
    code, _, err = run(capsys, "history", "remove", "acme inc.")  # compared as companies are: case, legal form
    assert code == 0 and "Removed Acme, 2015-01 to 2018-12" in err
    assert [s.company for s in stored().owner.work_history] == ["Northwind Analytics"]


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["history", "add", "Acme", "--from", "2019-13"], "--from '2019-13': expected a month as YYYY-MM"),
        (["history", "add", "Acme", "--from", "April"], "--from 'April': expected a month as YYYY-MM"),
        (["history", "add", "Acme", "--from", "2019-04", "--to", "2018-01"], "--to 2018-01 is before --from 2019-04"),
        (["history", "add", " ", "--from", "2019-04"], "name the company"),
        (["history", "remove", "Globex"], "'Globex' is not in your work history"),
    ],
)
def test_history_mistakes_are_named(
    network: Path, capsys: pytest.CaptureFixture[str], argv: list[str], said: str
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2 and said in err and "Traceback" not in err


def test_history_remove_asks_which_stint_when_there_were_two(network: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "history", "add", "Acme", "--from", "2012-01", "--to", "2013-06")
    run(capsys, "history", "add", "Acme", "--from", "2016-01", "--to", "2018-06")

    code, _, err = run(capsys, "history", "remove", "Acme")
    assert code == 2 and "2 stints" in err and "--from YYYY-MM" in err
    assert run(capsys, "history", "remove", "Acme", "--from", "2012-01")[0] == 0
    assert [s.start.year for s in stored().owner.work_history] == [2016]


def test_sort_per_digest_is_a_setting_with_a_cap(network: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "settings", "set", "--sort-per-digest", "25")
    assert code == 2 and "at most 20 people a digest" in err
    assert run(capsys, "settings", "set", "--sort-per-digest", "2")[0] == 0
    assert json.loads(run(capsys, "settings", "show", "--json")[1])["sort_per_digest"] == "2"
    assert len(json.loads(run(capsys, "preview", "--json")[1])["to_sort"]) == 2
