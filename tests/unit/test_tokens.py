"""Link tokens: what they bind, how short they are, and every way a bad one is refused. A fixed clock throughout.

The format is checked against an encoder written here from docs/links.md, not against the module's own.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from circleback.auth.tokens import (
    ACTION_CODES,
    CLOCK_SKEW,
    LIFETIMES,
    MAX_TOKEN_LENGTH,
    Action,
    Claim,
    ExpiredToken,
    ForeignToken,
    InvalidToken,
    Purpose,
    StaticKeyRing,
    TokenSigner,
    WrongPurpose,
)
from circleback.mail.links import DigestLinks
from circleback.services.calendar_feed import CALENDAR_LINK_TTL, calendar_link

NOW = datetime(2025, 1, 6, 7, 30, 15, 123456, tzinfo=UTC)
ISSUED = datetime(2025, 1, 6, 7, tzinfo=UTC)  # a digest link's issue time is kept to the hour
OWNER = "owner"
OTHER_OWNER = "owner-2"
CONTACT = "19438f0c2a1b2c3d4e5f6"  # services/ids.py's shape: 11 hex digits of milliseconds, 10 of randomness
DIGEST = "2025-01-06"
KEY = b"k" * 32
OLD_KEY = b"o" * 32
NEW_KEY = b"n" * 32
# The longest default address API Gateway gives: a ten-letter id and a fourteen-letter region.
LONGEST_BASE = "https://a1b2c3d4e5.execute-api.ap-southeast-2.amazonaws.com"

signer = TokenSigner(StaticKeyRing(KEY))
REASONS = {kind.default_reason for kind in (InvalidToken, ExpiredToken, WrongPurpose, ForeignToken)}


def action_token(
    signer: TokenSigner = signer, *, now: datetime = NOW, action: Action = Action.REACHED_OUT, contact: str = CONTACT
) -> str:
    return signer.sign(OWNER, contact, action, DIGEST, Purpose.ACTION, now)


def verified(token: str, purpose: Purpose = Purpose.ACTION, now: datetime = NOW, owner: str = OWNER) -> Claim:
    return signer.verify(token, purpose, now, owner)


def refused(token: str, purpose: Purpose = Purpose.ACTION, now: datetime = NOW, owner: str = OWNER) -> InvalidToken:
    with pytest.raises(InvalidToken) as caught:
        signer.verify(token, purpose, now, owner)
    # The message is one of the fixed, human reasons: never an echo of the token or a parser's complaint.
    assert str(caught.value) in REASONS
    return caught.value


# --- the format, written out independently ---------------------------------------------------------------


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def packed(*fields: tuple[int, int]) -> bytes:
    """(value, bits) fields, most significant first, zero-padded to whole bytes."""
    bits = "".join(format(value, f"0{width}b") for value, width in fields)
    bits += "0" * (-len(bits) % 8)
    return int(bits, 2).to_bytes(len(bits) // 8, "big")


def tag(payload: bytes, purpose: Purpose = Purpose.ACTION, owner: str = OWNER, key: bytes = KEY) -> bytes:
    framed = b"".join(len(part).to_bytes(4, "big") + part for part in (purpose.value.encode(), owner.encode()))
    return hmac.new(key, b"circleback/v2\n" + framed + payload, hashlib.sha256).digest()[:16]


def well_signed(payload: bytes, purpose: Purpose = Purpose.ACTION) -> str:
    """A token with a correct tag around any payload: what only the key's holder can make."""
    return b64(payload + tag(payload, purpose))


def payload_of(token: str) -> bytes:
    return unb64(token)[:-16]


DAY = (date(2025, 1, 6) - date(2024, 1, 1)).days  # the digest's date, in days from 2024
HOUR = 16 + 7  # 07:00 UTC on the digest's date, in hours from 08:00 UTC the day before
MILLIS = int(CONTACT[:11], 16) - int(datetime(2024, 1, 1, tzinfo=UTC).timestamp() * 1000)
RANDOM = int(CONTACT[11:], 16)


