"""Shared fixtures: fake AWS credentials for every test, an emulated table built from template.yaml."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from circleback.local import embedded_repository, use_loopback_credentials
from circleback.store.repository import Repository


@pytest.fixture(autouse=True)
def _no_real_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test can reach a real account: dummy credentials, no profile, a fixed region."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    use_loopback_credentials()


@pytest.fixture
def repo() -> Iterator[Repository]:
    with embedded_repository() as repository:
        yield repository
