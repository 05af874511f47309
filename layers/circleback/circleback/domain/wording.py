"""How spans of time are said to a person, in the preview and the email alike."""

from __future__ import annotations


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
