"""Which holidays are worth a greeting, and how to recognise them in the `holidays` library.

docs/design.md, "The rules of the digest".

Data only: to greet another holiday, add a rule here. The library's names differ between countries (Brazil's
1 January is "Universal Fraternization Day", Korea's lunar new year is "Korean New Year"), so a rule names
the date or the several words that identify it, never one country's English name alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

LIBRARY_LANGUAGE = "en_US"  # asked of every country; those without it already name their holidays in English


@dataclass(frozen=True, slots=True)
class HolidayRule:
    name: str  # as the digest says it
    keywords: tuple[str, ...] = ()  # any of these in a library entry's name (lower case, "-" read as " ")
    countries: frozenset[str] | None = None  # None: every country whose calendar has it
    fixed: tuple[int, int] | None = None  # (month, day): only that date counts
    everywhere: bool = False  # a fixed date greeted in every country, public holiday or not
    greeting: str = "Season's greetings!"  # a first line for the note

    def __post_init__(self) -> None:
        if self.everywhere and self.fixed is None:
            raise ValueError(f"{self.name}: only a fixed date can be greeted everywhere")
        if not self.everywhere and not self.keywords:
            raise ValueError(f"{self.name}: needs the keywords that find it in a country's calendar")


GREETING_HOLIDAYS: tuple[HolidayRule, ...] = (
    HolidayRule("New Year's Day", fixed=(1, 1), everywhere=True, greeting="Happy New Year!"),
    # Only where 25 December is Christmas: Taiwan's 25 December is Constitution Day.
    HolidayRule("Christmas Day", keywords=("christmas",), fixed=(12, 25), greeting="Merry Christmas!"),
    HolidayRule(
        "Lunar New Year",
        keywords=("chinese new year", "lunar new year", "korean new year", "spring festival"),
        countries=frozenset({"CN", "HK", "TW", "SG", "MY", "ID", "KR", "VN"}),
        greeting="Happy Lunar New Year!",
    ),
    # Nepal keeps Diwali as Laxmi Puja, the main day of Tihar.
    HolidayRule(
        "Diwali",
        keywords=("diwali", "deepavali", "deepawali", "laxmi pooja", "laxmi puja", "lakshmi puja"),
        countries=frozenset({"IN", "SG", "MY", "NP"}),
        greeting="Happy Diwali!",
    ),
    HolidayRule("Eid al-Fitr", keywords=("eid al fitr", "eid ul fitr"), greeting="Eid Mubarak!"),
    HolidayRule(
        "Thanksgiving", keywords=("thanksgiving",), countries=frozenset({"US"}), greeting="Happy Thanksgiving!"
    ),
    HolidayRule("Rosh Hashanah", keywords=("rosh hashanah",), countries=frozenset({"IL"}), greeting="Shanah tovah!"),
)

# A word that makes an entry something other than the holiday's first day: eves, substitutes, extra days.
NOT_A_FIRST_DAY = frozenset(
    {"eve", "preceding", "observed", "substitute", "alternative", "additional", "extended", "after", "following"}
)

# "The second day of Chinese New Year" says the first day was the day before: used where the first day itself
# is missing (Hong Kong lists no first day when it falls on a Sunday).
ORDINAL_DAYS: Mapping[str, int] = {"second": 2, "third": 3, "fourth": 4, "fifth": 5}

# Countries whose national list lacks holidays that nearly every region keeps: read one region's calendar.
# Malaysia's Deepavali is a holiday in every state but Sarawak, not a federal one; 14 is Kuala Lumpur.
CALENDAR_SUBDIVISION: Mapping[str, str] = {"MY": "14"}
