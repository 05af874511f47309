"""The SES v2 adapter: sends the raw MIME message. boto3 only here, created on first use.

At most once: the SDK's own retries are off for this client, because botocore also retries a request whose
answer timed out, which SES may well have sent. The mailer tries again itself, and only when the message
surely did not go out: SES answered with a throttle or a server error, or no connection was ever made.
"""

from __future__ import annotations

import random
import time
from dataclasses import replace
from typing import TYPE_CHECKING

from circleback.adapters.call_budgets import SEND_EMAIL

if TYPE_CHECKING:
    from mypy_boto3_sesv2 import SESV2Client

THROTTLE_CODES = frozenset({"TooManyRequestsException", "ThrottlingException", "Throttling", "LimitExceededException"})
QUOTA_MARKER = "daily message quota exceeded"
PAUSED_CODES = frozenset({"SendingPausedException", "AccountSuspendedException"})


class NotSent(Exception):
    """SES answered and did not take the message: nothing went out, so trying again later is safe."""


class SendThrottled(NotSent):
    """Still throttled after the mailer's backoff retries."""


class SesUnavailable(NotSent):
    """SES answered with a server error: it did not take the message, and may well take it in a moment."""


class QuotaExceeded(NotSent):
    """The account's daily quota is used up (or sending is paused): stop sending for this run, and alarm."""


class SesMailer:
    def __init__(self, configuration_set: str | None = None, client: SESV2Client | None = None) -> None:
        self.configuration_set = configuration_set
        self._client = client

    @property
    def client(self) -> SESV2Client:
        if self._client is None:
            import boto3

            self._client = boto3.client("sesv2", config=replace(SEND_EMAIL, attempts=1).config())
        return self._client

    def send_raw(self, raw: bytes) -> str:
        """Send one raw message; returns SES's message id. Raises NotSent when SES refused it (QuotaExceeded
        at once; a throttle or server error after SEND_EMAIL.attempts tries), and the transport's own error
        when the request may have arrived: whether the message went out is then unknown.
        """
        from botocore.exceptions import ClientError, ConnectTimeoutError, EndpointConnectionError

        request: dict[str, object] = {"Content": {"Raw": {"Data": raw}}}
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        attempt = 1
        while True:
            try:
                response = self.client.send_email(**request)  # type: ignore[arg-type]
            except ClientError as error:
                refused = _classify(error)
                if not isinstance(refused, SendThrottled | SesUnavailable):  # a refusal that will not change
                    raise refused from error
                failure: Exception = refused
            except (ConnectTimeoutError, EndpointConnectionError) as error:  # never connected: nothing sent
                failure = error
            else:
                return response["MessageId"]
            if attempt == SEND_EMAIL.attempts:
                raise failure
            time.sleep(_backoff(attempt))
            attempt += 1


def _backoff(attempt: int) -> float:
    """Full jitter, as the SDK's standard mode: up to 1 s, then 2 s, ... (at most 20 s)."""
    return random.uniform(0, min(2.0 ** (attempt - 1), 20.0))  # noqa: S311 - spacing retries, not a secret


def _classify(error: Exception) -> Exception:
    response = getattr(error, "response", {})
    code = response.get("Error", {}).get("Code", "")
    message = str(response.get("Error", {}).get("Message", "")).lower()
    if code in PAUSED_CODES or QUOTA_MARKER in message:
        return QuotaExceeded(f"SES refused to send: {code}")
    if code in THROTTLE_CODES:
        return SendThrottled(f"SES is throttling: {code}")
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    if isinstance(status, int) and 500 <= status < 600:
        return SesUnavailable(f"SES failed: {code or status}")
    if isinstance(status, int) and 400 <= status < 500:
        return NotSent(f"SES refused the message: {code or status}")
    return error  # no answer from SES (a transport error): whether it went out is unknown
