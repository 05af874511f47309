"""The link-signing keys, read from a Secrets Manager secret through Powertools Parameters.

boto3 and Powertools are imported, and the client created, only on first use; the client or its config can be
injected. Keep one ring per warm container (module level in the handler) so its cache outlives an invocation.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from circleback.adapters.call_budgets import INTERACTIVE
from circleback.auth.tokens import check_key

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.parameters import SecretsProvider
    from botocore.client import BaseClient
    from botocore.config import Config

CURRENT = "AWSCURRENT"
PREVIOUS = "AWSPREVIOUS"
DEFAULT_MAX_AGE = 300  # seconds: a rotation reaches every warm container within this long
_NOT_FOUND = "ResourceNotFoundException"


class KeyUnavailable(Exception):
    """The signing key could not be read: a handler answers 503 (try again), never a stack trace."""


def default_config() -> Config:
    # A person is waiting on the page: a quick retry for throttling and 5xx, then give up with a 503.
    return INTERACTIVE.config()


class SecretsManagerKeyRing:
    """AWSCURRENT signs; AWSCURRENT and AWSPREVIOUS verify, so links survive one rotation."""

    def __init__(
        self,
        secret_id: str,
        *,
        client: BaseClient | None = None,
        config: Config | None = None,
        max_age: int = DEFAULT_MAX_AGE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.secret_id = secret_id
        self.max_age = max_age
        self._client = client
        self._config = config
        self._clock = clock
        self._providers: dict[str, SecretsProvider] = {}
        self._no_previous_until: float | None = None

    @property
    def client(self) -> BaseClient:
        if self._client is None:
            import boto3

            self._client = boto3.client("secretsmanager", config=self._config or default_config())
        return self._client

    def signing_key(self) -> bytes:
        return self._read(CURRENT)

    def verification_keys(self) -> Sequence[bytes]:
        current = self._read(CURRENT)
        previous = self._read_previous()
        return (current,) if previous is None or previous == current else (current, previous)

    def _read_previous(self) -> bytes | None:
        """AWSPREVIOUS, or None for a secret never rotated (remembered for max_age, as a value would be)."""
        if self._no_previous_until is not None and self._clock() < self._no_previous_until:
            return None
        try:
            return self._read(PREVIOUS)
        except KeyUnavailable as exc:
            if _error_code(exc) != _NOT_FOUND:
                raise
        self._no_previous_until = self._clock() + self.max_age
        return None

    def _read(self, stage: str) -> bytes:
        from aws_lambda_powertools.utilities.parameters import GetParameterError

        try:
            value = self._provider(stage).get(self.secret_id, max_age=self.max_age, VersionStage=stage)
        except GetParameterError as exc:
            # Powertools wraps the SDK's error; keep it as the cause so the code (and _error_code) survive.
            cause = exc.__cause__ or exc.__context__
            raise KeyUnavailable(f"cannot read {stage} of the link-signing secret ({_code_of(cause)})") from cause
        return _key_bytes(value, stage)

    def _provider(self, stage: str) -> SecretsProvider:
        # Powertools caches by secret name alone, not by VersionStage: one provider per stage keeps them apart.
        if stage not in self._providers:
            from aws_lambda_powertools.utilities.parameters import SecretsProvider

            self._providers[stage] = SecretsProvider(boto3_client=self.client)
        return self._providers[stage]


def _key_bytes(value: object, stage: str) -> bytes:
    key = value.encode("utf-8") if isinstance(value, str) else value
    if not isinstance(key, bytes):
        raise KeyUnavailable(f"{stage} of the link-signing secret is not a string or binary value")
    try:
        return check_key(key)
    except ValueError as exc:
        raise KeyUnavailable(f"{stage} of the link-signing secret is too short: {exc}") from None


def _error_code(exc: BaseException) -> str | None:
    cause = exc.__cause__
    return _code_of(cause) if cause is not None else None


def _code_of(error: BaseException | None) -> str:
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        if isinstance(code, str):
            return code
    return type(error).__name__ if error is not None else "unknown error"
