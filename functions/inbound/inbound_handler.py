"""Inbound: the logging address's mail, as SES receiving delivers it (stored in S3, then this function invoked
asynchronously): trusted only from the owner, authenticated; taken in as `circleback mail` takes a file."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from circleback import runtime
from circleback.runtime.observability import logger, metrics
from circleback.services.inbound import Received, receive
from circleback.ses_events import ses_records

# Counted, and alarmed on a sudden rise (template.yaml InboundDroppedAlarm): mail the logging address would not
# act on. Dropped silently, never bounced: a bounce to a forged sender is backscatter.
DROPPED_METRIC = "InboundDropped"


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Each record once; a failure raises, Lambda tries the event twice more, then its dead-letter queue has it
    (nothing is logged twice on a retry: a touch's id is its message's)."""
    records = ses_records(event)  # a dataclass model: pydantic would double the cold start (ses_events.py)
    settings = runtime.environment()
    owner = runtime.repository().get_owner(settings.OWNER_ID) or settings.default_owner()
    if owner is None:
        raise RuntimeError("no owner to take mail in for")
    outcomes = []
    for record in records:
        result = receive(
            runtime.repository(), runtime.inbound_store(), record, owner, settings.LOGGING_ADDRESS, runtime.now()
        )
        if result.outcome is Received.DROPPED:
            metrics.add_metric(name=DROPPED_METRIC, unit=MetricUnit.Count, value=1)
        report = result.report
        logger.info(
            "inbound",
            extra={
                "outcome": result.outcome.value,
                "touches": len(report.logged) if report else 0,
                "dropped_because": result.reason if result.outcome is Received.DROPPED else None,
            },
        )
        outcomes.append(result.outcome.value)
    return {"outcomes": outcomes}
