"""When each greeting-worthy holiday falls in one country, read from the `holidays` library's data.

The library is imported on first use, not with this module: only a digest that looks for holidays pays for it.
Each (country, year) is read once per process, so a warm Lambda serves later digests from memory.

Cold start, measured (min of 7 fresh processes): importing the library takes about 80 ms and the first week's
lookups for five countries about 57 ms more, so a cold digest pays roughly 140 ms, and a cold calendar feed
(a year, ten countries) about 150 ms plus 60 ms for icalendar. Neither waits on a person: the digest is a
queued job and a calendar app polls in the background. The link pages, the touch API and the dispatcher never
import either library (a test checks each handler). Precomputing a table of dates at build time would save
that time but freeze the library's data (lunar dates, new public holidays) into each build and add a build
step; lazy import keeps one source of truth, so it is the choice until a measured budget says otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from circleback.domain.holiday_rules import (
    CALENDAR_SUBDIVISION,
    GREETING_HOLIDAYS,
    LIBRARY_LANGUAGE,
    NOT_A_FIRST_DAY,
    ORDINAL_DAYS,
    HolidayRule,
)

# Entries this close belong to one holiday, even with a weekend between them.
RUN_GAP_DAYS = 3
# Read a few days past each end of the window: a run's earlier days, or a "second day" just after it.
SCAN_MARGIN = timedelta(days=7)

Entry = tuple[date, str]


@dataclass(frozen=True, slots=True)
class HolidayDate:
    rule: HolidayRule
    date: date


def greeting_holidays(country: str, start: date, end: date) -> list[HolidayDate]:
    """The first days of the greeting-worthy holidays of `country` in [start, end], in date order."""
    country = country.upper()
    entries = _entries(country, start - SCAN_MARGIN, end + SCAN_MARGIN)
    found = [
        HolidayDate(rule, day)
        for rule in GREETING_HOLIDAYS
        if rule.countries is None or country in rule.countries
        for day in _first_days(rule, entries, start, end)
        if start <= day <= end
    ]
    return sorted(found, key=lambda h: (h.date, h.rule.name))


def _first_days(rule: HolidayRule, entries: list[Entry], start: date, end: date) -> set[date]:
    if rule.everywhere and rule.fixed is not None:
        month, day = rule.fixed
        return {date(year, month, day) for year in range(start.year, end.year + 1)}
    days = _first_days_in_calendar(rule, entries)
    if rule.fixed is not None:
        days = {d for d in days if (d.month, d.day) == rule.fixed}
    return days


def _first_days_in_calendar(rule: HolidayRule, entries: list[Entry]) -> set[date]:
    """The first day of each run of the rule's entries; eves, substitutes and extra days never start one.

    An entry such as "The second day of Chinese New Year" counts back to its first day, which the calendar
    may leave out (Hong Kong's first day when it is a Sunday).
    """
    days: list[tuple[date, int]] = []  # (date, which day of the holiday it is; 1 when the name does not say)
    for day, name in entries:
        words = _words(name)
        if _mentions(words, rule.keywords) and not _is_extra_day(words):
            days.append((day, _ordinal(words)))
    held = {day for day, _ in days}
    firsts = set()
    for day, nth in days:
        if nth > 1:
            firsts.add(day - timedelta(days=nth - 1))
        elif not any(day - timedelta(days=k) in held for k in range(1, RUN_GAP_DAYS + 1)):
            firsts.add(day)
    return firsts


def _words(name: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", name.lower())


def _mentions(words: list[str], keywords: tuple[str, ...]) -> bool:
    text = f" {' '.join(words)} "
    return any(f" {' '.join(_words(keyword))} " in text for keyword in keywords)


def _is_extra_day(words: list[str]) -> bool:
    # Numbered days ("29 of Lunar New Year", Vietnam's) are the days before it, never the first.
    return any(w in NOT_A_FIRST_DAY or w.isdigit() for w in words)


def _ordinal(words: list[str]) -> int:
    if "day" not in words:
        return 1
    return next((ORDINAL_DAYS[w] for w in words if w in ORDINAL_DAYS), 1)


def _entries(country: str, start: date, end: date) -> list[Entry]:
    return [
        (day, name)
        for year in range(start.year, end.year + 1)
        for day, name in _calendar(country, year)
        if start <= day <= end
    ]


@lru_cache(maxsize=1024)
def _calendar(country: str, year: int) -> tuple[Entry, ...]:
    """The country's public holidays of one year, one entry per name, without "observed" substitutes."""
    import holidays  # here, not at the top: other handlers must not pay for the import at a cold start

    try:
        calendar = holidays.country_holidays(
            country,
            subdiv=CALENDAR_SUBDIVISION.get(country),
            years=year,
            language=LIBRARY_LANGUAGE,
            observed=False,
        )
    except NotImplementedError:  # a country the library does not know: no calendar to read
        return ()
    return tuple(sorted((day, name) for day in calendar for name in calendar.get_list(day)))
