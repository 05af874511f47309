"""Signed tokens for the digest's one-click links: standard library only, no I/O, no clock.

A token is ``base64url(payload) "." base64url(HMAC-SHA256(key, DOMAIN + base64url(payload)))`` without padding.
The MAC covers the payload's base64 text, not its decoded bytes, so there is exactly one accepted spelling of
each token (base64 has spare bits in its last character; authenticating the text closes that gap). The payload
is compact JSON with short keys and holds only opaque ids, dates and the two timestamps.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from circleback.domain.model import Tier

# Bumping the version here invalidates every outstanding link, which is the point of having it.
DOMAIN = b"circleback/v1\n"
DEFAULT_TTL = timedelta(days=30)
CLOCK_SKEW = timedelta(minutes=5)
MAX_TOKEN_LENGTH = 512
# HMAC-SHA256 wants a key at least as long as its output (RFC 2104 §3).
MIN_KEY_BYTES = 32

_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
_PAYLOAD_KEYS = frozenset("acdeiop")


class Action(StrEnum):
    REACHED_OUT = "reached_out"
    THEY_REACHED_OUT = "they_reached_out"
    SNOOZE = "snooze"
    PAUSE = "pause"
    # The digest's Sort section: one link per choice (domain/sorting.sorted_into).
    SORT_A = "sort_a"  # keep close
    SORT_B = "sort_b"  # now and then
    SORT_C = "sort_c"  # rarely
    SORT_OUT = "sort_out"  # not in rotation (paused)
    CALENDAR = "calendar"


# Each Sort choice's link (domain/sorting.SORT_CHOICES): a tier, or None for not in rotation.
SORT_ACTIONS: dict[Tier | None, Action] = {
    Tier.A: Action.SORT_A,
    Tier.B: Action.SORT_B,
    Tier.C: Action.SORT_C,
    None: Action.SORT_OUT,
}


class Purpose(StrEnum):
    ACTION = "action"
    UNSUBSCRIBE = "unsubscribe"
    CALENDAR = "calendar"


class InvalidToken(Exception):
    """A link that cannot be honoured. ``str(exc)`` is safe to show a person; ``code`` is safe to log."""

    code = "invalid"
    default_reason = "This link isn’t valid. It may have been copied incompletely; please use the one in your email."

    def __init__(self, reason: str | None = None) -> None:
        super().__init__(reason or self.default_reason)

    @property
    def reason(self) -> str:
        return str(self)


class ExpiredToken(InvalidToken):
    code = "expired"
    default_reason = "This link has expired. Your next digest will carry fresh ones."


class WrongPurpose(InvalidToken):
    code = "wrong_purpose"
    default_reason = "This link can’t be used here."


class RevokedToken(InvalidToken):
    code = "revoked"
    default_reason = "This link has been turned off."


class ForeignToken(InvalidToken):
    code = "foreign"
    default_reason = "This link was made for a different account."


@dataclass(frozen=True)
class Claim:
    owner_id: str
    contact_id: str | None
    action: Action
    digest: str  # the digest's local date (ISO), or "" when the link belongs to no digest
    purpose: Purpose
    issued_at: datetime
    expires_at: datetime

    def key(self) -> str:
        """An idempotency key for the action: the same link, however often it is posted, gives one key."""
        return hashlib.sha256(_encode_payload(self)).hexdigest()


class KeyRing(Protocol):
    def signing_key(self) -> bytes: ...

    def verification_keys(self) -> Sequence[bytes]:
        """The current key first, then the previous one (if any) so links survive a rotation."""
        ...


class StaticKeyRing:
    """Keys held in memory: for tests and the local demo."""

    def __init__(self, current: bytes, previous: bytes | None = None) -> None:
        self._keys = tuple(check_key(key) for key in (current, previous) if key is not None)

    def signing_key(self) -> bytes:
        return self._keys[0]

    def verification_keys(self) -> Sequence[bytes]:
        return self._keys


def check_key(key: bytes) -> bytes:
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"a link-signing key needs at least {MIN_KEY_BYTES} bytes")
    return key


class TokenSigner:
    def __init__(self, keys: KeyRing, ttl: timedelta = DEFAULT_TTL) -> None:
        _check_ttl(ttl)
        self._keys = keys
        self._ttl = ttl

    def sign(
        self,
        owner_id: str,
        contact_id: str | None,
        action: Action,
        digest: str,
        purpose: Purpose,
        now: datetime,
        ttl: timedelta | None = None,
    ) -> str:
        lifetime = self._ttl if ttl is None else _check_ttl(ttl)
        issued_at = _whole_seconds(now)
        claim = Claim(owner_id, contact_id, Action(action), digest, Purpose(purpose), issued_at, issued_at + lifetime)
        _check_claim(claim)
        body = _b64encode(_encode_payload(claim))
        token = f"{body}.{_b64encode(_mac(self._keys.signing_key(), body))}"
        if len(token) > MAX_TOKEN_LENGTH:
            raise ValueError(f"ids too long for a link: the token would exceed {MAX_TOKEN_LENGTH} characters")
        return token

    def verify(self, token: str, purpose: Purpose, now: datetime, owner_id: str | None = None) -> Claim:
        """The token's claim, or InvalidToken (or a subclass) saying why a person cannot use it."""
        _require_aware(now)
        body = self._authenticate(token)
        claim = _decode_claim(body)
        if claim.issued_at > now + CLOCK_SKEW:
            raise InvalidToken()  # forged or from a badly wrong clock: nothing a person can fix either way
        if now >= claim.expires_at:
            raise ExpiredToken()
        if claim.purpose != purpose:
            raise WrongPurpose()
        if owner_id is not None and claim.owner_id != owner_id:
            raise ForeignToken()
        return claim

    def _authenticate(self, token: str) -> str:
        """The payload text, once its MAC matches a current or previous key. Nothing is parsed before this."""
        if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or not _TOKEN_SHAPE.fullmatch(token):
            raise InvalidToken()
        body, signature = token.split(".")
        # Compare every key without stopping early, so timing says nothing about which key matched.
        matches = [
            hmac.compare_digest(_b64encode(_mac(key, body)), signature) for key in self._keys.verification_keys()
        ]
        if not any(matches):
            raise InvalidToken()
        return body


