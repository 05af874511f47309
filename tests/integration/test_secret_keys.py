"""The link-signing keys from Secrets Manager: moto for the service, Stubber and a send hook for its faults."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters
from botocore.client import BaseClient
from botocore.config import Config
from botocore.retries.standard import ExponentialBackoff
from botocore.stub import Stubber
from moto import mock_aws

from circleback.adapters.secrets import KeyUnavailable, SecretsManagerKeyRing
from circleback.auth.tokens import Action, InvalidToken, Purpose, TokenSigner
from tests.faults import aws as faults

SECRET = "circleback/link-signing-key"
FIRST = "f" * 40
SECOND = "s" * 40
THIRD = "t" * 40
NOW = datetime(2025, 1, 6, 7, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_powertools_caches() -> Iterator[None]:
    # The rings keep their own providers; the module-wide ones are cleared so nothing cached leaks across tests.
    clear_powertools_caches()
    yield
    clear_powertools_caches()


def clear_powertools_caches() -> None:
    parameters.clear_caches()  # type: ignore[no-untyped-call]  # Powertools leaves this one unannotated


@pytest.fixture
def client() -> Iterator[BaseClient]:
    with mock_aws():
        secrets = boto3.client("secretsmanager")
        secrets.create_secret(Name=SECRET, SecretString=FIRST)
        yield secrets


def count_calls(client: BaseClient) -> list[str]:
    """The VersionStage of every GetSecretValue the client makes from now on."""
    seen: list[str] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        seen.append(params["VersionStage"])

    client.meta.events.register("before-parameter-build.secrets-manager.GetSecretValue", record)
    return seen


def rotate(client: BaseClient, value: str) -> None:
    # PutSecretValue moves AWSCURRENT to the new version and AWSPREVIOUS to the one it replaced.
    client.put_secret_value(SecretId=SECRET, SecretString=value)  # type: ignore[attr-defined]


# --- reading and rotating (moto) ------------------------------------------------------------------


def test_a_never_rotated_secret_gives_only_the_current_key(client: BaseClient) -> None:
    ring = SecretsManagerKeyRing(SECRET, client=client)

    assert ring.signing_key() == FIRST.encode()
    assert list(ring.verification_keys()) == [FIRST.encode()]


def test_after_rotation_both_keys_verify_current_first(client: BaseClient) -> None:
    rotate(client, SECOND)
    ring = SecretsManagerKeyRing(SECRET, client=client)

    assert ring.signing_key() == SECOND.encode()
    assert list(ring.verification_keys()) == [SECOND.encode(), FIRST.encode()]


def test_links_survive_one_rotation_and_not_two(client: BaseClient) -> None:
    ring = SecretsManagerKeyRing(SECRET, client=client, max_age=0)
    signer = TokenSigner(ring)
    token = signer.sign("owner-1", "contact-1", Action.REACHED_OUT, "2025-01-06", Purpose.ACTION, NOW)

    rotate(client, SECOND)
    assert signer.verify(token, Purpose.ACTION, NOW, "owner-1").contact_id == "contact-1"
    assert signer.sign("owner-1", "contact-1", Action.REACHED_OUT, "2025-01-06", Purpose.ACTION, NOW) != token

    rotate(client, THIRD)
    with pytest.raises(InvalidToken):
        signer.verify(token, Purpose.ACTION, NOW, "owner-1")


def test_a_binary_secret_is_used_as_is(client: BaseClient) -> None:
    key = bytes(range(48))
    client.create_secret(Name="binary-key", SecretBinary=key)  # type: ignore[attr-defined]

    assert SecretsManagerKeyRing("binary-key", client=client).signing_key() == key


def test_a_too_short_secret_is_unavailable_not_used(client: BaseClient) -> None:
    client.create_secret(Name="short-key", SecretString="hunter2")  # type: ignore[attr-defined]

    with pytest.raises(KeyUnavailable, match="too short") as caught:
        SecretsManagerKeyRing("short-key", client=client).signing_key()
    assert "hunter2" not in str(caught.value)


def test_a_missing_secret_is_unavailable(client: BaseClient) -> None:
    with pytest.raises(KeyUnavailable, match="ResourceNotFoundException"):
        SecretsManagerKeyRing("no-such-secret", client=client).verification_keys()


# --- caching --------------------------------------------------------------------------------------


def test_reads_within_max_age_make_no_new_call(client: BaseClient) -> None:
    rotate(client, SECOND)
    calls = count_calls(client)
    ring = SecretsManagerKeyRing(SECRET, client=client)

    first = ring.verification_keys()
    assert calls == ["AWSCURRENT", "AWSPREVIOUS"]
    assert ring.verification_keys() == first
    assert ring.signing_key() == SECOND.encode()
    assert calls == ["AWSCURRENT", "AWSPREVIOUS"]


def test_stages_are_cached_apart(client: BaseClient) -> None:
    # Powertools keys its cache by secret name only: a shared provider would hand back AWSCURRENT as AWSPREVIOUS.
    rotate(client, SECOND)
    ring = SecretsManagerKeyRing(SECRET, client=client)

    ring.signing_key()

    assert list(ring.verification_keys()) == [SECOND.encode(), FIRST.encode()]


def test_max_age_zero_reads_every_time(client: BaseClient) -> None:
    rotate(client, SECOND)
    calls = count_calls(client)
    ring = SecretsManagerKeyRing(SECRET, client=client, max_age=0)

    ring.verification_keys()
    ring.verification_keys()

    assert calls == ["AWSCURRENT", "AWSPREVIOUS"] * 2


def test_a_missing_previous_is_remembered_for_max_age(client: BaseClient) -> None:
    clock = [1000.0]
    calls = count_calls(client)
    ring = SecretsManagerKeyRing(SECRET, client=client, max_age=300, clock=lambda: clock[0])

    ring.verification_keys()
    clock[0] += 299
    ring.verification_keys()
    assert calls == ["AWSCURRENT", "AWSPREVIOUS"]

    clock[0] += 2
    assert list(ring.verification_keys()) == [FIRST.encode()]
    assert calls == ["AWSCURRENT", "AWSPREVIOUS", "AWSPREVIOUS"]  # AWSCURRENT is still a cached value


# --- faults (Stubber) -----------------------------------------------------------------------------


def stubbed() -> tuple[BaseClient, Stubber]:
    client = boto3.client("secretsmanager")
    return client, Stubber(client)


def value_response(value: str, stage: str) -> dict[str, Any]:
    return {
        "ARN": f"arn:aws:secretsmanager:us-east-1:123456789012:secret:{SECRET}",
        "Name": SECRET,
        "VersionId": f"{stage.lower()}-version-0000000000000000000",
        "SecretString": value,
        "VersionStages": [stage],
    }


def params(stage: str) -> dict[str, str]:
    return {"SecretId": SECRET, "VersionStage": stage}


@pytest.mark.parametrize(
    ("code", "status"),
    [("AccessDeniedException", 400), ("InternalServiceError", 500), ("ThrottlingException", 400)],
)
def test_faults_reading_the_current_key_are_key_unavailable(code: str, status: int) -> None:
    client, stubber = stubbed()
    stubber.add_client_error("get_secret_value", code, "nope", status, expected_params=params("AWSCURRENT"))
    stubber.add_client_error("get_secret_value", code, "nope", status, expected_params=params("AWSCURRENT"))
    ring = SecretsManagerKeyRing(SECRET, client=client)

    with stubber:
        with pytest.raises(KeyUnavailable, match=code):
            ring.signing_key()
        with pytest.raises(KeyUnavailable, match=code):
            ring.verification_keys()
        stubber.assert_no_pending_responses()


def test_faults_reading_the_previous_key_are_key_unavailable_too() -> None:
    # Verifying with the current key alone would call a good old link "tampered": better a 503 and a retry.
    client, stubber = stubbed()
    stubber.add_response("get_secret_value", value_response(SECOND, "AWSCURRENT"), params("AWSCURRENT"))
    stubber.add_client_error("get_secret_value", "AccessDeniedException", "nope", 400, params("AWSPREVIOUS"))

    with stubber, pytest.raises(KeyUnavailable, match=r"AWSPREVIOUS.*AccessDeniedException"):
        SecretsManagerKeyRing(SECRET, client=client).verification_keys()


def test_missing_previous_gives_just_the_current_key_and_is_not_asked_again() -> None:
    client, stubber = stubbed()
    stubber.add_response("get_secret_value", value_response(SECOND, "AWSCURRENT"), params("AWSCURRENT"))
    stubber.add_client_error(
        "get_secret_value",
        "ResourceNotFoundException",
        "Secrets Manager can't find the specified secret value for staging label: AWSPREVIOUS",
        400,
        params("AWSPREVIOUS"),
    )
    ring = SecretsManagerKeyRing(SECRET, client=client)

    with stubber:
        assert list(ring.verification_keys()) == [SECOND.encode()]
        assert list(ring.verification_keys()) == [SECOND.encode()]  # a further call would find no stubbed answer
        stubber.assert_no_pending_responses()


def test_errors_say_nothing_of_the_key() -> None:
    client, stubber = stubbed()
    stubber.add_client_error("get_secret_value", "AccessDeniedException", "nope", 400, params("AWSCURRENT"))

    with stubber, pytest.raises(KeyUnavailable) as caught:
        SecretsManagerKeyRing(SECRET, client=client).signing_key()

    assert str(caught.value) == "cannot read AWSCURRENT of the link-signing secret (AccessDeniedException)"


# --- the SDK retries before giving up (the ring's own default client) -----------------------------


def failing_sends(client: BaseClient, code: str, status: int) -> list[str]:
    """Answer every attempt on the wire with the error: the client's own retry policy runs as in production."""
    return faults.failing_sends(client, code, status, "before-send.secrets-manager.GetSecretValue")


