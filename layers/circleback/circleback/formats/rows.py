"""Validated rows of the canonical CSV files: pydantic at the boundary, one clear reason per bad field."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator

from circleback.domain.cadence import MAX_CADENCE_DAYS, MIN_CADENCE_DAYS
from circleback.domain.countries import is_country_code
from circleback.domain.mail_notices import is_address
from circleback.domain.matching import normalise_linkedin
from circleback.domain.model import (
    Birthday,
    Channel,
    Contact,
    Direction,
    EventKind,
    Relationship,
    Tier,
)

MAX_TEXT = 2000  # notes and the like: generous, but a row is not a novel
MAX_SHORT = 200  # names, companies, titles
EARLIEST_BIRTH_YEAR = 1900

# Exactly the spreadsheet's ISO forms: date.fromisoformat alone would also take week dates (2026-W01-1).
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_YEARLESS_DATE = re.compile(r"--([0-9]{2})-([0-9]{2})")
_WHOLE_NUMBER = re.compile(r"[0-9]+(?:\.0*)?")  # 30, or 30.0 as some spreadsheets export it


def blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _lower(value: Any) -> Any:
    value = blank_to_none(value)
    return value.lower() if isinstance(value, str) else value


def _upper(value: Any) -> Any:
    value = blank_to_none(value)
    return value.upper() if isinstance(value, str) else value


Text = Annotated[Annotated[str, Field(max_length=MAX_TEXT)] | None, BeforeValidator(blank_to_none)]
Short = Annotated[Annotated[str, Field(max_length=MAX_SHORT)] | None, BeforeValidator(blank_to_none)]


def not_future(value: date | None, info: ValidationInfo) -> date | None:
    today = (info.context or {}).get("today")
    if value is not None and today is not None and value > today:
        raise ValueError(f"{value.isoformat()} is in the future (today is {today.isoformat()})")
    return value


def _iso_date(value: Any) -> Any:
    value = blank_to_none(value)
    if isinstance(value, str):
        if not _ISO_DATE.fullmatch(value):
            raise ValueError(f"expected a date as YYYY-MM-DD, got {value!r}")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value} is not a real date") from None
    return value


IsoDate = Annotated[date | None, BeforeValidator(_iso_date)]
RequiredDate = Annotated[date, BeforeValidator(_iso_date)]


def check_email(value: str) -> str:
    """The address itself (no display name, one address), or a ValueError saying it is not one."""
    if not is_address(value):
        raise ValueError(f"{value!r} is not an email address")
    return value


def check_country(value: str | None) -> str | None:
    if value is not None and not is_country_code(value):
        raise ValueError(f"{value!r} is not an ISO 3166 two-letter country code (such as US, GB, IN)")
    return value


OtherEmail = Annotated[str, Field(max_length=MAX_SHORT), AfterValidator(check_email)]


class Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ContactRow(Row):
    name: Annotated[str, BeforeValidator(blank_to_none), Field(min_length=1, max_length=MAX_SHORT)]
    email: Short = None
    # More addresses of the same person (a Google or vCard contact may have several): they find a contact
    # already known by any of them, and mail from any of them is theirs. `contacts edit --other-emails` sets them.
    other_emails: tuple[OtherEmail, ...] = ()
    phone: Short = None
    linkedin_url: Short = None
    company: Short = None
    title: Short = None
    relationship: Annotated[Relationship | None, BeforeValidator(_lower)] = None
    tier: Annotated[Tier | None, BeforeValidator(_upper)] = None
    cadence_days: Annotated[int, Field(ge=MIN_CADENCE_DAYS, le=MAX_CADENCE_DAYS)] | None = None
    country: Annotated[str | None, BeforeValidator(_upper)] = None
    city: Short = None  # as written; the command line keys it (services/places.py located)
    birthday: Annotated[Birthday | None, BeforeValidator(blank_to_none)] = None
    worked_together_until: IsoDate = None
    first_seen: IsoDate = None
    tags: Annotated[tuple[str, ...] | None, BeforeValidator(blank_to_none)] = None
    notes: Text = None
    last_touch: IsoDate = None
    paused: Annotated[bool | None, BeforeValidator(_lower)] = None

    @field_validator("name", mode="after")
    @classmethod
    def _printable_name(cls, value: str) -> str:
        if any(unicodedata.category(ch) == "Cc" for ch in value):
            raise ValueError("contains control characters (such as a line break or a tab)")
        return value

    @field_validator("email", mode="after")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return None if value is None else check_email(value)

    @field_validator("linkedin_url", mode="after")
    @classmethod
    def _linkedin(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if normalise_linkedin(value) is None:
            raise ValueError(f"{value!r} is not a LinkedIn profile address (https://www.linkedin.com/in/...)")
        return value

    _country = field_validator("country", mode="after")(check_country)

    @field_validator("cadence_days", mode="before")
    @classmethod
    def _cadence(cls, value: Any) -> Any:
        value = blank_to_none(value)
        if not isinstance(value, str):
            return value
        days = int(float(value)) if _WHOLE_NUMBER.fullmatch(value) else None
        if days is None or not MIN_CADENCE_DAYS <= days <= MAX_CADENCE_DAYS:
            raise ValueError(
                f"expected a whole number of days from {MIN_CADENCE_DAYS} to {MAX_CADENCE_DAYS}, got {value!r}"
            )
        return days

    @field_validator("birthday", mode="before")
    @classmethod
    def _birthday(cls, value: Any) -> Any:
        value = blank_to_none(value)
        if not isinstance(value, str):
            return value
        # Matched here rather than by Birthday.parse, so 2023-02-29 is "not a real date", not a wrong format.
        if full := _ISO_DATE.fullmatch(value):
            year, month, day = (int(part) for part in full.groups())
            return Birthday(month=month, day=day, year=year)
        if yearless := _YEARLESS_DATE.fullmatch(value):
            month, day = (int(part) for part in yearless.groups())
            return Birthday(month=month, day=day)
        raise ValueError(f"expected YYYY-MM-DD or --MM-DD (when the year is unknown), got {value!r}")

    @field_validator("birthday", mode="after")
    @classmethod
    def _birthday_not_future(cls, value: Birthday | None, info: ValidationInfo) -> Birthday | None:
        today = (info.context or {}).get("today")
        if value is None or value.year is None:
            return value
        if value.year < EARLIEST_BIRTH_YEAR:
            raise ValueError(f"{value.isoformat()} is before {EARLIEST_BIRTH_YEAR}; leave the year out if unknown")
        if today is not None and date(value.year, value.month, value.day) > today:
            raise ValueError(f"{value.isoformat()} is in the future")
        return value

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, value: Any) -> Any:
        value = blank_to_none(value)
        if isinstance(value, str):
            # A cell of separators only (" ; ") names no tag: like a blank cell, it keeps the known tags.
            return tuple(dict.fromkeys(t.strip() for t in value.split(";") if t.strip())) or None
        return value

    @field_validator("other_emails", mode="before")
    @classmethod
    def _other_emails(cls, value: Any) -> Any:
        if isinstance(value, str):  # as typed (`contacts edit --other-emails "a@x; b@y"`): empty clears them
            return tuple(dict.fromkeys(e.strip() for e in value.replace(",", ";").split(";") if e.strip()))
        return value

    @field_validator("paused", mode="before")
    @classmethod
    def _paused(cls, value: Any) -> Any:
        value = _lower(value)
        if value is None or isinstance(value, bool):
            return value
        if value in ("true", "yes", "1"):
            return True
        if value in ("false", "no", "0"):
            return False
        raise ValueError(f"expected true or false, got {value!r}")

    _future = field_validator("last_touch", "worked_together_until", "first_seen", mode="after")(not_future)


# The contact's own fields a row can set (every ContactRow field but the extra addresses).
CONTACT_FIELDS = tuple(name for name in ContactRow.model_fields if name in Contact.__dataclass_fields__)


class TouchRow(Row):
    contact: Annotated[str, BeforeValidator(blank_to_none), Field(min_length=1, max_length=MAX_SHORT)]
    date: RequiredDate
    direction: Annotated[Direction, BeforeValidator(lambda v: _lower(v) or Direction.OUTBOUND)] = Direction.OUTBOUND
    channel: Annotated[Channel, BeforeValidator(lambda v: _lower(v) or Channel.OTHER)] = Channel.OTHER
    note: Text = None

    _future = field_validator("date", mode="after")(not_future)


class EventRow(Row):
    contact: Short = None
    date: RequiredDate
    kind: Annotated[EventKind, BeforeValidator(_lower)]
    note: Text = None

    # News is what has happened: a future date is a typo far more often than a plan (and would sit unseen).
    _future = field_validator("date", mode="after")(not_future)
