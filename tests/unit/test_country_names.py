"""Countries as address books write them: codes, iso3166.tab's names, and the other names people use."""

from __future__ import annotations

import pytest

from circleback.domain.countries import COUNTRY_ALIASES, COUNTRY_NAMES, country_code_of


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("DE", "DE"),
        ("de", "DE"),
        (" Germany ", "DE"),
        ("GERMANY", "DE"),
        ("Deutschland", "DE"),
        ("USA", "US"),
        ("United States of America", "US"),
        ("UK", "GB"),
        ("U.K.", "GB"),
        ("Bosnia and Herzegovina", "BA"),  # iso3166.tab writes "Bosnia & Herzegovina"
        ("Österreich", "AT"),
        ("osterreich", "AT"),
        ("日本", "JP"),
    ],
)
def test_a_country_written_as_a_person_writes_it_is_its_code(written: str, code: str) -> None:
    assert country_code_of(written) == code


@pytest.mark.parametrize("written", ["", "Atlantis", "XX", "Springfield"])
def test_an_unknown_country_is_none(written: str) -> None:
    assert country_code_of(written) is None


def test_every_table_name_and_alias_reads_back_to_its_code() -> None:
    assert all(country_code_of(name) == code for code, name in COUNTRY_NAMES.items())
    assert all(country_code_of(name) == code for name, code in COUNTRY_ALIASES.items())
