"""Shared fixtures: fake AWS credentials for every test, an emulated table built from template.yaml."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import settings

from circleback.local import embedded_repository, use_loopback_credentials
from circleback.store.repository import Repository

# No per-example deadline: these machines are noisy, and speed is measured by `make bench`, not by tests.
settings.register_profile("circleback", deadline=None, print_blob=True)
settings.load_profile("circleback")


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
