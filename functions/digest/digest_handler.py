"""Digest: for each queued request, send one owner the digest of one local date, exactly once."""

from __future__ import annotations

import uuid
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from circleback import runtime
from circleback.adapters.ses import QuotaExceeded
from circleback.payloads import DigestRequest
from circleback.runtime.observability import logger, metrics
from circleback.services.digest import Outcome, send_digest

processor = BatchProcessor(event_type=EventType.SQS)
# Only outcomes that call for a look are metrics: a custom metric costs $0.30 for every month it reports, which
# for a one-owner deployment was most of the bill (docs/cost.md). Sends are counted by SES's own Send metric and
# queued requests by the queue's NumberOfMessagesSent, both free, and every outcome is in the "digest" log line.
ATTENTION_METRICS = {
    Outcome.UNCERTAIN: "DigestsUncertain",
    Outcome.NO_OWNER: "DigestsWithoutOwner",
    Outcome.STALE: "DigestsStale",
}


# A request is started only while this much of the invocation is left: enough for the SES call's worst case
# (call_budgets.SEND_EMAIL; tests/faults/test_call_budgets.py checks it). Cut off by the timeout in the middle of
# that call, a digest would be recorded "uncertain" and never sent; not started, it is simply delivered again.
START_BY_MS = 50_000


class TooLittleTime(Exception):
    """Not attempted: the invocation could end in the middle of sending; the queue delivers it again."""


class _Batch:
    """Per invocation: once SES reports the daily quota used up, the rest of the batch is not tried."""

    quota_exceeded = False
    context: LambdaContext | None = None


def record_handler(record: SQSRecord) -> str:
    if _Batch.quota_exceeded:
        raise QuotaExceeded("not attempted: the SES daily quota is used up")
    if _Batch.context is not None and _Batch.context.get_remaining_time_in_millis() < START_BY_MS:
        raise TooLittleTime("not attempted: too little of the invocation is left to send a digest")
    request = DigestRequest.model_validate_json(record.body)
    try:
        result = send_digest(
            runtime.repository(),
            runtime.mailer(),
            runtime.links_for,
            runtime.environment().digest_settings(),
            request,
            runtime.now(),
            claimant=uuid.uuid4().hex,
        )
    except QuotaExceeded:
        _Batch.quota_exceeded = True
        metrics.add_metric(name="DigestQuotaExceeded", unit=MetricUnit.Count, value=1)
        raise
    if result.outcome in ATTENTION_METRICS:
        metrics.add_metric(name=ATTENTION_METRICS[result.outcome], unit=MetricUnit.Count, value=1)
    logger.info("digest", extra={"owner": request.owner_id, "outcome": result.outcome.value, "items": result.items})
    return result.outcome.value


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    _Batch.quota_exceeded = False
    _Batch.context = context
    response = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    failed = len(response.get("batchItemFailures", []))
    if failed:  # each will be retried by the queue, and lands in the dead-letter queue if it keeps failing
        metrics.add_metric(name="DigestsFailed", unit=MetricUnit.Count, value=failed)
    return response
