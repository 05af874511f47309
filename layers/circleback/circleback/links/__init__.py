"""Signed one-click links: tokens (pure, standard library) and the keys that sign them (Secrets Manager)."""

from circleback.links.secret_keys import KeyUnavailable, SecretsManagerKeyRing
from circleback.links.tokens import (
    Action,
    Claim,
    ExpiredToken,
    ForeignToken,
    InvalidToken,
    KeyRing,
    Purpose,
    StaticKeyRing,
    TokenSigner,
    WrongPurpose,
)

__all__ = [
    "Action",
    "Claim",
    "ExpiredToken",
    "ForeignToken",
    "InvalidToken",
    "KeyRing",
    "KeyUnavailable",
    "Purpose",
    "SecretsManagerKeyRing",
    "StaticKeyRing",
    "TokenSigner",
    "WrongPurpose",
]
