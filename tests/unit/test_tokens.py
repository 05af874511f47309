"""Link tokens: what they bind, and every way a bad one is refused. A fixed clock throughout."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from circleback.auth.tokens import (
    CLOCK_SKEW,
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

NOW = datetime(2025, 1, 6, 7, 30, 15, 123456, tzinfo=UTC)
ISSUED = NOW.replace(microsecond=0)
OWNER = "0194a1b2c3d4e5f6a7b8c9"
OTHER_OWNER = "0194a1b2c3d4e5f6a7b8ff"
CONTACT = "0194a1b2c3d4e5f6a7b8cd"
DIGEST = "2025-01-06"
KEY = b"k" * 32
OLD_KEY = b"o" * 32
NEW_KEY = b"n" * 32

signer = TokenSigner(StaticKeyRing(KEY))
REASONS = {kind.default_reason for kind in (InvalidToken, ExpiredToken, WrongPurpose, ForeignToken)}


def action_token(signer: TokenSigner = signer, *, now: datetime = NOW, action: Action = Action.REACHED_OUT) -> str:
    return signer.sign(OWNER, CONTACT, action, DIGEST, Purpose.ACTION, now)


def payload_of(token: str) -> dict[str, Any]:
    body = token.split(".")[0]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return decoded


def with_payload(token: str, payload: dict[str, Any]) -> str:
    """The token's MAC on a different payload: what someone without the key can make."""
    return f"{encode_body(payload)}.{token.split('.')[1]}"


