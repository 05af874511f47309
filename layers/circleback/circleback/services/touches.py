"""Logging a touch from the JSON API: one touch per Idempotency-Key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from circleback.adapters.store.repository import ConflictError, Repository
from circleback.auth import access_tokens
from circleback.domain.ids import content_id
from circleback.domain.model import AccessToken, ActionRecord, Contact, Touch
from circleback.domain.names import match_contact
from circleback.domain.schedule import local_send_date
from circleback.services.ids import new_id
from circleback.services.retries import retrying

if TYPE_CHECKING:
    from circleback.payloads import TouchBody  # validated by the handler; pydantic loads with the first call

# --- the JSON API: POST /touches ------------------------------------------------------------------------

IDEMPOTENCY_WINDOW = timedelta(days=7)
API_ACTION = "api_touch"


class Unauthorized(Exception):
    """No valid personal access token. Says nothing about why, on purpose."""


class InvalidField(Exception):
    """The request is well formed but a field cannot be honoured (no such contact, a future date)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class ReusedKey(Exception):
    """The Idempotency-Key was already used for a different touch."""


@dataclass(frozen=True, slots=True)
class LoggedTouch:
    touch: Touch
    contact: Contact
    created: bool  # False: a repeat of a request already recorded (same Idempotency-Key)


def authenticate(repo: Repository, owner_id: str, presented: str) -> AccessToken:
    """The stored token the bearer presents; Unauthorized for anything else, revoked tokens included."""
    try:
        token_id, secret = access_tokens.parse(presented)
    except access_tokens.BadAccessToken:
        raise Unauthorized() from None
    stored = repo.get_access_token(owner_id, token_id)
    if stored is None or not access_tokens.matches(stored, secret):
        raise Unauthorized()
    return stored


def log_api_touch(
    repo: Repository,
    owner_id: str,
    token: AccessToken,
    body: TouchBody,
    idempotency_key: str | None,
    now: datetime,
) -> LoggedTouch:
    """Record the touch once per Idempotency-Key (any number of retries write one touch)."""
    owner = repo.get_owner(owner_id)
    if owner is None:
        raise InvalidField("contact", "there is no account to log touches for")
    contact = find_contact(repo.list_contacts(owner_id), body.contact)
    today = local_send_date(owner.timezone, now)
    if body.date is not None and body.date > today:
        raise InvalidField("date", f"{body.date.isoformat()} is in the future (today is {today.isoformat()})")
    key = content_id(API_ACTION, token.id, idempotency_key or new_id())
    touch = Touch(
        id=content_id("api-touch", key),
        contact_id=contact.id,
        date=body.date or today,
        direction=body.direction,
        channel=body.channel,
        note=body.note,
        source="api",
        recorded_at=now,
    )
    record = ActionRecord(key, API_ACTION, now, now + IDEMPOTENCY_WINDOW, contact_id=contact.id, touch=touch)

    def attempt() -> LoggedTouch | None:
        earlier = repo.get_action(owner_id, key)
        if earlier is not None and earlier.touch is not None:
            if not _same_request(earlier.touch, touch, date_given=body.date is not None):
                raise ReusedKey()
            return LoggedTouch(earlier.touch, contact, created=False)
        # The contact's check in the same transaction: a request racing `contacts remove` leaves no touch behind.
        writes = [repo.touch_put(owner_id, touch), repo.contact_exists_check(owner_id, contact.id)]
        try:
            if repo.record_action(owner_id, record, writes):
                return LoggedTouch(touch, contact, created=True)
        except ConflictError:
            if repo.get_contact(owner_id, contact.id) is None:  # the check failed because the contact is gone
                raise InvalidField("contact", f"{contact.name} was removed meanwhile; nothing was logged") from None
            raise  # another write held an item: retrying reads again
        return None  # a concurrent retry recorded it first: read it back

    return retrying(attempt, "the touch kept changing; nothing was recorded")


def find_contact(contacts: Sequence[Contact], wanted: str) -> Contact:
    """The one contact with that email address, else with that whole name (case, accents and spacing aside).

    No partial names here: a request has nobody to answer "which one?", so "Al" never stands for Alan.
    """
    match = match_contact(contacts, wanted, prefix=False)
    if match.found is not None:
        return match.found
    if match.candidates:
        count = len(match.candidates)
        raise InvalidField("contact", f"{count} contacts are called {wanted!r}; use their email address")
    raise InvalidField("contact", f"no contact has the name or email {wanted!r}")


def _same_request(earlier: Touch, touch: Touch, *, date_given: bool) -> bool:
    """A retry carries the same touch; without a date it may arrive on another day and still be the same."""
    fields = ("contact_id", "direction", "channel", "note") + (("date",) if date_given else ())
    return all(getattr(earlier, f) == getattr(touch, f) for f in fields)
