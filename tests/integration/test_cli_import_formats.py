"""`circleback import` of other products' real-shaped CSV files (tests/fixtures/csv/): each is read as what it is,
skips and warnings are listed and exit 0; a file none of them wrote, or one whose content contradicts --format, is
a usage error (exit 2) that says what was recognised.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.integration.test_cli_daily import run, stored

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "csv"


def copied(tmp_path: Path, name: str) -> Path:
    return Path(shutil.copy(FIXTURES / name, tmp_path / name))


@pytest.mark.parametrize(
    ("name", "read_as", "counts"),
    [
        ("linkedin_2017.csv", "LinkedIn connections", "2 imported, 0 updated, 0 unchanged, 0 skipped, 0 rejected"),
        ("linkedin_excel_de.csv", "LinkedIn connections", "2 imported, 0 updated, 0 unchanged, 0 skipped, 0 rejected"),
        ("google_current.csv", "Google Contacts CSV", "2 imported, 0 updated, 0 unchanged, 0 skipped, 0 rejected"),
        ("outlook_desktop.csv", "Outlook CSV", "2 imported, 0 updated, 0 unchanged, 0 skipped, 0 rejected"),
        ("outlook_german.csv", "Outlook CSV", "2 imported, 0 updated, 0 unchanged, 0 skipped, 0 rejected"),
        ("thunderbird.csv", "Thunderbird address book CSV", "3 imported, 0 updated, 0 unchanged, 0 skipped"),
    ],
)
def test_each_products_file_is_read_as_what_it_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, read_as: str, counts: str
) -> None:
    code, _, err = run(capsys, "--local", "import", str(copied(tmp_path, name)))

    assert code == 0, err
    assert f"Read as {read_as}." in err and f"contacts: {counts}" in err


def test_a_member_who_left_and_a_row_twice_are_skipped_saying_why_and_exit_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = copied(tmp_path, "linkedin_2024.csv")

    code, _, err = run(capsys, "--local", "import", str(path))

    assert code == 0, err
    assert f"{path}: row 6: skipped: no name, email, company or phone in it" in err
    assert f"{path}: row 8: skipped: the same as row 5" in err
    assert "contacts: 2 imported, 0 updated, 0 unchanged, 2 skipped, 0 rejected" in err
    assert sorted(c.name for c in stored().contacts) == ["Aiko Tanabe", "Lena Okoro"]


def test_a_value_left_out_is_a_warning_and_the_contact_is_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = copied(tmp_path, "outlook_com.csv")

    code, _, err = run(capsys, "--local", "import", str(path))

    assert code == 0, err
    assert (
        f"{path}: row 2, birthday: left out, the contact kept: '3/5/1990' could be 3 May or 5 Mar, "
        "and no other date says"
    ) in err
    assert "contacts: 1 imported, 0 updated, 0 unchanged, 0 skipped, 0 rejected; 1 warning" in err
    [maya] = stored().contacts
    assert (maya.name, maya.country, maya.birthday) == ("Maya Goldberg", "IL", None)


def test_a_csv_no_known_product_wrote_is_a_usage_error_quoting_its_first_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = copied(tmp_path, "unknown.csv")

    code, _, err = run(capsys, "--local", "import", str(path))

    assert code == 2
    assert (
        f"{path}: cannot tell what kind of file this is: no header of a known export: the first row is Name, Phone, "
        "Mobile, Street, City, Zip, …; circleback reads "
    ) in err
    assert "(say which with --format)" in err
    assert "circleback contacts CSV:" not in err and "unknown column" not in err


def test_a_format_the_content_contradicts_is_a_usage_error_naming_what_it_looks_like(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = copied(tmp_path, "outlook_google.csv")

    code, _, err = run(capsys, "--local", "import", str(path), "--format", "google")

    assert code == 2
    assert (
        f"{path}: asked to read a Google Contacts CSV (format google), but this looks like an Outlook CSV: "
        "leave the format out to read it as one"
    ) in err
    code, _, err = run(capsys, "--local", "import", str(path), "--format", "outlook")
    assert code == 0 and "Read as Outlook CSV." in err