@pytest.mark.parametrize(("code", "status"), [("ThrottlingException", 400), ("InternalServiceError", 500)])
@pytest.mark.parametrize(
    ("config", "expected_attempts"),
    [(None, 2), (Config(retries={"mode": "standard", "total_max_attempts": 3}), 3)],
    ids=["default-config", "injected-config"],
)
def test_transient_faults_are_retried_then_key_unavailable(
    code: str, status: int, config: Config | None, expected_attempts: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0)  # no real sleeping
    ring = SecretsManagerKeyRing(SECRET, config=config)  # the client it builds itself
    attempts = failing_sends(ring.client, code, status)

    with pytest.raises(KeyUnavailable, match=code):
        ring.signing_key()
    assert len(attempts) == expected_attempts


def test_access_denied_is_not_retried() -> None:
    ring = SecretsManagerKeyRing(SECRET)
    attempts = failing_sends(ring.client, "AccessDeniedException", 400)

    with pytest.raises(KeyUnavailable, match="AccessDeniedException"):
        ring.signing_key()
    assert len(attempts) == 1


# --- importing costs nothing ----------------------------------------------------------------------


def test_importing_the_tokens_and_keys_loads_neither_boto3_nor_powertools() -> None:
    code = (
        "import sys, circleback.auth.tokens, circleback.adapters.secrets\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore', 'aws_lambda_powertools')]\n"
        "assert not loaded, loaded\n"
        "ring = circleback.adapters.secrets.SecretsManagerKeyRing('x')\n"
        "assert 'boto3' not in sys.modules\n"
    )

    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)  # noqa: S603 - our own interpreter
