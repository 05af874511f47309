"""Every AWS client a function creates gives up inside the function's timeout, retries included.

Under sustained throttling or a service that stops answering, a call ends only when its client runs out of
attempts. Each attempt may wait for the connection and then for the answer (the connect and read timeouts),
each retry first sleeps botocore's backoff (exponential with jitter, at most its cap, plus what an
`x-amz-retry-after` header may add), and in adaptive mode the client-side rate limiter may hold each attempt
until a token comes. The worst case is all of them at their longest. It must leave the function time to
answer: a page with a 503 for the HTTP functions, a failed record for the digest worker, a failed tick for the
dispatcher, rather than Lambda cutting it off (which API Gateway turns into a bare 5xx without our headers).

The clients are the ones each handler really gets: its module's `runtime.*` references name the adapters, and
each adapter's client is built as in Lambda and its config read back.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.config import Config
from botocore.retries.bucket import TokenBucket
from botocore.retries.standard import ExponentialBackoff

from circleback import runtime
from circleback.adapters.call_budgets import INTERACTIVE, SEND_EMAIL, CallBudget
from circleback.adapters.secrets import SecretsManagerKeyRing
from circleback.local.demo import LambdaContextStub, load_handler, sqs_event
from circleback.local.emulator import parse_template
from tests.faults.conftest import World

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = parse_template((ROOT / "template.yaml").read_text(encoding="utf-8"))
FUNCTIONS = ("DispatchFunction", "DigestFunction", "ActionsFunction", "CalendarFunction")


def _signer_client() -> BaseClient:
    ring: SecretsManagerKeyRing = runtime.signer()._keys  # type: ignore[assignment]  # the ring behind the signer
    return ring.client


# Each `runtime` name a handler uses, and the AWS clients it brings (None: no client).
CLIENTS: dict[str, Callable[[], list[BaseClient]] | None] = {
    "environment": None,
    "now": None,  # the clock
    "repository": lambda: [runtime.repository().client],
    "interactive_repository": lambda: [runtime.interactive_repository().client],
    "digest_queue": lambda: [runtime.digest_queue().client],
    "mailer": lambda: [runtime.mailer().client],
    "signer": lambda: [_signer_client()],
    "links_for": lambda: [_signer_client()],  # signs the digest's links
}


# botocore's own constants (private, so not in its type stubs): the figures its retries actually use.
BACKOFF = vars(ExponentialBackoff)
WEB = ROOT / "layers" / "circleback" / "circleback" / "web"
MIN_TOKEN_RATE: float = vars(TokenBucket)["_MIN_RATE"]  # tokens a second, at the slowest


def worst_case_seconds(config: Config) -> float:
    """The longest one call through a client with `config` can take before it gives up."""
    retries = config.retries  # type: ignore[attr-defined]
    mode, attempts = retries["mode"], retries["total_max_attempts"]
    assert mode in ("standard", "adaptive"), f"{mode}: legacy retries back off differently"
    per_attempt = config.connect_timeout + config.read_timeout  # type: ignore[attr-defined]
    if mode == "adaptive":
        per_attempt += 1 / MIN_TOKEN_RATE  # the rate limiter's longest wait for one token
    scale = BACKOFF["_DEFAULT_BACKOFF_CONFIG"]["throttling_base_scale"]  # the larger of its two scales
    backoff = sum(
        min(scale * BACKOFF["_BASE"] ** retry, BACKOFF["_MAX_BACKOFF"]) + BACKOFF["_RETRY_AFTER_MAX_ADDITIONAL"]
        for retry in range(attempts - 1)
    )
    return float(attempts * per_attempt + backoff)


def margin(timeout: float) -> float:
    """Time left to answer once a call gave up: a tenth of the timeout, and at least a second."""
    return max(1.0, timeout / 10)


def timeout_of(name: str) -> float:
    own = TEMPLATE["Resources"][name]["Properties"].get("Timeout")
    return float(own if own is not None else TEMPLATE["Globals"]["Function"]["Timeout"])


def runtime_names(name: str) -> set[str]:
    """The `runtime.<name>` references of the function's handler module and of the web modules it joins
    (the actions handler's routers live in circleback/web)."""
    props = TEMPLATE["Resources"][name]["Properties"]
    module = props["Handler"].rpartition(".")[0]
    sources = [ROOT / props["CodeUri"] / f"{module}.py"]
    for node in ast.walk(ast.parse(sources[0].read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "circleback.web":
            sources += [WEB / f"{alias.name}.py" for alias in node.names]
    return {
        node.attr
        for source in sources
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "runtime"
    }


@pytest.fixture
def lambda_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """What the clients need to be built (no call is made): a region and the names from the template."""
    for key, value in {
        "AWS_DEFAULT_REGION": "us-east-1",
        "TABLE_NAME": "circleback",
        "QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/digests",
        "SIGNING_SECRET_ID": "signing-key",
    }.items():
        monkeypatch.setenv(key, value)
    runtime.reset()
    yield
    runtime.reset()


def clients_of(name: str) -> list[tuple[str, BaseClient]]:
    names = runtime_names(name)
    assert names - set(CLIENTS) == set(), "a runtime adapter this test does not know: list it in CLIENTS"
    return [(used, client) for used in sorted(names) for client in (CLIENTS[used] or list)()]


def test_the_worst_case_is_attempts_timeouts_and_backoffs() -> None:
    # Two attempts of 0.5 s + 1 s, and one backoff of at most 1 s, plus 5 s a retry-after header may add.
    assert worst_case_seconds(INTERACTIVE.config()) == 2 * 1.5 + 1 + 5
    # Three adaptive attempts of 1 s + 1 s, each waiting up to 2 s for a token; backoffs of 1 and 2 s (+5 each).
    assert worst_case_seconds(CallBudget(3, 1.0, 1.0, "adaptive").config()) == 3 * 4 + (1 + 5) + (2 + 5)
    # The cap: the seventh retry would wait 64 s, botocore waits 20.
    assert worst_case_seconds(CallBudget(8, 0, 0).config()) == sum(min(2**i, 20) + 5 for i in range(7))


@pytest.mark.usefixtures("lambda_environment")
@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_client_of_a_function_gives_up_inside_its_timeout(name: str) -> None:
    timeout = timeout_of(name)
    clients = clients_of(name)
    assert clients, f"{name} creates no client? (its handler uses no runtime adapter)"
    too_long: dict[str, Any] = {
        f"{used}: {client.meta.service_model.service_name}": round(worst_case_seconds(client.meta.config), 1)
        for used, client in clients
        if worst_case_seconds(client.meta.config) > timeout - margin(timeout)
    }
    assert too_long == {}, f"{name} times out after {timeout:g} s"


@pytest.mark.usefixtures("lambda_environment")
@pytest.mark.parametrize("name", ["ActionsFunction", "CalendarFunction"])
def test_the_http_functions_use_the_interactive_table_client(name: str) -> None:
    names = runtime_names(name)
    assert "interactive_repository" in names
    assert "repository" not in names  # the background client retries for longer than a page may wait


# --- the digest worker: a request starts only with time left for its send --------------------------------


def test_a_digest_request_starts_only_while_its_send_fits_in_what_is_left() -> None:
    digest = load_handler("digest")
    assert worst_case_seconds(SEND_EMAIL.config()) <= digest.START_BY_MS / 1000
    assert timeout_of("DigestFunction") > digest.START_BY_MS / 1000  # the first request of a batch always starts


@dataclass(frozen=True)
class Hurried(LambdaContextStub):
    left: Callable[[], int] = lambda: 60_000

    def get_remaining_time_in_millis(self) -> int:
        return self.left()


def test_a_digest_request_with_too_little_time_left_is_not_started_and_comes_again(world: World) -> None:
    request = world.due_request()
    other = request.model_copy(update={"owner_id": "nobody"})  # an owner that is gone: dropped quietly
    event = sqs_event([request.model_dump_json(), other.model_dump_json()], ["r0", "r1"])
    digest = world.handlers["digest"]
    world.begin()

    # The first request takes up the invocation: once it is sent, too little is left for another.
    hurried = Hurried("Digest", left=lambda: 60_000 if world.emails() == 0 else 10_000)
    response = digest.lambda_handler(event, hurried)

    assert [f["itemIdentifier"] for f in response["batchItemFailures"]] == [event["Records"][1]["messageId"]]
    assert world.emails() == 1
    calls = len(world.injector.calls)
    assert world.digest(other) == {"batchItemFailures": []}  # delivered again, with time: done
    assert len(world.injector.calls) > calls and world.emails() == 1
