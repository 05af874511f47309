"""Which faults each adapter's own client retries by itself, and how many attempts it makes.

Every attempt is answered on the wire (a `before-send` handler returning the service's error response), so
botocore's retry handler runs as in production; only its sleeping is switched off. The figures pin the
configuration each adapter means to have (circleback.adapters.call_budgets): the table adaptive with 3 attempts in all
(2 for the HTTP functions' client), SES and SQS standard with 3, and Secrets Manager standard with 2 (checked
with its ring in tests/integration/test_secret_keys.py). test_call_budgets.py checks that they fit the functions'
timeouts. Throttling and 5xx are retried (standard mode's
throttling codes include SES's LimitExceededException, so a used-up daily quota is asked again too);
access denied and a failed condition are not.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError
from botocore.retries.bucket import TokenBucket
from botocore.retries.standard import ExponentialBackoff

from circleback.adapters.ses import SesMailer
from circleback.adapters.sqs import DigestQueue
from circleback.adapters.store.repository import ConflictError, Repository
from tests.factories import contact
from tests.faults.aws import ACCESS_DENIED, CONDITION_FAILED, ERRORS, QUOTA, SERVER_ERROR, THROTTLED, failing_sends

QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/digests"


@pytest.fixture(autouse=True)
def _no_sleeping(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0)
    monkeypatch.setattr(TokenBucket, "acquire", lambda self, amount=1, block=True: True)  # adaptive's rate limit


def _dynamodb() -> tuple[BaseClient, Callable[[], object]]:
    repo = Repository("circleback")
    return repo.client, lambda: repo.get_owner("owner")


def _dynamodb_conditional() -> tuple[BaseClient, Callable[[], object]]:
    repo = Repository("circleback")
    return repo.client, lambda: repo.add_contact("owner", contact("Ana"))


def _ses() -> tuple[BaseClient, Callable[[], object]]:
    mailer = SesMailer()
    return mailer.client, lambda: mailer.client.send_email(Content={"Raw": {"Data": b"Subject: hi\r\n\r\nhi"}})


def _sqs() -> tuple[BaseClient, Callable[[], object]]:
    queue = DigestQueue(QUEUE_URL)
    return queue.client, lambda: queue.client.send_message_batch(
        QueueUrl=QUEUE_URL, Entries=[{"Id": "0", "MessageBody": "{}"}]
    )


CLIENTS = {"dynamodb": _dynamodb, "sesv2": _ses, "sqs": _sqs}
# The total of attempts, the first included.
RETRIES = {
    "dynamodb": {"mode": "adaptive", "total_max_attempts": 3},
    "sesv2": {"mode": "standard", "total_max_attempts": 1},  # the mailer retries itself: test_ses_retries.py
    "sqs": {"mode": "standard", "total_max_attempts": 3},
}

CASES = [
    ("dynamodb", THROTTLED, 3),
    ("dynamodb", SERVER_ERROR, 3),
    ("dynamodb", ACCESS_DENIED, 1),
    ("sesv2", THROTTLED, 1),
    ("sesv2", SERVER_ERROR, 1),
    ("sesv2", ACCESS_DENIED, 1),
    ("sesv2", QUOTA, 1),
    ("sqs", THROTTLED, 3),
    ("sqs", SERVER_ERROR, 3),
    ("sqs", ACCESS_DENIED, 1),
]


@pytest.mark.parametrize("service", list(CLIENTS))
def test_each_adapter_configures_the_retries_it_means(service: str) -> None:
    client, _ = CLIENTS[service]()
    assert client.meta.config.retries == RETRIES[service]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("service", "fault", "attempts"), CASES, ids=[f"{s}-{f}" for s, f, _ in CASES])
def test_which_faults_the_clients_retry_by_themselves(service: str, fault: str, attempts: int) -> None:
    client, call = CLIENTS[service]()
    code, status = ERRORS[(service, fault)]
    made = failing_sends(client, code, status)

    with pytest.raises(ClientError) as raised:
        call()

    assert raised.value.response["Error"]["Code"] == code
    assert len(made) == attempts


def test_a_failed_condition_is_not_retried() -> None:
    client, call = _dynamodb_conditional()
    made = failing_sends(client, *ERRORS[("dynamodb", CONDITION_FAILED)])

    with pytest.raises(ConflictError):  # the repository's name for ConditionalCheckFailedException here
        call()
    assert len(made) == 1