def encode_body(payload: dict[str, Any]) -> str:
    raw = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def mac_with(key: bytes, body: str) -> str:
    """The MAC as the format defines it, computed here independently of the module."""
    mac = hmac.new(key, b"circleback/v1\n" + body.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def refused(token: str, purpose: Purpose = Purpose.ACTION, now: datetime = NOW, **kwargs: Any) -> InvalidToken:
    with pytest.raises(InvalidToken) as caught:
        signer.verify(token, purpose, now, **kwargs)
    # The message is one of the fixed, human reasons: never an echo of the token or a parser's complaint.
    assert str(caught.value) in REASONS
    return caught.value


# --- the happy path -------------------------------------------------------------------------------


def test_round_trip_returns_every_field() -> None:
    claim = signer.verify(action_token(action=Action.SNOOZE), Purpose.ACTION, NOW, owner_id=OWNER)

    assert claim == Claim(
        owner_id=OWNER,
        contact_id=CONTACT,
        action=Action.SNOOZE,
        digest=DIGEST,
        purpose=Purpose.ACTION,
        issued_at=ISSUED,
        expires_at=ISSUED + timedelta(days=30),
    )


def test_token_is_url_safe_short_and_unpadded() -> None:
    token = action_token(action=Action.THEY_REACHED_OUT)

    assert len(token) <= 240
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
    assert token.count(".") == 1


def test_payload_carries_only_opaque_ids_dates_and_times() -> None:
    payload = payload_of(action_token())

    assert payload == {
        "o": OWNER,
        "c": CONTACT,
        "a": "reached_out",
        "d": DIGEST,
        "p": "action",
        "i": int(ISSUED.timestamp()),
        "e": int((ISSUED + timedelta(days=30)).timestamp()),
    }
    assert "@" not in json.dumps(payload)


def test_unsubscribe_and_calendar_links() -> None:
    unsubscribe = signer.sign(OWNER, None, Action.PAUSE, DIGEST, Purpose.UNSUBSCRIBE, NOW)
    calendar = signer.sign(OWNER, None, Action.CALENDAR, "", Purpose.CALENDAR, NOW, ttl=timedelta(days=365))

    assert signer.verify(unsubscribe, Purpose.UNSUBSCRIBE, NOW).contact_id is None
    long_lived = signer.verify(calendar, Purpose.CALENDAR, NOW + timedelta(days=364), owner_id=OWNER)
    assert long_lived.expires_at == ISSUED + timedelta(days=365)
    assert long_lived.digest == ""


def test_verifying_with_another_timezone_is_the_same_instant() -> None:
    paris = NOW.astimezone(ZoneInfo("Europe/Paris"))

    assert signer.verify(action_token(now=paris), Purpose.ACTION, NOW).issued_at == ISSUED


# --- idempotency key ------------------------------------------------------------------------------


def test_idempotency_key_is_stable_for_one_token() -> None:
    token = action_token()

    first = signer.verify(token, Purpose.ACTION, NOW).key()
    later = signer.verify(token, Purpose.ACTION, NOW + timedelta(days=3)).key()

    assert first == later
    assert len(first) == 64
    assert int(first, 16) >= 0


def test_idempotency_key_survives_key_rotation() -> None:
    token = action_token(TokenSigner(StaticKeyRing(OLD_KEY)))
    rotated = TokenSigner(StaticKeyRing(NEW_KEY, previous=OLD_KEY))

    assert rotated.verify(token, Purpose.ACTION, NOW).key() == signer.verify(action_token(), Purpose.ACTION, NOW).key()


def test_idempotency_key_differs_across_tokens() -> None:
    tokens = [
        action_token(action=Action.REACHED_OUT),
        action_token(action=Action.SNOOZE),
        action_token(now=NOW + timedelta(days=1)),
        signer.sign(OWNER, "another-contact", Action.REACHED_OUT, DIGEST, Purpose.ACTION, NOW),
        signer.sign(OTHER_OWNER, CONTACT, Action.REACHED_OUT, DIGEST, Purpose.ACTION, NOW),
        signer.sign(OWNER, CONTACT, Action.REACHED_OUT, "2025-01-13", Purpose.ACTION, NOW),
    ]
    later = NOW + timedelta(days=2)

    keys = {signer.verify(token, Purpose.ACTION, later).key() for token in tokens}

    assert len(keys) == len(tokens)


# --- every field is bound -------------------------------------------------------------------------

CHANGES: dict[str, Any] = {
    "o": OTHER_OWNER,
    "c": "0194a1b2c3d4e5f6a7b8ce",
    "a": "they_reached_out",
    "d": "2025-01-13",
    "p": "unsubscribe",
    "i": int(ISSUED.timestamp()) - 1,
    "e": int(ISSUED.timestamp()) + 400 * 86400,
}


@pytest.mark.parametrize("field", sorted(CHANGES))
def test_changing_any_field_without_the_key_fails(field: str) -> None:
    token = action_token()
    forged = with_payload(token, {**payload_of(token), field: CHANGES[field]})

    for purpose in Purpose:
        refused(forged, purpose)


def test_same_payload_re_encoded_in_another_spelling_fails() -> None:
    token = action_token()
    raw = json.dumps(payload_of(token), indent=1).encode()  # same claims, different bytes
    body = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    refused(f"{body}.{token.split('.')[1]}")


# --- damaged tokens -------------------------------------------------------------------------------


def test_tampered_mac_is_refused() -> None:
    body, mac = action_token().split(".")
    flipped = ("A" if mac[0] != "A" else "B") + mac[1:]

    assert refused(f"{body}.{flipped}").code == "invalid"


def test_tampered_payload_is_refused() -> None:
    body, mac = action_token().split(".")
    flipped = body[:10] + ("A" if body[10] != "A" else "B") + body[11:]

    refused(f"{flipped}.{mac}")


@pytest.mark.parametrize("cut", [1, 2, 10, 43, 44, 60])
def test_truncated_token_is_refused(cut: int) -> None:
    refused(action_token()[:-cut])


def test_token_missing_its_mac_is_refused() -> None:
    body = action_token().split(".")[0]

    refused(body)
    refused(body + ".")


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        ".",
        "..",
        "abc",
        "abc.def",
        "abc.def.ghi",
        "not a token",
        "eyJ9.%%%",
        "\x00",
        "é.é",
        "abc.def\n",
    ],
)
def test_garbage_is_refused(garbage: str) -> None:
    assert refused(garbage).code == "invalid"


def test_non_alphabet_characters_are_refused_even_around_a_valid_token() -> None:
    token = action_token()

    for spoiled in (token + "=", " " + token, token + "\n", token.replace(".", ".="), token.replace("-", "+")):
        if spoiled != token:
            refused(spoiled)


def test_over_long_token_is_refused_even_when_its_mac_is_right() -> None:
    payload = {**payload_of(action_token()), "o": "x" * 400}
    body = encode_body(payload)
    token = f"{body}.{mac_with(KEY, body)}"

    assert len(token) > MAX_TOKEN_LENGTH
    refused(token)
    refused("A" * 100_000 + "." + token.split(".")[1])


