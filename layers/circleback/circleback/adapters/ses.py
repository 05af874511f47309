"""The SES v2 adapter: sends the raw MIME message. boto3 only here, created on first use.

At most once. Every failure is one of two kinds, and only the first is ever tried again:

- surely not sent (NotSent): SES answered and refused (a throttle, a rejected message, a paused account, the
  quota), or no connection was ever made (EndpointConnectionError, ConnectTimeoutError). A throttle or a missing
  connection is tried again here, with backoff; the others at the queue's next delivery.
- maybe sent (MaybeSent): the request may have reached SES and been accepted before the failure: a 5xx
  (InternalFailure, ServiceUnavailable: SES failed somewhere, perhaps after queueing the message), a read timeout,
  a connection closed after the request went out. SES has no idempotency key, so sending again could mail the
  digest twice: it is never retried, and the digest service records the run "uncertain".

The SDK's own retries are off for this client, because botocore retries 5xx answers and read timeouts too.
"""

from __future__ import annotations

import random
import time
from dataclasses import replace
from typing import TYPE_CHECKING

from circleback.adapters.call_budgets import SEND_EMAIL

if TYPE_CHECKING:
    from mypy_boto3_sesv2 import SESV2Client

# SES v2's SendEmail errors (botocore's sesv2 model): TooManyRequestsException (429), LimitExceededException
# (sending rate, or the daily quota by its message), AccountSuspendedException, SendingPausedException (the account's
# or the configuration set's pause: SES v1 named it AccountSendingPausedException), MessageRejected,
# MailFromDomainNotVerifiedException, NotFoundException, BadRequestException; plus AWS's common ones.
THROTTLE_CODES = frozenset({"TooManyRequestsException", "ThrottlingException", "Throttling", "LimitExceededException"})
QUOTA_MARKER = "daily message quota exceeded"
PAUSED_CODES = frozenset({"SendingPausedException", "AccountSuspendedException", "AccountSendingPausedException"})


class NotSent(Exception):
    """SES surely did not take the message: nothing went out, so trying again later is safe."""


class SendThrottled(NotSent):
    """Still throttled after the mailer's backoff retries."""


class NotConnected(NotSent):
    """No connection to SES was ever made, after the mailer's retries: the request never left."""


class QuotaExceeded(NotSent):
    """The account's daily quota is used up (or sending is paused): stop sending for this run, and alarm."""


class MaybeSent(Exception):
    """SES may have taken the message (a 5xx, a read timeout, a connection closed mid-call): never send it again."""


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
        """Send one raw message; returns SES's message id. Raises NotSent when SES surely did not take it
        (QuotaExceeded and other refusals at once; a throttle or a failed connection after SEND_EMAIL.attempts
        tries), and MaybeSent, at the first such failure, when it may have.
        """
        request: dict[str, object] = {"Content": {"Raw": {"Data": raw}}}
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        attempt = 1
        while True:
            failure = self._try_once(request)
            if isinstance(failure, str):
                return failure
            if not isinstance(failure, SendThrottled | NotConnected) or attempt == SEND_EMAIL.attempts:
                raise failure
            time.sleep(_backoff(attempt))
            attempt += 1

    def _try_once(self, request: dict[str, object]) -> str | Exception:
        """SES's message id, or the classified failure (its cause chained)."""
        from botocore.exceptions import BotoCoreError, ClientError, ConnectTimeoutError, EndpointConnectionError

        failure: Exception
        try:
            response = self.client.send_email(**request)  # type: ignore[arg-type]
        except ClientError as error:
            failure = _classify(error)
            failure.__cause__ = error
        except (ConnectTimeoutError, EndpointConnectionError) as error:  # never connected: nothing sent
            failure = NotConnected(f"no connection to SES: {type(error).__name__}")
            failure.__cause__ = error
        except BotoCoreError as error:  # read timeout, connection closed, TLS or stream error: it may have arrived
            failure = MaybeSent(f"no answer from SES: {type(error).__name__}")
            failure.__cause__ = error
        else:
            return response["MessageId"]
        return failure


def _backoff(attempt: int) -> float:
    """Full jitter, as the SDK's standard mode: up to 1 s, then 2 s, ... (at most 20 s)."""
    return random.uniform(0, min(2.0 ** (attempt - 1), 20.0))  # noqa: S311 - spacing retries, not a secret


def _classify(error: Exception) -> Exception:
    response = getattr(error, "response", {})
    code = response.get("Error", {}).get("Code", "")
    message = str(response.get("Error", {}).get("Message", "")).lower()
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    if code in PAUSED_CODES or QUOTA_MARKER in message:
        return QuotaExceeded(f"SES refused to send: {code}")
    if code in THROTTLE_CODES or status == 429:
        return SendThrottled(f"SES is throttling: {code or status}")
    if isinstance(status, int) and 400 <= status < 500:
        return NotSent(f"SES refused the message: {code or status}")
    return MaybeSent(f"SES failed: {code or status}")  # a 5xx (or no status): it may have taken the message
