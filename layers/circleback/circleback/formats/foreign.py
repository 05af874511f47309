"""Records of other products' files (LinkedIn, Google, Outlook and Thunderbird CSVs, vCards), read as a person
would want them read. The rules, and why, are in docs/imports.md ("Nothing silently wrong"):

- a record with nothing a person gave (LinkedIn's `,,,,,,02 Jun 2022`) is skipped, with why;
- a record with no name but an email, a company, a LinkedIn address or a phone becomes a contact named from it,
  with a warning;
- a value that cannot be read as its field (a birthday "circa 1800", an email "n/a") is left out, with a warning:
  the contact and everything else it holds still count;
- anything else wrong (a value too long to keep, a name with a line break) refuses the record: leaving it out
  would lose what the person wrote, so the import says so and exits 1.

circleback's own CSV files are not read this way: they are written for circleback, so a bad cell there is a
refusal that names it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from circleback.domain.matching import normalise_linkedin
from circleback.formats.csvfile import ParsedFile, Problem, RowError, RowNote, first_problem
from circleback.formats.rows import ContactRow, check_email

# Fields a record keeps its contact without, when their value cannot be read as what the field holds.
DROPPABLE = frozenset(
    {"email", "other_emails", "phone", "linkedin_url", "country", "birthday", "first_seen", "worked_together_until"}
)
_TOO_LONG = frozenset({"string_too_long", "too_long"})
# What counts as something a person gave: a record with none of these is a blank line with a date.
_GIVEN = ("name", "email", "other_emails", "phone", "linkedin_url", "company", "title", "notes", "birthday", "tags")
_WORD_BREAKS = re.compile(r"[._+\-]+")

Warnings = list[tuple[str | None, str]]
"""What a layout noticed while mapping a record (field, what it did), kept as warnings if the record is imported."""
LEFT_OUT = "left out, the contact kept: "


def leave_out(warnings: Warnings, field: str, reason: str) -> None:
    """Say that a value the layout could not read is left out (the record's other values still count)."""
    warnings.append((field, LEFT_OUT + reason))


def add_record(
    parsed: ParsedFile[ContactRow],
    number: int,
    values: Mapping[str, Any],
    today: date,
    warnings: Iterable[tuple[str | None, str]] = (),
) -> None:
    """Put one record's canonical values into `parsed`: a row (with its warnings), a skip or a refusal."""
    unit = parsed.unit
    values = dict(values)
    notes = [RowNote(number, field, reason, unit) for field, reason in warnings]
    if _blank(values.get("name")):
        if not any(not _blank(values.get(field)) for field in _GIVEN):
            parsed.skipped.append(RowNote(number, None, "skipped: no name, email, company or phone in it", unit))
            return
        named = fallback_name(values)
        if named is None:
            reason = "is required: the record has no name, email, company, LinkedIn address or phone to name it by"
            parsed.errors.append(RowError(number, "name", reason, unit))
            return
        values["name"], source = named
        notes.append(RowNote(number, "name", f"none given: named {values['name']!r} from the {source}", unit))
    for _ in range(len(DROPPABLE) + len(values)):  # each pass leaves out one value (or one of several addresses)
        row, problem = first_problem(ContactRow, values, today)
        if problem is None and row is not None:
            parsed.rows.append((number, row))
            parsed.warnings.extend(notes)
            return
        if problem is None or problem.field not in DROPPABLE or problem.kind in _TOO_LONG:
            break
        values = _without(values, problem)
        notes.append(RowNote(number, problem.error(number, unit).field, LEFT_OUT + problem.reason, unit))
    if problem is not None:
        parsed.errors.append(problem.error(number, unit))


def fallback_name(values: Mapping[str, Any]) -> tuple[str, str] | None:
    """A name for a record that has none, and what it came from: its email's name part, its company, its
    LinkedIn profile's name part, its phone; None when it has none of them.
    """
    for email in (values.get("email"), *(values.get("other_emails") or ())):
        if isinstance(email, str) and _is_email(email.strip()):
            return _words(email.strip().partition("@")[0]), "email"
    company = values.get("company")
    if isinstance(company, str) and company.strip():
        return company.strip(), "company"
    url = values.get("linkedin_url")
    profile = normalise_linkedin(url) if isinstance(url, str) else None
    if profile:
        return _words(profile.rstrip("/").rsplit("/", 1)[-1]), "LinkedIn address"
    phone = values.get("phone")
    if isinstance(phone, str) and phone.strip():
        return phone.strip(), "phone"
    return None


def _words(handle: str) -> str:
    """jane.doe -> Jane Doe; a handle with capitals of its own (JDoe) is kept as written."""
    words = [word for word in _WORD_BREAKS.split(handle) if word]
    if not words:
        return handle
    if handle.islower():
        return " ".join(word.capitalize() for word in words)
    return " ".join(words)


def _is_email(text: str) -> bool:
    try:
        check_email(text)
    except ValueError:
        return False
    return True


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, tuple | list):
        return all(_blank(item) for item in value)
    return False


def _without(values: dict[str, Any], problem: Problem) -> dict[str, Any]:
    """The values with the unreadable one left out: one of several other addresses, or the whole field. A bad
    first email gives its place to the next address.
    """
    field = problem.field or ""
    values = dict(values)
    if field == "other_emails" and len(problem.loc) > 1 and isinstance(problem.loc[1], int):
        others = list(values.get("other_emails") or ())
        del others[problem.loc[1]]
        values["other_emails"] = tuple(others)
    elif field == "email" and values.get("other_emails"):
        first, *rest = values["other_emails"]
        values["email"], values["other_emails"] = first, tuple(rest)
    else:
        values[field] = None
    return values