def test_longest_accepted_token() -> None:
    payload = {**payload_of(action_token())}
    payload["o"] = ""
    room = MAX_TOKEN_LENGTH - len(f"{encode_body(payload)}.{mac_with(KEY, encode_body(payload))}")
    payload["o"] = "x" * (room * 3 // 4)
    token = f"{encode_body(payload)}.{mac_with(KEY, encode_body(payload))}"

    assert MAX_TOKEN_LENGTH - 4 < len(token) <= MAX_TOKEN_LENGTH
    assert signer.verify(token, Purpose.ACTION, NOW).owner_id == payload["o"]


def test_sign_refuses_to_make_a_token_verify_would_refuse() -> None:
    with pytest.raises(ValueError, match="too long"):
        signer.sign("x" * 400, CONTACT, Action.SNOOZE, DIGEST, Purpose.ACTION, NOW)


# --- correctly signed but odd payloads: only sign makes payloads, so anything else is refused --------


@pytest.mark.parametrize(
    "change",
    [
        {"x": 1},
        {"i": "1736148615"},
        {"e": 1.5e9},
        {"a": "delete_everything"},
        {"p": "admin"},
        {"c": 42},
        {"d": "yesterday"},
        {"e": 1},
    ],
)
def test_well_signed_but_malformed_payload_is_refused(change: dict[str, Any]) -> None:
    body = encode_body({**payload_of(action_token()), **change})

    refused(f"{body}.{mac_with(KEY, body)}")


@pytest.mark.parametrize("raw", [b"", b"[]", b"null", b"{", b"\xff\xfe", b'{"o":"a"}'])
def test_well_signed_non_payloads_are_refused(raw: bytes) -> None:
    body = base64.urlsafe_b64encode(raw).rstrip(b"=").decode() or "AA"

    refused(f"{body}.{mac_with(KEY, body)}")


def test_well_signed_but_non_canonical_json_is_refused() -> None:
    body = base64.urlsafe_b64encode(json.dumps(payload_of(action_token()), indent=1).encode()).rstrip(b"=").decode()

    refused(f"{body}.{mac_with(KEY, body)}")


def test_the_mac_is_domain_separated() -> None:
    body = action_token().split(".")[0]
    bare = base64.urlsafe_b64encode(hmac.new(KEY, body.encode(), hashlib.sha256).digest()).rstrip(b"=").decode()

    refused(f"{body}.{bare}")
    assert signer.verify(f"{body}.{mac_with(KEY, body)}", Purpose.ACTION, NOW)


# --- time -----------------------------------------------------------------------------------------


def test_valid_until_the_second_before_expiry() -> None:
    token = action_token()

    assert signer.verify(token, Purpose.ACTION, ISSUED + timedelta(days=30) - timedelta(microseconds=1))


@pytest.mark.parametrize("after", [timedelta(0), timedelta(seconds=1), timedelta(days=400)])
def test_expired_at_and_after_expiry(after: timedelta) -> None:
    error = refused(action_token(), now=ISSUED + timedelta(days=30) + after)

    assert isinstance(error, ExpiredToken)
    assert str(error) == "This link has expired. Your next digest will carry fresh ones."


def test_a_shorter_ttl_for_one_token() -> None:
    token = signer.sign(OWNER, CONTACT, Action.PAUSE, DIGEST, Purpose.ACTION, NOW, ttl=timedelta(hours=1))

    assert signer.verify(token, Purpose.ACTION, ISSUED + timedelta(minutes=59))
    assert isinstance(refused(token, now=ISSUED + timedelta(hours=1)), ExpiredToken)


def test_signer_default_ttl_is_configurable() -> None:
    weekly = TokenSigner(StaticKeyRing(KEY), ttl=timedelta(days=7))

    assert weekly.verify(action_token(weekly), Purpose.ACTION, NOW).expires_at == ISSUED + timedelta(days=7)


def test_issued_a_little_in_the_future_is_tolerated() -> None:
    token = action_token(now=NOW + CLOCK_SKEW)

    assert signer.verify(token, Purpose.ACTION, NOW).issued_at == ISSUED + CLOCK_SKEW


def test_issued_beyond_the_skew_is_refused() -> None:
    error = refused(action_token(now=NOW + CLOCK_SKEW + timedelta(seconds=2)))

    assert type(error) is InvalidToken


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        signer.sign(OWNER, CONTACT, Action.SNOOZE, DIGEST, Purpose.ACTION, datetime(2025, 1, 6))
    with pytest.raises(ValueError, match="timezone-aware"):
        signer.verify(action_token(), Purpose.ACTION, datetime(2025, 1, 6))


# --- purpose and owner ----------------------------------------------------------------------------


def test_wrong_purpose_is_refused() -> None:
    unsubscribe = signer.sign(OWNER, None, Action.PAUSE, DIGEST, Purpose.UNSUBSCRIBE, NOW)

    assert isinstance(refused(action_token(), Purpose.UNSUBSCRIBE), WrongPurpose)
    assert isinstance(refused(action_token(), Purpose.CALENDAR), WrongPurpose)
    assert isinstance(refused(unsubscribe, Purpose.ACTION), WrongPurpose)


def test_other_owner_is_refused() -> None:
    error = refused(action_token(), owner_id=OTHER_OWNER)

    assert isinstance(error, ForeignToken)
    assert error.code == "foreign"
    assert signer.verify(action_token(), Purpose.ACTION, NOW, owner_id=OWNER).owner_id == OWNER


def test_another_deployments_key_is_refused() -> None:
    elsewhere = TokenSigner(StaticKeyRing(b"e" * 32))

    refused(action_token(elsewhere))


def test_reasons_are_for_people() -> None:
    reasons = {
        refused("garbage").reason,
        refused(action_token(), now=NOW + timedelta(days=31)).reason,
        refused(action_token(), Purpose.CALENDAR).reason,
        refused(action_token(), owner_id=OTHER_OWNER).reason,
    }

    assert len(reasons) == 4
    assert all(reason.startswith("This link") and reason.endswith(".") for reason in reasons)


# --- rotation -------------------------------------------------------------------------------------


def test_previous_key_verifies_while_loaded_and_not_after() -> None:
    old_token = action_token(TokenSigner(StaticKeyRing(OLD_KEY)))
    during = TokenSigner(StaticKeyRing(NEW_KEY, previous=OLD_KEY))
    after = TokenSigner(StaticKeyRing(NEW_KEY))

    assert during.verify(old_token, Purpose.ACTION, NOW).owner_id == OWNER
    with pytest.raises(InvalidToken):
        after.verify(old_token, Purpose.ACTION, NOW)


def test_new_tokens_are_signed_with_the_current_key() -> None:
    during = TokenSigner(StaticKeyRing(NEW_KEY, previous=OLD_KEY))
    token = action_token(during)

    assert TokenSigner(StaticKeyRing(NEW_KEY)).verify(token, Purpose.ACTION, NOW)
    with pytest.raises(InvalidToken):
        TokenSigner(StaticKeyRing(OLD_KEY)).verify(token, Purpose.ACTION, NOW)


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


# --- signing refuses nonsense ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("owner", "contact", "action", "digest", "purpose"),
    [
        ("", CONTACT, Action.SNOOZE, DIGEST, Purpose.ACTION),
        (OWNER, None, Action.SNOOZE, DIGEST, Purpose.ACTION),
        (OWNER, "", Action.SNOOZE, DIGEST, Purpose.ACTION),
        (OWNER, CONTACT, Action.SNOOZE, "06/01/2025", Purpose.ACTION),
        (OWNER, CONTACT, Action.SNOOZE, "20250106", Purpose.ACTION),
        (OWNER, CONTACT, Action.CALENDAR, DIGEST, Purpose.ACTION),
        (OWNER, None, Action.PAUSE, "", Purpose.CALENDAR),
        (OWNER, None, Action.SNOOZE, DIGEST, Purpose.UNSUBSCRIBE),
    ],
)
def test_sign_refuses_inconsistent_claims(
    owner: str, contact: str | None, action: Action, digest: str, purpose: Purpose
) -> None:
    with pytest.raises(ValueError):  # each case has its own message; the refusal is the point
        signer.sign(owner, contact, action, digest, purpose, NOW)


def test_sign_refuses_a_non_positive_ttl() -> None:
    with pytest.raises(ValueError, match="lifetime"):
        signer.sign(OWNER, CONTACT, Action.SNOOZE, DIGEST, Purpose.ACTION, NOW, ttl=timedelta(0))
    with pytest.raises(ValueError, match="lifetime"):
        TokenSigner(StaticKeyRing(KEY), ttl=timedelta(days=-1))


# --- property: no single flipped byte ever verifies -----------------------------------------------

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
        signer.verify(damaged.decode("latin-1"), Purpose.ACTION, NOW)


@given(token=st.text(max_size=600))
def test_arbitrary_text_never_verifies_nor_crashes(token: str) -> None:
    with pytest.raises(InvalidToken):
        signer.verify(token, Purpose.ACTION, NOW)