def action_payload(code: int = 0, lifetime: int = 0, day: int = DAY, hour: int = HOUR) -> bytes:
    return packed((1, 1), (code, 4), (lifetime, 2), (day, 15), (hour, 9), (MILLIS, 41), (RANDOM, 40))


# --- the happy path -------------------------------------------------------------------------------------


def test_round_trip_returns_every_field() -> None:
    claim = verified(action_token(action=Action.SNOOZE))

    assert claim == Claim(
        owner_id=OWNER,
        contact_id=CONTACT,
        action=Action.SNOOZE,
        digest=DIGEST,
        purpose=Purpose.ACTION,
        issued_at=ISSUED,
        expires_at=ISSUED + timedelta(days=30),
    )


def test_an_action_token_is_the_documented_payload_and_tag() -> None:
    token = action_token(action=Action.SNOOZE)

    assert token == b64(action_payload(code=2) + tag(action_payload(code=2)))
    assert len(payload_of(token)) == 14
    assert len(token) == 40
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_unsubscribe_and_calendar_tokens_are_the_documented_payloads() -> None:
    unsubscribe = signer.sign(OWNER, None, Action.PAUSE, DIGEST, Purpose.UNSUBSCRIBE, NOW)
    calendar = signer.sign(OWNER, None, Action.CALENDAR, "", Purpose.CALENDAR, NOW, ttl=CALENDAR_LINK_TTL)
    minute = (NOW - datetime(2024, 1, 1, tzinfo=UTC)) // timedelta(minutes=1)

    assert payload_of(unsubscribe) == packed((0, 2), (DAY, 15), (HOUR, 9))
    assert unsubscribe.endswith(
        b64(packed((0, 2), (DAY, 15), (HOUR, 9)) + tag(payload_of(unsubscribe), Purpose.UNSUBSCRIBE))[-5:]
    )
    assert payload_of(calendar) == packed((3, 2), (minute, 26))
    assert unb64(calendar)[-16:] == tag(payload_of(calendar), Purpose.CALENDAR)
    assert verified(unsubscribe, Purpose.UNSUBSCRIBE).contact_id is None
    feed = verified(calendar, Purpose.CALENDAR, NOW + timedelta(days=5 * 365 - 1))
    assert feed.issued_at == datetime(2025, 1, 6, 7, 30, tzinfo=UTC)  # to the minute: revocations are
    assert feed.expires_at == feed.issued_at + CALENDAR_LINK_TTL
    assert feed.digest == ""


def test_an_add_token_is_the_documented_payload_and_names_a_person_s_key() -> None:
    token = signer.sign(OWNER, "00c0ffee42", Action.ADD, DIGEST, Purpose.ADD, NOW)

    assert payload_of(token) == packed((0, 2), (DAY, 15), (HOUR, 9), (0x00C0FFEE42, 40))
    assert unb64(token)[-16:] == tag(payload_of(token), Purpose.ADD)
    claim = verified(token, Purpose.ADD)
    assert (claim.contact_id, claim.action, claim.digest) == ("00c0ffee42", Action.ADD, DIGEST)
    assert isinstance(refused(token, Purpose.ACTION), WrongPurpose)
    assert isinstance(refused(action_token(), Purpose.ADD), WrongPurpose)
    for bad in ("00C0FFEE42", "c0ffee42", "a contact id", None):  # only a key: ten lower-case hex digits
        with pytest.raises(ValueError, match="10 hex digits"):
            signer.sign(OWNER, bad, Action.ADD, DIGEST, Purpose.ADD, NOW)
    with pytest.raises(ValueError):
        signer.sign(OWNER, "00c0ffee42", Action.REACHED_OUT, DIGEST, Purpose.ADD, NOW)


