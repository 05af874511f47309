"""Places from the command line, on the local store (issue 20): cities from address books and by hand, the home
city, trips and the digest's trip item, and one touch for several people."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from circleback.domain.model import Channel, Contact
from tests.format_files import OUTLOOK_GERMAN_HEADER, OUTLOOK_HEADER, cards, csv_file, google_file
from tests.integration.test_cli_daily import run, stored, write

BERLIN = "geonames:2950159"
MUNICH = "geonames:2867714"
LISBON = "geonames:2267057"


def people() -> dict[str, Contact]:
    return {c.name: c for c in stored().contacts}


@pytest.fixture
def store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """An empty local store, remembered as the default."""
    assert run(capsys, "use", "--local")[0] == 0
    return tmp_path


def add(capsys: pytest.CaptureFixture[str], name: str, *options: str) -> None:
    code, _, err = run(capsys, "contacts", "add", name, "--tier", "A", *options)
    assert code == 0, err


# --- cities from the address books people export -----------------------------------------------------------


def test_a_google_export_s_city_is_read_and_keyed(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = google_file(
        {"First Name": "Lena", "Last Name": "Krüger", "E-mail 1 - Value": "lena@example.de",
         "Address 1 - City": "München", "Address 1 - Country": "Germany"},
        {"First Name": "Rui", "Last Name": "Costa", "E-mail 1 - Value": "rui@example.pt", "Address 1 - City": "Lisboa"},
    )  # fmt: skip

    assert run(capsys, "import", str(write(store, "contacts.csv", export)))[0] == 0

    found = people()
    assert (found["Lena Krüger"].city, found["Lena Krüger"].city_key) == ("München", MUNICH)
    assert (found["Rui Costa"].city, found["Rui Costa"].city_key) == ("Lisboa", LISBON)


@pytest.mark.parametrize(
    ("header", "row"),
    [
        (OUTLOOK_HEADER, {"First Name": "Max", "Last Name": "Weber", "E-mail Address": "max@example.de",
                          "Home City": "", "Business City": "Munich", "Business Country/Region": "Germany"}),
        (OUTLOOK_GERMAN_HEADER, {"Vorname": "Max", "Nachname": "Weber", "E-Mail-Adresse": "max@example.de",
                                 "Ort privat": "Muenchen", "Ort geschäftlich": "Berlin"}),
    ],
)  # fmt: skip
def test_an_outlook_export_s_home_city_else_business_city_is_read(
    store: Path, capsys: pytest.CaptureFixture[str], header: list[str], row: dict[str, str]
) -> None:
    export = csv_file(header, row, bom=True)

    assert run(capsys, "import", str(write(store, "contacts.csv", export)))[0] == 0

    assert people()["Max Weber"].city_key == MUNICH  # "Munich" at work in English, "Muenchen" at home in German


def test_a_vcard_s_preferred_address_gives_the_city(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    card = [
        "VERSION:3.0",
        "FN:Sofia Almeida",
        "EMAIL:sofia@example.pt",
        "item1.ADR;type=WORK:;;Avenida da Liberdade 1;Porto;;4000-001;Portugal",
        "item2.ADR;type=HOME;type=pref:;;Rua Augusta 10;Lisboa;;1100-053;Portugal",
    ]

    assert run(capsys, "import", str(write(store, "sofia.vcf", cards(card))))[0] == 0

    assert (people()["Sofia Almeida"].city, people()["Sofia Almeida"].city_key) == ("Lisboa", LISBON)


# --- by hand ----------------------------------------------------------------------------------------------


def test_contacts_add_and_edit_key_the_city_and_settings_set_the_home_city(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add(capsys, "Tom Becker", "--email", "tom@example.de", "--city", "berlin")
    assert people()["Tom Becker"].city_key == BERLIN
    assert run(capsys, "contacts", "edit", "Tom Becker", "--city", "München")[0] == 0
    assert people()["Tom Becker"].city_key == MUNICH
    assert run(capsys, "contacts", "edit", "Tom Becker", "--city", "")[0] == 0
    assert people()["Tom Becker"].city_key is None

    code, _, err = run(capsys, "settings", "set", "--city", "Lisboa")
    assert code == 0 and "home city" in err
    owner = stored().owner
    assert (owner.city, owner.city_key) == ("Lisboa", LISBON)
    assert run(capsys, "settings", "set", "--city", "none")[0] == 0
    assert stored().owner.city_key is None


def test_a_due_person_at_home_gets_a_coffee_suggested(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    long_ago = (date.today() - timedelta(days=100)).isoformat()
    add(capsys, "Rui Costa", "--email", "rui@example.pt", "--city", "Lisbon", "--last-touch", long_ago)
    assert run(capsys, "settings", "set", "--city", "Lisboa", "--lookahead", "0")[0] == 0

    code, out, _ = run(capsys, "preview")

    assert code == 0 and "Suggest a coffee: you're both in Lisbon." in out


# --- trips ------------------------------------------------------------------------------------------------


def test_a_trip_is_added_listed_shown_in_the_preview_and_removed(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recent = (date.today() - timedelta(days=2)).isoformat()  # in touch lately: nobody is due, only the trip
    for name, city in (("Tom Becker", "Berlin"), ("Hannah Schmidt", "berlin"), ("Rui Costa", "Lisboa")):
        add(capsys, name, "--email", f"{name.split()[0].lower()}@example.com", "--city", city, "--last-touch", recent)
    start = date.today() + timedelta(days=10)
    end = start + timedelta(days=2)

    code, out, err = run(capsys, "trip", "add", "Berlin", "--from", start.isoformat(), "--to", end.isoformat())
    assert code == 0 and "There: Hannah Schmidt, Tom Becker." in err
    trip_id = out.strip()
    assert run(capsys, "trip", "add", "Berlin", "--from", start.isoformat(), "--to", end.isoformat())[1] == out

    listed = json.loads(run(capsys, "trip", "list", "--json")[1])
    assert listed == [{"id": trip_id, "city": "Berlin", "from": start.isoformat(), "to": end.isoformat(),
                       "contacts": ["Hannah Schmidt", "Tom Becker"]}]  # fmt: skip

    preview = json.loads(run(capsys, "preview", "--json")[1])
    [trip] = [o for o in preview["occasions"] if o["kind"] == "trip"]
    assert trip["date"] == start.isoformat() and trip["label"].startswith("In Berlin ")
    assert sorted(trip["contacts"]) == ["Hannah Schmidt", "Tom Becker"]
    assert "· Hannah Schmidt, Tom Becker" in run(capsys, "preview")[1]

    assert run(capsys, "trip", "remove", trip_id)[0] == 0
    assert json.loads(run(capsys, "trip", "list", "--json")[1]) == []
    code, _, err = run(capsys, "trip", "remove", trip_id)
    assert code != 0 and "no trip with id" in err


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["Berlin", "--from", "2020-01-01"], "the trip is over"),
        (["Berlin", "--from", "2099-03-05", "--to", "2099-03-01"], "ends (2099-03-01) before it starts"),
        (["Berlin", "--from", "2099-01-01", "--to", "2099-06-01"], "at most 90 days"),
        (["  ", "--from", "2099-01-01"], "needs a city"),
    ],
)
def test_a_trip_that_makes_no_sense_is_refused_with_why(
    store: Path, capsys: pytest.CaptureFixture[str], argv: list[str], reason: str
) -> None:
    code, _, err = run(capsys, "trip", "add", *argv)

    assert code != 0 and reason in err
    assert stored().trips == []


# --- one touch, several people ----------------------------------------------------------------------------


def test_one_lunch_logs_a_meeting_for_each_under_one_note_and_a_typo_logs_nobody(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("Tom Becker", "Priya Natarajan", "Ken Watanabe"):
        add(capsys, name, "--email", f"{name.split()[0].lower()}@example.com")

    code, _, err = run(capsys, "touch", "tom", "priya", "Nobody Known", "--channel", "lunch")
    assert code != 0 and not stored().touches

    code, _, err = run(capsys, "touch", "tom", "priya", "ken", "tom", "--channel", "lunch", "--note", "Old team lunch")
    assert code == 0 and err.count("Logged outbound meeting") == 3

    touches = stored().touches
    assert len(touches) == 3
    assert {(t.channel, t.note) for t in touches} == {(Channel.MEETING, "Old team lunch")}
    assert run(capsys, "touch", "tom", "priya", "ken", "--channel", "lunch", "--note", "Old team lunch")[0] == 0
    assert len(stored().touches) == 3  # the same lunch again: already logged, each


def test_the_old_team_in_your_city_is_one_group_in_the_preview(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    long_ago = (date.today() - timedelta(days=200)).isoformat()
    for name in ("Ada Byron", "Bob Hart", "Cy Lee"):
        email = f"{name.split()[0].lower()}@example.com"
        add(capsys, name, "--email", email, "--company", "Northwind Analytics", "--city", "London",
            "--last-touch", long_ago)  # fmt: skip
    assert run(capsys, "settings", "set", "--city", "London", "--max-due", "0")[0] == 0

    preview = json.loads(run(capsys, "preview", "--json")[1])

    [group] = [o for o in preview["occasions"] if o["kind"] == "group"]
    assert group["label"] == "Northwind Analytics"
    assert group["contacts"] == ["Ada Byron", "Bob Hart", "Cy Lee"]


def test_preview_json_says_who_is_lapsed(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add(capsys, "Long Gone", "--last-touch", (date.today() - timedelta(days=500)).isoformat())
    add(capsys, "Just Due", "--last-touch", (date.today() - timedelta(days=70)).isoformat())

    due = json.loads(run(capsys, "preview", "--json")[1])["due"]

    assert {item["name"]: item["lapsed"] for item in due} == {"Long Gone": True, "Just Due": False}
