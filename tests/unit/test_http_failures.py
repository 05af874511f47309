"""Which status an error no route expected gets: 503 when waiting and trying again works, else 500."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError

from circleback.web.http import failure_status


def client_error(code: str, status: int) -> ClientError:
    response = {"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return ClientError(response, "GetItem")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (client_error("ProvisionedThroughputExceededException", 400), 503),  # DynamoDB throttling
        (client_error("ThrottlingException", 400), 503),  # Secrets Manager, SQS
        (client_error("RequestLimitExceeded", 400), 503),  # DynamoDB account limit
        (client_error("TransactionInProgressException", 400), 503),
        (client_error("ServiceUnavailable", 503), 503),
        (client_error("SomethingNew", 503), 503),  # any 503 from AWS
        (client_error("InternalServerError", 500), 500),
        (client_error("AccessDeniedException", 400), 500),  # a permission missing: waiting will not help
        (client_error("ValidationException", 400), 500),
        (ReadTimeoutError(endpoint_url="https://dynamodb"), 503),  # no answer in time
        (ConnectionClosedError(endpoint_url="https://dynamodb"), 503),
        (KeyError("a bug"), 500),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
def test_failure_status(error: Exception, status: int) -> None:
    assert failure_status(error) == status