@pytest.mark.parametrize("bit", range(9 * 8))
def test_flipping_any_bit_of_an_add_token_s_payload_fails(bit: int) -> None:
    data = bytearray(unb64(signer.sign(OWNER, "00c0ffee42", Action.ADD, DIGEST, Purpose.ADD, NOW)))
    data[bit // 8] ^= 0x80 >> (bit % 8)

    for purpose in Purpose:
        refused(b64(bytes(data)), purpose)


def test_the_owner_and_purpose_are_signed_not_carried() -> None:
    token = action_token()

    assert OWNER.encode() not in unb64(token)
    assert b"action" not in unb64(token)
    assert "@" not in token


@pytest.mark.parametrize("contact", ["c1", "contact-1", "Ünïcode-id", "0194a1b2c3d4e5f6a7b8cd", "0" * 21])
def test_any_other_contact_id_rides_as_text_after_a_four_byte_header(contact: str) -> None:
    token = action_token(contact=contact)

    assert payload_of(token) == packed((0, 1), (0, 4), (0, 2), (DAY, 15), (HOUR, 9)) + contact.encode()
    assert verified(token).contact_id == contact


def test_verifying_with_another_timezone_is_the_same_instant() -> None:
    paris = NOW.astimezone(ZoneInfo("Europe/Paris"))

    assert verified(action_token(now=paris)).issued_at == ISSUED


# --- at most 100 characters a link ----------------------------------------------------------------------


def test_every_link_fits_in_100_characters_with_the_longest_default_address() -> None:
    links = DigestLinks(signer, LONGEST_BASE, OWNER, date(2026, 12, 4), datetime(2026, 12, 4, 6, 59, 59, tzinfo=UTC))
    contact = f"{int(datetime(2093, 1, 1, tzinfo=UTC).timestamp() * 1000):011x}ffffffffff"  # the last that packs
    urls = [links.action_url(contact, action.value) for action in ACTION_CODES]
    urls.append(links.pause_url())
    urls.append(calendar_link(signer, LONGEST_BASE, OWNER, links.now, None))
    urls.append(links.add_url("ffffffffff"))

    assert max(len(url) for url in urls) == 100, urls
    assert all(url.startswith(LONGEST_BASE + "/") for url in urls)


# --- idempotency key ------------------------------------------------------------------------------------


def test_idempotency_key_is_stable_for_one_token() -> None:
    token = action_token()

    first = verified(token).key()
    later = verified(token, now=NOW + timedelta(days=3)).key()

    assert first == later
    assert len(first) == 64
    assert int(first, 16) >= 0


def test_idempotency_key_survives_key_rotation() -> None:
    token = action_token(TokenSigner(StaticKeyRing(OLD_KEY)))
    rotated = TokenSigner(StaticKeyRing(NEW_KEY, previous=OLD_KEY))

    assert rotated.verify(token, Purpose.ACTION, NOW, OWNER).key() == verified(action_token()).key()


def test_idempotency_key_differs_across_tokens() -> None:
    tokens = [
        action_token(action=Action.REACHED_OUT),
        action_token(action=Action.SNOOZE),
        action_token(now=NOW + timedelta(hours=1)),
        action_token(contact="another-contact"),
        signer.sign(OWNER, CONTACT, Action.REACHED_OUT, "2025-01-05", Purpose.ACTION, NOW),
    ]
    later = NOW + timedelta(days=2)

    assert len({verified(token, now=later).key() for token in tokens}) == len(tokens)
    other_owner = signer.sign(OTHER_OWNER, CONTACT, Action.REACHED_OUT, DIGEST, Purpose.ACTION, NOW)
    assert verified(other_owner, owner=OTHER_OWNER).key() != verified(tokens[0]).key()


def test_a_first_format_token_and_a_compact_one_of_the_same_claim_share_their_key() -> None:
    compact = verified(action_token())

    assert verified(legacy_token(legacy_payload(i=int(ISSUED.timestamp())))).key() == compact.key()


# --- every bit is bound -------------------------------------------------------------------------------


@pytest.mark.parametrize("bit", range(14 * 8))
def test_flipping_any_payload_bit_without_the_key_fails(bit: int) -> None:
    data = bytearray(unb64(action_token()))
    data[bit // 8] ^= 0x80 >> (bit % 8)

    for purpose in Purpose:
        refused(b64(bytes(data)), purpose)


def test_another_owner_or_purpose_is_refused() -> None:
    token = action_token()

    assert type(refused(token, owner=OTHER_OWNER)) is InvalidToken  # the owner is under the tag
    assert isinstance(refused(token, Purpose.UNSUBSCRIBE), WrongPurpose)
    assert isinstance(refused(token, Purpose.CALENDAR), WrongPurpose)
    unsubscribe = signer.sign(OWNER, None, Action.PAUSE, DIGEST, Purpose.UNSUBSCRIBE, NOW)
    assert isinstance(refused(unsubscribe, Purpose.ACTION), WrongPurpose)
    assert type(refused(unsubscribe, Purpose.ACTION, owner=OTHER_OWNER)) is InvalidToken


def test_owner_and_purpose_cannot_be_shifted_into_each_other() -> None:
    payload = action_payload()
    # Without length prefixes, purpose "action" + owner "owner" and purpose "actiono" + owner "wner" would agree.
    unframed = hmac.new(KEY, b"circleback/v2\nactionowner" + payload, hashlib.sha256).digest()[:16]

    refused(b64(payload + unframed))
    assert verified(b64(payload + tag(payload))).contact_id == CONTACT


def test_the_tag_is_domain_separated_and_truncated_to_128_bits() -> None:
    payload = action_payload()
    bare = hmac.new(KEY, payload, hashlib.sha256).digest()[:16]
    framed = b"".join(len(part).to_bytes(4, "big") + part for part in (b"action", OWNER.encode()))
    full = hmac.new(KEY, b"circleback/v2\n" + framed + payload, hashlib.sha256).digest()

    refused(b64(payload + bare))
    refused(b64(payload + full))  # the whole MAC is not the tag
    refused(b64(payload + tag(payload)[:15]))
    assert verified(b64(payload + full[:16]))


# --- correctly tagged but odd payloads: only sign makes payloads, so anything else is refused -----------


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"\x80",
        action_payload()[:-1],
        action_payload() + b"\x00",
        packed((0, 1), (0, 4), (0, 2), (DAY, 15), (HOUR, 9)),  # a text contact id, but none
        packed((0, 1), (0, 4), (0, 2), (DAY, 15), (HOUR, 9)) + CONTACT.encode(),  # packable, so not canonical
        packed((0, 1), (0, 4), (0, 2), (DAY, 15), (HOUR, 9), (1, 1)) + b"c1",  # the header's spare bit set
        packed((0, 1), (0, 4), (0, 2), (DAY, 15), (HOUR, 9)) + b"\xff\xfe",  # not UTF-8
    ],
)
def test_well_tagged_but_malformed_action_payloads_are_refused(payload: bytes) -> None:
    assert type(refused(well_signed(payload))) is InvalidToken


