"""A file saved by Excel or Outlook in a legacy encoding imports with its names intact, and says how it was read."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.format_files import linkedin_file
from tests.integration.test_cli_daily import run, stored

CONNECTIONS = linkedin_file(
    "José,Núñez,https://www.linkedin.com/in/jnunez,,Café Crème,Directeur général,01 Jan 2021",
    "Jürgen,Größe,https://www.linkedin.com/in/jgroesse,,Müller & Söhne,Geschäftsführer,05 May 2022",
)


@pytest.mark.parametrize(("encoding", "shown"), [("cp1252", "Windows-1252"), ("utf-16", "UTF-16")])
def test_a_legacy_file_imports_with_its_names_intact_and_says_how_it_was_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], encoding: str, shown: str
) -> None:
    path = tmp_path / "Connections.csv"
    path.write_bytes(CONNECTIONS.encode(encoding))

    code, _, err = run(capsys, "--local", "import", str(path))

    assert code == 0, err
    assert f"Connections.csv: not UTF-8; read as {shown} (if names look wrong, say which with --encoding)" in err
    people = {c.name: c for c in stored().contacts}
    assert sorted(people) == ["José Núñez", "Jürgen Größe"]
    assert (people["José Núñez"].company, people["Jürgen Größe"].title) == ("Café Crème", "Geschäftsführer")


def test_a_utf8_file_says_nothing_of_its_encoding(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "Connections.csv"
    path.write_bytes(b"\xef\xbb\xbf" + CONNECTIONS.encode())

    code, _, err = run(capsys, "--local", "import", str(path))

    assert code == 0 and "read as" not in err and "2 imported" in err


def test_a_workbook_is_refused_with_what_to_do(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "Connections.xlsx"
    path.write_bytes(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xff\xfe\x80")

    code, _, err = run(capsys, "--local", "import", str(path))

    assert code == 2
    assert err.strip().endswith(
        "Connections.xlsx: a workbook or other zip file, not text: save it as CSV (CSV UTF-8 in Excel)"
    )


def test_encoding_given_wins_over_the_guess(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "Connections.csv"
    path.write_bytes(linkedin_file("Józef,Łęcki,,,Żabka,Kierownik,01 Jan 2021").encode("cp1250"))

    code, _, err = run(capsys, "--local", "import", str(path), "--encoding", "cp1250")

    assert code == 0 and "read as" not in err, err
    assert [(c.name, c.company) for c in stored().contacts] == [("Józef Łęcki", "Żabka")]
