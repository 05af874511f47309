"""The shapes that cross a boundary: what the schedule, the queue and the HTTP API deliver. Pydantic validates them."""

from __future__ import annotations

import datetime as dt
import unicodedata
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from circleback.domain.model import NOTE_LIMIT, Channel, Direction, Relationship

Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=NOTE_LIMIT)]


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class SchedulerTick(_Event):
    """The dispatch schedule's input: `{"scheduled_time": "<aws.scheduler.scheduled-time>"}`."""

    scheduled_time: AwareDatetime

    @field_validator("scheduled_time")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)


class DigestRequest(_Event):
    """One queue message: send `owner_id` the digest scheduled at `send_at` (UTC)."""

    owner_id: str
    send_at: AwareDatetime

    @field_validator("send_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    def deduplication_id(self) -> str:
        return f"{self.owner_id}#{self.send_at.isoformat()}"


class ActionForm(_Event):
    """The confirmation page's form: do the link's action (with a channel and a note), or undo it."""

    op: Literal["do", "undo"] = "do"
    channel: Channel = Channel.EMAIL
    note: Note | None = None
    relationship: Relationship | None = None  # a Sort link's form: how the owner knows them
    # A touch link's next step (domain/loops.py FOLLOW_UP_CHOICES): follow up in so many days, and what about.
    follow_up: Literal[0, 7, 14, 30] = 0
    about: Note | None = None
    name: Annotated[str, Field(max_length=200)] | None = None  # an "Add" link's form: the new contact's name

    @field_validator("relationship", mode="before")
    @classmethod
    def _unchosen_is_none(cls, value: object) -> object:
        return value or None

    @field_validator("follow_up", mode="before")
    @classmethod
    def _days(cls, value: object) -> object:
        """A form's field is text: "14" is 14 days."""
        return int(value) if isinstance(value, str) and value.isdigit() else value

    @field_validator("note")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("name")
    @classmethod
    def _one_line(cls, value: str | None) -> str | None:
        """A name on one line, its spacing as a person means it; blank is none (the mail's name, then)."""
        if value is not None and any(unicodedata.category(ch) == "Cc" for ch in value.strip()):
            raise ValueError("a name has no control characters")
        return " ".join(value.split()) or None if value is not None else None


class TouchBody(BaseModel):
    """POST /touches: log a touch from anywhere. `contact` is a contact's name or email address."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    contact: Annotated[str, StringConstraints(min_length=1, max_length=320)]
    channel: Channel = Channel.OTHER
    direction: Direction = Direction.OUTBOUND
    note: Annotated[str, StringConstraints(max_length=NOTE_LIMIT)] | None = None
    date: dt.date | None = Field(default=None, description="the day it happened (default: today, your time)")