@pytest.mark.parametrize(
    ("purpose", "payload"),
    [
        (Purpose.UNSUBSCRIBE, packed((0, 2), (DAY, 15), (HOUR, 9))[:3]),
        (Purpose.UNSUBSCRIBE, packed((0, 2), (DAY, 15), (HOUR, 9), (1, 6))),
        (Purpose.UNSUBSCRIBE, packed((0, 2), (DAY, 15), (HOUR, 9)) + b"c1"),
        (Purpose.CALENDAR, packed((0, 2), (1, 26), (1, 4))),
        (Purpose.CALENDAR, packed((0, 2), (1, 26)) + b"\x00"),
    ],
)
def test_well_tagged_but_malformed_unsubscribe_and_calendar_payloads_are_refused(
    purpose: Purpose, payload: bytes
) -> None:
    token = well_signed(payload, purpose)

    with pytest.raises(InvalidToken):
        signer.verify(token, purpose, datetime(2024, 1, 2, tzinfo=UTC), OWNER)


def test_a_second_spelling_of_the_same_bytes_is_refused() -> None:
    token = well_signed(packed((0, 2), (DAY, 15), (HOUR, 9)), Purpose.UNSUBSCRIBE)  # 20 bytes: 4 spare bits
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    twin = token[:-1] + alphabet[alphabet.index(token[-1]) ^ 1]

    assert unb64(twin) == unb64(token)
    assert verified(token, Purpose.UNSUBSCRIBE)
    refused(twin, Purpose.UNSUBSCRIBE)


