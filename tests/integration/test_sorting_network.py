"""Issue 18's "done when", end to end on the local store: a real-sized LinkedIn export (1,500 connections, the
shape LinkedIn writes) and two former employers give a first digest that asks about likely bosses, then former
colleagues, and lists nobody unsorted as due; a later export where two people moved on gives their
"congratulate" items, recorded once as life events.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.format_files import linkedin_file
from tests.integration.test_cli_daily import run, write

FIRST = ("Ana", "Ben", "Chloé", "Dmitri", "Eun-ji", "Farid", "Greta", "Hiro", "Ines", "Jonas", "Kemi", "Liam")
LAST = ("Okafor", "Silva", "Novak", "Tanaka", "Müller", "Haddad", "Kowalski", "Reyes", "Lindqvist", "Osei")
ELSEWHERE = ("Initech", "Umbrella", "Hooli", "Vandelay Industries", "Stark Industries", "Wayne Enterprises")
JUNIOR = ("Software Engineer", "Analyst", "Designer", "Product Designer", "Data Scientist")  # none senior
SENIOR = ("Director of Engineering", "VP Product", "Head of Data", "Engineering Manager")
ACME = ("Acme, Inc.", date(2016, 3, 1), date(2019, 8, 1))  # as LinkedIn writes it; `history add Acme`
GLOBEX = ("Globex GmbH", date(2019, 9, 1), None)  # still there


def connection(rng: random.Random, i: int, company: str, title: str, connected: date) -> list[str]:
    first, last = rng.choice(FIRST), f"{rng.choice(LAST)}{i}"  # unique names, as 1,500 real people have
    url = f"https://www.linkedin.com/in/{first.lower()}-{last.lower()}-{i:x}"
    return [first, last, url, "", company, title, connected.strftime("%d %b %Y")]


def export(rows: list[list[str]]) -> str:
    return linkedin_file(*(",".join(f'"{c}"' if "," in c else c for c in row) for row in rows))


def network(size: int = 1500) -> list[list[str]]:
    """`size` connections: 40 met at Acme while the owner was there (8 senior), 25 at Globex (5 senior), 10 at Acme
    long after the owner left, and the rest elsewhere, connected between 2009 and 2025."""
    rng = random.Random(18)
    rows = []
    for i in range(size):
        if i < 40:
            company, start, end = ACME
            connected = start + timedelta(days=rng.randrange((end - start).days))
            title = SENIOR[i % 4] if i < 8 else rng.choice(JUNIOR)
        elif i < 65:
            company, start, _ = GLOBEX
            connected = start + timedelta(days=rng.randrange(1500))
            title = SENIOR[i % 4] if i < 45 else rng.choice(JUNIOR)
        elif i < 75:
            company, connected, title = "ACME Inc", date(2024, 5, 1) + timedelta(days=i), rng.choice(SENIOR)
        else:
            company = rng.choice(ELSEWHERE)
            connected = date(2009, 1, 1) + timedelta(days=rng.randrange(6000))
            title = rng.choice(JUNIOR + SENIOR)
        rows.append(connection(rng, i, company, title, connected))
    return rows


def preview(capsys: pytest.CaptureFixture[str], *options: str) -> Any:
    code, out, err = run(capsys, "preview", "--json", *options)
    assert code == 0, err
    return json.loads(out)


def test_a_linkedin_network_is_sorted_colleagues_first_and_its_news_becomes_occasions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = network()
    code, _, err = run(capsys, "--local", "import", str(write(tmp_path, "Connections.csv", export(rows))))
    assert code == 0 and "1500 imported" in err.replace(",", "")
    assert run(capsys, "history", "add", "Acme", "--from", "2016-03", "--to", "2019-08")[0] == 0
    assert run(capsys, "history", "add", "Globex", "--from", "2019-09")[0] == 0
    assert run(capsys, "settings", "set", "--sort-per-digest", "20")[0] == 0

    first = preview(capsys)

    asked = first["to_sort"]
    assert len(asked) == 20
    relationships = [item["suggestion"]["relationship"] for item in asked]
    assert relationships == ["boss"] * 13 + ["colleague"] * 7  # 8 + 5 senior at the two, then colleagues
    assert all("while you were there" in item["suggestion"]["why"] for item in asked)
    late = {f"{row[0]} {row[1]}" for row in rows[65:75]}  # at Acme, but met after the owner left
    assert not late & {item["name"] for item in asked}
    assert first["due"] == []  # nobody unsorted is ever due
    assert preview(capsys, "--as-of", (date.today() + timedelta(days=90)).isoformat())["due"] == []

    # A later export: one of them joined another company, another was promoted where they are.
    moved, promoted = rows[100], rows[101]
    later = [list(row) for row in rows]
    later[100][4:6] = ["Wonka Industries", "Head of Growth"]
    later[101][5] = f"Senior {promoted[5]}" if not promoted[5].startswith("Senior") else "Principal"
    code, _, err = run(capsys, "import", str(write(tmp_path, "Connections-2.csv", export(later))))
    assert code == 0, err

    events = json.loads(run(capsys, "event", "list", "--json")[1])
    news = {(e["contact"], e["kind"]) for e in events}
    assert news == {(f"{moved[0]} {moved[1]}", "new_job"), (f"{promoted[0]} {promoted[1]}", "promotion")}
    around_today = {(date.today() + timedelta(days=d)).isoformat() for d in (-1, 0, 1)}  # the owner's zone's today
    assert all(e["date"] in around_today and "->" in e["note"] for e in events)
    occasions = preview(capsys, "--as-of", (date.today() + timedelta(days=2)).isoformat())["occasions"]
    congratulated = {name for o in occasions if o["kind"] == "life_event" for name in o["contacts"]}
    assert congratulated == {f"{moved[0]} {moved[1]}", f"{promoted[0]} {promoted[1]}"}

    # The same export again records nothing new.
    assert run(capsys, "import", str(write(tmp_path, "Connections-3.csv", export(later))))[0] == 0
    assert len(json.loads(run(capsys, "event", "list", "--json")[1])) == 2
