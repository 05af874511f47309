"""The mailer sends at most once: it tries again only when SES surely did not take the message (adapters/ses.py).

Surely not sent: a throttle (429 TooManyRequestsException, LimitExceededException), a refusal (MessageRejected,
SendingPausedException, AccountSuspendedException, AccessDenied) or a connection never made
(EndpointConnectionError, ConnectTimeoutError). May have been sent: a 5xx (InternalFailure, ServiceUnavailable),
a read timeout, a connection closed after the request went out; the mailer then raises MaybeSent at once, never
tries again, and the digest is recorded "uncertain".

The SDK's own retries are off for SES: botocore would also retry a send whose answer timed out, which SES may
have delivered. Transport faults are raised on the wire (botocore's before-send), refusals through Stubber.
"""

from __future__ import annotations

import pytest
from botocore.awsrequest import AWSRequest, AWSResponse, HTTPHeaders
from botocore.exceptions import ConnectionClosedError, ConnectTimeoutError, EndpointConnectionError, ReadTimeoutError
from botocore.stub import Stubber

from circleback.adapters.call_budgets import SEND_EMAIL
from circleback.adapters.ses import MaybeSent, NotConnected, NotSent, QuotaExceeded, SendThrottled, SesMailer

RAW = b"Subject: hi\r\n\r\nhi"
URL = "https://email.us-east-1.amazonaws.com/v2/email/outbound-emails"


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    waits: list[float] = []
    monkeypatch.setattr("circleback.adapters.ses.time.sleep", waits.append)
    return waits


def mailer() -> SesMailer:
    return SesMailer(None, None)


def test_the_sdk_does_not_retry_ses_by_itself() -> None:
    assert mailer().client.meta.config.retries == {"mode": "standard", "total_max_attempts": 1}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("code", "status"),
    [("TooManyRequestsException", 429), ("LimitExceededException", 400), ("ThrottlingException", 400)],
)
def test_a_throttle_is_tried_again_with_backoff(no_waiting: list[float], code: str, status: int) -> None:
    sender = mailer()
    stubber = Stubber(sender.client)
    stubber.add_client_error("send_email", code, "Maximum sending rate exceeded.", status)
    stubber.add_response("send_email", {"MessageId": "m-1"})
    with stubber:
        assert sender.send_raw(RAW) == "m-1"
    assert len(no_waiting) == 1 and 0 <= no_waiting[0] <= 1
    for _ in range(SEND_EMAIL.attempts):
        stubber.add_client_error("send_email", code, "Maximum sending rate exceeded.", status)
    with stubber, pytest.raises(SendThrottled):
        sender.send_raw(RAW)
    stubber.assert_no_pending_responses()
    assert len(no_waiting) == 1 + SEND_EMAIL.attempts - 1


@pytest.mark.parametrize(("code", "status"), [("InternalFailure", 500), ("ServiceUnavailable", 503)])
def test_a_server_error_may_have_been_sent_and_is_never_tried_again(
    no_waiting: list[float], code: str, status: int
) -> None:
    """A 5xx can come after SES accepted the message: sending again could mail the digest twice."""
    sender = mailer()
    stubber = Stubber(sender.client)
    stubber.add_client_error("send_email", code, "try later", status)
    with stubber, pytest.raises(MaybeSent):
        sender.send_raw(RAW)
    stubber.assert_no_pending_responses()
    assert no_waiting == []


@pytest.mark.parametrize(
    ("code", "status", "message", "raised"),
    [
        ("AccessDeniedException", 403, "not allowed", NotSent),
        ("MessageRejected", 400, "Email address is not verified.", NotSent),
        ("LimitExceededException", 400, "Daily message quota exceeded.", QuotaExceeded),
        ("SendingPausedException", 400, "Sending is paused", QuotaExceeded),
        # SES v1 called an account's pause AccountSendingPausedException; SES v2 answers SendingPausedException
        # for the account and the configuration set alike, and AccountSuspendedException (botocore's sesv2 model).
        ("AccountSuspendedException", 400, "Account suspended", QuotaExceeded),
        ("MailFromDomainNotVerifiedException", 400, "not verified", NotSent),
    ],
)
def test_a_refusal_that_will_not_change_is_not_tried_again(
    no_waiting: list[float], code: str, status: int, message: str, raised: type[NotSent]
) -> None:
    sender = mailer()
    stubber = Stubber(sender.client)
    stubber.add_client_error("send_email", code, message, status)
    with stubber, pytest.raises(raised):
        sender.send_raw(RAW)
    stubber.assert_no_pending_responses()
    assert no_waiting == []


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self) -> list[bytes]:
        return [self.data]


def on_the_wire(sender: SesMailer, faults: list[Exception]) -> list[int]:
    """Raise the faults, one per send, as the HTTP layer would; then answer as SES does. Returns the sends."""
    sent: list[int] = []

    def send(request: AWSRequest, **_: object) -> AWSResponse:
        sent.append(1)
        if faults:
            raise faults.pop(0)
        headers = HTTPHeaders()
        headers["Content-Type"] = "application/json"
        return AWSResponse(request.url or URL, 200, headers, _Body(b'{"MessageId": "m-2"}'))

    sender.client.meta.events.register_first("before-send.sesv2.SendEmail", send)  # type: ignore[arg-type]
    return sent


@pytest.mark.parametrize(
    "fault", [ReadTimeoutError(endpoint_url=URL), ConnectionClosedError(endpoint_url=URL)], ids=type
)
def test_a_send_that_may_have_arrived_is_never_sent_again(fault: Exception) -> None:
    sender = mailer()
    sends = on_the_wire(sender, [fault])
    with pytest.raises(MaybeSent) as raised:
        sender.send_raw(RAW)
    assert sends == [1]
    assert raised.value.__cause__ is fault


@pytest.mark.parametrize("fault", [ConnectTimeoutError, EndpointConnectionError], ids=str)
def test_a_connection_never_made_is_tried_again(fault: type[ConnectTimeoutError | EndpointConnectionError]) -> None:
    sender = mailer()
    sends = on_the_wire(sender, [fault(endpoint_url=URL)])
    assert sender.send_raw(RAW) == "m-2"
    assert sends == [1, 1]
    never = mailer()
    sends = on_the_wire(never, [fault(endpoint_url=URL) for _ in range(SEND_EMAIL.attempts)])
    with pytest.raises(NotConnected):  # surely not sent: the digest is handed back for the queue's next try
        never.send_raw(RAW)
    assert len(sends) == SEND_EMAIL.attempts