# --- damaged tokens -------------------------------------------------------------------------------------


def test_tampered_tag_is_refused() -> None:
    token = action_token()
    flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]

    assert refused(flipped).code == "invalid"


@pytest.mark.parametrize("cut", [1, 2, 10, 21, 22, 39])
def test_truncated_token_is_refused(cut: int) -> None:
    refused(action_token()[:-cut])


@pytest.mark.parametrize(
    "garbage",
    ["", ".", "..", "abc", "abc.def", "abc.def.ghi", "not a token", "eyJ9.%%%", "\x00", "é.é", "abc.def\n", "A" * 21],
)
def test_garbage_is_refused(garbage: str) -> None:
    assert refused(garbage).code == "invalid"


def test_non_alphabet_characters_are_refused_even_around_a_valid_token() -> None:
    token = action_token()

    for spoiled in (token + "=", " " + token, token + "\n", token[:5] + "+" + token[6:], token[:5] + "/" + token[6:]):
        refused(spoiled)


def test_over_long_token_is_refused_even_when_its_tag_is_right() -> None:
    payload = packed((0, 1), (0, 4), (0, 2), (DAY, 15), (HOUR, 9)) + b"x" * 400
    token = well_signed(payload)

    assert len(token) > MAX_TOKEN_LENGTH
    refused(token)
    refused("A" * 100_000)


def test_sign_refuses_to_make_a_token_verify_would_refuse() -> None:
    with pytest.raises(ValueError, match="too long"):
        signer.sign(OWNER, "x" * 400, Action.SNOOZE, DIGEST, Purpose.ACTION, NOW)


# --- time -----------------------------------------------------------------------------------------------


def test_valid_until_just_before_expiry() -> None:
    assert verified(action_token(), now=ISSUED + timedelta(days=30) - timedelta(microseconds=1))


@pytest.mark.parametrize("after", [timedelta(0), timedelta(seconds=1), timedelta(days=400)])
def test_expired_at_and_after_expiry(after: timedelta) -> None:
    error = refused(action_token(), now=ISSUED + timedelta(days=30) + after)

    assert isinstance(error, ExpiredToken)
    assert str(error) == "This link has expired. Your next digest will carry fresh ones."


@pytest.mark.parametrize(("code", "lifetime"), list(enumerate(LIFETIMES)))
def test_each_lifetime_is_two_bits_of_the_payload(code: int, lifetime: timedelta) -> None:
    token = signer.sign(OWNER, CONTACT, Action.REACHED_OUT, DIGEST, Purpose.ACTION, NOW, ttl=lifetime)

    assert payload_of(token) == action_payload(lifetime=code)
    assert verified(token).expires_at == ISSUED + lifetime
    assert isinstance(refused(token, now=ISSUED + lifetime), ExpiredToken)


def test_signer_default_ttl_is_configurable() -> None:
    weekly = TokenSigner(StaticKeyRing(KEY), ttl=timedelta(days=7))

    assert verified(action_token(weekly)).expires_at == ISSUED + timedelta(days=7)


