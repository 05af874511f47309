"""Personal access tokens for the JSON API: shown once, stored only as a hash, compared in constant time.

A token reads ``cbk_<id>_<secret>``: the id finds the stored hash with one GetItem, the secret (256 random
bits) is checked against it. A plain SHA-256 suffices: the secret is random, not a password to stretch.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime

from circleback.domain.model import AccessToken

PREFIX = "cbk"
_SHAPE = re.compile(r"cbk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")


class BadAccessToken(Exception):
    """Not a token this API issued, or one that was revoked. Deliberately says no more."""


def issue(name: str, now: datetime) -> tuple[str, AccessToken]:
    """A new token: the text to show the owner once, and the record to store."""
    token_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    return f"{PREFIX}_{token_id}_{secret}", AccessToken(token_id, name, _hash(secret), now)


def parse(presented: str) -> tuple[str, str]:
    """The token's id and secret, or BadAccessToken when it does not even look like one of ours."""
    match = _SHAPE.fullmatch(presented)
    if match is None:
        raise BadAccessToken()
    return match.group(1), match.group(2)


def matches(stored: AccessToken, secret: str) -> bool:
    return hmac.compare_digest(_hash(secret), stored.secret_hash)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()
