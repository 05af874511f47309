"""The generated LinkedIn Connections.csv (bench.connections): LinkedIn's shape, realistic rows, read by circleback
as LinkedIn's export with every row accepted."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import date

import pytest

from bench import connections
from circleback.formats.detect import Format, detect_format, parse_contacts

TODAY = date(2026, 12, 1)


@pytest.fixture(scope="module")
def text() -> str:
    return connections.connections_csv(2000)


def test_the_same_seed_gives_the_same_file_and_another_seed_another() -> None:
    assert connections.connections_csv(50) == connections.connections_csv(50)
    assert connections.connections_csv(50, seed=1) != connections.connections_csv(50)


def test_it_opens_with_linkedins_notes_then_its_header(text: str) -> None:
    lines = text.splitlines()
    assert lines[0] == "Notes:"
    assert lines[1].startswith('"When exporting your connection data') and lines[2] == ""
    assert lines[3] == "First Name,Last Name,URL,Email Address,Company,Position,Connected On"


def test_rows_look_like_a_real_network(text: str) -> None:
    rows = connections.rows_of(text)
    assert len(rows) == 2000 and all(len(row) == 7 for row in rows)
    emails = [row[3] for row in rows]
    assert 0.2 < emails.count("") / len(rows) < 0.9  # most members share no address, some do
    assert len(set(filter(None, emails))) == len([e for e in emails if e])  # an address is one person's
    assert len({row[2] for row in rows}) == len(rows)  # every profile URL is its own
    companies = Counter(row[4] for row in rows if row[4])
    assert companies.most_common(1)[0][1] > 50 and len(companies) > 100  # a few employers recur, a long tail
    assert any(not row[4] for row in rows)
    assert any(re.search(r"[^\x00-\x7f]", row[0] + row[1]) for row in rows)  # accents
    assert any("," in row[1] for row in rows)  # a suffix such as ", PhD", quoted
    assert all(re.fullmatch(r"\d{2} [A-Z][a-z]{2} \d{4}", row[6]) for row in rows)  # 14 Nov 2023


def test_connections_are_listed_newest_first(text: str) -> None:
    days = [
        date(int(r[6][-4:]), connections._MONTHS.index(r[6][3:6]) + 1, int(r[6][:2])) for r in connections.rows_of(text)
    ]
    assert days == sorted(days, reverse=True)


def test_circleback_reads_it_as_linkedins_export_and_accepts_every_row(text: str) -> None:
    assert detect_format(text, "Connections.csv") is Format.LINKEDIN
    parsed = parse_contacts(text, Format.LINKEDIN, TODAY)
    assert parsed.errors == []
    assert len(parsed.rows) == 2000
    assert [row.name for _, row in parsed.rows] == connections.names(text)


def test_the_csv_quoting_is_standard(text: str) -> None:
    header_at = text.index("First Name,")
    rows = list(csv.reader(io.StringIO(text[header_at:])))
    assert rows[1:] == connections.rows_of(text)


def test_a_unique_name_is_held_by_one_row_and_part_of_no_other() -> None:
    rows = [
        ["Ana", "Souza", "u1", "", "", "", "01 Jan 2024"],
        ["Ana", "Souza", "u2", "", "", "", "01 Jan 2024"],
        ["Bo", "Li", "u3", "", "", "", "01 Jan 2024"],
        ["Zoë", "Kim", "u5", "", "", "", "01 Jan 2024"],
        ["Zoe", "Kim", "u6", "", "", "", "01 Jan 2024"],
        ["Bo", "Lindqvist", "u4", "", "", "", "01 Jan 2024"],
        ["Mei", "Wang", "u7", "", "", "", "01 Jan 2024"],
    ]
    out = io.StringIO()
    out.write("\n".join(connections.NOTES) + "\n")
    csv.writer(out, lineterminator="\n").writerows([connections.HEADER, *rows])
    # Ana Souza is two rows, Bo Li is part of Bo Lindqvist, Zoë Kim is Zoe Kim to a person typing
    assert connections.unique_name(out.getvalue()) == "Bo Lindqvist"


def test_no_unique_name_is_an_error() -> None:
    text = connections.connections_csv(0)
    with pytest.raises(ValueError, match="every name"):
        connections.unique_name(text)