@pytest.mark.parametrize("ttl", [timedelta(0), timedelta(days=-1), timedelta(hours=1), timedelta(days=31)])
def test_only_the_format_s_lifetimes_are_accepted(ttl: timedelta) -> None:
    with pytest.raises(ValueError, match="lifetime"):
        signer.sign(OWNER, CONTACT, Action.SNOOZE, DIGEST, Purpose.ACTION, NOW, ttl=ttl)
    with pytest.raises(ValueError, match="lifetime"):
        TokenSigner(StaticKeyRing(KEY), ttl=ttl)


def test_issued_a_little_in_the_future_is_tolerated() -> None:
    token = action_token()

    assert verified(token, now=ISSUED - CLOCK_SKEW).issued_at == ISSUED


def test_issued_beyond_the_skew_is_refused() -> None:
    error = refused(action_token(now=NOW + timedelta(hours=1)))

    assert type(error) is InvalidToken


@pytest.mark.parametrize(
    ("issued", "digest"),
    [
        (datetime(2025, 1, 5, 16, tzinfo=UTC), "2025-01-06"),  # 06:00 on the 6th in Kiritimati (UTC+14)
        (datetime(2025, 1, 7, 11, 59, tzinfo=UTC), "2025-01-06"),  # 23:59 on the 6th in Baker Island (UTC-12)
        (datetime(2025, 1, 20, 23, tzinfo=UTC), "2025-01-06"),  # a digest sent 14 days late
        (datetime(2025, 1, 5, 8, tzinfo=UTC), "2025-01-06"),  # the first hour the format holds
        (datetime(2025, 1, 26, 15, 59, tzinfo=UTC), "2025-01-06"),  # the last
    ],
)
def test_a_digest_s_links_may_be_made_across_every_time_zone_and_late(issued: datetime, digest: str) -> None:
    token = signer.sign(OWNER, CONTACT, Action.REACHED_OUT, digest, Purpose.ACTION, issued)

    assert verified(token, now=issued).digest == digest


@pytest.mark.parametrize(
    ("issued", "digest"),
    [(datetime(2025, 1, 5, 7, 59, tzinfo=UTC), "2025-01-06"), (datetime(2025, 1, 26, 16, tzinfo=UTC), "2025-01-06")],
)
def test_links_made_outside_the_digest_s_window_are_refused_when_signed(issued: datetime, digest: str) -> None:
    with pytest.raises(ValueError, match="16 hours before"):
        signer.sign(OWNER, CONTACT, Action.REACHED_OUT, digest, Purpose.ACTION, issued)


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        signer.sign(OWNER, CONTACT, Action.SNOOZE, DIGEST, Purpose.ACTION, datetime(2025, 1, 6))
    with pytest.raises(ValueError, match="timezone-aware"):
        signer.verify(action_token(), Purpose.ACTION, datetime(2025, 1, 6), OWNER)


# --- keys -----------------------------------------------------------------------------------------------


def test_another_deployments_key_is_refused() -> None:
    refused(action_token(TokenSigner(StaticKeyRing(b"e" * 32))))


def test_reasons_are_for_people() -> None:
    reasons = {
        refused("garbage").reason,
        refused(action_token(), now=NOW + timedelta(days=31)).reason,
        refused(action_token(), Purpose.CALENDAR).reason,
        refused(legacy_token(legacy_payload()), owner=OTHER_OWNER).reason,
    }

    assert len(reasons) == 4
    assert all(reason.startswith("This link") and reason.endswith(".") for reason in reasons)


def test_previous_key_verifies_while_loaded_and_not_after() -> None:
    old_token = action_token(TokenSigner(StaticKeyRing(OLD_KEY)))
    during = TokenSigner(StaticKeyRing(NEW_KEY, previous=OLD_KEY))
    after = TokenSigner(StaticKeyRing(NEW_KEY))

    assert during.verify(old_token, Purpose.ACTION, NOW, OWNER).contact_id == CONTACT
    with pytest.raises(InvalidToken):
        after.verify(old_token, Purpose.ACTION, NOW, OWNER)


