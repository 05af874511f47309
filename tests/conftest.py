"""Shared fixtures: fake AWS credentials for every test, an emulated table built from template.yaml.

The table is moto's (in process) for most tests; the store's own tests also run against DynamoDB Local,
AWS's emulator (tests/dynamodb_local.py), through the `dynamodb_local_repo` fixture.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import settings

from circleback.adapters.store.repository import Repository
from circleback.local.emulator import create_table, embedded_repository, load_template, use_loopback_credentials
from tests import dynamodb_local as local_server

# No per-example deadline: these machines are noisy, and speed is measured by `make bench`, not by tests.
settings.register_profile("circleback", deadline=None, print_blob=True)
settings.load_profile("circleback")

_table_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _no_real_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test can reach a real account: dummy credentials, no profile, a fixed region."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    use_loopback_credentials()


@pytest.fixture(autouse=True)
def _no_home_writes(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The command line's config file and local store go to a test's own folders, never the user's."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.delenv("CIRCLEBACK_CONFIG", raising=False)
    monkeypatch.delenv("CIRCLEBACK_TABLE", raising=False)


@pytest.fixture
def moto_repo(template: dict[str, Any]) -> Iterator[Repository]:
    with embedded_repository(template) as repository:
        yield repository


@pytest.fixture
def repo(moto_repo: Repository) -> Repository:
    return moto_repo


@pytest.fixture(scope="session")
def dynamodb_local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[local_server.Server]:
    """DynamoDB Local for the whole session, on 127.0.0.1. Skipped where it is not installed, except in CI,
    which must run these tests. Stopped at the end of the session, whatever happened.
    """
    reason = local_server.missing()
    java, jar = local_server.find_java(), local_server.find_jar()
    if reason is not None or java is None or jar is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the DynamoDB Local tests: {reason}", pytrace=False)
        pytest.skip(reason or "DynamoDB Local is not installed")
    with pytest.MonkeyPatch.context() as patch, contextlib.ExitStack() as stack:
        for name in ("NO_PROXY", "no_proxy"):  # no proxy between the tests and the loopback server
            patch.setenv(name, ",".join(filter(None, (os.environ.get(name), local_server.HOST))))
        try:
            server = stack.enter_context(local_server.running(java, jar, tmp_path_factory.mktemp("dynamodb-local")))
        except local_server.StartError as error:
            pytest.fail(f"DynamoDB Local did not start: {error}", pytrace=False)
        yield server


@pytest.fixture(scope="session")
def template() -> dict[str, Any]:
    return load_template()


@pytest.fixture
def dynamodb_local_repo(dynamodb_local: local_server.Server, template: dict[str, Any]) -> Iterator[Repository]:
    """A repository over a fresh table on DynamoDB Local, made by the same create_table as moto's."""
    client = dynamodb_local.client()
    table = f"circleback-test-{next(_table_numbers)}"
    create_table(client, table, template)
    try:
        yield Repository(table, client)
    finally:
        client.delete_table(TableName=table)


# Slow: whole directories that run the demo's deployment or a browser or a fuzzer, and the integration modules
# that start the demo. `make check` leaves them out (`-m "not slow"`); `make test` runs them all.
SLOW_DIRECTORIES = ("faults", "e2e", "contract")
SLOW_MODULES = frozenset(
    {
        "test_actions_api.py",
        "test_touches_api.py",
        "test_calendar_api.py",
        "test_demo_serving.py",
        "test_handlers.py",
        "test_log_hygiene.py",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = item.path
        if path.parent.name in SLOW_DIRECTORIES or path.name in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
