"""The shapes that cross a boundary: what the schedule and the queue deliver. Pydantic validates them."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, field_validator


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