def test_new_tokens_are_signed_with_the_current_key() -> None:
    token = action_token(TokenSigner(StaticKeyRing(NEW_KEY, previous=OLD_KEY)))

    assert TokenSigner(StaticKeyRing(NEW_KEY)).verify(token, Purpose.ACTION, NOW, OWNER)
    with pytest.raises(InvalidToken):
        TokenSigner(StaticKeyRing(OLD_KEY)).verify(token, Purpose.ACTION, NOW, OWNER)


def test_static_key_ring_orders_current_first() -> None:
    ring = StaticKeyRing(NEW_KEY, previous=OLD_KEY)

    assert ring.signing_key() == NEW_KEY
    assert list(ring.verification_keys()) == [NEW_KEY, OLD_KEY]
    assert list(StaticKeyRing(NEW_KEY).verification_keys()) == [NEW_KEY]


def test_short_keys_are_rejected() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        StaticKeyRing(b"short")
    with pytest.raises(ValueError, match="32 bytes"):
        StaticKeyRing(KEY, previous=b"")


# --- signing refuses nonsense ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("owner", "contact", "action", "digest", "purpose"),
    [
        ("", CONTACT, Action.SNOOZE, DIGEST, Purpose.ACTION),
        (OWNER, None, Action.SNOOZE, DIGEST, Purpose.ACTION),
        (OWNER, "", Action.SNOOZE, DIGEST, Purpose.ACTION),
        (OWNER, CONTACT, Action.SNOOZE, "06/01/2025", Purpose.ACTION),
        (OWNER, CONTACT, Action.SNOOZE, "20250106", Purpose.ACTION),
        (OWNER, CONTACT, Action.SNOOZE, "", Purpose.ACTION),
        (OWNER, CONTACT, Action.CALENDAR, DIGEST, Purpose.ACTION),
        (OWNER, None, Action.PAUSE, "", Purpose.CALENDAR),
        (OWNER, None, Action.CALENDAR, DIGEST, Purpose.CALENDAR),
        (OWNER, CONTACT, Action.CALENDAR, "", Purpose.CALENDAR),
        (OWNER, None, Action.SNOOZE, DIGEST, Purpose.UNSUBSCRIBE),
        (OWNER, CONTACT, Action.PAUSE, DIGEST, Purpose.UNSUBSCRIBE),
        (OWNER, None, Action.PAUSE, "", Purpose.UNSUBSCRIBE),
    ],
)
def test_sign_refuses_inconsistent_claims(
    owner: str, contact: str | None, action: Action, digest: str, purpose: Purpose
) -> None:
    with pytest.raises(ValueError):  # each case has its own message; the refusal is the point
        signer.sign(owner, contact, action, digest, purpose, NOW)


# --- the first format: accepted until its links expire, never made ------------------------------------


def legacy_payload(**change: Any) -> dict[str, Any]:
    issued = int(NOW.replace(microsecond=0).timestamp())
    payload = {"o": OWNER, "c": CONTACT, "a": "reached_out", "d": DIGEST, "p": "action", "i": issued, **change}
    return {"e": payload["i"] + 30 * 86400 if isinstance(payload["i"], int) else 0, **payload}


def legacy_token(payload: dict[str, Any], key: bytes = KEY, indent: int | None = None) -> str:
    separators = (",", ":") if indent is None else None
    body = b64(json.dumps(payload, sort_keys=True, separators=separators, indent=indent).encode())
    return f"{body}.{b64(hmac.new(key, b'circleback/v1' + bytes([10]) + body.encode(), hashlib.sha256).digest())}"


