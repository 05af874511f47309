"""Validated rows of the canonical CSV files: pydantic at the boundary, one clear reason per bad field."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator

from circleback.domain.cadence import MAX_CADENCE_DAYS, MIN_CADENCE_DAYS
from circleback.domain.countries import is_country_code
from circleback.domain.model import (
    OWN_NEWS_KINDS,
    Birthday,
    Channel,
    Direction,
    EventKind,
    Relationship,
    Tier,
)

MAX_TEXT = 2000  # notes and the like: generous, but a row is not a novel
MAX_SHORT = 200  # names, companies, titles
EARLIEST_BIRTH_YEAR = 1900


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _lower(value: Any) -> Any:
    value = _blank_to_none(value)
    return value.lower() if isinstance(value, str) else value


Text = Annotated[Annotated[str, Field(max_length=MAX_TEXT)] | None, BeforeValidator(_blank_to_none)]
Short = Annotated[Annotated[str, Field(max_length=MAX_SHORT)] | None, BeforeValidator(_blank_to_none)]


def _not_future(value: date | None, info: ValidationInfo) -> date | None:
    today = (info.context or {}).get("today")
    if value is not None and today is not None and value > today:
        raise ValueError(f"{value.isoformat()} is in the future (today is {today.isoformat()})")
    return value


def _iso_date(value: Any) -> Any:
    value = _blank_to_none(value)
    if isinstance(value, str):
        try:
            return date.fromisoformat(value) if len(value) == 10 else _bad_date(value)
        except ValueError:
            _bad_date(value)
    return value


def _bad_date(value: str) -> date:
    raise ValueError(f"expected a date as YYYY-MM-DD, got {value!r}")


IsoDate = Annotated[date | None, BeforeValidator(_iso_date)]
RequiredDate = Annotated[date, BeforeValidator(_iso_date)]


class Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ContactRow(Row):
    name: Annotated[str, BeforeValidator(_blank_to_none), Field(min_length=1, max_length=MAX_SHORT)]
    email: Short = None
    phone: Short = None
    linkedin_url: Short = None
    company: Short = None
    title: Short = None
    relationship: Annotated[Relationship | None, BeforeValidator(_lower)] = None
    tier: Annotated[
        Tier | None, BeforeValidator(lambda v: v.upper() if isinstance(_blank_to_none(v), str) else None)
    ] = None
    cadence_days: Annotated[
        Annotated[int, Field(ge=MIN_CADENCE_DAYS, le=MAX_CADENCE_DAYS)] | None, BeforeValidator(_blank_to_none)
    ] = None
    country: Annotated[
        str | None, BeforeValidator(lambda v: v.upper() if isinstance(_blank_to_none(v), str) else None)
    ] = None
    birthday: Annotated[Birthday | None, BeforeValidator(_blank_to_none)] = None
    worked_together_until: IsoDate = None
    tags: Annotated[tuple[str, ...] | None, BeforeValidator(_blank_to_none)] = None
    notes: Text = None
    last_touch: IsoDate = None
    paused: Annotated[bool | None, BeforeValidator(_lower)] = None

    @field_validator("name", mode="after")
    @classmethod
    def _printable_name(cls, value: str) -> str:
        if any(ord(ch) < 32 for ch in value):
            raise ValueError("contains control characters")
        return value

    @field_validator("email", mode="after")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is None:
            return None
        local, at, domain = value.rpartition("@")
        if not at or not local or "." not in domain or any(ch.isspace() or ch in "<>,;" for ch in value):
            raise ValueError(f"{value!r} is not an email address")
        return value

    @field_validator("linkedin_url", mode="after")
    @classmethod
    def _linkedin(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if normalise_linkedin(value) is None:
            raise ValueError(f"{value!r} is not a LinkedIn profile address (https://www.linkedin.com/in/...)")
        return value

    @field_validator("country", mode="after")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        if value is not None and not is_country_code(value):
            raise ValueError(f"{value!r} is not an ISO 3166 two-letter country code (such as US, GB, IN)")
        return value

    @field_validator("birthday", mode="before")
    @classmethod
    def _birthday(cls, value: Any) -> Any:
        value = _blank_to_none(value)
        return Birthday.parse(value) if isinstance(value, str) else value

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
        value = _blank_to_none(value)
        if isinstance(value, str):
            return tuple(dict.fromkeys(t.strip() for t in value.split(";") if t.strip()))
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

    _future = field_validator("last_touch", "worked_together_until", mode="after")(_not_future)


class TouchRow(Row):
    contact: Annotated[str, BeforeValidator(_blank_to_none), Field(min_length=1, max_length=MAX_SHORT)]
    date: RequiredDate
    direction: Annotated[Direction, BeforeValidator(lambda v: _lower(v) or Direction.OUTBOUND)] = Direction.OUTBOUND
    channel: Annotated[Channel, BeforeValidator(lambda v: _lower(v) or Channel.OTHER)] = Channel.OTHER
    note: Text = None

    _future = field_validator("date", mode="after")(_not_future)


class EventRow(Row):
    contact: Short = None
    date: RequiredDate
    kind: Annotated[EventKind, BeforeValidator(_lower)]
    note: Text = None

    @field_validator("kind", mode="after")
    @classmethod
    def _own_news_kind(cls, value: EventKind, info: ValidationInfo) -> EventKind:
        if info.data.get("contact") is None and "contact" in info.data and value not in OWN_NEWS_KINDS:
            allowed = ", ".join(sorted(k.value for k in OWN_NEWS_KINDS))
            raise ValueError(f"your own news (no contact) is one of {allowed}, not {value.value}")
        return value


def normalise_linkedin(url: str) -> str | None:
    """The profile path of a LinkedIn address, for matching (`in/ana-souza`), or None if it is not one."""
    text = url.strip().lower()
    for scheme in ("https://", "http://"):
        text = text.removeprefix(scheme)
    host, _, path = text.partition("/")
    if host not in ("linkedin.com", "www.linkedin.com") and not host.endswith(".linkedin.com"):
        return None
    path = path.split("?", 1)[0].split("#", 1)[0].strip("/")
    return path or None
