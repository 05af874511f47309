"""How names, days and spans of time are said to a person, in the preview, the email and the pages alike."""

from __future__ import annotations

from datetime import date


def time_ago(days: int) -> str:
    """A span as a person says it: "today", "3 days ago", "5 weeks ago", "7 months ago", "2 years ago"."""
    if days <= 0:
        return "today"
    if days < 14:
        count, unit = days, "day"
    elif days < 60:
        count, unit = round(days / 7), "week"
    elif days < 730:
        count, unit = round(days / 30.44), "month"
    else:
        count, unit = round(days / 365.25), "year"
    return f"{count} {unit}{'' if count == 1 else 's'} ago"


def first_name(name: str) -> str:
    parts = name.split()
    return parts[0] if parts else name


def long_day(day: date) -> str:
    """A date as a person reads it in a sentence: "Sunday 6 December 2026"."""
    return f"{day:%A} {day.day} {day:%B %Y}"
