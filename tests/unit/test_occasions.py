"""DESIGN §4 "Occasions": which holidays are greeted, and on which day, from the holidays library's data."""

from __future__ import annotations

from datetime import date

import holidays
import pytest

from circleback.domain.holiday_calendar import greeting_holidays

# --- holidays: dates ------------------------------------------------------------------------------------


def library_first_day(country: str, year: int, name: str, subdiv: str | None = None) -> date:
    """Straight from the library: the earliest day of `year` with exactly that name (estimates allowed)."""
    calendar = holidays.country_holidays(country, subdiv=subdiv, years=year, language="en_US")
    return min(d for d in calendar for n in calendar.get_list(d) if n.removesuffix(" (estimated)") == name)


def holiday_dates(country: str, name: str, start: date, end: date) -> list[date]:
    return [h.date for h in greeting_holidays(country, start, end) if h.rule.name == name]


LUNAR_NEW_YEAR_NAMES = {
    "CN": "Chinese New Year (Spring Festival)",
    "HK": "Chinese New Year",
    "TW": "Chinese New Year",
    "SG": "Chinese New Year",
    "MY": "Chinese New Year",
    "ID": "Lunar New Year",
    "KR": "Korean New Year",
    "VN": "Lunar New Year",
}


@pytest.mark.parametrize("year", [2026, 2027])
@pytest.mark.parametrize("country", sorted(LUNAR_NEW_YEAR_NAMES))
def test_lunar_new_year_is_the_librarys_first_day(country: str, year: int) -> None:
    expected = library_first_day(country, year, LUNAR_NEW_YEAR_NAMES[country])
    assert holiday_dates(country, "Lunar New Year", date(year, 1, 1), date(year, 12, 31)) == [expected]


def test_lunar_new_year_known_dates() -> None:
    assert holiday_dates("CN", "Lunar New Year", date(2026, 1, 1), date(2027, 12, 31)) == [
        date(2026, 2, 17),
        date(2027, 2, 6),
    ]
    # Korea reckons the new moon in its own time zone: in 2027 its new year is a day after China's.
    assert holiday_dates("KR", "Lunar New Year", date(2027, 1, 1), date(2027, 12, 31)) == [date(2027, 2, 7)]


def test_hong_kong_lunar_new_year_on_a_sunday_is_counted_back_from_its_second_day() -> None:
    # The library lists only the second to fourth days in 2023, the first being a Sunday.
    assert holiday_dates("HK", "Lunar New Year", date(2023, 1, 1), date(2023, 12, 31)) == [date(2023, 1, 22)]


@pytest.mark.parametrize("year", [2026, 2027])
@pytest.mark.parametrize(
    ("country", "name", "subdiv"),
    [("IN", "Diwali", None), ("SG", "Diwali", None), ("NP", "Laxmi Pooja", None), ("MY", "Diwali", "14")],
)
def test_diwali_is_the_librarys_date(country: str, name: str, subdiv: str | None, year: int) -> None:
    expected = library_first_day(country, year, name, subdiv)
    assert holiday_dates(country, "Diwali", date(year, 1, 1), date(year, 12, 31)) == [expected]


def test_diwali_known_dates() -> None:
    assert holiday_dates("IN", "Diwali", date(2026, 1, 1), date(2027, 12, 31)) == [
        date(2026, 11, 8),
        date(2027, 10, 29),
    ]
    assert holiday_dates("SG", "Diwali", date(2027, 1, 1), date(2027, 12, 31)) == [date(2027, 10, 28)]


@pytest.mark.parametrize("year", [2026, 2027])
@pytest.mark.parametrize(
    ("country", "name"),
    [("ID", "Eid al-Fitr"), ("MY", "Eid al-Fitr"), ("TR", "Eid al-Fitr"), ("SA", "Eid al-Fitr Holiday")],
)
def test_eid_al_fitr_is_the_librarys_first_day(country: str, name: str, year: int) -> None:
    expected = library_first_day(country, year, name)
    assert holiday_dates(country, "Eid al-Fitr", date(year, 1, 1), date(year, 12, 31)) == [expected]


def test_eid_al_fitr_known_dates_and_extra_days_left_out() -> None:
    # Malaysia adds a day before (an "additional holiday") and a second day: neither is the first day.
    assert holiday_dates("MY", "Eid al-Fitr", date(2026, 3, 1), date(2026, 3, 31)) == [date(2026, 3, 21)]
    assert holiday_dates("SA", "Eid al-Fitr", date(2026, 3, 1), date(2026, 3, 31)) == [date(2026, 3, 19)]
    assert holiday_dates("US", "Eid al-Fitr", date(2026, 1, 1), date(2026, 12, 31)) == []  # not a public holiday


def test_brazils_1_january_is_new_years_day_whatever_the_library_calls_it() -> None:
    assert holiday_dates("BR", "New Year's Day", date(2026, 12, 28), date(2027, 1, 4)) == [date(2027, 1, 1)]


def test_new_years_day_is_greeted_in_every_country_even_where_it_is_no_public_holiday() -> None:
    assert holiday_dates("IL", "New Year's Day", date(2026, 12, 25), date(2027, 1, 5)) == [date(2027, 1, 1)]


def test_christmas_only_where_25_december_is_christmas() -> None:
    window = (date(2026, 12, 20), date(2026, 12, 27))
    assert holiday_dates("BR", "Christmas Day", *window) == [date(2026, 12, 25)]
    assert holiday_dates("TW", "Christmas Day", *window) == []  # Taiwan's 25 December is Constitution Day
    assert holiday_dates("CN", "Christmas Day", *window) == []


def test_no_item_for_a_country_with_no_greeting_worthy_holiday_in_the_window() -> None:
    # Japan's Labor Thanksgiving Day (23 November) is not Thanksgiving.
    assert greeting_holidays("JP", date(2026, 11, 22), date(2026, 11, 29)) == []


@pytest.mark.parametrize(
    ("country", "start", "end", "expected"),
    [
        # 1 January 2022 was a Saturday: the US observed it on Friday 31 December.
        ("US", date(2021, 12, 28), date(2022, 1, 4), [date(2022, 1, 1)]),
        ("US", date(2021, 12, 20), date(2021, 12, 27), [date(2021, 12, 25)]),  # observed on the 24th
        ("EE", date(2026, 12, 20), date(2026, 12, 27), [date(2026, 12, 25)]),  # Christmas Eve, Second Day
        ("IL", date(2026, 9, 1), date(2026, 9, 30), [date(2026, 9, 12)]),  # Rosh Hashanah's second day
        ("IL", date(2026, 9, 13), date(2026, 9, 20), []),
        ("CN", date(2026, 2, 16), date(2026, 2, 16), []),  # Chinese New Year's Eve
        ("CN", date(2026, 2, 18), date(2026, 2, 28), []),  # the new year's later days
        ("VN", date(2027, 2, 1), date(2027, 2, 5), []),  # "29 of Lunar New Year" and the eve
    ],
)
def test_first_days_only_no_eves_second_days_or_observed(
    country: str, start: date, end: date, expected: list[date]
) -> None:
    assert [h.date for h in greeting_holidays(country, start, end)] == expected