# --- payload ----------------------------------------------------------------------------------------


def _encode_payload(claim: Claim) -> bytes:
    payload = {
        "o": claim.owner_id,
        "c": claim.contact_id,
        "a": claim.action.value,
        "d": claim.digest,
        "p": claim.purpose.value,
        "i": int(claim.issued_at.timestamp()),
        "e": int(claim.expires_at.timestamp()),
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _decode_claim(body: str) -> Claim:
    """The claim in an authenticated payload. Anything odd is refused: only ``sign`` makes these."""
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        claim = _claim_from(json.loads(raw))
    except (binascii.Error, ValueError, TypeError, KeyError, OverflowError, OSError) as exc:
        raise InvalidToken() from exc
    # One canonical encoding per claim, so Claim.key() always names exactly the bytes that were signed.
    if _encode_payload(claim) != raw:
        raise InvalidToken()
    return claim


def _claim_from(payload: Any) -> Claim:
    if not isinstance(payload, dict) or payload.keys() != _PAYLOAD_KEYS:
        raise ValueError("unexpected payload shape")
    issued, expires = payload["i"], payload["e"]
    if not all(type(value) is int for value in (issued, expires)):
        raise ValueError("timestamps must be integers")
    claim = Claim(
        owner_id=payload["o"],
        contact_id=payload["c"],
        action=Action(payload["a"]),
        digest=payload["d"],
        purpose=Purpose(payload["p"]),
        issued_at=datetime.fromtimestamp(issued, UTC),
        expires_at=datetime.fromtimestamp(expires, UTC),
    )
    _check_claim(claim)
    return claim


def _check_claim(claim: Claim) -> None:
    """The combinations ``sign`` accepts; mistakes in a caller fail here rather than in a person's inbox."""
    if not isinstance(claim.owner_id, str) or not claim.owner_id:
        raise ValueError("owner_id must be a non-empty string")
    if claim.contact_id is not None and (not isinstance(claim.contact_id, str) or not claim.contact_id):
        raise ValueError("contact_id must be a non-empty string or None")
    if not _is_digest_date(claim.digest):
        raise ValueError("digest must be an ISO date (YYYY-MM-DD) or empty")
    if (claim.purpose is Purpose.CALENDAR) != (claim.action is Action.CALENDAR):
        raise ValueError("calendar links, and only they, carry the calendar action")
    if claim.purpose is Purpose.ACTION and claim.contact_id is None:
        raise ValueError("an action link names a contact")
    if claim.purpose is Purpose.UNSUBSCRIBE and claim.action is not Action.PAUSE:
        raise ValueError("an unsubscribe link pauses")
    if claim.expires_at <= claim.issued_at:
        raise ValueError("a token must expire after it is issued")


def _is_digest_date(digest: object) -> bool:
    if not isinstance(digest, str):
        return False
    # fromisoformat also takes "20250106" and friends; only the one spelling is accepted.
    return digest == "" or date.fromisoformat(digest).isoformat() == digest


# --- small helpers ----------------------------------------------------------------------------------


def _mac(key: bytes, body: str) -> bytes:
    return hmac.new(key, DOMAIN + body.encode("ascii"), hashlib.sha256).digest()


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _whole_seconds(now: datetime) -> datetime:
    _require_aware(now)
    return now.astimezone(UTC).replace(microsecond=0)


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")


def _check_ttl(ttl: timedelta) -> timedelta:
    if ttl < timedelta(seconds=1):
        raise ValueError("a token's lifetime must be at least one second")
    return ttl
