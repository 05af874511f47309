"""What an error from an AWS call means for the caller: worth trying again in a moment, or not.

The HTTP functions answer 503 "try again" for the first kind and 500 for the rest (web/http.py); the telling
apart reads botocore's exceptions, so it lives with the adapters, the only modules that know botocore.
"""

from __future__ import annotations

# Error codes that mean "AWS is throttling or not available right now": waiting and trying again works.
UNAVAILABLE_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "TransactionInProgressException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
    }
)


def is_transient(error: Exception) -> bool:
    """AWS throttled, was unavailable, or did not answer in time (after the client's own retries)."""
    response = getattr(error, "response", None)
    if isinstance(response, dict):  # botocore's ClientError: AWS answered with an error
        code = str(response.get("Error", {}).get("Code", ""))
        return code in UNAVAILABLE_CODES or response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 503
    from botocore.exceptions import ConnectionError, HTTPClientError

    # No answer at all: could not connect, or the read timed out.
    return isinstance(error, ConnectionError | HTTPClientError)
