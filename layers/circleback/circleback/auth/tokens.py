"""Signed tokens for the digest's one-click links: standard library only, no I/O, no clock.

A token (docs/links.md) is ``base64url(payload || tag)`` without padding: a payload packed into a few bytes and
a 128-bit tag, the first 16 bytes of HMAC-SHA256(key, DOMAIN || purpose || owner || payload). The purpose and
the owner are under the tag but not in the token: the verifier knows both (the route names the purpose, and a
deployment has one owner), so a token is bound to them without a character spent on them. With the longest
default API address (a 14-letter region), every link the digest carries is at most 100 characters.

Tokens of the first format (``base64url(JSON) "." base64url(HMAC)``, which carried everything) are still
accepted until they expire, so links in digests already sent and calendar subscriptions keep working; none are
made any more.
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
DOMAIN = b"circleback/v2\n"
LEGACY_DOMAIN = b"circleback/v1\n"
TAG_BYTES = 16  # 128 bits of HMAC-SHA256: a forged token's chance is 2^-128 a try
# The lifetimes a link can have (two bits of its payload); the first is the digest's.
LIFETIMES = (timedelta(days=30), timedelta(days=7), timedelta(days=365), timedelta(days=5 * 365))
DEFAULT_TTL = LIFETIMES[0]
CLOCK_SKEW = timedelta(minutes=5)
MAX_TOKEN_LENGTH = 512
# HMAC-SHA256 wants a key at least as long as its output (RFC 2104 §3).
MIN_KEY_BYTES = 32
# Times and dates in a payload count from here: 2024 predates every circleback id and link.
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)

_COMPACT_SHAPE = re.compile(r"[A-Za-z0-9_-]+")
_LEGACY_SHAPE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
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
    # A former team's lunch (domain/places.py old_team): its "contact" is the team's id (places.team_id).
    GROUP_MET = "group_met"
    GROUP_DISMISS = "group_dismiss"
    # Next steps (domain/loops.py): a follow-up dismissed; the favour loop's steps; a shared item sent.
    FOLLOW_UP_DONE = "follow_up_done"
    HELPED = "helped"  # they helped: thank them next
    THANKED = "thanked"
    TOLD = "told"  # told them how it turned out
    ASKED = "asked"  # `reconnect --need`: the favour is asked, and its loop starts
    SHARED = "shared"
    CALENDAR = "calendar"
    ADD = "add"  # someone the owner wrote to, added as a contact: a link of its own purpose, Purpose.ADD


# Each Sort choice's link (domain/sorting.SORT_CHOICES): a tier, or None for not in rotation.
SORT_ACTIONS: dict[Tier | None, Action] = {
    Tier.A: Action.SORT_A,
    Tier.B: Action.SORT_B,
    Tier.C: Action.SORT_C,
    None: Action.SORT_OUT,
}


# An action link's action as a 4-bit code: the position here. The format fixes the order: append, never reorder.
ACTION_CODES = (
    Action.REACHED_OUT,
    Action.THEY_REACHED_OUT,
    Action.SNOOZE,
    Action.PAUSE,
    Action.SORT_A,
    Action.SORT_B,
    Action.SORT_C,
    Action.SORT_OUT,
    Action.GROUP_MET,
    Action.GROUP_DISMISS,
    # The last six of the sixteen codes: a further action needs a wider field (a new layout, docs/links.md).
    Action.FOLLOW_UP_DONE,
    Action.HELPED,
    Action.THANKED,
    Action.TOLD,
    Action.ASKED,
    Action.SHARED,
)


class Purpose(StrEnum):
    ACTION = "action"
    UNSUBSCRIBE = "unsubscribe"
    CALENDAR = "calendar"
    ADD = "add"  # the digest's "Add" beside someone you wrote to: its "contact" is the person's key


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
        """An idempotency key for the action: the same link, however often it is posted, gives one key. It is a
        hash of the claim (in the first format's canonical JSON), not of the token, so a claim has one key in
        either format and records made before the compact format still match their links."""
        return hashlib.sha256(_claim_json(self)).hexdigest()


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
        self._keys = keys
        self._ttl = _check_ttl(ttl)

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
        """A compact token. Its issue time is kept to the hour (a digest's links) or the minute (a calendar
        link, which a revocation a minute ago must not reach), so `issued_at` is `now` cut to that."""
        lifetime = self._ttl if ttl is None else _check_ttl(ttl)
        purpose = Purpose(purpose)
        issued_at = _cut(_aware(now).astimezone(UTC), purpose)
        claim = Claim(owner_id, contact_id, Action(action), digest, purpose, issued_at, issued_at + lifetime)
        _check_claim(claim)
        _check_compact(claim)
        payload = _encode(claim)
        token = _b64encode(payload + _tag(self._keys.signing_key(), purpose, owner_id, payload))
        if len(token) > MAX_TOKEN_LENGTH:
            raise ValueError(f"ids too long for a link: the token would exceed {MAX_TOKEN_LENGTH} characters")
        return token

    def verify(self, token: str, purpose: Purpose, now: datetime, owner_id: str) -> Claim:
        """The token's claim, or InvalidToken (or a subclass) saying why a person cannot use it."""
        _require_aware(now)
        if isinstance(token, str) and "." in token:
            claim = _decode_legacy(self._authenticate_legacy(token))
        else:
            claim = self._open_compact(token, purpose, owner_id)
        if claim.issued_at > now + CLOCK_SKEW:
            raise InvalidToken()  # forged or from a badly wrong clock: nothing a person can fix either way
        if now >= claim.expires_at:
            raise ExpiredToken()
        if claim.purpose != purpose:
            raise WrongPurpose()
        if claim.owner_id != owner_id:
            raise ForeignToken()  # only a first-format token can say so: a compact one fails its tag instead
        return claim

    def _open_compact(self, token: str, purpose: Purpose, owner_id: str) -> Claim:
        """The claim of a compact token whose tag matches a current or previous key for this purpose and owner.
        Nothing is parsed before the tag matches."""
        if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or not _COMPACT_SHAPE.fullmatch(token):
            raise InvalidToken()
        data = _b64decode(token)
        if data is None or len(data) <= TAG_BYTES:
            raise InvalidToken()
        payload, tag = data[:-TAG_BYTES], data[-TAG_BYTES:]
        if not self._tag_matches(tag, purpose, owner_id, payload):
            # A link used on another route (an unsubscribe link’s token as an action link) deserves its own reason.
            if any(self._tag_matches(tag, other, owner_id, payload) for other in Purpose if other is not purpose):
                raise WrongPurpose()
            raise InvalidToken()
        try:
            return _decode(payload, purpose, owner_id)
        except (ValueError, IndexError) as exc:  # UnicodeDecodeError is a ValueError
            raise InvalidToken() from exc

    def _tag_matches(self, tag: bytes, purpose: Purpose, owner_id: str, payload: bytes) -> bool:
        # Compare every key without stopping early, so timing says nothing about which key matched.
        matches = [
            hmac.compare_digest(_tag(key, purpose, owner_id, payload), tag) for key in self._keys.verification_keys()
        ]
        return any(matches)

    def _authenticate_legacy(self, token: str) -> str:
        """A first-format token's payload text, once its MAC matches a current or previous key."""
        if len(token) > MAX_TOKEN_LENGTH or not _LEGACY_SHAPE.fullmatch(token):
            raise InvalidToken()
        body, signature = token.split(".")
        matches = [
            hmac.compare_digest(_b64encode(_legacy_mac(key, body)), signature) for key in self._keys.verification_keys()
        ]
        if not any(matches):
            raise InvalidToken()
        return body


# --- the compact payload (docs/links.md draws it) ------------------------------------------------------
# An action link, 14 bytes when its contact id is circleback's own (services/ids.py: 11 hex digits of
# milliseconds, 10 of randomness):
#     packed 1 | action 4 | lifetime 2 | digest day 15 | issue hour 9 | contact ms 41 | contact random 40 | 0
# Any other contact id: the first 31 bits, a zero bit, then the id in UTF-8. An unsubscribe link, 4 bytes:
#     lifetime 2 | digest day 15 | issue hour 9 | 0 * 6
# A calendar link, 4 bytes:  lifetime 2 | issue minute 26 | 0 * 4
# An add link, 9 bytes:  lifetime 2 | digest day 15 | issue hour 9 | person key 40 | 0 * 6
# The digest day counts days from EPOCH (to 2113); the issue hour counts hours from 08:00 UTC the day before
# the digest's date (16 hours before it begins in UTC, when it has begun everywhere, UTC+14 included), which
# covers a digest sent up to 20 days late (a queued digest is dropped after 14); the issue minute counts from
# EPOCH (to 2151); contact ms, from EPOCH (to 2093).

_ACTION_HEADER = (1, 4, 2, 15, 9)
_PACKED_CONTACT = (41, 40)
_DIGEST_LINK = (2, 15, 9)
_CALENDAR_LINK = (2, 26)
_ADD_LINK = (2, 15, 9, 40)
_PERSON_KEY = re.compile(r"[0-9a-f]{10}")  # domain/mail_notices.py new_person_key
_HEADER_BYTES = 4
_HOURS_BEFORE_DIGEST_DAY = 16
_OWN_CONTACT_ID = re.compile(r"[0-9a-f]{21}")
_EPOCH_MS = int(EPOCH.timestamp()) * 1000


def _encode(claim: Claim) -> bytes:
    lifetime = LIFETIMES.index(claim.expires_at - claim.issued_at)
    if claim.purpose is Purpose.CALENDAR:
        return _pack(_CALENDAR_LINK, (lifetime, (claim.issued_at - EPOCH) // timedelta(minutes=1)))
    day = (date.fromisoformat(claim.digest) - EPOCH.date()).days
    hour = (claim.issued_at - _hour_zero(claim.digest)) // timedelta(hours=1)
    if claim.purpose is Purpose.UNSUBSCRIBE:
        return _pack(_DIGEST_LINK, (lifetime, day, hour))
    if claim.purpose is Purpose.ADD:
        return _pack(_ADD_LINK, (lifetime, day, hour, int(claim.contact_id or "", 16)))
    action = ACTION_CODES.index(claim.action)
    contact = claim.contact_id or ""
    packed = _packed_contact(contact)
    if packed is None:
        return _pack(_ACTION_HEADER, (0, action, lifetime, day, hour)) + contact.encode("utf-8")
    return _pack((*_ACTION_HEADER, *_PACKED_CONTACT), (1, action, lifetime, day, hour, *packed))


def _decode(payload: bytes, purpose: Purpose, owner_id: str) -> Claim:
    """The claim in an authenticated payload. Anything odd is refused: only ``sign`` makes these, and a claim
    has one encoding, so a payload that does not re-encode to itself byte for byte is refused too."""
    if purpose is Purpose.CALENDAR:
        lifetime, minute = _unpack(_CALENDAR_LINK, payload)
        issued_at = EPOCH + timedelta(minutes=minute)
        claim = Claim(owner_id, None, Action.CALENDAR, "", purpose, issued_at, issued_at + LIFETIMES[lifetime])
    elif purpose is Purpose.UNSUBSCRIBE:
        lifetime, day, hour = _unpack(_DIGEST_LINK, payload)
        claim = _digest_link(owner_id, None, Action.PAUSE, purpose, (lifetime, day, hour))
    elif purpose is Purpose.ADD:
        lifetime, day, hour, key = _unpack(_ADD_LINK, payload)
        claim = _digest_link(owner_id, f"{key:010x}", Action.ADD, purpose, (lifetime, day, hour))
    else:
        packed, code, *times = _unpack(_ACTION_HEADER, payload[:_HEADER_BYTES])
        contact = _unpacked_contact(payload) if packed else payload[_HEADER_BYTES:].decode("utf-8")
        claim = _digest_link(owner_id, contact, ACTION_CODES[code], purpose, times)
    _check_claim(claim)
    if _encode(claim) != payload:
        raise ValueError("not the canonical encoding")
    return claim


def _digest_link(
    owner_id: str, contact_id: str | None, action: Action, purpose: Purpose, times: Sequence[int]
) -> Claim:
    lifetime, day, hour = times
    digest = (EPOCH.date() + timedelta(days=day)).isoformat()
    issued_at = _hour_zero(digest) + timedelta(hours=hour)
    return Claim(owner_id, contact_id, action, digest, purpose, issued_at, issued_at + LIFETIMES[lifetime])


def _check_compact(claim: Claim) -> None:
    """What the compact format adds to `_check_claim`: each purpose's fields, and times it can hold."""
    if claim.purpose is Purpose.CALENDAR:
        if claim.digest:
            raise ValueError("a calendar link belongs to no digest")
    elif not claim.digest:
        raise ValueError("an action or unsubscribe link belongs to a digest")
    if claim.purpose is Purpose.ADD:
        if claim.action is not Action.ADD or not _PERSON_KEY.fullmatch(claim.contact_id or ""):
            raise ValueError("an add link names a person's key: 10 hex digits (domain/mail_notices.py new_person_key)")
    elif claim.purpose is not Purpose.ACTION and claim.contact_id is not None:
        raise ValueError("only an action link names a contact")
    if claim.purpose is Purpose.ACTION and claim.action not in ACTION_CODES:
        raise ValueError(f"{claim.action.value} is not an action link's action")
    if claim.issued_at < EPOCH:
        raise ValueError("a link is issued after 2024")
    if claim.digest and not 0 <= (claim.issued_at - _hour_zero(claim.digest)) // timedelta(hours=1) < 1 << 9:
        raise ValueError("a digest's links are made from 16 hours before its date (in UTC) until 20 days after it")
    if claim.digest and not 0 <= (date.fromisoformat(claim.digest) - EPOCH.date()).days < 1 << 15:
        raise ValueError("a digest's date is from 2024 to 2113")


def _hour_zero(digest: str) -> datetime:
    """Where a digest link's issue hour counts from: 08:00 UTC the day before the digest's date."""
    midnight = datetime.combine(date.fromisoformat(digest), datetime.min.time(), UTC)
    return midnight - timedelta(hours=_HOURS_BEFORE_DIGEST_DAY)


def _packed_contact(contact_id: str) -> tuple[int, int] | None:
    """A circleback id as (milliseconds since EPOCH, its random part), when it is one and fits."""
    if not _OWN_CONTACT_ID.fullmatch(contact_id):
        return None
    millis = int(contact_id[:11], 16) - _EPOCH_MS
    return (millis, int(contact_id[11:], 16)) if 0 <= millis < 1 << _PACKED_CONTACT[0] else None


def _unpacked_contact(payload: bytes) -> str:
    *_, millis, randomness = _unpack((*_ACTION_HEADER, *_PACKED_CONTACT), payload)
    return f"{millis + _EPOCH_MS:011x}{randomness:010x}"


def _pack(widths: Sequence[int], values: Sequence[int]) -> bytes:
    """Values in fields of `widths` bits, most significant first, zero bits to a whole byte."""
    number = 0
    for width, value in zip(widths, values, strict=True):
        if not 0 <= value < 1 << width:
            raise ValueError("a value outside its field")
        number = number << width | value
    size = -(-sum(widths) // 8)
    return (number << (size * 8 - sum(widths))).to_bytes(size, "big")


def _unpack(widths: Sequence[int], data: bytes) -> list[int]:
    """The fields `_pack` wrote; `data` must be exactly as long as they need (the padding is checked by
    re-encoding)."""
    if len(data) != -(-sum(widths) // 8):
        raise ValueError("a payload of the wrong length")
    number = int.from_bytes(data, "big") >> (len(data) * 8 - sum(widths))
    values = []
    for width in reversed(widths):
        values.append(number & ((1 << width) - 1))
        number >>= width
    return values[::-1]


def _tag(key: bytes, purpose: Purpose, owner_id: str, payload: bytes) -> bytes:
    message = DOMAIN + _framed(purpose.value) + _framed(owner_id) + payload
    return hmac.new(key, message, hashlib.sha256).digest()[:TAG_BYTES]


def _framed(text: str) -> bytes:
    """A length-prefixed field, so no owner id and purpose can be shifted into each other."""
    data = text.encode("utf-8")
    return len(data).to_bytes(4, "big") + data


def _cut(moment: datetime, purpose: Purpose) -> datetime:
    unit = timedelta(minutes=1) if purpose is Purpose.CALENDAR else timedelta(hours=1)
    return EPOCH + (moment - EPOCH) // unit * unit


# --- the first format: verified until its last links expire, never made --------------------------------


def _claim_json(claim: Claim) -> bytes:
    """The claim as the first format's canonical JSON: its payload then, and what `Claim.key` hashes now."""
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


def _decode_legacy(body: str) -> Claim:
    """The claim in an authenticated first-format payload; one canonical encoding per claim, as ever."""
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        claim = _claim_from(json.loads(raw))
    except (binascii.Error, ValueError, TypeError, KeyError, OverflowError, OSError) as exc:
        raise InvalidToken() from exc
    if _claim_json(claim) != raw:
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
    if (claim.purpose is Purpose.ADD) != (claim.action is Action.ADD):
        raise ValueError("add links, and only they, carry the add action")
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


def _legacy_mac(key: bytes, body: str) -> bytes:
    return hmac.new(key, LEGACY_DOMAIN + body.encode("ascii"), hashlib.sha256).digest()


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes | None:
    """The bytes of unpadded base64url, or None; only the one spelling `_b64encode` makes is accepted (a last
    character has spare bits, which would give a token several spellings)."""
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    return data if _b64encode(data) == text else None


def _aware(now: datetime) -> datetime:
    _require_aware(now)
    return now


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")


def _check_ttl(ttl: timedelta) -> timedelta:
    if ttl not in LIFETIMES:
        raise ValueError("a link's lifetime is 7 days, 30 days, a year or five years")
    return ttl
