"""The SES v2 adapter: sends the raw MIME message. boto3 only here, created on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from circleback.call_budgets import SEND_EMAIL

if TYPE_CHECKING:
    from mypy_boto3_sesv2 import SESV2Client

THROTTLE_CODES = frozenset({"TooManyRequestsException", "ThrottlingException", "Throttling", "LimitExceededException"})
QUOTA_MARKER = "daily message quota exceeded"
PAUSED_CODES = frozenset({"SendingPausedException", "AccountSuspendedException"})


class NotSent(Exception):
    """SES answered and did not take the message: nothing went out, so trying again later is safe."""


class SendThrottled(NotSent):
    """Still throttled after the SDK's backoff retries."""


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

            # Standard retries back off exponentially with jitter on throttling: no hot loop.
            self._client = boto3.client("sesv2", config=SEND_EMAIL.config())
        return self._client

    def send_raw(self, raw: bytes) -> str:
        """Send one raw message; returns SES's message id. Raises NotSent when SES refused it."""
        from botocore.exceptions import ClientError

        request: dict[str, object] = {"Content": {"Raw": {"Data": raw}}}
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        try:
            response = self.client.send_email(**request)  # type: ignore[arg-type]
        except ClientError as error:
            raise _classify(error) from error
        return response["MessageId"]


def _classify(error: Exception) -> Exception:
    response = getattr(error, "response", {})
    code = response.get("Error", {}).get("Code", "")
    message = str(response.get("Error", {}).get("Message", "")).lower()
    if code in PAUSED_CODES or QUOTA_MARKER in message:
        return QuotaExceeded(f"SES refused to send: {code}")
    if code in THROTTLE_CODES:
        return SendThrottled(f"SES is throttling: {code}")
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    if isinstance(status, int) and 400 <= status < 600:
        return NotSent(f"SES refused the message: {code or status}")
    return error  # no answer from SES (a transport error): whether it went out is unknown