def test_a_first_format_token_still_verifies() -> None:
    claim = verified(legacy_token(legacy_payload(a="snooze")))

    assert (claim.contact_id, claim.action, claim.issued_at) == (CONTACT, Action.SNOOZE, NOW.replace(microsecond=0))
    assert verified(legacy_token(legacy_payload(c=None, a="pause", p="unsubscribe")), Purpose.UNSUBSCRIBE)
    calendar = legacy_payload(c=None, a="calendar", p="calendar", d="")
    assert verified(legacy_token({**calendar, "e": calendar["i"] + 5 * 365 * 86400}), Purpose.CALENDAR)


def test_a_first_format_token_for_another_owner_says_so() -> None:
    error = refused(legacy_token(legacy_payload()), owner=OTHER_OWNER)

    assert isinstance(error, ForeignToken)
    assert error.code == "foreign"


@pytest.mark.parametrize(
    "token",
    [
        legacy_token(legacy_payload(), key=b"e" * 32),
        legacy_token(legacy_payload(), indent=1),  # the same claim in another spelling
        legacy_token(legacy_payload(a="delete_everything")),
        legacy_token(legacy_payload(i="1736148615")),
        legacy_token({"o": OWNER}),
        legacy_token(legacy_payload())[:-1],
        legacy_token(legacy_payload()) + ".x",
        legacy_token(legacy_payload(o="x" * 400)),
    ],
)
def test_bad_first_format_tokens_are_refused(token: str) -> None:
    refused(token)


def test_first_format_expiry_and_purpose_still_hold() -> None:
    token = legacy_token(legacy_payload())

    assert isinstance(refused(token, now=NOW + timedelta(days=31)), ExpiredToken)
    assert isinstance(refused(token, Purpose.UNSUBSCRIBE), WrongPurpose)


# --- properties -----------------------------------------------------------------------------------------

VALID = action_token()


@given(
    flips=st.lists(
        st.tuples(st.integers(0, len(VALID) - 1), st.integers(1, 255)),
        min_size=1,
        max_size=4,
        unique_by=lambda flip: flip[0],
    )
)
def test_random_byte_flips_never_verify(flips: list[tuple[int, int]]) -> None:
    damaged = bytearray(VALID.encode("ascii"))
    for position, mask in flips:
        damaged[position] ^= mask

    with pytest.raises(InvalidToken):
        signer.verify(damaged.decode("latin-1"), Purpose.ACTION, NOW, OWNER)


@given(token=st.text(max_size=600))
def test_arbitrary_text_never_verifies_nor_crashes(token: str) -> None:
    with pytest.raises(InvalidToken):
        signer.verify(token, Purpose.ACTION, NOW, OWNER)


@given(
    contact=st.text(min_size=1, max_size=60).filter(lambda text: "\x00" not in text),
    action=st.sampled_from(ACTION_CODES),
    hours=st.integers(0, 511),
    day=st.dates(date(2024, 1, 2), date(2110, 1, 1)),
)
def test_whatever_sign_makes_verify_gives_back(contact: str, action: Action, hours: int, day: date) -> None:
    issued = datetime.combine(day, datetime.min.time(), UTC) - timedelta(hours=16) + timedelta(hours=hours)
    token = signer.sign(OWNER, contact, action, day.isoformat(), Purpose.ACTION, issued + timedelta(minutes=59))

    claim = signer.verify(token, Purpose.ACTION, issued, OWNER)
    assert (claim.contact_id, claim.action, claim.digest, claim.issued_at) == (contact, action, day.isoformat(), issued)


def test_every_action_code_is_one_distinct_action_link() -> None:
    """The 4-bit field is full: sixteen actions, each its own code, each a link that verifies as itself."""
    assert len(ACTION_CODES) == 16 == len(set(ACTION_CODES))
    for code, action in enumerate(ACTION_CODES):
        claim = verified(b64(action_payload(code=code) + tag(action_payload(code=code))))
        assert claim.action is action
